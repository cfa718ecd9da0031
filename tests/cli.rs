//! Drives the real `softpower` binary: `run` outputs, overwrite protection, determinism
//! across thread counts, and a clear error (never a panic) for each kind of bad input.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

fn softpower() -> Command {
    Command::cargo_bin("softpower").unwrap()
}

fn run_into(scenario: &str, out: &Path, extra: &[&str]) {
    softpower()
        .args(["run", scenario, "--out"])
        .arg(out)
        .args(extra)
        .assert()
        .success();
}

#[test]
fn run_writes_every_output_and_plots_decode() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("mp");
    softpower()
        .args(["run", "scenarios/middle_power.toml", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(
            predicate::str::contains("Soft-power index").and(predicate::str::contains("Norland")),
        );
    for f in [
        "timeseries.csv",
        "populations.csv",
        "summary.json",
        "timing.json",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let ts = std::fs::read_to_string(out.join("timeseries.csv")).unwrap();
    assert!(ts.starts_with("tick,entity_type,entity,metric,value\n"));
    assert!(ts.contains("\n156,actor,norland,soft_power,"));
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["seed"], 42);
    assert_eq!(summary["ticks"], 156);
    assert_eq!(summary["scenario"]["sha256"].as_str().unwrap().len(), 64);
    assert!(summary["actors"]["norland"]["soft_power_final"].is_f64());
    for (png, w, h) in [
        ("soft_power.png", 1200, 750),
        ("favourability.png", 1200, 750),
        ("opinions.png", 1200, 750),
        ("spend_vs_gain.png", 1200, 750),
        ("relations.png", 1200, 750),
        ("network.png", 1200, 1000),
    ] {
        let img = image::open(out.join(png)).unwrap_or_else(|e| panic!("{png}: {e}"));
        assert_eq!((img.width(), img.height()), (w, h), "{png}");
    }
    // No temporary files left behind.
    assert!(
        std::fs::read_dir(&out).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with('.'))
    );
}

#[test]
fn misinformation_plot_appears_with_stories() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("w");
    run_into("scenarios/war_of_ideas.toml", &out, &["--no-attribution"]);
    let img = image::open(out.join("misinformation.png")).unwrap();
    assert_eq!((img.width(), img.height()), (1200, 750));
}

#[test]
fn existing_results_are_never_overwritten_silently() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("mp");
    run_into(
        "scenarios/middle_power.toml",
        &out,
        &["--no-plots", "--ticks", "5"],
    );
    let before = std::fs::read(out.join("timeseries.csv")).unwrap();
    softpower()
        .args([
            "run",
            "scenarios/middle_power.toml",
            "--ticks",
            "9",
            "--out",
        ])
        .arg(&out)
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("already holds results")
                .and(predicate::str::contains("--force")),
        );
    assert_eq!(std::fs::read(out.join("timeseries.csv")).unwrap(), before);
    run_into(
        "scenarios/middle_power.toml",
        &out,
        &["--no-plots", "--ticks", "9", "--force"],
    );
    assert_ne!(std::fs::read(out.join("timeseries.csv")).unwrap(), before);
}

/// Every output but timing.json is byte-identical across thread counts and repeats.
#[test]
fn outputs_are_byte_identical_for_1_2_and_8_threads() {
    let dir = tempfile::tempdir().unwrap();
    let mut runs = Vec::new();
    for (i, t) in ["1", "2", "8", "2"].iter().enumerate() {
        let out = dir.path().join(format!("r{i}"));
        run_into(
            "scenarios/war_of_ideas.toml",
            &out,
            &["--threads", t, "--ticks", "40"],
        );
        runs.push(out);
    }
    let names: Vec<String> = {
        let mut v: Vec<String> = std::fs::read_dir(&runs[0])
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    assert!(
        names.contains(&"network.png".to_string()) || names.len() >= 6,
        "{names:?}"
    );
    for name in names.iter().filter(|n| *n != "timing.json") {
        let first = std::fs::read(runs[0].join(name)).unwrap();
        for r in &runs[1..] {
            assert!(
                std::fs::read(r.join(name)).unwrap() == first,
                "{name} differs in {}",
                r.display()
            );
        }
    }
    let timing: serde_json::Value =
        serde_json::from_slice(&std::fs::read(runs[2].join("timing.json")).unwrap()).unwrap();
    assert_eq!(timing["threads"], 8);
    assert!(timing["plot_seconds"].as_f64().unwrap() > 0.0, "{timing}");
}

#[test]
fn seed_changes_stochastic_results() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    run_into(
        "scenarios/war_of_ideas.toml",
        &a,
        &["--no-plots", "--ticks", "30"],
    );
    run_into(
        "scenarios/war_of_ideas.toml",
        &b,
        &["--no-plots", "--ticks", "30", "--seed", "8"],
    );
    assert_ne!(
        std::fs::read(a.join("timeseries.csv")).unwrap(),
        std::fs::read(b.join("timeseries.csv")).unwrap()
    );
}

