//! The cost–effect frontier of a split sweep (`sweep --split`): `pareto.csv` and
//! `pareto.png` (or `.svg`), from the paired effects of the ensemble.

use super::OutDir;
use super::ensemble::{Aggregate, ranking};
use super::tables::fmt;
use crate::error::{Error, Result};
use crate::experiment::ensemble::lower_is_better;
use crate::experiment::split::pareto_front;
use crate::plot::{self, ScatterChart, ScatterPoint};

/// One variant on the spend–effect plane.
#[derive(Debug, Clone, PartialEq)]
pub struct FrontierPoint {
    pub variant: String,
    /// Mean cumulative spend of the cost actor per run.
    pub spend: f64,
    /// Mean paired effect on the headline over the baseline, signed so better is positive,
    /// with its 95% interval.
    pub effect: f64,
    pub effect_low: f64,
    pub effect_high: f64,
    pub on_front: bool,
}

/// Every variant (the baseline included, at effect 0) with its place on the front.
pub fn frontier(agg: &Aggregate) -> Vec<FrontierPoint> {
    let sign = if lower_is_better(&agg.manifest.metrics.focal) {
        -1.0
    } else {
        1.0
    };
    let mut pts: Vec<FrontierPoint> = ranking(agg)
        .into_iter()
        .map(|r| {
            let (a, b) = (sign * r.diff_ci_low, sign * r.diff_ci_high);
            FrontierPoint {
                variant: r.variant,
                spend: r.spend,
                effect: sign * r.diff,
                effect_low: a.min(b),
                effect_high: a.max(b),
                on_front: false,
            }
        })
        .collect();
    // In the manifest's order, not the ranking's.
    let order = |name: &str| {
        agg.manifest
            .variants
            .iter()
            .position(|v| v.name == name)
            .unwrap_or(usize::MAX)
    };
    pts.sort_by_key(|p| order(&p.variant));
    let front = pareto_front(&pts.iter().map(|p| (p.spend, p.effect)).collect::<Vec<_>>());
    for (p, f) in pts.iter_mut().zip(front) {
        p.on_front = f;
    }
    pts
}

fn csv_err(e: impl std::fmt::Display) -> Error {
    Error::failure(format!("cannot write a table: {e}"))
}

/// `pareto.csv`: per variant its spend, effect with 95% CI and whether it is on the front.
pub fn pareto_csv(agg: &Aggregate, pts: &[FrontierPoint]) -> Result<Vec<u8>> {
    let m = &agg.manifest.metrics;
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "variant",
        "description",
        "cost_actor",
        "spend",
        "metric",
        "effect",
        "effect_ci_low",
        "effect_ci_high",
        "on_front",
    ])
    .map_err(csv_err)?;
    for p in pts {
        let desc = agg
            .manifest
            .variants
            .iter()
            .find(|v| v.name == p.variant)
            .map_or(String::new(), |v| v.description.clone());
        w.write_record([
            p.variant.clone(),
            desc,
            m.cost_actor.clone(),
            fmt(p.spend),
            m.focal.clone(),
            fmt(p.effect),
            fmt(p.effect_low),
            fmt(p.effect_high),
            p.on_front.to_string(),
        ])
        .map_err(csv_err)?;
    }
    w.into_inner().map_err(csv_err)
}

const FRONT: &str = "on the Pareto front (no option spends less for as much effect)";
const DOMINATED: &str = "dominated (another option spends no more for more effect)";

fn figure(agg: &Aggregate, pts: &[FrontierPoint]) -> Result<Vec<u8>> {
    let m = &agg.manifest;
    let points = pts
        .iter()
        .map(|p| ScatterPoint {
            // Only the front is named: it is what an analyst chooses from.
            label: if p.on_front {
                p.variant.clone()
            } else {
                String::new()
            },
            group: if p.on_front { FRONT } else { DOMINATED }.into(),
            x: p.spend,
            y: p.effect,
        })
        .collect();
    // Slots fix the colours: the front vermillion, dominated points light sky blue.
    let groups = ["-", FRONT, "-", "-", "-", DOMINATED]
        .map(String::from)
        .to_vec();
    Ok(plot::scatter_chart(&ScatterChart {
        title: format!(
            "Cost-effect frontier: effect on {} against {}'s spend",
            m.metrics.focal, m.metrics.cost_actor
        ),
        x_label: format!(
            "{}'s cumulative spend per run (budget units)",
            m.metrics.cost_actor
        ),
        y_label: format!(
            "effect vs {}: paired difference in {} (better is up)",
            m.variants[0].name, m.metrics.focal
        ),
        points,
        groups,
    })?)
}

/// Writes `pareto.csv` and, with `plots`, the frontier figure; returns their names.
pub fn write_pareto(out: &OutDir, agg: &Aggregate, plots: bool) -> Result<Vec<String>> {
    let pts = frontier(agg);
    out.write("pareto.csv", &pareto_csv(agg, &pts)?)?;
    let mut files = vec!["pareto.csv".to_string()];
    if plots {
        let name = format!("pareto.{}", plot::current_format().ext());
        out.write(&name, &figure(agg, &pts)?)?;
        files.push(name);
    }
    Ok(files)
}
