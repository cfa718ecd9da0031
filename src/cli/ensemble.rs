//! `softpower compare`, `sweep` and `merge`: ensembles of seeded runs with paired
//! statistics, resumable, interruptible and shardable.

use super::progress::Progress;
use super::{OutputArgs, say, tell, thread_pool};
use crate::error::{Error, Result, sha256_hex};
use crate::experiment::batch::{self, Failure, Job, Offered, Shard, grid, parse_set};
use crate::experiment::ensemble::{BATCH_RUNS, MetricSet};
use crate::experiment::uncertainty::{self, Draws, Space, Variants};
use crate::output::OutDir;
use crate::output::batch::{PartFiles, open, write_timing};
use crate::output::ensemble::{
    self as files, Aggregate, Header, Manifest, SweepParam, VariantInfo, aggregate, has_part,
    read_header,
};
use crate::scenario::check::strategies::variants;
use crate::scenario::edit::set_path;
use crate::scenario::strategy::BASELINE;
use crate::scenario::{Loaded, Overrides, check, load, preflight};
use clap::Args;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

#[derive(Args, Clone)]
pub struct EnsembleArgs {
    /// Seeded runs per strategy or sweep point (common random numbers: run r uses the same seed everywhere)
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=10_000_000))]
    pub runs: u32,
    /// What to measure, repeatable; the first is the headline that ranks [default: soft_power:<focal actor>]
    ///
    /// QUANTITY:ENTITY[SELECTORS]@REDUCTION (docs/ANALYSIS.md, "Metrics"). QUANTITY: soft_power, familiarity, trust, favourability, credibility, spend (of an actor); believing, fact_checked, prebunked (of a story); stance (FROM->TO). SELECTORS restrict it to populations: a population id, home:ACTOR, group:PREFIX or all, comma-separated. REDUCTION: final (default), a tick (@52), peak, trough, mean, mean(A..B), peak_tick, first>X, first<X (a threshold never crossed reads as ticks + 1). Examples: believing:grain_plot@peak, favourability:norland[home:meridia]@mean(10..52), soft_power:norland@26
    #[arg(long = "metric", value_name = "METRIC")]
    pub metric: Vec<String>,
    /// Output folder [default: output/<scenario name>-compare or -sweep]
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads [default: all cores]; results do not depend on it
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// Run only slice K of N (1-based) of the work, e.g. 2/8; `auto/N` reads SLURM_ARRAY_TASK_ID (1..N) or JOB_COMPLETION_INDEX (0..N-1). Combine slices with `softpower merge`.
    #[arg(long)]
    pub shard: Option<String>,
    /// Continue an interrupted ensemble in the same folder, reusing finished runs
    #[arg(long, conflicts_with = "force")]
    pub resume: bool,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Testing aid: stop as if interrupted after this many batches
    #[arg(long, hide = true)]
    pub stop_after_batches: Option<u32>,
}

#[derive(Args)]
pub struct CompareArgs {
    /// Scenario file with [[strategy]] blocks
    pub scenario: PathBuf,
    /// Strategies to compare with the baseline, comma-separated [default: all]
    #[arg(long, value_delimiter = ',')]
    pub strategies: Option<Vec<String>>,
    /// A compared strategy that does nothing (spends nothing): cost-effectiveness is also reported against it
    #[arg(long, value_name = "STRATEGY")]
    pub do_nothing: Option<String>,
    #[command(flatten)]
    pub common: EnsembleArgs,
}

#[derive(Args)]
pub struct SweepArgs {
    /// Scenario file
    pub scenario: PathBuf,
    /// PATH=START..END:STEPS, e.g. actor.usa.budget=5..20:4 (one or two --set)
    #[arg(long = "set", required_unless_present = "split")]
    pub sets: Vec<String>,
    /// Instead of --set: split a fixed total between an actor's campaigns, ACTOR:CAMPAIGN,CAMPAIGN[,...]; each point is paired against the scenario as written, and pareto.csv/pareto.png show the cost-effect frontier
    #[arg(
        long,
        conflicts_with = "sets",
        requires = "total",
        value_name = "ACTOR:CAMPAIGNS"
    )]
    pub split: Option<String>,
    /// With --split: the spend per tick the campaigns share (their `spend` values sum to it); several totals, comma-separated, sweep spend levels too
    #[arg(long, value_delimiter = ',', requires = "split")]
    pub total: Vec<f64>,
    /// With --split: every share is a multiple of 1/STEPS (a simplex lattice of C(STEPS + k - 1, k - 1) points per total for k campaigns)
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub steps: u32,
    #[command(flatten)]
    pub common: EnsembleArgs,
}