#[test]
fn help_teaches() {
    softpower()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Examples:").and(predicate::str::contains("check")));
    softpower()
        .args(["run", "--help"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("--threads").and(predicate::str::contains("timeseries.csv")),
        );
}

fn toml_files(dir: &str) -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    v.sort();
    v
}

/// Every classic model has a bundled scenario that runs; two of the stochastic ones give
/// byte-identical tables on 1 and 2 threads.
#[test]
fn classic_scenarios_run_and_are_deterministic() {
    let files = toml_files("scenarios/classic");
    for model in [
        "degroot",
        "friedkin_johnsen",
        "hegselmann_krause",
        "deffuant",
        "voter",
        "sir",
        "maki_thompson",
        "daley_kendall",
        "hoax",
    ] {
        assert!(
            files.iter().any(|f| f.file_stem().unwrap() == model),
            "scenarios/classic/{model}.toml missing"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    for f in &files {
        let name = f.file_stem().unwrap().to_string_lossy().into_owned();
        let out = dir.path().join(&name);
        run_into(f.to_str().unwrap(), &out, &["--no-plots", "--threads", "2"]);
        if ["deffuant", "voter", "daley_kendall", "hoax"].contains(&name.as_str()) {
            let one = dir.path().join(format!("{name}_1"));
            run_into(f.to_str().unwrap(), &one, &["--no-plots", "--threads", "1"]);
            for table in ["timeseries.csv", "populations.csv"] {
                assert!(
                    std::fs::read(out.join(table)).unwrap()
                        == std::fs::read(one.join(table)).unwrap(),
                    "{name}: {table} depends on the thread count"
                );
            }
        }
    }
}

#[test]
fn bad_model_choices_are_explained() {
    expect(
        &BASE.replace("ticks = 10", "ticks = 10\n[model]\nsocial_model = \"hk\""),
        &["bad.toml:5:", "unknown variant `hk`", "hegselmann_krause"],
    );
    expect(
        &BASE.replace(
            "ticks = 10",
            "ticks = 10\n[model]\ncontagion_model = \"sis\"",
        ),
        &[
            "bad.toml:5:19",
            "unknown variant `sis`",
            "maki_thompson",
            "did you mean `sir`",
        ],
    );
    expect(
        &BASE.replace(
            "ticks = 10",
            "ticks = 10\n[model]\nconvergence = 0.7\nconfidence = 3",
        ),
        &[
            "model.convergence",
            "at most 0.5",
            "model.confidence",
            "allowed: 0 to 2",
        ],
    );
    let story = "\n[[story]]\nid = \"s\"\nabout = \"usa\"\nrecovery = 0.2\n";
    expect(
        &format!("{BASE}{story}"),
        &[
            "story[0].recovery",
            "does not apply to contagion_model = \"softpower\"",
        ],
    );
    let hoax = BASE.replace(
        "ticks = 10",
        "ticks = 10\n[model]\ncontagion_model = \"hoax\"",
    );
    expect(
        &format!("{hoax}\n[[story]]\nid = \"s\"\nabout = \"usa\"\ntransmissibility = 2\n"),
        &["story[0].transmissibility", "0 to 1"],
    );
}

#[test]
fn bundled_scenarios_check_clean() {
    let mut all = toml_files("scenarios");
    all.extend(toml_files("scenarios/classic"));
    for p in all {
        {
            softpower()
                .arg("check")
                .arg(&p)
                .assert()
                .success()
                .stdout(predicate::str::starts_with("ok:"));
        }
    }
}

// ---- bad input: each gets a clear error naming file, line, field and what is allowed ----

const BASE: &str = r#"[scenario]
name = "t"
ticks = 10

[[actor]]
id = "usa"
budget = 5

[[population]]
id = "fr_youth"
size = 1000

[[campaign]]
id = "c"
actor = "usa"
instrument = "messaging"
targets = ["fr_youth"]
spend = 2
"#;

/// Runs `check` on `text` and returns stderr; asserts a clean failure with exit code 2.
fn check_fails(text: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.toml");
    std::fs::write(&f, text).unwrap();
    let out = softpower().arg("check").arg(&f).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains("bad.toml:"), "names the file: {err}");
    // `run` refuses the same file the same way and writes nothing.
    let out_dir = dir.path().join("out");
    let run = softpower()
        .arg("run")
        .arg(&f)
        .arg("--out")
        .arg(&out_dir)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert!(!out_dir.exists());
    err
}

fn expect(text: &str, needles: &[&str]) {
    let err = check_fails(text);
    for n in needles {
        assert!(err.contains(n), "expected {n:?} in:\n{err}");
    }
}

#[test]
fn base_scenario_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("ok.toml");
    std::fs::write(&f, BASE).unwrap();
    softpower().arg("check").arg(&f).assert().success();
}

