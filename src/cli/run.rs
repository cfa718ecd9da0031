//! `softpower run`: simulate one scenario and write its results.

use super::progress::Progress;
use super::{OutputArgs, say, thread_pool};
use crate::engine::Phase;
use crate::error::{Error, Result};
use crate::experiment::{self, attribution};
use crate::metrics::SurveySeries;
use crate::output::ensemble::REPORT;
use crate::output::{OutDir, figures, report, tables};
use crate::scenario::{Overrides, load};
use crate::world::build;
use clap::Args;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Args)]
pub struct RunArgs {
    /// Scenario file (TOML)
    pub scenario: PathBuf,
    /// Random seed (overrides the scenario's `seed`): decimal, or hexadecimal as runs.csv writes it (0x…)
    #[arg(long, value_parser = parse_seed)]
    pub seed: Option<u64>,
    /// Number of ticks to simulate (overrides the scenario's `ticks`)
    #[arg(long)]
    pub ticks: Option<u32>,
    /// Output folder [default: output/<scenario name>]
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads [default: all cores]; results do not depend on it
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Skip the counterfactual runs that attribute soft-power gains to instruments
    #[arg(long)]
    pub no_attribution: bool,
    /// Run the counterfactuals even when the scenario is too large for them by default
    #[arg(long, conflicts_with = "no_attribution")]
    pub attribution: bool,
    /// Actor whose favourability colours the network picture [default: the focal actor]
    #[arg(long)]
    pub network_actor: Option<String>,
    /// Write each population's survey series (% heard of, favourable, confidence per actor)
    /// in timeseries.csv at any size [default: only up to 100 populations; the group
    /// series are always written]. Three rows per population, actor and tick: a run they
    /// would not fit in memory is refused before it starts
    #[arg(long)]
    pub population_series: bool,
    /// Leave the survey series out of timeseries.csv (actor rows only, as before they
    /// existed): they cost two normal-CDF evaluations per population and actor every
    /// tick, about 10 ms a tick at 100k populations
    #[arg(long, conflicts_with = "population_series")]
    pub no_survey_series: bool,
}

/// A seed in decimal or, as `runs.csv` writes seeds, hexadecimal with `0x`.
fn parse_seed(s: &str) -> std::result::Result<u64, String> {
    let t = s.trim();
    let parsed = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(h) => u64::from_str_radix(h, 16),
        None => t.parse(),
    };
    parsed.map_err(|_| {
        format!("\"{s}\" is not a seed: a whole number from 0 to 18446744073709551615, or hexadecimal such as 0x1f")
    })
}

pub fn run(args: RunArgs) -> Result<()> {
    let ov = Overrides {
        seed: args.seed,
        ticks: args.ticks,
    };
    let loaded = load(&args.scenario, &ov)?;
    // Attribution may run one counterfactual world per thread beside the recorded run.
    let threads = args
        .threads
        .map_or_else(rayon::current_num_threads, usize::from);
    let extra = if args.no_attribution { 0 } else { threads + 1 };
    crate::scenario::preflight::preflight_series(&loaded, extra, survey_series(&args))?;
    if let Some(a) = &args.network_actor
        && !loaded.scenario.actors.iter().any(|x| &x.id == a)
    {
        let ids: Vec<&str> = loaded
            .scenario
            .actors
            .iter()
            .map(|x| x.id.as_str())
            .collect();
        return Err(
            Error::invalid(format!("--network-actor: unknown actor \"{a}\""))
                .help(crate::scenario::diagnostic::suggest_help(a, ids)),
        );
    }
    execute(&args, &loaded)
}

/// The survey series `run`'s options ask for.
fn survey_series(args: &RunArgs) -> SurveySeries {
    if args.no_survey_series {
        SurveySeries::Off
    } else if args.population_series {
        SurveySeries::Populations
    } else {
        SurveySeries::Default
    }
}

