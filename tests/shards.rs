//! The batch driver through the real binary: `sensitivity` split into shards, merged,
//! interrupted and resumed gives the unsharded files byte for byte, for any thread count;
//! `sweep` samples the scenario's `[[uncertain]]` priors with run r of every point on the
//! same draw.
//!
//! The scenario is the Friedkin–Johnsen pair of tests/common/fj_pair.rs: the favourability
//! of the issue is the equilibrium z* = (I − ΛW)⁻¹ (I − Λ) u, a function of A's
//! stubbornness alone; the digital-messaging cost is read only by campaigns, of which
//! there are none, so it provably has no effect.

#[path = "common/cli.rs"]
mod cli;
#[path = "common/fj_pair.rs"]
mod fj_pair;

use cli::{rows, same_files, softpower, write};
use fj_pair::{INERT_PRIOR, STUBBORNNESS_PRIOR, equilibrium};
use predicates::prelude::*;
use std::path::{Path, PathBuf};

/// Sobol with N = 128 over 2 parameters: N(d + 2) = 512 design points, four part files
/// of 128 points, so three shards each get at least one.
const SOBOL: [&str; 6] = [
    "--samples",
    "128",
    "--bootstrap",
    "50",
    "--metric",
    "favourability:issue",
];
const FILES: [&str; 5] = [
    "sensitivity.csv",
    "design.csv",
    "sensitivity.json",
    "sensitivity.png",
    "report.html",
];

fn text() -> String {
    fj_pair::scenario(
        "fj_shards",
        5,
        120,
        &format!("{STUBBORNNESS_PRIOR}\n{INERT_PRIOR}"),
    )
}

fn scenario(dir: &Path) -> PathBuf {
    write(dir, "fj.toml", &text())
}

fn sensitivity(file: &Path, out: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    softpower()
        .arg("sensitivity")
        .arg(file)
        .args(SOBOL)
        .arg("--out")
        .arg(out)
        .args(extra)
        .assert()
}

