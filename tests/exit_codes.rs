//! The exit-code policy through the real binary: 2 for bad input (scenario, arguments,
//! files the user gave or that softpower reads back, refusing to overwrite), 1 for a
//! failure of the machine, 130 for an interrupt; and the attacks of issue 13, each of which
//! must end in a clear error (never a panic, exit 101) and leave nothing behind.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

fn softpower() -> Command {
    Command::cargo_bin("softpower").unwrap()
}

const ENSEMBLE: &str = "tests/data/ensemble.toml";

/// A two-team game scenario; `a` is the id of the first team.
fn game_scenario(a: &str) -> String {
    format!(
        r#"[scenario]
name = "two_teams"
seed = 3
ticks = 4

[exercise]
rounds = 2
ticks_per_round = 2

[[actor]]
id = "{a}"
budget = 1
playable = true

[[actor]]
id = "b"
budget = 1
playable = true

[[actor]]
id = "m"

[[population]]
id = "public"
size = 1000
home = "m"
"#
    )
}

fn new_game(dir: &Path) -> PathBuf {
    let sc = dir.join("two.toml");
    std::fs::write(&sc, game_scenario("a")).unwrap();
    let game = dir.join("game");
    softpower()
        .args(["exercise", "new"])
        .arg(&sc)
        .arg("--dir")
        .arg(&game)
        .assert()
        .success();
    game
}

fn compare_into(out: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    softpower()
        .args([
            "compare",
            ENSEMBLE,
            "--runs",
            "16",
            "--no-plots",
            "-q",
            "--out",
        ])
        .arg(out)
        .args(extra)
        .assert()
}

/// Every file under `dir`, relative, sorted.
fn files_under(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, d: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                out.push(p.strip_prefix(base).unwrap().display().to_string());
            }
        }
    }
    let mut v = Vec::new();
    if dir.exists() {
        walk(dir, dir, &mut v);
    }
    v.sort();
    v
}

// ---- the policy, command by command ----

#[test]
fn run_exits_2_for_a_missing_scenario_and_when_it_refuses_to_overwrite() {
    let d = tempfile::tempdir().unwrap();
    softpower()
        .args(["run", "no/such/file.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no/such/file.toml"));
    let out = d.path().join("r");
    let args = [
        "run",
        "scenarios/classic/voter.toml",
        "--no-plots",
        "-q",
        "--out",
    ];
    softpower().args(args).arg(&out).assert().success();
    softpower().args(args).arg(&out).assert().code(2).stderr(
        predicate::str::contains("already holds results")
            .and(predicate::str::contains("help: pass --force")),
    );
}

#[test]
fn run_exits_1_when_the_machine_cannot_write() {
    // The output folder's parent is a file: creating the folder fails in the OS.
    let d = tempfile::tempdir().unwrap();
    let file = d.path().join("plain");
    std::fs::write(&file, b"x").unwrap();
    softpower()
        .args([
            "run",
            "scenarios/classic/voter.toml",
            "--no-plots",
            "-q",
            "--out",
        ])
        .arg(file.join("out"))
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with("error: cannot create"));
}

