//! `compare`, `sweep` and `merge` through the real binary: determinism, known-answer
//! statistics, interruption and resume, sharding, and errors for bad input.

#[path = "common/cli.rs"]
mod cli;

use cli::{same_files, softpower};
use predicates::prelude::*;
use std::path::{Path, PathBuf};

const SCENARIO: &str = "tests/data/ensemble.toml";
const FINAL: [&str; 7] = [
    "runs.csv",
    "compare.csv",
    "paired.csv",
    "summary.json",
    "fan.png",
    "metric.png",
    "cost_effectiveness.png",
];

fn compare(out: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    softpower()
        .args(["compare", SCENARIO, "--runs", "20", "--out"])
        .arg(out)
        .args(extra)
        .assert()
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

#[test]
fn compare_is_identical_for_any_thread_count() {
    let d = tmp();
    let (a, b) = (d.path().join("a"), d.path().join("b"));
    compare(&a, &["--threads", "1"])
        .success()
        .stdout(predicate::str::contains("more_fact_check"));
    compare(&b, &["--threads", "3"]).success();
    same_files(&a, &b, &FINAL);
}

#[test]
fn a_strategy_identical_to_baseline_differs_by_exactly_zero() {
    let d = tmp();
    let out = d.path().join("c");
    compare(&out, &[]).success();
    let paired = std::fs::read_to_string(out.join("paired.csv")).unwrap();
    let mut rows = 0;
    for line in paired.lines().filter(|l| l.starts_with("same,")) {
        let f: Vec<&str> = line.split(',').collect();
        // variant,baseline,metric,better_is,n,mean_diff,ci95_low,ci95_high,share_better
        assert_eq!(&f[5..], ["0", "0", "0", "0"], "{line}");
        rows += 1;
    }
    assert!(rows >= 10);
    // Runs differ from each other (the scenario is stochastic), so the zero is not trivial.
    let runs = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    let base: Vec<&str> = runs
        .lines()
        .filter(|l| l.starts_with("baseline,"))
        .collect();
    assert_eq!(base.len(), 20);
    let finals = |l: &str| l.splitn(4, ',').nth(3).unwrap().to_string();
    assert!(
        base.iter()
            .map(|l| finals(l))
            .collect::<std::collections::HashSet<_>>()
            .len()
            > 1
    );
    // Removing fact-checking leaves more believers in most runs, and the CI excludes zero.
    let row = paired
        .lines()
        .find(|l| l.starts_with("no_fact_check,baseline,believing:s,"))
        .unwrap();
    let f: Vec<f64> = row.split(',').skip(5).map(|x| x.parse().unwrap()).collect();
    assert!(f[0] > 0.0 && f[1] > 0.0, "{row}");
}

#[test]
fn interrupted_compare_resumes_to_identical_results() {
    let d = tmp();
    let (full, cut) = (d.path().join("full"), d.path().join("cut"));
    compare(&full, &[]).success();
    compare(&cut, &["--stop-after-batches", "1"])
        .code(130)
        .stderr(predicate::str::contains("--resume"));
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(cut.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["complete"], false);
    assert_eq!(summary["runs_completed"], 8);
    assert!(
        !cut.join("fan.png").exists(),
        "no plots from an incomplete ensemble"
    );
    // Without --resume the folder is protected.
    compare(&cut, &[])
        .failure()
        .stderr(predicate::str::contains("already holds results"));
    compare(&cut, &["--resume"]).success();
    same_files(&full, &cut, &FINAL);
}

#[test]
fn sigint_stops_cleanly_and_resume_completes() {
    let d = tmp();
    let (full, cut) = (d.path().join("full"), d.path().join("cut"));
    let args = [
        "compare",
        SCENARIO,
        "--runs",
        "200",
        "--threads",
        "1",
        "--no-plots",
        "--out",
    ];
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("softpower"))
        .args(args)
        .arg(&cut)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait for the first finished batch, then interrupt.
    let t0 = std::time::Instant::now();
    while !cut.join("parts/batch-000000.json").exists() && t0.elapsed().as_secs() < 60 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let _ = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let code = child.wait().unwrap().code();
    assert!(code == Some(130) || code == Some(0), "{code:?}");
    for e in std::fs::read_dir(cut.join("parts")).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            name.starts_with("batch-") && name.ends_with(".json"),
            "stray file {name}"
        );
    }
    softpower()
        .args(args)
        .arg(&cut)
        .arg("--resume")
        .assert()
        .success();
    softpower().args(args).arg(&full).assert().success();
    same_files(
        &full,
        &cut,
        &["runs.csv", "compare.csv", "paired.csv", "summary.json"],
    );
}