#[derive(Args)]
pub struct MergeArgs {
    /// Shard folders written by `compare`, `sweep`, `sensitivity` or `discover` with `--shard K/N`
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Output folder [default: output/<scenario name>-<compare|sweep|sensitivity|discover>]
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub output: OutputArgs,
}

fn invalid(msg: impl std::fmt::Display) -> Error {
    Error::from_text(msg.to_string())
}

fn load_scenario(path: &Path) -> Result<Loaded> {
    let loaded = load(path, &Overrides::default())?;
    // One run here; `execute` checks the ensemble as a whole once its variants are known.
    preflight(&loaded, 0)?;
    Ok(loaded)
}

pub fn compare(args: CompareArgs) -> Result<()> {
    let loaded = load_scenario(&args.scenario)?;
    let sc = &loaded.scenario;
    if sc.strategies.is_empty() && args.strategies.is_none() {
        tell!(
            "note: {} declares no [[strategy]]: only the baseline is run (see docs/SCENARIO.md, [[strategy]])",
            args.scenario.display()
        );
    }
    let vs = variants(
        sc,
        &loaded.checked,
        loaded.base_dir(),
        args.strategies.as_deref(),
    )
    .map_err(invalid)?;
    let infos: Vec<VariantInfo> = vs
        .iter()
        .map(|(name, _)| VariantInfo {
            name: name.clone(),
            description: if name == BASELINE {
                "the scenario as written".into()
            } else {
                sc.strategies
                    .iter()
                    .find(|s| &s.name == name)
                    .map_or(String::new(), |s| s.description.clone())
            },
            values: Vec::new(),
        })
        .collect();
    let scenarios = if sc.uncertain.is_empty() {
        Variants::Fixed(vs.into_iter().map(|(_, s)| s).collect())
    } else {
        let names: Vec<String> = vs.into_iter().map(|(n, _)| n).collect();
        let space = Space::of(sc);
        if !args.common.output.quiet {
            say!(
                "Under uncertainty: run r of every strategy takes the same seed and the same draw of {} uncertain parameters ({}), from a scrambled Sobol sequence.",
                space.dims(),
                space.paths.join(", ")
            );
        }
        Variants::Uncertain {
            templates: uncertainty::variants(sc, &names)
                .map_err(invalid)?
                .into_iter()
                .map(|v| v.template)
                .collect(),
            base_dir: loaded.base_dir().to_path_buf(),
            draws: Draws::new(space, sc.scenario.seed).map_err(invalid)?,
        }
    };
    if let Some(d) = &args.do_nothing
        && !infos.iter().any(|v: &VariantInfo| &v.name == d)
    {
        return Err(Error::invalid(format!(
            "--do-nothing {d}: not among the compared strategies{}",
            crate::experiment::prior::did_you_mean(d, infos.iter().map(|v| v.name.as_str()))
        ))
        .help("name one of the strategies compared (see --strategies)"));
    }
    drive(
        "compare",
        &loaded,
        infos,
        scenarios,
        Vec::new(),
        args.do_nothing.clone(),
        &args.common,
    )
}

