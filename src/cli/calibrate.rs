//! `softpower calibrate`: fits a scenario's `[[uncertain]]` parameters to the surveys its
//! `[survey]` table names. Parses, prints and shows progress; the likelihood and the
//! sampler live in `experiment::calibrate`, the files in `output::calibrate`.

use super::progress::Progress;
use super::{OutputArgs, say, thread_pool};
use crate::error::{Error, Result, sha256_hex};
use crate::experiment::batch::{self, Failure, Shard};
use crate::experiment::calibrate::{
    Chain, Chains, Problem, SamplerPlan, Start, out_of_sample, predictive, run_chain, summarise,
};
use crate::output::OutDir;
use crate::output::batch::{DesignHeader, DesignParts, open_design};
use crate::output::calibrate::{CalibrationReport, Checkpoint, write_calibration};
use crate::scenario::check::survey;
use crate::scenario::{Loaded, Overrides, load, preflight};
use clap::{Args, ValueEnum};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

#[derive(Args)]
#[command(after_long_help = "\
Chains: a step of the sampler depends on the step before, so one ensemble cannot be split. \
--chains C runs C independent ensembles from different random starts and pools their draws; \
with C >= 2 every parameter gets the rank-normalised split R-hat and effective sample sizes \
(Vehtari et al. 2021) in the table, summary.json and report.html, and a warning when R-hat > 1.01 \
(the chains disagree: run more --steps). Use 4 chains to check a fit you will report.

Mixing: every run reports each parameter's integrated autocorrelation time tau (in steps) and \
warns when the steps after burn-in are fewer than 50 tau. A posterior much narrower than the \
prior takes the ensemble long to find from prior draws, and walkers can stay behind in a \
lower mode: --start mode starts each chain's walkers in a small ball around the best of 4 \
Nelder-Mead searches from its own prior draws (docs/CALIBRATION.md section 4). For example:
  softpower calibrate scenarios/calibration/survey_recovery.toml --start mode --chains 4 --steps 400 --burn-in 100

Shards: chains are the unit of a shard. --shard K/N runs the K-th of N contiguous slices of the C chains \
into its own folder; `softpower merge DIR1 DIR2 ... --out DIR` pools them into the same bytes \
as one run of --chains C. For example, on 4 machines (the 2nd of 4; the others run 1/4, 3/4 and 4/4, each into output/survey_recovery-calibrate-shard-K-of-4):
  softpower calibrate scenarios/calibration/survey_recovery.toml --chains 8 --shard 2/4
then, on one machine, merge the four folders: `softpower merge DIR1 DIR2 DIR3 DIR4 --out DIR`.

Resume: every chain is checkpointed after every step in the folder's parts/; after Ctrl-C or \
a kill, run the same command with --resume to continue: the results are the same bytes as \
an uninterrupted run. A changed scenario or command is refused.")]
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
    /// Independent ensembles, pooled; two or more give R-hat and effective sample sizes (4 to check a fit)
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub chains: u32,
    /// Where the walkers start: prior draws, or a small ball around the best of 4 Nelder-Mead searches for the highest likelihood (per chain)
    #[arg(long, value_enum, default_value_t = StartArg::Prior)]
    pub start: StartArg,
    /// Posterior draws re-simulated for the bands and the predictive check
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub predictive_draws: u32,
    /// Output folder [default: output/<scenario name>-calibrate]
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads [default: all cores]; results do not depend on it
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// Run only slice K of N (1-based) of the chains, e.g. 2/4; `auto/N` reads SLURM_ARRAY_TASK_ID (1..N) or JOB_COMPLETION_INDEX (0..N-1). Combine slices with `softpower merge`.
    #[arg(long)]
    pub shard: Option<String>,
    /// Continue an interrupted calibration in the same folder from its checkpoints
    #[arg(long, conflicts_with = "force")]
    pub resume: bool,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Testing aid: stop as if interrupted after this many sampler steps in this session
    #[arg(long, hide = true)]
    pub stop_after_steps: Option<u64>,
}

/// `--start`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StartArg {
    #[default]
    Prior,
    Mode,
}

impl StartArg {
    fn start(self) -> Start {
        match self {
            StartArg::Prior => Start::Prior,
            StartArg::Mode => Start::Mode,
        }
    }
    fn is_prior(&self) -> bool {
        *self == StartArg::Prior
    }
}

fn invalid(msg: impl std::fmt::Display) -> Error {
    Error::from_text(msg.to_string())
}

