//! Files of an ensemble (`compare`, `sweep`): the manifest, one part file per finished
//! batch, and the final tables and plots computed from the parts.

use super::OutDir;
use super::report::{Figure, Hover};
use super::tables::fmt;
use crate::error::{Context, Error, Result};
use crate::experiment::ensemble::{
    BATCH_RUNS, MetricSet, RunResult, batches, lower_is_better, run_seed,
};
use crate::experiment::metric::Metric;
use crate::experiment::stats::{BandSketch, Paired, PairedBand, paired, ratio_of_means, summarise};
use crate::plot::{self, Band, BandChart, Heatmap, Interval, IntervalChart};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub const MANIFEST: &str = "ensemble.json";
pub const PARTS: &str = "parts";

/// Version of the manifest and part-file format. Files without a version are version 1
/// (they were written before the field existed and have the same layout).
pub const FORMAT_VERSION: u32 = 1;

fn format_v1() -> u32 {
    1
}

/// Refuses a file written by a newer softpower, saying how to proceed.
pub fn check_version(path: &Path, found: u32) -> Result<()> {
    if found > FORMAT_VERSION || found == 0 {
        return Err(Error::in_file(
            path,
            format!(
                "format version {found} is not one this softpower reads (it reads 1 to {FORMAT_VERSION})"
            ),
        )
        .help(format!(
            "it was written by another softpower version: use that version (or a newer one) to read it; this is softpower {}",
            env!("CARGO_PKG_VERSION")
        )));
    }
    Ok(())
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct VariantInfo {
    pub name: String,
    pub description: String,
    /// For sweep points: the value of each swept parameter.
    pub values: Vec<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SweepParam {
    pub path: String,
    pub values: Vec<f64>,
}

/// Everything that decides an ensemble's results; shards and resumed runs must match it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub kind: String,
    pub softpower_version: String,
    pub scenario: String,
    pub scenario_sha256: String,
    pub seed: u64,
    pub runs: u32,
    pub ticks: u32,
    pub tick_label: String,
    pub batch_runs: u32,
    pub variants: Vec<VariantInfo>,
    pub sweep: Vec<SweepParam>,
    pub metrics: MetricSet,
    /// A strategy declared as doing nothing (`compare --do-nothing`): cost-effectiveness is
    /// also given against it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub do_nothing: Option<String>,
}

/// The manifest plus which slice of the work this folder holds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Header {
    /// `FORMAT_VERSION` of the writer.
    #[serde(default = "format_v1")]
    pub format: u32,
    pub manifest: Manifest,
    pub shard: u32,
    pub shards: u32,
    /// The scenario's description, for the report page of a merge (which does not read
    /// the scenario back). Not part of the work: the hash in the manifest decides that.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

/// A part file: the runs of one batch, all variants.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Part {
    format: u32,
    batch: u32,
    runs: Vec<RunResult>,
}

/// Part files are read in either layout: version 1 without a header was a bare list.
#[derive(Deserialize)]
#[serde(untagged)]
enum PartFile {
    Tagged(Part),
    Bare(Vec<RunResult>),
}

impl Manifest {
    /// Checks what the rest of the program relies on, naming the file and the field.
    fn check(&self, path: &Path) -> Result<()> {
        let bad = |field: &str, what: String| {
            Err(Error::in_file(path, format!("manifest.{field}: {what}")).help(
                "this folder's ensemble.json was edited or damaged; run the ensemble again with --force",
            ))
        };
        if !["compare", "sweep", "split"].contains(&self.kind.as_str()) {
            return bad(
                "kind",
                format!(
                    "\"{}\" is not \"compare\", \"sweep\" or \"split\"",
                    self.kind
                ),
            );
        }
        if self.runs == 0 {
            return bad("runs", "must be at least 1".into());
        }
        if self.batch_runs != BATCH_RUNS {
            return bad(
                "batch_runs",
                format!("is {}, this softpower uses {BATCH_RUNS}", self.batch_runs),
            );
        }
        if self.variants.is_empty() {
            return bad("variants", "is empty".into());
        }
        let names = &self.metrics.names;
        if let Some((i, e)) = names
            .iter()
            .enumerate()
            .find_map(|(i, n)| Metric::parse(n).err().map(|e| (i, e)))
        {
            return bad(&format!("metrics.names[{i}]"), e.to_string());
        }
        if let Some(a) = self.metrics.asked.iter().find(|a| !names.contains(a)) {
            return bad(
                "metrics.asked",
                format!("\"{a}\" is not one of the metrics listed in metrics.names"),
            );
        }
        if !names.contains(&self.metrics.focal) {
            return bad(
                "metrics.focal",
                format!(
                    "\"{}\" is not one of the metrics listed in metrics.names",
                    self.metrics.focal
                ),
            );
        }
        let spend = format!("spend:{}", self.metrics.cost_actor);
        if !names.contains(&spend) {
            return bad(
                "metrics.cost_actor",
                format!(
                    "\"{}\" has no \"{spend}\" in metrics.names",
                    self.metrics.cost_actor
                ),
            );
        }
        if let Some(d) = &self.do_nothing
            && !self.variants.iter().any(|v| &v.name == d)
        {
            return bad("do_nothing", format!("\"{d}\" is not one of the variants"));
        }
        let swept = self.sweep.len();
        if self.kind == "sweep" && !(1..=2).contains(&swept) {
            return bad(
                "sweep",
                format!("a sweep has one or two parameters, not {swept}"),
            );
        }
        if let Some((i, v)) = self
            .variants
            .iter()
            .enumerate()
            .find(|(_, v)| v.values.len() != swept)
        {
            return bad(
                &format!("variants[{i}].values"),
                format!("has {} values for {swept} swept parameters", v.values.len()),
            );
        }
        Ok(())
    }
}

