//! `[[uncertain]]`: a prior for one numeric field, named by its edit path
//! (`scenario::edit`: `model.<field>`, `actor.<id>.<field>`, `campaign.<id>.spend`, ...).
//!
//! A block is valid when its path names an editable, non-integer field, no other block and
//! no strategy sets the same path, its prior's parameters fit its family (`model::prior`),
//! and the scenario stays valid with the field at either end of the prior's support, which
//! checks the prior against the field's allowed range with the field's own rule (ranges and
//! budgets are intervals, so both ends passing means every value between passes alone).

use super::check_tables;
use crate::model::checked::CheckedScenario;
use crate::model::prior::{Prior, PriorError};
use crate::scenario::diagnostic::{Diagnostic, TomlPath};
use crate::scenario::edit::set_path;
use crate::scenario::types::{Scenario, Uncertain};
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

/// The named parameters a block gives, as `Prior::from_parts` takes them.
fn params(u: &Uncertain) -> BTreeMap<String, f64> {
    [
        ("low", u.low),
        ("high", u.high),
        ("mean", u.mean),
        ("sd", u.sd),
        ("mode", u.mode),
        ("alpha", u.alpha),
        ("beta", u.beta),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| (k.to_string(), v)))
    .collect()
}

/// The scenario as the parameters' draws are applied to it: no strategies, no priors.
pub fn bare(sc: &Scenario) -> Scenario {
    let mut s = sc.clone();
    s.strategies.clear();
    s.uncertain.clear();
    s
}

/// Every problem of the `[[uncertain]]` blocks (empty when they are valid).
pub fn check(sc: &Scenario, base_dir: &Path) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let probe = bare(sc);
    let mut seen = HashSet::new();
    for (i, u) in sc.uncertain.iter().enumerate() {
        let at = TomlPath::root().key("uncertain").idx(i);
        let path_at = at.key("path");
        if !seen.insert(u.path.as_str()) {
            diags.push(Diagnostic::new(
                path_at.clone(),
                format!("\"{}\" has a prior already", u.path),
            ));
            continue;
        }
        if let Err(e) = set_path(&probe, &u.path, 0.5) {
            let mut d = Diagnostic::new(path_at.clone(), e.message);
            if !e.help.is_empty() {
                d = d.help(e.help);
            }
            diags.push(d);
            continue;
        }
        if u.path.starts_with("campaign.")
            && (u.path.ends_with(".start") || u.path.ends_with(".end"))
        {
            diags.push(
                Diagnostic::new(path_at.clone(), format!("\"{}\" is a whole number of ticks and cannot take a continuous prior", u.path))
                    .help("uncertain fields are real numbers: a campaign's spend, an actor's budget or credibility, a population's field, a story's field, a model parameter"),
            );
            continue;
        }
        if let Some(st) = sc.strategies.iter().find(|s| s.set.contains_key(&u.path)) {
            diags.push(
                Diagnostic::new(
                    path_at.clone(),
                    format!(
                        "strategy \"{}\" sets \"{}\": a strategy's choice cannot also be uncertain",
                        st.name, u.path
                    ),
                )
                .help("remove the prior, or the strategy's setting of this path"),
            );
            continue;
        }
        let prior = match Prior::from_parts(&u.prior, &params(u)) {
            Ok(p) => p,
            Err(e) => {
                let key = match &e {
                    PriorError::UnknownParam { param, .. } => param.clone(),
                    PriorError::Missing { .. } | PriorError::UnknownKind { .. } => "prior".into(),
                    PriorError::NotFinite { param, .. } => param.to_string(),
                    _ => "prior".into(),
                };
                diags.push(Diagnostic::new(at.key(&key), e.to_string()));
                continue;
            }
        };
        let (lo, hi) = prior.support();
        if !(lo.is_finite() && hi.is_finite()) {
            diags.push(
                Diagnostic::new(
                    at.key("prior"),
                    format!(
                        "a normal prior is unbounded, but \"{}\" has a bounded range",
                        u.path
                    ),
                )
                .help("use truncated_normal with low and high inside the field's allowed values"),
            );
            continue;
        }
        for (end, v) in [("low", lo), ("high", hi)] {
            let problem = match set_path(&probe, &u.path, v) {
                Err(e) => Some((e.message, e.help)),
                Ok(s) => check_tables(&s, base_dir).err().map(|d| {
                    let first = &d[0];
                    (
                        format!("{}: {}", first.path, first.message),
                        first.help.clone().unwrap_or_default(),
                    )
                }),
            };
            if let Some((msg, help)) = problem {
                let help = if help.is_empty() {
                    "keep the prior's support within the field's allowed values".to_string()
                } else {
                    format!("keep the prior's support within the field's allowed values ({help})")
                };
                diags.push(
                    Diagnostic::new(
                        at.key("prior"),
                        format!(
                            "the {} prior reaches {v} at its {end} end, where the scenario is invalid: {msg}",
                            prior.kind()
                        ),
                    )
                    .help(help),
                );
                break;
            }
        }
    }
    diags
}

/// The paths and priors of a checked scenario's `[[uncertain]]` blocks, in file order.
/// Call only on a scenario `check` accepted.
pub fn priors(sc: &Scenario) -> Vec<(String, Prior)> {
    sc.uncertain
        .iter()
        .map(|u| {
            let p = Prior::from_parts(&u.prior, &params(u)).expect("checked prior");
            (u.path.clone(), p)
        })
        .collect()
}

/// A scenario with the uncertain fields set to `values` (in the order of `paths`) and
/// checked. `raw` should come from [`bare`] (or a strategy applied to it), so no strategy
/// or prior is checked again for every draw.
pub fn apply_draw(
    raw: &Scenario,
    base_dir: &Path,
    paths: &[String],
    values: &[f64],
) -> Result<CheckedScenario, String> {
    let mut s = raw.clone();
    for (p, &v) in paths.iter().zip(values) {
        s = set_path(&s, p, v).map_err(|e| format!("{p} = {v}: {}", e.message))?;
    }
    check_tables(&s, base_dir).map_err(|d| {
        let at: Vec<String> = paths
            .iter()
            .zip(values)
            .map(|(p, v)| format!("{p} = {v}"))
            .collect();
        format!(
            "the parameter draw {} gives an invalid scenario: {}: {}",
            at.join(", "),
            d[0].path,
            d[0].message
        )
    })
}