/// What a calibration folder records of its command, so `merge` and `--resume` can set
/// it up again and refuse another.
#[derive(Serialize, Deserialize)]
struct Command {
    walkers: usize,
    steps: usize,
    burn_in: usize,
    chains: u32,
    predictive_draws: u32,
    /// Absent for prior draws, as before the option existed.
    #[serde(default, skip_serializing_if = "StartArg::is_prior")]
    start: StartArg,
}

/// The fitting problem of a scenario and the sampler's settings.
struct Setup {
    loaded: Loaded,
    problem: Problem,
    plan: SamplerPlan,
}

fn setup(
    scenario: &Path,
    walkers: Option<u32>,
    steps: u32,
    burn_in: Option<u32>,
    start: StartArg,
    threads: usize,
) -> Result<Setup> {
    let loaded = load(scenario, &Overrides::default())?;
    preflight(&loaded, threads.saturating_sub(1))?;
    let sc = &loaded.scenario;
    if sc.uncertain.is_empty() {
        return Err(Error::invalid(format!(
            "{} has no [[uncertain]] blocks: there is nothing to fit",
            scenario.display()
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
                scenario.display()
            ))
            .help("add\n  [survey]\n  observations = \"surveys.csv\"\nwith columns unit, actor, measure, tick (or date), value (percent), n (docs/CALIBRATION.md)")
        })?;
    let problem = Problem::new(sc, spec, loaded.base_dir()).map_err(invalid)?;
    let dims = problem.space.dims();
    let walkers = walkers.map_or(SamplerPlan::default_walkers(dims), |w| w as usize);
    let steps = steps as usize;
    let burn_in = burn_in.map_or(steps / 2, |b| b as usize);
    if burn_in >= steps {
        return Err(Error::invalid(format!(
            "--burn-in {burn_in} leaves no posterior draws out of --steps {steps}"
        )));
    }
    if !walkers.is_multiple_of(2) || walkers < 2 * dims {
        return Err(Error::invalid(format!(
            "--walkers {walkers}: the ensemble needs an even number of walkers, at least twice the {dims} parameters"
        )));
    }
    let plan = SamplerPlan {
        walkers,
        steps,
        burn_in,
        seed: sc.scenario.seed,
        start: start.start(),
    };
    Ok(Setup {
        loaded,
        problem,
        plan,
    })
}

