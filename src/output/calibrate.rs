//! Files of the survey and of a calibration: `survey.csv` of a run; `posterior.csv`,
//! `fit.csv`, one fit figure per surveyed unit, `summary.json` and the report page of
//! `softpower calibrate`.
//! Shares are written in percent, as surveys report them.

use super::OutDir;
use super::tables::fmt;
use crate::error::Result;
use crate::experiment::calibrate::{
    Chain, OutOfSample, Posterior, Predictive, Problem, band, wilson,
};
use crate::model::survey::{Measure, Observation, SurveySpec};
use crate::output::ensemble::REPORT;
use crate::output::report::{self, Figure, Hover};
use crate::output::sensitivity::PageInfo;
use crate::plot::{self, Band, BandChart};
use std::fmt::Write;

/// `survey.csv`: one row per (tick, reported unit, actor), the three measures in percent.
pub fn survey_csv(spec: &SurveySpec, actors: &[String], tables: &[Vec<[f64; 3]>]) -> Vec<u8> {
    let mut s = String::from("tick,unit,actor,heard_of_pct,favourable_pct,confidence_pct\n");
    for (&t, table) in spec.ticks.iter().zip(tables) {
        for (u, unit) in spec.units[..spec.reported].iter().enumerate() {
            for (a, id) in actors.iter().enumerate() {
                let m = table[u * actors.len() + a];
                let _ = writeln!(
                    s,
                    "{t},{},{id},{},{},{}",
                    csv_field(&unit.name),
                    fmt(percent(m[0])),
                    fmt(percent(m[1])),
                    fmt(percent(m[2]))
                );
            }
        }
    }
    s.into_bytes()
}

/// A share in percent to four decimals: the state is single precision (about seven
/// digits), so further digits would print its rounding (0.3f32 → 30.0000011920929).
fn percent(share: f64) -> f64 {
    (share * 1e6).round() / 1e4
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Everything `calibrate` reports.
pub struct CalibrationReport<'a> {
    pub scenario: &'a str,
    pub scenario_sha256: &'a str,
    pub seed: u64,
    pub problem: &'a Problem,
    pub chain: &'a Chain,
    pub burn_in: usize,
    pub posterior: &'a Posterior,
    pub predictive: &'a Predictive,
    pub tick_label: &'a str,
    /// Forecasts of the held-out surveys, with a `holdout_from`.
    pub out_of_sample: Option<&'a OutOfSample>,
}

impl CalibrationReport<'_> {
    /// Warnings in words: parameters the data leave where the prior put them, a sampler
    /// that barely moved, a model the data reject.
    pub fn warnings(&self) -> Vec<String> {
        let mut w = Vec::new();
        for p in &self.posterior.params {
            if !p.identified() {
                w.push(format!(
                    "{}: the data do not identify it (posterior spread {:.0}% of the prior's); its interval is mostly the prior",
                    p.path,
                    100.0 * p.sd_ratio
                ));
            }
        }
        let acc = self.chain.acceptance();
        if acc < 0.1 {
            w.push(format!(
                "the sampler accepted {:.1}% of its moves: the posterior is narrow or oddly shaped; run more --steps",
                100.0 * acc
            ));
        }
        let p = self.predictive.p_value;
        if !(0.025..=0.975).contains(&p) {
            w.push(format!(
                "posterior predictive p-value {p:.3}: the data are {} than the model and binomial sampling explain",
                if p < 0.5 { "further from the fit" } else { "closer to the fit" }
            ));
        }
        w
    }
}

/// Model quantiles at each tick of one key: (5 %, 25 %, 50 %, 75 %, 95 %).
fn band_at(pred: &Predictive, key: usize, tick: usize) -> [f64; 5] {
    band(pred, key, tick)
}

