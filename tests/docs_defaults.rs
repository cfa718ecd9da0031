//! The default columns of docs/SCENARIO.md and docs/MODEL.md say what the code does: every
//! literal default in a table (a number, a boolean, a quoted string, a list) is compared
//! with the value a scenario gets when it leaves the key out. A literal default with no
//! counterpart in the code fails the test too, so a renamed key cannot hide.

use serde_json::Value;
use softpower::scenario::{CheckedScenario, ModelParams, Overrides, parse_checked};
use std::path::Path;

/// One block of every table, each with only its required keys (the first actor too).
const MINIMAL: &str = r#"
[scenario]
name = "t"
ticks = 4

[[actor]]
id = "b"

[[actor]]
id = "a"
budget = 10
playable = true

[[population]]
id = "p"
size = 10
home = "a"

[[population]]
id = "q"
size = 10

[[generate]]
prefix = "g"
count = 3
graph = { model = "complete" }

[[tie]]
between = ["p", "q"]

[[reach]]
actor = "a"
populations = ["p"]
channel = "digital"
weight = 0.5

[[relation]]
between = ["a", "b"]
kind = "alliance"

[[decision]]
id = "d"
actor = "a"
toward = "b"
threshold = 0.2

[[story]]
id = "s"
about = "b"

[[campaign]]
id = "c"
actor = "b"
instrument = "messaging"
targets = ["q"]
spend = 0

[[event]]
kind = "scandal"
tick = 1
actor = "b"
severity = 0.1

[exercise]
rounds = 2

[[exercise.inject]]
round = 1
kind = "scandal"
actor = "b"
severity = 0.1

[[strategy]]
name = "s1"

[survey]
"#;

fn minimal() -> (Value, CheckedScenario) {
    let (raw, checked) = parse_checked(MINIMAL, Path::new("minimal.toml"), &Overrides::default())
        .unwrap_or_else(|e| panic!("{e}"));
    (serde_json::to_value(&raw).unwrap(), checked)
}

/// Defaults the raw file leaves empty (`None`) and the check fills in.
fn checked_default(table: &str, key: &str, c: &CheckedScenario) -> Option<Value> {
    let constant = |d: &softpower::model::Dist| match d {
        softpower::model::Dist::Const(x) => Some(Value::from(*x)),
        softpower::model::Dist::Spec(_) => None,
    };
    match (table, key) {
        ("scenario", "format") => Some(Value::from(
            softpower::scenario::check::meta::DEFAULT_FORMAT,
        )),
        ("story", "recovery") => Some(Value::from(c.stories[0].recovery as f64)),
        ("generate", "internet") => constant(&c.generators[0].internet),
        ("generate", "media_literacy") => constant(&c.generators[0].media_literacy),
        ("generate", "stubbornness") => constant(&c.generators[0].stubbornness),
        ("campaign", "channel") => Some(Value::from(c.campaigns[0].channel.as_str())),
        _ => None,
    }
}

/// A table cell as a value, if it is a literal; prose ("the id", "none") gives None.
fn literal(cell: &str, bare_words: bool) -> Option<Value> {
    let cell = cell.trim();
    let cell = cell
        .strip_prefix('`')
        .and_then(|c| c.strip_suffix('`'))
        .unwrap_or(cell);
    if let Ok(t) = toml::from_str::<toml::Table>(&format!("v = {cell}")) {
        return serde_json::to_value(&t["v"]).ok();
    }
    (bare_words && !cell.is_empty() && cell.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        .then(|| Value::from(cell))
}

fn same(doc: &Value, code: &Value) -> bool {
    match (doc, code) {
        (Value::Number(a), Value::Number(b)) => {
            let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
            (a - b).abs() <= 1e-6 * a.abs().max(1.0)
        }
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y))
        }
        (Value::Object(a), Value::Null) | (Value::Object(a), Value::Object(_)) if a.is_empty() => {
            code.as_object().is_none_or(|o| o.is_empty())
        }
        (Value::Array(a), Value::Null) => a.is_empty(),
        _ => doc == code,
    }
}

