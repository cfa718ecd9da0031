//! Files of a sensitivity analysis (`sensitivity.csv`, `sensitivity.json`, `design.csv`,
//! `sensitivity.png` or `.svg`, `report.html`) and the decision table of a comparison
//! (`decision.csv`).

use super::OutDir;
use super::tables::fmt;
use crate::error::{Error, Result};
use crate::experiment::decision::{Better, Decision, decide};
use crate::experiment::ensemble::lower_is_better;
use crate::experiment::uncertainty::{Design, Indices, Space};
use crate::output::ensemble::{Aggregate, REPORT};
use crate::output::report::{self, Figure, Hover};
use crate::plot::{self, Interval, IntervalChart};
use serde_json::json;

/// Everything a sensitivity analysis reports.
pub struct Report<'a> {
    pub scenario: &'a str,
    pub scenario_sha256: &'a str,
    pub seed: u64,
    pub method: &'a str,
    pub samples: usize,
    /// The measured quantity, e.g. `soft_power:norland` or `a − b` of two strategies.
    pub output: &'a str,
    pub space: &'a Space,
    pub design: &'a Design,
    pub outputs: &'a [f64],
    pub indices: &'a Indices,
}

fn csv_err(e: impl std::fmt::Display) -> Error {
    Error::failure(format!("cannot write a table: {e}"))
}

/// `sensitivity.csv`: one row per uncertain parameter.
pub fn indices_csv(r: &Report) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let head: &[&str] = match r.indices {
        Indices::Sobol(_) => &[
            "parameter",
            "prior",
            "low",
            "high",
            "first_order",
            "first_order_low",
            "first_order_high",
            "total",
            "total_low",
            "total_high",
        ],
        Indices::Morris(_) => &[
            "parameter",
            "prior",
            "low",
            "high",
            "mu",
            "mu_star",
            "sigma",
        ],
    };
    w.write_record(head).map_err(csv_err)?;
    for (i, (path, prior)) in r.space.paths.iter().zip(&r.space.priors).enumerate() {
        let (lo, hi) = prior.support();
        let mut row = vec![path.clone(), prior.kind().to_string(), fmt(lo), fmt(hi)];
        match r.indices {
            Indices::Sobol(s) => {
                for e in [s.first[i], s.total[i]] {
                    row.extend([fmt(e.value), fmt(e.low), fmt(e.high)]);
                }
            }
            Indices::Morris(m) => row.extend([fmt(m[i].mu), fmt(m[i].mu_star), fmt(m[i].sigma)]),
        }
        w.write_record(&row).map_err(csv_err)?;
    }
    w.into_inner().map_err(csv_err)
}

/// `design.csv`: every design point's parameter values and output.
pub fn design_csv(r: &Report) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut head = vec!["point".to_string()];
    head.extend(r.space.paths.iter().cloned());
    head.push("output".into());
    w.write_record(&head).map_err(csv_err)?;
    for (k, y) in r.outputs.iter().enumerate() {
        let mut row = vec![k.to_string()];
        row.extend(r.space.values(&r.design.point(k)).into_iter().map(fmt));
        row.push(fmt(*y));
        w.write_record(&row).map_err(csv_err)?;
    }
    w.into_inner().map_err(csv_err)
}

fn json_indices(r: &Report) -> serde_json::Value {
    let params: Vec<_> = r
        .space
        .paths
        .iter()
        .zip(&r.space.priors)
        .enumerate()
        .map(|(i, (path, prior))| {
            let (lo, hi) = prior.support();
            let mut v = json!({"parameter": path, "prior": prior.kind(), "low": lo, "high": hi});
            match r.indices {
                Indices::Sobol(s) => {
                    v["first_order"] =
                        json!({"value": s.first[i].value, "low": s.first[i].low, "high": s.first[i].high});
                    v["total"] =
                        json!({"value": s.total[i].value, "low": s.total[i].low, "high": s.total[i].high});
                }
                Indices::Morris(m) => {
                    v["mu"] = json!(m[i].mu);
                    v["mu_star"] = json!(m[i].mu_star);
                    v["sigma"] = json!(m[i].sigma);
                }
            }
            v
        })
        .collect();
    let mut j = json!({
        "softpower_version": env!("CARGO_PKG_VERSION"),
        "scenario": r.scenario,
        "scenario_sha256": r.scenario_sha256,
        "seed": r.seed,
        "method": r.method,
        "samples": r.samples,
        "evaluations": r.outputs.len(),
        "output": r.output,
        "parameters": params,
    });
    if let Indices::Sobol(s) = r.indices {
        j["variance"] = json!(s.variance);
        j["confidence"] = json!(s.confidence);
    }
    j
}

