//! `softpower calibrate --chains`, `--shard`, `merge` and `--resume` on the small
//! scenarios/calibration/survey_recovery.toml with few steps (docs/CALIBRATION.md,
//! "Chains, shards and resume"): one chain writes what calibrate always wrote, merged
//! shards are the bytes of one run for any split and thread count, a resumed run is the
//! bytes of an uninterrupted one, and a changed scenario or command is refused.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

const SCENARIO: &str = "scenarios/calibration/survey_recovery.toml";
/// Few steps keep every run under a second or two.
const STEPS: &str = "12";

fn softpower() -> Command {
    Command::cargo_bin("softpower").unwrap()
}

/// `calibrate` of `scenario` into `out` with few steps and predictive draws, quietly.
fn calibrate(scenario: &Path, out: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    softpower()
        .args(["calibrate"])
        .arg(scenario)
        .args([
            "--steps",
            STEPS,
            "--predictive-draws",
            "8",
            "--no-plots",
            "-q",
        ])
        .arg("--out")
        .arg(out)
        .args(extra)
        .assert()
}

/// The result files of a folder (all but timing.json and the shard/resume bookkeeping),
/// sorted, with their bytes.
fn results(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "timing.json" && n != "design-run.json")
        .map(|n| {
            let bytes = std::fs::read(dir.join(&n)).unwrap();
            (n, bytes)
        })
        .collect();
    v.sort();
    v
}

