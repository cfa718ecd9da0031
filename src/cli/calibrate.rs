//! `softpower calibrate`: fits a scenario's `[[uncertain]]` parameters to the surveys its
//! `[survey]` table names. Parses, prints and shows progress; the likelihood and the
//! sampler live in `experiment::calibrate`, the files in `output::calibrate`.

use super::progress::Progress;
use super::{OutputArgs, say, thread_pool};
use crate::error::{Error, Result, sha256_hex};
use crate::experiment::calibrate::{Problem, SamplerPlan, fit, out_of_sample, predictive};
use crate::output::OutDir;
use crate::output::calibrate::{CalibrationReport, write_calibration};
use crate::scenario::check::survey;
use crate::scenario::{Overrides, load, preflight};
use clap::Args;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

#[derive(Args)]
pub struct CalibrateArgs {
    /// Scenario file with [[uncertain]] blocks and a [survey] naming an observations file
    pub scenario: PathBuf,
    /// Walkers of the ensemble sampler (even, at least twice the parameters) [default: max(16, 4 x parameters)]
    #[arg(long, value_parser = clap::value_parser!(u32).range(4..=4096))]
    pub walkers: Option<u32>,
    /// Steps of the whole ensemble (each runs every walker once)
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(2..=1_000_000))]
    pub steps: u32,
    /// Steps discarded before the posterior sample [default: half the steps]
    #[arg(long)]
    pub burn_in: Option<u32>,
    /// Posterior draws re-simulated for the bands and the predictive check
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub predictive_draws: u32,
    /// Output folder [default: output/<scenario name>-calibrate]
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads [default: all cores]; results do not depend on it
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    #[command(flatten)]
    pub output: OutputArgs,
}

fn invalid(msg: impl std::fmt::Display) -> Error {
    Error::from_text(msg.to_string())
}

pub fn calibrate(args: CalibrateArgs) -> Result<()> {
    let loaded = load(&args.scenario, &Overrides::default())?;
    let threads = args
        .threads
        .map_or_else(rayon::current_num_threads, usize::from);
    preflight(&loaded, threads.saturating_sub(1))?;
    let sc = &loaded.scenario;
    if sc.uncertain.is_empty() {
        return Err(Error::invalid(format!(
            "{} has no [[uncertain]] blocks: there is nothing to fit",
            args.scenario.display()
        ))
        .help("give priors to the parameters the surveys should inform, e.g.\n  [[uncertain]]\n  path = \"model.messaging.attitude_gain\"\n  prior = \"uniform\"\n  low = 0.01\n  high = 0.2\n(docs/SCENARIO.md, [[uncertain]]; docs/CALIBRATION.md)"));
    }
    let spec = survey::resolve(sc, loaded.base_dir())
        .ok()
        .flatten()
        .filter(|s| !s.observations.is_empty())
        .ok_or_else(|| {
            Error::invalid(format!(
                "{} names no survey observations: there is nothing to fit to",
                args.scenario.display()
            ))
            .help("add\n  [survey]\n  observations = \"surveys.csv\"\nwith columns unit, actor, measure, tick (or date), value (percent), n (docs/CALIBRATION.md)")
        })?;
    let problem = Problem::new(sc, spec, loaded.base_dir()).map_err(invalid)?;
    let dims = problem.space.dims();
    let walkers = args
        .walkers
        .map_or(SamplerPlan::default_walkers(dims), |w| w as usize);
    let steps = args.steps as usize;
    let burn_in = args.burn_in.map_or(steps / 2, |b| b as usize);
    if burn_in >= steps {
        return Err(Error::invalid(format!(
            "--burn-in {burn_in} leaves no posterior draws out of --steps {steps}"
        )));
    }
    let plan = SamplerPlan {
        walkers,
        steps,
        burn_in,
        seed: sc.scenario.seed,
    };
    if !walkers.is_multiple_of(2) || walkers < 2 * dims {
        return Err(Error::invalid(format!(
            "--walkers {walkers}: the ensemble needs an even number of walkers, at least twice the {dims} parameters"
        )));
    }
    let fig_out = args.output.figures()?;
    let path = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output").join(format!("{}-calibrate", sc.scenario.name)));
    let out = OutDir::prepare(&path, args.output.force)?;

    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        let _ = ctrlc::set_handler(move || stop.store(true, Ordering::SeqCst));
    }
    let pool = thread_pool(args.threads.map(|t| t as usize))?;
    if !args.output.quiet {
        say!(
            "calibrate \"{}\": {} parameters to {} survey figures{}, {} walkers x {} steps = {} runs (seed {} in every run)",
            sc.scenario.name,
            dims,
            problem.spec.observations.len(),
            if problem.holdout.is_empty() {
                String::new()
            } else {
                format!(" ({} more held out)", problem.holdout.len())
            },
            walkers,
            steps,
            walkers * (steps + 1),
            sc.scenario.seed
        );
    }
    let bar = Progress::new(steps as u64, "sampling", args.output.quiet);
    let started = Instant::now();
    let result = pool
        .install(|| fit(&problem, &plan, &stop, &|| bar.inc()))
        .map_err(invalid)?;
    bar.finish();
    let Some(result) = result else {
        return Err(Error::Interrupted(format!(
            "interrupted before the sampler finished; nothing was written to {}",
            out.path.display()
        )));
    };
    let pred = pool
        .install(|| {
            predictive(
                &problem,
                &result.chain,
                &result.posterior,
                args.predictive_draws as usize,
                sc.scenario.seed,
            )
        })
        .map_err(invalid)?;
    let secs = started.elapsed().as_secs_f64();
    let oos = out_of_sample(&problem, &pred);
    let report = CalibrationReport {
        scenario: &sc.scenario.name,
        scenario_sha256: &sha256_hex(loaded.text.as_bytes()),
        seed: sc.scenario.seed,
        problem: &problem,
        chain: &result.chain,
        burn_in,
        posterior: &result.posterior,
        predictive: &pred,
        tick_label: &loaded.checked.tick_label,
        out_of_sample: oos.as_ref(),
    };
    let file = loaded.path.display().to_string();
    let page = crate::output::sensitivity::PageInfo {
        file: &file,
        description: &sc.scenario.description,
        ticks: loaded.checked.ticks,
        tick_label: &loaded.checked.tick_label,
    };
    let mut files = crate::plot::with_output(fig_out, || {
        write_calibration(
            &out,
            &report,
            !args.output.no_plots,
            (!args.output.no_report).then_some(&page),
        )
    })?;
    let sims = (walkers * (steps + 1) + pred.series.len() + 1) as f64;
    out.write(
        "timing.json",
        &serde_json::to_vec_pretty(&serde_json::json!({
            "threads": pool.current_num_threads(),
            "seconds": secs,
            "simulations": sims,
            "simulations_per_second": sims / secs.max(1e-9),
        }))?,
    )?;
    files.push("timing.json".into());
    if !args.output.quiet {
        say!("{}", table(&report));
        say!(
            "\nResults in {}/ ({})",
            out.path.display(),
            files.join(", ")
        );
    }
    Ok(())
}

