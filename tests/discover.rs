//! `softpower discover` through the real binary, on a Friedkin–Johnsen scenario whose
//! answer has a closed form.
//!
//! Two populations A and B of equal size, one tie, self weight 1, so W = [[½, ½], [½, ½]];
//! only the social-influence rule moves opinions. The equilibrium is
//! z* = (I − ΛW)⁻¹ (I − Λ) u with Λ = diag(1 − s) (docs/MODEL.md 3.6), and the issue's
//! favourability (z*_A + z*_B)/2 rises with A's stubbornness s_A (A holds to the higher
//! anchor). So "favourability > f(s₀)" holds exactly when s_A > s₀. The digital-messaging
//! cost is read only by campaigns, of which there are none: it cannot matter, and it is
//! declared first so that a peel on it would be tried before any on s_A.

#[path = "common/cli.rs"]
mod cli;
#[path = "common/fj_pair.rs"]
mod fj_pair;

use cli::{rows, softpower, write};
use fj_pair::{INERT_PRIOR, STUBBORNNESS_PRIOR, equilibrium};
use predicates::prelude::*;
use std::path::Path;

/// The stubbornness of A where the question's answer changes.
const S0: f64 = 0.55;

/// The pair with a strategy identical to the baseline, and the inert parameter's prior
/// first (so that a peel on it would be tried before any on s_A).
fn scenario(extra: &str) -> String {
    let same = "[[strategy]]\nname = \"same\"\ndescription = \"changes nothing\"\n\n";
    fj_pair::scenario(
        "fj_discover",
        5,
        200,
        &format!("{same}{INERT_PRIOR}\n{STUBBORNNESS_PRIOR}{extra}"),
    )
}

fn discover(file: &Path, out: &Path, question: &str, extra: &[&str]) -> assert_cmd::assert::Assert {
    softpower()
        .arg("discover")
        .arg(file)
        .args(["--question", question, "--out"])
        .arg(out)
        .args(extra)
        .assert()
}

fn threshold_question() -> String {
    format!("favourability:issue > {}", equilibrium(S0))
}

/// The chosen box's bounds from box.csv: (low, high) per parameter, None = unrestricted.
fn chosen(out: &Path) -> Vec<(String, Option<f64>, Option<f64>)> {
    rows(&out.join("box.csv"))
        .into_iter()
        .map(|r| (r[0].clone(), r[5].parse().ok(), r[6].parse().ok()))
        .collect()
}

#[test]
fn the_equilibrium_is_monotone_so_the_answer_is_a_half_interval_of_stubbornness() {
    let (a, b) = (equilibrium(S0 - 0.01), equilibrium(S0 + 0.01));
    assert!(a < equilibrium(S0) && equilibrium(S0) < b);
}

#[test]
fn the_chosen_box_bounds_stubbornness_at_the_analytic_value_and_leaves_the_inert_parameter_free() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "fj.toml", &scenario(""));
    let out = dir.path().join("d");
    discover(&file, &out, &threshold_question(), &["--density", "1"])
        .success()
        .stdout(predicate::str::contains(
            "Chosen box: population.a.stubbornness >",
        ))
        .stdout(predicate::str::contains(
            "Unrestricted (any value in the prior): model.messaging.cost_digital",
        ));
    let b = chosen(&out);
    assert_eq!(b[0], ("model.messaging.cost_digital".into(), None, None));
    let (name, low, high) = &b[1];
    assert_eq!(name, "population.a.stubbornness");
    assert_eq!(*high, None, "the upper side holds only yes-answers");
    let low = low.expect("a lower bound on stubbornness");
    // 256 samples: neighbouring stubbornness values are ~0.003 apart and a peel removes 5%
    // of the box, so the first pure box starts within one peel of the true edge.
    assert!((low - S0).abs() < 0.03, "bound {low} vs analytic {S0}");
    // Every sample answers as the closed form says.
    let samples = rows(&out.join("samples.csv"));
    assert_eq!(samples.len(), 256);
    for r in &samples {
        let s: f64 = r[2].parse().unwrap();
        let y: f64 = r[3].parse().unwrap();
        assert!((y - equilibrium(s)).abs() < 1e-4, "at s = {s}: {y}");
        if (s - S0).abs() > 1e-3 {
            assert_eq!(r[4] == "yes", s > S0, "answer at s = {s}");
        }
    }
    // The trajectory starts with every sample and only trades coverage for density.
    let t = rows(&out.join("discover.csv"));
    assert_eq!((t[0][1].as_str(), t[0][3].as_str()), ("1", "1"));
    let chosen_rows: Vec<_> = t.iter().filter(|r| r[4] == "true").collect();
    assert_eq!(chosen_rows.len(), 1);
    assert_eq!(chosen_rows[0][2], "1", "density 1 was asked for");
    assert!(out.join("discover.png").is_file());
    let j: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("discover.json")).unwrap()).unwrap();
    assert_eq!(j["chosen"]["reaches_min_density"], true);
}

