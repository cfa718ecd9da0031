//! The observation model, `[survey]`, `softpower calibrate` and the recovery of known
//! parameters (docs/CALIBRATION.md), on scenarios/calibration/survey_recovery.toml: one
//! state's messaging in three publics, surveyed every quarter.
//!
//! Recovery: survey figures drawn from the model at known messaging gains with binomial
//! sampling are fitted back; the known values should lie in their 90 % posterior
//! intervals in most repetitions. `recovery_coverage_study` (ignored by default) runs a
//! larger study: `cargo test --release --test calibration -- --ignored --nocapture`.

use assert_cmd::Command;
use predicates::prelude::*;
use softpower::experiment::calibrate::{Problem, SamplerPlan, Start, fit, simulate_observations};
use softpower::scenario::check::survey;
use softpower::scenario::{Overrides, load};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

const SCENARIO: &str = "scenarios/calibration/survey_recovery.toml";
/// The messaging gains the bundled surveys were drawn at (the model's defaults).
const TRUTH: [f64; 2] = [0.25, 0.3];

fn softpower() -> Command {
    Command::cargo_bin("softpower").unwrap()
}

fn problem() -> Problem {
    let loaded = load(Path::new(SCENARIO), &Overrides::default()).unwrap();
    let spec = survey::resolve(&loaded.scenario, loaded.base_dir())
        .unwrap()
        .unwrap();
    Problem::new(&loaded.scenario, spec, loaded.base_dir()).unwrap()
}

/// Fits `reps` data sets simulated at the truth; returns (covered, checked) over the two
/// identified parameters and how often the inert spillover was reported unidentified.
fn recovery(reps: u64, walkers: usize, steps: usize) -> (usize, usize, usize) {
    let base = problem();
    let (mut covered, mut checked, mut flagged) = (0, 0, 0);
    for r in 0..reps {
        let mut p = base.clone();
        // The inert third parameter's value does not matter; take its prior median.
        let truth = [TRUTH[0], TRUTH[1], 20.0];
        p.spec.observations = simulate_observations(&base, &truth, 1000 + r).unwrap();
        let plan = SamplerPlan {
            walkers,
            steps,
            burn_in: steps / 2,
            seed: 77 + r,
            start: Start::Prior,
        };
        let f = fit(&p, &plan, &AtomicBool::new(false), &|| {})
            .unwrap()
            .unwrap();
        for (i, &t) in TRUTH.iter().enumerate() {
            checked += 1;
            covered += usize::from(f.posterior.params[i].covers(t));
            assert!(
                f.posterior.params[i].identified(),
                "{:?}",
                f.posterior.params[i]
            );
        }
        flagged += usize::from(!f.posterior.params[2].identified());
    }
    (covered, checked, flagged)
}

#[test]
fn known_messaging_gains_are_recovered_inside_their_90_percent_intervals_in_most_repetitions() {
    let reps = 6;
    let (covered, checked, flagged) = recovery(reps, 16, 150);
    eprintln!(
        "recovery: {covered} of {checked} known values inside their 90% intervals ({:.0}%); spillover unidentified in {flagged} of {reps}",
        100.0 * covered as f64 / checked as f64
    );
    // Nominal 90 %: 12 checks cover 10.8 on average; at most 3 misses allows for chance
    // (probability of 4+ misses at 90 % coverage ≈ 2.6 %) and for a short chain.
    assert!(covered + 3 >= checked, "{covered} of {checked}");
    // Spillover has no effect without exchanges; a short chain may still under-state
    // the spread of a flat direction once (docs/CALIBRATION.md §5).
    assert!(
        flagged + 1 >= reps as usize,
        "spillover flagged in {flagged} of {reps}"
    );
}

#[test]
#[ignore = "coverage study: cargo test --release --test calibration -- --ignored --nocapture"]
fn recovery_coverage_study() {
    let reps = 40;
    let (covered, checked, flagged) = recovery(reps, 24, 200);
    eprintln!(
        "coverage study: {covered} of {checked} known values inside their 90% intervals ({:.1}%); spillover unidentified in {flagged} of {reps}",
        100.0 * covered as f64 / checked as f64
    );
    assert!(covered as f64 >= 0.8 * checked as f64);
    assert_eq!(flagged, reps as usize);
}

