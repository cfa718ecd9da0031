//! What each instrument bought: leave-one-out counterfactuals.
//!
//! For every (actor, instrument) pair with spend, the scenario is re-run with that
//! actor's campaigns of that instrument switched off, with the same seed (common random
//! numbers: every random stream is keyed by tick, phase and population, so the two runs
//! differ only through the missing campaigns). The gain is the actor's final soft-power
//! index in the full run minus the counterfactual's. Interactions between instruments
//! mean the gains need not add up to the total change.

use super::simulate_final;
use crate::metrics::actor_stats;
use crate::model::Instrument;
use crate::world::World;
use rayon::prelude::*;

#[derive(Debug, Clone)]
pub struct InstrumentGain {
    pub actor: usize,
    pub instrument: Instrument,
    pub spend: f64,
    /// Final soft-power index with the instrument minus without it.
    pub gain: f64,
}

/// Population-ticks above which the counterfactuals are skipped as too slow for `run`.
pub const MAX_WORK: f64 = 2.0e8;

/// The (actor, instrument) pairs that spend anything, with their total spend.
pub fn spending_pairs(world: &World) -> Vec<(usize, Instrument, f64)> {
    let mut v = Vec::new();
    for a in 0..world.actors.len() {
        for inst in Instrument::ALL {
            let spend: f64 = world
                .campaigns
                .iter()
                .filter(|c| c.actor as usize == a && c.instrument == inst)
                .map(|c| c.spend * c.end.min(world.ticks).saturating_sub(c.start) as f64)
                .sum();
            if spend > 0.0 {
                v.push((a, inst, spend));
            }
        }
    }
    v
}

/// Whether the counterfactual runs are cheap enough to do by default.
pub fn affordable(world: &World) -> bool {
    let runs = spending_pairs(world).len() as f64;
    runs * world.pops.len() as f64 * world.ticks as f64 <= MAX_WORK
}

/// Leave-one-out gains; `full_final_sp` is the full run's final soft-power index per actor.
pub fn instrument_gains(world: &World, full_final_sp: &[f64]) -> Vec<InstrumentGain> {
    spending_pairs(world)
        .into_par_iter()
        .map(|(a, inst, spend)| {
            let mut cf = world.clone();
            for c in cf.campaigns.iter_mut() {
                if c.actor as usize == a && c.instrument == inst {
                    c.start = 0;
                    c.end = 0;
                }
            }
            let sp = actor_stats(&simulate_final(cf).world)[a].soft_power;
            InstrumentGain {
                actor: a,
                instrument: inst,
                spend,
                gain: full_final_sp[a] - sp,
            }
        })
        .collect()
}
