//! The driver of batched ensembles (`compare`, `sweep`, `merge`): which batches a shard
//! runs, which are left after an interruption, the loop that runs them and stops when
//! told, the rules for merging shards, and the grid of a sweep.
//!
//! The driver measures; it stores nothing and prints nothing. Finished batches go to a
//! [`Parts`] store the caller provides (the results folder, in `output`), progress goes
//! to a callback (the CLI's bar), and interruption is a flag the caller raises (the CLI
//! on Ctrl-C). Because a batch is a pure function of (variants, batch index, runs, seed,
//! metrics) and statistics are computed from the parts in run order, results are the
//! same bytes for any thread count, shard split or resume.

use super::ensemble::{BATCH_RUNS, MetricSet, RunResult, batches, run_batch, shard_batches};
use super::uncertainty::Variants;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};

/// Slice `k` of `n` (1-based) of an ensemble's batches; `1/1` is the whole work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub k: u32,
    pub n: u32,
}

impl Shard {
    pub const WHOLE: Shard = Shard { k: 1, n: 1 };

    /// Parses `K/N` or `auto/N` (`--shard`); `None` is the whole work. `auto` takes K
    /// from `SLURM_ARRAY_TASK_ID` (1..N) or `JOB_COMPLETION_INDEX` (0..N-1), read through
    /// `env` so the caller decides where variables come from.
    pub fn parse(
        spec: Option<&str>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Shard, String> {
        let Some(spec) = spec else {
            return Ok(Shard::WHOLE);
        };
        let (k, n) = spec
            .split_once('/')
            .ok_or_else(|| format!("--shard {spec}: expected K/N, e.g. 2/8, or auto/N"))?;
        let n: u32 = n
            .parse()
            .ok()
            .filter(|&n| n >= 1)
            .ok_or_else(|| format!("--shard {spec}: N must be a whole number of at least 1"))?;
        let k: u32 = if k == "auto" {
            if let Some(v) = env("SLURM_ARRAY_TASK_ID") {
                v.parse()
                    .map_err(|_| format!("SLURM_ARRAY_TASK_ID={v} is not a number"))?
            } else if let Some(v) = env("JOB_COMPLETION_INDEX") {
                v.parse::<u32>()
                    .map_err(|_| format!("JOB_COMPLETION_INDEX={v} is not a number"))?
                    + 1
            } else {
                return Err(
                    "--shard auto/N: neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set"
                        .into(),
                );
            }
        } else {
            k.parse()
                .map_err(|_| format!("--shard {spec}: K must be a whole number"))?
        };
        if !(1..=n).contains(&k) {
            return Err(format!(
                "--shard {spec}: K must be from 1 to {n} (shards are numbered from 1; for a Slurm array use --array=1-{n})"
            ));
        }
        Ok(Shard { k, n })
    }

    /// The batches of an ensemble of `runs` runs this shard owns.
    pub fn batches(self, runs: u32) -> Range<u32> {
        shard_batches(batches(runs), self.k, self.n)
    }
}

/// Where finished batches are kept: the caller's store (a results folder's part files).
/// `T` is what a batch yields: an ensemble's runs, or a design's outputs.
pub trait Parts<T: ?Sized> {
    type Error;
    /// Whether batch `b` is finished and kept (and so is skipped on resume).
    fn has(&self, batch: u32) -> bool;
    /// Keeps a finished batch, whole or not at all.
    fn save(&self, batch: u32, results: &T) -> Result<(), Self::Error>;
}

/// An ensemble's work: every variant, `runs` seeded runs each, measured by `metrics`.
pub struct Job<'a> {
    pub variants: &'a Variants,
    pub runs: u32,
    pub seed: u64,
    pub metrics: &'a MetricSet,
    pub shard: Shard,
}

/// What is left of a job: its shard's batches not yet in the store.
#[derive(Debug, Clone)]
pub struct Plan {
    pub batches: Range<u32>,
    pub todo: Vec<u32>,
    /// Simulations left (runs × variants), for a progress bar.
    pub units: u64,
}