pub fn sweep(args: SweepArgs) -> Result<()> {
    let loaded = load_scenario(&args.scenario)?;
    if let Some(spec) = &args.split {
        return split_sweep(&loaded, spec, &args);
    }
    let sc = &loaded.scenario;
    if args.sets.len() > 2 {
        return Err(Error::invalid(format!("{} --set given", args.sets.len()))
            .help("a sweep takes one or two --set PATH=START..END:STEPS"));
    }
    let mut params = Vec::new();
    for s in &args.sets {
        let (path, values) = parse_set(s).map_err(invalid)?;
        params.push(SweepParam { path, values });
    }
    let axes: Vec<Vec<f64>> = params.iter().map(|p| p.values.clone()).collect();
    let grid = grid(&axes).map_err(invalid)?;
    if params.len() == 2 && params[0].path == params[1].path {
        return Err(
            Error::invalid(format!("--set {} is given twice", params[0].path))
                .help("a two-way sweep varies two different parameters"),
        );
    }
    let mut base = sc.clone();
    base.strategies.clear();
    // A swept parameter takes the swept values, not its prior's draws.
    let swept: Vec<&str> = params.iter().map(|p| p.path.as_str()).collect();
    base.uncertain.retain(|u| {
        let keep = !swept.contains(&u.path.as_str());
        if !keep {
            tell!(
                "note: {} is swept, so its [[uncertain]] prior is not sampled",
                u.path
            );
        }
        keep
    });
    let mut infos = Vec::new();
    let mut points = Vec::new();
    for (i, point) in grid.iter().enumerate() {
        let mut s = base.clone();
        for (p, &v) in params.iter().zip(point) {
            s = set_path(&s, &p.path, v).map_err(|e| {
                let err = Error::invalid(format!("--set {}: {}", p.path, e.message));
                if e.help.is_empty() {
                    err
                } else {
                    err.help(e.help)
                }
            })?;
        }
        let checked = check(&s, loaded.base_dir()).map_err(|d| {
            let first = &d[0];
            let at: Vec<String> = params
                .iter()
                .zip(point)
                .map(|(p, v)| format!("{}={v}", p.path))
                .collect();
            let err = Error::invalid(format!(
                "at {}: {}: {}",
                at.join(", "),
                first.path,
                first.message
            ));
            match &first.help {
                Some(h) => err.help(h.clone()),
                None => err,
            }
        })?;
        infos.push(VariantInfo {
            name: format!("p{i:03}"),
            description: String::new(),
            values: point.clone(),
        });
        points.push((s, checked));
    }
    let scenarios = under_priors(&loaded, &base, points, "point", args.common.output.quiet)?;
    drive(
        "sweep",
        &loaded,
        infos,
        scenarios,
        params,
        None,
        &args.common,
    )
}

/// The variants of a sweep: fixed when the scenario has no priors left to sample, else
/// drawn per run as in `compare` (run r of every point takes the same seed and the same
/// parameter draw). `points` are each point's raw scenario and its check at the values
/// as written (so a bad point is reported before any draw).
fn under_priors(
    loaded: &Loaded,
    base: &crate::scenario::Scenario,
    points: Vec<(crate::scenario::Scenario, crate::scenario::CheckedScenario)>,
    what: &str,
    quiet: bool,
) -> Result<Variants> {
    if base.uncertain.is_empty() {
        return Ok(Variants::Fixed(
            points.into_iter().map(|(_, c)| c).collect(),
        ));
    }
    let space = Space::of(base);
    if !quiet {
        say!(
            "Under uncertainty: run r of every {what} takes the same seed and the same draw of {} uncertain parameters ({}), from a scrambled Sobol sequence.",
            space.dims(),
            space.paths.join(", ")
        );
    }
    let templates = points
        .iter()
        .map(|(raw, _)| {
            crate::scenario::check::uncertain::Template::new(
                &crate::scenario::check::uncertain::bare(raw),
            )
        })
        .collect::<std::result::Result<Vec<_>, String>>()
        .map_err(invalid)?;
    Ok(Variants::Uncertain {
        templates,
        base_dir: loaded.base_dir().to_path_buf(),
        draws: Draws::new(space, base.scenario.seed).map_err(invalid)?,
    })
}