/// The sensitivity figure: indices as dots with their intervals, one row per parameter
/// and index (Sobol), or μ* per parameter (Morris, with σ as whiskers around it).
fn figure(r: &Report) -> Result<Vec<u8>> {
    let mut rows = Vec::new();
    let (title, x_label) = match r.indices {
        Indices::Sobol(s) => {
            // A share of variance lies in [0, 1]; estimates and bootstrap bounds of a
            // small sample may stray past it and are drawn clipped (the caption says so).
            let clip = |v: f64| if v.is_finite() { v.clamp(0.0, 1.0) } else { v };
            for (i, p) in r.space.paths.iter().enumerate() {
                for (kind, (name, e)) in [("first", s.first[i]), ("total", s.total[i])]
                    .into_iter()
                    .enumerate()
                {
                    rows.push(Interval {
                        label: format!("{p} ({name})"),
                        estimate: clip(e.value),
                        lo: clip(e.low),
                        hi: clip(e.high),
                        kind,
                    });
                }
            }
            (
                format!(
                    "Sobol indices of {} with {:.0}% bootstrap intervals (N = {})",
                    r.output,
                    100.0 * s.confidence,
                    r.samples
                ),
                "share of output variance".to_string(),
            )
        }
        Indices::Morris(m) => {
            for (i, p) in r.space.paths.iter().enumerate() {
                rows.push(Interval {
                    label: p.clone(),
                    estimate: m[i].mu_star,
                    lo: m[i].mu_star - m[i].sigma,
                    hi: m[i].mu_star + m[i].sigma,
                    kind: 0,
                });
            }
            (
                format!(
                    "Morris screening of {}: mu* with +/- sigma ({} trajectories)",
                    r.output, r.samples
                ),
                "mean |elementary effect| per unit of prior quantile".to_string(),
            )
        }
    };
    let kinds = match r.indices {
        Indices::Sobol(_) => vec![
            "first-order index (the parameter alone)".to_string(),
            "total index (alone and through interactions)".to_string(),
        ],
        Indices::Morris(_) => Vec::new(),
    };
    Ok(plot::interval_chart(&IntervalChart {
        title,
        x_label,
        rows,
        reference: Some(0.0),
        kinds,
    })?)
}

/// How many Sobol estimates or interval bounds lie outside [0, 1] (drawn clipped).
fn outside_unit(s: &crate::experiment::sensitivity::SobolIndices) -> usize {
    s.first
        .iter()
        .chain(s.total.iter())
        .flat_map(|e| [e.value, e.low, e.high])
        .filter(|v| v.is_finite() && !(0.0..=1.0).contains(v))
        .count()
}

/// How to read the sensitivity figure.
fn caption(r: &Report) -> String {
    match r.indices {
        Indices::Sobol(s) => {
            let n = outside_unit(s);
            let clipped = if n == 0 {
                String::new()
            } else {
                format!(
                    " A share of variance lies between 0 and 1: {n} estimates or interval bounds of this sample fell outside and are drawn at 0 or 1 (sensitivity.csv keeps them as estimated; more samples narrow them)."
                )
            };
            format!(
                "each parameter has two rows: its first-order index (blue), the share of the variance of {} it causes alone, and its total index (vermillion), the share it causes alone and through interactions with the other parameters; dots are the estimates, whiskers their {:.0}% bootstrap intervals. A total index near 0 means the parameter could be fixed anywhere in its prior without changing the output; a total index well above the first-order one means the parameter acts through interactions.{clipped}",
                r.output,
                100.0 * s.confidence
            )
        }
        Indices::Morris(_) => format!(
            "each row is a parameter: the dot is mu*, the mean absolute elementary effect (how much {} moves for one step of the parameter through its prior quantiles), the whiskers mu* minus and plus sigma, the spread of those effects. A large mu* marks an influential parameter, mu* near 0 a negligible one; sigma as large as mu* or larger means the effect depends on where the other parameters are (non-linearity or interactions). Morris ranks parameters; it does not split the variance.",
            r.output
        ),
    }
}