impl Job<'_> {
    /// The batches of this job's shard still missing from `parts`.
    pub fn plan(&self, parts: &impl Parts<[RunResult]>) -> Plan {
        let batches = self.shard.batches(self.runs);
        let todo: Vec<u32> = batches.clone().filter(|&b| !parts.has(b)).collect();
        let units = todo
            .iter()
            .map(|&b| self.runs_in(b) as u64 * self.variants.len() as u64)
            .sum();
        Plan {
            batches,
            todo,
            units,
        }
    }

    fn runs_in(&self, b: u32) -> u32 {
        ((b + 1) * BATCH_RUNS).min(self.runs) - b * BATCH_RUNS
    }
}

/// Why the driver stopped with an error: a run failed (bad input met at a parameter
/// draw, an undefined metric), or the store could not keep a batch.
#[derive(Debug)]
pub enum Failure<E> {
    Run(String),
    Store(E),
}

/// How a session of the driver ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Batches finished and stored in this session.
    pub done: u32,
    /// Simulations finished in this session.
    pub simulations: u64,
    /// Batches of the shard still missing from the store afterwards.
    pub missing: u32,
    /// Stopped by the cancel flag or the batch limit before the plan was done.
    pub interrupted: bool,
}

/// Runs the plan's batches of an ensemble in order, storing each as it finishes; stops
/// between batches (or within one, losing only it) once `cancel` is raised, or after
/// `limit` batches. `on_done` is called once per simulation finished, from worker threads.
pub fn run<P: Parts<[RunResult]>>(
    job: &Job,
    plan: &Plan,
    parts: &P,
    cancel: &AtomicBool,
    limit: Option<u32>,
    on_done: &(dyn Fn() + Sync),
) -> Result<Outcome, Failure<P::Error>> {
    drive(plan, parts, cancel, limit, |b| {
        let sims = job.runs_in(b) as u64 * job.variants.len() as u64;
        Ok(run_batch(
            job.variants,
            b,
            job.runs,
            job.seed,
            job.metrics,
            cancel,
            on_done,
        )?
        .map(|r| (r, sims)))
    })
}

/// The loop under every batched command: for each batch left in `plan`, `work` computes
/// it (`None` when `cancel` stopped it midway; else the batch and its simulations) and
/// `parts` keeps it. Stops before a batch once `cancel` is raised or `limit` batches are
/// done this session.
pub fn drive<T: ?Sized, B: std::borrow::Borrow<T>, P: Parts<T>>(
    plan: &Plan,
    parts: &P,
    cancel: &AtomicBool,
    limit: Option<u32>,
    mut work: impl FnMut(u32) -> Result<Option<(B, u64)>, String>,
) -> Result<Outcome, Failure<P::Error>> {
    let mut done = 0u32;
    let mut simulations = 0u64;
    let mut interrupted = false;
    for &b in &plan.todo {
        if cancel.load(Ordering::SeqCst) || limit.is_some_and(|s| done >= s) {
            interrupted = true;
            break;
        }
        match work(b).map_err(Failure::Run)? {
            Some((results, sims)) => {
                parts.save(b, results.borrow()).map_err(Failure::Store)?;
                simulations += sims;
            }
            None => {
                interrupted = true;
                break;
            }
        }
        done += 1;
    }
    let missing = plan.batches.clone().filter(|&b| !parts.has(b)).count() as u32;
    Ok(Outcome {
        done,
        simulations,
        missing,
        interrupted,
    })
}

/// Work cut into `points` items (design points), `per_batch` to a batch: the batches a
/// shard owns, the items of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slices {
    pub points: u64,
    pub per_batch: u64,
}

impl Slices {
    pub fn batches(self) -> u32 {
        u32::try_from(self.points.div_ceil(self.per_batch)).unwrap_or(u32::MAX)
    }

    /// The items of batch `b`.
    pub fn items(self, b: u32) -> Range<u64> {
        let lo = b as u64 * self.per_batch;
        lo.min(self.points)..(lo + self.per_batch).min(self.points)
    }

