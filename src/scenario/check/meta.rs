//! `[scenario]`: name, ticks, dimensions, focal actor.

use super::{Ctx, MAX_DIMENSIONS};
use crate::scenario::diagnostic::Diagnostic;
use crate::scenario::diagnostic::TomlPath;
use crate::scenario::types::{Meta, Scenario};
use std::collections::HashSet;

/// Versions of the scenario format this softpower reads.
pub const FORMATS: [i64; 1] = [1];
/// The format of a file that does not say.
pub const DEFAULT_FORMAT: i64 = 1;

/// The problem with a `[scenario] format` value, if any.
pub fn format_problem(v: i64) -> Option<Diagnostic> {
    if FORMATS.contains(&v) {
        return None;
    }
    let path = TomlPath::root().key("scenario").key("format");
    let reads = FORMATS
        .iter()
        .map(|f| f.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let max = FORMATS.iter().max().copied().unwrap_or(1);
    Some(if v > max {
        Diagnostic::new(
            path,
            format!(
                "this file is written in scenario format {v}, but softpower {} reads format {reads} only",
                env!("CARGO_PKG_VERSION")
            ),
        )
        .help("use a newer softpower, or write the file in a format this one reads (docs/SCENARIO.md, [scenario])")
    } else {
        Diagnostic::new(
            path,
            format!("found format = {v}, which is no scenario format"),
        )
        .help(format!("allowed: {reads} (or leave it out for format 1)"))
    })
}

pub(super) fn check(c: &mut Ctx, sc: &Scenario) -> (Meta, u32) {
    let meta = TomlPath::root().key("scenario");
    let m = &sc.scenario;
    if let Some(d) = format_problem(m.format.unwrap_or(DEFAULT_FORMAT)) {
        c.diags.push(d);
    }
    let dims = m.dimensions.len();
    if m.name.is_empty()
        || !m
            .name
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-' || ch == '.')
        || m.name.starts_with('.')
    {
        c.err_help(
            meta.key("name"),
            format!("name \"{}\" cannot name an output folder", m.name),
            "use letters, digits, '_', '-' or '.' (it becomes output/<name>/)",
        );
    }
    if m.ticks == 0 {
        c.err_help(
            meta.key("ticks"),
            "ticks is 0: nothing would be simulated",
            "allowed: 1 or more",
        );
    }
    if dims == 0 || dims > MAX_DIMENSIONS {
        c.err_help(
            meta.key("dimensions"),
            format!("{dims} dimensions declared"),
            format!("allowed: 1 to {MAX_DIMENSIONS} distinct names"),
        );
    }
    let mut seen = HashSet::new();
    for (i, d) in m.dimensions.iter().enumerate() {
        if !seen.insert(d) {
            c.err(
                meta.key("dimensions").idx(i),
                format!("duplicate dimension \"{d}\""),
            );
        }
    }
    // The first actor is the focal one unless the scenario names another.
    let focal = match &m.focal_actor {
        Some(f) => c.actor(meta.key("focal_actor"), f).unwrap_or(0),
        None => 0,
    };
    (m.clone(), focal)
}
