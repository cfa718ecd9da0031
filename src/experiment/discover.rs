//! The driver of scenario discovery (`softpower discover`): a question about a run, the
//! scenario's `[[uncertain]]` priors sampled by the ensemble machinery, and PRIM
//! (`discovery.rs`) on the answers.
//!
//! Run r of every strategy the question names takes point r of the scrambled Sobol
//! sequence of the priors and the seed `run_seed(seed, r)` (common random numbers
//! extended to parameters, as in `compare`), so "A beats B" is decided on a pair of runs
//! that differ only by the strategy. Each run is a pure function of (scenario, r): the
//! answers, and hence the boxes, do not depend on the thread count.
//!
//! A question is one of
//!
//! ```text
//! METRIC > X [under STRATEGY]      METRIC < X, >= and <= alike (spaces around the sign)
//! A beats B [on METRIC]            A's METRIC strictly better than B's in the same run
//! ```
//!
//! where "better" follows the metric's type (lower for believing and spend).

use super::discovery::{DiscoveryError, PrimOptions, PrimTrajectory, prim};
use super::ensemble::{MetricSet, batches, run_batch};
use super::metric::Metric;
use super::uncertainty::Variants;
use crate::scenario::strategy::BASELINE;
use std::sync::atomic::{AtomicBool, Ordering};

/// A comparison with a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Above,
    AtLeast,
    Below,
    AtMost,
}

impl Op {
    fn sign(self) -> &'static str {
        match self {
            Op::Above => ">",
            Op::AtLeast => ">=",
            Op::Below => "<",
            Op::AtMost => "<=",
        }
    }

    fn holds(self, v: f64, x: f64) -> bool {
        match self {
            Op::Above => v > x,
            Op::AtLeast => v >= x,
            Op::Below => v < x,
            Op::AtMost => v <= x,
        }
    }
}

/// What a run is asked: the case of interest PRIM looks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Question {
    /// The metric under one strategy compared with a number.
    Threshold {
        metric: String,
        op: Op,
        value: f64,
        strategy: String,
    },
    /// One strategy strictly better than another on the metric, in the same run.
    Beats {
        winner: String,
        loser: String,
        metric: String,
    },
}

const FORMS: &str = "METRIC > X, METRIC < X (also >=, <=; add \"under STRATEGY\" to ask about a strategy), or A beats B on METRIC; e.g. \"believing:grain_plot@peak > 0.1\", \"exchanges_only beats digital_only on soft_power:norland\"";

impl Question {
    /// Parses a question; `default_metric` stands in when "A beats B" names no metric.
    pub fn parse(text: &str, default_metric: &str) -> Result<Question, String> {
        let text = text.trim();
        let words: Vec<&str> = text.split_whitespace().collect();
        if let Some(i) = words.iter().position(|w| *w == "beats") {
            let bad = |what: &str| Err(format!("{what}; expected {FORMS}"));
            if i != 1 || words.len() < 3 {
                return bad("\"beats\" needs one strategy on each side");
            }
            let metric = match &words[3..] {
                [] => default_metric.to_string(),
                ["on", rest @ ..] if !rest.is_empty() => rest.join(""),
                _ => return bad("after \"A beats B\" only \"on METRIC\" may follow"),
            };
            if words[0] == words[2] {
                return Err(format!(
                    "\"{text}\": a strategy cannot beat itself (it gives the same result in every run)"
                ));
            }
            return Ok(Question::Beats {
                winner: words[0].to_string(),
                loser: words[2].to_string(),
                metric,
            });
        }
        let ops = [
            (">=", Op::AtLeast),
            ("<=", Op::AtMost),
            (">", Op::Above),
            ("<", Op::Below),
        ];
        let Some((i, op)) = words
            .iter()
            .enumerate()
            .find_map(|(i, w)| ops.iter().find(|(s, _)| s == w).map(|&(_, op)| (i, op)))
        else {
            let hint = if text.contains('>') || text.contains('<') {
                " (put spaces around the comparison: METRIC > X)"
            } else {
                ""
            };
            return Err(format!("no comparison found{hint}; expected {FORMS}"));
        };
        if i == 0 {
            return Err(format!(
                "no metric before \"{}\"; expected {FORMS}",
                op.sign()
            ));
        }
        let metric = words[..i].join("");
        let Some(value) = words
            .get(i + 1)
            .and_then(|w| w.parse::<f64>().ok())
            .filter(|v| v.is_finite())
        else {
            return Err(format!(
                "\"{}\" must be followed by a finite number; expected {FORMS}",
                op.sign()
            ));
        };
        let strategy = match &words[i + 2..] {
            [] => BASELINE.to_string(),
            ["under", s] => s.to_string(),
            _ => {
                return Err(format!(
                    "after the number only \"under STRATEGY\" may follow; expected {FORMS}"
                ));
            }
        };
        Ok(Question::Threshold {
            metric,
            op,
            value,
            strategy,
        })
    }

