//! Metrics an analyst asks `compare` and `sweep` for, through the real binary: several
//! `--metric`s with selectors and time reductions, checked against a single run's own
//! time series; located errors for bad metric strings; cost-effectiveness as the paired
//! gain over the baseline per 100 units of extra spend, recomputed from runs.csv; one run
//! is not presented as significant; an interruption before any run writes no tables.

use assert_cmd::Command;
use predicates::prelude::*;
use std::collections::HashMap;
use std::path::Path;

const SCENARIO: &str = "tests/data/ensemble.toml";

fn softpower() -> Command {
    Command::cargo_bin("softpower").unwrap()
}

/// runs.csv as rows of (variant, run, seed, column → value).
fn runs(dir: &Path) -> Vec<(String, u32, String, HashMap<String, f64>)> {
    let mut rd = csv::Reader::from_path(dir.join("runs.csv")).unwrap();
    let head = rd.headers().unwrap().clone();
    rd.records()
        .map(|r| {
            let r = r.unwrap();
            let values = head
                .iter()
                .zip(r.iter())
                .skip(3)
                .map(|(h, v)| (h.to_string(), v.parse().unwrap()))
                .collect();
            (
                r[0].to_string(),
                r[1].parse().unwrap(),
                r[2].to_string(),
                values,
            )
        })
        .collect()
}

fn summary(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap()
}

#[test]
fn several_metrics_are_measured_ranked_by_the_first_and_match_a_single_run() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("c");
    let asked = [
        "believing:s@peak",
        "soft_power:a@mean(5..15)",
        "believing:s[group:n]@first>0.08",
        "trust:a[abroad]@10",
    ];
    let mut cmd = softpower();
    cmd.args(["compare", SCENARIO, "--runs", "6", "--out"])
        .arg(&out);
    for m in asked {
        cmd.args(["--metric", m]);
    }
    cmd.assert().success().stdout(
        predicate::str::contains("Headline: believing:s@peak (lower is better)")
            .and(predicate::str::contains("Other metrics and side effects"))
            .and(predicate::str::contains("soft_power:a@mean(5..15)"))
            .and(predicate::str::contains("soft_power:x")),
    );
    let header = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    let header = header.lines().next().unwrap();
    for m in asked {
        assert_eq!(
            header.split(',').filter(|h| *h == m).count(),
            1,
            "{m} is one column of {header}"
        );
    }
    let rows = runs(&out);
    for (_, _, _, v) in &rows {
        // A peak is never below the final value; a first crossing is a tick 0..=21.
        assert!(v["believing:s@peak"] >= v["believing:s"]);
        let first = v["believing:s[group:n]@first>0.08"];
        assert!(first.fract() == 0.0 && (0.0..=21.0).contains(&first));
    }
    let paired = std::fs::read_to_string(out.join("paired.csv")).unwrap();
    for m in asked {
        assert!(
            paired.contains(&format!("more_fact_check,baseline,{m},")),
            "paired.csv lacks {m}"
        );
    }
    // One run redone with `softpower run` at its seed: the windowed mean of its own
    // soft_power series equals what compare measured.
    let (_, _, seed, values) = rows.iter().find(|r| r.0 == "baseline" && r.1 == 3).unwrap();
    let single = d.path().join("single");
    softpower()
        .args(["run", SCENARIO, "--seed", seed, "--no-plots", "--out"])
        .arg(&single)
        .assert()
        .success();
    let mut rd = csv::Reader::from_path(single.join("timeseries.csv")).unwrap();
    let mut sp = [f64::NAN; 21];
    for r in rd.records() {
        let r = r.unwrap();
        if &r[1] == "actor" && &r[2] == "a" && &r[3] == "soft_power" {
            sp[r[0].parse::<usize>().unwrap()] = r[4].parse().unwrap();
        }
    }
    let by_hand = sp[5..=15].iter().sum::<f64>() / 11.0;
    let got = values["soft_power:a@mean(5..15)"];
    assert!(
        (got - by_hand).abs() <= 1e-6 * by_hand.abs().max(1e-9),
        "{got} vs {by_hand}"
    );
}

#[test]
fn sweep_reports_every_metric_asked_for() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("s");
    softpower()
        .args([
            "sweep",
            SCENARIO,
            "--set",
            "campaign.fc.spend=0..2:3",
            "--runs",
            "3",
            "--metric",
            "believing:s@mean",
            "--metric",
            "favourability:a[home:a]@trough",
            "--no-plots",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("Headline: believing:s@mean"));
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    assert!(csv.contains("\np002,2,believing:s@mean,3,"));
    assert!(csv.contains("\np002,2,favourability:a[home:a]@trough,3,"));
}

#[test]
fn bad_metric_strings_are_located_with_a_hint_and_nothing_is_written() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("never");
    let bad = |metric: &str, needles: &[&str]| {
        let o = softpower()
            .args([
                "compare", SCENARIO, "--runs", "2", "--metric", metric, "--out",
            ])
            .arg(&out)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        assert_eq!(o.status.code(), Some(2), "{metric}: {err}");
        for n in needles {
            assert!(err.contains(n), "{metric}: expected {n:?} in\n{err}");
        }
    };
    bad(
        "softpower:a@peak",
        &[
            "did you mean \"soft_power\"",
            "    softpower:a@peak\n    ^^^^^^^^^\n",
        ],
    );
    bad(
        "believing:s@peek",
        &["did you mean \"peak\"", "\n               ^^^^^"],
    );
    bad(
        "believing:ss",
        &[
            "unknown story \"ss\"",
            "did you mean \"s\"",
            "\n              ^^",
        ],
    );
    bad(
        "trust:a[group:m]",
        &[
            "unknown generator group \"m\"",
            "did you mean \"group:n\"",
            "^^^^^^^",
        ],
    );
    bad("trust:a@99", &["ticks 0 to 20"]);
    bad("spend:a[abroad]", &["belongs to the actor"]);
    bad("trust:a@mean(9..3)", &["first ≤ last"]);
    assert!(!out.exists(), "a refused metric writes nothing");
}