/// `[[exercise.inject]]` → ["exercise", "inject", 0]: where a heading's table sits in the
/// serialised scenario.
fn table_of(heading: &str) -> Option<(String, Vec<String>, bool)> {
    let start = heading.find("`[")?;
    let rest = &heading[start + 1..];
    let end = rest.find('`')?;
    let inner = &rest[..end];
    let array = inner.starts_with("[[");
    let name = inner.trim_matches(|c| c == '[' || c == ']');
    let path: Vec<String> = name.split('.').map(String::from).collect();
    Some((name.to_string(), path, array))
}

fn lookup<'a>(v: &'a Value, path: &[String], array: bool) -> Option<&'a Value> {
    let mut cur = v;
    for seg in path {
        let key = match seg.as_str() {
            "actor" | "population" | "tie" | "reach" | "relation" | "story" | "campaign"
            | "event" | "generate" | "strategy" | "inject" => seg.as_str(),
            s => s,
        };
        cur = cur.get(key)?;
    }
    if array { cur.get(0) } else { Some(cur) }
}

fn cells(line: &str) -> Vec<String> {
    line.trim()
        .trim_matches('|')
        .split('|')
        .map(|c| c.trim().to_string())
        .collect()
}

#[test]
fn scenario_md_defaults_match_the_code() {
    let (raw, checked) = minimal();
    let text = std::fs::read_to_string("docs/SCENARIO.md").unwrap();
    let mut table: Option<(String, Vec<String>, bool)> = None;
    let mut columns: Option<(usize, usize)> = None;
    let mut compared = 0;
    let mut wrong = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') {
            table = table_of(line);
            columns = None;
            continue;
        }
        if !line.starts_with('|') {
            if !line.trim().is_empty() {
                columns = None;
            }
            continue;
        }
        let c = cells(line);
        if c.iter().all(|x| x.chars().all(|ch| ch == '-')) {
            continue;
        }
        if c.first().is_some_and(|x| x == "key") {
            columns = c.iter().position(|x| x == "default").map(|d| (0, d));
            continue;
        }
        let Some((k, d)) = columns else { continue };
        let key = c[k].trim_matches('`');
        let key = key
            .trim_matches(|ch| ch == '[' || ch == ']')
            .rsplit('.')
            .next()
            .unwrap();
        let Some(doc) = literal(&c[d], false) else {
            continue;
        };
        let Some((name, path, array)) = &table else {
            wrong.push(format!(
                "{key}: documented default {} under no known table",
                c[d]
            ));
            continue;
        };
        let key = if key == "inject" { "inject" } else { key };
        let code = lookup(&raw, path, *array)
            .and_then(|t| t.get(key))
            .cloned()
            .filter(|v| !v.is_null())
            .or_else(|| checked_default(name, key, &checked));
        match code {
            Some(v) if same(&doc, &v) => compared += 1,
            Some(v) if v.is_null() && same(&doc, &Value::Null) => compared += 1,
            Some(v) => wrong.push(format!(
                "[{name}] {key}: docs say {doc}, the code gives {v}"
            )),
            None if same(&doc, &Value::Null) => compared += 1,
            None => wrong.push(format!(
                "[{name}] {key}: docs give the default {doc}, but the code has none"
            )),
        }
    }
    assert!(
        wrong.is_empty(),
        "docs/SCENARIO.md drifted:\n{}",
        wrong.join("\n")
    );
    assert!(
        compared >= 60,
        "only {compared} defaults compared: is the parser blind?"
    );
}

/// Every leaf of `[model]` by its dotted path, e.g. `messaging.cost_broadcast`.
fn model_leaves() -> Vec<(String, Value)> {
    let v = serde_json::to_value(ModelParams::default()).unwrap();
    let mut out = Vec::new();
    for (k, x) in v.as_object().unwrap() {
        match x {
            Value::Object(sub) => {
                for (k2, y) in sub {
                    out.push((format!("{k}.{k2}"), y.clone()));
                }
            }
            _ => out.push((k.clone(), x.clone())),
        }
    }
    out
}

