//! `softpower sensitivity`: global sensitivity of a metric to the scenario's
//! `[[uncertain]]` parameters (Sobol indices or Morris screening). Parses, prints and
//! shows progress; the design, the runs and the estimators live in `experiment`.

use super::progress::Progress;
use super::{OutputArgs, say, thread_pool};
use crate::error::{Error, Result, sha256_hex};
use crate::experiment::batch::{self, Failure, Shard};
use crate::experiment::metric::Metric;
use crate::experiment::uncertainty::{
    Design, Indices, Method, Plan, Probe, Space, analyse, evaluate, variants,
};
use crate::output::OutDir;
use crate::output::batch::{DesignHeader, DesignParts, open_design};
use crate::output::sensitivity::{PageInfo, Report, write_sensitivity};
use crate::scenario::Loaded;
use crate::scenario::check::strategies;
use crate::scenario::strategy::BASELINE;
use crate::scenario::{Overrides, load, preflight};
use clap::{Args, ValueEnum};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum MethodArg {
    /// Variance-based first-order and total indices (Saltelli design, N(d + 2) runs)
    Sobol,
    /// Elementary-effects screening, μ* and σ (r(d + 1) runs)
    Morris,
}

#[derive(Args)]
pub struct SensitivityArgs {
    /// Scenario file with [[uncertain]] blocks
    pub scenario: PathBuf,
    /// sobol: first-order and total indices; morris: cheaper screening
    #[arg(long, value_enum, default_value_t = MethodArg::Sobol)]
    pub method: MethodArg,
    /// Sobol: base sample size N (a power of two); Morris: number of trajectories r [default: 256 for sobol, 20 for morris]
    #[arg(long, value_parser = clap::value_parser!(u32).range(2..=1_048_576))]
    pub samples: Option<u32>,
    /// The metric, e.g. soft_power:norland, favourability:norland@mean(0..52), believing:story@peak [default: soft_power:<focal actor>]
    #[arg(long)]
    pub metric: Option<String>,
    /// Measure this strategy instead of the baseline
    #[arg(long, default_value = BASELINE)]
    pub strategy: String,
    /// Analyse the paired difference: the metric under --strategy minus under this one (same parameters, same seed)
    #[arg(long)]
    pub minus: Option<String>,
    /// Morris grid levels (even)
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(2..=64))]
    pub levels: u32,
    /// Bootstrap resamples for the Sobol intervals
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(0..=100_000))]
    pub bootstrap: u32,
    /// Output folder [default: output/<scenario name>-sensitivity]
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads [default: all cores]; results do not depend on it
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// Run only slice K of N (1-based) of the design, e.g. 2/8; `auto/N` reads SLURM_ARRAY_TASK_ID (1..N) or JOB_COMPLETION_INDEX (0..N-1). Combine slices with `softpower merge`.
    #[arg(long)]
    pub shard: Option<String>,
    /// Continue an interrupted analysis in the same folder, reusing finished design points
    #[arg(long, conflicts_with = "force")]
    pub resume: bool,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Testing aid: stop as if interrupted after this many batches of design points
    #[arg(long, hide = true)]
    pub stop_after_batches: Option<u32>,
}

/// What a sensitivity folder records of its command, so `merge` can set it up again.
#[derive(Serialize, Deserialize)]
struct Command {
    method: String,
    samples: Option<u32>,
    metric: Option<String>,
    strategy: String,
    minus: Option<String>,
    levels: u32,
    bootstrap: u32,
}

/// Design points per part file (any size gives the same results; this one keeps a
/// part's loss on interruption small and its file count low).
const BATCH_POINTS: u64 = 128;

fn invalid(msg: impl std::fmt::Display) -> Error {
    Error::from_text(msg.to_string())
}

/// Everything an analysis needs before its runs: set up the same way by the command and
/// by `merge`.
struct Setup {
    loaded: Loaded,
    names: Vec<String>,
    probe: Probe,
    ticks: u32,
    tick_label: String,
    variants: Vec<crate::experiment::uncertainty::Variant>,
    space: Space,
    method: Method,
    plan: Plan,
    design: Design,
    /// What is measured, in words.
    output: String,
}