#[test]
fn three_shards_merge_to_the_unsharded_result() {
    let d = tmp();
    let whole = d.path().join("whole");
    compare(&whole, &[]).success();
    let mut shards: Vec<PathBuf> = Vec::new();
    for k in 1..=3 {
        let s = d.path().join(format!("s{k}"));
        compare(&s, &["--shard", &format!("{k}/3")])
            .success()
            .stdout(predicate::str::contains(format!("shard {k}/3")));
        shards.push(s);
    }
    // A missing shard is reported, not silently ignored.
    softpower()
        .arg("merge")
        .args(&shards[..2])
        .arg("--out")
        .arg(d.path().join("bad"))
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
        .success();
    same_files(&whole, &merged, &FINAL);
    // Shards from another ensemble are refused.
    let other = d.path().join("other");
    compare(&other, &["--shard", "3/3", "--strategies", "same"]).success();
    softpower()
        .arg("merge")
        .args(&shards[..2])
        .arg(&other)
        .arg("--out")
        .arg(d.path().join("bad2"))
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("different ensembles")
                .and(predicate::str::contains("variants")),
        );
}

#[test]
fn a_merged_compare_shows_the_scenario_description_as_the_unsharded_one_does() {
    let d = tmp();
    let text = std::fs::read_to_string(SCENARIO).unwrap().replacen(
        "name = \"ens\"",
        "name = \"ens\"\ndescription = \"A story <spreads> over a random graph\"",
        1,
    );
    let file = d.path().join("described.toml");
    std::fs::write(&file, text).unwrap();
    let run = |out: &Path, extra: &[&str]| {
        softpower()
            .arg("compare")
            .arg(&file)
            .args(["--runs", "8", "--no-plots", "-q", "--out"])
            .arg(out)
            .args(extra)
            .assert()
            .success();
    };
    let whole = d.path().join("whole");
    run(&whole, &[]);
    let (s1, s2) = (d.path().join("s1"), d.path().join("s2"));
    run(&s1, &["--shard", "1/2"]);
    run(&s2, &["--shard", "2/2"]);
    let merged = d.path().join("merged");
    softpower()
        .arg("merge")
        .args([&s1, &s2])
        .args(["--no-plots", "-q", "--out"])
        .arg(&merged)
        .assert()
        .success();
    let page = std::fs::read_to_string(merged.join("report.html")).unwrap();
    assert!(
        page.contains("A story &lt;spreads&gt; over a random graph"),
        "the merged page shows the description, escaped"
    );
    same_files(&whole, &merged, &["report.html", "summary.json"]);
}

#[test]
fn shard_auto_reads_the_scheduler_index() {
    let d = tmp();
    let s = d.path().join("auto");
    softpower()
        .args([
            "compare",
            SCENARIO,
            "--runs",
            "16",
            "--no-plots",
            "--shard",
            "auto/2",
            "--out",
        ])
        .arg(&s)
        .env("JOB_COMPLETION_INDEX", "1")
        .env_remove("SLURM_ARRAY_TASK_ID")
        .assert()
        .success()
        .stdout(predicate::str::contains("shard 2/2"));
}

#[test]
fn sweep_one_and_two_parameters() {
    let d = tmp();
    let one = d.path().join("one");
    softpower()
        .args([
            "sweep",
            SCENARIO,
            "--set",
            "campaign.fc.spend=0..2:3",
            "--runs",
            "8",
            "--out",
        ])
        .arg(&one)
        .assert()
        .success();
    let csv = std::fs::read_to_string(one.join("sweep.csv")).unwrap();
    assert!(csv.starts_with("point,campaign.fc.spend,metric,n,mean,ci95_low,ci95_high\n"));
    assert!(csv.contains("\np002,2,soft_power:a,8,"));
    assert!(one.join("sweep.png").is_file());
    let two = d.path().join("two");
    softpower()
        .args([
            "sweep",
            SCENARIO,
            "--set",
            "campaign.fc.spend=0..2:2",
            "--set",
            "story.s.transmissibility=1..2:2",
            "--runs",
            "4",
            "--metric",
            "believing:s",
            "--out",
        ])
        .arg(&two)
        .assert()
        .success();
    let img = image::open(two.join("sweep.png")).unwrap();
    assert!(img.width() >= 1200);
}

#[test]
fn bad_sweep_paths_are_explained() {
    let d = tmp();
    let out = d.path().join("x");
    let bad = |set: &str, needle: &str| {
        softpower()
            .args(["sweep", SCENARIO, "--runs", "2", "--set", set, "--out"])
            .arg(&out)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(needle));
    };
    bad("campaign.fcc.spend=0..1:2", "did you mean \"fc\"");
    bad("campaign.fc.spnd=0..1:2", "campaign.fc.spend");
    bad("actr.a.budget=1..2:2", "did you mean \"actor\"");
    bad(
        "model.messaging.cost_digitl=0.1..1:2",
        "model.messaging.cost_digital",
    );
    bad("actor.a.credibility=0.5..1.5:3", "allowed: 0 to 1");
    bad("campaign.fc.spend=0..9:2", "budget");
    bad("campaign.fc.spend=0..1", "PATH=START..END:STEPS");
    assert!(!out.exists());
}

