//! The cost–effect frontier of a split sweep (`sweep --split`): `pareto.csv` and
//! `pareto.png` (or `.svg`), from the paired effects of the ensemble.

use super::OutDir;
use super::ensemble::{Aggregate, ranking};
use super::tables::fmt;
use crate::error::{Error, Result};
use crate::experiment::ensemble::lower_is_better;
use crate::experiment::split::pareto_front;
use crate::output::report::{Figure, Hover};
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
    pub kind: PointKind,
}

/// What a point of the frontier is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PointKind {
    /// The scenario as written, the reference of every effect.
    Baseline,
    /// A `[[strategy]]` the scenario declares.
    Strategy,
    /// A split of a total between the campaigns.
    Split,
}

impl PointKind {
    pub fn name(self) -> &'static str {
        match self {
            PointKind::Baseline => "baseline",
            PointKind::Strategy => "strategy",
            PointKind::Split => "split",
        }
    }
}

/// The description `sweep --split` gives every split point (and nothing else has).
pub const SPLIT_PHRASE: &str = " per tick split between ";

fn kind_of(agg: &Aggregate, name: &str) -> PointKind {
    match agg.manifest.variants.iter().position(|v| v.name == name) {
        Some(0) => PointKind::Baseline,
        Some(i)
            if name.contains('=')
                && agg.manifest.variants[i].description.contains(SPLIT_PHRASE) =>
        {
            PointKind::Split
        }
        _ => PointKind::Strategy,
    }
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
            let kind = kind_of(agg, &r.variant);
            FrontierPoint {
                variant: r.variant,
                spend: r.spend,
                effect: sign * r.diff,
                effect_low: a.min(b),
                effect_high: a.max(b),
                on_front: false,
                kind,
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
        "kind",
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
            p.kind.name().to_string(),
        ])
        .map_err(csv_err)?;
    }
    w.into_inner().map_err(csv_err)
}

const FRONT: &str = "split on the Pareto front (no option spends less for as much effect)";
const DOMINATED: &str = "split, dominated (another option spends no more for more effect)";
const S_FRONT: &str = "declared strategy on the front";
const S_DOMINATED: &str = "declared strategy, dominated";
const BASE: &str = "baseline (the scenario as written)";

fn group(p: &FrontierPoint) -> &'static str {
    match (p.kind, p.on_front) {
        (PointKind::Baseline, _) => BASE,
        (PointKind::Strategy, true) => S_FRONT,
        (PointKind::Strategy, false) => S_DOMINATED,
        (PointKind::Split, true) => FRONT,
        (PointKind::Split, false) => DOMINATED,
    }
}

