//! The rules of a classroom game through the real binary: injects stay secret until
//! their round, a bad file never stops the class, scores are fair (each team against its
//! own do-nothing game), predictions are scored symmetrically in ratio, round pages and
//! the debrief are projectable, and every recipe of docs/TEACHING.md runs as written.

mod common;
use common::browser;

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

fn softpower() -> Command {
    Command::cargo_bin("softpower").unwrap()
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn bundled() -> PathBuf {
    repo().join("scenarios/exercises/four_powers.toml")
}

const INJECT_TITLES: [&str; 3] = ["Hack-and-leak", "Border crisis", "troll farm"];

fn new_game(scenario: &Path, game: &Path, extra: &[&str]) -> String {
    let out = softpower()
        .args(["exercise", "new"])
        .arg(scenario)
        .arg("--dir")
        .arg(game)
        .args(extra)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

fn stdout(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn write_decisions(game: &Path, round: u32, team: &str, body: &str) {
    let p = game
        .join("decisions")
        .join(format!("round-{round:02}"))
        .join(format!("{team}.toml"));
    std::fs::write(
        p,
        format!("team = \"{team}\"\nround = {round}\nsubmitted = true\n{body}"),
    )
    .unwrap();
}

fn round_json(game: &Path, r: u32) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(game.join(format!("rounds/{r:02}/round.json"))).unwrap())
        .unwrap()
}

fn team<'a>(round: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    round["teams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["team"] == id)
        .unwrap()
}

fn f(v: &serde_json::Value) -> f64 {
    v.as_f64().unwrap()
}

// Student-style decisions for the bundled game (each fits one round's allowance, so
// `--missing repeat` can replay them every round).
const ATLANTIA: &str = "[prediction]\nsoft_power_change = 0.003\nwhy = \"we broadcast everywhere\"\n\n[[action]]\nid = \"tv\"\ninstrument = \"messaging\"\nchannel = \"broadcast\"\ntargets = [\"all\"]\nspend = 30\n\n[[action]]\nid = \"students\"\ninstrument = \"exchange\"\ntargets = [\"meridia_youth\"]\nspend = 10\n";
const NORLAND: &str = "[prediction]\nsoft_power_change = 0.002\nwhy = \"exchanges last\"\n\n[[action]]\nid = \"scholars\"\ninstrument = \"exchange\"\ntargets = [\"meridia_elites\"]\nspend = 6\n\n[[action]]\nid = \"online\"\ninstrument = \"messaging\"\nchannel = \"digital\"\ntargets = [\"meridia_youth\"]\nspend = 5\n";
const AURELIA: &str = "[[action]]\nid = \"diaspora\"\ninstrument = \"messaging\"\nchannel = \"digital\"\ntargets = [\"aurelian_diaspora\", \"meridia_youth\"]\nspend = 2\n\n[[action]]\nid = \"inoculate\"\ninstrument = \"prebunk\"\nchannel = \"digital\"\nstory = \"aurelia_puppet\"\ntargets = [\"meridia_youth\"]\nspend = 1\n";
const RUSKAR: &str = "[prediction]\nsoft_power_change = -0.001\nwhy = \"they will hate us but hate Atlantia more\"\n\n[[action]]\nid = \"smear\"\ninstrument = \"propaganda\"\nchannel = \"broadcast\"\nagainst = \"atlantia\"\ntargets = [\"home:solvia\"]\nspend = 8\n\n[[action]]\nid = \"aid_lie\"\ninstrument = \"misinformation\"\nchannel = \"digital\"\nstory = \"rigged_aid\"\ntargets = [\"meridia_youth\", \"solvia_youth\"]\nspend = 8\n";

fn submit_all(game: &Path, round: u32) {
    for (t, body) in [
        ("atlantia", ATLANTIA),
        ("norland", NORLAND),
        ("aurelia", AURELIA),
        ("ruskar", RUSKAR),
    ] {
        write_decisions(game, round, t, body);
    }
}

