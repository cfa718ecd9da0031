//! Strategies: named variants of a scenario, compared against the scenario as written.

use super::diagnostic::{Diagnostic, Seg, TomlPath, suggest_help};
use super::edit::set_path;
use super::types::{Scenario, Strategy};
use std::collections::HashSet;

/// The scenario as written.
pub const BASELINE: &str = "baseline";

/// Applies a strategy to the raw scenario (not yet checked), returning it with the origin
/// of each of its campaigns: `Some(k)` for the strategy's k-th. Diagnostics point into
/// `strategy[index]`.
pub fn apply(
    sc: &Scenario,
    index: usize,
    st: &Strategy,
) -> Result<(Scenario, Vec<Option<usize>>), Vec<Diagnostic>> {
    let at = TomlPath::root().key("strategy").idx(index);
    let mut diags = Vec::new();
    let name = &st.name;
    if name.is_empty()
        || name == BASELINE
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        diags.push(
            Diagnostic::new(
                at.key("name"),
                format!("strategy name \"{name}\" is not allowed"),
            )
            .help("use letters, digits, '_' or '-'; \"baseline\" is the scenario as written"),
        );
    }
    let existing: Vec<&str> = sc.campaigns.iter().map(|c| c.id.as_str()).collect();
    let mut removed = HashSet::new();
    for (j, id) in st.remove.iter().enumerate() {
        if !existing.contains(&id.as_str()) {
            diags.push(
                Diagnostic::new(
                    at.key("remove").idx(j),
                    format!("unknown campaign \"{id}\""),
                )
                .help(suggest_help(id, existing.iter().copied())),
            );
        } else if !removed.insert(id.as_str()) {
            diags.push(Diagnostic::new(
                at.key("remove").idx(j),
                format!("campaign \"{id}\" is removed twice"),
            ));
        }
    }
    let mut own = HashSet::new();
    for (k, c) in st.campaigns.iter().enumerate() {
        if removed.contains(c.id.as_str()) {
            diags.push(
                Diagnostic::new(at.key("campaign").idx(k).key("id"), format!("campaign \"{}\" is both removed and redefined", c.id))
                    .help("a [[strategy.campaign]] with an existing id already replaces it; drop it from `remove`"),
            );
        }
        if !own.insert(c.id.as_str()) {
            diags.push(Diagnostic::new(
                at.key("campaign").idx(k).key("id"),
                format!("campaign \"{}\" is defined twice in this strategy", c.id),
            ));
        }
    }
    for key in st.set.keys() {
        if let Some(id) = key
            .strip_prefix("campaign.")
            .and_then(|r| r.split('.').next())
        {
            if removed.contains(id) {
                diags.push(Diagnostic::new(
                    at.key("set").key(key),
                    format!("\"{key}\" edits campaign \"{id}\", which this strategy removes"),
                ));
            } else if own.contains(id) {
                diags.push(
                    Diagnostic::new(
                        at.key("set").key(key),
                        format!(
                            "\"{key}\" edits campaign \"{id}\", which this strategy also redefines"
                        ),
                    )
                    .help("set the value in its [[strategy.campaign]] block instead"),
                );
            }
        }
    }
    if !diags.is_empty() {
        return Err(diags);
    }

    let mut out = sc.clone();
    out.strategies.clear();
    // Where each campaign of the result came from: Some(k) for the strategy's k-th campaign.
    let mut origin: Vec<Option<usize>> = Vec::new();
    let mut campaigns = Vec::new();
    for c in &sc.campaigns {
        if removed.contains(c.id.as_str()) {
            continue;
        }
        match st.campaigns.iter().position(|x| x.id == c.id) {
            Some(k) => {
                campaigns.push(st.campaigns[k].clone());
                origin.push(Some(k));
            }
            None => {
                campaigns.push(c.clone());
                origin.push(None);
            }
        }
    }
    for (k, c) in st.campaigns.iter().enumerate() {
        if !existing.contains(&c.id.as_str()) {
            campaigns.push(c.clone());
            origin.push(Some(k));
        }
    }
    out.campaigns = campaigns;
    for (key, value) in &st.set {
        match set_path(&out, key, *value) {
            Ok(s) => out = s,
            Err(e) => {
                let mut d = Diagnostic::new(at.key("set").key(key), e.message);
                if !e.help.is_empty() {
                    d = d.help(e.help);
                }
                return Err(vec![d]);
            }
        }
    }
    Ok((out, origin))
}

/// Places problems of a scenario derived by strategy `index` (with campaign `origin`s
/// from `apply`): those inside the strategy's own campaigns point there; others name
/// the strategy.
pub fn relocate(
    derived: Vec<Diagnostic>,
    index: usize,
    name: &str,
    origin: &[Option<usize>],
) -> Vec<Diagnostic> {
    let at = TomlPath::root().key("strategy").idx(index);
    derived
        .into_iter()
        .map(|d| {
            if let [Seg::Key(t), Seg::Index(j), rest @ ..] = d.path.0.as_slice()
                && t == "campaign"
                && let Some(Some(k)) = origin.get(*j)
            {
                let mut p = at.key("campaign").idx(*k);
                p.0.extend(rest.iter().cloned());
                return Diagnostic { path: p, ..d };
            }
            Diagnostic {
                path: at.clone(),
                message: format!(
                    "with strategy \"{name}\" applied, {}: {}",
                    d.path, d.message
                ),
                ..d
            }
        })
        .collect()
}
