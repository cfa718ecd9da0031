//! Files of scenario discovery: `discover.csv` (the peeling trajectory, the chosen box
//! marked), `box.csv` (the chosen box, one row per parameter), `samples.csv` (every
//! sample's parameters, metric values and answer), `discover.json` (manifest and chosen
//! box), the coverage–density figure and the report page.

use super::OutDir;
use super::tables::fmt;
use crate::error::{Error, Result};
use crate::experiment::discover::{Discovery, Question, Samples};
use crate::experiment::uncertainty::Space;
use crate::output::report::{self, Figure, Hover};
use crate::output::sensitivity::{PageInfo, write_analysis};
use crate::plot::{self, ScatterChart, ScatterPoint};
use serde_json::json;

/// Everything a discovery reports.
pub struct Report<'a> {
    pub scenario: &'a str,
    pub scenario_sha256: &'a str,
    pub seed: u64,
    pub question: &'a Question,
    /// The metric in its canonical spelling.
    pub metric: &'a str,
    pub space: &'a Space,
    pub samples: &'a Samples,
    pub discovery: &'a Discovery,
    pub alpha: f64,
    pub min_mass: f64,
    pub min_density: f64,
}

fn csv_err(e: impl std::fmt::Display) -> Error {
    Error::failure(format!("cannot write a table: {e}"))
}

/// A bound for a table: empty where the parameter is not restricted on that side.
fn bound(v: f64) -> String {
    if v.is_finite() { fmt(v) } else { String::new() }
}

/// `discover.csv`: one row per box of the trajectory.
pub fn trajectory_csv(r: &Report) -> Result<Vec<u8>> {
    let t = &r.discovery.trajectory;
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut head: Vec<String> = ["box", "coverage", "density", "mass", "chosen"]
        .map(String::from)
        .to_vec();
    for p in &r.space.paths {
        head.push(format!("{p} low"));
        head.push(format!("{p} high"));
    }
    head.push("description".into());
    w.write_record(&head).map_err(csv_err)?;
    for (i, b) in t.boxes.iter().enumerate() {
        let mut row = vec![
            i.to_string(),
            fmt(b.coverage),
            fmt(b.density),
            fmt(b.mass),
            (i == r.discovery.chosen).to_string(),
        ];
        for (&lo, &hi) in b.low.iter().zip(&b.high) {
            row.push(bound(lo));
            row.push(bound(hi));
        }
        row.push(t.describe(i));
        w.write_record(&row).map_err(csv_err)?;
    }
    w.into_inner().map_err(csv_err)
}

/// `box.csv`: the chosen box, one row per parameter with its prior's support.
pub fn box_csv(r: &Report) -> Result<Vec<u8>> {
    let b = &r.discovery.trajectory.boxes[r.discovery.chosen];
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "parameter",
        "prior",
        "prior_low",
        "prior_high",
        "restricted",
        "box_low",
        "box_high",
    ])
    .map_err(csv_err)?;
    for (j, (path, prior)) in r.space.paths.iter().zip(&r.space.priors).enumerate() {
        let (lo, hi) = prior.support();
        w.write_record([
            path.clone(),
            prior.kind().to_string(),
            fmt(lo),
            fmt(hi),
            (b.low[j].is_finite() || b.high[j].is_finite()).to_string(),
            bound(b.low[j]),
            bound(b.high[j]),
        ])
        .map_err(csv_err)?;
    }
    w.into_inner().map_err(csv_err)
}

/// `samples.csv`: every sample's parameters, the metric under each strategy asked about,
/// and the answer.
pub fn samples_csv(r: &Report) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut head = vec!["sample".to_string()];
    head.extend(r.space.paths.iter().cloned());
    for s in r.question.strategies() {
        head.push(format!("{} ({s})", r.metric));
    }
    head.push("answer".into());
    w.write_record(&head).map_err(csv_err)?;
    let s = r.samples;
    for (k, ((x, y), c)) in s.params.iter().zip(&s.values).zip(&s.cases).enumerate() {
        let mut row = vec![k.to_string()];
        row.extend(x.iter().map(|&v| fmt(v)));
        row.extend(y.iter().map(|&v| fmt(v)));
        row.push(if *c { "yes" } else { "no" }.into());
        w.write_record(&row).map_err(csv_err)?;
    }
    w.into_inner().map_err(csv_err)
}

