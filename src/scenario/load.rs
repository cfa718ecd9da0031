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
/// Syntax errors are all reported where the parser can recover from them; a type error
/// ends reading (serde cannot resume inside a value), so it comes with a note.
pub fn parse_toml<T: serde::de::DeserializeOwned>(
    text: &str,
    path: &Path,
) -> Result<T, ScenarioError> {
    toml::from_str(text).map_err(|e| {
        let loc = Locator::new(text);
        let at = |d: Diagnostic, off: usize| {
            let (l, c) = loc.line_col(off);
            let mut d = d;
            d.line = Some(l);
            d.column = Some(c);
            d.path = path_at_line(text, l);
            d
        };
        let mut d = Diagnostic::new(TomlPath::root(), explain_serde(e.message()));
        if let Some(h) = help_for(e.message()) {
            d = d.help(h);
        }
        let start = e.span().map(|s| s.start);
        let first = match start {
            Some(o) => at(d, o),
            None => d,
        };
        let (syntax, cut) = syntax_errors(text);
        let (syntax_empty, stopped) = (syntax.is_empty(), cut.is_some());
        let mut diagnostics: Vec<Diagnostic> = syntax.into_iter().map(|(d, o)| at(d, o)).collect();
        // A problem the recovering parser does not see (a duplicate key, a bad date, a
        // value of the wrong type) is serde's alone; past an unclosed bracket it is noise.
        let swallowed = matches!((start, cut), (Some(o), Some(c)) if o >= c);
        if !swallowed && !diagnostics.iter().any(|d| d.line == first.line) {
            diagnostics.push(first);
            diagnostics.sort_by_key(|d| (d.line, d.column));
        }
        // The note stays where reading ended early: at a type error (syntax fine) or
        // at a bracket never closed.
        let recovered = !syntax_empty && !stopped;
        if !recovered && let Some(last) = diagnostics.last_mut() {
            last.message = format!("{}\n  {FURTHER_ERRORS}", last.message);
        }
        ScenarioError {
            file: path.to_path_buf(),
            diagnostics,
        }
    })
}

/// Passes each key and value of the document to the decoders, which find bad escapes,
/// numbers and unquoted text (the parser itself checks only the layout).
struct Decode<'s> {
    source: toml_parser::Source<'s>,
}

impl Decode<'_> {
    fn raw(
        &self,
        span: toml_parser::Span,
        enc: Option<toml_parser::decoder::Encoding>,
    ) -> Option<toml_parser::Raw<'_>> {
        let r = self.source.get(span)?;
        Some(toml_parser::Raw::new_unchecked(r.as_str(), enc, span))
    }
}

impl toml_parser::parser::EventReceiver for Decode<'_> {
    fn simple_key(
        &mut self,
        span: toml_parser::Span,
        enc: Option<toml_parser::decoder::Encoding>,
        error: &mut dyn toml_parser::ErrorSink,
    ) {
        if let Some(raw) = self.raw(span, enc) {
            raw.decode_key(&mut std::borrow::Cow::Borrowed(""), error);
        }
    }
    fn scalar(
        &mut self,
        span: toml_parser::Span,
        enc: Option<toml_parser::decoder::Encoding>,
        error: &mut dyn toml_parser::ErrorSink,
    ) {
        if let Some(raw) = self.raw(span, enc) {
            let _ = raw.decode_scalar(&mut std::borrow::Cow::Borrowed(""), error);
        }
    }
}

/// Every TOML syntax error of `text` that the recovering parser reports, the first of
/// each line, in plain words, each with the byte offset it points at; and whether
/// reading had to stop (a list, inline table or multi-line text never closed swallows
/// the rest of the file, so what follows it is unknown): the offset reading stopped at.
fn syntax_errors(text: &str) -> (Vec<(Diagnostic, usize)>, Option<usize>) {
    use toml_parser::parser::{RecursionGuard, ValidateWhitespace};
    let source = toml_parser::Source::new(text);
    let tokens = source.lex().into_vec();
    let mut decode = Decode { source };
    let mut ws = ValidateWhitespace::new(&mut decode, source);
    // The same depth limit as the toml crate's, so a deeply nested value cannot exhaust the stack.
    let mut guard = RecursionGuard::new(&mut ws, 80);
    let mut errors: Vec<toml_parser::ParseError> = Vec::new();
    toml_parser::parser::parse_document(&tokens, &mut guard, &mut errors);

    // Text in quotes never closed is placed at its opening quote, not at the line's end.
    let offset = |e: &toml_parser::ParseError| {
        let opening = matches!(
            e.description(),
            "invalid basic string" | "invalid literal string"
        );
        let span = if opening { e.context() } else { None };
        span.or(e.unexpected())
            .or(e.context())
            .map_or(0, |s| s.start())
            .min(text.len())
    };
    let unclosed = |e: &toml_parser::ParseError| {
        matches!(e.description(), "unclosed array" | "unclosed inline table")
            || e.description().starts_with("invalid multi-line")
                && offset(e) >= text.trim_end().len()
    };
    let mut out: Vec<(Diagnostic, usize)> = Vec::new();
    // An unclosed bracket is reported where it opens, and what the parser said after
    // that opening is dropped: those are the lines it swallowed, not problems of their own.
    let cut = errors
        .iter()
        .find(|e| unclosed(e))
        .map(|e| e.context().map_or(offset(e), |s| s.start()));
    let line_of = |o: usize| text[..o].matches('\n').count();
    let mut last_line = None;
    for e in &errors {
        let o = offset(e);
        if cut.is_some_and(|c| o >= c) {
            continue;
        }
        if last_line == Some(line_of(o)) {
            continue; // one problem a line: the rest of a line is often the first one's echo
        }
        last_line = Some(line_of(o));
        out.push((plain_syntax(e, text), o));
    }
    if let Some(c) = cut
        && let Some(e) = errors.iter().find(|e| unclosed(e))
    {
        out.push((plain_syntax(e, text), c));
    }
    (out, cut)
}

