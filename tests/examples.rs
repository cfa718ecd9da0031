//! Every analysis example a user is shown — in README.md and in `--help` of `compare`,
//! `sweep`, `sensitivity`, `discover` and `calibrate` — runs as written (with fewer runs, so the
//! suite stays quick): a copied example must not fail on a strategy that does not exist
//! or a swept spend the actor cannot afford.

use assert_cmd::Command;

const COMMANDS: [&str; 5] = ["compare", "sweep", "sensitivity", "discover", "calibrate"];

fn softpower() -> Command {
    Command::cargo_bin("softpower").unwrap()
}

/// The words of an example command line, after `softpower`.
fn is_example(line: &str) -> Option<Vec<String>> {
    let rest = line.trim_start().strip_prefix("softpower ")?;
    // Single quotes protect a metric's brackets and parentheses, and a question's
    // spaces, from the shell: a quoted span is one word.
    let mut words: Vec<String> = Vec::new();
    for (i, part) in rest.split('\'').enumerate() {
        if i % 2 == 1 {
            words.push(part.to_string());
        } else {
            words.extend(part.split_whitespace().map(String::from));
        }
    }
    COMMANDS.contains(&words.first()?.as_str()).then_some(words)
}

/// Examples in README.md: lines that start with `softpower <command>`, continued by a
/// trailing backslash; comments after `#` dropped.
fn readme_examples() -> Vec<Vec<String>> {
    let text = std::fs::read_to_string("README.md").unwrap();
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let mut line = line.split(" #").next().unwrap().to_string();
        while line.trim_end().ends_with('\\') {
            line = line.trim_end().trim_end_matches('\\').to_string();
            line.push(' ');
            line.push_str(lines.next().unwrap_or(""));
        }
        if let Some(words) = is_example(&line) {
            out.push(words);
        }
    }
    out
}

/// Examples at the end of `softpower <command> --help`: each starts with `  softpower`;
/// the help wraps long ones onto indented lines that follow.
fn help_examples(command: &str) -> Vec<Vec<String>> {
    let out = softpower().args([command, "--help"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let mut joined: Vec<String> = Vec::new();
    let mut open = false;
    for line in text.lines() {
        if line.trim_start().starts_with("softpower ") {
            joined.push(line.trim().to_string());
            open = true;
        } else if open && line.starts_with("  ") && !line.trim().is_empty() {
            let last = joined.last_mut().unwrap();
            last.push(' ');
            last.push_str(line.trim());
        } else {
            open = false;
        }
    }
    joined.iter().filter_map(|l| is_example(l)).collect()
}

/// The example with its counts made small and its results sent to `out`.
fn quick(words: &[String], out: &std::path::Path) -> Vec<String> {
    let mut args = Vec::new();
    let mut it = words.iter();
    while let Some(w) = it.next() {
        let small = match w.as_str() {
            "--runs" => Some("2"),
            "--samples" => Some("8"),
            "--steps" => Some("10"),
            "--burn-in" => Some("5"),
            _ => None,
        };
        args.push(w.clone());
        if let Some(n) = small {
            it.next();
            args.push(n.to_string());
        }
    }
    args.push("--out".into());
    args.push(out.display().to_string());
    args
}

fn runs_as_written(words: &[String]) {
    let dir = tempfile::tempdir().unwrap();
    let args = quick(words, &dir.path().join("out"));
    let out = softpower().args(&args).output().unwrap();
    assert!(
        out.status.success(),
        "the example `softpower {}` fails:\n{}",
        words.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn every_analysis_example_in_the_readme_runs() {
    let examples = readme_examples();
    assert!(
        examples.len() >= 6,
        "expected the README's compare/sweep/sensitivity/calibrate examples, found {examples:?}"
    );
    for words in &examples {
        runs_as_written(words);
    }
}

#[test]
fn every_example_in_the_analysis_commands_help_runs() {
    for command in COMMANDS {
        let examples = help_examples(command);
        assert!(
            !examples.is_empty(),
            "`softpower {command} --help` shows no example"
        );
        for words in &examples {
            runs_as_written(words);
        }
    }
}
