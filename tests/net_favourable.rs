//! Net favourable (docs/MODEL.md "Net favourable"): % favourable − % unfavourable among the
//! people who have heard of an actor, in percentage points, over one audience common to
//! every actor. Checked against the closed form of the observation model,
//!   NF_a = 100 · Σ_{p∈U} N_p F_pa (2Φ(fav_pa/σ) − 1) / Σ_{p∈U} N_p F_pa,
//! with Φ taken from statrs' normal distribution (not the program's own Φ), on hand-built
//! worlds run through the real binary, and for all inputs through the library.

use assert_cmd::Command;
use proptest::prelude::*;
use statrs::distribution::{ContinuousCDF, Normal};
use std::collections::HashMap;
use std::path::Path;

fn softpower() -> Command {
    Command::cargo_bin("softpower").unwrap()
}

fn phi(z: f64) -> f64 {
    Normal::new(0.0, 1.0).unwrap().cdf(z)
}

/// The closed form over populations given as (people, familiarity, favourability).
fn closed_form(audience: &[(f64, f64, f64)], spread: f64) -> f64 {
    let net: f64 = audience
        .iter()
        .map(|&(n, f, fav)| n * f * (2.0 * phi(fav / spread) - 1.0))
        .sum();
    let aware: f64 = audience.iter().map(|&(n, f, _)| n * f).sum();
    100.0 * net / aware
}

/// The engine holds opinions as f32: the closed form reads the same numbers.
fn f32v(x: f64) -> f64 {
    x as f32 as f64
}

/// Two states with home publics (ha, hb), two third countries (x, y) and an actor `c`
/// nobody has heard of. The home publics hold strong views (of their own state and of the
/// other), so an audience that let them in would read differently.
const WORLD: &str = r#"
[scenario]
name = "nf"
seed = 1
ticks = 2
dimensions = ["view"]

[model]
default_familiarity = 0.0

[survey]
spread = 0.4

[[actor]]
id = "a"
[[actor]]
id = "b"
[[actor]]
id = "c"

[[population]]
id = "ha"
size = 1000
home = "a"
opinion.a = { attitude = [0.9] }
opinion.b = { familiarity = 0.9, attitude = [-0.6] }

[[population]]
id = "hb"
size = 2000
home = "b"
opinion.a = { familiarity = 0.5, attitude = [0.7] }
opinion.b = { attitude = [0.8] }

[[population]]
id = "x"
size = 3000
opinion.a = { familiarity = 0.8, attitude = [0.3] }
opinion.b = { familiarity = 0.2, attitude = [-0.1] }

[[population]]
id = "y"
size = 500
opinion.a = { familiarity = 0.4, attitude = [-0.5] }
opinion.b = { familiarity = 1.0, attitude = [0.25] }
"#;