fn figure(agg: &Aggregate, pts: &[FrontierPoint]) -> Result<Vec<u8>> {
    let m = &agg.manifest;
    let points = pts
        .iter()
        .map(|p| ScatterPoint {
            // The front and every declared strategy are named: they are what an analyst
            // chooses from; dominated splits stay anonymous (pareto.csv names them).
            label: if p.on_front || p.kind != PointKind::Split {
                p.variant.clone()
            } else {
                String::new()
            },
            group: group(p).into(),
            x: p.spend,
            y: p.effect,
        })
        .collect();
    // Slots fix the colours (the legend names them); front splits keep the vermillion
    // and dominated splits the light sky blue they had before strategies joined.
    let groups = [BASE, FRONT, S_FRONT, "-", S_DOMINATED, DOMINATED]
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

/// Writes `pareto.csv` and returns its name with, when `plots`, the frontier figure
/// (written with the ensemble's other figures and shown on its page).
pub fn pareto_files(
    out: &OutDir,
    agg: &Aggregate,
    plots: bool,
) -> Result<(Vec<String>, Option<Figure>)> {
    let pts = frontier(agg);
    out.write("pareto.csv", &pareto_csv(agg, &pts)?)?;
    let fig = if plots {
        let bytes = figure(agg, &pts)?;
        Some(Figure::new(
            "pareto",
            bytes,
            format!(
                "each dot is one option: across, {}'s mean cumulative spend per run; up, its mean paired effect on {} over {} in the same runs (better is up; pareto.csv has the 95% intervals). An option is on the Pareto front when no other spends as little or less for as much effect or more; an option off the front costs more for less than some option on it. Splits and declared strategies are told apart by colour (see the legend).",
                agg.manifest.metrics.cost_actor,
                agg.manifest.metrics.focal,
                agg.manifest.variants[0].name
            ),
            Hover::Points(
                pts.iter()
                    .filter(|p| p.spend.is_finite() && p.effect.is_finite())
                    .map(|p| (p.variant.clone(), p.spend, p.effect))
                    .collect(),
            ),
        ))
    } else {
        None
    };
    Ok((vec!["pareto.csv".to_string()], fig))
}

/// The frontier in sentences an analyst can act on: which options are on the front,
/// what each declared strategy's place is, and which option beats a dominated one.
pub fn frontier_words(agg: &Aggregate, pts: &[FrontierPoint]) -> Vec<String> {
    let h = |v: f64| plot::human(v, 3);
    let eff = |v: f64| crate::output::report::signed(v, 3);
    let who = |p: &FrontierPoint| match p.kind {
        PointKind::Strategy => format!("strategy {}", p.variant),
        PointKind::Split => format!("split {}", p.variant),
        PointKind::Baseline => format!("{} (the scenario as written)", p.variant),
    };
    // At the start of a sentence.
    let who_cap = |p: &FrontierPoint| {
        let w = who(p);
        let mut c = w.chars();
        c.next().map_or(String::new(), |f| {
            f.to_uppercase().collect::<String>() + c.as_str()
        })
    };
    let base = &agg.manifest.variants[0].name;
    let mut out = Vec::new();
    let mut front: Vec<&FrontierPoint> = pts.iter().filter(|p| p.on_front).collect();
    front.sort_by(|a, b| a.spend.total_cmp(&b.spend));
    if !front.is_empty() {
        out.push(format!(
            "On the cost-effect front, from cheapest to dearest: {}. Spending more buys more effect only along this list; every other option costs more for less.",
            front
                .iter()
                .map(|p| format!("{} (spend {}, effect {})", who(p), h(p.spend), eff(p.effect)))
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    // The option that beats p most plainly: the dominating one with the largest effect,
    // the cheapest among equals.
    let beater = |p: &FrontierPoint| {
        pts.iter()
            .filter(|q| {
                q.spend <= p.spend
                    && q.effect >= p.effect
                    && (q.spend < p.spend || q.effect > p.effect)
            })
            .max_by(|a, b| {
                a.effect
                    .total_cmp(&b.effect)
                    .then(b.spend.total_cmp(&a.spend))
            })
    };
    for p in pts.iter().filter(|p| p.kind == PointKind::Strategy) {
        if p.on_front {
            out.push(format!(
                "{} is on the front: spend {}, effect {} over {base} (95% CI {} to {}); no option spends less for as much.",
                who_cap(p),
                h(p.spend),
                eff(p.effect),
                eff(p.effect_low),
                eff(p.effect_high)
            ));
        } else if let Some(q) = beater(p) {
            let clear = q.effect_low > p.effect_high;
            out.push(format!(
                "{} costs more for less: {} spends {} for an effect of {} (against {}){}.",
                who_cap(p),
                who(q),
                // Spends summed over ticks differ by rounding alone when they are equal.
                if q.spend < p.spend - 1e-9 * p.spend.abs().max(1.0) {
                    format!("{} (against {})", h(q.spend), h(p.spend))
                } else {
                    format!("as much ({})", h(q.spend))
                },
                eff(q.effect),
                eff(p.effect),
                if clear {
                    "; their 95% intervals do not overlap"
                } else if q.effect > p.effect {
                    "; the effects' 95% intervals overlap, so the runs do not tell their effects apart, but the spend differs"
                } else {
                    ""
                }
            ));
        } else if !p.effect.is_finite() {
            out.push(format!("{} has no effect estimate yet.", who_cap(p)));
        }
    }
    let dominated = pts
        .iter()
        .filter(|p| p.kind == PointKind::Split && !p.on_front)
        .count();
    let splits = pts.iter().filter(|p| p.kind == PointKind::Split).count();
    if splits > 0 {
        out.push(format!(
            "{dominated} of {splits} splits are dominated (pareto.csv names them and their place); the front is drawn through mean effects, so where neighbouring effects' 95% intervals overlap the runs do not rank them."
        ));
    }
    out
}