fn setup(args: &SensitivityArgs, scenario: &Path) -> Result<Setup> {
    let loaded = load(scenario, &Overrides::default())?;
    // One run per worker thread at a time: the extra worlds beside the first.
    let threads = args
        .threads
        .map_or_else(rayon::current_num_threads, usize::from);
    preflight(&loaded, threads.saturating_sub(1))?;
    let sc = &loaded.scenario;
    if sc.uncertain.is_empty() {
        return Err(Error::invalid(format!(
            "{} has no [[uncertain]] blocks: there is nothing to vary",
            args.scenario.display()
        ))
        .help("give priors to the parameters you are unsure of, e.g.\n  [[uncertain]]\n  path = \"model.exchange.spillover\"\n  prior = \"uniform\"\n  low = 0.1\n  high = 0.5\n(docs/SCENARIO.md, [[uncertain]])"));
    }
    let focal = &loaded.checked.actors[loaded.checked.focal_actor as usize].id;
    let text = args
        .metric
        .clone()
        .unwrap_or_else(|| format!("soft_power:{focal}"));
    let metric = Metric::parse(&text).map_err(|e| Error::invalid(format!("--metric: {e}")))?;
    let mut names = vec![args.strategy.clone()];
    names.extend(args.minus.clone());
    if names.len() == 2 && names[0] == names[1] {
        return Err(Error::invalid(
            "--strategy and --minus name the same strategy: the difference is zero everywhere",
        ));
    }
    // Checks the strategies at the scenario's values, with located errors.
    let checked = strategies::variants(sc, &loaded.checked, loaded.base_dir(), Some(&names))
        .map_err(invalid)?;
    let world = crate::world::build(&checked[0].1);
    let probe = Probe::new(metric, &world).map_err(|e| Error::invalid(format!("--metric: {e}")))?;
    let (ticks, tick_label) = (world.ticks, world.tick_label.clone());
    drop(world);
    let variants = variants(sc, &names).map_err(invalid)?;
    let space = Space::of(sc);
    let method = match args.method {
        MethodArg::Sobol => Method::Sobol,
        MethodArg::Morris => Method::Morris,
    };
    let plan = Plan {
        method,
        samples: args.samples.map_or(
            match method {
                Method::Sobol => 256,
                Method::Morris => 20,
            },
            |n| n as usize,
        ),
        seed: sc.scenario.seed,
        levels: args.levels as usize,
        resamples: args.bootstrap as usize,
        confidence: 0.95,
    };
    let design = Design::new(&plan, space.dims()).map_err(Error::invalid)?;
    let output = match &args.minus {
        Some(b) => format!("{} ({} minus {b})", probe.metric, args.strategy),
        None if args.strategy != BASELINE => format!("{} ({})", probe.metric, args.strategy),
        None => probe.metric.to_string(),
    };
    Ok(Setup {
        loaded,
        names,
        probe,
        ticks,
        tick_label,
        variants,
        space,
        method,
        plan,
        design,
        output,
    })
}