pub fn part_name(batch: u32) -> String {
    format!("{PARTS}/batch-{batch:06}.json")
}

/// Reads and checks the manifest of an ensemble folder (a folder the user named, so any
/// problem is bad input).
pub fn read_header(dir: &Path) -> Result<Header> {
    let p = dir.join(MANIFEST);
    let bytes = std::fs::read(&p).map_err(|e| {
        Error::invalid(format!(
            "{} holds no ensemble (cannot read {MANIFEST}: {e})",
            dir.display()
        ))
    })?;
    // The version first, so a newer layout is reported as such and not as a bad field.
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&bytes)
        && let Some(f) = v.get("format")
    {
        match f.as_u64().and_then(|f| u32::try_from(f).ok()) {
            Some(f) => check_version(&p, f)?,
            None => {
                return Err(Error::in_file(
                    &p,
                    format!("format: {f} is not a version number"),
                ));
            }
        }
    }
    let h: Header = serde_json::from_slice(&bytes)
        .map_err(|e| Error::in_file(&p, format!("not a softpower ensemble manifest: {e}")))?;
    if h.shards == 0 || !(1..=h.shards).contains(&h.shard) {
        return Err(Error::in_file(
            &p,
            format!(
                "shard {} of {} is not a slice of the work",
                h.shard, h.shards
            ),
        ));
    }
    h.manifest.check(&p)?;
    Ok(h)
}

pub fn write_part(out: &OutDir, batch: u32, results: &[RunResult]) -> Result<()> {
    let part = Part {
        format: FORMAT_VERSION,
        batch,
        runs: results.to_vec(),
    };
    out.write(&part_name(batch), &serde_json::to_vec(&part)?)?;
    Ok(())
}

/// Reads part file `batch` of `dir` and checks it holds exactly the runs the manifest
/// says the batch has: every variant, every run once, with its seed and all its values.
/// A part that lost or gained runs is corrupt, never merged or resumed over.
pub fn read_part(m: &Manifest, dir: &Path, batch: u32) -> Result<Vec<RunResult>> {
    let path = dir.join(part_name(batch));
    let bytes = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let corrupt = |what: String| {
        Error::in_file(&path, what).help(
            "the part file was edited or damaged: delete it and run the same command with --resume to redo its batch",
        )
    };
    let runs = match serde_json::from_slice::<PartFile>(&bytes) {
        Ok(PartFile::Tagged(p)) => {
            check_version(&path, p.format)?;
            if p.batch != batch {
                return Err(corrupt(format!(
                    "holds batch {} under the name of batch {batch}",
                    p.batch
                )));
            }
            p.runs
        }
        Ok(PartFile::Bare(runs)) => runs,
        Err(e) => return Err(corrupt(format!("not a softpower part file: {e}"))),
    };
    let first = batch as u64 * BATCH_RUNS as u64;
    let end = (first + BATCH_RUNS as u64).min(m.runs as u64);
    if first >= end {
        return Err(corrupt(format!(
            "batch {batch} is beyond the {} runs of the ensemble",
            m.runs
        )));
    }
    let per = (end - first) as usize;
    let v = m.variants.len();
    if runs.len() != per * v {
        return Err(corrupt(format!(
            "holds {} runs; batch {batch} has {per} runs of each of {v} variants, {} in all",
            runs.len(),
            per * v
        )));
    }
    let mut seen = vec![false; per * v];
    for (i, r) in runs.iter().enumerate() {
        let at = format!("run record {i} (variant {}, run {})", r.variant, r.run);
        if r.variant as usize >= v {
            return Err(corrupt(format!("{at}: there are {v} variants")));
        }
        if !(first..end).contains(&(r.run as u64)) {
            return Err(corrupt(format!(
                "{at}: batch {batch} holds runs {first} to {}",
                end - 1
            )));
        }
        let slot = r.variant as usize * per + (r.run as u64 - first) as usize;
        if std::mem::replace(&mut seen[slot], true) {
            return Err(corrupt(format!("{at}: appears twice")));
        }
        if r.seed != run_seed(m.seed, r.run) {
            return Err(corrupt(format!(
                "{at}: seed {} is not this ensemble's",
                r.seed
            )));
        }
        if r.finals.len() != m.metrics.names.len() {
            return Err(corrupt(format!(
                "{at}: {} final values for {} metrics",
                r.finals.len(),
                m.metrics.names.len()
            )));
        }
        if r.series.len() != m.ticks as usize + 1 {
            return Err(corrupt(format!(
                "{at}: a series of {} values for ticks 0 to {}",
                r.series.len(),
                m.ticks
            )));
        }
    }
    Ok(runs)
}

