//! `softpower exercise` end to end through the real binary: a 3-team, 3-round game
//! (new, status, advance, rewind, advance again, report), refusal of invalid decisions
//! without any change, attribution adding up, and the HTML debrief in headless Chromium.

mod common;
use common::browser;

use assert_cmd::Command;
use predicates::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn softpower() -> Command {
    Command::cargo_bin("softpower").unwrap()
}

const SCENARIO: &str = r#"[scenario]
name = "three_teams"
description = "Three teams court two publics."
seed = 11
ticks = 12

[exercise]
rounds = 3
ticks_per_round = 4

[[exercise.inject]]
round = 2
at = 1
title = "Leak"
teaches = "credibility falls fast"
kind = "scandal"
actor = "b"
severity = 0.4

[[actor]]
id = "a"
budget = 2
playable = true

[[actor]]
id = "b"
budget = 1
credibility = 0.8
playable = true

[[actor]]
id = "c"
budget = 1
credibility = 0.3
playable = true

[[actor]]
id = "m"

[[population]]
id = "fr_youth"
size = 2_000_000
home = "m"
internet = 0.9
opinion.a = { familiarity = 0.5 }

[[population]]
id = "fr_public"
size = 10_000_000
home = "m"

[[tie]]
between = ["fr_youth", "fr_public"]

[[story]]
id = "lie"
about = "a"
"#;

/// Every file under `dir` with its bytes (the game's complete state).
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(
                    p.strip_prefix(dir).unwrap().to_path_buf(),
                    std::fs::read(&p).unwrap(),
                );
            }
        }
    }
    out
}

fn submit(game: &Path, round: u32, team: &str, body: &str) {
    let p = game
        .join("decisions")
        .join(format!("round-{round:02}"))
        .join(format!("{team}.toml"));
    let text = std::fs::read_to_string(&p).unwrap();
    // Keep the template's comments, replace the settings and any pre-filled actions.
    let head = text.split("\nteam = ").next().unwrap().to_string();
    std::fs::write(
        &p,
        format!("{head}\nteam = \"{team}\"\nround = {round}\nsubmitted = true\n{body}"),
    )
    .unwrap();
}

const A1: &str = "\n[[action]]\nid = \"tv\"\ninstrument = \"messaging\"\nchannel = \"digital\"\ntargets = [\"all\"]\nspend = 5\n\n[[action]]\nid = \"visits\"\ninstrument = \"exchange\"\ntargets = [\"fr_youth\"]\nspend = 2\n";
const B1: &str = "\n[prediction]\nsoft_power_change = 0.002\nwhy = \"exchanges last\"\n\n[[action]]\nid = \"students\"\ninstrument = \"exchange\"\ntargets = [\"fr_youth\"]\nspend = 3\n";
const C1: &str = "\n[[action]]\nid = \"smear\"\ninstrument = \"propaganda\"\nchannel = \"digital\"\nagainst = \"a\"\ntargets = [\"fr_youth\"]\nspend = 1\n\n[[action]]\nid = \"seed\"\ninstrument = \"misinformation\"\nchannel = \"digital\"\nstory = \"lie\"\ntargets = [\"fr_youth\"]\nspend = 2\n";

fn round_json(game: &Path, r: u32) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(game.join(format!("rounds/{r:02}/round.json"))).unwrap())
        .unwrap()
}

