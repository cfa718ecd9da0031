//! `softpower discover`: scenario discovery. Parses the question, shows progress and prints
//! the boxes; sampling, the question and PRIM live in `experiment::discover`.

use super::progress::Progress;
use super::{OutputArgs, say, thread_pool};
use crate::error::{Error, Result, sha256_hex};
use crate::experiment::batch::{self, Failure, Shard};
use crate::experiment::discover::{Question, batch_values, explain, samples_from, shown};
use crate::experiment::discovery::PrimOptions;
use crate::experiment::ensemble::BATCH_RUNS;
use crate::experiment::ensemble::MetricSet;
use crate::experiment::uncertainty::{self, Draws, Space, Variants};
use crate::output::OutDir;
use crate::output::batch::{DesignHeader, DesignParts, open_design};
use crate::output::discover::{Report, write_discover};
use crate::scenario::Loaded;
use crate::scenario::check::strategies;
use crate::scenario::{Overrides, load, preflight};
use clap::Args;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

#[derive(Args)]
pub struct DiscoverArgs {
    /// Scenario file with [[uncertain]] blocks
    pub scenario: PathBuf,
    /// What to explain, in quotes: "METRIC > X", "METRIC < X" (also >=, <=; add "under STRATEGY" for a strategy), or "A beats B on METRIC" (paired: same parameters, same seed)
    #[arg(long)]
    pub question: String,
    /// Samples of the priors (scrambled Sobol points; a power of two spreads them best)
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u32).range(8..=1_000_000))]
    pub samples: u32,
    /// The chosen box is the most covering one whose density (share of yes inside) reaches this
    #[arg(long, default_value_t = 0.9)]
    pub density: f64,
    /// Share of the box's samples peeled off per step
    #[arg(long, default_value_t = 0.05)]
    pub alpha: f64,
    /// Smallest share of all samples a box may hold
    #[arg(long, default_value_t = 0.05)]
    pub min_mass: f64,
    /// Output folder [default: output/<scenario name>-discover]
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads [default: all cores]; results do not depend on it
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// Run only slice K of N (1-based) of the samples, e.g. 2/8; `auto/N` reads SLURM_ARRAY_TASK_ID (1..N) or JOB_COMPLETION_INDEX (0..N-1). Combine slices with `softpower merge`.
    #[arg(long)]
    pub shard: Option<String>,
    /// Continue an interrupted discovery in the same folder, reusing finished samples
    #[arg(long, conflicts_with = "force")]
    pub resume: bool,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Testing aid: stop as if interrupted after this many batches of samples
    #[arg(long, hide = true)]
    pub stop_after_batches: Option<u32>,
}

/// What a discover folder records of its command, so `merge` can set it up again.
#[derive(Serialize, Deserialize)]
struct Command {
    question: String,
    samples: u32,
    density: f64,
    alpha: f64,
    min_mass: f64,
}

fn invalid(msg: impl std::fmt::Display) -> Error {
    Error::from_text(msg.to_string())
}

/// Everything a discovery needs before its runs: set up the same way by the command and
/// by `merge`.
struct Setup {
    loaded: Loaded,
    question: Question,
    metrics: MetricSet,
    names: Vec<String>,
    space: Space,
    variants: Variants,
}

fn setup(args: &DiscoverArgs, scenario: &Path) -> Result<Setup> {
    let loaded = load(scenario, &Overrides::default())?;
    let threads = args
        .threads
        .map_or_else(rayon::current_num_threads, usize::from);
    preflight(&loaded, threads.saturating_sub(1))?;
    let sc = &loaded.scenario;
    if sc.uncertain.is_empty() {
        return Err(Error::invalid(format!(
            "{} has no [[uncertain]] blocks: there is nothing to sample, so no region of parameters can explain an answer",
            args.scenario.display()
        ))
        .help("give priors to the parameters you are unsure of, e.g.\n  [[uncertain]]\n  path = \"model.exchange.spillover\"\n  prior = \"uniform\"\n  low = 0.1\n  high = 0.5\n(docs/SCENARIO.md, [[uncertain]])"));
    }
    for (name, v, ok) in [
        (
            "--density",
            args.density,
            args.density > 0.0 && args.density <= 1.0,
        ),
        ("--alpha", args.alpha, args.alpha > 0.0 && args.alpha <= 0.5),
        (
            "--min-mass",
            args.min_mass,
            args.min_mass > 0.0 && args.min_mass <= 1.0,
        ),
    ] {
        if !ok {
            return Err(Error::invalid(format!(
                "{name} {v}: must lie in {}",
                if name == "--alpha" {
                    "(0, 0.5]"
                } else {
                    "(0, 1]"
                }
            )));
        }
    }
    let focal = &loaded.checked.actors[loaded.checked.focal_actor as usize].id;
    let question = Question::parse(&args.question, &format!("soft_power:{focal}"))
        .map_err(|e| Error::invalid(format!("--question \"{}\": {e}", args.question.trim())))?;
    let metrics = MetricSet::for_scenario(sc, &[question.metric().to_string()])
        .map_err(|e| Error::invalid(format!("--question: {e}")))?;
    let names = question.strategies();
    // The strategies at the scenario's values, with located errors.
    let checked = strategies::variants(sc, &loaded.checked, loaded.base_dir(), Some(&names))
        .map_err(|e| invalid(format!("--question: {e}")))?;
    {
        let (parsed, at) = metrics.parsed().map_err(Error::invalid)?;
        let world = crate::world::build(&checked[0].1);
        crate::experiment::measure::Meter::new(&parsed, at, &world)
            .map_err(|e| Error::invalid(format!("--question: {e}")))?;
    }
    let space = Space::of(sc);
    let variants = Variants::Uncertain {
        templates: uncertainty::variants(sc, &names)
            .map_err(invalid)?
            .into_iter()
            .map(|v| v.template)
            .collect(),
        base_dir: loaded.base_dir().to_path_buf(),
        draws: Draws::new(space.clone(), sc.scenario.seed).map_err(invalid)?,
    };
    Ok(Setup {
        loaded,
        question,
        metrics,
        names,
        space,
        variants,
    })
}