/// The batch numbers of the part files in `dir` (names as [`part_name`] writes them).
fn part_batches(dir: &Path) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir(dir.join(PARTS)) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name();
            let b: u32 = name
                .to_str()?
                .strip_prefix("batch-")?
                .strip_suffix(".json")?
                .parse()
                .ok()?;
            (part_name(b) == format!("{PARTS}/{}", name.to_str()?) && e.path().is_file())
                .then_some(b)
        })
        .collect()
}

pub fn has_part(dir: &Path, batch: u32) -> bool {
    dir.join(part_name(batch)).is_file()
}

/// Results gathered from part files: final metrics per run, and per-tick bands.
pub struct Aggregate {
    pub manifest: Manifest,
    /// `[variant][i]`, runs in increasing order.
    pub results: Vec<Vec<RunResult>>,
    pub bands: Vec<BandSketch>,
    /// `[variant]`: the headline's paired difference from the baseline at every tick
    /// (empty for the baseline itself).
    pub effects: Vec<PairedBand>,
    pub batches_done: u32,
    pub complete: bool,
}

/// Reads the parts of every batch found in `dirs` (in batch order). Series are folded into
/// the bands as they are read, so memory holds final metrics only.
pub fn aggregate(manifest: &Manifest, dirs: &[PathBuf]) -> Result<Aggregate> {
    let v = manifest.variants.len();
    let mut results: Vec<Vec<RunResult>> = vec![Vec::new(); v];
    // Bands are sized from the manifest's ticks only once a part has shown series of that
    // length, so an edited manifest cannot make this allocate without bound.
    let new_bands = || -> Vec<BandSketch> {
        (0..v)
            .map(|_| BandSketch::new(manifest.ticks as usize + 1))
            .collect()
    };
    let mut bands: Vec<BandSketch> = Vec::new();
    let mut effects: Vec<PairedBand> = Vec::new();
    let total = batches(manifest.runs);
    let mut done = 0;
    // The parts present, listed once: a manifest edited to billions of runs must not
    // cost a look-up per possible batch. The first folder holding a batch gives it.
    let mut found = std::collections::BTreeMap::new();
    for dir in dirs {
        for b in part_batches(dir).into_iter().filter(|&b| b < total) {
            found.entry(b).or_insert(dir);
        }
    }
    for (&b, dir) in &found {
        let part = read_part(manifest, dir, b)?;
        if bands.is_empty() {
            bands = new_bands();
            effects = (0..v)
                .map(|i| {
                    PairedBand::new(if i == 0 {
                        0
                    } else {
                        manifest.ticks as usize + 1
                    })
                })
                .collect();
        }
        // Each run's baseline series, to pair every strategy's run with it.
        let base: Vec<(u32, Vec<f64>)> = part
            .iter()
            .filter(|r| r.variant == 0)
            .map(|r| (r.run, r.series.clone()))
            .collect();
        for mut r in part {
            let vi = r.variant as usize;
            bands[vi].add(&r.series);
            if vi > 0
                && let Some((_, b)) = base.iter().find(|(run, _)| *run == r.run)
            {
                effects[vi].add(&r.series, b);
            }
            r.series = vec![
                r.series.first().copied().unwrap_or(f64::NAN),
                r.series.last().copied().unwrap_or(f64::NAN),
            ];
            results[vi].push(r);
        }
        done += 1;
    }
    if bands.is_empty() {
        // No part read: no band to draw (figures need runs), and no size to trust.
        bands = (0..v).map(|_| BandSketch::new(0)).collect();
        effects = (0..v).map(|_| PairedBand::new(0)).collect();
    }
    Ok(Aggregate {
        manifest: manifest.clone(),
        results,
        bands,
        effects,
        batches_done: done,
        complete: done == total,
    })
}

impl Aggregate {
    pub fn runs_done(&self) -> usize {
        self.results.first().map_or(0, |r| r.len())
    }
    /// Index of a metric; the manifest was checked on reading to name its focal metric and
    /// its cost actor's spend among its metrics, so 0 is never used for those.
    pub fn metric(&self, name: &str) -> usize {
        self.manifest
            .metrics
            .names
            .iter()
            .position(|n| n == name)
            .unwrap_or(0)
    }
    pub fn column(&self, variant: usize, metric: usize) -> Vec<f64> {
        self.results[variant]
            .iter()
            .map(|r| r.finals[metric])
            .collect()
    }

    /// Paired difference of variant `v` from the baseline on metric `name` (None if the
    /// metric is not measured).
    pub fn paired_effect(&self, v: usize, name: &str) -> Option<Paired> {
        let m = self.manifest.metrics.names.iter().position(|n| n == name)?;
        Some(paired(
            &self.column(v, m),
            &self.column(0, m),
            !lower_is_better(name),
        ))
    }
}

