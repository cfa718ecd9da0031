use super::EXIT_INVALID;
use crate::scenario::{Overrides, load};
use std::path::PathBuf;
use std::process::ExitCode;

pub fn check(files: &[PathBuf]) -> ExitCode {
    let mut bad = 0;
    for f in files {
        match load(f, &Overrides::default()) {
            Ok(l) => {
                let sc = &l.scenario;
                let generated: u64 = sc.generators.iter().map(|g| g.count).sum();
                println!(
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
            Err(e) => {
                eprintln!("{e}");
                bad += 1;
            }
        }
    }
    if bad > 0 {
        ExitCode::from(EXIT_INVALID)
    } else {
        ExitCode::SUCCESS
    }
}