/// Runs `text` and returns (tick-0 net_favourable per actor from timeseries.csv, summary.json).
fn run(text: &str) -> (HashMap<String, f64>, serde_json::Value) {
    let d = tempfile::tempdir().unwrap();
    let file = d.path().join("w.toml");
    std::fs::write(&file, text).unwrap();
    let out = d.path().join("out");
    softpower()
        .arg("run")
        .arg(&file)
        .args(["--no-plots", "--no-attribution", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    let mut rd = csv::Reader::from_path(out.join("timeseries.csv")).unwrap();
    let mut at0 = HashMap::new();
    for r in rd.records() {
        let r = r.unwrap();
        if &r[0] == "0" && &r[1] == "actor" && &r[3] == "net_favourable" {
            at0.insert(r[2].to_string(), r[4].parse().unwrap());
        }
    }
    let summary =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    (at0, summary)
}

fn close(got: f64, want: f64) -> bool {
    (got - want).abs() < 1e-9 * want.abs().max(1.0)
}

#[test]
fn net_favourable_equals_the_closed_form_of_the_observation_model_over_third_countries() {
    let (nf, summary) = run(WORLD);
    let s = 0.4;
    // U = {x, y}: the populations that are no actor's home.
    let a = closed_form(
        &[
            (3000.0, f32v(0.8), f32v(0.3)),
            (500.0, f32v(0.4), f32v(-0.5)),
        ],
        s,
    );
    let b = closed_form(
        &[
            (3000.0, f32v(0.2), f32v(-0.1)),
            (500.0, f32v(1.0), f32v(0.25)),
        ],
        s,
    );
    assert!(close(nf["a"], a), "a: {} vs {a}", nf["a"]);
    assert!(close(nf["b"], b), "b: {} vs {b}", nf["b"]);
    let actors = &summary["actors"];
    assert!(close(
        actors["a"]["net_favourable_initial"].as_f64().unwrap(),
        a
    ));
    // Nothing acts, so the end reads as the start (the two ticks only decay toward anchors
    // that are the start).
    assert!(close(
        actors["b"]["net_favourable_final"].as_f64().unwrap(),
        b
    ));
    // Aware: Σ_U N F / Σ_U N, in percent.
    let aware_a = 100.0 * (3000.0 * f32v(0.8) + 500.0 * f32v(0.4)) / 3500.0;
    assert!(close(
        actors["a"]["aware_percent"].as_f64().unwrap(),
        aware_a
    ));
}

#[test]
fn every_actor_is_measured_over_the_same_audience() {
    let (_, summary) = run(WORLD);
    let aud = &summary["net_favourable_audience"];
    assert_eq!(aud["rule"], "populations that are no actor's home");
    assert_eq!(aud["populations"], 2);
    assert_eq!(aud["people"].as_f64(), Some(3500.0));
    // The home publics' views do not count for anyone: changing them changes no actor's
    // net favourable, though the soft-power index (over each actor's foreign publics) moves.
    let edited = WORLD
        .replace(
            "opinion.a = { attitude = [0.9] }",
            "opinion.a = { attitude = [-0.9] }",
        )
        .replace(
            "opinion.b = { familiarity = 0.9, attitude = [-0.6] }",
            "opinion.b = { familiarity = 0.3, attitude = [0.6] }",
        )
        .replace(
            "opinion.a = { familiarity = 0.5, attitude = [0.7] }",
            "opinion.a = { familiarity = 0.9, attitude = [-0.2] }",
        );
    assert_ne!(edited, WORLD);
    let (nf0, s0) = run(WORLD);
    let (nf1, s1) = run(&edited);
    for a in ["a", "b", "c"] {
        assert_eq!(nf0[a], nf1[a], "{a}");
    }
    assert_ne!(
        s0["actors"]["b"]["soft_power_initial"],
        s1["actors"]["b"]["soft_power_initial"]
    );
}

#[test]
fn an_actor_nobody_has_heard_of_reads_zero_with_zero_aware() {
    let (nf, summary) = run(WORLD);
    assert_eq!(nf["c"], 0.0);
    assert_eq!(
        summary["actors"]["c"]["net_favourable_final"].as_f64(),
        Some(0.0)
    );
    assert_eq!(summary["actors"]["c"]["aware_percent"].as_f64(), Some(0.0));
}

#[test]
fn when_every_population_has_a_home_the_audience_is_everyone() {
    // Without x and y every population is some actor's home.
    let cut = WORLD.find("[[population]]\nid = \"x\"").unwrap();
    let (nf, summary) = run(&WORLD[..cut]);
    let aud = &summary["net_favourable_audience"];
    assert_eq!(aud["rule"], "every population (each is some actor's home)");
    assert_eq!(aud["people"].as_f64(), Some(3000.0));
    // Home publics know their own state fully (familiarity 1 toward the home state).
    let a = closed_form(
        &[(1000.0, 1.0, f32v(0.9)), (2000.0, f32v(0.5), f32v(0.7))],
        0.4,
    );
    let b = closed_form(
        &[(1000.0, f32v(0.9), f32v(-0.6)), (2000.0, 1.0, f32v(0.8))],
        0.4,
    );
    assert!(close(nf["a"], a), "a: {} vs {a}", nf["a"]);
    assert!(close(nf["b"], b), "b: {} vs {b}", nf["b"]);
}

#[test]
fn a_compare_ranks_on_net_favourable_and_measures_what_a_single_run_records() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("c");
    let scenario = "tests/data/ensemble.toml";
    softpower()
        .args(["compare", scenario, "--runs", "2", "--no-plots"])
        .args([
            "--metric",
            "net_favourable:a",
            "--metric",
            "net_favourable:x@mean",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "Headline: final net_favourable:a (higher is better)",
        ));
    let mut rd = csv::Reader::from_path(out.join("runs.csv")).unwrap();
    let head = rd.headers().unwrap().clone();
    let col = |name: &str| head.iter().position(|h| h == name).unwrap();
    let (ca, cx) = (col("net_favourable:a"), col("net_favourable:x@mean"));
    let rows: Vec<csv::StringRecord> = rd.records().map(|r| r.unwrap()).collect();
    assert!(!rows.is_empty());
    for r in &rows {
        for c in [ca, cx] {
            let v: f64 = r[c].parse().unwrap();
            assert!((-100.0..=100.0).contains(&v), "{v}");
        }
    }
    // A baseline run redone with `run` at its seed records the same final value.
    let r = rows.iter().find(|r| &r[0] == "baseline").unwrap();
    let single = d.path().join("single");
    softpower()
        .args([
            "run",
            scenario,
            "--seed",
            &r[2],
            "--no-plots",
            "--quiet",
            "--out",
        ])
        .arg(&single)
        .assert()
        .success();
    let s: serde_json::Value =
        serde_json::from_slice(&std::fs::read(single.join("summary.json")).unwrap()).unwrap();
    let want = s["actors"]["a"]["net_favourable_final"].as_f64().unwrap();
    let got: f64 = r[ca].parse().unwrap();
    assert!(
        (got - want).abs() <= 1e-12 * want.abs().max(1.0),
        "{got} vs {want}"
    );
}

/// A world of `pops` third-country or home populations with any sizes, familiarity,
/// attitudes and spread, as scenario text.
fn world_text(pops: &[(u32, f64, f64, Option<bool>)], spread: f64) -> String {
    let mut t = format!(
        "[scenario]\nname = \"p\"\nseed = 1\nticks = 1\ndimensions = [\"view\"]\n[model]\ndefault_familiarity = 0.0\n[survey]\nspread = {spread:e}\n[[actor]]\nid = \"a\"\n[[actor]]\nid = \"b\"\n"
    );
    for (i, &(n, f, fav, home)) in pops.iter().enumerate() {
        t += &format!(
            "[[population]]\nid = \"p{i}\"\nsize = {n}\nopinion.a = {{ familiarity = {f:e}, attitude = [{fav:e}] }}\n"
        );
        if let Some(h) = home {
            t += &format!("home = \"{}\"\n", if h { "a" } else { "b" });
        }
    }
    t
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// For any populations, familiarity, attitudes and spread, net favourable is within
    /// ±100 points and equals the closed form over the common audience.
    #[test]
    fn net_favourable_is_within_100_points_and_equals_the_closed_form_for_all_inputs(
        pops in proptest::collection::vec(
            (1u32..5_000_000, 0.0f64..=1.0, -1.0f64..=1.0, proptest::option::of(any::<bool>())),
            1..8,
        ),
        spread in prop_oneof![Just(1e-6), 1e-3f64..100.0],
    ) {
        let text = world_text(&pops, spread);
        let (_, sc) = softpower::scenario::parse_checked(
            &text, Path::new("p.toml"), &softpower::scenario::Overrides::default(),
        ).unwrap();
        let w = softpower::world::build(&sc);
        let stats = softpower::metrics::actor_stats(&w);
        for s in &stats {
            prop_assert!((-100.0..=100.0).contains(&s.net_favourable), "{}", s.net_favourable);
        }
        let third = pops.iter().any(|p| p.3.is_none());
        let audience: Vec<(f64, f64, f64)> = pops
            .iter()
            .filter(|p| !third || p.3.is_none())
            // Familiarity is set explicitly, also toward a population's own state.
            .map(|&(n, f, fav, _)| (n as f64, f32v(f), f32v(fav)))
            .collect();
        let aware: f64 = audience.iter().map(|x| x.0 * x.1).sum();
        let want = if aware > 0.0 { closed_form(&audience, spread) } else { 0.0 };
        prop_assert!(
            (stats[0].net_favourable - want).abs() < 1e-6,
            "{} vs {want}", stats[0].net_favourable
        );
    }
}
