//! Stories with their first believers, and campaigns compiled for the engine.

use crate::model::Instrument;
use crate::model::checked::CheckedScenario;
use crate::rng::{Purpose, stream};
use crate::world::{Campaign, Compartments, Populations, Stories};
use rand_distr::{Binomial, Distribution};

pub(super) fn stories(sc: &CheckedScenario, pops: &Populations, rkey: &[u8; 32]) -> Stories {
    let n_pop = pops.len();
    let n_story = sc.stories.len();
    let mut counts = vec![Compartments::default(); n_pop * n_story];
    for p in 0..n_pop {
        let mut r = stream(rkey, 0, Purpose::StorySeeding, p as u64);
        for (q, s) in sc.stories.iter().enumerate() {
            let n = pops.size[p] as u64;
            let b = if s.initial_share > 0.0 {
                Binomial::new(n, s.initial_share).map_or(0, |d| d.sample(&mut r))
            } else {
                0
            };
            counts[p * n_story + q] = Compartments {
                s: n - b,
                b,
                c: 0,
                v: 0,
            };
        }
    }
    let st = &sc.stories;
    Stories {
        ids: st.iter().map(|s| s.id.clone()).collect(),
        about: st.iter().map(|s| s.about).collect(),
        beta: st.iter().map(|s| s.beta).collect(),
        plausibility: st.iter().map(|s| s.plausibility).collect(),
        verify: st.iter().map(|s| s.verify).collect(),
        forget: st.iter().map(|s| s.forget).collect(),
        harm: st.iter().map(|s| s.harm).collect(),
        recovery: st.iter().map(|s| s.recovery).collect(),
        counts,
        authored: (0..n_story)
            .map(|j| {
                sc.campaigns
                    .iter()
                    .any(|c| c.instrument == Instrument::Misinformation && c.story as usize == j)
            })
            .collect(),
        traced: vec![crate::world::NOT_TRACED; n_pop * n_story],
    }
}

pub(super) fn campaigns(sc: &CheckedScenario, pops: &Populations) -> Vec<Campaign> {
    sc.campaigns
        .iter()
        .map(|c| Campaign {
            spec: c.clone(),
            audience: c.targets.iter().map(|&p| pops.size[p as usize]).sum(),
        })
        .collect()
}

/// Campaigns touching each population, as offsets and indices (ascending).
pub(super) fn campaigns_per_population(
    campaigns: &[Campaign],
    n_pop: usize,
) -> (Vec<u32>, Vec<u32>) {
    let mut per_pop: Vec<Vec<u32>> = vec![Vec::new(); n_pop];
    for (ci, c) in campaigns.iter().enumerate() {
        for &p in &c.targets {
            per_pop[p as usize].push(ci as u32);
        }
    }
    let mut camp_off = Vec::with_capacity(n_pop + 1);
    let mut camp_idx = Vec::new();
    camp_off.push(0u32);
    for v in per_pop {
        camp_idx.extend(v);
        camp_off.push(camp_idx.len() as u32);
    }
    (camp_off, camp_idx)
}
