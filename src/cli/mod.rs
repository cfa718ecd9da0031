//! The command-line interface: argument parsing, progress display and the text summary.
//! Everything here talks to the terminal; nothing below it does.

mod calibrate;
mod check;
mod discover;
mod ensemble;
mod exercise;
mod progress;
mod run;
mod sensitivity;
mod summary;

pub use summary::summary_text;

use crate::error::{EXIT_FAILURE, EXIT_INVALID};
use clap::{Args, Parser, Subcommand};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::OnceLock;

/// The first error writing to standard output, after which nothing more is written.
static STDOUT_ERROR: OnceLock<std::io::Error> = OnceLock::new();

/// Writes to standard output. A closed pipe (`softpower check … | head -1`) or a full
/// device stops the printing instead of panicking; `main` decides the exit code.
pub fn write_stdout(args: std::fmt::Arguments) {
    if STDOUT_ERROR.get().is_some() {
        return;
    }
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_fmt(args).and_then(|()| out.flush()) {
        let _ = STDOUT_ERROR.set(e);
    }
}

/// Writes to standard error; a closed standard error is ignored (there is nowhere left
/// to say anything).
pub fn write_stderr(args: std::fmt::Arguments) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_fmt(args).and_then(|()| err.flush());
}

/// `println!` for standard output through [`write_stdout`].
macro_rules! say {
    ($($t:tt)*) => { $crate::cli::write_stdout(format_args!("{}\n", format_args!($($t)*))) };
}
/// `eprintln!` through [`write_stderr`].
macro_rules! tell {
    ($($t:tt)*) => { $crate::cli::write_stderr(format_args!("{}\n", format_args!($($t)*))) };
}
pub(crate) use {say, tell};

