//! The survey series of `timeseries.csv` (docs/CALIBRATION.md §1): % heard of, %
//! favourable and % confidence toward every actor, per group (a generator group, or a
//! population without one) and per population, at every tick. Driven through the real
//! binary: they agree with `survey.csv`, follow the observation model's closed form
//!   heard_of = F,  favourable = F · Φ(fav / σ),  confidence = F · Φ((2T − 1) / σ)
//! (Φ from statrs' normal distribution, not the program's own), are left out per
//! population above the documented size with a note, and do not depend on the threads.

use assert_cmd::Command;
use statrs::distribution::{ContinuousCDF, Normal};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn softpower() -> Command {
    Command::cargo_bin("softpower").unwrap()
}

fn phi(z: f64) -> f64 {
    Normal::new(0.0, 1.0).unwrap().cdf(z)
}

/// Writes `text` as a scenario in `dir` and runs it with `args`; returns the output
/// folder and what the run printed.
fn run(dir: &Path, text: &str, args: &[&str]) -> (PathBuf, String) {
    let file = dir.join("w.toml");
    std::fs::write(&file, text).unwrap();
    let out = dir.join(format!("out{}", args.join("").replace('-', "")));
    let ok = softpower()
        .arg("run")
        .arg(&file)
        .args([
            "--no-plots",
            "--no-attribution",
            "--no-report",
            "--force",
            "--out",
        ])
        .arg(&out)
        .args(args)
        .assert()
        .success();
    let stdout = String::from_utf8(ok.get_output().stdout.clone()).unwrap();
    (out, stdout)
}

/// (tick, entity_type, entity, metric) → value text, for the survey rows.
type Rows = BTreeMap<(String, String, String, String), String>;

fn survey_rows(out: &Path) -> Rows {
    let mut rd = csv::Reader::from_path(out.join("timeseries.csv")).unwrap();
    let mut rows = Rows::new();
    for r in rd.records() {
        let r = r.unwrap();
        if &r[1] == "group" || &r[1] == "population" {
            let key = (r[0].into(), r[1].into(), r[2].into(), r[3].into());
            assert!(rows.insert(key, r[4].into()).is_none(), "a row repeats");
        }
    }
    rows
}

/// A state messaging a generated group and an explicit population, surveyed at three ticks.
const SURVEYED: &str = r#"
[scenario]
name = "series"
seed = 11
ticks = 6
dimensions = ["view"]
focal_actor = "a"

[survey]
ticks = [0, 3, 6]
spread = 0.4
units = ["north", "group:youth", "all"]

[[actor]]
id = "a"
budget = 1.0
credibility = 0.7
values = [0.6]

[[actor]]
id = "b"

[[population]]
id = "north"
size = 20000
internet = 0.8
values = [0.3]
opinion.a = { familiarity = 0.3, trust = 0.4, attitude = [0.1] }
opinion.b = { familiarity = 0.6, trust = 0.7, attitude = [-0.2] }

[[generate]]
prefix = "youth"
count = 40
graph = { model = "complete" }
size = { dist = "uniform", min = 1000, max = 9000 }
internet = 0.9
values = [{ dist = "normal", mean = 0.2, sd = 0.3 }]

[generate.opinion.a]
familiarity = { dist = "uniform", min = 0.2, max = 0.7 }
trust = { dist = "uniform", min = 0.3, max = 0.7 }
attitude = [{ dist = "normal", mean = 0.0, sd = 0.2 }]

[[campaign]]
id = "online"
actor = "a"
instrument = "messaging"
channel = "digital"
targets = ["north", "group:youth"]
spend = 0.5
"#;