#[test]
fn injects_stay_secret_until_the_round_they_strike() {
    let dir = tempfile::tempdir().unwrap();
    let game = dir.path().join("class");
    new_game(&bundled(), &game, &[]);
    let readme = std::fs::read_to_string(game.join("README.md")).unwrap();
    assert!(readme.contains("Surprises"), "{readme}");
    for f in ["README.md", "decisions/round-01/ruskar.toml"] {
        let text = std::fs::read_to_string(game.join(f)).unwrap();
        for title in INJECT_TITLES {
            assert!(!text.contains(title), "{f} reveals \"{title}\"");
        }
    }
    // The projected status says nothing of the injects but that the file is valid.
    let status = stdout(softpower().args(["exercise", "status"]).arg(&game));
    assert!(status.contains("injects.toml: valid"), "{status}");
    assert!(
        !status.contains("in this round") && !status.contains("3 injects"),
        "{status}"
    );
    for title in INJECT_TITLES {
        assert!(!status.contains(title), "status reveals \"{title}\"");
    }
    // The instructor's view shows the plan.
    let plan = stdout(
        softpower()
            .args(["exercise", "status", "--instructor"])
            .arg(&game),
    );
    assert!(plan.contains("INSTRUCTOR ONLY"), "{plan}");
    for title in INJECT_TITLES {
        assert!(plan.contains(title), "{plan}");
    }
    // Rounds 1 and 2 say nothing of the leak; round 3, when it strikes, does.
    for r in 1..=3 {
        submit_all(&game, r);
        softpower()
            .args(["exercise", "advance"])
            .arg(&game)
            .assert()
            .success();
        let report =
            std::fs::read_to_string(game.join(format!("rounds/{r:02}/report.md"))).unwrap();
        assert_eq!(report.contains("Hack-and-leak"), r == 3, "round {r}");
        assert!(!report.contains("troll farm"), "round {r}");
        let next = std::fs::read_to_string(
            game.join(format!("decisions/round-{:02}/norland.toml", r + 1)),
        )
        .unwrap();
        for title in INJECT_TITLES {
            assert!(
                !next.contains(title),
                "round {} template reveals {title}",
                r + 1
            );
        }
    }
    let plan = stdout(
        softpower()
            .args(["exercise", "status", "--instructor"])
            .arg(&game),
    );
    assert!(
        plan.contains("[played]: Hack-and-leak") && plan.contains("[NEXT ROUND]: Border crisis"),
        "{plan}"
    );
}

/// Two teams; `a` has broadcast reach only at home, and one story nobody seeds.
const SMALL: &str = r#"[scenario]
name = "two_teams"
description = "Two teams court one public."
seed = 5
ticks = 6

[exercise]
rounds = 2
ticks_per_round = 3

[[actor]]
id = "a"
budget = 2
playable = true

[[actor]]
id = "b"
budget = 2
playable = true

[[actor]]
id = "m"

[[population]]
id = "m_public"
size = 1_000_000
home = "m"
internet = 0.8

[[population]]
id = "a_public"
size = 1_000_000
home = "a"

[[reach]]
actor = "a"
populations = ["a_public"]
channel = "broadcast"
weight = 0.5

[[story]]
id = "lie"
about = "b"
"#;