#[test]
fn unknown_field_is_named_with_line_and_suggestion() {
    expect(
        &BASE.replace("budget = 5", "budjet = 5"),
        &[
            "bad.toml:7:1",
            "unknown field `budjet`",
            "did you mean `budget`",
        ],
    );
}

#[test]
fn toml_syntax_error_has_line() {
    expect(
        &BASE.replace("size = 1000", "size = = 1000"),
        &["bad.toml:11:"],
    );
}

#[test]
fn wrong_type_is_explained() {
    expect(
        &BASE.replace("size = 1000", "size = \"big\""),
        &["bad.toml:11:8", "invalid type"],
    );
}

#[test]
fn nan_and_inf_are_rejected() {
    expect(
        &BASE.replace("size = 1000", "size = 1000\ninternet = nan"),
        &["population[0].internet", "not a finite number"],
    );
    expect(
        &BASE.replace("spend = 2", "spend = inf"),
        &["campaign[0].spend", "not a finite number"],
    );
}

#[test]
fn negative_size_is_rejected() {
    expect(
        &BASE.replace("size = 1000", "size = -5"),
        &["bad.toml:11:8: population[0].size", "found -5", "allowed"],
    );
}

#[test]
fn probability_out_of_range_is_rejected() {
    expect(
        &BASE.replace("size = 1000", "size = 1000\nmedia_literacy = 1.5"),
        &[
            "population[0].media_literacy",
            "found 1.5",
            "allowed: 0 to 1",
        ],
    );
}

#[test]
fn overspending_budget_is_rejected() {
    expect(
        &BASE.replace("spend = 2", "spend = 7"),
        &[
            "campaign[0].spend",
            "spends 7 but its budget is 5 per tick",
            "help:",
        ],
    );
}

#[test]
fn an_overspent_budget_is_reported_without_rounding_noise() {
    // 0.6 + 0.6 + 0.6 is 1.7999999999999998 in floating point; people read 1.8.
    let three = BASE
        .replace("budget = 5", "budget = 1.6")
        .replace("spend = 2", "spend = 0.6")
        + "\n[[campaign]]\nid = \"c2\"\nactor = \"usa\"\ninstrument = \"messaging\"\ntargets = [\"fr_youth\"]\nspend = 0.6\n"
        + "\n[[campaign]]\nid = \"c3\"\nactor = \"usa\"\ninstrument = \"messaging\"\ntargets = [\"fr_youth\"]\nspend = 0.6\n";
    expect(&three, &["spends 1.8 but its budget is 1.6 per tick"]);
}

#[test]
fn zero_ticks_is_rejected() {
    expect(
        &BASE.replace("ticks = 10", "ticks = 0"),
        &["bad.toml:3:9: scenario.ticks", "ticks is 0"],
    );
}

#[test]
fn empty_scenario_is_rejected() {
    expect(
        "[scenario]\nname = \"t\"\nticks = 3\n",
        &["declares no actor", "declares no population"],
    );
    expect("", &["missing field `scenario`"]);
}

#[test]
fn unknown_reference_suggests_the_nearest_id() {
    expect(
        &BASE.replace("targets = [\"fr_youth\"]", "targets = [\"fr_yuoth\"]"),
        &[
            "bad.toml:17:12: campaign[0].targets[0]",
            "unknown population \"fr_yuoth\"",
            "did you mean \"fr_youth\"",
        ],
    );
    expect(
        &BASE.replace("actor = \"usa\"", "actor = \"uas\""),
        &["campaign[0].actor", "did you mean \"usa\""],
    );
}

/// Memory depends on the machine: `check` accepts the file, the commands that simulate
/// refuse it before building anything (exit 2, nothing written).
#[test]
fn memory_hungry_scenario_is_refused_by_the_running_commands() {
    let text = format!(
        "{BASE}\n[[generate]]\nprefix = \"g\"\ncount = 40000000\ngraph = {{ model = \"barabasi_albert\", m = 300 }}\n"
    );
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("big.toml");
    std::fs::write(&f, text).unwrap();
    softpower().arg("check").arg(&f).assert().success();
    for cmd in ["run", "compare", "sweep"] {
        let out_dir = dir.path().join(cmd);
        let mut c = softpower();
        c.arg(cmd).arg(&f).arg("--out").arg(&out_dir);
        if cmd == "sweep" {
            c.args(["--set", "actor.usa.budget=5..6:2"]);
        }
        let out = c.output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{cmd}: {err}");
        assert!(
            err.contains("big.toml:") && err.contains("generate") && err.contains("GiB of memory"),
            "{cmd}: {err}"
        );
        assert!(!out_dir.exists(), "{cmd} wrote {}", out_dir.display());
    }
}