/// `sweep --split`: the scenario as written, then every split of every total, paired.
fn split_sweep(loaded: &Loaded, spec: &str, args: &SweepArgs) -> Result<()> {
    use crate::experiment::split::{SplitSpec, points};
    let sc = &loaded.scenario;
    let spec =
        SplitSpec::parse(spec, sc).map_err(|e| Error::invalid(format!("--split {spec}: {e}")))?;
    if let Some(t) = args.total.iter().find(|t| !(t.is_finite() && **t >= 0.0)) {
        return Err(Error::invalid(format!(
            "--total {t}: a total spend per tick must be a finite number of at least 0"
        )));
    }
    let pts = points(
        sc,
        loaded.base_dir(),
        &spec,
        &args.total,
        args.steps as usize,
    )
    .map_err(|e| {
        Error::invalid(format!("--split: {e}"))
            .help("every split must fit the actor's budget at every tick: lower --total, or raise the actor's budget")
    })?;
    let mut base = sc.clone();
    base.strategies.clear();
    // A split campaign's spend is set by the split, not drawn from a prior.
    let split_paths: Vec<String> = spec
        .campaigns
        .iter()
        .map(|c| format!("campaign.{c}.spend"))
        .collect();
    base.uncertain.retain(|u| {
        let keep = !split_paths.contains(&u.path);
        if !keep {
            tell!(
                "note: {} is split, so its [[uncertain]] prior is not sampled",
                u.path
            );
        }
        keep
    });
    let mut infos = vec![VariantInfo {
        name: BASELINE.into(),
        description: "the scenario as written".into(),
        values: Vec::new(),
    }];
    let mut raws = vec![(base.clone(), loaded.checked.clone())];
    // Every declared strategy is a point of the frontier too, paired over the same seeds
    // (and, under priors, the same draws).
    for (name, description, checked) in
        crate::experiment::split::strategy_points(sc, &loaded.checked, loaded.base_dir())
            .map_err(invalid)?
    {
        let Some((i, st)) = sc
            .strategies
            .iter()
            .enumerate()
            .find(|(_, x)| x.name == name)
        else {
            continue;
        };
        let raw = crate::scenario::strategy::apply(&base, i, st)
            .map_err(|d| invalid(format!("strategy {name}: {}", d[0].message)))?
            .0;
        infos.push(VariantInfo {
            name,
            description,
            values: Vec::new(),
        });
        raws.push((raw, checked));
    }
    for p in pts {
        let total = crate::output::tables::fmt(p.total);
        infos.push(VariantInfo {
            name: p.name,
            description: format!(
                "{total} per tick split between {}",
                spec.campaigns.join(", ")
            ),
            values: Vec::new(),
        });
        // The same split on the raw scenario, for the per-run draws.
        let mut raw = base.clone();
        for (c, &v) in spec.campaigns.iter().zip(&p.spends) {
            if let Some(k) = raw.campaigns.iter_mut().find(|k| &k.id == c) {
                k.spend = v;
            }
        }
        raws.push((raw, p.scenario));
    }
    let scenarios = under_priors(loaded, &base, raws, "split", args.common.output.quiet)?;
    let mut common = args.common.clone();
    // The cost is the splitting actor's spend unless a metric of another actor says so.
    if common.metric.is_empty() {
        common.metric.push(format!("soft_power:{}", spec.actor));
    }
    drive("split", loaded, infos, scenarios, Vec::new(), None, &common)
}

fn drive(
    kind: &str,
    loaded: &Loaded,
    infos: Vec<VariantInfo>,
    scenarios: Variants,
    sweep: Vec<SweepParam>,
    do_nothing: Option<String>,
    a: &EnsembleArgs,
) -> Result<()> {
    let sc = &loaded.scenario;
    let metrics = MetricSet::for_scenario(sc, &a.metric).map_err(invalid)?;
    let shard = Shard::parse(a.shard.as_deref(), |k| std::env::var(k).ok()).map_err(invalid)?;
    let manifest = Manifest {
        kind: kind.into(),
        softpower_version: env!("CARGO_PKG_VERSION").into(),
        scenario: sc.scenario.name.clone(),
        scenario_sha256: sha256_hex(loaded.text.as_bytes()),
        seed: sc.scenario.seed,
        runs: a.runs,
        ticks: sc.scenario.ticks,
        tick_label: sc.scenario.tick_label.clone(),
        batch_runs: BATCH_RUNS,
        variants: infos,
        sweep,
        metrics,
        do_nothing,
    };
    let header = Header {
        format: files::FORMAT_VERSION,
        manifest,
        shard: shard.k,
        shards: shard.n,
        description: sc.scenario.description.clone(),
    };
    execute(&header, &scenarios, a)
}

/// Peak memory of an ensemble (`compare`, `sweep`): one run per worker thread at a time,
/// a batch of focal series per variant, and each variant's per-tick band histogram.
fn ensemble_memory(variants: &[crate::scenario::CheckedScenario], threads: usize) -> u64 {
    let one_run = variants
        .iter()
        .map(crate::scenario::preflight::estimate_memory)
        .max()
        .unwrap_or(0);
    let bands: u64 = variants
        .iter()
        .map(|v| {
            (v.ticks as u64 + 1).saturating_mul(
                // The band histogram, the paired-difference sums, a batch of series.
                crate::experiment::stats::BAND_BYTES_PER_TICK + 16 + BATCH_RUNS as u64 * 8,
            )
        })
        .fold(0u64, u64::saturating_add);
    one_run
        .saturating_mul(threads.max(1) as u64)
        .saturating_add(bands)
}