fn calibrate(out: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    softpower()
        .args([
            "calibrate",
            SCENARIO,
            "--steps",
            "100",
            "--predictive-draws",
            "20",
            "--out",
        ])
        .arg(out)
        .args(extra)
        .assert()
}

#[test]
fn calibrate_writes_the_same_bytes_on_one_thread_and_on_two_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("one"), dir.path().join("two"));
    calibrate(&a, &["--threads", "1", "-q"]).success();
    calibrate(&b, &["--threads", "2", "-q"]).success();
    for f in [
        "posterior.csv",
        "fit.csv",
        "summary.json",
        "fit_north.png",
        "fit_east.png",
    ] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f}"
        );
    }
    let before = std::fs::read(a.join("posterior.csv")).unwrap();
    calibrate(&a, &["-q"])
        .code(2)
        .stderr(predicate::str::contains("--force"));
    assert_eq!(std::fs::read(a.join("posterior.csv")).unwrap(), before);
    // Every posterior row holds a draw within the priors' supports.
    let text = std::fs::read_to_string(a.join("posterior.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "step,walker,log_likelihood,model.messaging.attitude_gain,model.messaging.familiarity_gain,model.exchange.spillover"
    );
    let rows: Vec<Vec<f64>> = lines
        .map(|l| l.split(',').map(|x| x.parse().unwrap()).collect())
        .collect();
    assert_eq!(rows.len(), 16 * 50, "16 walkers x (100 - 50 burn-in) steps");
    for r in &rows {
        assert!(r[2] <= 0.0, "ℓ is relative to the saturated model");
        assert!((0.02..=0.6).contains(&r[3]) && (0.02..=0.6).contains(&r[4]));
        assert!((0.0..=40.0).contains(&r[5]));
    }
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(a.join("summary.json")).unwrap()).unwrap();
    // The bundled surveys were drawn at the defaults: the fit's 90 % intervals hold them.
    for (i, &t) in TRUTH.iter().enumerate() {
        let q = &summary["parameters"][i]["posterior_5_50_95"];
        let (lo, hi) = (q[0].as_f64().unwrap(), q[2].as_f64().unwrap());
        assert!(lo <= t && t <= hi, "parameter {i}: [{lo}, {hi}] misses {t}");
    }
    let warnings = summary["warnings"].as_array().unwrap();
    assert!(
        warnings.iter().any(|w| w
            .as_str()
            .unwrap()
            .starts_with("model.exchange.spillover: the data do not identify it")),
        "{warnings:?}"
    );
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// The bundled scenario with its [survey] table replaced.
fn with_survey(dir: &Path, survey: &str) -> PathBuf {
    let text = std::fs::read_to_string(SCENARIO).unwrap();
    let start = text.find("[survey]").unwrap();
    let end = text.find("[[uncertain]]").unwrap();
    let edited = format!("{}{survey}\n{}", &text[..start], &text[end..]);
    write(dir, "s.toml", &edited)
}

#[test]
fn a_bad_observations_file_is_refused_with_its_line_and_column_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "unit,actor,measure,tick,value,n\nnorth,aldoria,favourable,0,120,1000\n",
            "line 2, column \"value\"",
        ),
        (
            "unit,actor,measure,tick,value,n\nnorth,aldoria,liked,0,12,1000\n",
            "unknown measure \"liked\"",
        ),
        (
            "unit,actor,measure,tick,value,n\nnorht,aldoria,favourable,0,12,1000\n",
            "did you mean \"north\"",
        ),
        (
            "unit,actor,measure,tick,value,n\nnorth,aldoria,favourable,53,12,1000\n",
            "after the run's last tick",
        ),
        (
            "unit,actor,measure,tick,value\nnorth,aldoria,favourable,0,12\n",
            "no \"n\" column",
        ),
        (
            "unit,actor,measure,date,value,n\nnorth,aldoria,favourable,2002-05-01,12,1000\n",
            "no start_date",
        ),
    ];
    for (csv, expect) in cases {
        write(dir.path(), "obs.csv", csv);
        let s = with_survey(dir.path(), "[survey]\nobservations = \"obs.csv\"\n");
        softpower()
            .args(["check"])
            .arg(&s)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("obs.csv").and(predicate::str::contains(expect)));
    }
}