/// What the report page shows beyond the results: the scenario as the user named it and
/// its description, and the length of each run.
pub struct PageInfo<'a> {
    pub file: &'a str,
    pub description: &'a str,
    pub ticks: u32,
    pub tick_label: &'a str,
}

/// Writes the files of a sensitivity analysis (figures in the thread's
/// [`plot::with_output`] format, the report page when `page` is given, a stale one
/// removed otherwise); returns their names.
pub fn write_sensitivity(
    out: &OutDir,
    r: &Report,
    plots: bool,
    page: Option<&PageInfo>,
) -> Result<Vec<String>> {
    write_analysis(
        out,
        "sensitivity",
        vec![
            ("sensitivity.csv", indices_csv(r)?),
            ("design.csv", design_csv(r)?),
            (
                "sensitivity.json",
                serde_json::to_vec_pretty(&json_indices(r))?,
            ),
        ],
        plots.then_some(|| {
            Ok(Figure::new(
                "sensitivity",
                figure(r)?,
                caption(r),
                Hover::Axes,
            ))
        }),
        page.map(|info| {
            move |figures, files: &[String]| report::sensitivity_page(r, info, figures, files)
        }),
    )
}

/// The files of an analysis over a design of runs (sensitivity, discover): its `tables`
/// in order, the figure `{stem}.png` or `.svg` when `figure` is given (a stale one
/// removed otherwise), then the report page when `page` is given (a stale one removed
/// otherwise); returns their names in the order written.
pub(crate) fn write_analysis(
    out: &OutDir,
    stem: &str,
    tables: Vec<(&str, Vec<u8>)>,
    figure: Option<impl FnOnce() -> Result<Figure>>,
    page: Option<impl FnOnce(Vec<Figure>, &[String]) -> report::Page>,
) -> Result<Vec<String>> {
    let mut files = Vec::new();
    for (name, bytes) in tables {
        out.write(name, &bytes)?;
        files.push(name.to_string());
    }
    let mut figures = Vec::new();
    if let Some(render) = figure {
        let f = render()?;
        out.write(&f.name, &f.bytes)?;
        files.push(f.name.clone());
        figures.push(f);
    }
    for ext in ["png", "svg"] {
        let name = format!("{stem}.{ext}");
        if !files.contains(&name) {
            out.remove_stale(&name);
        }
    }
    match page {
        Some(page) => {
            files.push(REPORT.into());
            let p = page(figures, &files);
            out.write(REPORT, report::html(&p).as_bytes())?;
        }
        None => out.remove_stale(REPORT),
    }
    Ok(files)
}

/// Decision statistics of a comparison on its headline metric, run by run (every strategy
/// of a run shares its seed and parameter draw); None before any run finished.
pub fn decision(a: &Aggregate) -> Option<Decision> {
    let m = &a.manifest;
    let focal = m.metrics.names.iter().position(|n| n == &m.metrics.focal)?;
    let runs = a.results.iter().map(|r| r.len()).min()?;
    let outcomes: Vec<Vec<f64>> = (0..runs)
        .map(|i| a.results.iter().map(|r| r[i].finals[focal]).collect())
        .collect();
    let better = if lower_is_better(&m.metrics.focal) {
        Better::Lower
    } else {
        Better::Higher
    };
    decide(&outcomes, better).ok()
}

/// `decision.csv`: per strategy, the share of runs where it is best, its expected and
/// worst regret, and which strategy minimises the worst regret.
pub fn decision_csv(a: &Aggregate, d: &Decision) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "strategy",
        "metric",
        "p_best",
        "expected_regret",
        "max_regret",
        "minimax_regret_choice",
    ])
    .map_err(csv_err)?;
    for (i, (v, s)) in a.manifest.variants.iter().zip(&d.strategies).enumerate() {
        w.write_record([
            v.name.clone(),
            a.manifest.metrics.focal.clone(),
            fmt(s.p_best),
            fmt(s.expected_regret),
            fmt(s.max_regret),
            (i == d.minimax_regret).to_string(),
        ])
        .map_err(csv_err)?;
    }
    w.into_inner().map_err(csv_err)
}