    /// The metric the question reads.
    pub fn metric(&self) -> &str {
        match self {
            Question::Threshold { metric, .. } | Question::Beats { metric, .. } => metric,
        }
    }

    /// The strategies to run, in the order `is_case` reads their values.
    pub fn strategies(&self) -> Vec<String> {
        match self {
            Question::Threshold { strategy, .. } => vec![strategy.clone()],
            Question::Beats { winner, loser, .. } => vec![winner.clone(), loser.clone()],
        }
    }

    /// Whether a run answers yes, from the metric under each of `strategies()`.
    pub fn is_case(&self, values: &[f64]) -> bool {
        match self {
            Question::Threshold { op, value, .. } => op.holds(values[0], *value),
            Question::Beats { metric, .. } => {
                let lower = Metric::parse(metric).is_ok_and(|m| m.lower_is_better());
                if lower {
                    values[0] < values[1]
                } else {
                    values[0] > values[1]
                }
            }
        }
    }
}

impl std::fmt::Display for Question {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Question::Threshold {
                metric,
                op,
                value,
                strategy,
            } => {
                write!(f, "{metric} {} {value}", op.sign())?;
                if strategy != BASELINE {
                    write!(f, " under {strategy}")?;
                }
                Ok(())
            }
            Question::Beats {
                winner,
                loser,
                metric,
            } => write!(f, "{winner} beats {loser} on {metric}"),
        }
    }
}

/// The sampled runs: run r's parameter values, the metric under each strategy of the
/// question, and the answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Samples {
    pub params: Vec<Vec<f64>>,
    pub values: Vec<Vec<f64>>,
    pub cases: Vec<bool>,
}

/// Runs `runs` samples of `variants` (the question's strategies, in its order, under
/// uncertainty) in batches of the ensemble machinery; `None` if `stop` was raised first.
/// `on_done` is called once per simulation.
pub fn sample(
    question: &Question,
    variants: &Variants,
    runs: u32,
    seed: u64,
    metrics: &MetricSet,
    stop: &AtomicBool,
    on_done: &(dyn Fn() + Sync),
) -> Result<Option<Samples>, String> {
    let mut values = Vec::new();
    for b in 0..batches(runs) {
        if stop.load(Ordering::SeqCst) {
            return Ok(None);
        }
        let Some(v) = batch_values(variants, b, runs, seed, metrics, stop, on_done)? else {
            return Ok(None);
        };
        values.extend(v);
    }
    samples_from(question, variants, metrics, &values).map(Some)
}