    /// What is left of shard `shard`: its batches missing from `parts`.
    pub fn plan<T: ?Sized>(self, shard: Shard, parts: &impl Parts<T>) -> Plan {
        let batches = shard_batches(self.batches(), shard.k, shard.n);
        let todo: Vec<u32> = batches.clone().filter(|&b| !parts.has(b)).collect();
        let units = todo.iter().map(|&b| self.items(b).count() as u64).sum();
        Plan {
            batches,
            todo,
            units,
        }
    }
}

/// A shard folder offered to `merge`: which slice it says it holds, and whether a
/// batch is finished in it.
pub struct Offered<'a> {
    pub label: String,
    pub shard: Shard,
    pub has: Box<dyn Fn(u32) -> bool + 'a>,
}

/// The merge rules: every shard of one split given exactly once and finished. Returns
/// every problem at once (the caller has already checked that all come from the same
/// ensemble, i.e. the same manifest).
pub fn merge_problems(offered: &[Offered], total_batches: u32) -> Vec<String> {
    let Some(first) = offered.first() else {
        return vec!["no shard folder given".into()];
    };
    let n = first.shard.n;
    if let Some(o) = offered.iter().find(|o| o.shard.n != n) {
        return vec![format!(
            "{} is one of {} shards, {} one of {n}",
            o.label, o.shard.n, first.label
        )];
    }
    let mut problems = Vec::new();
    for k in 1..=n {
        let holders: Vec<&Offered> = offered.iter().filter(|o| o.shard.k == k).collect();
        match holders.as_slice() {
            [] => problems.push(format!("shard {k}/{n} is missing")),
            [o] => {
                let missing = shard_batches(total_batches, k, n)
                    .filter(|&b| !(o.has)(b))
                    .count();
                if missing > 0 {
                    problems.push(format!(
                        "shard {k}/{n} in {} is incomplete ({missing} batches missing); finish it with --resume",
                        o.label
                    ));
                }
            }
            _ => problems.push(format!("shard {k}/{n} is given {} times", holders.len())),
        }
    }
    problems
}

/// Parses a sweep axis `PATH=START..END:STEPS` into evenly spaced values (both ends
/// included). An error's last line is "  help: …".
pub fn parse_set(spec: &str) -> Result<(String, Vec<f64>), String> {
    let usage = "expected PATH=START..END:STEPS, e.g. actor.usa.budget=5..20:4";
    let bad = |what: &str| format!("--set {spec}: {what}\n  help: {usage}");
    let (path, range) = spec
        .split_once('=')
        .ok_or_else(|| bad("no \"=\" between the path and the range"))?;
    let (span, steps) = range
        .rsplit_once(':')
        .ok_or_else(|| bad("no \":STEPS\" after the range"))?;
    let (a, b) = span
        .split_once("..")
        .ok_or_else(|| bad("no \"..\" between START and END"))?;
    let num = |s: &str| s.trim().parse::<f64>().ok().filter(|x| x.is_finite());
    let (Some(a), Some(b)) = (num(a), num(b)) else {
        return Err(bad("START and END must be finite numbers"));
    };
    let steps: usize = steps
        .trim()
        .parse()
        .map_err(|_| bad("STEPS must be a whole number"))?;
    if !(1..=10_000).contains(&steps) || (steps == 1 && a != b) {
        return Err(bad(
            "STEPS must be from 2 to 10000 (1 only when START = END)",
        ));
    }
    let values = (0..steps)
        .map(|i| {
            if steps == 1 {
                a
            } else if (b - a).is_finite() {
                a + (b - a) * i as f64 / (steps - 1) as f64
            } else {
                // b − a overflows (1e308..-1e308): −inf · 0 would make the first point
                // NaN. Weighting the ends keeps every point between them, finite.
                let t = i as f64 / (steps - 1) as f64;
                a * (1.0 - t) + b * t
            }
        })
        .collect();
    Ok((path.trim().to_string(), values))
}