/// One line of the ranking of variants by the focal metric.
#[derive(Debug, Clone, Serialize)]
pub struct RankRow {
    pub variant: String,
    pub mean: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub diff: f64,
    pub diff_ci_low: f64,
    pub diff_ci_high: f64,
    pub share_better: f64,
    /// Mean spend of the cost actor per run.
    pub spend: f64,
    /// Mean extra spend of the cost actor over the baseline in the same run.
    pub extra_spend: f64,
    /// Cost-effectiveness: the mean paired gain over the baseline (the headline's
    /// difference, signed so that better is positive) per 100 budget units of mean extra
    /// spend, 100 · mean(gain) / mean(extra spend); NaN (null in JSON) when the strategy
    /// spends no more than the baseline.
    pub gain_per_100: f64,
    /// Its 95% interval (delta method, `stats::ratio_of_means`); NaN for one run.
    pub gain_ci_low: f64,
    pub gain_ci_high: f64,
    /// The same against the declared do-nothing strategy, when there is one (absent
    /// from JSON otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vs_do_nothing: Option<[f64; 3]>,
}

pub fn ranking(a: &Aggregate) -> Vec<RankRow> {
    let m = a.metric(&a.manifest.metrics.focal);
    let spend_ix = a.metric(&format!("spend:{}", a.manifest.metrics.cost_actor));
    let higher = !lower_is_better(&a.manifest.metrics.focal);
    let base = a.column(0, m);
    let base_spend = a.column(0, spend_ix);
    let nothing = a
        .manifest
        .do_nothing
        .as_ref()
        .and_then(|d| a.manifest.variants.iter().position(|v| &v.name == d))
        .map(|d| (a.column(d, m), a.column(d, spend_ix)));
    let mut rows: Vec<RankRow> = (0..a.manifest.variants.len())
        .map(|v| {
            let x = a.column(v, m);
            let s = summarise(&x);
            let p = paired(&x, &base, higher);
            let spend_v = a.column(v, spend_ix);
            let spend = summarise(&spend_v).mean;
            let sign = if higher { 1.0 } else { -1.0 };
            let gain: Vec<f64> = x.iter().zip(&base).map(|(s, b)| sign * (s - b)).collect();
            let extra: Vec<f64> = spend_v
                .iter()
                .zip(&base_spend)
                .map(|(s, b)| s - b)
                .collect();
            let nan3 = (f64::NAN, f64::NAN, f64::NAN);
            // Equal spends summed over ticks in another order differ by rounding alone: no
            // extra spend, no ratio (not a gain divided by 1e-13).
            let base_mean = summarise(&base_spend).mean.abs().max(1.0);
            let ce = if summarise(&extra).mean <= 1e-9 * base_mean {
                nan3
            } else {
                ratio_of_means(&gain, &extra).unwrap_or(nan3)
            };
            let vs_do_nothing = nothing.as_ref().map(|(dm, ds)| {
                let g: Vec<f64> = x.iter().zip(dm).map(|(s, b)| sign * (s - b)).collect();
                let e: Vec<f64> = spend_v.iter().zip(ds).map(|(s, b)| s - b).collect();
                let r = ratio_of_means(&g, &e).unwrap_or(nan3);
                [100.0 * r.0, 100.0 * r.1, 100.0 * r.2]
            });
            RankRow {
                variant: a.manifest.variants[v].name.clone(),
                mean: s.mean,
                ci_low: s.ci_low,
                ci_high: s.ci_high,
                diff: p.diff.mean,
                diff_ci_low: p.diff.ci_low,
                diff_ci_high: p.diff.ci_high,
                share_better: p.share_better,
                spend,
                extra_spend: summarise(&extra).mean,
                gain_per_100: 100.0 * ce.0,
                gain_ci_low: 100.0 * ce.1,
                gain_ci_high: 100.0 * ce.2,
                vs_do_nothing,
            }
        })
        .collect();
    rows.sort_by(|x, y| {
        if higher {
            y.mean.total_cmp(&x.mean)
        } else {
            x.mean.total_cmp(&y.mean)
        }
    });
    rows
}

/// A run's seed as text no spreadsheet or data-frame reader turns into a (rounded)
/// number: 64-bit seeds exceed the 2^53 integers a double holds exactly. `softpower run
/// --seed` takes it as written.
pub fn seed_text(seed: u64) -> String {
    format!("0x{seed:016x}")
}

/// A table cell: empty where a statistic is undefined (one run has no interval).
fn cell(v: f64) -> String {
    if v.is_nan() { String::new() } else { fmt(v) }
}

fn runs_csv(a: &Aggregate) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["variant".to_string(), "run".into(), "seed".into()];
    header.extend(a.manifest.metrics.names.iter().cloned());
    w.write_record(&header)?;
    for (v, rs) in a.results.iter().enumerate() {
        for r in rs {
            let mut row = vec![
                a.manifest.variants[v].name.clone(),
                r.run.to_string(),
                seed_text(r.seed),
            ];
            row.extend(r.finals.iter().map(|x| fmt(*x)));
            w.write_record(&row)?;
        }
    }
    Ok(w.into_inner()?)
}