/// The printed table: prior and posterior per parameter, then diagnostics and warnings.
fn table(r: &CalibrationReport) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Posterior of the uncertain parameters (median and 90% interval; prior alike):\n  {:<40} {:>10} {:>23} {:>10} {:>23} {:>10}",
        "parameter", "posterior", "90% interval", "prior", "90% interval", "best fit"
    );
    for p in &r.posterior.params {
        let _ = writeln!(
            s,
            "  {:<40} {:>10.4} [{:>9.4}, {:>9.4}] {:>10.4} [{:>9.4}, {:>9.4}] {:>10.4}",
            p.path,
            p.posterior[1],
            p.posterior[0],
            p.posterior[2],
            p.prior[1],
            p.prior[0],
            p.prior[2],
            p.best
        );
    }
    let _ = writeln!(
        s,
        "\nacceptance {:.1}%, best deviance {:.2} over {} survey figures, posterior predictive p-value {:.3}",
        100.0 * r.chain.acceptance(),
        -2.0 * r.posterior.best.1,
        r.problem.spec.observations.len(),
        r.predictive.p_value
    );
    if let Some(o) = r.out_of_sample.filter(|o| o.rows.is_empty()) {
        let _ = writeln!(
            s,
            "\nholdout_from (tick {}) holds out none of the survey figures: nothing to forecast",
            o.holdout_from
        );
    }
    if let Some(o) = r.out_of_sample.filter(|o| !o.rows.is_empty()) {
        let _ = writeln!(
            s,
            "\nout of sample: {} held-out survey figures (tick {} on); over the {} with an earlier figure, mean absolute error {:.1} points (model median) vs {:.1} (last figure carried forward); {:.0}% inside the model's 90% band",
            o.rows.len(),
            o.holdout_from,
            o.compared,
            100.0 * o.model_mae,
            100.0 * o.naive_mae,
            100.0 * o.coverage90
        );
        for (unit, n, m, nv) in crate::output::calibrate::out_of_sample_by_unit(r.problem, o) {
            let _ = writeln!(
                s,
                "  {unit:<24} {n:>3} figures  model {m:>5.1}  naive {nv:>5.1}{}",
                if m > nv { "  (model worse)" } else { "" }
            );
        }
    }
    for w in r.warnings() {
        let _ = writeln!(s, "warning: {w}");
    }
    s
}