pub fn sensitivity(args: SensitivityArgs) -> Result<()> {
    let st = setup(&args, &args.scenario)?;
    let sc = &st.loaded.scenario;
    // Bad figure options are refused before the runs, not after.
    args.output.figures()?;
    let shard = Shard::parse(args.shard.as_deref(), |k| std::env::var(k).ok()).map_err(invalid)?;
    let header = DesignHeader {
        format: crate::output::ensemble::FORMAT_VERSION,
        kind: "sensitivity".into(),
        softpower_version: env!("CARGO_PKG_VERSION").into(),
        scenario_file: st.loaded.path.display().to_string(),
        scenario_path: std::path::absolute(&st.loaded.path)?,
        scenario_sha256: sha256_hex(st.loaded.text.as_bytes()),
        command: serde_json::to_value(Command {
            method: st.method.name().into(),
            samples: args.samples,
            metric: args.metric.clone(),
            strategy: args.strategy.clone(),
            minus: args.minus.clone(),
            levels: args.levels,
            bootstrap: args.bootstrap,
        })?,
        points: st.design.len() as u64,
        batch_points: BATCH_POINTS,
        width: 1,
        shard: shard.k,
        shards: shard.n,
    };
    let path = args
        .out
        .clone()
        .unwrap_or_else(|| super::default_out(&sc.scenario.name, "sensitivity", shard));
    let out = open_design(path, &header, args.resume, args.output.force)?;

    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        let _ = ctrlc::set_handler(move || stop.store(true, Ordering::SeqCst));
    }
    let pool = thread_pool(args.threads.map(|t| t as usize))?;
    if !args.output.quiet {
        say!(
            "sensitivity \"{}\": {} over {} uncertain parameters, {} runs (seed {} in every run){}",
            sc.scenario.name,
            st.method.name(),
            st.space.dims(),
            st.design.len() * st.names.len(),
            sc.scenario.seed,
            if shard.n > 1 {
                format!(", shard {}/{}", shard.k, shard.n)
            } else {
                String::new()
            }
        );
    }
    let slices = header.slices();
    let parts = DesignParts {
        dir: &out.path,
        slices,
        width: 1,
    };
    let plan = slices.plan(shard, &parts);
    let bar = Progress::new(plan.units, "sensitivity", args.output.quiet);
    let started = Instant::now();
    let outcome = pool
        .install(|| {
            batch::drive(&plan, &parts, &stop, args.stop_after_batches, |b| {
                let points = slices.items(b);
                let sims = (points.end - points.start) * st.names.len() as u64;
                Ok(evaluate(
                    &st.design,
                    points,
                    &st.space,
                    &st.variants[0],
                    st.variants.get(1),
                    st.loaded.base_dir(),
                    &st.probe,
                    &stop,
                    &|| bar.inc(),
                )?
                .map(|o| (o, sims)))
            })
        })
        .map_err(|e| match e {
            Failure::Run(msg) => invalid(msg),
            Failure::Store(e) => e,
        })?;
    bar.finish();
    let secs = started.elapsed().as_secs_f64();
    let sims = outcome.simulations as f64;
    out.write(
        "timing.json",
        &serde_json::to_vec_pretty(&serde_json::json!({
            "threads": pool.current_num_threads(),
            "seconds": secs,
            "simulations": sims,
            "simulations_per_second": sims / secs.max(1e-9),
        }))?,
    )?;
    let (total, missing) = (plan.batches.len(), outcome.missing as usize);
    if outcome.interrupted || missing > 0 {
        return Err(Error::Interrupted(format!(
            "interrupted: {} of {} batches of {BATCH_POINTS} design points are on disk in {}; finished points are kept, no indices were written.\n  help: run the same command with --resume to continue",
            total - missing,
            total,
            out.path.display()
        )));
    }
    if shard.n > 1 {
        super::say_shard_done(
            args.output.quiet,
            "sensitivity",
            &sc.scenario.name,
            (shard.k, shard.n),
            format_args!("{total} batches of design points"),
            &out.path,
        );
        return Ok(());
    }
    // Read back from the parts, as `merge` does: the same bytes either way.
    let outputs = DesignParts::gather(std::slice::from_ref(&out.path), slices, 1)?;
    let mut files = finish(&st, &header.scenario_file, &out, &outputs, &args.output)?;
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

/// Writes the analysis of a complete design (indices, tables, figure, report) and prints
/// its table: the one place the files of `sensitivity` are written, for the command and
/// for `merge`.
fn finish(
    st: &Setup,
    file: &str,
    out: &OutDir,
    outputs: &[f64],
    o: &OutputArgs,
) -> Result<Vec<String>> {
    let sc = &st.loaded.scenario;
    let indices = analyse(&st.design, outputs, &st.plan).map_err(invalid)?;
    let report = Report {
        scenario: &sc.scenario.name,
        scenario_sha256: &sha256_hex(st.loaded.text.as_bytes()),
        seed: sc.scenario.seed,
        method: st.method.name(),
        samples: st.plan.samples,
        output: &st.output,
        space: &st.space,
        design: &st.design,
        outputs,
        indices: &indices,
    };
    let page = PageInfo {
        file,
        description: &sc.scenario.description,
        ticks: st.ticks,
        tick_label: &st.tick_label,
    };
    let fig_out = o.figures()?;
    let files = crate::plot::with_output(fig_out, || {
        write_sensitivity(out, &report, !o.no_plots, (!o.no_report).then_some(&page))
    })?;
    if !o.quiet {
        say!("{}", table(&report));
    }
    Ok(files)
}