fn compare_csv(a: &Aggregate) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "variant",
        "metric",
        "n",
        "mean",
        "sd",
        "ci95_low",
        "ci95_high",
        "median",
        "q05",
        "q95",
    ])?;
    for (v, info) in a.manifest.variants.iter().enumerate() {
        for (m, name) in a.manifest.metrics.names.iter().enumerate() {
            let s = summarise(&a.column(v, m));
            w.write_record([
                &info.name,
                name,
                &s.n.to_string(),
                &fmt(s.mean),
                &cell(s.sd),
                &cell(s.ci_low),
                &cell(s.ci_high),
                &fmt(s.median),
                &fmt(s.q05),
                &fmt(s.q95),
            ])?;
        }
    }
    Ok(w.into_inner()?)
}

fn paired_csv(a: &Aggregate) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "variant",
        "baseline",
        "metric",
        "better_is",
        "n",
        "mean_diff",
        "ci95_low",
        "ci95_high",
        "share_better",
    ])?;
    let base_name = &a.manifest.variants[0].name;
    for (v, info) in a.manifest.variants.iter().enumerate().skip(1) {
        for (m, name) in a.manifest.metrics.names.iter().enumerate() {
            let higher = !lower_is_better(name);
            let p = paired(&a.column(v, m), &a.column(0, m), higher);
            w.write_record([
                info.name.as_str(),
                base_name,
                name,
                if higher { "higher" } else { "lower" },
                &p.diff.n.to_string(),
                &fmt(p.diff.mean),
                &cell(p.diff.ci_low),
                &cell(p.diff.ci_high),
                &cell(p.share_better),
            ])?;
        }
    }
    Ok(w.into_inner()?)
}

fn sweep_csv(a: &Aggregate) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["point".to_string()];
    header.extend(a.manifest.sweep.iter().map(|p| p.path.clone()));
    header.extend(["metric", "n", "mean", "ci95_low", "ci95_high"].map(String::from));
    w.write_record(&header)?;
    for (v, info) in a.manifest.variants.iter().enumerate() {
        for (m, name) in a.manifest.metrics.names.iter().enumerate() {
            let s = summarise(&a.column(v, m));
            let mut row = vec![info.name.clone()];
            row.extend(info.values.iter().map(|x| fmt(*x)));
            row.extend([
                name.clone(),
                s.n.to_string(),
                fmt(s.mean),
                cell(s.ci_low),
                cell(s.ci_high),
            ]);
            w.write_record(&row)?;
        }
    }
    Ok(w.into_inner()?)
}

#[derive(Serialize)]
struct Summary<'a> {
    #[serde(flatten)]
    manifest: &'a Manifest,
    complete: bool,
    runs_completed: usize,
    ranking: Vec<RankRow>,
    files: Vec<String>,
}

/// How figures show a metric: shares of people (story statistics) as percentages, as
/// README promises, with the unit in the axis label; data files keep 0–1.
fn shown(metric: &str) -> (f64, String) {
    match Metric::parse(metric) {
        Ok(m) if m.is_share() => (100.0, format!("{metric} (% of people)")),
        Ok(m) if m.is_points() => (1.0, format!("{metric} (percentage points)")),
        Ok(m) if m.is_tick_valued() => (1.0, format!("{metric} (tick)")),
        _ => (1.0, metric.to_string()),
    }
}

/// The same for a difference between strategies.
fn shown_diff(metric: &str) -> (f64, String) {
    match Metric::parse(metric) {
        Ok(m) if m.is_share() => (100.0, format!("{metric}: difference (percentage points)")),
        Ok(m) if m.is_points() => (1.0, format!("{metric}: difference (percentage points)")),
        Ok(m) if m.is_tick_valued() => (1.0, format!("{metric}: difference (ticks)")),
        _ => (1.0, format!("{metric}: difference")),
    }
}

/// How a paired effect reads against zero, for colours and legends.
fn verdict(lo: f64, hi: f64, higher: bool) -> usize {
    if lo.is_nan() || hi.is_nan() {
        3
    } else if (higher && lo > 0.0) || (!higher && hi < 0.0) {
        0
    } else if (higher && hi < 0.0) || (!higher && lo > 0.0) {
        1
    } else {
        2
    }
}

const VERDICTS: [&str; 5] = [
    "better than the baseline (95% CI excludes 0)",
    "worse than the baseline (95% CI excludes 0)",
    "not told apart from the baseline",
    "one run: no interval",
    "spends no more than the baseline: no ratio",
];

