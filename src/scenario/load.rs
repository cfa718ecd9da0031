//! Reading a scenario file: parse, check, and place every problem at a line and column.

use super::check::check;
use super::diagnostic::{Diagnostic, ScenarioError, TomlPath, nearest};
use super::locate::Locator;
use super::types::Scenario;
use crate::model::checked::CheckedScenario;
use std::path::Path;

/// A scenario as written (with command-line overrides), its checked form, and the bytes
/// it came from (hashed into the manifest).
#[derive(Debug, Clone)]
pub struct Loaded {
    pub scenario: Scenario,
    pub checked: CheckedScenario,
    pub text: String,
    pub path: std::path::PathBuf,
}

impl Loaded {
    /// The folder files named by the scenario (edge lists) are read from.
    pub fn base_dir(&self) -> &Path {
        base_dir(&self.path)
    }
}

/// The folder of a scenario file, against which the files it names are read.
pub fn base_dir(path: &Path) -> &Path {
    path.parent().unwrap_or(Path::new(""))
}

/// Changes applied from the command line before validation.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub seed: Option<u64>,
    pub ticks: Option<u32>,
}

/// Reads a file the user named, refusing anything but a regular file first: a FIFO or a
/// device would block or never end, a folder gives an unhelpful message.
pub fn read_regular_file(path: &Path) -> std::io::Result<Vec<u8>> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        let what = if meta.is_dir() {
            "a folder"
        } else {
            "not a regular file (a pipe, socket or device)"
        };
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("it is {what}"),
        ));
    }
    std::fs::read(path)
}

