//! `softpower check`: validate scenario files and explain every problem.

use super::{say, tell};
use crate::error::{Error, Result};
use crate::scenario::{Overrides, load};
use std::path::PathBuf;

pub fn check(files: &[PathBuf]) -> Result<()> {
    let mut bad = 0;
    for f in files {
        match load(f, &Overrides::default()) {
            Ok(l) => {
                let sc = &l.scenario;
                let generated: u64 = sc.generators.iter().map(|g| g.count).sum();
                say!(
                    "ok: {} ({}: {} actors, {} populations, {} campaigns, {} stories, {} events, {} ticks)",
                    f.display(),
                    sc.scenario.name,
                    sc.actors.len(),
                    sc.populations.len() as u64 + generated,
                    sc.campaigns.len(),
                    sc.stories.len(),
                    sc.events.len(),
                    sc.scenario.ticks
                );
            }
            // One file: its diagnostics are the error.
            Err(e) if files.len() == 1 => return Err(e.into()),
            Err(e) => {
                tell!("{e}");
                bad += 1;
            }
        }
    }
    if bad > 0 {
        return Err(Error::invalid(format!(
            "{bad} of {} scenario files have problems",
            files.len()
        )));
    }
    Ok(())
}