/// Rows coloured by verdict, and the legend of the verdicts that occur (in their order).
fn by_verdict(rows: Vec<(Interval, usize)>) -> (Vec<Interval>, Vec<String>) {
    let used: Vec<usize> = (0..VERDICTS.len())
        .filter(|k| rows.iter().any(|(_, v)| v == k))
        .collect();
    let rows = rows
        .into_iter()
        .map(|(mut r, v)| {
            r.kind = used.iter().position(|&u| u == v).unwrap_or(0);
            r
        })
        .collect();
    (
        rows,
        used.iter().map(|&k| VERDICTS[k].to_string()).collect(),
    )
}

/// The headline's paired difference from the baseline over time: the mean over runs with
/// its 95% interval, one band per strategy.
fn effect_chart(a: &Aggregate, tick_label: &str) -> Result<(Vec<u8>, Hover)> {
    // The quantity over time, before its reduction to one number.
    let focal = &Metric::parse(&a.manifest.metrics.focal)
        .map_or_else(|_| a.manifest.metrics.focal.clone(), |m| m.series_name());
    let (k, y_label) = shown_diff(focal);
    let series: Vec<Band> = a
        .effects
        .iter()
        .zip(&a.manifest.variants)
        .skip(1)
        .map(|(e, info)| {
            let at: Vec<(f64, f64, f64)> = (0..e.ticks()).map(|t| e.at(t)).collect();
            Band {
                name: info.name.clone(),
                x: (0..e.ticks()).map(|t| t as f64).collect(),
                median: at.iter().map(|x| k * x.0).collect(),
                inner: if a.runs_done() < 2 {
                    Vec::new()
                } else {
                    at.iter().map(|x| (k * x.1, k * x.2)).collect()
                },
                outer: Vec::new(),
            }
        })
        .collect();
    let hover = Hover::Lines(
        series
            .iter()
            .map(|b: &Band| {
                (
                    format!("{} minus {} (mean)", b.name, a.manifest.variants[0].name),
                    b.x.iter().copied().zip(b.median.iter().copied()).collect(),
                )
            })
            .collect(),
    );
    let png = plot::band_chart(&BandChart {
        title: format!(
            "{focal} over time: each strategy minus {} in the same run, mean of {} runs",
            a.manifest.variants[0].name,
            a.runs_done()
        ),
        x_label: tick_label.to_string(),
        y_label,
        series,
        inner_label: if a.runs_done() < 2 {
            String::new()
        } else {
            "95% CI of the mean difference".into()
        },
        outer_label: String::new(),
    })?;
    Ok((png, hover))
}

fn fan_chart(a: &Aggregate, tick_label: &str) -> Result<(Vec<u8>, Hover)> {
    let ticks = a.manifest.ticks as usize + 1;
    let (k, y_label) = shown(&a.manifest.metrics.focal);
    let series: Vec<Band> = a
        .bands
        .iter()
        .zip(&a.manifest.variants)
        .map(|(b, info)| Band {
            name: info.name.clone(),
            x: (0..ticks).map(|t| t as f64).collect(),
            median: (0..ticks).map(|t| k * b.quantile(t, 0.5)).collect(),
            inner: (0..ticks)
                .map(|t| (k * b.quantile(t, 0.25), k * b.quantile(t, 0.75)))
                .collect(),
            outer: (0..ticks)
                .map(|t| (k * b.quantile(t, 0.05), k * b.quantile(t, 0.95)))
                .collect(),
        })
        .collect();
    let hover = Hover::Lines(
        series
            .iter()
            .map(|b: &Band| {
                (
                    format!("{} (median)", b.name),
                    b.x.iter().copied().zip(b.median.iter().copied()).collect(),
                )
            })
            .collect(),
    );
    let png = plot::band_chart(&BandChart {
        title: format!(
            "{} over time: median of {} runs",
            a.manifest.metrics.focal,
            a.runs_done()
        ),
        x_label: tick_label.to_string(),
        y_label,
        series,
        inner_label: "50% of runs".into(),
        outer_label: "90% of runs".into(),
    })?;
    Ok((png, hover))
}

/// What the report page of an ensemble needs beyond the results: whether to write it,
/// and the scenario's description (a merge reads it from the shards' headers).
#[derive(Debug, Clone, Default)]
pub struct ReportSpec {
    pub write: bool,
    pub description: String,
}

/// Every figure an ensemble may write, without extension (for stale-file removal).
pub const FIGURE_NAMES: [&str; 5] = ["fan", "metric", "cost_effectiveness", "sweep", "pareto"];

/// Writes the figures, the report (if asked) and the summary; returns every file name.
fn finish_files(
    out: &OutDir,
    a: &Aggregate,
    mut files: Vec<String>,
    figures: Vec<Figure>,
    report: &ReportSpec,
    rank: Vec<RankRow>,
) -> Result<Vec<String>> {
    for f in &figures {
        out.write(&f.name, &f.bytes)?;
        files.push(f.name.clone());
    }
    for stem in FIGURE_NAMES {
        for ext in ["png", "svg"] {
            let name = format!("{stem}.{ext}");
            if !files.contains(&name) {
                out.remove_stale(&name);
            }
        }
    }
    if report.write {
        files.push(REPORT.into());
    } else {
        out.remove_stale(REPORT);
    }
    files.push("summary.json".into());
    if report.write {
        let page = super::report::ensemble_page(a, &report.description, figures, &files);
        out.write(REPORT, super::report::html(&page).as_bytes())?;
    }
    let s = Summary {
        manifest: &a.manifest,
        complete: a.complete,
        runs_completed: a.runs_done(),
        ranking: rank,
        files: files.clone(),
    };
    out.write("summary.json", &serde_json::to_vec_pretty(&s)?)?;
    Ok(files)
}

