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
                        "a normal prior reaches every real number, but \"{}\" has a bounded range of allowed values",
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

/// A raw scenario held as a TOML tree, to which parameter draws are applied with one
/// deserialisation and one check per draw (editing field by field with `set_path` would
/// round-trip the whole scenario through TOML once per parameter). The edits are the ones
/// `set_path` makes, on paths `check` accepted.
#[derive(Debug, Clone)]
pub struct Template {
    root: toml::Value,
}

impl Template {
    /// `raw` should come from [`bare`] (or a strategy applied to it), so no strategy or
    /// prior is checked again for every draw.
    pub fn new(raw: &Scenario) -> Result<Template, String> {
        toml::Value::try_from(raw)
            .map(|root| Template { root })
            .map_err(|e| format!("cannot edit the scenario: {e}"))
    }

    /// The scenario with the fields at `paths` set to `values`, checked.
    pub fn apply(
        &self,
        base_dir: &Path,
        paths: &[String],
        values: &[f64],
    ) -> Result<CheckedScenario, String> {
        let mut root = self.root.clone();
        for (p, &v) in paths.iter().zip(values) {
            let slot = slot(&mut root, p).ok_or_else(|| format!("cannot find \"{p}\""))?;
            *slot = toml::Value::Float(v);
        }
        let at = || {
            paths
                .iter()
                .zip(values)
                .map(|(p, v)| format!("{p} = {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let s = Scenario::deserialize(root)
            .map_err(|e| format!("the parameter draw {} is refused: {e}", at()))?;
        check_tables(&s, base_dir).map_err(|d| {
            format!(
                "the parameter draw {} gives an invalid scenario: {}: {}",
                at(),
                d[0].path,
                d[0].message
            )
        })
    }
}

/// The value at an edit path (`model.a.b`, or `<table>.<id>.<field>` in an array of
/// tables keyed by id), created when the file left it to its default.
fn slot<'a>(root: &'a mut toml::Value, path: &str) -> Option<&'a mut toml::Value> {
    let parts: Vec<&str> = path.split('.').collect();
    let (head, rest) = parts.split_first()?;
    let mut cur = if *head == "model" || *head == "survey" {
        root.as_table_mut()?
            .entry(*head)
            .or_insert_with(|| toml::Value::Table(Default::default()))
    } else if *head == "event" {
        // Events have no ids: `event.<index>.<field>`.
        let (index, _) = rest.split_first()?;
        root.get_mut("event")?
            .as_array_mut()?
            .get_mut(index.parse::<usize>().ok()?)?
    } else {
        let (id, _) = rest.split_first()?;
        root.get_mut(*head)?
            .as_array_mut()?
            .iter_mut()
            .find(|e| e.get("id").and_then(|x| x.as_str()) == Some(id))?
    };
    let fields = if *head == "model" || *head == "survey" {
        rest
    } else {
        &rest[1..]
    };
    let (last, inner) = fields.split_last()?;
    for p in inner {
        cur = cur
            .as_table_mut()?
            .entry(p.to_string())
            .or_insert_with(|| toml::Value::Table(Default::default()));
    }
    Some(
        cur.as_table_mut()?
            .entry(last.to_string())
            .or_insert(toml::Value::Float(0.0)),
    )
}

use serde::Deserialize;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Overrides, parse_str};

    const S: &str = "[scenario]\nname = \"t\"\nticks = 5\n[[actor]]\nid = \"usa\"\nbudget = 5\n[[population]]\nid = \"fr\"\nsize = 10\n[[campaign]]\nid = \"c\"\nactor = \"usa\"\ninstrument = \"messaging\"\ntargets = [\"fr\"]\nspend = 1\n[[uncertain]]\npath = \"model.exchange.spillover\"\nprior = \"uniform\"\nlow = 0\nhigh = 30\n";

    #[test]
    fn a_draw_through_the_template_is_the_scenario_set_path_and_check_give() {
        let sc = parse_str(S, Path::new("t.toml"), &Overrides::default()).unwrap();
        assert!(check(&sc, Path::new("")).is_empty());
        let paths: Vec<String> = [
            "model.exchange.spillover",
            "campaign.c.spend",
            "population.fr.media_literacy",
            "actor.usa.credibility",
            "model.self_weight",
            "survey.spread",
        ]
        .map(String::from)
        .to_vec();
        let values = [12.5, 2.25, 0.7, 0.35, 1.5, 0.3];
        let via_template = Template::new(&bare(&sc))
            .unwrap()
            .apply(Path::new(""), &paths, &values)
            .unwrap();
        let mut edited = bare(&sc);
        for (p, &v) in paths.iter().zip(&values) {
            edited = set_path(&edited, p, v).unwrap();
        }
        let via_set_path = check_tables(&edited, Path::new("")).unwrap();
        assert_eq!(format!("{via_template:?}"), format!("{via_set_path:?}"));
        assert_eq!(via_template.params.survey_spread, 0.3);
    }

    #[test]
    fn the_survey_spread_takes_a_prior_within_its_allowed_range_only() {
        let with = |low: f64, high: f64| {
            let text = S.replace(
                "path = \"model.exchange.spillover\"\nprior = \"uniform\"\nlow = 0\nhigh = 30",
                &format!(
                    "path = \"survey.spread\"\nprior = \"uniform\"\nlow = {low}\nhigh = {high}"
                ),
            );
            parse_str(&text, Path::new("t.toml"), &Overrides::default())
        };
        assert!(with(0.2, 1.5).is_ok());
        let e = format!("{:?}", with(0.2, 500.0).unwrap_err());
        assert!(
            e.contains("spread = 500 is not allowed") && e.contains("at most 100"),
            "{e}"
        );
    }

    #[test]
    fn a_draw_that_breaks_a_rule_names_its_values() {
        let sc = parse_str(S, Path::new("t.toml"), &Overrides::default()).unwrap();
        let e = Template::new(&bare(&sc))
            .unwrap()
            .apply(Path::new(""), &["campaign.c.spend".into()], &[9.0])
            .unwrap_err();
        assert!(
            e.contains("campaign.c.spend = 9") && e.contains("budget"),
            "{e}"
        );
    }
}