/// `softpower merge` of sensitivity shard folders: every shard of one analysis, each
/// whole; the scenario is read again (its hash must match) to set the analysis up.
pub fn merge(dirs: &[PathBuf], out: Option<PathBuf>, o: &OutputArgs) -> Result<()> {
    o.figures()?;
    let (first, c): (_, Command) = super::ensemble::design_shards(dirs)?;
    let first = &first;
    let args = SensitivityArgs {
        scenario: first.scenario_path.clone(),
        method: if c.method == "morris" {
            MethodArg::Morris
        } else {
            MethodArg::Sobol
        },
        samples: c.samples,
        metric: c.metric,
        strategy: c.strategy,
        minus: c.minus,
        levels: c.levels,
        bootstrap: c.bootstrap,
        out: None,
        threads: None,
        shard: None,
        resume: false,
        output: o.clone(),
        stop_after_batches: None,
    };
    let st = setup(&args, &first.scenario_path)?;
    super::ensemble::same_scenario(&st.loaded.text, first)?;
    if st.design.len() as u64 != first.points {
        return Err(Error::invalid(
            "the design of the recorded command does not have the shards' number of points",
        ));
    }
    // Every part is checked before anything is written.
    let outputs = DesignParts::gather(dirs, first.slices(), 1)?;
    let path = out.unwrap_or_else(|| {
        super::default_out(
            &st.loaded.scenario.scenario.name,
            "sensitivity",
            Shard::WHOLE,
        )
    });
    let out = OutDir::prepare(&path, o.force)?;
    let files = finish(&st, &first.scenario_file, &out, &outputs, o)?;
    if !o.quiet {
        say!(
            "\nResults in {}/ ({})",
            out.path.display(),
            files.join(", ")
        );
    }
    Ok(())
}

/// The printed table of indices, most influential parameter first.
fn table(r: &Report) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let mut order: Vec<usize> = (0..r.space.dims()).collect();
    match r.indices {
        Indices::Sobol(x) => {
            order.sort_by(|&a, &b| x.total[b].value.total_cmp(&x.total[a].value));
            let _ = writeln!(
                s,
                "Sobol indices of {} ({:.0}% bootstrap intervals):\n  {:<40} {:>8} {:>21} {:>8} {:>21}",
                r.output,
                100.0 * x.confidence,
                "parameter",
                "first",
                "interval",
                "total",
                "interval"
            );
            for i in order {
                let (f, t) = (x.first[i], x.total[i]);
                let _ = writeln!(
                    s,
                    "  {:<40} {:>8.4} [{:>8.4}, {:>8.4}] {:>8.4} [{:>8.4}, {:>8.4}]",
                    r.space.paths[i], f.value, f.low, f.high, t.value, t.low, t.high
                );
            }
        }
        Indices::Morris(m) => {
            order.sort_by(|&a, &b| m[b].mu_star.total_cmp(&m[a].mu_star));
            let _ = writeln!(
                s,
                "Morris elementary effects of {} (per unit of prior quantile):\n  {:<40} {:>12} {:>12} {:>12}",
                r.output, "parameter", "mu*", "mu", "sigma"
            );
            for i in order {
                let _ = writeln!(
                    s,
                    "  {:<40} {:>12.5} {:>12.5} {:>12.5}",
                    r.space.paths[i], m[i].mu_star, m[i].mu, m[i].sigma
                );
            }
        }
    }
    s
}