#[test]
fn a_bad_file_never_stops_the_class() {
    let dir = tempfile::tempdir().unwrap();
    let sc = dir.path().join("two.toml");
    std::fs::write(&sc, SMALL).unwrap();
    let game = dir.path().join("g");
    new_game(&sc, &game, &[]);
    // Actions that provably do nothing, and a file no team owns.
    write_decisions(
        &game,
        1,
        "a",
        "[[action]]\nid = \"tv\"\ninstrument = \"messaging\"\nchannel = \"broadcast\"\ntargets = [\"m_public\"]\nspend = 2\n\n[[action]]\nid = \"check\"\ninstrument = \"fact_check\"\nchannel = \"digital\"\nstory = \"lie\"\ntargets = [\"m_public\"]\nspend = 1\n\n[[action]]\nid = \"idle\"\ninstrument = \"exchange\"\ntargets = [\"m_public\"]\nspend = 0\n\n[[action]]\nid = \"home_tv\"\ninstrument = \"messaging\"\nchannel = \"broadcast\"\ntargets = [\"a_public\"]\nspend = 1\n",
    );
    std::fs::write(game.join("decisions/round-01/B.toml"), "team = \"b\"\n").unwrap();
    let status = stdout(softpower().args(["exercise", "status"]).arg(&game));
    for needle in [
        "a: action \"tv\" does nothing: a reaches nobody in its targets on the broadcast channel",
        "a: action \"check\" does nothing: nobody has seeded story \"lie\"",
        "a: action \"idle\" does nothing: it spends nothing",
        "B.toml is not a team's file and is ignored",
        "did you mean b.toml?",
    ] {
        assert!(status.contains(needle), "{needle} not in:\n{status}");
    }
    assert!(
        !status.contains("\"home_tv\""),
        "home_tv reaches its home: {status}"
    );

    // b submits a broken file: without a policy nothing is played...
    write_decisions(
        &game,
        1,
        "b",
        "[[action]]\nid = \"x\"\ninstrument = \"messaging\"\nchannel = \"digital\"\ntargets = [\"m_pubic\"]\nspend = 1\n",
    );
    softpower()
        .args(["exercise", "advance"])
        .arg(&game)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("unknown population \"m_pubic\"")
                .and(predicate::str::contains("--missing hold")),
        );
    assert!(!game.join("rounds/01").exists());
    // ... with one, the round is played, b holds, and everyone is told why.
    let out = stdout(
        softpower()
            .args(["exercise", "advance", "--missing", "hold"])
            .arg(&game),
    );
    assert!(
        out.contains("WARNING: b's submitted decisions are invalid")
            && out.contains("unknown population \"m_pubic\""),
        "{out}"
    );
    assert!(
        out.contains("WARNING: a: action \"tv\" does nothing"),
        "{out}"
    );
    let report = std::fs::read_to_string(game.join("rounds/01/report.md")).unwrap();
    assert!(
        report.contains("b's submitted decisions are invalid")
            && report.contains("m_pubic")
            && report.contains("B.toml is not a team's file"),
        "{report}"
    );
    let r1 = round_json(&game, 1);
    assert!(team(&r1, "b")["actions"].as_array().unwrap().is_empty());
    assert_eq!(team(&r1, "a")["actions"].as_array().unwrap().len(), 4);

    // Round 2: b's file is broken again and it repeats round 1 (nothing).
    write_decisions(&game, 2, "a", "");
    write_decisions(&game, 2, "b", "[[action]]\nid = 3\n");
    let out = stdout(
        softpower()
            .args(["exercise", "advance", "--missing", "repeat"])
            .arg(&game),
    );
    assert!(
        out.contains("WARNING: b's submitted decisions are invalid"),
        "{out}"
    );
    assert!(out.contains("the game is over"), "{out}");
}