/// A syntax error in the scenario's words: what was found and what is allowed there.
fn plain_syntax(e: &toml_parser::ParseError, text: &str) -> Diagnostic {
    let found = e
        .unexpected()
        .and_then(|s| text.get(s.start()..s.end()))
        .unwrap_or("")
        .trim();
    let value_help = "a value is a number (3, 0.5), text in quotes (\"fr\"), true or false, a list [1, 2] or a table { key = 1 }";
    let (msg, help): (String, &str) = match e.description() {
        "string values must be quoted" | "invalid boolean" if found.is_empty() => {
            ("a value is missing after `=`".into(), value_help)
        }
        "string values must be quoted" | "invalid boolean" => (
            format!("`{found}` is not a value: text must be in quotes"),
            value_help,
        ),
        "invalid basic string" | "invalid literal string" => (
            "text in quotes is not closed on its line".into(),
            "end it with the quote it starts with",
        ),
        d if d.starts_with("invalid multi-line") => (
            "text opened with three quotes here is never closed".into(),
            "end it with the same three quotes",
        ),
        "unclosed table" => (
            "a table header is not closed".into(),
            "write it as [name] on its own line",
        ),
        "unclosed array table" => (
            "a table header is not closed".into(),
            "write it as [[name]] on its own line",
        ),
        "unclosed array" => (
            "this list is never closed".into(),
            "end it with ], and separate its items with commas",
        ),
        "unclosed inline table" => (
            "this { table } is never closed".into(),
            "end it with } on the same line",
        ),
        "key with no value" | "missing assignment between key-value pairs" => (
            "a key without `= value`".into(),
            "write one key = value per line",
        ),
        "unexpected key or value" | "unexpected content" => (
            format!("unexpected `{found}` after the value"),
            "write one key = value per line; a comment starts with #",
        ),
        "missing escaped value" => (
            "unknown escape after a backslash in quoted text".into(),
            "write \\\\ for a backslash, or use single quotes: 'C:\\data'",
        ),
        "unexpected leading zero" => (
            "a number cannot start with 0 unless it is 0 or 0.something".into(),
            "remove the leading zeros",
        ),
        "invalid fraction" => (
            "a number needs digits after its decimal point".into(),
            "write 1.0 or 1, not 1.",
        ),
        "missing comma between array elements" => (
            "items of a list are separated by commas".into(),
            "write [1, 2, 3]",
        ),
        "missing comma between key-value pairs" => (
            "entries of a { table } are separated by commas".into(),
            "write { a = 1, b = 2 }",
        ),
        d => {
            let expected: Vec<String> = e
                .expected()
                .unwrap_or(&[])
                .iter()
                .map(|x| match x {
                    toml_parser::Expected::Literal(l) => format!("`{}`", l.escape_default()),
                    toml_parser::Expected::Description(s) => (*s).to_string(),
                    _ => String::new(),
                })
                .filter(|s| !s.is_empty())
                .collect();
            let msg = if expected.is_empty() {
                d.to_string()
            } else {
                format!("{d}; expected {}", expected.join(" or "))
            };
            return Diagnostic::new(TomlPath::root(), msg);
        }
    };
    Diagnostic::new(TomlPath::root(), msg).help(help)
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
    // A header line belongs to no table above it (a nested list's line starts with a
    // number or a quote, not a name).
    let t = at.trim_start();
    if t.starts_with('[')
        && t.trim_start_matches(['[', ' '])
            .starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
    {
        return TomlPath::root();
    }
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
    fn every_syntax_error_the_parser_recovers_from_is_reported_in_plain_words() {
        let bad = BASE
            .replace("name = \"t\"", "name = \"t")
            .replace("ticks = 3", "ticks = 3x")
            .replace("id = \"a\"", "id = a");
        let e = errs(&bad);
        assert!(
            e.contains("t.toml:2:8: scenario.name: text in quotes is not closed"),
            "{e}"
        );
        assert!(
            e.contains("t.toml:3:9: scenario.ticks: `3x` is not a value"),
            "{e}"
        );
        assert!(
            e.contains("t.toml:6:6: actor[0].id: `a` is not a value"),
            "{e}"
        );
        assert!(e.contains("3 problems found"), "{e}");
        assert!(!e.contains("note:"), "all were read: {e}");
        // A broken header names no table (it is not part of the one above).
        let e = errs(&BASE.replace("[[population]]", "[[population"));
        assert!(
            e.contains("t.toml:9:13: a table header is not closed"),
            "{e}"
        );
    }

    #[test]
    fn a_list_never_closed_is_reported_where_it_opens_with_the_note() {
        let bad = BASE.replace("ticks = 3", "ticks = 3\nseed = [1, 2\nfoo = 3");
        let e = errs(&bad.replace("size = 10", "size = 1.\nx = 01"));
        // The lines the open list swallowed are not reported as problems of their own.
        assert!(
            e.contains("t.toml:4:8: scenario.seed: this list is never closed"),
            "{e}"
        );
        assert!(e.contains("help: end it with ]"), "{e}");
        assert!(!e.contains("t.toml:5:") && !e.contains("t.toml:13:"), "{e}");
        assert!(e.contains(FURTHER_ERRORS), "{e}");
        // A syntax error before the opening is still reported.
        let e = errs(&bad.replace("name = \"t\"", "name = t"));
        assert!(e.contains("t.toml:2:8") && e.contains("t.toml:4:8"), "{e}");
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