/// The question's metric in every run of ensemble batch `b`, run by run, each run's
/// strategies in the question's order (so `runs × strategies` values); `None` if `stop`
/// was raised first. Batches are pure functions of their index: the batch driver runs,
/// shards and resumes them.
pub fn batch_values(
    variants: &Variants,
    b: u32,
    runs: u32,
    seed: u64,
    metrics: &MetricSet,
    stop: &AtomicBool,
    on_done: &(dyn Fn() + Sync),
) -> Result<Option<Vec<f64>>, String> {
    if !matches!(variants, Variants::Uncertain { .. }) {
        return Err("scenario discovery needs [[uncertain]] parameters to sample".into());
    }
    let at = metrics
        .names
        .iter()
        .position(|n| n == &metrics.focal)
        .ok_or("the question's metric is not measured")?;
    Ok(run_batch(variants, b, runs, seed, metrics, stop, on_done)?
        .map(|results| results.iter().map(|x| x.finals[at]).collect()))
}

/// The samples from every run's values (from [`batch_values`], in run order): run r's
/// parameter draw, its values and the answer.
pub fn samples_from(
    question: &Question,
    variants: &Variants,
    metrics: &MetricSet,
    values: &[f64],
) -> Result<Samples, String> {
    let Variants::Uncertain { draws, .. } = variants else {
        return Err("scenario discovery needs [[uncertain]] parameters to sample".into());
    };
    let nv = variants.len();
    let runs = values.len() / nv;
    let mut s = Samples {
        params: Vec::with_capacity(runs),
        values: Vec::with_capacity(runs),
        cases: Vec::with_capacity(runs),
    };
    for (r, chunk) in values.chunks(nv).enumerate() {
        if let Some(v) = chunk.iter().position(|v| !v.is_finite()) {
            return Err(format!(
                "metric \"{}\" is undefined in sample {r} (strategy {})",
                metrics.focal,
                question.strategies()[v]
            ));
        }
        s.cases.push(question.is_case(chunk));
        s.params.push(draws.values(r as u32));
        s.values.push(chunk.to_vec());
    }
    Ok(s)
}

/// Why no box can be given.
#[derive(Debug, PartialEq)]
pub enum Unanswerable {
    /// The answer is the same in every sample: no box separates anything. `range` is
    /// the smallest and largest value compared (the metric, or A's minus B's).
    Always {
        yes: bool,
        runs: usize,
        range: (f64, f64),
    },
    Prim(DiscoveryError),
}

impl std::fmt::Display for Unanswerable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unanswerable::Always { yes, runs, range } => write!(
                f,
                "the answer is {} in every one of the {runs} samples, so no region of the priors explains it: it holds {} the uncertain parameters' ranges (under the model's assumptions); the value compared ranged from {} to {}",
                if *yes { "yes" } else { "no" },
                if *yes { "everywhere in" } else { "nowhere in" },
                range.0,
                range.1
            ),
            Unanswerable::Prim(e) => write!(f, "{e}"),
        }
    }
}

/// The peeling trajectory and the box chosen on it.
#[derive(Debug, Clone, PartialEq)]
pub struct Discovery {
    pub trajectory: PrimTrajectory,
    /// The first (most covering) box with density ≥ the target, else the densest.
    pub chosen: usize,
    /// Whether the chosen box reaches the target density.
    pub reached: bool,
    pub cases: usize,
    pub runs: usize,
}

/// PRIM on the samples; the chosen box is the most covering one whose density reaches
/// `min_density` (the first such on the trajectory), or the densest when none does.
pub fn explain(
    question: &Question,
    names: &[String],
    s: &Samples,
    options: PrimOptions,
    min_density: f64,
) -> Result<Discovery, Unanswerable> {
    let cases = s.cases.iter().filter(|&&c| c).count();
    let runs = s.cases.len();
    if runs > 0 && (cases == 0 || cases == runs) {
        let compared = s.values.iter().map(|v| match question {
            Question::Threshold { .. } => v[0],
            Question::Beats { .. } => v[0] - v[1],
        });
        let range = compared.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
            (a.min(x), b.max(x))
        });
        return Err(Unanswerable::Always {
            yes: cases == runs,
            runs,
            range,
        });
    }
    let trajectory = prim(names, &s.params, &s.cases, options).map_err(Unanswerable::Prim)?;
    let (chosen, reached) = match trajectory.select(min_density) {
        Some(i) => (i, true),
        None => {
            let best = trajectory
                .boxes
                .iter()
                .map(|b| b.density)
                .fold(f64::NEG_INFINITY, f64::max);
            let i = trajectory
                .boxes
                .iter()
                .position(|b| b.density == best)
                .unwrap_or(0);
            (i, false)
        }
    };
    Ok(Discovery {
        trajectory,
        chosen,
        reached,
        cases,
        runs,
    })
}