#[test]
fn each_team_is_scored_against_its_own_do_nothing_game() {
    let dir = tempfile::tempdir().unwrap();
    let sc = dir.path().join("fp.toml");
    // Ruskar scored on its own index here, to compare both objectives on one team.
    let text = std::fs::read_to_string(bundled()).unwrap();
    assert!(text.contains("objective = \"damage_rivals\""));
    let played = |name: &str, scenario: &str, holds: &[&str]| {
        std::fs::write(&sc, scenario).unwrap();
        let game = dir.path().join(name);
        new_game(&sc, &game, &["--rounds", "2"]);
        for r in 1..=2 {
            for (t, body) in [
                ("atlantia", ATLANTIA),
                ("norland", NORLAND),
                ("aurelia", AURELIA),
                ("ruskar", RUSKAR),
            ] {
                if !holds.contains(&t) {
                    write_decisions(&game, r, t, body);
                }
            }
            softpower()
                .args(["exercise", "advance", "--missing", "hold"])
                .arg(&game)
                .assert()
                .success();
        }
        game
    };
    let all = played("all", &text, &[]);
    let no_ruskar = played("no_ruskar", &text, &["ruskar"]);
    let no_norland = played("no_norland", &text, &["norland"]);
    let idle = played("idle", &text, &["atlantia", "norland", "aurelia", "ruskar"]);
    for r in 1..=2 {
        let x = round_json(&all, r);
        let wr = round_json(&no_ruskar, r);
        let wn = round_json(&no_norland, r);
        // Own index: the index as played minus the index of the game where the team did
        // nothing (every other team's actions kept).
        let n = team(&x, "norland");
        assert_eq!(n["objective"], "own_index");
        let expect = f(&n["sp_end"]) - f(&team(&wn, "norland")["sp_end"]);
        assert!((f(&n["score"]) - expect).abs() < 1e-12, "{n} vs {expect}");
        // Damage to rivals: the fall of the other teams' indices Ruskar's actions caused.
        let k = team(&x, "ruskar");
        assert_eq!(k["objective"], "damage_rivals");
        let damage: f64 = ["atlantia", "norland", "aurelia"]
            .iter()
            .map(|t| f(&team(&wr, t)["sp_end"]) - f(&team(&x, t)["sp_end"]))
            .sum();
        assert!((f(&k["score"]) - damage).abs() < 1e-12, "{k} vs {damage}");
        assert!(
            damage > 0.0,
            "Ruskar's smear and lie hurt its rivals: {damage}"
        );
        // A team that does nothing scores exactly 0, whatever its head start.
        let i = round_json(&idle, r);
        for t in i["teams"].as_array().unwrap() {
            assert_eq!(f(&t["score"]), 0.0, "{t}");
        }
        let ri = team(&wr, "ruskar");
        assert_eq!(f(&ri["score"]), 0.0, "{ri}");
        // Ranks follow the score, not the index.
        let mut teams: Vec<&serde_json::Value> = x["teams"].as_array().unwrap().iter().collect();
        teams.sort_by_key(|t| t["rank"].as_u64().unwrap());
        for w in teams.windows(2) {
            assert!(f(&w[0]["score"]) >= f(&w[1]["score"]), "{teams:?}");
        }
    }
    // In the idle game Atlantia's head start gives it the highest index, and its score is 0
    // like everyone else's: the ranking is no longer decided by the start.
    let i = round_json(&idle, 2);
    let best = i["teams"]
        .as_array()
        .unwrap()
        .iter()
        .max_by(|a, b| f(&a["sp_end"]).total_cmp(&f(&b["sp_end"])))
        .unwrap();
    assert_eq!(best["team"], "atlantia");
    // Without an objective, Ruskar is scored on its own index.
    let own = text.replace("objective = \"damage_rivals\"\n", "");
    let x = round_json(&played("own", &own, &[]), 1);
    let k = team(&x, "ruskar");
    assert_eq!(k["objective"], "own_index");
    let expect = f(&k["sp_end"]) - f(&team(&round_json(&no_ruskar, 1), "ruskar")["sp_end"]);
    assert!((f(&k["score"]) - expect).abs() < 1e-12);
    // The debrief's scores.csv carries the score and the objective.
    softpower()
        .args(["exercise", "report"])
        .arg(&all)
        .assert()
        .success();
    let csv = std::fs::read_to_string(all.join("debrief/scores.csv")).unwrap();
    assert!(
        csv.lines().next().unwrap().ends_with(",objective,score"),
        "{csv}"
    );
    assert!(csv.contains(",damage_rivals,"), "{csv}");
}

#[test]
fn an_objective_needs_a_playable_actor() {
    let dir = tempfile::tempdir().unwrap();
    let sc = dir.path().join("bad.toml");
    std::fs::write(
        &sc,
        SMALL.replace(
            "[[actor]]\nid = \"m\"\n",
            "[[actor]]\nid = \"m\"\nobjective = \"damage_rivals\"\n",
        ),
    )
    .unwrap();
    softpower().arg("check").arg(&sc).assert().code(2).stderr(
        predicate::str::contains("actor[2].objective")
            .and(predicate::str::contains("not playable")),
    );
    std::fs::write(
        &sc,
        SMALL.replace(
            "id = \"b\"\nbudget = 2\nplayable = true\n",
            "id = \"b\"\nbudget = 2\nplayable = true\nobjective = \"win\"\n",
        ),
    )
    .unwrap();
    softpower().arg("check").arg(&sc).assert().code(2).stderr(
        predicate::str::contains("own_index").and(predicate::str::contains("damage_rivals")),
    );
}