/// The flags every command that writes a results folder shares.
#[derive(Args, Clone, Debug)]
pub struct OutputArgs {
    /// Replace results already in the output folder
    #[arg(long)]
    pub force: bool,
    /// Skip the figures
    #[arg(long)]
    pub no_plots: bool,
    /// Print nothing but errors
    #[arg(long, short)]
    pub quiet: bool,
    /// Figure format: png (raster) or svg (vector, for papers and slides); both come from the same chart code
    #[arg(long, value_enum, default_value_t = FigureFormat::Png)]
    pub format: FigureFormat,
    /// Printed width of each figure in inches [default: 12.5]; text keeps its size relative to the figure
    #[arg(long, value_name = "INCHES")]
    pub figure_width: Option<f64>,
    /// Resolution of PNG figures in dots per inch [default: 96]; e.g. 300 for print
    #[arg(long)]
    pub dpi: Option<f64>,
    /// Skip report.html, the page with the description, tables, figures and manifest
    #[arg(long)]
    pub no_report: bool,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FigureFormat {
    Png,
    Svg,
}

impl OutputArgs {
    /// How figures are to be written, checked: a width of 1 to 100 inches, 36 to 1200
    /// dpi, and PNGs of at most 8 times the default pixel size.
    pub fn figures(&self) -> crate::error::Result<crate::plot::Output> {
        let mut o = crate::plot::Output {
            format: match self.format {
                FigureFormat::Png => crate::plot::Format::Png,
                FigureFormat::Svg => crate::plot::Format::Svg,
            },
            ..Default::default()
        };
        if let Some(w) = self.figure_width {
            if !(w.is_finite() && (1.0..=100.0).contains(&w)) {
                return Err(crate::error::Error::invalid(format!(
                    "--figure-width {w}: must be from 1 to 100 inches"
                )));
            }
            o.width_in = w;
        }
        if let Some(d) = self.dpi {
            if !(d.is_finite() && (36.0..=1200.0).contains(&d)) {
                return Err(crate::error::Error::invalid(format!(
                    "--dpi {d}: must be from 36 to 1200"
                )));
            }
            o.dpi = d;
        }
        let px = o.width_in * o.dpi;
        if o.format == crate::plot::Format::Png && px > 8.0 * crate::plot::WIDTH as f64 {
            return Err(crate::error::Error::invalid(format!(
                "--figure-width {} at --dpi {} makes PNGs {px:.0} pixels wide, more than the {} allowed",
                o.width_in,
                o.dpi,
                8 * crate::plot::WIDTH
            ))
            .help("lower --dpi, or use --format svg for a vector figure of any size"));
        }
        Ok(o)
    }
}

#[derive(Parser)]
#[command(
    name = "softpower",
    version,
    about = "Simulate soft-power influence: public, mass and digital diplomacy",
    long_about = "softpower simulates how states and other actors win (or lose) foreign publics \
through broadcasting, digital campaigns, exchanges, propaganda and misinformation, and how \
publics talk to each other and forget.\n\nA scenario is a TOML file (see docs/SCENARIO.md). \
Results are tidy CSV, a JSON manifest and PNG plots.",
    after_help = "Examples:\n  softpower run scenarios/middle_power.toml\n  softpower check scenarios/my_draft.toml\n  softpower run my.toml --seed 7 --ticks 200 --out output/try7 --threads 2"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Simulate a scenario and write results (CSV, JSON, PNG) to output/<name>/
    #[command(
        after_help = "Outputs:\n  timeseries.csv   tick, entity_type, entity, metric, value (tidy long format)\n                   survey series: entity_type group / population (population\n                   rows up to 100 populations, or --population-series), metric\n                   <measure>_pct:<actor>, in percent as survey.csv\n  populations.csv  final opinions, one row per population x actor\n  decisions.csv    [[decision]]s: taken or not, and at which tick\n  traced_stories.csv  stories traced back to their authors: where and when\n  summary.json     manifest: version, scenario hash, seed, ticks, final metrics\n  timing.json      wall-clock time and thread count (not deterministic)\n  *.png            soft power over time, favourability heatmap, misinformation,\n                   spend versus gain, network picture (small scenarios);\n                   --format svg for vector figures, --figure-width/--dpi for size\n  report.html      one self-contained page: description, key changes, tables,\n                   every figure with how to read it, manifest, links to the data\n\nThe same scenario and seed give byte-identical files (all but timing.json) for any --threads."
    )]
    Run(run::RunArgs),
    /// Compare strategies: N seeded runs each, paired against the baseline, with 95% CIs
    #[command(
        after_help = "Outputs:\n  runs.csv        one row per strategy x run with its final metrics\n  compare.csv     per strategy and metric: mean, sd, 95% CI, median, 5% and 95% quantiles\n  paired.csv      each strategy minus the baseline over the same seeds: mean, 95% CI, share better\n  decision.csv    per strategy: share of runs where it is best, mean and worst regret, minimax-regret choice\n  summary.json    manifest and ranking; \"complete\": false after an interruption\n  fan.png         each strategy minus the baseline over time: mean and 95% CI\n  metric.png      the headline's paired difference from the baseline with its 95% CI\n  cost_effectiveness.png  paired gain over the baseline per 100 units of extra spend, with CI\n                  (figures as .svg with --format svg)\n  report.html     one self-contained page: ranking, differences in words, figures, manifest\n\nWith [[uncertain]] blocks, run r of every strategy takes the same parameter draw (docs/ANALYSIS.md).\nCtrl-C stops cleanly; --resume continues. --shard K/N runs one slice; `softpower merge` combines slices.\nExamples:\n  softpower compare scenarios/middle_power.toml --runs 200 --strategies exchanges_only,digital_only\n  softpower compare scenarios/war_of_ideas.toml --runs 50 --metric believing:grain_plot@peak --metric soft_power:valoria@52"
    )]
    Compare(ensemble::CompareArgs),
    /// Sweep one or two parameters over a grid, N seeded runs per point
    #[command(
        after_help = "Paths: actor.<id>.<budget|credibility>, population.<id>.<size|internet|media_literacy|stubbornness>,\n  campaign.<id>.<spend|start|end>, story.<id>.<field>, model.<field> or model.<table>.<field>.\nOutputs: sweep.csv (point x metric: mean and 95% CI), runs.csv, sweep.png (line with CI band, or heatmap), report.html, summary.json.\n\nBudget reallocation (--split ACTOR:CAMPAIGN,CAMPAIGN[,...] --total T[,T2...] --steps M): the campaigns'\n  spends are set to every split of T whose shares are multiples of 1/M (a simplex lattice), at each\n  total; every split is checked against the actor's budget at every tick. Each split, and each\n  declared [[strategy]], is paired against the scenario as written (same seeds), as in compare:\n  compare.csv, paired.csv, decision.csv, runs.csv, fan.png, metric.png, cost_effectiveness.png,\n  and pareto.csv / pareto.png, the frontier of spend against effect (front and strategies named),\n  with report.html saying which options are on the front and which cost more for less.\n\nWith [[uncertain]] blocks, run r of every point takes the same seed and the same parameter draw,\n  as in compare (a swept or split path keeps its swept values; docs/ANALYSIS.md).\nCtrl-C stops cleanly; --resume continues. --shard K/N runs one slice; `softpower merge` combines slices.\nExamples:\n  softpower sweep scenarios/middle_power.toml --set campaign.norland_digital.spend=0..0.4:5 --runs 50\n  softpower sweep scenarios/middle_power.toml --split norland:norland_scholarships,norland_youth_exchange,norland_digital --total 0.8,1.6 --steps 4 --runs 20"
    )]
    Sweep(ensemble::SweepArgs),
    /// Global sensitivity of a metric to the scenario's [[uncertain]] parameters (Sobol or Morris)
    #[command(
        after_help = "Outputs:\n  sensitivity.csv   per parameter: prior, first-order and total Sobol indices with 95% bootstrap\n                    intervals (sobol), or mu, mu*, sigma (morris)\n  design.csv        every design point's parameter values and the metric\n  sensitivity.json  manifest and indices\n  sensitivity.png   indices with their intervals (.svg with --format svg)\n  report.html       one self-contained page: the indices ranked, the figure with how to read it,\n                    the main finding in words, manifest, links to the data\n  timing.json       wall-clock time (not deterministic)\n  design-run.json, parts/  the command and the finished design points (for --resume and merge)\n\nEvery run uses the scenario's seed (common random numbers), so only the parameters differ;\nthe files are byte-identical for any --threads, shard split or resume.\nCtrl-C stops cleanly; --resume continues. --shard K/N runs one slice of the design points;\n`softpower merge` combines slices (it reads the scenario again: keep it unchanged).\nExamples:\n  softpower sensitivity scenarios/middle_power_uncertain.toml --samples 64\n  softpower sensitivity scenarios/middle_power_uncertain.toml --method morris --samples 20"
    )]
    Sensitivity(sensitivity::SensitivityArgs),
    /// Scenario discovery: where in the [[uncertain]] priors does a question hold? (PRIM boxes)
    #[command(
        after_help = "Samples the [[uncertain]] priors (scrambled Sobol points), runs each sample, answers the\nquestion per sample and peels boxes of parameters where the answer is mostly yes (PRIM,\nFriedman & Fisher 1999). Each box has coverage (share of all yes-samples inside), density\n(share of yes inside) and mass (share of samples inside); peeling trades coverage for density.\n\nQuestions (in quotes, spaces around the sign):\n  METRIC > X, METRIC < X, >=, <=    e.g. \"believing:grain_plot@peak > 0.1\"\n  ... under STRATEGY                the metric under a strategy instead of the baseline\n  A beats B on METRIC               paired: sample r of A and of B share parameters and seed\nMETRIC is the syntax of compare --metric (docs/ANALYSIS.md, Metrics).\n\nOutputs:\n  discover.csv   every box of the peeling trajectory: coverage, density, mass, bounds, chosen\n  box.csv        the chosen box, one row per parameter (empty bound = unrestricted)\n  samples.csv    every sample's parameters, metric values and answer\n  discover.json  manifest: scenario hash, seed, question, the chosen box\n  discover.png   coverage against density along the trajectory, the chosen box marked\n  timing.json    wall-clock time (not deterministic)\n  report.html    one page: the question, the chosen box in words, the trajectory, the manifest\n  design-run.json, parts/  the command and the finished samples (for --resume and merge)\n\nThe files are byte-identical for any --threads, shard split or resume. Ctrl-C stops cleanly;\n--resume continues; --shard K/N runs one slice of the samples; `softpower merge` combines\nslices (it reads the scenario again: keep it unchanged).\nExamples:\n  softpower discover scenarios/middle_power_uncertain.toml --question 'soft_power:norland > 0.003' --samples 256\n  softpower discover scenarios/middle_power_uncertain.toml --question 'elites_first beats digital_only on soft_power:norland' --samples 256"
    )]
    Discover(discover::DiscoverArgs),
    /// Fit the [[uncertain]] parameters to the surveys a scenario's [survey] names (ensemble MCMC)
    #[command(
        after_help = "Outputs:\n  posterior.csv   posterior draws: step, walker, log-likelihood, every parameter\n  fit.csv         each observation with its 95% sampling interval, the best fit, the model's median and 90% band\n  fit_<unit>.png  per surveyed unit: survey figures with intervals, model median and bands (.svg with --format svg)\n  summary.json    priors and posteriors (5/50/95%), identification, acceptance, predictive check, warnings\n  report.html     one page: fit per unit, posterior table, warnings, predictive check, manifest\n  timing.json     wall-clock time (not deterministic)\n\nEvery run uses the scenario's seed; the files are byte-identical for any --threads (docs/CALIBRATION.md).\nExample:\n  softpower calibrate scenarios/calibration/survey_recovery.toml --steps 100"
    )]
    Calibrate(calibrate::CalibrateArgs),
    /// Combine the shard folders of a `compare`, `sweep`, `sensitivity` or `discover` into the unsharded result
    Merge(ensemble::MergeArgs),
    /// Validate scenario files and explain every problem (file, line, field, what is allowed)
    Check {
        /// Scenario files to check
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
    },
    /// Classroom exercises: teams play a scenario in rounds (new, status, advance, rewind, report, serve)
    Exercise(exercise::ExerciseArgs),
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(EXIT_INVALID)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let result = match cli.command {
        Command::Run(args) => run::run(args),
        Command::Check { scenarios } => check::check(&scenarios),
        Command::Compare(args) => ensemble::compare(args),
        Command::Sweep(args) => ensemble::sweep(args),
        Command::Merge(args) => ensemble::merge(args),
        Command::Sensitivity(args) => sensitivity::sensitivity(args),
        Command::Discover(args) => discover::discover(args),
        Command::Calibrate(args) => calibrate::calibrate(args),
        Command::Exercise(args) => exercise::exercise(args),
    };
    let code = match result {
        Ok(()) => 0,
        Err(e) => {
            tell!("{}", e.report());
            e.exit_code()
        }
    };
    // A reader that closed the pipe wanted no more; any other failure to print is the
    // machine's, and a command that otherwise succeeded must not say so.
    if let Some(e) = STDOUT_ERROR.get()
        && e.kind() != std::io::ErrorKind::BrokenPipe
        && code == 0
    {
        tell!("error: cannot write to standard output: {e}");
        return ExitCode::from(EXIT_FAILURE);
    }
    ExitCode::from(code)
}