fn execute(h: &Header, scenarios: &Variants, a: &EnsembleArgs) -> Result<()> {
    // Figure options are checked before any work is done.
    a.output.figures()?;
    let pool = thread_pool(a.threads.map(|t| t as usize))?;
    // Before any file is written: runs in parallel and per-tick bands must fit.
    // Uncertain parameters do not change sizes: the first draw stands for all.
    let first: Vec<crate::scenario::CheckedScenario> = (0..scenarios.len())
        .map(|v| scenarios.scenario(v, 0))
        .collect::<std::result::Result<_, String>>()
        .map_err(Error::invalid)?;
    // Every metric must be measurable on a run of this scenario (selectors, stances).
    {
        let (metrics, focal) = h.manifest.metrics.parsed().map_err(Error::invalid)?;
        let world = crate::world::build(&first[0]);
        crate::experiment::measure::Meter::new(&metrics, focal, &world)
            .map_err(|e| Error::invalid(format!("--metric: {e}")))?;
    }
    let need = ensemble_memory(&first, pool.current_num_threads());
    crate::scenario::preflight::fits(need).map_err(|msg| {
        Error::invalid(format!(
            "{}: the ensemble{}",
            h.manifest.scenario,
            &msg[4..]
        ))
        .help("use fewer ticks or strategies, fewer --threads, or a smaller scenario")
    })?;
    let m = &h.manifest;
    let path = a.out.clone().unwrap_or_else(|| {
        let shard = Shard {
            k: h.shard,
            n: h.shards,
        };
        super::default_out(&m.scenario, &m.kind, shard)
    });
    let out = open(path, h, a.resume, a.output.force)?;

    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        // A second handler cannot be installed in one process; the first one serves.
        let _ = ctrlc::set_handler(move || stop.store(true, Ordering::SeqCst));
    }
    let job = Job {
        variants: scenarios,
        runs: m.runs,
        seed: m.seed,
        metrics: &m.metrics,
        shard: Shard {
            k: h.shard,
            n: h.shards,
        },
    };
    let parts = PartFiles(&out);
    let plan = job.plan(&parts);
    let bar = Progress::new(
        plan.units,
        if m.kind == "sweep" {
            "sweeping"
        } else {
            "comparing"
        },
        a.output.quiet,
    );
    let started = Instant::now();
    let outcome = pool
        .install(|| {
            batch::run(&job, &plan, &parts, &stop, a.stop_after_batches, &|| {
                bar.inc()
            })
        })
        .map_err(|e| match e {
            Failure::Run(msg) => invalid(msg),
            Failure::Store(e) => e,
        })?;
    bar.finish();
    write_timing(
        &out,
        pool.current_num_threads(),
        started.elapsed().as_secs_f64(),
        outcome.simulations as f64,
    )?;

    let (total, missing) = (plan.batches.len(), outcome.missing as usize);
    if h.shards > 1 {
        super::say_shard_done(
            a.output.quiet,
            &m.kind,
            &m.scenario,
            (h.shard, h.shards),
            format_args!("{} of {total} batches", total - missing),
            &out.path,
        );
    } else {
        let agg = aggregate(m, std::slice::from_ref(&out.path))?;
        if agg.runs_done() == 0 {
            // Nothing to summarise: tables of no runs would be all NaN.
            return Err(Error::Interrupted(format!(
                "interrupted before any run finished: no results, no tables written in {}.\n  help: run the same command with --resume to start the work again",
                out.path.display()
            )));
        }
        finish(&out, &agg, &a.output, &h.description)?;
    }
    if outcome.interrupted || missing > 0 {
        return Err(Error::Interrupted(format!(
            "interrupted: {} of {} batches of {} runs are on disk in {}; finished runs are kept.\n  help: run the same command with --resume to continue",
            total - missing,
            total,
            BATCH_RUNS,
            out.path.display()
        )));
    }
    Ok(())
}