#[test]
fn predictions_off_by_the_same_ratio_above_and_below_score_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let game = dir.path().join("g");
    new_game(&bundled(), &game, &[]);
    submit_all(&game, 1);
    softpower()
        .args(["exercise", "advance"])
        .arg(&game)
        .assert()
        .success();
    let observed = f(&team(&round_json(&game, 1), "norland")["change"]);
    assert!(observed.abs() > 1e-3, "{observed}");
    let score_of = |predicted: f64| {
        softpower()
            .args(["exercise", "rewind", "--to", "1"])
            .arg(&game)
            .assert()
            .success();
        submit_all(&game, 1);
        write_decisions(
            &game,
            1,
            "norland",
            &NORLAND.replace(
                "soft_power_change = 0.002",
                &format!("soft_power_change = {predicted:e}"),
            ),
        );
        softpower()
            .args(["exercise", "advance"])
            .arg(&game)
            .assert()
            .success();
        let r = round_json(&game, 1);
        let p = &team(&r, "norland")["prediction"];
        assert_eq!(f(&p["observed"]), observed);
        f(&p["score"])
    };
    let exact = score_of(observed);
    let (twice, half) = (score_of(2.0 * observed), score_of(observed / 2.0));
    let (eight, eighth) = (score_of(8.0 * observed), score_of(observed / 8.0));
    assert_eq!(exact, 100.0);
    assert!((twice - half).abs() <= 0.1, "{twice} vs {half}");
    assert!((eight - eighth).abs() <= 0.1, "{eight} vs {eighth}");
    // The formula of docs/TEACHING.md: 50 + 50 (1 - |log10 ratio|).
    assert!(
        (twice - (50.0 + 50.0 * (1.0 - 2f64.log10()))).abs() <= 0.06,
        "{twice}"
    );
    assert!(exact > twice && twice > eight && eight > 50.0);
    assert_eq!(score_of(20.0 * observed), 50.0);
    assert_eq!(
        score_of(-observed),
        0.0,
        "the wrong direction scores nothing"
    );
}