#[test]
fn dates_map_to_ticks_from_the_start_date_and_the_tick_length() {
    let dir = tempfile::tempdir().unwrap();
    // 2002-01-01 + 13 weeks = 2002-04-02; 2002-07 (the 15th) is day 195 → tick 28.
    write(
        dir.path(),
        "obs.csv",
        "unit,actor,measure,date,value,n,source\nnorth,aldoria,favourable,2002-04-02,40,1000,made up\nnorth,aldoria,heard_of,2002-07,70,500,made up\n",
    );
    let s = with_survey(
        dir.path(),
        "[survey]\nobservations = \"obs.csv\"\nstart_date = \"2002-01-01\"\n",
    );
    let loaded = load(&s, &Overrides::default()).unwrap();
    let spec = survey::resolve(&loaded.scenario, loaded.base_dir())
        .unwrap()
        .unwrap();
    let ticks: Vec<u32> = spec.observations.iter().map(|o| o.tick).collect();
    assert_eq!(ticks, [13, 28]);
    assert_eq!(spec.observations[0].share, 0.4);
    assert_eq!(spec.observations[1].n, 500.0);
}

#[test]
fn run_writes_survey_csv_only_when_asked_and_its_tick_0_follows_the_observation_model() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    softpower()
        .args(["run", SCENARIO, "--no-plots", "--no-report", "-q", "--out"])
        .arg(&out)
        .assert()
        .success();
    let text = std::fs::read_to_string(out.join("survey.csv")).unwrap();
    let row = |unit: &str, tick: &str| -> Vec<f64> {
        text.lines()
            .find(|l| l.starts_with(&format!("{tick},{unit},aldoria,")))
            .unwrap()
            .split(',')
            .skip(3)
            .map(|x| x.parse().unwrap())
            .collect()
    };
    // north starts with F = 0.3, T = 0.4, fav = 0 toward aldoria, σ = 0.5:
    // heard of 30 %, favourable F·Φ(0) = 15 %, confidence F·Φ((0.8 − 1)/0.5) = 0.3·Φ(−0.4).
    let n0 = row("north", "0");
    assert!((n0[0] - 30.0).abs() < 1e-4 && (n0[1] - 15.0).abs() < 1e-4);
    assert!((n0[2] - 100.0 * 0.3 * 0.344_578_258).abs() < 1e-4, "{n0:?}");
    // south starts at fav = −0.1: Φ(−0.2) = 0.420740 of its F = 0.2.
    let s0 = row("south", "0");
    assert!((s0[1] - 100.0 * 0.2 * 0.420_740_291).abs() < 1e-4, "{s0:?}");
    // Percentages carry four decimals at most: no single-precision noise (30.0000011920929).
    for field in text.lines().skip(1).flat_map(|l| l.split(',').skip(3)) {
        let decimals = field.split_once('.').map_or(0, |(_, d)| d.len());
        assert!(decimals <= 4, "{field}");
    }
    assert!(text.contains("0,north,aldoria,30,15,"), "{text}");
    // Messaging raises who has heard of aldoria.
    assert!(row("north", "52")[0] > n0[0]);
    assert_eq!(
        text.lines().count(),
        1 + 5 * 3 * 2,
        "5 ticks x 3 units x 2 actors"
    );

    // Without [survey], no survey.csv.
    let plain = dir.path().join("plain");
    let bare = with_survey(dir.path(), "");
    let bare_text = std::fs::read_to_string(&bare).unwrap();
    let no_priors = &bare_text[..bare_text.find("[[uncertain]]").unwrap()];
    let s = write(dir.path(), "plain.toml", no_priors);
    softpower()
        .args(["run", "--no-plots", "--no-report", "-q", "--out"])
        .arg(&plain)
        .arg(&s)
        .assert()
        .success();
    assert!(!plain.join("survey.csv").exists());
}