/// Boxes worth printing: about `max` evenly spread along the trajectory, always the
/// first, the chosen and the last.
pub fn shown(d: &Discovery, max: usize) -> Vec<usize> {
    let n = d.trajectory.boxes.len();
    let step = n.div_ceil(max.max(1)).max(1);
    let mut v: Vec<usize> = (0..n).step_by(step).collect();
    v.extend([d.chosen, n - 1]);
    v.sort_unstable();
    v.dedup();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_parse_with_their_strategy() {
        let q = Question::parse("believing:s@peak > 0.1 under fact_check", "x").unwrap();
        assert_eq!(
            q,
            Question::Threshold {
                metric: "believing:s@peak".into(),
                op: Op::Above,
                value: 0.1,
                strategy: "fact_check".into()
            }
        );
        assert_eq!(q.to_string(), "believing:s@peak > 0.1 under fact_check");
        let q = Question::parse("stance:a->b <= -0.2", "x").unwrap();
        assert_eq!(q.strategies(), ["baseline"]);
        assert!(q.is_case(&[-0.2]) && !q.is_case(&[0.0]));
        // A threshold reduction keeps its own sign inside the metric.
        let q = Question::parse("believing:s@first>0.1 < 20", "x").unwrap();
        assert_eq!(q.metric(), "believing:s@first>0.1");
    }

    #[test]
    fn beats_reads_better_from_the_metric_type() {
        let q = Question::parse("a beats b on believing:s", "x").unwrap();
        assert_eq!(q.strategies(), ["a", "b"]);
        assert!(q.is_case(&[0.1, 0.2]), "less believing is better");
        let q = Question::parse("a beats b", "soft_power:n").unwrap();
        assert_eq!(q.metric(), "soft_power:n");
        assert!(
            q.is_case(&[0.3, 0.2]) && !q.is_case(&[0.2, 0.2]),
            "ties are no win"
        );
    }

    #[test]
    fn bad_questions_say_what_is_expected() {
        for (q, says) in [
            ("soft_power:n>0.1", "spaces around"),
            ("soft_power:n", "no comparison"),
            ("> 3", "no metric"),
            ("soft_power:n > high", "finite number"),
            ("soft_power:n > 1 for a", "under STRATEGY"),
            ("a beats a", "cannot beat itself"),
            ("beats b", "one strategy on each side"),
            ("a beats b with x", "on METRIC"),
        ] {
            let e = Question::parse(q, "m").unwrap_err();
            assert!(e.contains(says), "{q}: {e}");
        }
    }

    #[test]
    fn a_question_answered_alike_everywhere_has_no_box() {
        let s = Samples {
            params: vec![vec![0.1], vec![0.2]],
            values: vec![vec![1.0], vec![2.0]],
            cases: vec![true, true],
        };
        let q = Question::parse("m:a > 0", "m:a").unwrap();
        let e = explain(&q, &["x".into()], &s, PrimOptions::default(), 0.9).unwrap_err();
        assert_eq!(
            e,
            Unanswerable::Always {
                yes: true,
                runs: 2,
                range: (1.0, 2.0)
            }
        );
        assert!(e.to_string().contains("yes in every one of the 2 samples"));
        assert!(e.to_string().contains("ranged from 1 to 2"));
    }
}