fn assert_same_results(a: &Path, b: &Path) {
    let (ra, rb) = (results(a), results(b));
    let names = |r: &[(String, Vec<u8>)]| r.iter().map(|x| x.0.clone()).collect::<Vec<_>>();
    assert_eq!(names(&ra), names(&rb), "{} vs {}", a.display(), b.display());
    assert!(ra.iter().any(|x| x.0 == "posterior.csv"));
    for ((n, x), (_, y)) in ra.iter().zip(&rb) {
        assert!(
            x == y,
            "{n} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

fn summary(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap()
}

/// A copy of the scenario and its surveys in `dir`, to be changed by a test.
fn own_scenario(dir: &Path) -> PathBuf {
    let src = Path::new(SCENARIO).parent().unwrap();
    for f in ["survey_recovery.toml", "surveys.csv"] {
        std::fs::copy(src.join(f), dir.join(f)).unwrap();
    }
    dir.join("survey_recovery.toml")
}

#[test]
fn one_chain_is_what_calibrate_wrote_without_the_option_and_has_no_chain_column_or_r_hat() {
    let d = tempfile::tempdir().unwrap();
    let (plain, one) = (d.path().join("plain"), d.path().join("one"));
    calibrate(Path::new(SCENARIO), &plain, &[]).success();
    calibrate(Path::new(SCENARIO), &one, &["--chains", "1"]).success();
    assert_same_results(&plain, &one);
    let text = std::fs::read_to_string(one.join("posterior.csv")).unwrap();
    assert!(text.starts_with("step,walker,log_likelihood,"));
    let s = summary(&one);
    assert!(s.get("chains").is_none());
    assert!(s["parameters"][0].get("r_hat").is_none());
}

#[test]
fn merged_shards_are_the_bytes_of_one_run_for_any_split_and_thread_count() {
    let d = tempfile::tempdir().unwrap();
    let p = |n: &str| d.path().join(n);
    let sc = Path::new(SCENARIO);
    calibrate(sc, &p("whole"), &["--chains", "3", "--threads", "2"]).success();
    // Two shards (chains 1 and 3, then 2) on different thread counts.
    calibrate(
        sc,
        &p("a1"),
        &["--chains", "3", "--shard", "1/2", "--threads", "1"],
    )
    .success();
    calibrate(
        sc,
        &p("a2"),
        &["--chains", "3", "--shard", "2/2", "--threads", "2"],
    )
    .success();
    assert!(
        !p("a1").join("posterior.csv").exists(),
        "a shard writes parts, not results"
    );
    softpower()
        .args(["merge", "-q", "--no-plots"])
        .arg(p("a2"))
        .arg(p("a1"))
        .arg("--out")
        .arg(p("merged2"))
        .assert()
        .success();
    assert_same_results(&p("whole"), &p("merged2"));
    // Three shards of one chain each, on one thread.
    for k in 1..=3 {
        calibrate(
            sc,
            &p(&format!("b{k}")),
            &[
                "--chains",
                "3",
                "--shard",
                &format!("{k}/3"),
                "--threads",
                "1",
            ],
        )
        .success();
    }
    softpower()
        .args(["merge", "-q", "--no-plots"])
        .args((1..=3).map(|k| p(&format!("b{k}"))))
        .arg("--out")
        .arg(p("merged3"))
        .assert()
        .success();
    assert_same_results(&p("whole"), &p("merged3"));
    // A missing shard is named, and nothing is written.
    softpower()
        .args(["merge", "-q", "--no-plots"])
        .arg(p("b1"))
        .arg(p("b2"))
        .arg("--out")
        .arg(p("partial"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("shard 3/3 is missing"));
    assert!(!p("partial").exists());
    // The pooled sample: a chain column, every chain's draws, R-hat per parameter.
    let text = std::fs::read_to_string(p("whole").join("posterior.csv")).unwrap();
    assert!(text.starts_with("chain,step,walker,log_likelihood,"));
    let chains: std::collections::BTreeSet<&str> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(chains.into_iter().collect::<Vec<_>>(), ["0", "1", "2"]);
    let s = summary(&p("whole"));
    assert_eq!(s["chains"], 3);
    for par in s["parameters"].as_array().unwrap() {
        let r = par["r_hat"].as_f64().unwrap();
        assert!(r > 0.9 && r.is_finite(), "{par}");
        assert!(par["ess"].as_f64().unwrap() > 0.0);
        assert!(par.get("tau").is_some(), "{par}");
        // A parameter above the limit is named in a warning.
        let warned = s["warnings"].as_array().unwrap().iter().any(|w| {
            w.as_str()
                .unwrap()
                .starts_with(par["path"].as_str().unwrap())
                && w.as_str().unwrap().contains("R-hat")
        });
        assert_eq!(warned, r > 1.01, "{par}");
    }
}

#[test]
fn a_resumed_calibration_is_the_bytes_of_an_uninterrupted_one() {
    let d = tempfile::tempdir().unwrap();
    let p = |n: &str| d.path().join(n);
    let sc = Path::new(SCENARIO);
    calibrate(sc, &p("whole"), &["--chains", "2", "--threads", "2"]).success();
    // Stopped in the second chain (12 steps each), as Ctrl-C would: no results yet.
    calibrate(
        sc,
        &p("cut"),
        &["--chains", "2", "--stop-after-steps", "17"],
    )
    .code(130)
    .stderr(predicate::str::contains("--resume"));
    assert!(!p("cut").join("posterior.csv").exists());
    // A kill in the middle of appending a step leaves a partial record past the
    // checkpoint: it is cut off.
    let trace = p("cut").join("parts/chain-000001.trace");
    let mut bytes = std::fs::read(&trace).unwrap();
    bytes.extend_from_slice(&[7u8; 20]);
    std::fs::write(&trace, bytes).unwrap();
    // Stopped again, then finished, on another thread count.
    calibrate(
        sc,
        &p("cut"),
        &[
            "--chains",
            "2",
            "--resume",
            "--stop-after-steps",
            "3",
            "--threads",
            "1",
        ],
    )
    .code(130);
    calibrate(
        sc,
        &p("cut"),
        &["--chains", "2", "--resume", "--threads", "2"],
    )
    .success();
    assert_same_results(&p("whole"), &p("cut"));
    assert!(
        !p("cut").join("parts/chain-000001.trace").exists(),
        "finished chains leave no checkpoint"
    );
}

#[test]
fn resume_and_merge_refuse_a_changed_scenario_or_command() {
    let d = tempfile::tempdir().unwrap();
    let p = |n: &str| d.path().join(n);
    let sc = own_scenario(d.path());
    calibrate(
        &sc,
        &p("cut"),
        &["--chains", "2", "--stop-after-steps", "5"],
    )
    .code(130);
    // Another command in the same folder.
    calibrate(&sc, &p("cut"), &["--chains", "3", "--resume"])
        .code(2)
        .stderr(predicate::str::contains("different analysis"));
    calibrate(&sc, &p("s1"), &["--chains", "2", "--shard", "1/2"]).success();
    calibrate(&sc, &p("s2"), &["--chains", "2", "--shard", "2/2"]).success();
    let text = std::fs::read_to_string(&sc).unwrap();
    std::fs::write(&sc, format!("{text}\n# changed\n")).unwrap();
    calibrate(&sc, &p("cut"), &["--chains", "2", "--resume"])
        .code(2)
        .stderr(predicate::str::contains("different analysis"));
    softpower()
        .args(["merge", "-q", "--no-plots"])
        .arg(p("s1"))
        .arg(p("s2"))
        .arg("--out")
        .arg(p("m"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("has changed"));
    assert!(!p("m").exists());
    // Chains are the unit of a shard: more shards than chains is refused.
    calibrate(&sc, &p("x"), &["--chains", "2", "--shard", "1/3"])
        .code(2)
        .stderr(predicate::str::contains("unit of a shard"));
}

#[test]
fn chains_started_at_the_mode_are_the_same_bytes_merged_or_resumed_and_a_changed_start_is_refused()
{
    let d = tempfile::tempdir().unwrap();
    let p = |n: &str| d.path().join(n);
    let sc = Path::new(SCENARIO);
    let mode = ["--chains", "2", "--start", "mode"];
    calibrate(sc, &p("whole"), &[&mode[..], &["--threads", "2"]].concat()).success();
    let s = summary(&p("whole"));
    assert_eq!(s["start"], "mode");
    calibrate(
        sc,
        &p("a1"),
        &[&mode[..], &["--shard", "1/2", "--threads", "1"]].concat(),
    )
    .success();
    calibrate(sc, &p("a2"), &[&mode[..], &["--shard", "2/2"]].concat()).success();
    softpower()
        .args(["merge", "-q", "--no-plots"])
        .arg(p("a1"))
        .arg(p("a2"))
        .arg("--out")
        .arg(p("merged"))
        .assert()
        .success();
    assert_same_results(&p("whole"), &p("merged"));
    calibrate(
        sc,
        &p("cut"),
        &[&mode[..], &["--stop-after-steps", "5"]].concat(),
    )
    .code(130);
    calibrate(sc, &p("cut"), &["--chains", "2", "--resume"])
        .code(2)
        .stderr(predicate::str::contains("different analysis"));
    calibrate(
        sc,
        &p("cut"),
        &[&mode[..], &["--resume", "--threads", "1"]].concat(),
    )
    .success();
    assert_same_results(&p("whole"), &p("cut"));
    // The prior start is another run.
    calibrate(sc, &p("prior"), &["--chains", "2"]).success();
    assert_eq!(summary(&p("prior"))["start"], "prior");
    assert_ne!(
        std::fs::read(p("prior").join("posterior.csv")).unwrap(),
        std::fs::read(p("whole").join("posterior.csv")).unwrap()
    );
}