#[test]
fn bad_arguments_exit_2() {
    softpower().args(["run"]).assert().code(2);
    softpower()
        .args(["run", "scenarios/classic/voter.toml", "--threads", "0"])
        .assert()
        .code(2);
    softpower()
        .args([
            "run",
            "scenarios/middle_power.toml",
            "--network-actor",
            "nobody",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--network-actor: unknown actor"));
}

#[test]
fn check_exits_2_for_any_bad_file_and_names_each() {
    let d = tempfile::tempdir().unwrap();
    let bad = d.path().join("bad.toml");
    std::fs::write(&bad, "[scenario]\nname = 3\n").unwrap();
    softpower()
        .args(["check", "scenarios/classic/voter.toml"])
        .arg(&bad)
        .assert()
        .code(2)
        .stdout(predicate::str::contains("ok: scenarios/classic/voter.toml"))
        .stderr(
            predicate::str::contains("bad.toml")
                .and(predicate::str::contains("1 of 2 scenario files")),
        );
    softpower().arg("check").arg(&bad).assert().code(2);
    softpower()
        .args(["check", "scenarios/classic/voter.toml"])
        .assert()
        .success();
}

#[test]
fn compare_and_sweep_exit_2_for_bad_input() {
    let d = tempfile::tempdir().unwrap();
    softpower()
        .args(["compare", ENSEMBLE, "--strategies", "nope", "--out"])
        .arg(d.path().join("c"))
        .assert()
        .code(2);
    softpower()
        .args([
            "compare",
            ENSEMBLE,
            "--metric",
            "soft_power:nobody",
            "--out",
        ])
        .arg(d.path().join("c"))
        .assert()
        .code(2);
    softpower()
        .args(["sweep", ENSEMBLE, "--set", "nothing.here=0..1:3", "--out"])
        .arg(d.path().join("s"))
        .assert()
        .code(2);
    softpower()
        .args(["sweep", ENSEMBLE, "--set", "model.x=0..1", "--out"])
        .arg(d.path().join("s"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("PATH=START..END:STEPS"));
}

#[test]
fn compare_exits_2_when_it_refuses_to_overwrite_and_130_when_interrupted() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("c");
    compare_into(&out, &["--stop-after-batches", "1"])
        .code(130)
        .stderr(predicate::str::contains("--resume"));
    compare_into(&out, &[])
        .code(2)
        .stderr(predicate::str::contains("already holds results"));
    compare_into(&out, &["--resume"]).success();
}

#[test]
fn merge_exits_2_for_folders_that_hold_no_ensemble() {
    let d = tempfile::tempdir().unwrap();
    softpower()
        .arg("merge")
        .arg(d.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("holds no ensemble"));
}

#[test]
fn every_exercise_subcommand_exits_2_for_bad_input() {
    let d = tempfile::tempdir().unwrap();
    let not_a_game = d.path().join("empty");
    std::fs::create_dir(&not_a_game).unwrap();
    for sub in ["status", "advance", "report"] {
        softpower()
            .args(["exercise", sub])
            .arg(&not_a_game)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("is not a game folder"));
    }
    softpower()
        .args(["exercise", "rewind"])
        .arg(&not_a_game)
        .args(["--to", "1"])
        .assert()
        .code(2);
    softpower()
        .args(["exercise", "new", "no/such.toml", "--dir"])
        .arg(d.path().join("g"))
        .assert()
        .code(2);
    let game = new_game(d.path());
    // Nobody submitted: advance refuses; report has nothing to debrief; rewind out of range.
    softpower()
        .args(["exercise", "advance"])
        .arg(&game)
        .assert()
        .code(2);
    softpower()
        .args(["exercise", "report"])
        .arg(&game)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "\n  help: `softpower exercise advance ",
        ));
    softpower()
        .args(["exercise", "rewind"])
        .arg(&game)
        .args(["--to", "5"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("\n  help: pass --to 1 to 1"));
    softpower()
        .args(["exercise", "status"])
        .arg(&game)
        .assert()
        .success();
    // A second `new` into the same folder refuses to overwrite it.
    softpower()
        .args(["exercise", "new"])
        .arg(d.path().join("two.toml"))
        .arg("--dir")
        .arg(&game)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("already exists"));
}

// ---- files read back are checked ----

fn finished_compare(d: &Path) -> PathBuf {
    let out = d.join("c");
    compare_into(&out, &[]).success();
    out
}

#[test]
fn a_manifest_whose_focal_metric_names_an_unknown_actor_is_an_error_not_a_panic() {
    let d = tempfile::tempdir().unwrap();
    let out = finished_compare(d.path());
    let p = out.join("ensemble.json");
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
    v["manifest"]["metrics"]["focal"] = "soft_power:ghost".into();
    std::fs::write(&p, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
    softpower()
        .arg("merge")
        .arg(&out)
        .arg("--out")
        .arg(d.path().join("m"))
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("ensemble.json")
                .and(predicate::str::contains("metrics.focal")),
        );
}

