//! Governments with interests (docs/MODEL.md 3.7): a stance moves only toward the blend of
//! its public's opinion, its elites' opinion and its interests, and starts there. So in
//! every bundled scenario, with nothing happening (no campaigns, no events), stances stay
//! where interests and opinion put them: they do not move at all while opinion holds still,
//! and otherwise never leave the range the blend itself has spanned.

use softpower::engine::{Engine, Phase, PhaseMask};
use softpower::model::checked::CheckedScenario;
use softpower::scenario::{Overrides, parse_checked};
use softpower::world::build;
use std::path::{Path, PathBuf};

fn bundled() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![PathBuf::from("scenarios")];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "toml") {
                out.push(p);
            }
        }
    }
    out.sort();
    assert!(out.len() >= 10, "bundled scenarios found: {out:?}");
    out
}

/// The scenario with nothing happening: no campaigns, no scheduled events.
fn quiet(path: &Path) -> CheckedScenario {
    let text = std::fs::read_to_string(path).unwrap();
    let (_, mut c) = parse_checked(&text, path, &Overrides::default())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    c.campaigns.clear();
    c.shocks.clear();
    c
}

#[test]
fn with_opinion_still_no_bundled_stance_moves() {
    for path in bundled() {
        let w = build(&quiet(&path));
        let start = w.relations.clone();
        let mut e = Engine::new(w).with_mask(PhaseMask::only(&[Phase::Diplomacy]));
        for _ in 0..e.world.ticks.min(400) {
            e.step();
        }
        for (i, (r, s)) in e.world.relations.iter().zip(&start).enumerate() {
            assert!(
                (r - s).abs() <= 1e-6,
                "{}: stance {i} drifted from {s} to {r} with nothing happening",
                path.display()
            );
        }
    }
}

#[test]
fn without_campaigns_bundled_stances_stay_within_what_interests_and_opinion_give() {
    for path in bundled() {
        let w = build(&quiet(&path));
        let n = w.actors.len();
        if w.pops.len() > 5_000 {
            continue;
        }
        // Range of the starting stance and of each pair's target T_ba over the ticks so far.
        let (mut target, mut scratch) = (vec![0.0; n], vec![0.0; n]);
        let mut lo: Vec<f64> = w.relations.iter().map(|&r| r as f64).collect();
        let mut hi = lo.clone();
        let mut e = Engine::new(w);
        for t in 0..e.world.ticks.min(400) {
            // One tick phase by phase, to read the targets diplomacy is about to use.
            for phase in Phase::ORDER {
                if phase == Phase::Diplomacy {
                    for b in 0..n {
                        if e.world.stance_targets(b, &mut target, &mut scratch) {
                            for (a, &x) in target.iter().enumerate() {
                                let x = x.clamp(-1.0, 1.0);
                                lo[b * n + a] = lo[b * n + a].min(x);
                                hi[b * n + a] = hi[b * n + a].max(x);
                            }
                        }
                    }
                }
                e.run_phase(phase, t);
            }
            e.tick += 1;
            for b in 0..n {
                for a in (0..n).filter(|&a| a != b) {
                    let r = e.world.relations[b * n + a] as f64;
                    assert!(
                        r >= lo[b * n + a] - 1e-6 && r <= hi[b * n + a] + 1e-6,
                        "{}: stance {b}->{a} = {r} left [{}, {}] at tick {}",
                        path.display(),
                        lo[b * n + a],
                        hi[b * n + a],
                        e.tick
                    );
                }
            }
        }
    }
}

const BAD: &str = r#"[scenario]
name = "t"
ticks = 4
[[actor]]
id = "a"
[[actor]]
id = "b"
[[population]]
id = "p"
size = 10
home = "a"
[[decision]]
id = "d"
actor = "a"
toward = "a"
threshold = 1.5
sustain = 0
"#;

#[test]
fn a_bad_decision_is_refused_with_file_line_field_and_what_is_allowed() {
    let d = tempfile::tempdir().unwrap();
    let bad = d.path().join("bad.toml");
    std::fs::write(&bad, BAD).unwrap();
    let out = assert_cmd::Command::cargo_bin("softpower")
        .unwrap()
        .arg("check")
        .arg(&bad)
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(out).unwrap();
    for needle in [
        "bad.toml:15:10: decision[0].toward",
        "bad.toml:16:13: decision[0].threshold",
        "allowed: -1 to 1",
        "bad.toml:17:11: decision[0].sustain",
        "at least 1",
    ] {
        assert!(err.contains(needle), "{needle:?} missing from:\n{err}");
    }
}

#[test]
fn a_run_records_its_decisions_and_a_later_run_without_any_leaves_no_stale_table() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("out");
    let run = |file: &str| {
        assert_cmd::Command::cargo_bin("softpower")
            .unwrap()
            .args([
                "run",
                "--no-plots",
                "--no-report",
                "--no-attribution",
                "-q",
                "--force",
            ])
            .arg("--out")
            .arg(&out)
            .arg(file)
            .assert()
            .success();
    };
    run("scenarios/digital_recognition.toml");
    let table = std::fs::read_to_string(out.join("decisions.csv")).unwrap();
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    let listed = summary["decisions"].as_object().unwrap();
    assert_eq!(table.lines().count(), 1 + listed.len());
    for (id, v) in listed {
        let row = table
            .lines()
            .find(|l| l.starts_with(&format!("{id},")))
            .unwrap();
        let tick = v["tick"].as_u64().map_or(String::new(), |t| t.to_string());
        assert!(row.contains(&format!(",{},{tick},", v["taken"])), "{row}");
    }
    assert!(
        summary["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "decisions.csv")
    );
    run("scenarios/middle_power.toml");
    assert!(!out.join("decisions.csv").exists());
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert!(summary.get("decisions").is_none());
}