pub fn calibrate(args: CalibrateArgs) -> Result<()> {
    let threads = args
        .threads
        .map_or_else(rayon::current_num_threads, usize::from);
    let st = setup(
        &args.scenario,
        args.walkers,
        args.steps,
        args.burn_in,
        args.start,
        threads,
    )?;
    let (sc, problem, plan) = (&st.loaded.scenario, &st.problem, st.plan);
    let dims = problem.space.dims();
    let (walkers, steps) = (plan.walkers, plan.steps);
    // Bad figure options are refused before the runs, not after.
    args.output.figures()?;
    let shard = Shard::parse(args.shard.as_deref(), |k| std::env::var(k).ok()).map_err(invalid)?;
    if shard.n > args.chains {
        return Err(Error::invalid(format!(
            "--shard {}/{}: chains are the unit of a shard, and there are only {} (--chains)",
            shard.k, shard.n, args.chains
        )));
    }
    let header = DesignHeader {
        format: crate::output::ensemble::FORMAT_VERSION,
        kind: "calibrate".into(),
        softpower_version: env!("CARGO_PKG_VERSION").into(),
        scenario_file: st.loaded.path.display().to_string(),
        scenario_path: std::path::absolute(&st.loaded.path)?,
        scenario_sha256: sha256_hex(st.loaded.text.as_bytes()),
        command: serde_json::to_value(Command {
            walkers,
            steps,
            burn_in: plan.burn_in,
            chains: args.chains,
            predictive_draws: args.predictive_draws,
            start: args.start,
        })?,
        points: u64::from(args.chains),
        batch_points: 1,
        width: Chain::width(dims, walkers, steps),
        shard: shard.k,
        shards: shard.n,
    };
    let path = args
        .out
        .clone()
        .unwrap_or_else(|| super::default_out(&sc.scenario.name, "calibrate", shard));
    let out = open_design(path, &header, args.resume, args.output.force)?;

    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        let _ = ctrlc::set_handler(move || stop.store(true, Ordering::SeqCst));
    }
    let pool = thread_pool(args.threads.map(|t| t as usize))?;
    let slices = header.slices();
    let parts = DesignParts {
        dir: &out.path,
        slices,
        width: header.width,
    };
    let work = slices.plan(shard, &parts);
    if !args.output.quiet {
        say!(
            "calibrate \"{}\": {} parameters to {} survey figures{}, {} walkers x {} steps{} = {} runs (seed {} in every run){}",
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
            if args.chains > 1 {
                format!(" x {} chains", args.chains)
            } else {
                String::new()
            },
            walkers * (steps + 1) * args.chains as usize,
            sc.scenario.seed,
            if shard.n > 1 {
                format!(
                    ", shard {}/{} ({} chains)",
                    shard.k,
                    shard.n,
                    work.batches.len()
                )
            } else {
                String::new()
            }
        );
    }
    let bar = Progress::new(
        work.todo.len() as u64 * steps as u64,
        "sampling",
        args.output.quiet,
    );
    let started = Instant::now();
    let session_steps = AtomicU64::new(0);
    let outcome = pool
        .install(|| {
            batch::drive(&work, &parts, &stop, None, |c| {
                let start = Checkpoint::read(&out.path, c, dims, walkers, steps)
                    .map_err(|e| e.to_string())?;
                let from = start.as_ref().map_or(0, Chain::steps);
                // A fresh chain also runs its initial draw.
                let runs = if start.is_none() {
                    steps + 1
                } else {
                    steps - from
                };
                for _ in 0..from {
                    bar.inc();
                }
                let mut ck =
                    Checkpoint::open(&out, c, start.as_ref()).map_err(|e| e.to_string())?;
                let chain = run_chain(problem, &plan, c, &stop, start, &mut |ch| {
                    ck.save(ch).map_err(|e| e.to_string())?;
                    if ch.steps() > 0 {
                        bar.inc();
                        let n = session_steps.fetch_add(1, Ordering::SeqCst) + 1;
                        if args.stop_after_steps.is_some_and(|s| n >= s) {
                            stop.store(true, Ordering::SeqCst);
                        }
                    }
                    Ok(())
                })?;
                let sims = (walkers * runs) as u64;
                Ok(chain.map(|ch| (ch.values(), sims)))
            })
        })
        .map_err(|e| match e {
            Failure::Run(msg) => invalid(msg),
            Failure::Store(e) => e,
        })?;
    bar.finish();
    for c in work.batches.clone() {
        if batch::Parts::<[f64]>::has(&parts, c) {
            Checkpoint::remove(&out.path, c);
        }
    }
    let (total, missing) = (work.batches.len(), outcome.missing as usize);
    let finished = !outcome.interrupted && missing == 0;
    // Read back from the parts, as `merge` does: the same bytes either way.
    let (mut files, pred_sims) = if finished && shard.n == 1 {
        let chains = gather(std::slice::from_ref(&out.path), &header, dims, walkers)?;
        pool.install(|| {
            finish(
                &st,
                &header.scenario_file,
                &out,
                &chains,
                args.predictive_draws,
                &args.output,
            )
        })?
    } else {
        (Vec::new(), 0)
    };
    crate::output::batch::write_timing(
        &out,
        pool.current_num_threads(),
        started.elapsed().as_secs_f64(),
        (outcome.simulations + pred_sims) as f64,
    )?;
    if !finished {
        return Err(Error::Interrupted(format!(
            "interrupted: {} of {} chains are finished in {}, the others checkpointed at their last step; no results were written.\n  help: run the same command with --resume to continue",
            total - missing,
            total,
            out.path.display()
        )));
    }
    if shard.n > 1 {
        super::say_shard_done(
            args.output.quiet,
            "calibrate",
            &sc.scenario.name,
            (shard.k, shard.n),
            format_args!("{total} chains"),
            &out.path,
        );
        return Ok(());
    }
    files.push("timing.json".into());
    if !args.output.quiet {
        say!(
            "\nResults in {}/ ({})",
            out.path.display(),
            files.join(", ")
        );
    }
    Ok(())
}

/// Every chain of a calibration from the part files of `dirs`, in chain order.
fn gather(dirs: &[PathBuf], h: &DesignHeader, dims: usize, walkers: usize) -> Result<Chains> {
    let values = DesignParts::gather(dirs, h.slices(), h.width)?;
    let list = values
        .chunks_exact(h.width as usize)
        .map(|v| {
            Chain::from_values(v, dims, walkers).ok_or_else(|| {
                Error::invalid("a stored chain does not have the shape of the recorded command")
            })
        })
        .collect::<Result<Vec<Chain>>>()?;
    Ok(Chains::new(list))
}

