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

use super::measure::simulate_measured;
use super::metric::{Metric, Quantity, Selector};
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
    /// Every metric measured in each run, in the canonical spelling of [`Metric`]: each
    /// actor's indices and spend, each story's final and peak believing share, then the
    /// metrics asked for that are not among these.
    pub names: Vec<String>,
    /// The headline metric, its quantity recorded every tick for the fan chart.
    pub focal: String,
    /// Actor whose spend is the cost of a strategy.
    pub cost_actor: String,
    /// The metrics asked for with `--metric`, the headline first (`[focal]` when none).
    #[serde(default)]
    pub asked: Vec<String>,
}

/// Whether lower is better for a metric name, from its type ([`Metric::lower_is_better`]);
/// names are checked to parse when a manifest is read.
pub fn lower_is_better(metric: &str) -> bool {
    Metric::parse(metric).is_ok_and(|m| m.lower_is_better())
}

/// The metrics measured in every run of `sc` whatever is asked: every actor's indices
/// and spend, every story's final and peak believing share.
pub fn standard_metrics(sc: &Scenario) -> Vec<String> {
    let mut names = Vec::new();
    for a in &sc.actors {
        for m in ACTOR_METRICS {
            names.push(format!("{}:{}", short(m), a.id));
        }
    }
    for s in &sc.stories {
        names.push(format!("believing:{}", s.id));
        names.push(format!("believing:{}@peak", s.id));
    }
    names
}

impl MetricSet {
    /// The metric set of an ensemble of `sc` with the metrics `asked` (the first is the
    /// headline). A bad metric is reported with the text underneath and a caret under
    /// what is wrong, and a "did you mean" where one is close.
    pub fn for_scenario(sc: &Scenario, asked: &[String]) -> Result<MetricSet, String> {
        let actors: Vec<&str> = sc.actors.iter().map(|a| a.id.as_str()).collect();
        let stories: Vec<&str> = sc.stories.iter().map(|s| s.id.as_str()).collect();
        let pops = crate::scenario::select::PopIndex::new(sc);
        let mut parsed = Vec::new();
        for text in asked {
            let bad = |msg: String| format!("--metric \"{text}\": {msg}");
            let m = Metric::parse(text).map_err(|e| bad(e.located(text.trim())))?;
            m.check_entities(&actors, &stories)
                .map_err(|e| bad(e.located(text.trim())))?;
            m.check_ticks(sc.scenario.ticks as usize).map_err(&bad)?;
            for sel in &m.selectors {
                let written = match sel {
                    Selector::All => "all".to_string(),
                    Selector::Population(p) => p.clone(),
                    Selector::Home(a) => format!("home:{a}"),
                    Selector::Group(g) => format!("group:{g}"),
                };
                if let Err(e) = pops.resolve(&written) {
                    let c = pops.candidates();
                    return Err(bad(format!(
                        "{e}{}\n    {}\n    {}{}\n  help: a selector is a population id, all, home:<actor> or group:<generator prefix>",
                        super::prior::did_you_mean(&written, c.iter().map(String::as_str)),
                        text.trim(),
                        " ".repeat(text.trim().find(written.as_str()).unwrap_or(0)),
                        "^".repeat(written.chars().count())
                    )));
                }
            }
            parsed.push(m.to_string());
        }
        let default_actor = sc
            .scenario
            .focal_actor
            .clone()
            .unwrap_or_else(|| sc.actors[0].id.clone());
        if parsed.is_empty() {
            parsed.push(format!("soft_power:{default_actor}"));
        }
        let mut names = standard_metrics(sc);
        for p in &parsed {
            if !names.contains(p) {
                names.push(p.clone());
            }
        }
        let focal = parsed[0].clone();
        let cost_actor = match Metric::parse(&focal).map(|m| m.quantity) {
            Ok(Quantity::Actor { actor, .. } | Quantity::Spend { actor }) => actor,
            _ => default_actor,
        };
        Ok(MetricSet {
            names,
            focal,
            cost_actor,
            asked: parsed,
        })
    }

    /// The typed metrics in the order of `names`, and the index of the headline.
    pub fn parsed(&self) -> Result<(Vec<Metric>, usize), String> {
        let metrics = self
            .names
            .iter()
            .map(|n| Metric::parse(n).map_err(|e| format!("metric \"{n}\": {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        let focal = self
            .names
            .iter()
            .position(|n| n == &self.focal)
            .ok_or_else(|| format!("the headline \"{}\" is not measured", self.focal))?;
        Ok((metrics, focal))
    }

    /// The metrics asked for (the headline first).
    pub fn headlines(&self) -> Vec<String> {
        if self.asked.is_empty() {
            vec![self.focal.clone()]
        } else {
            self.asked.clone()
        }
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
    /// The focal metric's quantity at every tick (tick 0 first).
    pub series: Vec<f64>,
}

/// Simulates run `run` of a variant and measures its metrics as it goes (streaming
/// reductions: no time series is kept but the headline's).
pub fn run_one(
    mut s: CheckedScenario,
    variant: u32,
    run: u32,
    base_seed: u64,
    metrics: &[Metric],
    focal: usize,
) -> Result<RunResult, String> {
    let seed = run_seed(base_seed, run);
    s.seed = seed;
    let (finals, series) = simulate_measured(build(&s), metrics, focal)?;
    Ok(RunResult {
        variant,
        run,
        seed,
        finals,
        series,
    })
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
    let (parsed, focal) = metrics.parsed()?;
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
            let res = run_one(sc, v, r, base_seed, &parsed, focal)?;
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
