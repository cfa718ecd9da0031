//! Strategies: named variants of a scenario, compared against the scenario as written.

use super::diagnostic::{Diagnostic, Seg, TomlPath, suggest_help};
use super::edit::set_path;
use super::types::{Scenario, Strategy};
use super::validate::validate;
use std::collections::HashSet;

/// The scenario as written.
pub const BASELINE: &str = "baseline";

/// Applies a strategy. Diagnostics point into `strategy[index]`.
pub fn apply(sc: &Scenario, index: usize, st: &Strategy) -> Result<Scenario, Vec<Diagnostic>> {
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
    let derived = validate(&out);
    if derived.is_empty() {
        return Ok(out);
    }
    Err(derived
        .into_iter()
        .map(|d| {
            // Problems inside the strategy's own campaigns point there; others name the strategy.
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
        .collect())
}

/// Strategy names, unique, in file order.
pub fn check_names(sc: &Scenario) -> Vec<Diagnostic> {
    let mut seen = HashSet::new();
    let mut d = Vec::new();
    for (i, s) in sc.strategies.iter().enumerate() {
        if !seen.insert(s.name.as_str()) {
            d.push(Diagnostic::new(
                TomlPath::root().key("strategy").idx(i).key("name"),
                format!("duplicate strategy name \"{}\"", s.name),
            ));
        }
    }
    d
}

/// The baseline and the chosen strategies (all when `names` is None), each as a scenario.
pub fn variants(
    sc: &Scenario,
    names: Option<&[String]>,
) -> Result<Vec<(String, Scenario)>, String> {
    let mut base = sc.clone();
    base.strategies.clear();
    let mut out = vec![(BASELINE.to_string(), base)];
    let all: Vec<&str> = std::iter::once(BASELINE)
        .chain(sc.strategies.iter().map(|s| s.name.as_str()))
        .collect();
    let chosen: Vec<String> = match names {
        Some(n) => n.to_vec(),
        None => sc.strategies.iter().map(|s| s.name.clone()).collect(),
    };
    let mut seen = HashSet::new();
    for name in &chosen {
        if name == BASELINE {
            continue;
        }
        if !seen.insert(name.as_str()) {
            return Err(format!("strategy \"{name}\" is named twice"));
        }
        let Some(i) = sc.strategies.iter().position(|s| &s.name == name) else {
            return Err(format!(
                "unknown strategy \"{name}\"\n  help: {}",
                suggest_help(name, all.iter().copied())
            ));
        };
        let s = apply(sc, i, &sc.strategies[i]).map_err(|d| {
            d.into_iter()
                .map(|x| format!("{}: {}", x.path, x.message))
                .collect::<Vec<_>>()
                .join("\n")
        })?;
        out.push((name.clone(), s));
    }
    Ok(out)
}