/// Each team's parts add up to its change, which is the change of its index.
fn assert_attribution_adds_up(round: &serde_json::Value) {
    let tol = round["attribution_tolerance"].as_f64().unwrap();
    assert!(tol <= 1e-9);
    for t in round["teams"].as_array().unwrap() {
        let a = &t["attribution"];
        let total = a["total"].as_f64().unwrap();
        let parts: f64 = a["parts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["value"].as_f64().unwrap())
            .sum();
        assert!((total - parts).abs() <= tol, "{t}");
        let change = t["sp_end"].as_f64().unwrap() - t["sp_start"].as_f64().unwrap();
        assert!((total - change).abs() <= 1e-12, "{t}");
        let sources: Vec<&str> = a["parts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["source"].as_str().unwrap())
            .collect();
        assert!(sources.contains(&"decay"), "{sources:?}");
    }
}

#[test]
fn three_team_game_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let sc = dir.path().join("three.toml");
    std::fs::write(&sc, SCENARIO).unwrap();
    softpower().arg("check").arg(&sc).assert().success();
    let game = dir.path().join("game");

    softpower()
        .args(["exercise", "new"])
        .arg(&sc)
        .arg("--dir")
        .arg(&game)
        .assert()
        .success()
        .stdout(predicate::str::contains("3 teams (a, b, c), 3 rounds of 4"));
    for f in [
        "README.md",
        "game.toml",
        "scenario.toml",
        "injects.toml",
        "decisions/round-01/a.toml",
        "decisions/round-01/b.toml",
        "decisions/round-01/c.toml",
    ] {
        assert!(game.join(f).is_file(), "{f} missing");
    }
    let template = std::fs::read_to_string(game.join("decisions/round-01/b.toml")).unwrap();
    for needle in [
        "Budget: 4 units per round",
        "exchange",
        "fr_youth",
        "Example:",
        "submitted = false",
    ] {
        assert!(
            template.contains(needle),
            "{needle} not in template:\n{template}"
        );
    }
    let injects = std::fs::read_to_string(game.join("injects.toml")).unwrap();
    assert!(injects.contains("INSTRUCTOR ONLY") && injects.contains("round = 2"));
    // The game folder is never reused.
    softpower()
        .args(["exercise", "new"])
        .arg(&sc)
        .arg("--dir")
        .arg(&game)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not empty"));

    // Nobody has submitted: status explains, advance refuses and changes nothing.
    softpower()
        .args(["exercise", "status"])
        .arg(&game)
        .assert()
        .success()
        .stdout(
            predicate::str::contains("not submitted")
                .and(predicate::str::contains("0 of 3 teams ready")),
        );
    let before = snapshot(&game);
    softpower()
        .args(["exercise", "advance"])
        .arg(&game)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no submitted decisions from a, b, c",
        ));
    assert_eq!(snapshot(&game), before);

    // Invalid decisions: clear messages (file, line, field, allowed), nothing changes.
    submit(&game, 1, "a", A1);
    submit(&game, 1, "b", B1);
    submit(
        &game,
        1,
        "c",
        &C1.replace("[\"fr_youth\"]\nspend = 2", "[\"fr_yuoth\"]\nspend = 2"),
    );
    let out = softpower()
        .args(["exercise", "status"])
        .arg(&game)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("c.toml:")
            && err.contains("action[1].targets[0]: unknown population \"fr_yuoth\""),
        "{err}"
    );
    assert!(err.contains("did you mean \"fr_youth\""), "{err}");
    // Without a --missing policy, an invalid submitted file stops the round (with one,
    // it counts as not submitted: tests/exercise_rules.rs).
    let before = snapshot(&game);
    softpower()
        .args(["exercise", "advance"])
        .arg(&game)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("fr_yuoth")
                .and(predicate::str::contains("nothing was changed")),
        );
    assert_eq!(snapshot(&game), before);
    // Over budget, and a misspelt key.
    submit(&game, 1, "c", &C1.replace("spend = 2", "spend = 9"));
    softpower()
        .args(["exercise", "advance"])
        .arg(&game)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("action[1].spend").and(predicate::str::contains(
                "spend 10 in all, but team \"c\" has 4 left",
            )),
        );
    submit(
        &game,
        1,
        "c",
        &C1.replace("instrument = \"propaganda\"", "instrumnet = \"propaganda\""),
    );
    softpower()
        .args(["exercise", "advance"])
        .arg(&game)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("unknown field `instrumnet`")
                .and(predicate::str::contains("did you mean `instrument`")),
        );
    assert!(!game.join("rounds").join("01").exists());

    // Round 1.
    submit(&game, 1, "c", C1);
    softpower()
        .args(["exercise", "status"])
        .arg(&game)
        .assert()
        .success()
        .stdout(predicate::str::contains("3 of 3 teams ready"));
    softpower()
        .args(["exercise", "advance"])
        .arg(&game)
        .assert()
        .success()
        .stdout(predicate::str::contains("round 1 of 3 played"));
    let r1 = game.join("rounds/01");
    for f in ["report.md", "report.html", "round.json", "decisions/a.toml"] {
        assert!(r1.join(f).is_file(), "{f}");
    }
    for png in [
        "scoreboard.png",
        "favourability.png",
        "budget.png",
        "attribution.png",
    ] {
        let img = image::open(r1.join(png)).unwrap_or_else(|e| panic!("{png}: {e}"));
        assert_eq!((img.width(), img.height()), (1200, 750), "{png}");
    }
    let report = std::fs::read_to_string(r1.join("report.md")).unwrap();
    for needle in [
        "## Scoreboard",
        "## What moved and why",
        "visits (exchange)",
        "## Predictions",
        "exchanges last",
    ] {
        assert!(report.contains(needle), "{needle} not in report");
    }
    assert_attribution_adds_up(&round_json(&game, 1));
    // Next round's files are pre-filled with the last choices.
    let pre = std::fs::read_to_string(game.join("decisions/round-02/a.toml")).unwrap();
    assert!(
        pre.contains("round = 2")
            && pre.contains("id = \"visits\"")
            && pre.contains("submitted = false"),
        "{pre}"
    );

    // Round 2 (with the inject), then rewind and replay: byte-identical.
    submit(&game, 2, "a", A1);
    submit(&game, 2, "b", &B1.replace("spend = 3", "spend = 4"));
    submit(&game, 2, "c", C1);
    softpower()
        .args(["exercise", "advance"])
        .arg(&game)
        .assert()
        .success();
    let r2 = snapshot(&game.join("rounds/02"));
    let round2 = round_json(&game, 2);
    assert_attribution_adds_up(&round2);
    assert!(round2["events"][0].as_str().unwrap().contains("Leak"));
    let b = &round2["teams"][1]["attribution"]["parts"];
    assert!(
        b.as_array()
            .unwrap()
            .iter()
            .any(|p| p["source"] == "events" && p["value"].as_f64().unwrap() < 0.0),
        "the leak hurts b: {b}"
    );

    softpower()
        .args(["exercise", "rewind", "--to", "2"])
        .arg(&game)
        .assert()
        .success();
    assert!(!game.join("rounds/02").exists());
    assert!(game.join("rewound/1/rounds/02/report.md").is_file());
    softpower()
        .args(["exercise", "status"])
        .arg(&game)
        .assert()
        .success()
        .stdout(
            predicate::str::contains("round 2 of 3 is next")
                .and(predicate::str::contains("3 of 3 teams ready")),
        );
    softpower()
        .args(["exercise", "advance"])
        .arg(&game)
        .assert()
        .success();
    let again = snapshot(&game.join("rounds/02"));
    assert_eq!(
        r2.keys().collect::<Vec<_>>(),
        again.keys().collect::<Vec<_>>()
    );
    for (k, v) in &r2 {
        assert!(
            again[k] == *v,
            "{} differs after rewind and replay",
            k.display()
        );
    }

    // Round 3: b does not submit and repeats its last choices.
    submit(&game, 3, "a", A1);
    submit(&game, 3, "c", C1);
    softpower()
        .args(["exercise", "advance"])
        .arg(&game)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--missing"));
    softpower()
        .args(["exercise", "advance", "--missing", "repeat"])
        .arg(&game)
        .assert()
        .success()
        .stdout(
            predicate::str::contains("b did not submit and repeats")
                .and(predicate::str::contains("the game is over")),
        );
    let r3 = round_json(&game, 3);
    assert_attribution_adds_up(&r3);
    assert_eq!(r3["teams"][1]["spent"].as_f64().unwrap(), 4.0);
    softpower()
        .args(["exercise", "advance"])
        .arg(&game)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("the game is over"));

    // The debrief.
    softpower()
        .args(["exercise", "report"])
        .arg(&game)
        .assert()
        .success();
    let d = game.join("debrief");
    for f in [
        "debrief.md",
        "debrief.html",
        "scores.csv",
        "timeline.png",
        "attribution.png",
        "favourability.png",
        "budget.png",
    ] {
        assert!(d.join(f).is_file(), "{f} missing");
    }
    let md = std::fs::read_to_string(d.join("debrief.md")).unwrap();
    assert!(
        md.contains("## Turning points and their causes")
            && md.contains("Round 2:")
            && md.contains("credibility falls fast"),
        "{md}"
    );
    let csv = std::fs::read_to_string(d.join("scores.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(lines[0].starts_with("team,name,rank,soft_power_start,soft_power_final"));
    assert!(
        lines[2].starts_with("b,b,") && lines[2].contains(",2,"),
        "b made 2 predictions: {csv}"
    );
    let html = std::fs::read_to_string(d.join("debrief.html")).unwrap();
    assert_eq!(html.matches("src=\"data:image/png;base64,").count(), 4);
    assert!(
        !html.contains("src=\"timeline.png\""),
        "images are embedded"
    );
    check_in_browser(
        &d.join("debrief.html"),
        4,
        "Turning points and their causes",
    );
    // Every round's page, projected in class, is as self-contained as the debrief.
    for r in 1..=3 {
        let page = game.join(format!("rounds/{r:02}/report.html"));
        let html = std::fs::read_to_string(&page).unwrap();
        assert_eq!(html.matches("src=\"data:image/png;base64,").count(), 4);
        check_in_browser(&page, 4, "What moved and why");
    }
}

fn check_in_browser(page: &Path, images: usize, heading: &str) {
    let Some(bin) = browser::chromium_or_skip() else {
        return;
    };
    let profile = tempfile::tempdir().unwrap();
    let url = format!("file://{}", page.canonicalize().unwrap().display());
    let run = |extra: &[String]| browser::headless(&bin, profile.path(), &url, extra);
    let dom = String::from_utf8_lossy(&run(&["--dump-dom".to_string()])).into_owned();
    assert!(
        dom.contains(&format!("data-images-loaded=\"{images}\"")),
        "not every image decoded: {}",
        &dom[..dom.len().min(600)]
    );
    assert!(!dom.contains("data-errors"), "the page reported errors");
    assert!(dom.contains(heading), "{heading} not on the page");
    let shot = profile.path().join("shot.png");
    run(&[
        format!("--screenshot={}", shot.display()),
        "--window-size=1200,2000".to_string(),
    ]);
    let img = image::open(&shot).unwrap().to_rgb8();
    let total = (img.width() * img.height()) as f64;
    let inked = img
        .pixels()
        .filter(|p| p.0.iter().any(|&c| c < 200))
        .count() as f64;
    let colours: std::collections::HashSet<[u8; 3]> = img.pixels().map(|p| p.0).collect();
    assert!(
        inked / total > 0.01,
        "screenshot is blank ({inked} dark pixels)"
    );
    assert!(
        colours.len() > 50,
        "screenshot has no charts ({} colours)",
        colours.len()
    );
}

#[test]
fn bundled_exercise_starts_a_four_team_game() {
    let dir = tempfile::tempdir().unwrap();
    let game = dir.path().join("class");
    let sc = "scenarios/exercises/four_powers.toml";
    softpower().arg("check").arg(sc).assert().success();
    softpower()
        .args(["exercise", "new", sc, "--dir"])
        .arg(&game)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "4 teams (atlantia, norland, aurelia, ruskar), 6 rounds of 8 weeks",
        ));
    let injects = std::fs::read_to_string(game.join("injects.toml")).unwrap();
    assert_eq!(injects.matches("[[inject]]").count(), 3);
    softpower()
        .args(["exercise", "status"])
        .arg(&game)
        .assert()
        .success()
        .stdout(predicate::str::contains("0 of 4 teams ready"));
}