#[test]
fn a_part_file_that_lost_runs_is_detected_by_merge_and_resume() {
    let d = tempfile::tempdir().unwrap();
    let out = finished_compare(d.path());
    let part = out.join("parts/batch-000001.json");
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&part).unwrap()).unwrap();
    // One record removed.
    v["runs"].as_array_mut().unwrap().pop();
    std::fs::write(&part, serde_json::to_vec(&v).unwrap()).unwrap();
    for args in [vec!["merge"], vec![]] {
        let mut cmd = softpower();
        if args.is_empty() {
            cmd.args([
                "compare",
                ENSEMBLE,
                "--runs",
                "16",
                "--no-plots",
                "-q",
                "--resume",
                "--out",
            ])
            .arg(&out);
        } else {
            cmd.arg("merge")
                .arg(&out)
                .arg("--out")
                .arg(d.path().join("m"));
        }
        cmd.assert().code(2).stderr(
            predicate::str::contains("batch-000001.json").and(predicate::str::contains("runs")),
        );
    }
    // Hand-edited to an empty list (the layout of files without a version).
    std::fs::write(&part, b"[]").unwrap();
    softpower()
        .arg("merge")
        .arg(&out)
        .arg("--out")
        .arg(d.path().join("m"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("holds 0 runs"));
    assert!(
        !d.path().join("m").exists(),
        "nothing is written from a damaged folder"
    );
}

#[test]
fn a_manifest_from_a_newer_softpower_says_how_to_proceed() {
    let d = tempfile::tempdir().unwrap();
    let out = finished_compare(d.path());
    let p = out.join("ensemble.json");
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
    assert_eq!(v["format"], 1, "manifests carry their format version");
    v["format"] = 99.into();
    std::fs::write(&p, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
    softpower()
        .arg("merge")
        .arg(&out)
        .arg("--out")
        .arg(d.path().join("m"))
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("format version 99").and(predicate::str::contains("help:")),
        );
}

#[test]
fn a_manifest_without_a_version_still_merges() {
    let d = tempfile::tempdir().unwrap();
    let out = finished_compare(d.path());
    let p = out.join("ensemble.json");
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
    v.as_object_mut().unwrap().remove("format");
    std::fs::write(&p, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
    let m = d.path().join("m");
    softpower()
        .arg("merge")
        .arg(&out)
        .arg("--out")
        .arg(&m)
        .args(["--no-plots", "-q"])
        .assert()
        .success();
    assert_eq!(
        std::fs::read(m.join("compare.csv")).unwrap(),
        std::fs::read(out.join("compare.csv")).unwrap()
    );
}

#[test]
fn a_game_with_no_teams_is_an_error_not_a_panic() {
    let d = tempfile::tempdir().unwrap();
    let game = new_game(d.path());
    let p = game.join("game.toml");
    let text = std::fs::read_to_string(&p).unwrap();
    let edited: String = text
        .lines()
        .map(|l| {
            if l.starts_with("teams") {
                "teams = []"
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&p, edited).unwrap();
    for sub in ["report", "status"] {
        softpower()
            .args(["exercise", sub])
            .arg(&game)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("game.toml").and(predicate::str::contains("teams")));
    }
}

#[test]
fn a_game_file_from_a_newer_softpower_says_how_to_proceed() {
    let d = tempfile::tempdir().unwrap();
    let game = new_game(d.path());
    let p = game.join("game.toml");
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(
        text.contains("\nformat = 1\n"),
        "game.toml carries its format version"
    );
    std::fs::write(&p, text.replace("\nformat = 1\n", "\nformat = 7\n")).unwrap();
    softpower()
        .args(["exercise", "status"])
        .arg(&game)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("format version 7").and(predicate::str::contains("help:")),
        );
}

#[test]
fn a_decisions_file_with_an_invalid_utf8_byte_is_invalid_not_missing() {
    let d = tempfile::tempdir().unwrap();
    let game = new_game(d.path());
    let p = game.join("decisions/round-01/a.toml");
    let mut bytes = b"team = \"a\"\nround = 1\nsubmitted = true\n# caf".to_vec();
    bytes.push(0xE9);
    bytes.extend_from_slice(b"\n");
    std::fs::write(&p, &bytes).unwrap();
    let before = files_under(&game);
    softpower()
        .args(["exercise", "advance"])
        .arg(&game)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("a.toml:4:6").and(predicate::str::contains("UTF-8")));
    assert_eq!(files_under(&game), before, "no round was played");
    softpower()
        .args(["exercise", "status"])
        .arg(&game)
        .assert()
        .code(2)
        .stdout(predicate::str::contains("INVALID"));
    // With a --missing policy the class goes on, and the bad byte is named, not dropped.
    softpower()
        .args(["exercise", "advance"])
        .arg(&game)
        .args(["--missing", "hold"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("WARNING: a's submitted decisions are invalid")
                .and(predicate::str::contains("line 4"))
                .and(predicate::str::contains("UTF-8")),
        );
}

// ---- attacks ----

#[test]
fn team_ids_that_are_paths_cannot_make_exercise_new_write_outside_its_folder() {
    let d = tempfile::tempdir().unwrap();
    let inner = d.path().join("a/b/c");
    std::fs::create_dir_all(&inner).unwrap();
    let abs = d.path().join("abs_target");
    for id in ["../../../escaped", abs.to_str().unwrap(), "x/y", ".."] {
        let sc = inner.join("s.toml");
        std::fs::write(&sc, game_scenario(id)).unwrap();
        let game = inner.join("game");
        softpower()
            .args(["exercise", "new"])
            .arg(&sc)
            .arg("--dir")
            .arg(&game)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("plain identifier"));
        assert!(!game.exists(), "{id}: no game folder");
        assert!(!abs.with_extension("toml").exists(), "{id}");
        assert!(!d.path().join("escaped.toml").exists(), "{id}");
    }
}