#[test]
fn model_md_parameter_table_matches_the_code() {
    let leaves = model_leaves();
    let text = std::fs::read_to_string("docs/MODEL.md").unwrap();
    let section = text
        .split("## 6. Parameters at a glance")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("MODEL.md has section 6");
    let mut compared = 0;
    let mut wrong = Vec::new();
    for line in section.lines().filter(|l| l.starts_with("| `")) {
        let c = cells(line);
        let keys: Vec<&str> = c[0].split(" / ").map(|k| k.trim_matches('`')).collect();
        let docs: Vec<&str> = c[1].split(" / ").collect();
        assert_eq!(keys.len(), docs.len(), "{line}");
        for (key, doc) in keys.iter().zip(docs) {
            let Some(doc) = literal(doc, true) else {
                wrong.push(format!("{key}: default {doc:?} is not a value"));
                continue;
            };
            match leaves.iter().find(|(k, _)| k == key) {
                Some((_, v)) if same(&doc, v) => compared += 1,
                Some((_, v)) => wrong.push(format!("{key}: docs say {doc}, the code gives {v}")),
                None => wrong.push(format!("{key}: no such model parameter")),
            }
        }
    }
    let missing: Vec<&String> = leaves
        .iter()
        .map(|(k, _)| k)
        .filter(|k| !section.contains(&format!("`{k}`")) && !section.contains(&format!("`{k} ")))
        .collect();
    assert!(
        wrong.is_empty(),
        "docs/MODEL.md section 6 drifted:\n{}",
        wrong.join("\n")
    );
    assert!(
        missing.is_empty(),
        "model parameters missing from docs/MODEL.md section 6: {missing:?}"
    );
    assert!(compared >= 35, "only {compared} parameters compared");
}