/// The name of the report page in every results folder.
pub const REPORT: &str = "report.html";

/// Writes the final (or, if interrupted, provisional) outputs of a `compare`.
pub fn write_compare(
    out: &OutDir,
    a: &Aggregate,
    tick_label: &str,
    plots: bool,
    report: &ReportSpec,
) -> Result<Vec<String>> {
    let mut files = vec![
        "runs.csv".to_string(),
        "compare.csv".into(),
        "paired.csv".into(),
    ];
    out.write("runs.csv", &runs_csv(a)?)?;
    out.write("compare.csv", &compare_csv(a)?)?;
    out.write("paired.csv", &paired_csv(a)?)?;
    // Probability of being best and regret, where the runs give a decision.
    match super::sensitivity::decision(a) {
        Some(d) => {
            out.write("decision.csv", &super::sensitivity::decision_csv(a, &d)?)?;
            files.push("decision.csv".into());
        }
        None => out.remove_stale("decision.csv"),
    }
    let rank = ranking(a);
    let mut figures = Vec::new();
    let focal = &a.manifest.metrics.focal;
    let higher = !lower_is_better(focal);
    let n = a.runs_done();
    let base_name = &a.manifest.variants[0].name;
    if plots && n > 0 && a.manifest.variants.len() == 1 {
        // Nothing to pair with: the headline's spread over runs.
        let (png, hover) = fan_chart(a, tick_label)?;
        figures.push(Figure::new(
            "fan",
            png,
            format!(
                "the line is the median of {focal} over the runs in each {}; the darker band holds the middle 50% of runs, the lighter band 90%.",
                a.manifest.tick_label
            ),
            hover,
        ));
    } else if plots && n > 0 {
        let (png, hover) = effect_chart(a, tick_label)?;
        figures.push(Figure::new(
            "fan",
            png,
            format!(
                "for each strategy, the line is its {} minus {base_name}'s in the same run (same seed and, under uncertainty, the same parameter draw), averaged over the runs, in each {}; {} The line at 0 is the baseline.",
                Metric::parse(focal).map_or_else(|_| focal.clone(), |m| m.series_name()),
                a.manifest.tick_label,
                if n > 1 {
                    "the band is the 95% confidence interval of that mean difference."
                } else {
                    "one run gives no interval, so the lines are not evidence of a difference."
                }
            ),
            hover,
        ));
        let (k, label) = shown_diff(focal);
        let rows = rank
            .iter()
            .filter(|r| &r.variant != base_name)
            .map(|r| {
                (
                    Interval {
                        label: r.variant.clone(),
                        estimate: k * r.diff,
                        lo: k * r.diff_ci_low,
                        hi: k * r.diff_ci_high,
                        kind: 0,
                    },
                    verdict(r.diff_ci_low, r.diff_ci_high, higher),
                )
            })
            .collect();
        let (rows, kinds) = by_verdict(rows);
        let png = plot::interval_chart(&IntervalChart {
            title: format!(
                "{}: difference from {base_name}, mean and 95% CI over {n} paired runs",
                Metric::parse(focal).map_or(focal.clone(), |m| m.headline())
            ),
            x_label: label,
            rows,
            reference: Some(0.0),
            kinds,
        })?;
        figures.push(Figure::new(
            "metric",
            png,
            format!(
                "each row is a strategy: the dot is its mean paired difference from {base_name} in {focal} (the numbers of paired.csv), the whisker its 95% confidence interval; the dashed line is no difference. {} is better. The colour says whether the interval lies wholly on the better side, wholly on the worse side, or crosses 0 (see the legend){}.",
                if higher { "Higher" } else { "Lower" },
                if n < 2 { "; with one run there is no interval" } else { "" }
            ),
            Hover::Axes,
        ));
        let (k, _) = shown_diff(focal);
        let rows = rank
            .iter()
            .filter(|r| &r.variant != base_name)
            .map(|r| {
                let label = if r.gain_per_100.is_nan() {
                    format!("{} (no extra spend)", r.variant)
                } else {
                    r.variant.clone()
                };
                (
                    Interval {
                        label,
                        estimate: k * r.gain_per_100,
                        lo: k * r.gain_ci_low,
                        hi: k * r.gain_ci_high,
                        kind: 0,
                    },
                    if r.gain_per_100.is_nan() {
                        4
                    } else {
                        verdict(r.gain_ci_low, r.gain_ci_high, true)
                    },
                )
            })
            .collect();
        let (rows, kinds) = by_verdict(rows);
        let png = plot::interval_chart(&IntervalChart {
            title: format!(
                "Gain in {focal} over {base_name} per 100 units of extra spend by {}",
                a.manifest.metrics.cost_actor
            ),
            x_label: format!(
                "gain per 100 extra units ({}{})",
                if higher {
                    "rise"
                } else {
                    "fall, as lower is better"
                },
                if k == 100.0 {
                    ", percentage points"
                } else {
                    ""
                }
            ),
            rows,
            reference: Some(0.0),
            kinds,
        })?;
        figures.push(Figure::new(
            "cost_effectiveness",
            png,
            format!(
                "each row is a strategy: the dot is its mean paired gain over {base_name} in {focal} (positive = better) divided by the mean extra budget {} spends over {base_name} in the same run, per 100 units; the whisker is its 95% confidence interval (delta method). A strategy that spends no more than {base_name} has no ratio and shows no dot.",
                a.manifest.metrics.cost_actor
            ),
            Hover::Axes,
        ));
    }
    if a.manifest.kind == "split" {
        let (names, fig) = super::split::pareto_files(out, a, plots && n > 0)?;
        files.extend(names);
        figures.extend(fig);
    }
    finish_files(out, a, files, figures, report, rank)
}

