//! `softpower sweep --split`: budget reallocation between an actor's campaigns and the
//! cost–effect frontier, through the real binary.
//!
//! Actor `a` (budget 1 per tick) runs a broadcast and a digital messaging campaign over the
//! whole run; the split sets their spends to every multiple of 1/STEPS of a total, so at
//! every point a spends exactly the total in every tick: its cumulative spend is
//! total × ticks.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

const TICKS: f64 = 20.0;

const SCENARIO: &str = r#"[scenario]
name = "split"
seed = 9
ticks = 20

[[actor]]
id = "a"
budget = 1

[[actor]]
id = "b"

[[population]]
id = "p"
size = 200
internet = 0.6

[[population]]
id = "q"
size = 100
internet = 0.2

[[tie]]
between = ["p", "q"]
weight = 1

[[campaign]]
id = "tv"
actor = "a"
instrument = "messaging"
channel = "broadcast"
targets = ["p", "q"]
spend = 0.3

[[campaign]]
id = "web"
actor = "a"
instrument = "messaging"
channel = "digital"
targets = ["p", "q"]
spend = 0.3
"#;

fn softpower() -> Command {
    Command::cargo_bin("softpower").unwrap()
}

fn rows(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    r.records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect()
}

fn split(dir: &Path, out: &str, extra: &[&str]) -> assert_cmd::assert::Assert {
    let file = dir.join("split.toml");
    std::fs::write(&file, SCENARIO).unwrap();
    softpower()
        .arg("sweep")
        .arg(&file)
        .args(["--split", "a:tv,web", "--out"])
        .arg(dir.join(out))
        .args(extra)
        .assert()
}

#[test]
fn every_split_spends_exactly_its_total_and_the_front_holds_exactly_the_undominated_points() {
    let dir = tempfile::tempdir().unwrap();
    split(
        dir.path(),
        "s",
        &["--total", "0.5,1", "--steps", "4", "--runs", "2", "-q"],
    )
    .success();
    let t = rows(&dir.path().join("s/pareto.csv"));
    // The scenario as written, then 5 splits at each of 2 totals.
    assert_eq!(t.len(), 1 + 2 * 5);
    assert_eq!(t[0][0], "baseline");
    assert_eq!(t[0][5], "0", "the baseline's effect on itself is 0");
    let num = |s: &str| s.parse::<f64>().unwrap();
    for (i, r) in t.iter().enumerate().skip(1) {
        let total = if i <= 5 { 0.5 } else { 1.0 };
        // Name "tv=X web=Y": the two spends add up to the total.
        let spends: Vec<f64> = r[0]
            .split(' ')
            .map(|kv| num(kv.split_once('=').unwrap().1))
            .collect();
        assert!((spends.iter().sum::<f64>() - total).abs() < 1e-9, "{r:?}");
        assert!(
            (num(&r[3]) - total * TICKS).abs() < 1e-6,
            "a spends the total every tick: {r:?}"
        );
    }
    let pts: Vec<(f64, f64, bool)> = t
        .iter()
        .map(|r| (num(&r[3]), num(&r[5]), r[8] == "true"))
        .collect();
    for &(s, e, on) in &pts {
        let dominated = pts
            .iter()
            .any(|&(s2, e2, _)| s2 <= s && e2 >= e && (s2 < s || e2 > e));
        assert_eq!(on, !dominated, "({s}, {e})");
    }
    assert!(pts.iter().any(|p| p.2), "a front is never empty");
    assert!(dir.path().join("s/pareto.png").is_file());
    assert!(dir.path().join("s/paired.csv").is_file());
}

#[test]
fn a_total_beyond_the_budget_is_refused_before_any_run_naming_the_split() {
    let dir = tempfile::tempdir().unwrap();
    split(dir.path(), "s", &["--total", "1.2", "--runs", "2"])
        .code(2)
        .stderr(predicate::str::contains("at the split tv=1.2 web=0"))
        .stderr(predicate::str::contains("budget is 1 per tick"));
    assert!(!dir.path().join("s").exists());
}

#[test]
fn bad_split_specifications_are_explained() {
    let dir = tempfile::tempdir().unwrap();
    for (spec, says) in [
        ("a:tv", "two campaigns or more"),
        (
            "a:tv,wbe",
            "has no campaign \"wbe\"; its campaigns: tv, web",
        ),
        ("c:tv,web", "unknown actor \"c\""),
        ("a tv,web", "ACTOR:CAMPAIGN"),
        ("a:tv,tv", "named twice"),
    ] {
        let file = dir.path().join("split.toml");
        std::fs::write(&file, SCENARIO).unwrap();
        softpower()
            .arg("sweep")
            .arg(&file)
            .args(["--split", spec, "--total", "0.5", "--out"])
            .arg(dir.path().join("x"))
            .assert()
            .code(2)
            .stderr(predicate::str::contains(says));
    }
}

#[test]
fn split_results_are_byte_identical_for_one_and_three_threads() {
    let dir = tempfile::tempdir().unwrap();
    let args = ["--total", "0.6", "--steps", "3", "--runs", "9", "-q"];
    split(dir.path(), "t1", &[&args[..], &["--threads", "1"]].concat()).success();
    split(dir.path(), "t3", &[&args[..], &["--threads", "3"]].concat()).success();
    for n in [
        "pareto.csv",
        "pareto.png",
        "paired.csv",
        "compare.csv",
        "runs.csv",
    ] {
        assert!(
            std::fs::read(dir.path().join("t1").join(n)).unwrap()
                == std::fs::read(dir.path().join("t3").join(n)).unwrap(),
            "{n} differs between 1 and 3 threads"
        );
    }
}