/// `out_of_sample.csv`: every held-out survey figure, the model's forecast (posterior
/// median and 90 % band, parameter uncertainty only) and the naive forecast (the series'
/// last fitted figure carried forward), with both errors, in percent and points.
fn out_of_sample_csv(pb: &Problem, oos: &OutOfSample) -> Vec<u8> {
    let mut s = String::from(
        "unit,actor,measure,tick,date,observed_pct,n,model_median_pct,model_low_pct,model_high_pct,model_error_pp,naive_pct,naive_error_pp\n",
    );
    for r in &oos.rows {
        let o = &r.obs;
        let naive = r.naive.map_or(String::new(), |v| fmt(100.0 * v));
        let naive_err = r
            .naive
            .map_or(String::new(), |v| fmt(100.0 * (v - o.share)));
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{},{},{},{},{},{naive},{naive_err}",
            csv_field(&pb.spec.units[o.unit].name),
            pb.actors[o.actor as usize],
            o.measure.name(),
            o.tick,
            o.date.as_deref().unwrap_or(""),
            fmt(100.0 * o.share),
            fmt(o.n),
            fmt(100.0 * r.model[2]),
            fmt(100.0 * r.model[0]),
            fmt(100.0 * r.model[4]),
            fmt(100.0 * (r.model[2] - o.share)),
        );
    }
    s.into_bytes()
}

/// Per unit: held-out figures with a naive forecast, and both mean absolute errors (pp).
pub fn out_of_sample_by_unit(pb: &Problem, oos: &OutOfSample) -> Vec<(String, usize, f64, f64)> {
    let mut out: Vec<(String, usize, f64, f64)> = Vec::new();
    for r in oos.rows.iter().filter(|r| r.naive.is_some()) {
        let name = &pb.spec.units[r.obs.unit].name;
        let i = match out.iter().position(|x| &x.0 == name) {
            Some(i) => i,
            None => {
                out.push((name.clone(), 0, 0.0, 0.0));
                out.len() - 1
            }
        };
        out[i].1 += 1;
        out[i].2 += 100.0 * (r.model[2] - r.obs.share).abs();
        out[i].3 += 100.0 * (r.naive.unwrap_or(f64::NAN) - r.obs.share).abs();
    }
    for x in &mut out {
        x.2 /= x.1 as f64;
        x.3 /= x.1 as f64;
    }
    out
}

fn posterior_csv(r: &CalibrationReport) -> Vec<u8> {
    let mut s = String::from("step,walker,log_likelihood");
    for p in &r.problem.space.paths {
        s.push(',');
        s.push_str(&csv_field(p));
    }
    s.push('\n');
    for &(step, w) in &r.posterior.draws {
        let x = r.problem.space.values(r.chain.point(step, w));
        let _ = write!(
            s,
            "{step},{w},{}",
            fmt(r.chain.log_like[step * r.chain.walkers + w])
        );
        for v in x {
            let _ = write!(s, ",{}", fmt(v));
        }
        s.push('\n');
    }
    s.into_bytes()
}

fn fit_csv(r: &CalibrationReport) -> Vec<u8> {
    let pb = r.problem;
    let mut s = String::from(
        "unit,actor,measure,tick,date,value_pct,n,data_low_pct,data_high_pct,best_pct,model_median_pct,model_low_pct,model_high_pct\n",
    );
    for o in &pb.spec.observations {
        let k = key_index(pb, o.unit, o.actor, o.measure);
        let (lo, hi) = wilson(o.share, o.n);
        let b = band_at(r.predictive, k, o.tick as usize);
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{},{},{},{},{},{},{}",
            csv_field(&pb.spec.units[o.unit].name),
            pb.actors[o.actor as usize],
            o.measure.name(),
            o.tick,
            o.date.as_deref().unwrap_or(""),
            fmt(100.0 * o.share),
            fmt(o.n),
            fmt(100.0 * lo),
            fmt(100.0 * hi),
            fmt(100.0 * r.predictive.best[k][o.tick as usize]),
            fmt(100.0 * b[2]),
            fmt(100.0 * b[0]),
            fmt(100.0 * b[4]),
        );
    }
    s.into_bytes()
}

fn key_index(pb: &Problem, unit: usize, actor: u32, measure: Measure) -> usize {
    pb.keys
        .iter()
        .position(|k| k.unit == unit && k.actor == actor && k.measure == measure)
        .expect("every observation has its series")
}

/// A file stem from a unit's name (`group:x` → `fit_group_x`).
pub fn fit_stem(unit: &str) -> String {
    let clean: String = unit
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("fit_{clean}")
}