fn manifest(r: &Report) -> serde_json::Value {
    let d = r.discovery;
    let t = &d.trajectory;
    let b = &t.boxes[d.chosen];
    let bounds: Vec<_> = r
        .space
        .paths
        .iter()
        .enumerate()
        .map(|(j, p)| {
            json!({
                "parameter": p,
                "low": b.low[j].is_finite().then_some(b.low[j]),
                "high": b.high[j].is_finite().then_some(b.high[j]),
            })
        })
        .collect();
    json!({
        "softpower_version": env!("CARGO_PKG_VERSION"),
        "scenario": r.scenario,
        "scenario_sha256": r.scenario_sha256,
        "seed": r.seed,
        "question": r.question.to_string(),
        "metric": r.metric,
        "strategies": r.question.strategies(),
        "samples": d.runs,
        "cases": d.cases,
        "alpha": r.alpha,
        "min_mass": r.min_mass,
        "min_density": r.min_density,
        "boxes": t.boxes.len(),
        "chosen": {
            "box": d.chosen,
            "reaches_min_density": d.reached,
            "description": t.describe(d.chosen),
            "coverage": b.coverage,
            "density": b.density,
            "mass": b.mass,
            "bounds": bounds,
        },
    })
}

/// The coverage–density trade-off of the peeling trajectory, the chosen box marked.
fn figure(r: &Report) -> Result<Vec<u8>> {
    let d = r.discovery;
    let mut points: Vec<ScatterPoint> = d
        .trajectory
        .boxes
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != d.chosen)
        .map(|(_, b)| ScatterPoint {
            label: String::new(),
            group: "box on the peeling trajectory".into(),
            x: b.coverage,
            y: b.density,
        })
        .collect();
    let c = &d.trajectory.boxes[d.chosen];
    points.push(ScatterPoint {
        label: format!("chosen: box {}", d.chosen),
        group: "chosen box".into(),
        x: c.coverage,
        y: c.density,
    });
    Ok(plot::scatter_chart(&ScatterChart {
        title: format!("Where \"{}\" holds: PRIM peeling trajectory", r.question),
        x_label: "coverage (share of all yes-samples inside the box)".into(),
        y_label: "density (share of the box's samples answering yes)".into(),
        points,
        groups: vec!["box on the peeling trajectory".into(), "chosen box".into()],
    })?)
}

/// How to read the figure.
fn caption(r: &Report) -> String {
    format!(
        "each dot is one box of the PRIM peeling trajectory for \"{}\": across, its coverage (the share of all samples answering yes that fall inside it); up, its density (the share of the samples inside it answering yes). Peeling trades coverage for density, from the whole prior at the bottom right towards small pure boxes at the top left; the chosen box is marked.",
        r.question
    )
}

/// Writes the files of a discovery (figures in the thread's [`plot::with_output`]
/// format, the report page when `page` is given, a stale one removed otherwise);
/// returns their names.
pub fn write_discover(
    out: &OutDir,
    r: &Report,
    plots: bool,
    page: Option<&PageInfo>,
) -> Result<Vec<String>> {
    let render = || {
        let bytes = figure(r)?;
        let hover = Hover::Points(
            r.discovery
                .trajectory
                .boxes
                .iter()
                .enumerate()
                .map(|(i, b)| (format!("box {i}"), b.coverage, b.density))
                .collect(),
        );
        Ok(Figure::new("discover", bytes, caption(r), hover))
    };
    write_analysis(
        out,
        "discover",
        vec![
            ("discover.csv", trajectory_csv(r)?),
            ("box.csv", box_csv(r)?),
            ("samples.csv", samples_csv(r)?),
            ("discover.json", serde_json::to_vec_pretty(&manifest(r))?),
        ],
        plots.then_some(render),
        page.map(|info| {
            move |figures, files: &[String]| report::discover_page(r, info, figures, files)
        }),
    )
}