#[test]
fn sensitivity_in_three_shards_merges_to_the_unsharded_files_for_any_thread_count() {
    let d = tempfile::tempdir().unwrap();
    let file = scenario(d.path());
    let whole = d.path().join("whole");
    sensitivity(&file, &whole, &["--threads", "2", "-q"]).success();
    let mut shards = Vec::new();
    for k in 1..=3 {
        let s = d.path().join(format!("s{k}"));
        let threads = if k == 2 { "1" } else { "2" };
        sensitivity(
            &file,
            &s,
            &["--shard", &format!("{k}/3"), "--threads", threads],
        )
        .success()
        .stdout(predicate::str::contains(format!("shard {k}/3")));
        // A shard holds design points only: no indices from a part of the design.
        assert!(!s.join("sensitivity.csv").exists());
        shards.push(s);
    }
    // A missing shard is named, not silently ignored.
    softpower()
        .arg("merge")
        .args(&shards[..2])
        .arg("--out")
        .arg(d.path().join("partial"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("shard 3/3 is missing"));
    let merged = d.path().join("merged");
    softpower()
        .arg("merge")
        .args(&shards)
        .arg("--out")
        .arg(&merged)
        .assert()
        .success()
        .stdout(predicate::str::contains("Sobol indices"));
    same_files(&whole, &merged, &FILES);
}

#[test]
fn an_interrupted_sensitivity_resumes_to_the_uninterrupted_files() {
    let d = tempfile::tempdir().unwrap();
    let file = scenario(d.path());
    let (whole, cut) = (d.path().join("whole"), d.path().join("cut"));
    sensitivity(&file, &whole, &["-q"]).success();
    sensitivity(&file, &cut, &["--stop-after-batches", "1", "-q"])
        .code(130)
        .stderr(predicate::str::contains("--resume"));
    assert!(
        !cut.join("sensitivity.csv").exists(),
        "no indices from part of a design"
    );
    // Without --resume the folder is protected; a different command is not resumed.
    sensitivity(&file, &cut, &["-q"]).code(2);
    softpower()
        .arg("sensitivity")
        .arg(&file)
        .args([
            "--samples",
            "64",
            "--metric",
            "favourability:issue",
            "--out",
        ])
        .arg(&cut)
        .args(["--resume", "-q"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("different analysis"));
    sensitivity(&file, &cut, &["--resume", "--threads", "1", "-q"]).success();
    same_files(&whole, &cut, &FILES);
}

#[test]
fn merge_refuses_shards_of_a_scenario_that_has_changed_since() {
    let d = tempfile::tempdir().unwrap();
    let file = scenario(d.path());
    let mut shards = Vec::new();
    for k in 1..=2 {
        let s = d.path().join(format!("s{k}"));
        sensitivity(&file, &s, &["--shard", &format!("{k}/2"), "-q"]).success();
        shards.push(s);
    }
    std::fs::write(&file, text().replace("seed = 5", "seed = 6")).unwrap();
    softpower()
        .arg("merge")
        .args(&shards)
        .arg("--out")
        .arg(d.path().join("m"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("has changed"));
}

/// Sweeping the inert digital cost: the swept path's own prior is dropped (with a note),
/// the stubbornness prior is sampled, and run r of both points takes the same draw, so
/// the two points agree run by run while runs differ from one another.
#[test]
fn sweep_samples_the_priors_with_the_same_draw_for_every_point_of_a_run() {
    let d = tempfile::tempdir().unwrap();
    let file = scenario(d.path());
    let out = d.path().join("sw");
    softpower()
        .arg("sweep")
        .arg(&file)
        .args([
            "--set",
            "model.messaging.cost_digital=0.2..0.8:2",
            "--runs",
            "12",
            "--metric",
            "favourability:issue",
            "--no-plots",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "model.messaging.cost_digital is swept, so its [[uncertain]] prior is not sampled",
        ))
        .stdout(predicate::str::contains("Under uncertainty"));
    let t = rows(&out.join("runs.csv"));
    let head: Vec<String> = csv::Reader::from_path(out.join("runs.csv"))
        .unwrap()
        .headers()
        .unwrap()
        .iter()
        .map(String::from)
        .collect();
    let col = head
        .iter()
        .position(|h| h == "favourability:issue")
        .unwrap();
    let value = |v: &str, run: usize| -> f64 {
        t.iter()
            .find(|r| r[0] == v && r[1] == run.to_string())
            .unwrap()[col]
            .parse()
            .unwrap()
    };
    let mut seen = std::collections::BTreeSet::new();
    for run in 0..12 {
        assert_eq!(value("p000", run), value("p001", run), "run {run}");
        seen.insert(value("p000", run).to_bits());
    }
    assert!(
        seen.len() > 6,
        "the stubbornness prior is sampled: runs differ ({} distinct)",
        seen.len()
    );
}

/// The same sweep split in two shards and merged, or interrupted and resumed, gives the
/// files of the uninterrupted sweep.
#[test]
fn a_sweep_under_uncertainty_is_the_same_sharded_or_resumed() {
    let d = tempfile::tempdir().unwrap();
    let file = scenario(d.path());
    let sweep = |out: &Path, extra: &[&str]| {
        softpower()
            .arg("sweep")
            .arg(&file)
            .args([
                "--set",
                "population.b.stubbornness=0.2..0.8:3",
                "--runs",
                "24",
                "--metric",
                "favourability:issue",
                "-q",
                "--out",
            ])
            .arg(out)
            .args(extra)
            .assert()
    };
    let names = ["runs.csv", "sweep.csv", "summary.json", "sweep.png"];
    let whole = d.path().join("whole");
    sweep(&whole, &["--threads", "2"]).success();
    let (s1, s2) = (d.path().join("s1"), d.path().join("s2"));
    sweep(&s1, &["--shard", "1/2", "--threads", "1"]).success();
    sweep(&s2, &["--shard", "2/2"]).success();
    let merged = d.path().join("merged");
    softpower()
        .arg("merge")
        .args([&s1, &s2])
        .args(["-q", "--out"])
        .arg(&merged)
        .assert()
        .success();
    same_files(&whole, &merged, &names);
    let cut = d.path().join("cut");
    sweep(&cut, &["--stop-after-batches", "1"]).code(130);
    sweep(&cut, &["--resume"]).success();
    same_files(&whole, &cut, &names);
}

/// `discover` in three shards merged, and interrupted then resumed, gives the files of
/// the whole run; the question's threshold is the equilibrium at the prior's middle, so
/// the answer varies across samples.
#[test]
fn discover_is_the_same_sharded_merged_or_resumed() {
    let d = tempfile::tempdir().unwrap();
    let file = scenario(d.path());
    let question = format!("favourability:issue > {}", equilibrium(0.5));
    let discover = |out: &Path, extra: &[&str]| {
        softpower()
            .arg("discover")
            .arg(&file)
            .args(["--question", &question, "--samples", "64", "-q", "--out"])
            .arg(out)
            .args(extra)
            .assert()
    };
    let names = [
        "discover.csv",
        "box.csv",
        "samples.csv",
        "discover.json",
        "discover.png",
    ];
    let whole = d.path().join("whole");
    discover(&whole, &["--threads", "2"]).success();
    let mut shards = Vec::new();
    for k in 1..=3 {
        let s = d.path().join(format!("s{k}"));
        let threads = if k == 2 { "1" } else { "2" };
        discover(&s, &["--shard", &format!("{k}/3"), "--threads", threads]).success();
        assert!(
            !s.join("box.csv").exists(),
            "no box from part of the samples"
        );
        shards.push(s);
    }
    let merged = d.path().join("merged");
    softpower()
        .arg("merge")
        .args(&shards)
        .args(["-q", "--out"])
        .arg(&merged)
        .assert()
        .success();
    same_files(&whole, &merged, &names);
    let cut = d.path().join("cut");
    discover(&cut, &["--stop-after-batches", "2"])
        .code(130)
        .stderr(predicate::str::contains("--resume"));
    discover(&cut, &["--resume", "--threads", "1"]).success();
    same_files(&whole, &cut, &names);
}