/// Prose such as "(h_T = `trust_harm`, 0.1)" or "`cost_digital` (0.25)" names a default
/// too; where the parameter name is unambiguous it must match.
#[test]
fn model_md_defaults_in_the_text_match_the_code() {
    let leaves = model_leaves();
    let text = std::fs::read_to_string("docs/MODEL.md").unwrap();
    let mut wrong = Vec::new();
    let mut compared = 0;
    let mut rest = text.as_str();
    while let Some(i) = rest.find('`') {
        let after = &rest[i + 1..];
        let Some(j) = after.find('`') else { break };
        let name = &after[..j];
        let tail = &after[j + 1..];
        rest = tail;
        let leaf = name.rsplit('.').next().unwrap();
        let matches: Vec<&Value> = leaves
            .iter()
            .filter(|(k, _)| k.rsplit('.').next() == Some(leaf))
            .map(|(_, v)| v)
            .collect();
        // A bare name shared by two tables (trust_gain) is ambiguous unless qualified.
        let code = match matches.as_slice() {
            [v] => *v,
            _ => match leaves
                .iter()
                .find(|(k, _)| k == name.trim_start_matches("model."))
            {
                Some((_, v)) => v,
                None => continue,
            },
        };
        let num = tail
            .strip_prefix(", ")
            .or_else(|| tail.strip_prefix(" ("))
            .map(|t| {
                t.chars()
                    .take_while(|c| c.is_ascii_digit() || *c == '.')
                    .collect::<String>()
            })
            .filter(|n| !n.is_empty());
        let Some(num) = num else { continue };
        let doc: f64 = num.trim_end_matches('.').parse().unwrap();
        if same(&Value::from(doc), code) {
            compared += 1;
        } else {
            wrong.push(format!(
                "`{name}`: MODEL.md says {doc}, the code gives {code}"
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "docs/MODEL.md text drifted:\n{}",
        wrong.join("\n")
    );
    assert!(
        compared >= 15,
        "only {compared} defaults in the text compared"
    );
}

/// Defaults written as prose in docs/SCENARIO.md (they name another key) are what the
/// check fills in: a population's and a generator group's `self_weight` is
/// `model.self_weight`, a two-way tie's `weight_back` is its `weight`.
#[test]
fn defaults_that_name_another_key_follow_it() {
    let text = std::fs::read_to_string("docs/SCENARIO.md").unwrap();
    let row = |key: &str, default: &str| {
        text.lines()
            .any(|l| l.starts_with(&format!("| `{key}` |")) && cells(l)[2] == default)
    };
    assert!(row("self_weight", "`model.self_weight`"));
    assert!(row("weight_back", "`weight`"));
    let scenario = MINIMAL.replacen(
        "[scenario]\n",
        "[model]\nself_weight = 0.3\n[scenario]\n",
        1,
    );
    let (_, c) = parse_checked(&scenario, Path::new("m.toml"), &Overrides::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.populations[0].self_weight, 0.3);
    assert_eq!(c.generators[0].self_weight, 0.3);
    // The tie p–q of MINIMAL, weight 1 and no weight_back: one two-way tie of weight 1.
    assert_eq!(c.ties, vec![(0, 1, 1.0)]);
    assert!(c.one_way_ties.is_empty());
}

/// The number a default cell or phrase opens with: "3 (z)" → 3, "4 ticks" → 4.
fn leading_number(s: &str) -> f64 {
    let n: String = s
        .trim()
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    n.parse()
        .unwrap_or_else(|_| panic!("no number at the start of {s:?}"))
}

/// The `[campaign.adapt]` defaults (window, step, margin) of docs/SCENARIO.md's table and
/// of docs/MODEL.md 3.10 are what the check fills in for a shift rule that names none.
#[test]
fn adaptive_rule_defaults_in_the_docs_match_the_code() {
    let text = r#"[scenario]
name = "adapt"
ticks = 8

[[actor]]
id = "ministry"
budget = 1

[[population]]
id = "open"
size = 1000

[[population]]
id = "closed"
size = 1000

[[campaign]]
id = "polls"
actor = "ministry"
instrument = "listening"
channel = "broadcast"
targets = ["open", "closed"]
metrics = ["favourability"]
spend = 0.05

[[campaign]]
id = "msg"
actor = "ministry"
instrument = "messaging"
targets = ["open", "closed"]
spend = 0.2
[campaign.adapt]
listener = "polls"
metric = "favourability"
rules = ["shift"]
"#;
    let (_, c) = parse_checked(text, Path::new("adapt.toml"), &Overrides::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let (window, step, margin) = c
        .campaigns
        .iter()
        .find_map(|k| k.adapt.as_ref()?.shift)
        .expect("the messaging campaign shifts");
    let code = [
        ("window", window as f64),
        ("step", step as f64),
        ("margin", margin as f64),
    ];
    let scenario_md = std::fs::read_to_string("docs/SCENARIO.md").unwrap();
    let adapt = &scenario_md[scenario_md
        .find("**Adaptive rules** (`[campaign.adapt]`")
        .expect("SCENARIO.md documents [campaign.adapt]")..];
    for (key, value) in code {
        let row = adapt
            .lines()
            .find(|l| l.starts_with(&format!("| `{key}` |")))
            .unwrap_or_else(|| panic!("no row for {key} in the [campaign.adapt] table"));
        let doc = leading_number(&cells(row)[2]);
        assert!(
            (doc - value).abs() < 1e-6,
            "[campaign.adapt] {key}: SCENARIO.md says {doc}, the code gives {value}"
        );
    }
    let model_md = std::fs::read_to_string("docs/MODEL.md").unwrap();
    let at = model_md
        .find("(`margin`, default ")
        .expect("MODEL.md 3.10 gives the margin's default")
        + "(`margin`, default ".len();
    assert_eq!(
        leading_number(&model_md[at..]),
        margin as f64,
        "MODEL.md 3.10"
    );
}
