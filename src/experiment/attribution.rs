//! What each instrument bought: leave-one-out counterfactuals.
//!
//! For every (actor, instrument) pair with spend, the scenario is re-run with that
//! actor's campaigns of that instrument switched off, with the same seed (common random
//! numbers: every random stream is keyed by tick, phase and population, so the two runs
//! differ only through the missing campaigns). The gain is the actor's final soft-power
//! index in the full run minus the counterfactual's. Interactions between instruments
//! mean the gains need not add up to the total change.
//!
//! The counterfactuals start from clones of the built world (no rebuild) and run in
//! parallel; each is a deterministic function of its world, so the gains do not depend
//! on the thread count or on the order the runs finish in.

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

/// Populations × ticks × counterfactual runs above which `run` skips the counterfactuals
/// unless asked (`--attribution`): 2·10⁸ population-ticks take about a minute.
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

/// Populations × ticks × counterfactual runs: the work the attribution would add.
pub fn work(world: &World) -> f64 {
    let runs = spending_pairs(world).len() as f64;
    runs * world.pops.len() as f64 * world.ticks as f64
}

/// Whether the counterfactual runs are cheap enough to do by default.
pub fn affordable(world: &World) -> bool {
    work(world) <= MAX_WORK
}

/// Why the counterfactuals were left out, and how to ask for them.
pub fn skipped_note(world: &World) -> String {
    format!(
        "Note: what each instrument bought (spend_vs_gain.png, \"Key changes\") was not computed: \
         {} counterfactual runs × {} populations × {} ticks = {:.1e} population-ticks, above {:.0e}. \
         Pass --attribution to compute it anyway.",
        spending_pairs(world).len(),
        world.pops.len(),
        world.ticks,
        work(world),
        MAX_WORK
    )
}

/// Leave-one-out gains; `full_final_sp` is the full run's final soft-power index per actor.
pub fn instrument_gains(world: &World, full_final_sp: &[f64]) -> Vec<InstrumentGain> {
    spending_pairs(world)
        .into_par_iter()
        .map(|(a, inst, spend)| {
            let mut cf = world.clone();
            for c in cf.campaigns.iter_mut() {
                if c.actor as usize == a && c.instrument == inst {
                    c.switch_off();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::on_threads;
    use crate::world::testkit::world;

    /// Without reactance (docs/MODEL.md 3.2) a campaign's gain is known to be positive.
    fn scenario(populations: u32, ticks: u32) -> String {
        format!(
            "[scenario]\nname = \"t\"\nticks = {ticks}\n[model.messaging]\nreactance = false\n[[actor]]\nid = \"a\"\nbudget = 1\n\
             [[generate]]\nprefix = \"n\"\ncount = {populations}\ngraph = {{ model = \"watts_strogatz\", k = 4, p = 0.1 }}\n\
             [[campaign]]\nid = \"m\"\nactor = \"a\"\ninstrument = \"messaging\"\ntargets = [\"all\"]\nspend = 1\n\
             [[campaign]]\nid = \"x\"\nactor = \"a\"\ninstrument = \"exchange\"\ntargets = [\"n_0\"]\nspend = 0\n"
        )
    }

    #[test]
    fn work_counts_one_run_per_instrument_that_spends() {
        // The exchange spends nothing, so only messaging has a counterfactual.
        let w = world(&scenario(100, 30));
        assert_eq!(spending_pairs(&w).len(), 1);
        assert_eq!(work(&w), 100.0 * 30.0);
        assert!(affordable(&w));
    }

    #[test]
    fn large_scenarios_are_skipped_with_a_note_that_says_how_to_ask() {
        let w = world(&scenario(1000, 300_000));
        assert!(!affordable(&w));
        let note = skipped_note(&w);
        assert!(note.contains("--attribution"), "{note}");
        assert!(note.contains("3.0e8"), "{note}");
    }

    #[test]
    fn gains_do_not_depend_on_the_thread_count() {
        let w = world(&scenario(100, 30));
        let sp: Vec<f64> = actor_stats(&simulate_final(w.clone()).world)
            .iter()
            .map(|a| a.soft_power)
            .collect();
        let gains = |threads| {
            on_threads(threads, None, || instrument_gains(&w, &sp))
                .iter()
                .map(|g| g.gain.to_bits())
                .collect::<Vec<_>>()
        };
        let one = gains(1);
        assert_eq!(one, gains(3));
        // Messaging raised the index, so switching it off loses something.
        assert!(f64::from_bits(one[0]) > 0.0);
    }
}