/// What a shard prints when its part is done (unless `--quiet`): what it did, where, and
/// how to combine the shards.
pub(crate) fn say_shard_done(
    quiet: bool,
    command: &str,
    scenario: &str,
    (k, n): (u32, u32),
    done: std::fmt::Arguments,
    out: &std::path::Path,
) {
    if !quiet {
        say!(
            "shard {k}/{n} of {command} \"{scenario}\": {done} done in {}/\n  combine all shards with: softpower merge <shard folders...> --out DIR",
            out.display()
        );
    }
}

/// Where a command writes when `--out` is not given: `output/<scenario>-<command>`, with
/// `-shard-K-of-N` for a shard, so shards run side by side never meet.
pub(crate) fn default_out(
    scenario: &str,
    command: &str,
    shard: crate::experiment::batch::Shard,
) -> PathBuf {
    let base = format!("{scenario}-{command}");
    PathBuf::from("output").join(if shard.n > 1 {
        format!("{base}-shard-{}-of-{}", shard.k, shard.n)
    } else {
        base
    })
}

/// Sets up a rayon pool with the requested number of threads (default: all cores).
pub fn thread_pool(threads: Option<usize>) -> crate::error::Result<rayon::ThreadPool> {
    let mut b = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        b = b.num_threads(n);
    }
    Ok(b.build()?)
}