/// Writes the final (or provisional) outputs of a `sweep`.
pub fn write_sweep(
    out: &OutDir,
    a: &Aggregate,
    plots: bool,
    report: &ReportSpec,
) -> Result<Vec<String>> {
    let files = vec!["runs.csv".to_string(), "sweep.csv".into()];
    out.write("runs.csv", &runs_csv(a)?)?;
    out.write("sweep.csv", &sweep_csv(a)?)?;
    let m = a.metric(&a.manifest.metrics.focal);
    let stats: Vec<_> = (0..a.manifest.variants.len())
        .map(|v| summarise(&a.column(v, m)))
        .collect();
    let mut figures = Vec::new();
    if plots && a.runs_done() > 0 {
        let focal = &a.manifest.metrics.focal;
        let (k, label) = shown(focal);
        let (png, caption, hover) = match a.manifest.sweep.as_slice() {
            [p] => {
                let png = plot::band_chart(&BandChart {
                    title: format!(
                        "{focal} against {}: mean and 95% CI ({} runs per point)",
                        p.path,
                        a.runs_done()
                    ),
                    x_label: p.path.clone(),
                    y_label: label.clone(),
                    series: vec![Band {
                        name: focal.clone(),
                        x: p.values.clone(),
                        median: stats.iter().map(|s| k * s.mean).collect(),
                        inner: stats
                            .iter()
                            .map(|s| (k * s.ci_low, k * s.ci_high))
                            .collect(),
                        outer: Vec::new(),
                    }],
                    inner_label: "95% CI".into(),
                    outer_label: String::new(),
                })?;
                (
                    png,
                    format!(
                        "the line is the mean final {focal} over the runs at each value of {}, the band its 95% confidence interval.",
                        p.path
                    ),
                    Hover::Lines(vec![(
                        format!("mean {focal}"),
                        p.values
                            .iter()
                            .zip(&stats)
                            .map(|(x, s)| (*x, k * s.mean))
                            .collect(),
                    )]),
                )
            }
            [p1, p2] => {
                let (n1, n2) = (p1.values.len(), p2.values.len());
                let values: Vec<Vec<f64>> = (0..n2)
                    .map(|j| (0..n1).map(|i| k * stats[i * n2 + j].mean).collect())
                    .collect();
                let lim = values
                    .iter()
                    .flatten()
                    .fold(0.0f64, |m, x| m.max(x.abs()))
                    .max(1e-12);
                // Shares and counts cannot be negative: light-to-dark from 0,
                // not a diverging scale centred on a zero nobody crosses.
                let non_negative = values.iter().flatten().all(|x| x.is_nan() || *x >= 0.0);
                let png = plot::heatmap(&Heatmap {
                    title: format!("Mean final {focal} ({} runs per point)", a.runs_done()),
                    x_label: p1.path.clone(),
                    y_label: p2.path.clone(),
                    rows: p2.values.iter().map(|x| plot::human(*x, 4)).collect(),
                    cols: p1.values.iter().map(|x| plot::human(*x, 4)).collect(),
                    values,
                    range: if non_negative {
                        (0.0, lim)
                    } else {
                        (-lim, lim)
                    },
                    colorbar_label: label.clone(),
                    sequential: non_negative,
                })?;
                (
                    png,
                    format!(
                        "each cell is the mean final {focal} over the runs at one pair of values ({} across, {} up); {}",
                        p1.path,
                        p2.path,
                        if non_negative {
                            "darker is higher (a sequential scale from 0)."
                        } else {
                            "red is negative, white 0, blue positive."
                        }
                    ),
                    Hover::Axes,
                )
            }
            _ => return Err(Error::failure("a sweep has one or two parameters")),
        };
        figures.push(Figure::new("sweep", png, caption, hover));
    }
    let rank = ranking(a);
    finish_files(out, a, files, figures, report, rank)
}
