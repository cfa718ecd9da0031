//! Files of the survey and of a calibration: `survey.csv` of a run; `posterior.csv`,
//! `fit.csv`, one fit figure per surveyed unit, `summary.json` and the report page of
//! `softpower calibrate`.
//! Shares are written in percent, as surveys report them.

use super::OutDir;
use super::tables::fmt;
use crate::error::Result;
use crate::experiment::calibrate::{
    Chains, ESS_MIN, OutOfSample, Posterior, Predictive, Problem, R_HAT_LIMIT, Start, TAU_RUNS,
    band, wilson,
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
    /// The chains (pooled; `chain.list.len()` of them).
    pub chain: &'a Chains,
    pub burn_in: usize,
    /// Where the walkers started.
    pub start: Start,
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
        let chains = self.chain.list.len();
        let post_steps = self.chain.steps().saturating_sub(self.burn_in);
        for p in &self.posterior.params {
            let m = p.mixing;
            if let Some(r) = m.r_hat.filter(|r| r.is_nan() || *r > R_HAT_LIMIT) {
                w.push(format!(
                    "{}: R-hat {r:.3} across the {chains} chains is above {R_HAT_LIMIT}: the chains have not mixed (they disagree or still drift); run more --steps, or --start mode, or look at posterior.csv chain by chain",
                    p.path
                ));
            } else if m.ess.is_nan() || m.ess < ESS_MIN {
                w.push(format!(
                    "{}: {:.0} effective draws are fewer than {ESS_MIN}: its quantiles are rough; run more --steps or --chains",
                    p.path, m.ess
                ));
            } else if m.steps_over_tau.is_nan() || m.steps_over_tau < TAU_RUNS {
                w.push(format!(
                    "{}: the {post_steps} steps after burn-in are {:.0} autocorrelation times (tau {:.0} steps), fewer than {TAU_RUNS}: tau may be underestimated, and the effective draws overstated; run more --steps to confirm",
                    p.path, m.steps_over_tau, m.tau
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

/// The report's table of how well the draws mixed: autocorrelation time, effective draws,
/// and with two chains or more R-hat and the verdict.
pub fn convergence_table(r: &CalibrationReport) -> Option<report::Table> {
    use report::Cell;
    let chains = r.chain.list.len();
    Some(report::Table {
        caption: format!(
            "Mixing: integrated autocorrelation time tau of the walkers' paths (steps; emcee's estimator), post-burn-in steps over tau (at least {TAU_RUNS} to trust it), effective draws{}",
            if chains > 1 {
                format!(
                    ", and the rank-normalised split R-hat across the {chains} chains (Vehtari et al. 2021; above {R_HAT_LIMIT}: not mixed)"
                )
            } else {
                " (R-hat needs --chains 2 or more)".to_string()
            }
        ),
        header: [
            "Parameter",
            "tau",
            "Steps / tau",
            "Effective draws",
            "R-hat",
            "Converged",
        ]
        .map(String::from)
        .to_vec(),
        rows: r
            .posterior
            .params
            .iter()
            .map(|p| {
                let m = p.mixing;
                vec![
                    Cell::text(p.path.clone()),
                    Cell::num(m.tau, 3),
                    Cell::num(m.steps_over_tau, 3),
                    Cell::num(m.ess, 4),
                    m.r_hat.map_or(Cell::text("-"), |v| Cell::num(v, 4)),
                    Cell::text(match m.converged() {
                        Some(true) => "yes",
                        Some(false) => "no",
                        None => "-",
                    }),
                ]
            })
            .collect(),
    })
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

/// `posterior.csv`: one row per draw; a `chain` column first when there are several.
fn posterior_csv(r: &CalibrationReport) -> Vec<u8> {
    let several = r.chain.list.len() > 1;
    let mut s = String::from(if several {
        "chain,step,walker,log_likelihood"
    } else {
        "step,walker,log_likelihood"
    });
    for p in &r.problem.space.paths {
        s.push(',');
        s.push_str(&csv_field(p));
    }
    s.push('\n');
    for &draw in &r.posterior.draws {
        let (c, step, w) = draw;
        let x = r.problem.space.values(r.chain.point(draw));
        if several {
            let _ = write!(s, "{c},");
        }
        let _ = write!(s, "{step},{w},{}", fmt(r.chain.log_like(draw)));
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
            let mut v = serde_json::json!({
                "path": p.path,
                "prior_5_50_95": p.prior,
                "posterior_5_50_95": p.posterior,
                "best": p.best,
                "posterior_sd_over_prior_sd": p.sd_ratio,
                "identified": p.identified(),
            });
            let m = p.mixing;
            v["tau"] = m.tau.into();
            v["steps_over_tau"] = m.steps_over_tau.into();
            v["ess"] = m.ess.into();
            if let (Some(rh), Some(c)) = (m.r_hat, m.converged()) {
                v["r_hat"] = rh.into();
                v["converged"] = c.into();
            }
            v
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
    let mut summary = serde_json::json!({
        "scenario": r.scenario,
        "scenario_sha256": r.scenario_sha256,
        "seed": r.seed,
        "sampler": "affine-invariant ensemble, stretch move (Goodman & Weare 2010)",
        "likelihood": "binomial",
        "walkers": r.chain.walkers,
        "steps": r.chain.steps(),
        "burn_in": r.burn_in,
        "start": match r.start {
            Start::Prior => "prior",
            Start::Mode => "mode",
        },
        "tau_runs_min": TAU_RUNS,
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
    // R-hat, and so the verdict, needs two chains or more.
    if r.chain.list.len() > 1 {
        summary["chains"] = r.chain.list.len().into();
        summary["r_hat_limit"] = R_HAT_LIMIT.into();
        summary["convergence"] =
            "rank-normalised split R-hat across the chains, each chain's walkers pooled (Vehtari et al. 2021), and at least tau_runs_min autocorrelation times after burn-in".into();
        summary["converged"] = r
            .posterior
            .params
            .iter()
            .all(|p| p.mixing.converged() == Some(true))
            .into();
    }
    out.write("summary.json", &serde_json::to_vec_pretty(&summary)?)?;
    Ok(files)
}

/// The checkpoint of a chain in progress, in the results folder's `parts/`: its trace
/// `chain-NNNNNN.trace`, one record per step (the move counts so far, every walker's
/// position, every log-likelihood, as little-endian f64 bits), appended with one write
/// per step. The checkpoint is the whole records: a record cut short by a kill is
/// dropped on resume. No file is created, renamed or synced per step: that would cost
/// more than a step of a small scenario (a kill or Ctrl-C keeps the page cache; a power
/// cut may not).
pub struct Checkpoint {
    trace: std::fs::File,
    path: std::path::PathBuf,
}

fn trace_name(chain: u32) -> String {
    format!("{}/chain-{chain:06}.trace", super::ensemble::PARTS)
}

/// Bytes of one record.
fn record_len(dims: usize, walkers: usize) -> usize {
    (2 + walkers * (dims + 1)) * 8
}

impl Checkpoint {
    /// The chain checkpointed in `dir` for chain `chain`, if any (`None` starts afresh).
    pub fn read(
        dir: &std::path::Path,
        chain: u32,
        dims: usize,
        walkers: usize,
        steps: usize,
    ) -> Result<Option<crate::experiment::calibrate::Chain>> {
        let path = dir.join(trace_name(chain));
        let Ok(trace) = std::fs::read(&path) else {
            return Ok(None);
        };
        let rec = record_len(dims, walkers);
        let whole = trace.len() / rec;
        if whole == 0 {
            return Ok(None);
        }
        if whole > steps + 1 {
            return Err(crate::error::Error::in_file(
                &path,
                format!("is not a checkpoint of chain {chain} of this calibration: it holds more steps than the command runs"),
            )
            .help("the checkpoint was edited or damaged: delete it and run the same command with --resume to redo that chain"));
        }
        let f = |b: &[u8]| f64::from_le_bytes(b.try_into().expect("8 bytes"));
        let mut u = Vec::with_capacity(whole * walkers * dims);
        let mut log_like = Vec::with_capacity(whole * walkers);
        let mut counts = (0.0, 0.0);
        for r in trace[..whole * rec].chunks_exact(rec) {
            let (head, rest) = r.split_at(16);
            counts = (f(&head[..8]), f(&head[8..]));
            let (pos, lp) = rest.split_at(walkers * dims * 8);
            u.extend(pos.chunks_exact(8).map(f));
            log_like.extend(lp.chunks_exact(8).map(f));
        }
        Ok(Some(crate::experiment::calibrate::Chain {
            dims,
            walkers,
            u,
            log_like,
            accepted: counts.0 as usize,
            proposed: counts.1 as usize,
        }))
    }

    /// Opens the checkpoint of chain `chain` in `out` to continue from `start` (the
    /// chain `read` returned) or from nothing: what lies past it is cut off.
    pub fn open(
        out: &OutDir,
        chain: u32,
        start: Option<&crate::experiment::calibrate::Chain>,
    ) -> Result<Checkpoint> {
        use crate::error::Context;
        let path = out.path.join(trace_name(chain));
        std::fs::create_dir_all(out.path.join(super::ensemble::PARTS))
            .with_context(|| format!("cannot create {}", out.path.display()))?;
        let trace = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .with_context(|| format!("cannot write {}", path.display()))?;
        let keep = start.map_or(0, |c| {
            ((c.steps() + 1) * record_len(c.dims, c.walkers)) as u64
        });
        trace
            .set_len(keep)
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(Checkpoint { trace, path })
    }

    /// Appends the chain's last step as one record.
    pub fn save(&mut self, c: &crate::experiment::calibrate::Chain) -> Result<()> {
        use crate::error::Context;
        use std::io::Write as _;
        let s = c.steps();
        let (w, d) = (c.walkers, c.dims);
        let mut rec = Vec::with_capacity(record_len(d, w));
        let counts = [c.accepted as f64, c.proposed as f64];
        for x in counts
            .iter()
            .chain(&c.u[s * w * d..])
            .chain(&c.log_like[s * w..])
        {
            rec.extend_from_slice(&x.to_le_bytes());
        }
        self.trace
            .write_all(&rec)
            .with_context(|| format!("cannot write {}", self.path.display()))
    }

    /// Removes the checkpoint of a chain whose whole part is stored.
    pub fn remove(dir: &std::path::Path, chain: u32) {
        let _ = std::fs::remove_file(dir.join(trace_name(chain)));
    }
}
