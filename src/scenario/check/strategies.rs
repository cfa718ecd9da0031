//! `[[strategy]]`: every strategy must have a unique name and give a valid scenario once
//! applied; `variants` checks the baseline and the chosen strategies for a comparison.

use crate::model::checked::CheckedScenario;
use crate::scenario::diagnostic::{Diagnostic, TomlPath, suggest_help};
use crate::scenario::strategy::{self, BASELINE};
use crate::scenario::types::{Scenario, Strategy};
use std::collections::HashSet;
use std::path::Path;

/// Applies strategy `index` and checks the result; problems point into `strategy[index]`.
pub fn apply(
    sc: &Scenario,
    base_dir: &Path,
    index: usize,
    st: &Strategy,
) -> Result<CheckedScenario, Vec<Diagnostic>> {
    let (out, origin) = strategy::apply(sc, index, st)?;
    super::check_tables(&out, base_dir).map_err(|d| strategy::relocate(d, index, &st.name, &origin))
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

/// The baseline (`checked`, the scenario `sc` as checked) and the chosen strategies (all
/// when `names` is None), each checked.
pub fn variants(
    sc: &Scenario,
    checked: &CheckedScenario,
    base_dir: &Path,
    names: Option<&[String]>,
) -> Result<Vec<(String, CheckedScenario)>, String> {
    let show = |d: Vec<Diagnostic>| {
        d.into_iter()
            .map(|x| format!("{}: {}", x.path, x.message))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let mut out = vec![(BASELINE.to_string(), checked.clone())];
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
        let s = apply(sc, base_dir, i, &sc.strategies[i]).map_err(show)?;
        out.push((name.clone(), s));
    }
    Ok(out)
}
