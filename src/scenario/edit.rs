//! Editing a scenario by path, for strategies and parameter sweeps.
//!
//! A path names one numeric field: `actor.<id>.<field>`, `population.<id>.<field>`,
//! `campaign.<id>.<field>`, `story.<id>.<field>`, `event.<index>.<field>` (events have no
//! ids: the index counts `[[event]]` blocks from 0 in file order), `model.<field>` /
//! `model.<table>.<field>`, or `survey.spread` (the observation model's σ, so a fit can
//! weigh it). Edits go through the TOML value tree and back through serde,
//! so an edited scenario is exactly what the same file with that number would give.

use super::diagnostic::{nearest, suggest_help};
use super::types::{ModelParams, Scenario};
use toml::Value;

/// Numeric fields a path may address, per table.
const ACTOR_FIELDS: [&str; 2] = ["budget", "credibility"];
const POPULATION_FIELDS: [&str; 4] = ["size", "internet", "media_literacy", "stubbornness"];
const CAMPAIGN_FIELDS: [&str; 3] = ["spend", "start", "end"];
const STORY_FIELDS: [&str; 6] = [
    "transmissibility",
    "plausibility",
    "verify",
    "forget",
    "harm",
    "initial_share",
];
/// Fields stored as whole numbers.
const INTEGER_FIELDS: [&str; 2] = ["start", "end"];

/// An error about a path, with a suggestion where one helps.
#[derive(Debug, Clone, PartialEq)]
pub struct PathError {
    pub message: String,
    pub help: String,
}

fn perr(message: String, help: String) -> PathError {
    PathError { message, help }
}

/// Every `model.*` path (all model parameters are numbers or booleans).
pub fn model_paths() -> Vec<String> {
    let v = Value::try_from(ModelParams::default()).expect("model params serialise");
    let mut out = Vec::new();
    if let Value::Table(t) = v {
        for (k, x) in t {
            match x {
                Value::Table(sub) => {
                    for (k2, y) in sub {
                        if matches!(y, Value::Float(_) | Value::Integer(_)) {
                            out.push(format!("model.{k}.{k2}"));
                        }
                    }
                }
                Value::Float(_) | Value::Integer(_) => out.push(format!("model.{k}")),
                _ => {}
            }
        }
    }
    out
}