#[test]
fn cost_effectiveness_is_the_paired_gain_over_the_baseline_per_100_units_of_extra_spend() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("ce");
    softpower()
        .args([
            "compare",
            SCENARIO,
            "--runs",
            "12",
            "--metric",
            "believing:s",
            "--do-nothing",
            "no_fact_check",
            "--no-plots",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Gain over doing nothing (no_fact_check)",
        ));
    let rows = runs(&out);
    let of = |variant: &str, column: &str| -> Vec<f64> {
        let mut v: Vec<(u32, f64)> = rows
            .iter()
            .filter(|r| r.0 == variant)
            .map(|r| (r.1, r.3[column]))
            .collect();
        v.sort_by_key(|x| x.0);
        v.into_iter().map(|x| x.1).collect()
    };
    let s = summary(&out);
    let row = |variant: &str| {
        s["ranking"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["variant"] == variant)
            .unwrap()
            .clone()
    };
    // Believing is a harm: the gain is the baseline's share minus the strategy's.
    let (b, x) = (
        of("baseline", "believing:s"),
        of("more_fact_check", "believing:s"),
    );
    let (bs, xs) = (of("baseline", "spend:a"), of("more_fact_check", "spend:a"));
    let gain: f64 = b.iter().zip(&x).map(|(b, x)| b - x).sum::<f64>() / 12.0;
    let extra: f64 = xs.iter().zip(&bs).map(|(x, b)| x - b).sum::<f64>() / 12.0;
    assert!(extra > 0.0, "more fact-checking spends more");
    let want = 100.0 * gain / extra;
    let got = row("more_fact_check")["gain_per_100"].as_f64().unwrap();
    assert!((got - want).abs() <= 1e-9 * want.abs(), "{got} vs {want}");
    let (lo, hi) = (
        row("more_fact_check")["gain_ci_low"].as_f64().unwrap(),
        row("more_fact_check")["gain_ci_high"].as_f64().unwrap(),
    );
    assert!(lo <= got && got <= hi);
    // Against the declared do-nothing strategy, the same definition.
    let (n, ns) = (
        of("no_fact_check", "believing:s"),
        of("no_fact_check", "spend:a"),
    );
    let gain: f64 = n.iter().zip(&x).map(|(n, x)| n - x).sum::<f64>() / 12.0;
    let extra: f64 = xs.iter().zip(&ns).map(|(x, n)| x - n).sum::<f64>() / 12.0;
    let want = 100.0 * gain / extra;
    let vs = &row("more_fact_check")["vs_do_nothing"];
    let got = vs[0].as_f64().unwrap();
    assert!((got - want).abs() <= 1e-9 * want.abs(), "{got} vs {want}");
    assert!(vs[1].as_f64().unwrap() < got && got < vs[2].as_f64().unwrap());
    // Spending less than the baseline, or the same, gives no ratio.
    assert!(row("no_fact_check")["gain_per_100"].is_null());
    assert!(row("baseline")["gain_per_100"].is_null());
    assert!(row("same")["gain_per_100"].is_null());
}

#[test]
fn a_do_nothing_strategy_must_be_one_of_those_compared() {
    softpower()
        .args([
            "compare",
            SCENARIO,
            "--runs",
            "2",
            "--do-nothing",
            "no_fact_chek",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean \"no_fact_check\""));
}

#[test]
fn one_run_is_not_presented_as_significant() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("one");
    let o = softpower()
        .args(["compare", SCENARIO, "--runs", "1", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("one run per strategy"), "{text}");
    assert!(!text.contains("100%"), "{text}");
    let paired = std::fs::read_to_string(out.join("paired.csv")).unwrap();
    for line in paired.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        // mean_diff is given; ci95_low, ci95_high, share_better are left empty.
        assert_eq!(&f[6..], ["", "", ""], "{line}");
    }
    let s = summary(&out);
    for r in s["ranking"].as_array().unwrap() {
        assert!(r["diff_ci_low"].is_null() && r["share_better"].is_null());
    }
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(report.contains("not evidence of an effect"));
    assert!(!paired.contains("NaN") && !report.contains("NaN to") && !report.contains(">NaN<"));
}

#[test]
fn an_interruption_before_any_run_finished_writes_no_tables_and_resumes() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("cut");
    softpower()
        .args([
            "compare",
            SCENARIO,
            "--runs",
            "8",
            "--stop-after-batches",
            "0",
            "--out",
        ])
        .arg(&out)
        .assert()
        .code(130)
        .stderr(
            predicate::str::contains("before any run finished")
                .and(predicate::str::contains("--resume")),
        );
    for f in [
        "runs.csv",
        "compare.csv",
        "paired.csv",
        "summary.json",
        "report.html",
    ] {
        assert!(!out.join(f).exists(), "{f} written without a finished run");
    }
    softpower()
        .args(["compare", SCENARIO, "--runs", "8", "--resume", "--out"])
        .arg(&out)
        .assert()
        .success();
    assert!(
        !std::fs::read_to_string(out.join("compare.csv"))
            .unwrap()
            .contains("NaN")
    );
}
