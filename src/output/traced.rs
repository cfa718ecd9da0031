//! `traced_stories.csv`: where and when each story was traced back to its authors
//! (docs/MODEL.md 3.5, attribution).

use crate::engine::Engine;
use crate::error::Result;
use crate::model::{ContagionModel, Instrument};
use crate::world::NOT_TRACED;

/// Whether the run records attributions: the soft-power contagion model with a positive
/// attribution rate and at least one story seeded by a misinformation campaign.
pub fn recorded(e: &Engine) -> bool {
    let w = &e.world;
    w.params.contagion == ContagionModel::Softpower
        && w.params.mis_attribution[0] > 0.0
        && w.stories.authored.iter().any(|&a| a)
}

/// One row per (story, population, author) traced, in order of tick, then population,
/// then story, then author.
pub fn traced_csv(e: &Engine) -> Result<Vec<u8>> {
    let w = &e.world;
    let q = w.stories.len();
    let mut rows: Vec<(u32, usize)> = w
        .stories
        .traced
        .iter()
        .enumerate()
        .filter(|&(_, &t)| t != NOT_TRACED)
        .map(|(i, &t)| (t, i))
        .collect();
    rows.sort_unstable();
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(["tick", "story", "about", "author", "population"])?;
    for (t, i) in rows {
        let (p, j) = (i / q, i % q);
        let mut authors: Vec<usize> = w
            .campaigns
            .iter()
            .filter(|c| c.instrument == Instrument::Misinformation && c.story as usize == j)
            .map(|c| c.actor as usize)
            .collect();
        authors.sort_unstable();
        authors.dedup();
        for a in authors {
            out.write_record([
                t.to_string().as_str(),
                &w.stories.ids[j],
                &w.actors.ids[w.stories.about[j] as usize],
                &w.actors.ids[a],
                &w.pops.ids[p],
            ])?;
        }
    }
    Ok(out.into_inner()?)
}