/// Sets the field at `path` to `value`, returning the edited scenario (not yet validated).
pub fn set_path(sc: &Scenario, path: &str, value: f64) -> Result<Scenario, PathError> {
    // TOML integers are i64: a seed above i64::MAX (any u64 is allowed) cannot pass
    // through the value tree, so it travels beside it; huge generator counts are refused
    // by the check anyway, and are clamped here so that the check can say so.
    let mut plain = sc.clone();
    plain.scenario.seed = 0;
    for g in &mut plain.generators {
        g.count = g.count.min(i64::MAX as u64);
    }
    let mut root = Value::try_from(&plain)
        .map_err(|e| perr(format!("cannot edit the scenario: {e}"), String::new()))?;
    let parts: Vec<&str> = path.split('.').collect();
    let tables = [
        "actor",
        "population",
        "campaign",
        "story",
        "event",
        "model",
        "survey",
    ];
    let head = parts[0];
    let slot: &mut Value = match head {
        "model" => {
            let model_paths = model_paths();
            if !model_paths.iter().any(|p| p == path) {
                return Err(perr(
                    format!("unknown model parameter \"{path}\""),
                    suggest_help(path, model_paths.iter().map(|s| s.as_str())),
                ));
            }
            let t = root
                .as_table_mut()
                .unwrap()
                .entry("model")
                .or_insert_with(|| Value::Table(Default::default()));
            let mut cur = t;
            for p in &parts[1..parts.len() - 1] {
                cur = cur
                    .as_table_mut()
                    .unwrap()
                    .entry(p.to_string())
                    .or_insert_with(|| Value::Table(Default::default()));
            }
            cur.as_table_mut()
                .unwrap()
                .entry(parts[parts.len() - 1].to_string())
                .or_insert(Value::Float(0.0))
        }
        "survey" => {
            if path != "survey.spread" {
                return Err(perr(
                    format!("\"{path}\" is not an editable number of [survey]"),
                    "the editable number of [survey] is survey.spread".into(),
                ));
            }
            root.as_table_mut()
                .unwrap()
                .entry("survey")
                .or_insert_with(|| Value::Table(Default::default()))
                .as_table_mut()
                .unwrap()
                .entry("spread")
                .or_insert(Value::Float(0.0))
        }
        "event" => {
            if parts.len() != 3 {
                return Err(perr(
                    format!("\"{path}\" should have three parts: event.<index>.<field>"),
                    "e.g. event.0.severity (events are numbered from 0 in file order)".into(),
                ));
            }
            let (index, field) = (parts[1], parts[2]);
            let list = root.get_mut("event").and_then(|v| v.as_array_mut());
            let n = list.as_ref().map_or(0, |l| l.len());
            let Some((i, list)) = index.parse::<usize>().ok().filter(|&i| i < n).zip(list) else {
                return Err(perr(
                    format!("no event \"{index}\" in \"{path}\""),
                    format!("events are numbered from 0 in file order; this scenario has {n}"),
                ));
            };
            let entry = &mut list[i];
            let kind = entry
                .get("kind")
                .and_then(|k| k.as_str())
                .unwrap_or("")
                .to_string();
            let editable = match kind.as_str() {
                "scandal" => "severity",
                "crisis" => "boost",
                _ => "",
            };
            if field != editable {
                return Err(perr(
                    format!("\"{field}\" is not an editable number of event {i} (a {kind})"),
                    format!("the editable number of a {kind} is event.{i}.{editable}"),
                ));
            }
            entry
                .as_table_mut()
                .unwrap()
                .entry(field.to_string())
                .or_insert(Value::Float(0.0))
        }
        "actor" | "population" | "campaign" | "story" => {
            if parts.len() != 3 {
                return Err(perr(
                    format!("\"{path}\" should have three parts: {head}.<id>.<field>"),
                    format!("e.g. {head}.{}", example(sc, head)),
                ));
            }
            let fields: &[&str] = match head {
                "actor" => &ACTOR_FIELDS,
                "population" => &POPULATION_FIELDS,
                "campaign" => &CAMPAIGN_FIELDS,
                _ => &STORY_FIELDS,
            };
            let (id, field) = (parts[1], parts[2]);
            let list = root.get_mut(head).and_then(|v| v.as_array_mut());
            let ids: Vec<String> = list.as_ref().map_or(Vec::new(), |l| {
                l.iter()
                    .filter_map(|e| e.get("id")?.as_str().map(String::from))
                    .collect()
            });
            let Some(entry) = list.and_then(|l| {
                l.iter_mut()
                    .find(|e| e.get("id").and_then(|x| x.as_str()) == Some(id))
            }) else {
                let generated = head == "population"
                    && sc
                        .generators
                        .iter()
                        .any(|g| id.starts_with(&format!("{}_", g.prefix)));
                let help = if generated {
                    "generated populations cannot be edited one by one; edit the [[generate]] block"
                        .to_string()
                } else {
                    suggest_help(id, ids.iter().map(|s| s.as_str()))
                };
                return Err(perr(format!("unknown {head} \"{id}\" in \"{path}\""), help));
            };
            if !fields.contains(&field) {
                let help = match nearest(field, fields.iter().copied()) {
                    Some(n) => format!(
                        "did you mean \"{head}.{id}.{n}\"? (editable: {})",
                        fields.join(", ")
                    ),
                    None => format!("editable fields of {head}: {}", fields.join(", ")),
                };
                return Err(perr(
                    format!("\"{field}\" is not an editable number of {head}"),
                    help,
                ));
            }
            entry
                .as_table_mut()
                .unwrap()
                .entry(field.to_string())
                .or_insert(Value::Float(0.0))
        }
        _ => {
            return Err(perr(
                format!("unknown table \"{head}\" in \"{path}\""),
                match nearest(head, tables) {
                    Some(n) => format!(
                        "did you mean \"{n}\"? paths start with actor, population, campaign, story, event, model or survey"
                    ),
                    None => {
                        "paths start with actor, population, campaign, story, event, model or survey".into()
                    }
                },
            ));
        }
    };
    let field = parts[parts.len() - 1];
    // A field the scenario holds as an integer (e.g. `model.pair_rounds`, u32) gets one:
    // `--set` values are numbers like 1.0, which serde would refuse for a u32.
    let whole = matches!(slot, Value::Integer(_));
    *slot = if INTEGER_FIELDS.contains(&field) && head == "campaign" {
        if value.fract() != 0.0 || !(0.0..=u32::MAX as f64).contains(&value) {
            return Err(perr(
                format!("{path} must be a whole number of ticks, got {value}"),
                "use whole numbers for start and end".into(),
            ));
        }
        Value::Integer(value as i64)
    } else if whole {
        if value.fract() != 0.0 || !(0.0..=u32::MAX as f64).contains(&value) {
            return Err(perr(
                format!("{path} must be a whole number, got {value}"),
                "allowed: whole numbers from 0 to 4294967295; give the sweep whole steps, e.g. 1..4:4".into(),
            ));
        }
        Value::Integer(value as i64)
    } else {
        Value::Float(value)
    };
    let mut edited = Scenario::deserialize(root)
        .map_err(|e| perr(format!("{path} = {value}: {e}"), String::new()))?;
    edited.scenario.seed = sc.scenario.seed;
    for (e, g) in edited.generators.iter_mut().zip(&sc.generators) {
        e.count = g.count;
    }
    Ok(edited)
}

fn example(sc: &Scenario, head: &str) -> String {
    match head {
        "actor" => sc
            .actors
            .first()
            .map_or("<id>.budget".into(), |a| format!("{}.budget", a.id)),
        "population" => sc
            .populations
            .first()
            .map_or("<id>.media_literacy".into(), |p| {
                format!("{}.media_literacy", p.id)
            }),
        "campaign" => sc
            .campaigns
            .first()
            .map_or("<id>.spend".into(), |c| format!("{}.spend", c.id)),
        _ => sc
            .stories
            .first()
            .map_or("<id>.transmissibility".into(), |s| {
                format!("{}.transmissibility", s.id)
            }),
    }
}