fn finish(out: &OutDir, agg: &Aggregate, o: &super::OutputArgs, description: &str) -> Result<()> {
    let (plots, quiet) = (!o.no_plots, o.quiet);
    let m = &agg.manifest;
    let report = files::ReportSpec {
        write: !o.no_report,
        description: description.to_string(),
    };
    let fig_out = o.figures()?;
    let written = crate::plot::with_output(fig_out, || {
        if m.kind == "sweep" {
            files::write_sweep(out, agg, plots && agg.complete, &report)
        } else {
            // A split's pareto.csv and figure are written (and shown on its page) here too.
            files::write_compare(
                out,
                agg,
                &capitalise(&m.tick_label),
                plots && agg.complete,
                &report,
            )
        }
    })?;
    // decision.csv is written (and listed) with the compare's tables; the terminal gets
    // its regret table.
    let regret = if m.kind == "compare" && m.variants.len() > 1 {
        crate::output::sensitivity::decision(agg).map(|d| decision_text(agg, &d))
    } else {
        None
    };
    if !quiet {
        say!("{}", ranking_text(agg));
        if let Some(r) = regret {
            say!("{r}");
        }
        // The manifest was checked on reading: its focal metric is among its metrics.
        let focal = m
            .metrics
            .names
            .iter()
            .position(|n| n == &m.metrics.focal)
            .ok_or_else(|| Error::failure("the focal metric is not among the metrics"))?;
        let varies = agg
            .results
            .iter()
            .any(|rs| rs.iter().any(|r| r.finals[focal] != rs[0].finals[focal]));
        if agg.runs_done() == 1 {
            say!(
                "\nnote: one run per {}: no interval and no share of runs is computed, and a difference is not evidence of an effect unless the scenario has no random element; use --runs 2 or more.",
                if m.kind == "sweep" {
                    "point"
                } else {
                    "strategy"
                }
            );
        } else if !varies {
            say!(
                "\nnote: every run gave the same result: this scenario has no random element (no stories, no generated populations), so the intervals are zero-width; one run would do."
            );
        }
        say!(
            "\nResults in {}/ ({})",
            out.path.display(),
            written.join(", ")
        );
    }
    Ok(())
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or(String::new(), |f| {
        f.to_uppercase().collect::<String>() + c.as_str()
    })
}

/// A number for the terminal, "-" where it is undefined (one run has no interval).
fn num(v: f64, signed: bool) -> String {
    // No "-0.00000": a zero difference has no sign.
    let v = if v == 0.0 { 0.0 } else { v };
    match (v.is_finite(), signed) {
        (false, _) => "-".into(),
        (true, true) => format!("{v:+.5}"),
        (true, false) => format!("{v:.5}"),
    }
}

/// "[lo, hi]" or "-" when there is no interval.
fn interval(lo: f64, hi: f64, signed: bool) -> String {
    if lo.is_finite() && hi.is_finite() {
        format!("[{}, {}]", num(lo, signed), num(hi, signed))
    } else {
        "-".into()
    }
}

/// A paired effect in a few characters: the mean difference, starred where its 95%
/// interval excludes zero.
fn effect_cell(p: &crate::experiment::stats::Paired) -> String {
    let d = &p.diff;
    let sure = d.ci_low > 0.0 || d.ci_high < 0.0;
    format!("{}{}", num(d.mean, true), if sure { "*" } else { " " })
}