#[test]
fn at_the_default_density_the_bound_is_still_near_the_analytic_value() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "fj.toml", &scenario(""));
    let out = dir.path().join("d");
    discover(&file, &out, &threshold_question(), &["--no-plots", "-q"]).success();
    let b = chosen(&out);
    assert_eq!(
        (b[0].1, b[0].2),
        (None, None),
        "the inert parameter is free"
    );
    // Density ≥ 0.9 in a box (L, 0.9) of a uniform prior allows L down to
    // S0 − 0.1 (0.9 − S0)/0.9 ≈ 0.511; one peel can overshoot past S0.
    let low = b[1].1.unwrap();
    assert!(low > 0.5 && low < S0 + 0.03, "bound {low}");
    assert_eq!(b[1].2, None);
}

#[test]
fn the_files_are_byte_identical_for_one_and_three_threads() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "fj.toml", &scenario(""));
    let (a, b) = (dir.path().join("t1"), dir.path().join("t3"));
    let q = threshold_question();
    discover(&file, &a, &q, &["--samples", "64", "--threads", "1", "-q"]).success();
    discover(&file, &b, &q, &["--samples", "64", "--threads", "3", "-q"]).success();
    for n in [
        "discover.csv",
        "box.csv",
        "samples.csv",
        "discover.json",
        "discover.png",
    ] {
        assert!(
            std::fs::read(a.join(n)).unwrap() == std::fs::read(b.join(n)).unwrap(),
            "{n} differs between 1 and 3 threads"
        );
    }
}

#[test]
fn a_strategy_identical_to_the_baseline_never_beats_it_and_no_box_is_printed() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "fj.toml", &scenario(""));
    let out = dir.path().join("d");
    // Paired runs share parameters and seed, so the copy ties the baseline in every sample.
    discover(
        &file,
        &out,
        "same beats baseline on favourability:issue",
        &["--samples", "16"],
    )
    .code(2)
    .stderr(predicate::str::contains(
        "the answer is no in every one of the 16 samples",
    ));
    assert!(!out.join("discover.csv").exists());
}

#[test]
fn a_threshold_every_sample_exceeds_is_said_plainly() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "fj.toml", &scenario(""));
    discover(
        &file,
        &dir.path().join("d"),
        &format!("favourability:issue > {}", equilibrium(0.05)),
        &["--samples", "16"],
    )
    .code(2)
    .stderr(predicate::str::contains(
        "yes in every one of the 16 samples",
    ));
}

#[test]
fn bad_questions_and_scenarios_without_priors_are_refused_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "fj.toml", &scenario(""));
    for (q, says) in [
        ("favourability:issue>0.1", "spaces around the comparison"),
        ("favourability:isue > 0.1", "did you mean \"issue\""),
        ("favourability:issue > lots", "finite number"),
        ("sme beats baseline", "unknown strategy \"sme\""),
        ("favourability:issue@peek < 0", "did you mean \"peak\""),
    ] {
        discover(&file, &dir.path().join("x"), q, &["--samples", "8"])
            .code(2)
            .stderr(predicate::str::contains(says));
    }
    softpower()
        .args([
            "discover",
            "scenarios/classic/friedkin_johnsen.toml",
            "--question",
            "soft_power:x > 0",
            "--out",
        ])
        .arg(dir.path().join("z"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no [[uncertain]] blocks"));
}