/// Survey figures as a band series: each figure is its own run (NaN between them), a dot
/// with its 95 % sampling interval.
fn survey_points<'a>(name: String, obs: impl Iterator<Item = &'a Observation>) -> Band {
    let mut b = Band {
        name,
        ..Band::default()
    };
    for o in obs {
        let (lo, hi) = wilson(o.share, o.n);
        if !b.x.is_empty() {
            b.x.push(f64::NAN);
            b.median.push(f64::NAN);
            b.inner.push((f64::NAN, f64::NAN));
            b.outer.push((f64::NAN, f64::NAN));
        }
        b.x.push(o.tick as f64);
        b.median.push(100.0 * o.share);
        b.inner.push((100.0 * lo, 100.0 * hi));
        b.outer.push((100.0 * lo, 100.0 * hi));
    }
    b
}

/// One figure per surveyed unit: the model's median and 50 % / 90 % bands over time for
/// each observed series, and the survey figures with their 95 % sampling intervals.
fn fit_figures(r: &CalibrationReport) -> Result<Vec<Figure>> {
    let pb = r.problem;
    let mut units: Vec<usize> = pb.keys.iter().map(|k| k.unit).collect();
    units.dedup();
    let mut out = Vec::new();
    let ticks: Vec<f64> = (0..=pb.ticks).map(f64::from).collect();
    for u in units {
        let mut series = Vec::new();
        let mut hover = Vec::new();
        for (ki, k) in pb.keys.iter().enumerate().filter(|(_, k)| k.unit == u) {
            let label = k.measure.phrase(&pb.actors[k.actor as usize]);
            let bands: Vec<[f64; 5]> = (0..ticks.len())
                .map(|t| band_at(r.predictive, ki, t))
                .collect();
            let median: Vec<f64> = bands.iter().map(|b| 100.0 * b[2]).collect();
            hover.push((
                format!("{label}: model median"),
                ticks.iter().copied().zip(median.iter().copied()).collect(),
            ));
            series.push(Band {
                name: format!("{label}: model"),
                x: ticks.clone(),
                median,
                inner: bands.iter().map(|b| (100.0 * b[1], 100.0 * b[3])).collect(),
                outer: bands.iter().map(|b| (100.0 * b[0], 100.0 * b[4])).collect(),
            });
            let same =
                |o: &&Observation| o.unit == u && o.actor == k.actor && o.measure == k.measure;
            series.push(survey_points(
                format!("{label}: survey, 95% sampling interval"),
                pb.spec.observations.iter().filter(same),
            ));
            let held = survey_points(
                format!("{label}: held-out survey (not fitted)"),
                pb.holdout.iter().filter(same),
            );
            if !held.x.is_empty() {
                series.push(held);
            }
        }
        let name = &pb.spec.units[u].name;
        let bytes = plot::band_chart(&BandChart {
            title: format!("{name}: surveys and the calibrated model"),
            x_label: r.tick_label.to_string(),
            y_label: "% of respondents".into(),
            series,
            inner_label: "model, 50% of posterior".into(),
            outer_label: "model, 90% of posterior".into(),
        })?;
        out.push(Figure::new(
            &fit_stem(name),
            bytes,
            format!(
                "{name}: each line is the model's median share of respondents over the posterior draws, in each {}, with the middle 50% (darker) and 90% (lighter) of draws as bands (parameter uncertainty only); each dot is a survey figure with its 95% sampling interval (Wilson), held-out figures drawn apart. A fit is good where the dots' intervals meet the bands.",
                r.tick_label
            ),
            Hover::Lines(hover),
        ));
    }
    Ok(out)
}

