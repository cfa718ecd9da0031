//! Ensembles: many seeded runs of several variants of a scenario (strategies or sweep
//! points), paired by common random numbers.
//!
//! Run r of every variant uses the same seed `run_seed(scenario seed, r)`. Because every
//! random stream is keyed by (seed, tick, phase, population), two variants differ only
//! through what the variant changes, so differences are paired.
//!
//! Work is cut into fixed batches of `BATCH_RUNS` runs × all variants. A finished batch is
//! written atomically as one part file; interrupted work loses at most the batch in flight,
//! `resume` skips batches on disk, and shards are contiguous ranges of batches. Final
//! statistics are computed from parts in run order, so they are byte-identical however
//! the work was split, resumed or threaded.

use super::simulate;
use super::uncertainty::Variants;
use crate::metrics::ACTOR_METRICS;
use crate::model::checked::CheckedScenario;
use crate::scenario::Scenario;
use crate::world::build;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicBool, Ordering};

/// Runs per batch (times the number of variants = simulations per part file).
pub const BATCH_RUNS: u32 = 8;

/// The seed of run `r`: splitmix64 of the scenario seed and the run index.
pub fn run_seed(base: u64, run: u32) -> u64 {
    crate::rng::mix(
        base ^ (run as u64)
            .wrapping_mul(crate::rng::GOLDEN_GAMMA)
            .wrapping_add(0xD1B5_4A32_D192_ED03),
    )
}

/// What an ensemble measures in every run.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MetricSet {
    /// Final metrics: `<metric>:<actor>` for each actor metric, `believing:<story>` and
    /// `believing_peak:<story>` for each story.
    pub names: Vec<String>,
    /// The headline metric, recorded every tick for fan charts.
    pub focal: String,
    /// Actor whose spend is the cost of a strategy.
    pub cost_actor: String,
}

/// Metrics where lower is better.
pub fn lower_is_better(metric: &str) -> bool {
    metric.starts_with("believing") || metric.starts_with("spend:")
}

impl MetricSet {
    pub fn for_scenario(sc: &Scenario, focal: Option<&str>) -> Result<MetricSet, String> {
        let mut names = Vec::new();
        for a in &sc.actors {
            for m in ACTOR_METRICS {
                names.push(format!("{}:{}", short(m), a.id));
            }
        }
        for s in &sc.stories {
            names.push(format!("believing:{}", s.id));
            names.push(format!("believing_peak:{}", s.id));
        }
        let default_actor = sc
            .scenario
            .focal_actor
            .clone()
            .unwrap_or_else(|| sc.actors[0].id.clone());
        let focal = focal.map_or_else(|| format!("soft_power:{default_actor}"), String::from);
        let per_tick = names
            .iter()
            .filter(|n| !n.starts_with("spend:") && !n.starts_with("believing_peak:"))
            .map(|s| s.as_str())
            .collect::<Vec<_>>();
        if !per_tick.contains(&focal.as_str()) {
            return Err(format!(
                "unknown metric \"{focal}\"\n  help: {} (a metric tracked every tick: <soft_power|familiarity|trust|favourability|credibility>:<actor> or believing:<story>)",
                crate::scenario::diagnostic::suggest_help(&focal, per_tick.iter().copied())
            ));
        }
        let cost_actor = focal
            .split_once(':')
            .filter(|(m, _)| !m.starts_with("believing"))
            .map_or(default_actor, |(_, a)| a.to_string());
        Ok(MetricSet {
            names,
            focal,
            cost_actor,
        })
    }
}

fn short(m: &str) -> &str {
    if m == "spend_cumulative" { "spend" } else { m }
}

/// One simulated run of one variant.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RunResult {
    pub variant: u32,
    pub run: u32,
    pub seed: u64,
    /// In the order of `MetricSet::names`.
    pub finals: Vec<f64>,
    /// The focal metric at every tick (tick 0 first).
    pub series: Vec<f64>,
}

/// Simulates run `run` of a variant and extracts its metrics.
pub fn run_one(
    mut s: CheckedScenario,
    variant: u32,
    run: u32,
    base_seed: u64,
    metrics: &MetricSet,
) -> RunResult {
    let seed = run_seed(base_seed, run);
    s.seed = seed;
    let out = simulate(build(&s), |_| {});
    let rec = &out.recorder;
    let w = &out.engine.world;
    let last = rec.last();
    let mut finals = Vec::with_capacity(metrics.names.len());
    for a in 0..w.actors.len() {
        finals.extend_from_slice(&last.actors[a]);
    }
    for j in 0..w.stories.len() {
        finals.push(last.stories[j][0]);
        finals.push(rec.story_peak(j).1);
    }
    let (kind, id) = metrics
        .focal
        .split_once(':')
        .expect("metric names hold a colon");
    let series = if kind == "believing" {
        let j = w
            .stories
            .ids
            .iter()
            .position(|x| x == id)
            .expect("validated story");
        rec.ticks.iter().map(|t| t.stories[j][0]).collect()
    } else {
        let a = w
            .actors
            .ids
            .iter()
            .position(|x| x == id)
            .expect("validated actor");
        let m = ACTOR_METRICS
            .iter()
            .position(|x| short(x) == kind)
            .expect("validated metric");
        rec.ticks.iter().map(|t| t.actors[a][m]).collect()
    };
    RunResult {
        variant,
        run,
        seed,
        finals,
        series,
    }
}

/// Batches `[first, last)` belonging to shard `k` of `n` (1-based k).
pub fn shard_batches(total_batches: u32, k: u32, n: u32) -> std::ops::Range<u32> {
    let lo = (total_batches as u64 * (k - 1) as u64 / n as u64) as u32;
    let hi = (total_batches as u64 * k as u64 / n as u64) as u32;
    lo..hi
}

pub fn batches(runs: u32) -> u32 {
    runs.div_ceil(BATCH_RUNS)
}

/// Simulates one batch; `None` if `stop` was raised before it finished. Run r of every
/// variant takes the same seed and, under uncertainty, the same parameter draw.
pub fn run_batch(
    variants: &Variants,
    batch: u32,
    runs: u32,
    base_seed: u64,
    metrics: &MetricSet,
    stop: &AtomicBool,
    on_done: &(dyn Fn() + Sync),
) -> Result<Option<Vec<RunResult>>, String> {
    let first = batch * BATCH_RUNS;
    let last = (first + BATCH_RUNS).min(runs);
    let units: Vec<(u32, u32)> = (first..last)
        .flat_map(|r| (0..variants.len() as u32).map(move |v| (r, v)))
        .collect();
    let results: Vec<Option<RunResult>> = units
        .par_iter()
        .map(|&(r, v)| -> Result<Option<RunResult>, String> {
            if stop.load(Ordering::Relaxed) {
                return Ok(None);
            }
            let sc = variants.scenario(v as usize, r)?;
            let res = run_one(sc, v, r, base_seed, metrics);
            on_done();
            Ok(Some(res))
        })
        .collect::<Result<_, String>>()?;
    Ok(results.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_every_batch_once() {
        for total in [0u32, 1, 7, 125] {
            for n in 1..6 {
                let mut seen = vec![0; total as usize];
                for k in 1..=n {
                    for b in shard_batches(total, k, n) {
                        seen[b as usize] += 1;
                    }
                }
                assert!(seen.iter().all(|&c| c == 1));
            }
        }
    }

    #[test]
    fn run_seeds_differ() {
        let s: std::collections::HashSet<u64> = (0..1000).map(|r| run_seed(42, r)).collect();
        assert_eq!(s.len(), 1000);
    }
}