#[test]
fn bad_strategies_are_explained() {
    let d = tmp();
    let write = |extra: &str| {
        let f = d.path().join("s.toml");
        std::fs::write(&f, std::fs::read_to_string(SCENARIO).unwrap() + extra).unwrap();
        f
    };
    let check = |extra: &str, needles: &[&str]| {
        let f = write(extra);
        let out = softpower().arg("check").arg(&f).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(2), "{err}");
        for n in needles {
            assert!(err.contains(n), "expected {n:?} in:\n{err}");
        }
    };
    check(
        "\n[[strategy]]\nname = \"z\"\nremove = [\"fcc\"]\n",
        &[
            "strategy[3].remove[0]",
            "unknown campaign \"fcc\"",
            "did you mean \"fc\"",
        ],
    );
    check(
        "\n[[strategy]]\nname = \"z\"\nremove = [\"fc\"]\n[strategy.set]\n\"campaign.fc.spend\" = 2\n",
        &["edits campaign \"fc\", which this strategy removes"],
    );
    check(
        "\n[[strategy]]\nname = \"z\"\n[strategy.set]\n\"campaign.fc.spend\" = 9\n",
        &[
            "strategy[3]",
            "with strategy \"z\" applied",
            "budget is 3 per tick",
        ],
    );
    check(
        "\n[[strategy]]\nname = \"same\"\n",
        &["duplicate strategy name \"same\""],
    );
    check(
        "\n[[strategy]]\nname = \"z\"\nremve = [\"fc\"]\n",
        &["unknown field `remve`", "did you mean `remove`"],
    );
    check(
        "\n[[strategy]]\nname = \"z\"\n[[strategy.campaign]]\nid = \"fc\"\nactor = \"a\"\ninstrument = \"fact_check\"\nstory = \"s\"\ntargets = [\"nowhere\"]\nspend = 1\n",
        &[
            "strategy[3].campaign[0].targets[0]",
            "unknown population \"nowhere\"",
        ],
    );
    softpower()
        .args([
            "compare",
            SCENARIO,
            "--strategies",
            "more_fact_chek",
            "--runs",
            "2",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean \"more_fact_check\""));
    softpower()
        .args([
            "compare",
            SCENARIO,
            "--metric",
            "soft_powr:a",
            "--runs",
            "2",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean \"soft_power\""));
}

/// The files of a results folder against summary.json's list: equal, but for the
/// bookkeeping that is not a result (timing.json is not deterministic; ensemble.json and
/// parts/ serve --resume and merge).
fn unlisted_and_missing(dir: &Path) -> (Vec<String>, Vec<String>) {
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap();
    let listed: std::collections::BTreeSet<String> = summary["files"]
        .as_array()
        .expect("summary.json lists its files")
        .iter()
        .map(|f| f.as_str().unwrap().to_string())
        .collect();
    let on_disk: std::collections::BTreeSet<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !["timing.json", "ensemble.json", "parts"].contains(&n.as_str()))
        .collect();
    (
        on_disk.difference(&listed).cloned().collect(),
        listed.difference(&on_disk).cloned().collect(),
    )
}

#[test]
fn summary_json_lists_every_file_that_run_compare_sweep_split_and_merge_write() {
    let d = tmp();
    let p = d.path();
    let go = |args: &[&str], out: &Path| {
        softpower()
            .args(args)
            .args(["-q", "--out"])
            .arg(out)
            .assert()
            .success();
    };
    go(&["run", SCENARIO], &p.join("run"));
    go(&["compare", SCENARIO, "--runs", "4"], &p.join("compare"));
    let sweep = ["sweep", SCENARIO, "--runs", "4"];
    go(
        &[&sweep[..], &["--set", "campaign.fc.spend=0..2:3"]].concat(),
        &p.join("sweep"),
    );
    let split = ["--split", "a:msg,fc", "--total", "2", "--steps", "2"];
    go(&[&sweep[..], &split].concat(), &p.join("split"));
    for k in 1..=2 {
        let shard = format!("{k}/2");
        go(
            &["compare", SCENARIO, "--runs", "4", "--shard", &shard],
            &p.join(format!("s{k}")),
        );
    }
    softpower()
        .arg("merge")
        .args([p.join("s1"), p.join("s2")])
        .args(["-q", "--out"])
        .arg(p.join("merged"))
        .assert()
        .success();
    // The decision table is among the results of a compare and of a split.
    for name in ["compare", "split", "merged"] {
        assert!(p.join(name).join("decision.csv").is_file(), "{name}");
    }
    for name in ["run", "compare", "sweep", "split", "merged"] {
        let (unlisted, missing) = unlisted_and_missing(&p.join(name));
        assert!(
            unlisted.is_empty() && missing.is_empty(),
            "{name}: written but not in summary.json: {unlisted:?}; listed but not written: {missing:?}"
        );
    }
}