/// Per unit: fitted survey figures, the model median's mean absolute error (percentage
/// points) and the share of figures inside the model's 90 % band, or whose 95 % sampling
/// interval meets it.
pub fn fit_by_unit(r: &CalibrationReport) -> Vec<(String, usize, f64, f64, f64)> {
    let pb = r.problem;
    let mut out: Vec<(String, usize, f64, f64, f64)> = Vec::new();
    for o in &pb.spec.observations {
        let name = &pb.spec.units[o.unit].name;
        let i = match out.iter().position(|x| &x.0 == name) {
            Some(i) => i,
            None => {
                out.push((name.clone(), 0, 0.0, 0.0, 0.0));
                out.len() - 1
            }
        };
        let b = band_at(
            r.predictive,
            key_index(pb, o.unit, o.actor, o.measure),
            o.tick as usize,
        );
        let (lo, hi) = wilson(o.share, o.n);
        out[i].1 += 1;
        out[i].2 += 100.0 * (b[2] - o.share).abs();
        out[i].3 += f64::from(u8::from(b[0] <= o.share && o.share <= b[4]));
        out[i].4 += f64::from(u8::from(lo <= b[4] && b[0] <= hi));
    }
    for x in &mut out {
        let n = x.1 as f64;
        x.2 /= n;
        x.3 /= n;
        x.4 /= n;
    }
    out
}

/// Writes every file of a calibration (the report page when `page` is given, a stale one
/// removed otherwise); returns their names.
pub fn write_calibration(
    out: &OutDir,
    r: &CalibrationReport,
    plots: bool,
    page: Option<&PageInfo>,
) -> Result<Vec<String>> {
    let mut files = Vec::new();
    out.write("posterior.csv", &posterior_csv(r))?;
    files.push("posterior.csv".to_string());
    out.write("fit.csv", &fit_csv(r))?;
    files.push("fit.csv".to_string());
    if let Some(oos) = r.out_of_sample {
        out.write("out_of_sample.csv", &out_of_sample_csv(r.problem, oos))?;
        files.push("out_of_sample.csv".to_string());
    }
    let figures = if plots { fit_figures(r)? } else { Vec::new() };
    for f in &figures {
        out.write(&f.name, &f.bytes)?;
        files.push(f.name.clone());
    }
    if page.is_some() {
        files.push(REPORT.to_string());
    } else {
        out.remove_stale(REPORT);
    }
    files.push("summary.json".to_string());
    if let Some(info) = page {
        let p = report::calibrate_page(r, info, figures, &files);
        out.write(REPORT, report::html(&p).as_bytes())?;
    }
    let params: Vec<serde_json::Value> = r
        .posterior
        .params
        .iter()
        .map(|p| {
            serde_json::json!({
                "path": p.path,
                "prior_5_50_95": p.prior,
                "posterior_5_50_95": p.posterior,
                "best": p.best,
                "posterior_sd_over_prior_sd": p.sd_ratio,
                "identified": p.identified(),
            })
        })
        .collect();
    let oos = r.out_of_sample.map(|o| {
        let by_unit: Vec<serde_json::Value> = out_of_sample_by_unit(r.problem, o)
            .into_iter()
            .map(|(unit, n, m, nv)| {
                serde_json::json!({"unit": unit, "compared": n, "model_mae_pp": m, "naive_mae_pp": nv})
            })
            .collect();
        serde_json::json!({
            "holdout_from_tick": o.holdout_from,
            "held_out": o.rows.len(),
            "compared": o.compared,
            "model_mae_pp": 100.0 * o.model_mae,
            "naive_mae_pp": 100.0 * o.naive_mae,
            "naive": "the series' last fitted figure carried forward",
            "model_90_coverage": o.coverage90,
            "by_unit": by_unit,
        })
    });
    let summary = serde_json::json!({
        "scenario": r.scenario,
        "scenario_sha256": r.scenario_sha256,
        "seed": r.seed,
        "sampler": "affine-invariant ensemble, stretch move (Goodman & Weare 2010)",
        "likelihood": "binomial",
        "walkers": r.chain.walkers,
        "steps": r.chain.steps(),
        "burn_in": r.burn_in,
        "posterior_draws": r.posterior.draws.len(),
        "acceptance": r.chain.acceptance(),
        "observations": r.problem.spec.observations.len(),
        "spread": r.problem.spec.spread,
        "best_log_likelihood": r.posterior.best.1,
        "best_deviance": -2.0 * r.posterior.best.1,
        "predictive_draws": r.predictive.series.len(),
        "predictive_p_value": r.predictive.p_value,
        "parameters": params,
        "out_of_sample": oos,
        "warnings": r.warnings(),
        "files": files,
    });
    out.write("summary.json", &serde_json::to_vec_pretty(&summary)?)?;
    Ok(files)
}