use serde::Deserialize;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::types::Event;
    use crate::scenario::{Overrides, parse_str};
    use std::path::Path;

    const S: &str = "[scenario]\nname = \"t\"\nticks = 5\n[[actor]]\nid = \"usa\"\nbudget = 5\n[[population]]\nid = \"fr\"\nsize = 10\n[[campaign]]\nid = \"c\"\nactor = \"usa\"\ninstrument = \"messaging\"\ntargets = [\"fr\"]\nspend = 1\n";

    fn sc() -> Scenario {
        parse_str(S, Path::new("t.toml"), &Overrides::default()).unwrap()
    }

    #[test]
    fn sets_fields_of_each_table() {
        let s = set_path(&sc(), "actor.usa.budget", 7.5).unwrap();
        assert_eq!(s.actors[0].budget, 7.5);
        let s = set_path(&s, "campaign.c.start", 2.0).unwrap();
        assert_eq!(s.campaigns[0].start, 2);
        let s = set_path(&s, "population.fr.media_literacy", 0.9).unwrap();
        assert_eq!(s.populations[0].media_literacy, 0.9);
        let s = set_path(&s, "model.messaging.cost_digital", 0.5).unwrap();
        assert_eq!(s.model.messaging.cost_digital, 0.5);
        let s = set_path(&s, "model.self_weight", 2.0).unwrap();
        assert_eq!(s.model.self_weight, 2.0);
        let s = set_path(&s, "survey.spread", 0.25).unwrap();
        assert_eq!(s.survey.as_ref().map(|v| v.spread), Some(0.25));
    }

    #[test]
    fn the_survey_table_has_one_editable_number() {
        let err = set_path(&sc(), "survey.ticks", 2.0).unwrap_err();
        assert!(err.help.contains("survey.spread"), "{err:?}");
    }

    #[test]
    fn a_whole_number_field_takes_a_whole_float_and_refuses_a_fraction() {
        let sc = sc();
        let e = set_path(&sc, "model.pair_rounds", 2.0).unwrap();
        assert_eq!(e.model.pair_rounds, 2);
        let err = set_path(&sc, "model.pair_rounds", 1.5).unwrap_err();
        assert!(err.message.contains("whole number"), "{}", err.message);
    }

    #[test]
    fn a_seed_above_i64_survives_an_edit() {
        let text = S.replace("ticks = 5", "ticks = 5\nseed = 18446744073709551615");
        let sc = parse_str(&text, Path::new("t.toml"), &Overrides::default()).unwrap();
        let s = set_path(&sc, "actor.usa.budget", 2.0).unwrap();
        assert_eq!((s.scenario.seed, s.actors[0].budget), (u64::MAX, 2.0));
    }

    #[test]
    fn bad_paths_get_suggestions() {
        let e = set_path(&sc(), "actor.uas.budget", 1.0).unwrap_err();
        assert!(e.help.contains("did you mean \"usa\""), "{e:?}");
        let e = set_path(&sc(), "actor.usa.budgte", 1.0).unwrap_err();
        assert!(e.help.contains("actor.usa.budget"), "{e:?}");
        let e = set_path(&sc(), "actr.usa.budget", 1.0).unwrap_err();
        assert!(e.help.contains("did you mean \"actor\""), "{e:?}");
        let e = set_path(&sc(), "model.messaging.cost_digitl", 1.0).unwrap_err();
        assert!(e.help.contains("model.messaging.cost_digital"), "{e:?}");
        assert!(set_path(&sc(), "campaign.c.start", 1.5).is_err());
    }

    #[test]
    fn an_event_is_edited_by_its_index_and_only_in_its_own_number() {
        let text = format!(
            "{S}[[event]]\nkind = \"scandal\"\ntick = 1\nactor = \"usa\"\nseverity = 0.2\n[[event]]\nkind = \"crisis\"\ntick = 2\ndimension = \"culture\"\nboost = 0.5\n"
        );
        let sc = parse_str(&text, Path::new("t.toml"), &Overrides::default()).unwrap();
        let s = set_path(&sc, "event.0.severity", 0.6).unwrap();
        let s = set_path(&s, "event.1.boost", 2.0).unwrap();
        match (&s.events[0], &s.events[1]) {
            (Event::Scandal { severity, .. }, Event::Crisis { boost, .. }) => {
                assert_eq!((*severity, *boost), (0.6, 2.0))
            }
            other => panic!("events changed kind: {other:?}"),
        }
        let e = set_path(&sc, "event.0.boost", 1.0).unwrap_err();
        assert!(e.help.contains("event.0.severity"), "{e:?}");
        let e = set_path(&sc, "event.2.severity", 1.0).unwrap_err();
        assert!(e.help.contains("this scenario has 2"), "{e:?}");
        assert!(set_path(&sc, "event.x.severity", 1.0).is_err());
    }
}