pub fn discover(args: DiscoverArgs) -> Result<()> {
    let st = setup(&args, &args.scenario)?;
    let sc = &st.loaded.scenario;
    args.output.figures()?;
    let shard = Shard::parse(args.shard.as_deref(), |k| std::env::var(k).ok()).map_err(invalid)?;
    let width = st.names.len() as u64;
    let header = DesignHeader {
        format: crate::output::ensemble::FORMAT_VERSION,
        kind: "discover".into(),
        softpower_version: env!("CARGO_PKG_VERSION").into(),
        scenario_file: st.loaded.path.display().to_string(),
        scenario_path: std::path::absolute(&st.loaded.path)?,
        scenario_sha256: sha256_hex(st.loaded.text.as_bytes()),
        command: serde_json::to_value(Command {
            question: args.question.clone(),
            samples: args.samples,
            density: args.density,
            alpha: args.alpha,
            min_mass: args.min_mass,
        })?,
        points: args.samples as u64,
        // The ensemble's batches: batch b of the driver is `run_batch`'s batch b.
        batch_points: BATCH_RUNS as u64,
        width,
        shard: shard.k,
        shards: shard.n,
    };
    let path = args
        .out
        .clone()
        .unwrap_or_else(|| super::default_out(&sc.scenario.name, "discover", shard));
    let out = open_design(path, &header, args.resume, args.output.force)?;

    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        let _ = ctrlc::set_handler(move || stop.store(true, Ordering::SeqCst));
    }
    let pool = thread_pool(args.threads.map(|t| t as usize))?;
    if !args.output.quiet {
        say!(
            "discover \"{}\": is \"{}\"? {} samples of {} uncertain parameters ({}), {} runs{}",
            sc.scenario.name,
            st.question,
            args.samples,
            st.space.dims(),
            st.space.paths.join(", "),
            args.samples as usize * st.names.len(),
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
        width,
    };
    let plan = slices.plan(shard, &parts);
    let bar = Progress::new(plan.units * width, "discovering", args.output.quiet);
    let started = Instant::now();
    let outcome = pool
        .install(|| {
            batch::drive(&plan, &parts, &stop, args.stop_after_batches, |b| {
                let sims = slices.items(b).count() as u64 * width;
                Ok(batch_values(
                    &st.variants,
                    b,
                    args.samples,
                    sc.scenario.seed,
                    &st.metrics,
                    &stop,
                    &|| bar.inc(),
                )?
                .map(|v| (v, sims)))
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
            "interrupted: {} of {} batches of {BATCH_RUNS} samples are on disk in {}; finished samples are kept, no boxes were written.\n  help: run the same command with --resume to continue",
            total - missing,
            total,
            out.path.display()
        )));
    }
    if shard.n > 1 {
        super::say_shard_done(
            args.output.quiet,
            "discover",
            &sc.scenario.name,
            (shard.k, shard.n),
            format_args!("{total} batches of samples"),
            &out.path,
        );
        return Ok(());
    }
    // Read back from the parts, as `merge` does: the same bytes either way.
    let values = DesignParts::gather(std::slice::from_ref(&out.path), slices, width)?;
    let mut files = finish(&st, &args, &out, &values)?;
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

/// PRIM on the samples, the files of `discover` and the boxes printed: the one place the
/// files of `discover` are written, for the command and for `merge`.
fn finish(st: &Setup, args: &DiscoverArgs, out: &OutDir, values: &[f64]) -> Result<Vec<String>> {
    let sc = &st.loaded.scenario;
    let question = &st.question;
    let samples = samples_from(question, &st.variants, &st.metrics, values).map_err(invalid)?;
    let options = PrimOptions {
        alpha: args.alpha,
        min_mass: args.min_mass,
    };
    let d = explain(question, &st.space.paths, &samples, options, args.density).map_err(|e| {
        Error::invalid(format!("--question \"{question}\": {e}")).help(
            "ask a question whose answer varies: move the threshold into the range the samples reached, ask the opposite comparison, or widen the priors",
        )
    })?;
    let report = Report {
        scenario: &sc.scenario.name,
        scenario_sha256: &sha256_hex(st.loaded.text.as_bytes()),
        seed: sc.scenario.seed,
        question,
        metric: &st.metrics.focal,
        space: &st.space,
        samples: &samples,
        discovery: &d,
        alpha: args.alpha,
        min_mass: args.min_mass,
        min_density: args.density,
    };
    let file = st.loaded.path.display().to_string();
    let page = crate::output::sensitivity::PageInfo {
        file: &file,
        description: &sc.scenario.description,
        ticks: st.loaded.checked.ticks,
        tick_label: &st.loaded.checked.tick_label,
    };
    let fig_out = args.output.figures()?;
    let files = crate::plot::with_output(fig_out, || {
        write_discover(
            out,
            &report,
            !args.output.no_plots,
            (!args.output.no_report).then_some(&page),
        )
    })?;
    if !args.output.quiet {
        say!("{}", text(&report, args.density));
    }
    Ok(files)
}

/// `softpower merge` of discover shard folders: every shard of one discovery, each
/// whole; the scenario is read again (its hash must match) to set the question up.
pub fn merge(dirs: &[PathBuf], out: Option<PathBuf>, o: &OutputArgs) -> Result<()> {
    o.figures()?;
    let (first, c): (_, Command) = super::ensemble::design_shards(dirs)?;
    let first = &first;
    let args = DiscoverArgs {
        scenario: first.scenario_path.clone(),
        question: c.question,
        samples: c.samples,
        density: c.density,
        alpha: c.alpha,
        min_mass: c.min_mass,
        out: None,
        threads: None,
        shard: None,
        resume: false,
        output: o.clone(),
        stop_after_batches: None,
    };
    let st = setup(&args, &first.scenario_path)?;
    super::ensemble::same_scenario(&st.loaded.text, first)?;
    // Every part is checked before anything is written.
    let values = DesignParts::gather(dirs, first.slices(), first.width)?;
    let path = out.unwrap_or_else(|| {
        super::default_out(&st.loaded.scenario.scenario.name, "discover", Shard::WHOLE)
    });
    let out = OutDir::prepare(&path, o.force)?;
    let files = finish(&st, &args, &out, &values)?;
    if !o.quiet {
        say!(
            "\nResults in {}/ ({})",
            out.path.display(),
            files.join(", ")
        );
    }
    Ok(())
}

/// The peeled boxes in words and the chosen one.
fn text(r: &Report, min_density: f64) -> String {
    use std::fmt::Write;
    let d = r.discovery;
    let t = &d.trajectory;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "\"{}\" holds in {} of {} samples ({:.1}%). PRIM peeled {} boxes (discover.csv has them all):",
        r.question,
        d.cases,
        d.runs,
        100.0 * d.cases as f64 / d.runs as f64,
        t.boxes.len() - 1
    );
    let _ = writeln!(
        s,
        "  {:>4} {:>9} {:>8} {:>6}  box",
        "#", "coverage", "density", "mass"
    );
    for i in shown(d, 12) {
        let b = &t.boxes[i];
        let _ = writeln!(
            s,
            "  {i:>4} {:>8.1}% {:>7.1}% {:>5.1}%  {}{}",
            100.0 * b.coverage,
            100.0 * b.density,
            100.0 * b.mass,
            t.describe(i),
            if i == d.chosen { "   <- chosen" } else { "" }
        );
    }
    let b = &t.boxes[d.chosen];
    let _ = writeln!(
        s,
        "\nChosen box: {}.\n  Inside it the answer is yes in {:.1}% of samples (density), and it holds {:.1}% of all yes-samples (coverage) in {:.1}% of the samples (mass).",
        t.describe(d.chosen),
        100.0 * b.density,
        100.0 * b.coverage,
        100.0 * b.mass
    );
    if !d.reached {
        let _ = writeln!(
            s,
            "  No box reaches the density asked for ({:.0}%): this is the densest. The answer is not confined to one box of these parameters; try --density lower, or more --samples.",
            100.0 * min_density
        );
    }
    let free: Vec<&str> = r
        .space
        .paths
        .iter()
        .enumerate()
        .filter(|(j, _)| !b.low[*j].is_finite() && !b.high[*j].is_finite())
        .map(|(_, p)| p.as_str())
        .collect();
    if !free.is_empty() {
        let _ = writeln!(
            s,
            "  Unrestricted (any value in the prior): {}.",
            free.join(", ")
        );
    }
    s
}