fn execute(args: &RunArgs, loaded: &crate::scenario::Loaded) -> Result<()> {
    let sc = &loaded.scenario;
    let out_path = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output").join(&sc.scenario.name));
    let fig_out = args.output.figures()?;
    let out = OutDir::prepare(&out_path, args.output.force)?;
    let pool = thread_pool(args.threads.map(|t| t as usize))?;
    let threads = pool.current_num_threads();
    let started = Instant::now();

    let (run, gains, build_secs, sim_secs, skipped) = pool.install(|| {
        let t0 = Instant::now();
        let world = build(&loaded.checked);
        let build_secs = t0.elapsed().as_secs_f64();
        let wanted = args.attribution || (!args.no_attribution && attribution::affordable(&world));
        let skipped = !wanted && !args.no_attribution;
        let template = wanted.then(|| world.clone());
        let bar = Progress::new(world.ticks as u64, "simulating", args.output.quiet);
        let t1 = Instant::now();
        let run = experiment::simulate_with(world, survey_series(args), |t| bar.set(t as u64));
        bar.finish();
        let sim_secs = t1.elapsed().as_secs_f64();
        let gains = template.map(|w| {
            let sp: Vec<f64> = run.recorder.last().actors.iter().map(|a| a[0]).collect();
            attribution::instrument_gains(&w, &sp)
        });
        (run, gains, build_secs, sim_secs, skipped)
    });

    let mut files = vec!["timeseries.csv".to_string(), "populations.csv".to_string()];
    out.write(
        "timeseries.csv",
        &tables::timeseries_csv(&run.engine, &run.recorder)?,
    )?;
    out.write("populations.csv", &tables::populations_csv(&run.engine)?)?;
    if run.engine.world.decisions.is_empty() {
        out.remove_stale("decisions.csv");
    } else {
        out.write("decisions.csv", &tables::decisions_csv(&run.engine)?)?;
        files.push("decisions.csv".into());
    }
    if crate::output::traced::recorded(&run.engine) {
        let bytes = crate::output::traced::traced_csv(&run.engine)?;
        out.write("traced_stories.csv", &bytes)?;
        files.push("traced_stories.csv".into());
    } else {
        out.remove_stale("traced_stories.csv");
    }
    // Listening and adaptive rules (docs/MODEL.md 3.10): only when the scenario has them.
    let listen = &run.engine.world.listen;
    for (name, table, has) in [
        (
            "listening.csv",
            tables::listening_csv as fn(_) -> _,
            !listen.slots.is_empty(),
        ),
        (
            "adaptive_spend.csv",
            tables::adaptive_spend_csv,
            !listen.adaptive.is_empty(),
        ),
    ] {
        if has {
            out.write(name, &table(&run.engine)?)?;
            files.push(name.into());
        } else {
            out.remove_stale(name);
        }
    }
    // `[survey] ticks`: the same run replayed to the last survey tick (same seed, same values).
    let survey = crate::scenario::check::survey::resolve(sc, loaded.base_dir())
        .ok()
        .flatten()
        .filter(|s| !s.ticks.is_empty());
    if let Some(spec) = survey {
        let tables = pool.install(|| {
            crate::experiment::calibrate::survey_run(&loaded.checked, &spec, &spec.ticks)
        });
        let ids = &run.engine.world.actors.ids;
        out.write(
            "survey.csv",
            &crate::output::calibrate::survey_csv(&spec, ids, &tables),
        )?;
        files.push("survey.csv".into());
    } else {
        out.remove_stale("survey.csv");
    }
    let mut figs = Vec::new();
    let plot_started = std::time::Instant::now();
    if !args.output.no_plots {
        let actor = args.network_actor.as_deref();
        figs = crate::plot::with_output(fig_out, || figures::all(&run, gains.as_deref(), actor))?;
        for f in &figs {
            out.write(&f.name, &f.bytes)?;
            files.push(f.name.clone());
        }
    }
    for stem in figures::ALL_NAMES {
        for ext in ["png", "svg"] {
            let stale = format!("{stem}.{ext}");
            if !files.contains(&stale) {
                out.remove_stale(&stale);
            }
        }
    }
    // Drawing and writing the figures (0 with --no-plots), to set against simulate_seconds.
    let plot_secs = plot_started.elapsed().as_secs_f64();
    if args.output.no_report {
        out.remove_stale(REPORT);
    } else {
        files.push(REPORT.into());
    }
    files.push("summary.json".into());
    if !args.output.no_report {
        let info = report::RunInfo {
            description: &sc.scenario.description,
            file: &loaded.path.display().to_string(),
            text: &loaded.text,
        };
        let page = report::run_page(&run, gains.as_deref(), &info, figs, &files);
        out.write(REPORT, report::html(&page).as_bytes())?;
    }
    let file_label = loaded.path.display().to_string();
    let summary = tables::summary(
        &run.engine,
        &run.recorder,
        &file_label,
        &loaded.text,
        files.clone(),
    );
    out.write("summary.json", &serde_json::to_vec_pretty(&summary)?)?;
    // Phases in engine order; the rest of simulate_seconds is recording metrics.
    let phase_seconds: serde_json::Map<String, serde_json::Value> = Phase::ORDER
        .iter()
        .zip(run.engine.phase_seconds)
        .map(|(p, s)| (p.name().to_string(), s.into()))
        .collect();
    let timing = serde_json::json!({
        "threads": threads,
        "build_seconds": build_secs,
        "simulate_seconds": sim_secs,
        "phase_seconds": phase_seconds,
        "plot_seconds": plot_secs,
        "contagion_tie_visits": run.engine.contagion_tie_visits(),
        "total_seconds": started.elapsed().as_secs_f64(),
        "population_ticks_per_second": run.engine.world.pops.len() as f64 * run.engine.tick as f64 / sim_secs.max(1e-9),
    });
    out.write("timing.json", &serde_json::to_vec_pretty(&timing)?)?;

    if !args.output.quiet {
        say!(
            "{}",
            super::summary_text(&run, gains.as_deref(), &out.path, &files)
        );
        if skipped {
            say!("{}", attribution::skipped_note(&run.engine.world));
        }
        if !run.recorder.survey.populations && !args.no_survey_series {
            say!(
                "note: timeseries.csv has the survey series per group only: {} populations is more than {} (--population-series adds each population's)",
                run.engine.world.pops.len(),
                crate::metrics::survey::POPULATION_SERIES_MAX
            );
        }
    }
    Ok(())
}