/// Summarises the pooled chains, re-simulates the predictive draws and writes every file
/// of a calibration, then prints its table: the one place they are written, for the
/// command and for `merge`. Returns the files and the simulations it ran.
fn finish(
    st: &Setup,
    file: &str,
    out: &OutDir,
    chains: &Chains,
    predictive_draws: u32,
    o: &OutputArgs,
) -> Result<(Vec<String>, u64)> {
    let sc = &st.loaded.scenario;
    let problem = &st.problem;
    let posterior = summarise(chains, &problem.space, st.plan.burn_in);
    let pred = predictive(
        problem,
        chains,
        &posterior,
        predictive_draws as usize,
        sc.scenario.seed,
    )
    .map_err(invalid)?;
    let oos = out_of_sample(problem, &pred);
    let report = CalibrationReport {
        scenario: &sc.scenario.name,
        scenario_sha256: &sha256_hex(st.loaded.text.as_bytes()),
        seed: sc.scenario.seed,
        problem,
        chain: chains,
        burn_in: st.plan.burn_in,
        start: st.plan.start,
        posterior: &posterior,
        predictive: &pred,
        tick_label: &st.loaded.checked.tick_label,
        out_of_sample: oos.as_ref(),
    };
    let page = crate::output::sensitivity::PageInfo {
        file,
        description: &sc.scenario.description,
        ticks: st.loaded.checked.ticks,
        tick_label: &st.loaded.checked.tick_label,
    };
    let fig_out = o.figures()?;
    let files = crate::plot::with_output(fig_out, || {
        write_calibration(out, &report, !o.no_plots, (!o.no_report).then_some(&page))
    })?;
    if !o.quiet {
        say!("{}", table(&report));
    }
    Ok((files, pred.series.len() as u64 + 1))
}

/// `softpower merge` of calibrate shard folders: every shard of one calibration, each
/// whole; the scenario is read again (its hash must match) to set the fit up.
pub fn merge(dirs: &[PathBuf], out: Option<PathBuf>, o: &OutputArgs) -> Result<()> {
    o.figures()?;
    let (first, c): (_, Command) = super::ensemble::design_shards(dirs)?;
    let st = setup(
        &first.scenario_path,
        Some(c.walkers as u32),
        c.steps as u32,
        Some(c.burn_in as u32),
        c.start,
        rayon::current_num_threads(),
    )?;
    super::ensemble::same_scenario(&st.loaded.text, &first)?;
    let dims = st.problem.space.dims();
    if first.width != Chain::width(dims, c.walkers, c.steps) || first.points != u64::from(c.chains)
    {
        return Err(Error::invalid(
            "the recorded command's chains do not have the shards' shape",
        ));
    }
    // Every part is checked before anything is written.
    let chains = gather(dirs, &first, dims, c.walkers)?;
    let path = out.unwrap_or_else(|| {
        super::default_out(&st.loaded.scenario.scenario.name, "calibrate", Shard::WHOLE)
    });
    let out = OutDir::prepare(&path, o.force)?;
    let (files, _) = finish(
        &st,
        &first.scenario_file,
        &out,
        &chains,
        c.predictive_draws,
        o,
    )?;
    if !o.quiet {
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
        let _ = write!(
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
        let m = p.mixing;
        let _ = write!(
            s,
            "  tau {:.0} ({:.0} tau after burn-in)",
            m.tau, m.steps_over_tau
        );
        if let Some(r_hat) = m.r_hat {
            let _ = write!(s, "  R-hat {r_hat:.3}");
        }
        s.push('\n');
    }
    let _ = writeln!(
        s,
        "\nacceptance {:.1}%{}, best deviance {:.2} over {} survey figures, posterior predictive p-value {:.3}",
        100.0 * r.chain.acceptance(),
        if r.chain.list.len() > 1 {
            format!(
                " over {} chains (R-hat across them, Vehtari et al. 2021; above {} means not mixed){}",
                r.chain.list.len(),
                crate::experiment::calibrate::R_HAT_LIMIT,
                if r.posterior
                    .params
                    .iter()
                    .all(|p| p.mixing.converged() == Some(true))
                {
                    "; converged"
                } else {
                    "; not converged"
                }
            )
        } else {
            String::new()
        },
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