#[test]
fn a_game_toml_naming_a_scenario_outside_the_folder_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let game = new_game(d.path());
    let p = game.join("game.toml");
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(
        &p,
        text.replace("scenario = \"scenario.toml\"", "scenario = \"../two.toml\""),
    )
    .unwrap();
    softpower()
        .args(["exercise", "status"])
        .arg(&game)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "not a file name inside the game folder",
        ));
}

#[test]
fn a_closed_stdout_ends_quietly_with_the_commands_own_code() {
    // `softpower check a.toml b.toml | head -0`: the reader is gone before anything is read.
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("softpower"))
        .args(["check"])
        .args(std::iter::repeat_n("scenarios/classic/voter.toml", 200))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn stdout_on_a_full_device_is_a_machine_failure_not_a_panic() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        return; // not a Linux-like system
    };
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("softpower"))
        .args(["check", "scenarios/classic/voter.toml"])
        .stdout(full)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("cannot write to standard output"),
        "{stderr}"
    );
}

/// No file and no hidden temporary in `dir` whose name starts with `prefix`.
fn leftovers(dir: &Path, prefix: &str) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(prefix) || n.starts_with(&format!(".{prefix}")))
        .collect()
}

#[test]
fn exercise_new_copies_edge_lists_into_the_game_and_a_failed_new_blocks_no_retry() {
    let d = tempfile::tempdir().unwrap();
    // The edge list lives in a sibling folder: its path leaves the scenario's folder.
    std::fs::create_dir(d.path().join("nets")).unwrap();
    std::fs::create_dir(d.path().join("sc")).unwrap();
    let sc = d.path().join("sc").join("net.toml");
    std::fs::write(
        &sc,
        game_scenario("a")
            + "\n[[generate]]\nprefix = \"p\"\ncount = 3\nhome = \"m\"\nsize = 100\ngraph = { model = \"edge_list\", file = \"../nets/edges.txt\" }\n",
    )
    .unwrap();
    let game = d.path().join("game");
    let new = || {
        softpower()
            .args(["exercise", "new"])
            .arg(&sc)
            .arg("--dir")
            .arg(&game)
            .assert()
    };
    // The list is missing: a located error, and nothing left behind.
    new()
        .code(2)
        .stderr(predicate::str::contains("net.toml:"))
        .stderr(predicate::str::contains("../nets/edges.txt"));
    assert!(leftovers(d.path(), "game").is_empty());

    // Once it exists, the retry succeeds: the game holds its own copy.
    std::fs::write(d.path().join("nets").join("edges.txt"), "0 1\n1 2\n").unwrap();
    new().success();
    let frozen = std::fs::read_to_string(game.join("scenario.toml")).unwrap();
    assert!(frozen.contains("file = \"edges-1.txt\""), "{frozen}");
    assert_eq!(
        std::fs::read_to_string(game.join("edges-1.txt")).unwrap(),
        "0 1\n1 2\n"
    );
    // The game no longer needs the original: it plays a round without it.
    std::fs::remove_dir_all(d.path().join("nets")).unwrap();
    for t in ["a", "b"] {
        let p = game.join("decisions/round-01").join(format!("{t}.toml"));
        let text = std::fs::read_to_string(&p)
            .unwrap()
            .replace("submitted = false", "submitted = true");
        std::fs::write(&p, text).unwrap();
    }
    softpower()
        .args(["exercise", "advance"])
        .arg(&game)
        .assert()
        .success();
    assert!(game.join("rounds/01/round.json").is_file());
}

