//! The layers of ARCHITECTURE.md, read from the code: every `crate::<module>` path in
//! src/ must name the file's own layer or one listed before it, only the CLI talks to the
//! terminal, and the core (rng to metrics) touches no file.

use std::path::{Path, PathBuf};

/// Inside out, as in ARCHITECTURE.md.
const LAYERS: [&str; 12] = [
    "rng",
    "model",
    "world",
    "engine",
    "metrics",
    "scenario",
    "experiment",
    "plot",
    "error",
    "output",
    "exercise",
    "cli",
];

/// Imports that break the order, each with the reason it is tolerated (none today).
const KNOWN_EXCEPTIONS: [(&str, &str); 0] = [];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The layer a file belongs to: `src/<layer>.rs` or `src/<layer>/...`.
fn layer_of(path: &Path) -> Option<&'static str> {
    let rel = path.strip_prefix("src").ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.trim_end_matches(".rs");
    LAYERS.iter().copied().find(|l| *l == name)
}

/// Source before the unit-test module (tests may build worlds through the loader).
fn code_of(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let cut = text.find("#[cfg(test)]\nmod tests").unwrap_or(text.len());
    text[..cut].to_string()
}

fn files() -> Vec<PathBuf> {
    let mut v = Vec::new();
    rust_files(Path::new("src"), &mut v);
    v.sort();
    assert!(
        v.len() > 50,
        "found only {} files: run from the crate root",
        v.len()
    );
    v
}

/// Files compiled only for tests: they may use the loader to build their worlds.
fn test_only(path: &Path) -> bool {
    path.ends_with("world/testkit.rs") || path.ends_with("engine/proptests.rs")
}

#[test]
fn no_module_imports_a_layer_above_it() {
    let rank = |l: &str| LAYERS.iter().position(|x| *x == l);
    let mut bad = Vec::new();
    let mut seen_exceptions = Vec::new();
    for f in files() {
        let Some(own) = layer_of(&f) else { continue };
        if test_only(&f) {
            continue;
        }
        let code = code_of(&f);
        for (ln, line) in code.lines().enumerate() {
            let mut rest = line;
            while let Some(i) = rest.find("crate::") {
                let name: String = rest[i + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                rest = &rest[i + 7..];
                let Some(r) = rank(&name) else { continue };
                if r <= rank(own).unwrap() {
                    continue;
                }
                let file = f.to_string_lossy().replace('\\', "/");
                if KNOWN_EXCEPTIONS.contains(&(file.as_str(), name.as_str())) {
                    seen_exceptions.push((file, name));
                    continue;
                }
                bad.push(format!(
                    "{}:{}: {own} imports {name}, a layer above it",
                    f.display(),
                    ln + 1
                ));
            }
        }
    }
    assert!(bad.is_empty(), "layer order broken:\n{}", bad.join("\n"));
    // An exception that no longer happens must leave the list, so the list stays true.
    for (file, name) in KNOWN_EXCEPTIONS {
        assert!(
            seen_exceptions.iter().any(|(f, n)| f == file && n == name),
            "{file} no longer imports {name}: remove it from KNOWN_EXCEPTIONS"
        );
    }
}

#[test]
fn only_the_cli_talks_to_the_terminal() {
    for f in files() {
        if f.starts_with("src/cli") || f.ends_with("main.rs") {
            continue;
        }
        let code = code_of(&f);
        for word in [
            "println!",
            "eprintln!",
            "print!(",
            "eprint!(",
            "stdout()",
            "stderr()",
        ] {
            assert!(!code.contains(word), "{} uses {word}", f.display());
        }
    }
}

#[test]
fn the_core_reads_and_writes_no_file() {
    for f in files() {
        if !matches!(
            layer_of(&f),
            Some("rng" | "model" | "world" | "engine" | "metrics")
        ) {
            continue;
        }
        let code = code_of(&f);
        for word in ["std::fs", "fs::", "File::"] {
            assert!(!code.contains(word), "{} uses {word}", f.display());
        }
    }
}

#[test]
fn the_documented_order_is_this_one() {
    let doc = std::fs::read_to_string("ARCHITECTURE.md").unwrap();
    let mut last = 0;
    for l in LAYERS {
        let needle = if l == "rng" || l == "error" {
            format!("`src/{l}.rs`")
        } else {
            format!("`src/{l}/`")
        };
        let at = doc
            .find(&needle)
            .unwrap_or_else(|| panic!("ARCHITECTURE.md does not list {needle}"));
        assert!(at >= last, "ARCHITECTURE.md lists {needle} out of order");
        last = at;
    }
}

/// The web server is a leaf of the exercise wing: the game, its rules and its reports
/// work without it, and no other module opens a socket.
#[test]
fn only_exercise_serve_serves_and_nothing_depends_on_it() {
    for f in files() {
        let in_serve = f.starts_with("src/exercise/serve");
        let code = code_of(&f);
        if !in_serve {
            for word in ["tiny_http", "TcpListener", "UdpSocket"] {
                assert!(!code.contains(word), "{} uses {word}", f.display());
            }
        }
        if layer_of(&f) == Some("exercise") && !in_serve && !f.ends_with("exercise/mod.rs") {
            assert!(
                !code.contains("serve::") && !code.contains("mod serve"),
                "{} depends on exercise::serve",
                f.display()
            );
        }
    }
}