/// The ranked table printed after `compare` and `sweep`: the headline ranks; the other
/// metrics asked for and the side effects on every actor's index and every story follow
/// as paired differences from the baseline (or first point).
pub fn ranking_text(agg: &Aggregate) -> String {
    use std::fmt::Write;
    let m = &agg.manifest;
    let mut s = String::new();
    let status = if agg.complete {
        String::new()
    } else {
        " (INCOMPLETE)".into()
    };
    let what = if m.kind == "split" {
        "split"
    } else if m.kind == "sweep" {
        "point"
    } else {
        "strategy"
    };
    let _ = writeln!(
        s,
        "{} \"{}\": {} runs per {what}, seed {}{status}",
        m.kind,
        m.scenario,
        agg.runs_done(),
        m.seed
    );
    let headline = crate::experiment::metric::Metric::parse(&m.metrics.focal)
        .map_or(m.metrics.focal.clone(), |x| x.headline());
    let _ = writeln!(
        s,
        "Headline: {headline} ({} is better); paired differences against {}",
        if crate::experiment::ensemble::lower_is_better(&m.metrics.focal) {
            "lower"
        } else {
            "higher"
        },
        m.variants[0].name
    );
    let label = |name: &str| -> String {
        match m.variants.iter().find(|v| v.name == name) {
            Some(v) if !v.values.is_empty() => m
                .sweep
                .iter()
                .zip(&v.values)
                .map(|(p, x)| {
                    let x = crate::output::tables::fmt(*x);
                    format!("{}={x}", p.path.rsplit('.').next().unwrap_or(&p.path))
                })
                .collect::<Vec<_>>()
                .join(" "),
            _ => name.to_string(),
        }
    };
    let _ = writeln!(
        s,
        "\n  {:<3} {:<24} {:>10} {:>23} {:>10} {:>23} {:>7} {:>12}",
        "#", what, "mean", "95% CI", "vs base", "95% CI", "better", "gain/100u"
    );
    let rank = crate::output::ensemble::ranking(agg);
    for (i, r) in rank.iter().take(40).enumerate() {
        let _ = writeln!(
            s,
            "  {:<3} {:<24} {:>10} {:>23} {:>10} {:>23} {:>7} {:>12}",
            i + 1,
            label(&r.variant),
            num(r.mean, false),
            interval(r.ci_low, r.ci_high, false),
            num(r.diff, true),
            interval(r.diff_ci_low, r.diff_ci_high, true),
            if r.share_better.is_finite() {
                format!("{:.0}%", 100.0 * r.share_better)
            } else {
                "-".into()
            },
            num(r.gain_per_100, true)
        );
    }
    let _ = writeln!(
        s,
        "  gain/100u: paired gain over {} in the headline (positive = better) per 100 budget units {} spends beyond it; \"-\" where it spends no more.",
        m.variants[0].name, m.metrics.cost_actor
    );
    if let Some(d) = &m.do_nothing {
        let _ = writeln!(
            s,
            "\nGain over doing nothing ({d}) per 100 budget units {} spends beyond it, with its 95% CI:",
            m.metrics.cost_actor
        );
        for r in rank.iter().take(40).filter(|r| &r.variant != d) {
            if let Some([g, lo, hi]) = r.vs_do_nothing {
                let _ = writeln!(
                    s,
                    "  {:<28} {:>10} {:>23}",
                    label(&r.variant),
                    num(g, true),
                    interval(lo, hi, true)
                );
            }
        }
    }
    if m.variants.len() < 2 {
        return s;
    }
    // Every other metric asked for, then every actor's index and every story.
    let mut columns: Vec<String> = m.metrics.headlines().into_iter().skip(1).collect();
    let std_names = &m.metrics.names;
    for n in std_names {
        let side =
            n.starts_with("soft_power:") || (n.starts_with("believing:") && !n.contains('@'));
        if side && n != &m.metrics.focal && !columns.contains(n) {
            columns.push(n.clone());
        }
    }
    if columns.is_empty() {
        return s;
    }
    let _ = writeln!(
        s,
        "\nOther metrics and side effects: mean paired difference from {} (* where the 95% CI excludes 0)",
        m.variants[0].name
    );
    let shown: Vec<usize> = rank
        .iter()
        .take(40)
        .filter_map(|r| m.variants.iter().position(|v| v.name == r.variant))
        .filter(|&v| v != 0)
        .collect();
    // In slices of columns that fit a terminal.
    for chunk in columns.chunks(5) {
        let widths: Vec<usize> = chunk.iter().map(|c| c.len().max(11)).collect();
        let mut line = format!("\n  {:<28}", what);
        for (c, w) in chunk.iter().zip(&widths) {
            let _ = write!(line, " {c:>w$}");
        }
        let _ = writeln!(s, "{line}");
        for &v in &shown {
            let mut line = format!("  {:<28}", label(&m.variants[v].name));
            for (c, w) in chunk.iter().zip(&widths) {
                let cell = agg
                    .paired_effect(v, c)
                    .map_or("-".into(), |p| effect_cell(&p));
                let _ = write!(line, " {cell:>w$}");
            }
            let _ = writeln!(s, "{line}");
        }
    }
    s
}

/// The decision table printed after `compare`: how often each strategy is best and what
/// choosing it loses, run by run, against the best strategy of that run.
fn decision_text(agg: &Aggregate, d: &crate::experiment::decision::Decision) -> String {
    use std::fmt::Write;
    let m = &agg.manifest;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Regret on {} over {} runs (loss against the best strategy of the same run):",
        m.metrics.focal,
        agg.runs_done()
    );
    let _ = writeln!(
        s,
        "  {:<24} {:>8} {:>14} {:>12}",
        "strategy", "P(best)", "mean regret", "max regret"
    );
    for (i, (v, x)) in m.variants.iter().zip(&d.strategies).enumerate() {
        let _ = writeln!(
            s,
            "  {:<24} {:>7.1}% {:>14.5} {:>12.5}{}",
            v.name,
            100.0 * x.p_best,
            x.expected_regret,
            x.max_regret,
            if i == d.minimax_regret {
                "   <- minimax regret"
            } else {
                ""
            }
        );
    }
    s
}