#[test]
fn a_forced_rerun_cleans_temporaries_a_killed_run_left() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("r");
    let args = [
        "run",
        "scenarios/classic/voter.toml",
        "--no-plots",
        "-q",
        "--out",
    ];
    softpower().args(args).arg(&out).assert().success();
    std::fs::write(out.join(".timeseries.csv.tmp-999999"), b"half").unwrap();
    softpower()
        .args(args)
        .arg(&out)
        .arg("--force")
        .assert()
        .success();
    assert!(!out.join(".timeseries.csv.tmp-999999").exists());

    let c = d.path().join("c");
    compare_into(&c, &["--stop-after-batches", "1"]).code(130);
    std::fs::write(c.join("parts/.batch-000001.json.tmp-999999"), b"half").unwrap();
    compare_into(&c, &["--resume"]).success();
    assert!(!c.join("parts/.batch-000001.json.tmp-999999").exists());
}

#[test]
fn a_pipe_or_a_folder_given_as_a_scenario_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("scenario.toml");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    for path in [fifo.as_path(), dir.path()] {
        softpower()
            .arg("check")
            .arg(path)
            .timeout(std::time::Duration::from_secs(20))
            .assert()
            .code(2)
            .stderr(
                predicates::str::contains("not a regular file")
                    .or(predicates::str::contains("a folder")),
            );
    }
}

#[test]
fn a_run_whose_time_series_cannot_fit_in_memory_is_refused_before_it_starts() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("out");
    softpower()
        .args([
            "run",
            "scenarios/classic/degroot.toml",
            "--ticks",
            "4294967295",
            "--out",
        ])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("needs about").and(predicate::str::contains("ticks")));
    assert!(!out.exists(), "nothing is written for a refused run");
}

#[test]
fn an_ensemble_whose_bands_cannot_fit_in_memory_is_refused_before_it_writes() {
    let d = tempfile::tempdir().unwrap();
    let sc = d.path().join("long.toml");
    let text = std::fs::read_to_string(ENSEMBLE)
        .unwrap()
        .replace("ticks = 20", "ticks = 4000000000");
    std::fs::write(&sc, text).unwrap();
    let out = d.path().join("ens");
    softpower()
        .args(["compare"])
        .arg(&sc)
        .args(["--runs", "2", "--no-plots", "-q", "--out"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("needs about"));
    assert!(!out.exists(), "no folder is left by a refused ensemble");
}

// ---- more findings of the fuzzer and the hand-made attacks ----

#[test]
fn a_scenario_with_an_invalid_utf8_byte_names_its_line_and_column() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("bad.toml");
    let mut bytes = b"[scenario]\nname = \"caf".to_vec();
    bytes.push(0xE9);
    bytes.extend_from_slice(b"\"\nticks = 3\n");
    std::fs::write(&f, bytes).unwrap();
    softpower()
        .arg("check")
        .arg(&f)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.toml:2:12").and(predicate::str::contains("UTF-8")));
}

#[test]
fn an_edge_list_that_is_a_pipe_is_refused_at_once() {
    let d = tempfile::tempdir().unwrap();
    let fifo = d.path().join("edges.txt");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    let sc = d.path().join("net.toml");
    std::fs::write(
        &sc,
        game_scenario("a")
            + "\n[[generate]]\nprefix = \"p\"\ncount = 3\nhome = \"m\"\nsize = 100\ngraph = { model = \"edge_list\", file = \"edges.txt\" }\n",
    )
    .unwrap();
    softpower()
        .arg("check")
        .arg(&sc)
        .timeout(std::time::Duration::from_secs(20))
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("generate[0].graph.file")
                .and(predicate::str::contains("not a regular file")),
        );
}