#[test]
fn the_group_series_at_a_survey_tick_read_what_survey_csv_reports_for_the_same_unit() {
    let d = tempfile::tempdir().unwrap();
    let (out, _) = run(d.path(), SURVEYED, &[]);
    let rows = survey_rows(&out);
    let mut rd = csv::Reader::from_path(out.join("survey.csv")).unwrap();
    let mut compared = 0;
    for r in rd.records() {
        let r = r.unwrap();
        let (tick, unit, actor) = (&r[0], &r[1], &r[2]);
        if unit == "all" {
            continue; // no group of the series covers everyone
        }
        for (i, m) in ["heard_of", "favourable", "confidence"].iter().enumerate() {
            let key = (
                tick.to_string(),
                "group".to_string(),
                unit.to_string(),
                format!("{m}_pct:{actor}"),
            );
            let got = rows.get(&key).unwrap_or_else(|| panic!("no row {key:?}"));
            assert_eq!(got, &r[3 + i], "{key:?}");
            compared += 1;
        }
    }
    // 3 ticks × 2 units × 2 actors × 3 measures, and the campaign moved something.
    assert_eq!(compared, 36);
    let fav = |t: &str| {
        &rows[&(
            t.into(),
            "group".into(),
            "north".into(),
            "favourable_pct:a".into(),
        )]
    };
    assert_ne!(fav("6"), fav("0"));
    // Every tick is in the series, not only the survey ticks.
    for t in 0..=6 {
        let key = (
            t.to_string(),
            "group".into(),
            "group:youth".into(),
            "heard_of_pct:b".into(),
        );
        assert!(rows.contains_key(&key), "{key:?}");
    }
}

/// Three populations that keep their state (no instruments, no ties, nothing forgets).
const STILL: &str = r#"
[scenario]
name = "still"
seed = 3
ticks = 2
dimensions = ["view"]

[model]
default_familiarity = 0.0

[survey]
spread = 0.35

[[actor]]
id = "a"
[[actor]]
id = "b"

[[population]]
id = "p"
size = 1000
opinion.a = { familiarity = 0.8, trust = 0.75, attitude = [0.3] }
opinion.b = { familiarity = 0.2, trust = 0.4, attitude = [-0.1] }

[[population]]
id = "q"
size = 3000
opinion.a = { familiarity = 0.5, trust = 0.2, attitude = [-0.45] }
opinion.b = { familiarity = 1.0, trust = 0.9, attitude = [0.6] }

[[population]]
id = "r"
size = 500
opinion.a = { familiarity = 0.1, trust = 0.5, attitude = [0.0] }
"#;

#[test]
fn a_populations_series_is_the_closed_form_of_the_observation_model() {
    let d = tempfile::tempdir().unwrap();
    let (out, _) = run(d.path(), STILL, &[]);
    let rows = survey_rows(&out);
    let s = 0.35;
    let f = |x: f64| x as f32 as f64; // the engine holds opinions in single precision
    // (population, actor, F, T, fav); r has never heard of b.
    let cases = [
        ("p", "a", 0.8, 0.75, 0.3),
        ("p", "b", 0.2, 0.4, -0.1),
        ("q", "a", 0.5, 0.2, -0.45),
        ("q", "b", 1.0, 0.9, 0.6),
        ("r", "a", 0.1, 0.5, 0.0),
        ("r", "b", 0.0, 0.5, 0.0),
    ];
    for (pop, actor, fam, trust, fav) in cases {
        let (fam, trust, fav) = (f(fam), f(trust), f(fav));
        let want = [
            100.0 * fam,
            100.0 * fam * phi(fav / s),
            100.0 * fam * phi((2.0 * trust - 1.0) / s),
        ];
        for (m, want) in ["heard_of", "favourable", "confidence"].iter().zip(want) {
            for kind in ["population", "group"] {
                let key = (
                    "0".into(),
                    kind.into(),
                    pop.into(),
                    format!("{m}_pct:{actor}"),
                );
                let got: f64 = rows[&key].parse().unwrap();
                // Printed to four decimals of a percent.
                assert!(
                    (got - want).abs() <= 0.5e-4 + 1e-9,
                    "{key:?}: {got} vs {want}"
                );
            }
        }
    }
    // 3 ticks × 3 populations × 2 actors × 3 measures, as populations and as groups.
    assert_eq!(rows.len(), 2 * 3 * 3 * 2 * 3);
}