/// The design shard folders `merge` is given (sensitivity, discover), checked: one
/// analysis (same command, scenario, version and arguments), every shard there and whole.
/// Returns the first folder's header and the command it records.
pub(super) fn design_shards<C: serde::de::DeserializeOwned>(
    dirs: &[PathBuf],
) -> Result<(crate::output::batch::DesignHeader, C)> {
    use crate::output::batch::{DESIGN_MANIFEST, read_design_header};
    let mut headers = Vec::new();
    for d in dirs {
        headers.push(read_design_header(d)?);
    }
    let first = &headers[0];
    for (d, h) in dirs.iter().zip(&headers).skip(1) {
        if !h.same_work(first) {
            return Err(Error::invalid(format!(
                "{} and {} come from different analyses (command, scenario, version or arguments differ)",
                dirs[0].display(),
                d.display()
            )));
        }
    }
    let offered: Vec<Offered> = dirs
        .iter()
        .zip(&headers)
        .map(|(d, h)| Offered {
            label: d.display().to_string(),
            shard: Shard {
                k: h.shard,
                n: h.shards,
            },
            has: Box::new(move |b| d.join(crate::output::ensemble::part_name(b)).is_file()),
        })
        .collect();
    let problems = batch::merge_problems(&offered, first.slices().batches());
    if !problems.is_empty() {
        return Err(Error::invalid(format!(
            "cannot merge:\n  {}",
            problems.join("\n  ")
        )));
    }
    let c = serde_json::from_value(first.command.clone()).map_err(|e| {
        Error::invalid(format!(
            "{}: the recorded command is not one this softpower reads: {e}",
            dirs[0].join(DESIGN_MANIFEST).display()
        ))
    })?;
    Ok((headers.swap_remove(0), c))
}

/// Refuses a scenario whose text changed since the shards in `h` ran.
pub(super) fn same_scenario(text: &str, h: &crate::output::batch::DesignHeader) -> Result<()> {
    if crate::error::sha256_hex(text.as_bytes()) != h.scenario_sha256 {
        return Err(Error::invalid(format!(
            "{} has changed since the shards were run (its hash differs); merge needs the scenario they ran",
            h.scenario_path.display()
        )));
    }
    Ok(())
}

pub fn merge(args: MergeArgs) -> Result<()> {
    if crate::output::batch::is_design(&args.dirs[0]) {
        let h = crate::output::batch::read_design_header(&args.dirs[0])?;
        return if h.kind == "discover" {
            super::discover::merge(&args.dirs, args.out, &args.output)
        } else if h.kind == "calibrate" {
            super::calibrate::merge(&args.dirs, args.out, &args.output)
        } else {
            super::sensitivity::merge(&args.dirs, args.out, &args.output)
        };
    }
    args.output.figures()?;
    let mut headers = Vec::new();
    for d in &args.dirs {
        headers.push(read_header(d)?);
    }
    let first = &headers[0];
    for (d, h) in args.dirs.iter().zip(&headers).skip(1) {
        if h.manifest != first.manifest {
            let a = serde_json::to_value(&first.manifest)?;
            let b = serde_json::to_value(&h.manifest)?;
            let differ: Vec<String> = a
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(k, v)| b.get(k.as_str()) != Some(v))
                .map(|(k, _)| k.clone())
                .collect();
            return Err(Error::invalid(format!(
                "{} and {} come from different ensembles (they differ in: {})",
                args.dirs[0].display(),
                d.display(),
                differ.join(", ")
            )));
        }
    }
    // Which shards are given, and whether each is whole: the driver's merge rules.
    let offered: Vec<Offered> = args
        .dirs
        .iter()
        .zip(&headers)
        .map(|(d, h)| Offered {
            label: d.display().to_string(),
            shard: Shard {
                k: h.shard,
                n: h.shards,
            },
            has: Box::new(move |b| has_part(d, b)),
        })
        .collect();
    let problems = batch::merge_problems(
        &offered,
        crate::experiment::ensemble::batches(first.manifest.runs),
    );
    if !problems.is_empty() {
        return Err(Error::invalid(format!(
            "cannot merge:\n  {}",
            problems.join("\n  ")
        )));
    }
    let m = &first.manifest;
    // Every part is checked before anything is written.
    let agg = aggregate(m, &args.dirs)?;
    let out = OutDir::prepare(
        &args
            .out
            .clone()
            .unwrap_or_else(|| super::default_out(&m.scenario, &m.kind, Shard::WHOLE)),
        args.output.force,
    )?;
    finish(&out, &agg, &args.output, &first.description)
}