#[test]
fn a_whole_number_model_field_can_be_swept_with_set() {
    // `--set` values are numbers like 1.0; `pair_rounds` is a whole number (u32).
    let d = tempfile::tempdir().unwrap();
    softpower()
        .args([
            "sweep",
            "scenarios/classic/deffuant.toml",
            "--set",
            "model.pair_rounds=1..3:3",
        ])
        .args(["--runs", "2", "--no-plots", "-q", "--out"])
        .arg(d.path().join("s"))
        .assert()
        .success();
    softpower()
        .args([
            "sweep",
            "scenarios/classic/deffuant.toml",
            "--set",
            "model.pair_rounds=1..2:3",
        ])
        .args(["--runs", "2", "--no-plots", "-q", "--out"])
        .arg(d.path().join("t"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("pair_rounds"));
}

#[test]
fn fifty_thousand_actors_are_refused_before_the_run_starts() {
    // 50,000 actors hold 2.5 billion stances (actor × actor): the preflight must see them.
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("crowd.toml");
    let mut text = String::from(
        "[scenario]\nname = \"crowd\"\nticks = 1\n\n[[population]]\nid = \"p\"\nsize = 10\n",
    );
    for i in 0..50_000 {
        text.push_str(&format!("[[actor]]\nid = \"a{i}\"\n"));
    }
    std::fs::write(&f, text).unwrap();
    let out = d.path().join("out");
    softpower()
        .arg("run")
        .arg(&f)
        .arg("--out")
        .arg(&out)
        .timeout(std::time::Duration::from_secs(120))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("needs about"));
    assert!(!out.exists(), "nothing is written for a refused run");
}

#[test]
fn every_syntax_error_of_a_scenario_is_listed_with_its_line() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("bad.toml");
    // Three separate mistakes on three lines: an unclosed quote, a number with a letter,
    // text without quotes.
    std::fs::write(
        &f,
        "[scenario]\nname = \"t\nticks = 3x\n\n[[actor]]\nid = a\nbudget = 1\n",
    )
    .unwrap();
    softpower().arg("check").arg(&f).assert().code(2).stderr(
        predicate::str::contains("bad.toml:2:8: scenario.name")
            .and(predicate::str::contains("bad.toml:3:9: scenario.ticks"))
            .and(predicate::str::contains("bad.toml:6:6: actor[0].id"))
            .and(predicate::str::contains("3 problems found"))
            .and(predicate::str::contains("must be in quotes"))
            .and(predicate::str::contains("note:").not()),
    );
    // One mistake reads as one located sentence with what to write instead.
    std::fs::write(&f, "[scenario]\nname = \"t\"\nticks = 3x\n").unwrap();
    let out = softpower().arg("check").arg(&f).assert().code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        err.contains("bad.toml:3:9: scenario.ticks: `3x` is not a value: text must be in quotes")
            && err.contains("help: a value is a number (3, 0.5)")
            && !err.contains("problems found"),
        "{err}"
    );
}

#[test]
fn every_populations_survey_series_that_cannot_fit_in_memory_is_refused_before_the_run() {
    let d = tempfile::tempdir().unwrap();
    let sc = d.path().join("many.toml");
    // 200,000 populations × 3 measures × 2,001 ticks: over a billion lines of timeseries.csv.
    std::fs::write(
        &sc,
        "[scenario]\nname = \"many\"\nticks = 2000\n\n[[actor]]\nid = \"a\"\n\n\
         [[generate]]\nprefix = \"p\"\ncount = 200000\n\
         graph = { model = \"barabasi_albert\", m = 2 }\nsize = 1000\nhome = \"a\"\n",
    )
    .unwrap();
    let out = d.path().join("out");
    softpower()
        .arg("run")
        .arg(&sc)
        .args(["--population-series", "--no-attribution", "-q", "--out"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("needs about")
                .and(predicate::str::contains("leave out --population-series")),
        );
    assert!(!out.exists(), "nothing is written for a refused run");
}