/// [`read_regular_file`] as UTF-8 text.
pub fn read_regular_text(path: &Path) -> std::io::Result<String> {
    String::from_utf8(read_regular_file(path)?)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

pub fn load(path: &Path, ov: &Overrides) -> Result<Loaded, ScenarioError> {
    let bytes = read_regular_file(path).map_err(|e| ScenarioError {
        file: path.to_path_buf(),
        diagnostics: vec![Diagnostic::new(
            TomlPath::root(),
            format!("cannot read the file: {e}"),
        )],
    })?;
    let text = utf8_text(bytes, path)?;
    let (scenario, checked) = parse_checked(&text, path, ov)?;
    Ok(Loaded {
        scenario,
        checked,
        text,
        path: path.to_path_buf(),
    })
}

/// Parses and checks scenario text, returning the scenario as written (with the
/// overrides); `path` names the file in messages.
pub fn parse_str(text: &str, path: &Path, ov: &Overrides) -> Result<Scenario, ScenarioError> {
    parse_checked(text, path, ov).map(|(sc, _)| sc)
}

/// Parses and checks scenario text; files the scenario refers to (edge lists) are read
/// relative to the folder of `path`, which also names the file in messages.
pub fn parse_checked(
    text: &str,
    path: &Path,
    ov: &Overrides,
) -> Result<(Scenario, CheckedScenario), ScenarioError> {
    // A file of a newer format may use keys this version does not know: say so first.
    if let Ok(t) = toml::from_str::<toml::Table>(text)
        && let Some(v) = t
            .get("scenario")
            .and_then(|s| s.get("format"))
            .and_then(|f| f.as_integer())
        && let Some(d) = super::check::meta::format_problem(v)
    {
        return Err(located(text, path, vec![d]));
    }
    let mut sc: Scenario = parse_toml(text, path)?;
    if let Some(s) = ov.seed {
        sc.scenario.seed = s;
    }
    if let Some(t) = ov.ticks {
        sc.scenario.ticks = t;
    }
    match check(&sc, base_dir(path)) {
        Ok(c) => Ok((sc, c)),
        Err(diags) => Err(located(text, path, diags)),
    }
}

/// A file's bytes as text; the first byte that is not UTF-8 is placed at its line and
/// column (scenarios, game files, decisions).
pub fn utf8_text(bytes: Vec<u8>, path: &Path) -> Result<String, ScenarioError> {
    String::from_utf8(bytes).map_err(|e| {
        let good = e.utf8_error().valid_up_to();
        let before = String::from_utf8_lossy(&e.as_bytes()[..good]).into_owned();
        let (l, c) = Locator::new(&before).line_col(good);
        let mut d = Diagnostic::new(
            TomlPath::root(),
            format!("byte {good} is not valid UTF-8 text"),
        )
        .help("save the file as UTF-8 (plain text) and fix or retype the character there");
        d.line = Some(l);
        d.column = Some(c);
        ScenarioError {
            file: path.to_path_buf(),
            diagnostics: vec![d],
        }
    })
}

/// The note under an error that ended reading a file.
pub const FURTHER_ERRORS: &str =
    "note: reading stopped at this error; others may follow once it is fixed";

/// Parses TOML text into `T`; a syntax or type error is placed at its line and column,
/// with a "did you mean" for a misspelt key (scenarios, exercise decisions, injects).
pub fn parse_toml<T: serde::de::DeserializeOwned>(
    text: &str,
    path: &Path,
) -> Result<T, ScenarioError> {
    toml::from_str(text).map_err(|e| {
        // The toml crate stops at the first syntax or type error (serde cannot resume
        // inside a value), so later problems of the file are unknown: say so.
        let mut d = Diagnostic::new(
            TomlPath::root(),
            format!("{}\n  {FURTHER_ERRORS}", explain_serde(e.message())),
        );
        if let Some(h) = help_for(e.message()) {
            d = d.help(h);
        }
        if let Some(span) = e.span() {
            let (l, c) = Locator::new(text).line_col(span.start);
            d.line = Some(l);
            d.column = Some(c);
            d.path = path_at_line(text, l);
        }
        ScenarioError {
            file: path.to_path_buf(),
            diagnostics: vec![d],
        }
    })
}

/// Places semantic diagnostics at the line and column their table path points to.
pub fn located(text: &str, path: &Path, mut diags: Vec<Diagnostic>) -> ScenarioError {
    let loc = Locator::new(text);
    for d in &mut diags {
        if let Some(off) = loc.offset(&d.path) {
            let (l, c) = loc.line_col(off);
            d.line = Some(l);
            d.column = Some(c);
        }
    }
    ScenarioError {
        file: path.to_path_buf(),
        diagnostics: diags,
    }
}

/// Serde's wording for our untagged number-or-distribution values says nothing useful,
/// and its type names (`u32`, `f64`, "a sequence") are Rust's, not the scenario's.
fn explain_serde(msg: &str) -> String {
    let msg = msg.trim_end();
    if msg.contains("untagged enum Dist") {
        return "expected a number or a distribution such as { dist = \"uniform\", min = 0.2, max = 0.8 } (dist: uniform, normal, log_normal, beta)".into();
    }
    let Some((head, expected)) = msg.rsplit_once(", expected ") else {
        return msg.to_string();
    };
    let plain = match expected {
        "u8" => "a whole number from 0 to 255",
        "u16" => "a whole number from 0 to 65,535",
        "u32" => "a whole number from 0 to 4,294,967,295",
        "u64" | "usize" => "a whole number of 0 or more",
        "i32" | "i64" => "a whole number",
        "f32" | "f64" => "a number",
        "a sequence" => "a list in brackets, such as [\"a\", \"b\"]",
        "a boolean" => "true or false",
        "a string" => "text in quotes",
        "a map" => "a table",
        _ => return msg.to_string(),
    };
    format!("{head}; expected {plain}")
}

/// The field a parse error's line sets, with the table it sits in (`campaign[2].start`):
/// the TOML parser gives only a position.
fn path_at_line(text: &str, line: usize) -> TomlPath {
    let lines: Vec<&str> = text.lines().collect();
    let Some(at) = lines.get(line.wrapping_sub(1)) else {
        return TomlPath::root();
    };
    let mut path = TomlPath::root();
    // The nearest table header above, and for [[arrays]] which element it opens.
    if let Some(h) = lines[..line - 1]
        .iter()
        .rposition(|l| l.trim_start().starts_with('['))
    {
        let header = lines[h].trim();
        if let Some(name) = header.strip_prefix("[[").and_then(|r| r.split_once("]]")) {
            let name = name.0.trim();
            let nth = lines[..=h]
                .iter()
                .filter(|l| {
                    l.trim()
                        .strip_prefix("[[")
                        .and_then(|r| r.split_once("]]"))
                        .is_some_and(|(n, _)| n.trim() == name)
                })
                .count();
            path = path.key(name).idx(nth - 1);
        } else if let Some((name, _)) = header.strip_prefix('[').and_then(|r| r.split_once(']')) {
            for part in name.split('.') {
                path = path.key(part.trim());
            }
        }
    }
    match at.split_once('=') {
        Some((key, _)) if !key.trim().is_empty() && !key.contains('[') => {
            path.key(key.trim().trim_matches('"'))
        }
        _ => path,
    }
}

/// For "unknown field `x`, expected one of `a`, `b`": suggest the nearest allowed field.
fn help_for(msg: &str) -> Option<String> {
    let rest = msg
        .strip_prefix("unknown field `")
        .or_else(|| msg.strip_prefix("unknown variant `"))?;
    let (found, tail) = rest.split_once('`')?;
    let allowed: Vec<&str> = tail.split('`').skip(1).step_by(2).collect();
    nearest(found, allowed.iter().copied()).map(|n| format!("did you mean `{n}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errs(text: &str) -> String {
        parse_str(text, Path::new("t.toml"), &Overrides::default())
            .unwrap_err()
            .to_string()
    }

    const BASE: &str = "[scenario]\nname = \"t\"\nticks = 3\n\n[[actor]]\nid = \"a\"\nbudget = 1\n\n[[population]]\nid = \"p\"\nsize = 10\n";

    #[test]
    fn valid_minimal_scenario() {
        parse_str(BASE, Path::new("t.toml"), &Overrides::default()).unwrap();
    }

    #[test]
    fn format_1_is_read_and_absent_means_1() {
        let v1 = BASE.replace("[scenario]\n", "[scenario]\nformat = 1\n");
        parse_str(&v1, Path::new("t.toml"), &Overrides::default()).unwrap();
    }

    #[test]
    fn a_newer_format_is_refused_before_its_new_keys_are_read() {
        let v2 = BASE.replace("[scenario]\n", "[scenario]\nformat = 2\nnew_key = 3\n");
        let e = errs(&v2);
        assert!(e.contains("t.toml:2:10: scenario.format"), "{e}");
        assert!(
            e.contains("scenario format 2") && e.contains("reads format 1 only"),
            "{e}"
        );
        assert!(!e.contains("new_key"), "only the format is reported: {e}");
    }

    #[test]
    fn format_0_is_no_format() {
        let e = errs(&BASE.replace("[scenario]\n", "[scenario]\nformat = 0\n"));
        assert!(
            e.contains("scenario.format") && e.contains("allowed: 1"),
            "{e}"
        );
    }

    #[test]
    fn a_parse_error_says_that_further_errors_may_follow_but_checks_report_all() {
        // Two type errors: the parser stops at the first, and says others may follow.
        let two = BASE
            .replace("ticks = 3", "ticks = \"three\"")
            .replace("size = 10", "size = \"ten\"");
        let e = errs(&two);
        let ticks = e.contains("t.toml:3:9: scenario.ticks");
        let size = e.contains("t.toml:11:8: population[0].size");
        assert!(ticks != size, "one of the two, located: {e}");
        assert!(e.contains(FURTHER_ERRORS), "{e}");
        // Problems found by the checks are all reported at once, with no such note.
        let checks = BASE
            .replace("ticks = 3", "ticks = 0")
            .replace("size = 10", "size = -10");
        let e = errs(&checks);
        assert!(
            e.contains("scenario.ticks") && e.contains("population[0].size"),
            "{e}"
        );
        assert!(!e.contains("note:"), "{e}");
    }

    #[test]
    fn an_integer_beyond_i64_leaves_every_other_error_located() {
        // serde reads the seed as u64; toml_edit, which locates fields, stops at i64.
        let e = errs(
            &BASE
                .replace("ticks = 3", "seed = 18446744073709551615\nticks = 3")
                .replace("size = 10", "size = -10"),
        );
        assert!(e.contains("t.toml:12:8: population[0].size"), "{e}");
    }

    #[test]
    fn unknown_field_gets_line_and_suggestion() {
        let e = errs(&BASE.replace("budget = 1", "budgte = 1"));
        assert!(e.contains("t.toml:7:1"), "{e}");
        assert!(e.contains("did you mean `budget`"), "{e}");
    }

    #[test]
    fn a_type_error_names_the_field_and_what_is_allowed_in_plain_words() {
        let e = errs(&BASE.replace("size = 10", "size = \"ten\""));
        assert!(e.contains("t.toml:11:8: population[0].size"), "{e}");
        assert!(e.contains("expected a number"), "{e}");
        assert!(!e.contains("f64"), "{e}");
    }

    #[test]
    fn semantic_error_has_path_line_and_range() {
        let e = errs(&BASE.replace("size = 10", "size = -4"));
        assert!(e.contains("t.toml:11:8: population[0].size"), "{e}");
        assert!(e.contains("allowed"), "{e}");
    }

    #[test]
    fn nan_is_rejected() {
        let e = errs(&format!("{BASE}internet = nan\n"));
        assert!(
            e.contains("population[0].internet") && e.contains("finite"),
            "{e}"
        );
    }

    #[test]
    fn a_tie_weight_that_overflows_f32_is_refused() {
        let two = BASE.replace(
            "size = 10\n",
            "size = 10\n\n[[population]]\nid = \"q\"\nsize = 10\n",
        );
        let e = errs(&format!(
            "{two}\n[[tie]]\nbetween = [\"p\", \"q\"]\nweight = 3.5e38\n"
        ));
        assert!(
            e.contains("tie[0].weight") && e.contains("at most 1e6"),
            "{e}"
        );
        let ok = format!("{two}\n[[tie]]\nbetween = [\"p\", \"q\"]\nweight = 1e6\n");
        parse_str(&ok, Path::new("t.toml"), &Overrides::default()).unwrap();
    }

    /// Fuzz finding: a generator of 4e9 populations made every "all" selector list 4e9
    /// indices (16 GB) before the count itself was reported.
    #[test]
    fn billions_of_populations_are_refused_without_listing_them() {
        let text = format!(
            "{BASE}\n[[generate]]\nprefix = \"g\"\ncount = 4000000000\ngraph = {{ model = \"edge_list\", file = \"none.txt\" }}\n\n[[reach]]\nactor = \"a\"\nchannel = \"digital\"\npopulations = [\"all\"]\nweight = 0.5\n"
        );
        let e = errs(&text);
        assert!(e.contains("at most 50000000 populations"), "{e}");
        // Nor does a crisis that reaches every population (found by the proptests).
        let crisis = format!(
            "{text}\n[[event]]\nkind = \"crisis\"\ntick = 1\ndimension = \"x\"\nboost = 0.1\n"
        );
        assert!(errs(&crisis).contains("at most 50000000 populations"));
        // The edge list is not read for a count that is refused (its indices would not fit).
        assert!(!e.contains("none.txt"), "{e}");
    }

    #[test]
    fn rounds_times_ticks_per_round_must_fit_the_tick_counter() {
        let text = format!(
            "{}\n[exercise]\nrounds = 4\nticks_per_round = 2000000000\n",
            BASE.replace("budget = 1\n", "budget = 1\nplayable = true\n")
        );
        let e = errs(&text);
        assert!(
            e.contains("exercise.ticks_per_round") && e.contains("more than 4294967295 ticks"),
            "{e}"
        );
    }

    #[test]
    fn unknown_reference_suggests_nearest() {
        let e = errs(&format!("{BASE}home = \"aa\"\n"));
        assert!(
            e.contains("unknown actor \"aa\"") && e.contains("did you mean \"a\""),
            "{e}"
        );
    }
}