/// Every `softpower exercise ...` recipe in the text, in order. `serve` runs until it is
/// stopped, so tests/serve.rs plays its recipe (a whole class through the served pages).
fn recipes(doc: &str) -> Vec<String> {
    doc.split('`')
        .skip(1)
        .step_by(2)
        .filter(|s| {
            s.starts_with("softpower exercise ") && !s.starts_with("softpower exercise serve")
        })
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

#[test]
fn the_lesson_plan_runs_as_written() {
    let doc = std::fs::read_to_string(repo().join("docs/TEACHING.md")).unwrap();
    let written = recipes(&doc);
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("scenarios/exercises")).unwrap();
    std::fs::copy(
        bundled(),
        dir.path().join("scenarios/exercises/four_powers.toml"),
    )
    .unwrap();
    let mut ran: Vec<String> = Vec::new();
    let mut run = |line: &str| {
        let words: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(words[0], "softpower");
        let out = softpower()
            .current_dir(dir.path())
            .args(&words[1..])
            .output()
            .unwrap();
        ran.push(line.to_string());
        out
    };
    let ok = |out: std::process::Output| {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let class = dir.path().join("class1");
    // 90-minute class: create, then each round status (projected) and advance.
    ok(run(
        "softpower exercise new scenarios/exercises/four_powers.toml --dir class1",
    ));
    let plan = ok(run("softpower exercise status class1 --instructor"));
    assert!(plan.contains("Hack-and-leak"), "{plan}");
    submit_all(&class, 1);
    ok(run("softpower exercise status class1"));
    ok(run("softpower exercise advance class1"));
    assert!(class.join("rounds/01/report.html").is_file());
    assert!(class.join("rounds/01/report.md").is_file());
    // Something went wrong: rewind to round 2 after playing it, and replay.
    ok(run("softpower exercise advance class1 --missing repeat"));
    ok(run("softpower exercise rewind class1 --to 2"));
    assert!(class.join("rewound/1/rounds/02/report.md").is_file());
    for _ in 2..=6 {
        ok(run("softpower exercise advance class1 --missing repeat"));
    }
    // "Exposed: Ruskar's troll farm" (round 5) raises Ruskar's negative index: lower
    // trust shrinks a negative product (docs/TEACHING.md, "Scores").
    let r5 = round_json(&class, 5);
    assert!(r5["events"].to_string().contains("troll farm"));
    let k = team(&r5, "ruskar");
    assert!(f(&k["sp_start"]) < 0.0, "{k}");
    let events: f64 = k["attribution"]["parts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["source"] == "events")
        .map(|p| f(&p["value"]))
        .sum();
    assert!(events > 0.0, "{k}");
    ok(run("softpower exercise report class1"));
    for f in ["debrief/debrief.html", "debrief/scores.csv"] {
        assert!(class.join(f).is_file(), "{f}");
    }
    let out = run("softpower exercise rewind class1 --to 9");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("the game has only 6 rounds"),
        "{out:?}"
    );
    // The short class plays all its rounds on the bundled game, injects included.
    let made = ok(run(
        "softpower exercise new scenarios/exercises/four_powers.toml --dir short --rounds 4 --ticks-per-round 12",
    ));
    assert!(made.contains("moves from round 3 to round 2"), "{made}");
    let short = dir.path().join("short");
    for r in 1..=4 {
        submit_all(&short, r);
        softpower()
            .args(["exercise", "advance"])
            .arg(&short)
            .assert()
            .success();
    }
    let events: Vec<String> = (1..=4)
        .map(|r| round_json(&short, r)["events"].to_string())
        .collect();
    assert!(events[1].contains("Hack-and-leak"), "{events:?}");
    assert!(
        events[2].contains("Border crisis") && events[2].contains("troll farm"),
        "{events:?}"
    );
    // Every recipe in the text was run above, and nothing else was.
    let mut w = written.clone();
    w.sort();
    w.dedup();
    let mut r = ran.clone();
    r.sort();
    r.dedup();
    assert_eq!(
        w, r,
        "recipes in docs/TEACHING.md vs recipes run by this test"
    );
}

#[test]
fn round_pages_and_the_debrief_show_decisions_predictions_and_authors() {
    let dir = tempfile::tempdir().unwrap();
    let game = dir.path().join("g");
    new_game(&bundled(), &game, &["--rounds", "3"]);
    for r in 1..=3 {
        submit_all(&game, r);
        softpower()
            .args(["exercise", "advance"])
            .arg(&game)
            .assert()
            .success();
    }
    softpower()
        .args(["exercise", "report"])
        .arg(&game)
        .assert()
        .success();
    let page = game.join("rounds/03/report.html");
    let html = std::fs::read_to_string(&page).unwrap();
    assert_eq!(html.matches("src=\"data:image/png;base64,").count(), 4);
    assert!(
        !html.contains("src=\"scoreboard.png\""),
        "images are embedded"
    );
    for needle in [
        "<h2>Decisions</h2>",
        "smear: propaganda (broadcast) against atlantia on home:solvia, spend 8",
        "they will hate us but hate Atlantia more",
        "seeded by Ruskar (propagandist rival) in round 3 (action aid_lie)",
        "Hack-and-leak",
    ] {
        assert!(
            html.contains(&needle.replace('"', "&quot;")),
            "{needle} not in the round page"
        );
    }
    let md = std::fs::read_to_string(game.join("debrief/debrief.md")).unwrap();
    for needle in [
        "## Decisions log",
        "## Predictions and why",
        "exchanges last",
        "seeded by Ruskar (propagandist rival) in rounds 1, 2, 3 (action aid_lie)",
        "prebunked by Aurelia (small new state) in rounds 1, 2, 3 (action inoculate)",
        "Story \"norland_spies\" (about norland): nobody seeded it.",
        "## What moved and why, over the whole game",
    ] {
        assert!(md.contains(needle), "{needle} not in the debrief");
    }
    if let Some(bin) = browser::chromium_or_skip() {
        let profile = tempfile::tempdir().unwrap();
        let url = format!("file://{}", page.canonicalize().unwrap().display());
        let dom = String::from_utf8_lossy(&browser::headless(
            &bin,
            profile.path(),
            &url,
            &["--dump-dom".to_string()],
        ))
        .into_owned();
        assert!(
            dom.contains("data-images-loaded=\"4\""),
            "{}",
            &dom[..dom.len().min(600)]
        );
        assert!(!dom.contains("data-errors"));
        assert!(dom.contains("What moved and why"));
    }
}