#[test]
fn every_problem_is_listed_at_once() {
    let text = BASE
        .replace("size = 1000", "size = -5\ninternet = 2")
        .replace("spend = 2", "spend = -1");
    let err = check_fails(&text);
    assert!(err.contains("3 problems found"), "{err}");
}

#[test]
fn missing_file_and_bad_arguments_fail_cleanly() {
    softpower()
        .args(["check", "no/such/file.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read the file"));
    softpower()
        .args(["run", "scenarios/middle_power.toml", "--threads", "0"])
        .assert()
        .code(2);
    softpower()
        .args([
            "run",
            "scenarios/middle_power.toml",
            "--network-actor",
            "nordland",
            "--out",
            "/tmp/never",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean \"norland\""));
}

#[test]
fn garbage_bytes_are_an_error_not_a_crash() {
    check_fails("\u{0}\u{1}binary\u{7f}garbage[[[");
}

/// A generator reading its ties from a file beside the scenario (`model = "edge_list"`).
fn edge_list_scenario(dir: &Path, edges: &str) -> std::path::PathBuf {
    std::fs::write(dir.join("ring.edges"), edges).unwrap();
    let f = dir.join("ring.toml");
    std::fs::write(
        &f,
        "[scenario]\nname = \"ring\"\nticks = 3\n[[actor]]\nid = \"a\"\n\
         [[generate]]\nprefix = \"n\"\ncount = 4\ngraph = { model = \"edge_list\", file = \"ring.edges\" }\n",
    )
    .unwrap();
    f
}

#[test]
fn edge_list_graph_is_read_beside_the_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let f = edge_list_scenario(dir.path(), "# a ring\n0 1\n1 2\n2 3\n3 0\n");
    let out = dir.path().join("out");
    softpower()
        .arg("run")
        .arg(&f)
        .args(["--no-plots", "--out"])
        .arg(&out)
        .assert()
        .success();
    let pops = std::fs::read_to_string(out.join("populations.csv")).unwrap();
    assert_eq!(pops.lines().count(), 1 + 4, "{pops}");
    let timing: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("timing.json")).unwrap()).unwrap();
    assert!(
        timing["phase_seconds"]["social_influence"].is_f64(),
        "{timing}"
    );
}

#[test]
fn bad_edge_list_names_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    for (edges, want) in [
        (
            "0 1\n1 4\n",
            "ring.edges: line 2: node 4 is out of range; allowed: 0 to 3",
        ),
        ("0 1\n1 0\n", "ring.edges: line 2: tie 0 1 is listed again"),
        ("0 one\n", "ring.edges: line 1: \"one\" is not a node index"),
    ] {
        let f = edge_list_scenario(dir.path(), edges);
        let out = softpower().arg("check").arg(&f).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains("ring.toml:") && err.contains(want), "{err}");
    }
    std::fs::remove_file(dir.path().join("ring.edges")).unwrap();
    let out = softpower()
        .arg("check")
        .arg(dir.path().join("ring.toml"))
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("ring.edges: cannot read it"));
}

#[test]
fn attribution_can_be_forced_but_not_both_forced_and_refused() {
    let dir = tempfile::tempdir().unwrap();
    softpower()
        .args([
            "run",
            "scenarios/war_of_ideas.toml",
            "--no-plots",
            "--attribution",
            "--out",
        ])
        .arg(dir.path().join("w"))
        .assert()
        .success()
        .stdout(predicate::str::contains("per unit"));
    softpower()
        .args([
            "run",
            "scenarios/war_of_ideas.toml",
            "--attribution",
            "--no-attribution",
            "--out",
        ])
        .arg(dir.path().join("x"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot be used with"));
}

/// 3,000 populations with every instrument on: each phase runs as several tasks, so the
/// thread count really changes who computes what. Outputs (attribution included) are
/// byte-identical on 1, 2 and 8 threads.
#[test]
fn a_world_split_among_threads_gives_identical_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let mut runs = Vec::new();
    for t in ["1", "2", "8"] {
        let out = dir.path().join(t);
        softpower()
            .args([
                "run",
                "tests/data/split_3000.toml",
                "--no-plots",
                "--threads",
                t,
                "--out",
            ])
            .arg(&out)
            .assert()
            .success()
            .stdout(predicate::str::contains("per unit"));
        runs.push(out);
    }
    for name in ["timeseries.csv", "populations.csv", "summary.json"] {
        let first = std::fs::read(runs[0].join(name)).unwrap();
        for r in &runs[1..] {
            assert!(
                std::fs::read(r.join(name)).unwrap() == first,
                "{name} differs in {}",
                r.display()
            );
        }
    }
    let pops = std::fs::read_to_string(runs[0].join("populations.csv")).unwrap();
    assert!(
        pops.lines().count() > 3000,
        "the world must span several tasks of 512"
    );
}
