//! `softpower sensitivity`: global sensitivity of a metric to the scenario's
//! `[[uncertain]]` parameters (Sobol indices or Morris screening). Parses, prints and
//! shows progress; the design, the runs and the estimators live in `experiment`.

use super::progress::Progress;
use super::{OutputArgs, say, thread_pool};
use crate::error::{Error, Result, sha256_hex};
use crate::experiment::metric::Metric;
use crate::experiment::uncertainty::{
    Design, Indices, Method, Plan, Probe, Space, analyse, evaluate, variants,
};
use crate::output::OutDir;
use crate::output::sensitivity::{PageInfo, Report, write_sensitivity};
use crate::scenario::check::strategies;
use crate::scenario::strategy::BASELINE;
use crate::scenario::{Overrides, load, preflight};
use clap::{Args, ValueEnum};
use std::path::PathBuf;
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
    #[command(flatten)]
    pub output: OutputArgs,
}

fn invalid(msg: impl std::fmt::Display) -> Error {
    Error::from_text(msg.to_string())
}

pub fn sensitivity(args: SensitivityArgs) -> Result<()> {
    let loaded = load(&args.scenario, &Overrides::default())?;
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
    let vs = variants(sc, &names).map_err(invalid)?;
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
    // Bad figure options are refused before the runs, not after.
    let fig_out = args.output.figures()?;
    let output = match &args.minus {
        Some(b) => format!("{} ({} minus {b})", probe.metric, args.strategy),
        None if args.strategy != BASELINE => format!("{} ({})", probe.metric, args.strategy),
        None => probe.metric.to_string(),
    };
    let path = args.out.clone().unwrap_or_else(|| {
        PathBuf::from("output").join(format!("{}-sensitivity", sc.scenario.name))
    });
    let out = OutDir::prepare(&path, args.output.force)?;

    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        let _ = ctrlc::set_handler(move || stop.store(true, Ordering::SeqCst));
    }
    let pool = thread_pool(args.threads.map(|t| t as usize))?;
    if !args.output.quiet {
        say!(
            "sensitivity \"{}\": {} over {} uncertain parameters, {} runs (seed {} in every run)",
            sc.scenario.name,
            method.name(),
            space.dims(),
            design.len() * names.len(),
            sc.scenario.seed
        );
    }
    let bar = Progress::new(design.len() as u64, "sensitivity", args.output.quiet);
    let started = Instant::now();
    let outputs = pool
        .install(|| {
            evaluate(
                &design,
                &space,
                &vs[0],
                vs.get(1),
                loaded.base_dir(),
                &probe,
                &stop,
                &|| bar.inc(),
            )
        })
        .map_err(invalid)?;
    bar.finish();
    let Some(outputs) = outputs else {
        return Err(Error::Interrupted(format!(
            "interrupted before every design point was simulated; nothing was written to {}",
            out.path.display()
        )));
    };
    let secs = started.elapsed().as_secs_f64();
    let indices = analyse(&design, &outputs, &plan).map_err(invalid)?;
    let report = Report {
        scenario: &sc.scenario.name,
        scenario_sha256: &sha256_hex(loaded.text.as_bytes()),
        seed: sc.scenario.seed,
        method: method.name(),
        samples: plan.samples,
        output: &output,
        space: &space,
        design: &design,
        outputs: &outputs,
        indices: &indices,
    };
    let file = loaded.path.display().to_string();
    let page = PageInfo {
        file: &file,
        description: &sc.scenario.description,
        ticks,
        tick_label: &tick_label,
    };
    let mut files = crate::plot::with_output(fig_out, || {
        write_sensitivity(
            &out,
            &report,
            !args.output.no_plots,
            (!args.output.no_report).then_some(&page),
        )
    })?;
    let sims = (design.len() * names.len()) as f64;
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