fn many(n: usize) -> String {
    format!(
        r#"
[scenario]
name = "many"
seed = 5
ticks = 2
dimensions = ["view"]

[[actor]]
id = "a"
budget = 1.0
[[actor]]
id = "b"

[[generate]]
prefix = "n"
count = {n}
graph = {{ model = "erdos_renyi", p = 0.001 }}
size = {{ dist = "uniform", min = 100, max = 5000 }}

[generate.opinion.a]
familiarity = {{ dist = "uniform", min = 0.1, max = 0.9 }}
trust = {{ dist = "uniform", min = 0.1, max = 0.9 }}
attitude = [{{ dist = "normal", mean = 0.1, sd = 0.3 }}]

[[campaign]]
id = "m"
actor = "a"
instrument = "messaging"
channel = "digital"
targets = ["group:n"]
spend = 0.5
"#
    )
}

#[test]
fn population_rows_are_left_out_above_one_hundred_populations_with_a_note() {
    let d = tempfile::tempdir().unwrap();
    let (out, said) = run(d.path(), &many(100), &[]);
    let rows = survey_rows(&out);
    let pops = rows.keys().filter(|k| k.1 == "population").count();
    assert_eq!(pops, 3 * 100 * 2 * 3);
    assert!(!said.contains("--population-series"), "{said}");

    let (out, said) = run(d.path(), &many(101), &[]);
    let rows = survey_rows(&out);
    assert!(rows.keys().all(|k| k.1 == "group" && k.2 == "group:n"));
    assert_eq!(rows.len(), 3 * 2 * 3);
    assert!(
        said.contains("survey series per group only") && said.contains("--population-series"),
        "{said}"
    );

    let (out, said) = run(d.path(), &many(101), &["--population-series"]);
    let rows = survey_rows(&out);
    let pops = rows.keys().filter(|k| k.1 == "population").count();
    assert_eq!(pops, 3 * 101 * 2 * 3);
    assert!(!said.contains("--population-series"), "{said}");
}

#[test]
fn the_series_are_byte_identical_on_one_and_three_threads_when_the_work_splits() {
    // Over 4096 populations: the group sums run in several chunks.
    let d = tempfile::tempdir().unwrap();
    let text = many(9000);
    let (one, _) = run(d.path(), &text, &["--threads", "1", "--population-series"]);
    let (three, _) = run(d.path(), &text, &["--threads", "3", "--population-series"]);
    let a = std::fs::read(one.join("timeseries.csv")).unwrap();
    let b = std::fs::read(three.join("timeseries.csv")).unwrap();
    assert!(a == b, "timeseries.csv differs between 1 and 3 threads");
    let rows = survey_rows(&one);
    assert_eq!(rows.len(), 3 * (1 + 9000) * 2 * 3);
}

#[test]
fn no_survey_series_leaves_the_other_rows_exactly_as_they_were_and_says_nothing_of_populations() {
    let d = tempfile::tempdir().unwrap();
    let (with, _) = run(d.path(), &many(101), &[]);
    let (without, said) = run(d.path(), &many(101), &["--no-survey-series"]);
    assert!(survey_rows(&without).is_empty());
    assert!(!said.contains("--population-series"), "{said}");
    let text = |out: &Path| std::fs::read_to_string(out.join("timeseries.csv")).unwrap();
    let kept: Vec<String> = text(&with)
        .lines()
        .filter(|l| !l.contains(",group,") && !l.contains(",population,"))
        .map(String::from)
        .collect();
    assert_eq!(text(&without).lines().collect::<Vec<_>>(), kept);
}

#[test]
fn no_survey_series_and_population_series_together_are_refused() {
    let d = tempfile::tempdir().unwrap();
    let file = d.path().join("w.toml");
    std::fs::write(&file, many(3)).unwrap();
    softpower()
        .args(["run", "--no-survey-series", "--population-series"])
        .arg(&file)
        .assert()
        .code(2);
}