/// The points of a one- or two-way sweep: the first axis varies slowest.
pub fn grid(axes: &[Vec<f64>]) -> Result<Vec<Vec<f64>>, String> {
    match axes {
        [p] => Ok(p.iter().map(|&x| vec![x]).collect()),
        [p, q] => Ok(p
            .iter()
            .flat_map(|&x| q.iter().map(move |&y| vec![x, y]))
            .collect()),
        _ => Err(format!(
            "{} --set given\n  help: a sweep takes one or two --set PATH=START..END:STEPS",
            axes.len()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sweep_between_opposite_huge_bounds_has_only_finite_points() {
        let (_, v) = parse_set("x=1e308..-1e308:3").unwrap();
        assert_eq!(v, vec![1e308, 0.0, -1e308]);
    }

    #[test]
    fn a_sweep_runs_from_start_to_end_in_equal_steps() {
        let (path, v) = parse_set("actor.usa.budget=5..20:4").unwrap();
        assert_eq!(path, "actor.usa.budget");
        assert_eq!(v, vec![5.0, 10.0, 15.0, 20.0]);
    }

    #[test]
    fn slices_cover_every_item_once_and_the_last_batch_is_short() {
        let s = Slices {
            points: 10,
            per_batch: 4,
        };
        assert_eq!(s.batches(), 3);
        assert_eq!(s.items(0), 0..4);
        assert_eq!(s.items(2), 8..10);
        let all: Vec<u64> = (0..s.batches()).flat_map(|b| s.items(b)).collect();
        assert_eq!(all, (0..10).collect::<Vec<_>>());
    }

    #[test]
    fn a_two_way_grid_varies_the_second_axis_fastest() {
        let g = grid(&[vec![1.0, 2.0], vec![10.0, 20.0, 30.0]]).unwrap();
        assert_eq!(g.len(), 6);
        assert_eq!(g[0], vec![1.0, 10.0]);
        assert_eq!(g[2], vec![1.0, 30.0]);
        assert_eq!(g[3], vec![2.0, 10.0]);
        assert!(grid(&[]).is_err() && grid(&[vec![1.0], vec![2.0], vec![3.0]]).is_err());
    }

    #[test]
    fn auto_shards_read_the_scheduler_index_and_refuse_out_of_range() {
        let slurm = |k: &str| (k == "SLURM_ARRAY_TASK_ID").then(|| "2".to_string());
        assert_eq!(
            Shard::parse(Some("auto/3"), slurm),
            Ok(Shard { k: 2, n: 3 })
        );
        let job = |k: &str| (k == "JOB_COMPLETION_INDEX").then(|| "0".to_string());
        assert_eq!(Shard::parse(Some("auto/3"), job), Ok(Shard { k: 1, n: 3 }));
        assert!(Shard::parse(Some("auto/3"), |_| None).is_err());
        assert!(Shard::parse(Some("4/3"), |_| None).is_err());
        assert!(Shard::parse(Some("0/3"), |_| None).is_err());
        assert_eq!(Shard::parse(None, |_| None), Ok(Shard::WHOLE));
    }

    #[test]
    fn merge_names_a_missing_a_doubled_and_an_unfinished_shard() {
        let all = |k: u32| Offered {
            label: format!("s{k}"),
            shard: Shard { k, n: 3 },
            has: Box::new(|_| true),
        };
        assert!(merge_problems(&[all(1), all(2), all(3)], 5).is_empty());
        let p = merge_problems(&[all(1), all(1), all(3)], 5);
        assert!(
            p.iter().any(|x| x.contains("shard 2/3 is missing")),
            "{p:?}"
        );
        assert!(p.iter().any(|x| x.contains("given 2 times")), "{p:?}");
        let half = Offered {
            label: "s2".into(),
            shard: Shard { k: 2, n: 3 },
            has: Box::new(|b| b % 2 == 0),
        };
        let p = merge_problems(&[all(1), half, all(3)], 5);
        assert!(p.iter().any(|x| x.contains("incomplete")), "{p:?}");
    }
}
