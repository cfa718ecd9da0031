//! A team's decisions for one round: the TOML file teams edit, its strict validation
//! (same diagnostics as scenarios: file, line, field, what is allowed, "did you mean"),
//! and the commented template that pre-fills it.

use super::Settings;
use crate::scenario::check::check_campaign;
use crate::scenario::select::PopIndex;
use crate::scenario::{
    self, Channel, Diagnostic, Instrument, Scenario, ScenarioError, TomlPath, located, parse_toml,
};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::fmt::Write;
use std::path::Path;

/// One team's decisions file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Decisions {
    pub team: String,
    pub round: u32,
    /// The team marks its file as final; until then it counts as missing.
    #[serde(default)]
    pub submitted: bool,
    #[serde(default)]
    pub prediction: Option<Prediction>,
    #[serde(default, rename = "action")]
    pub actions: Vec<Action>,
}

/// "Predict, observe, explain": what the team expects of its own index this round.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Prediction {
    pub soft_power_change: f64,
    #[serde(default)]
    pub why: String,
}

/// One campaign for the round; `spend` is budget units for the whole round.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Action {
    pub id: String,
    pub instrument: Instrument,
    pub targets: Vec<String>,
    pub spend: f64,
    #[serde(default)]
    pub channel: Option<Channel>,
    #[serde(default)]
    pub emphasis: Option<Vec<f64>>,
    #[serde(default)]
    pub against: Option<String>,
    #[serde(default)]
    pub story: Option<String>,
}

impl Action {
    /// The scenario campaign this action runs as during `round`: its spend spread evenly
    /// over the round's ticks.
    pub fn campaign(&self, team: &str, round: u32, s: &Settings) -> scenario::Campaign {
        let (start, end) = s.round_ticks(round);
        scenario::Campaign {
            id: format!("{team}/r{round}/{}", self.id),
            actor: team.to_string(),
            instrument: self.instrument,
            targets: self.targets.clone(),
            start,
            end: Some(end),
            spend: self.spend / s.ticks_per_round as f64,
            channel: self.channel,
            emphasis: self.emphasis.clone(),
            against: self.against.clone(),
            story: self.story.clone(),
            metrics: None,
            about: None,
            lag: None,
            adapt: None,
        }
    }
}

impl Decisions {
    pub fn total_spend(&self) -> f64 {
        self.actions.iter().map(|a| a.spend).sum()
    }
}

/// Parses and validates a decisions file for `team` in `round`, with `budget_left` units
/// available. Every semantic problem is reported at once, placed at its line.
pub fn parse(
    text: &str,
    path: &Path,
    sc: &Scenario,
    settings: &Settings,
    team: &str,
    round: u32,
    budget_left: f64,
) -> Result<Decisions, ScenarioError> {
    let d: Decisions = parse_toml(text, path)?;
    let diags = check(&d, sc, settings, team, round, budget_left);
    if diags.is_empty() {
        Ok(d)
    } else {
        Err(located(text, path, diags))
    }
}

fn check(
    d: &Decisions,
    sc: &Scenario,
    settings: &Settings,
    team: &str,
    round: u32,
    budget_left: f64,
) -> Vec<Diagnostic> {
    let root = TomlPath::root();
    let mut v = Vec::new();
    if d.team != team {
        v.push(
            Diagnostic::new(
                root.key("team"),
                format!(
                    "this file is team \"{team}\"'s, but it says team = \"{}\"",
                    d.team
                ),
            )
            .help(format!("write team = \"{team}\"")),
        );
    }
    if d.round != round {
        v.push(
            Diagnostic::new(
                root.key("round"),
                format!(
                    "found round = {}, but the game is at round {round}",
                    d.round
                ),
            )
            .help(format!(
                "decisions apply to the next round to play: write round = {round}"
            )),
        );
    }
    if let Some(p) = &d.prediction
        && !(p.soft_power_change.is_finite() && p.soft_power_change.abs() <= 2.0)
    {
        v.push(
            Diagnostic::new(
                root.key("prediction").key("soft_power_change"),
                format!("found {}", p.soft_power_change),
                )
                .help("allowed: the expected change of your soft-power index this round, from -2 to 2 (e.g. 0.002)"),
        );
    }
    let idx = PopIndex::new(sc);
    let mut seen = HashSet::new();
    for (i, a) in d.actions.iter().enumerate() {
        let p = root.key("action").idx(i);
        if a.id.is_empty()
            || !a
                .id
                .chars()
                .all(|c| c.is_alphanumeric() || "_-".contains(c))
        {
            v.push(
                Diagnostic::new(p.key("id"), format!("id \"{}\" is not a simple name", a.id))
                    .help("use letters, digits, '_' or '-'"),
            );
        } else if !seen.insert(a.id.as_str()) {
            v.push(
                Diagnostic::new(p.key("id"), format!("duplicate action id \"{}\"", a.id))
                    .help("give each action of the round its own id"),
            );
        }
        v.extend(check_campaign(
            sc,
            &idx,
            p,
            &a.campaign(team, round, settings),
        ));
    }
    let total = d.total_spend();
    if total.is_finite() && total > budget_left * (1.0 + 1e-9) + 1e-12 {
        let spends: Vec<String> = d
            .actions
            .iter()
            .map(|a| format!("{} ({})", a.id, num(a.spend)))
            .collect();
        v.push(
            Diagnostic::new(
                root.key("action").idx(d.actions.len() - 1).key("spend"),
                format!(
                    "the actions spend {} in all, but team \"{team}\" has {} left this round",
                    num(total),
                    num(budget_left)
                ),
            )
            .help(format!(
                "actions: {}; lower their spend (unspent budget carries over to later rounds)",
                spends.join(", ")
            )),
        );
    }
    v
}

/// Short, stable text for budget amounts.
pub fn num(x: f64) -> String {
    let r = (x * 1000.0).round() / 1000.0;
    if r == 0.0 { "0".into() } else { format!("{r}") }
}

/// Everything a team needs to fill in its decisions, for the template's comments.
pub struct TemplateInfo<'a> {
    pub sc: &'a Scenario,
    pub settings: &'a Settings,
    pub team: usize,
    pub round: u32,
    pub budget_left: f64,
    pub spent_so_far: f64,
    /// Last round's choices, pre-filled (empty in round 1).
    pub previous: Option<&'a Decisions>,
}

/// The commented decisions file for one team and round.
pub fn template(t: &TemplateInfo) -> String {
    let sc = t.sc;
    let s = t.settings;
    let actor = &sc.actors[t.team];
    let id = &actor.id;
    let label = &sc.scenario.tick_label;
    let (start, end) = s.round_ticks(t.round);
    let name = actor.name.as_deref().unwrap_or(id);
    let per_round = actor.budget * s.ticks_per_round as f64;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "# Decisions of team {name} (\"{id}\") for round {} of {} ({label}s {start} to {}).",
        t.round,
        s.rounds,
        end - 1
    );
    let _ = writeln!(
        o,
        "# Edit the [[action]] blocks, then set `submitted = true`. Check the file with\n#   softpower exercise status <game folder>\n#"
    );
    let _ = writeln!(
        o,
        "# Budget: {} units per round; {} left this round (unspent budget carries over;\n# spent so far: {}). `spend` is budget units for the whole round, spread evenly\n# over its {} {label}s.\n#",
        num(per_round),
        num(t.budget_left),
        num(t.spent_so_far),
        s.ticks_per_round
    );
    let m = &sc.model;
    let _ = writeln!(
        o,
        "# Instruments (instrument = ...):\n\
#   messaging       raises familiarity and attitudes fast; the effect fades once you stop\n\
#                   (needs channel; optional emphasis = one weight per dimension)\n\
#   exchange        scholarships and visits: slow, but trust and attitudes last (no channel)\n\
#   propaganda      attacks a rival (against = \"<actor>\"); literate audiences see through it\n\
#                   and your own credibility suffers\n\
#   misinformation  seeds a false story (story = \"<story>\") that spreads by itself\n\
#   fact_check      moves believers of a story to debunked (story = ...)\n\
#   prebunk         inoculates people against a story before it reaches them (story = ...)\n#"
    );
    let _ = writeln!(
        o,
        "# Costs: reaching 63% of a target's reachable people every {label} costs, per million\n\
# people and per {label}, {} on the digital channel (only people online) and {} on\n\
# broadcast (only where you have broadcast reach); exchanges cost {} per participant,\n\
# each of whom tells {} others. Doubling spend less than doubles reach.\n#",
        m.messaging.cost_digital,
        m.messaging.cost_broadcast,
        m.exchange.cost_per_participant,
        m.exchange.spillover
    );
    let _ = writeln!(
        o,
        "# Targets (a population id, or \"all\", \"home:<actor>\", \"group:<prefix>\"):"
    );
    let _ = writeln!(
        o,
        "#   {:<22} {:>12} {:>7}  {:>16}  home",
        "population", "people", "online", "digital 63%/round"
    );
    for p in &sc.populations {
        let cost = m.messaging.cost_digital * p.size / 1e6 * s.ticks_per_round as f64;
        let _ = writeln!(
            o,
            "#   {:<22} {:>12} {:>6.0}%  {:>16}  {}",
            p.id,
            people(p.size),
            100.0 * p.internet,
            num(cost),
            p.home.as_deref().unwrap_or("-")
        );
    }
    for g in &sc.generators {
        let _ = writeln!(
            o,
            "#   group:{:<16} {} generated populations ({}_0 .. {}_{})",
            g.prefix,
            g.count,
            g.prefix,
            g.prefix,
            g.count - 1
        );
    }
    let broadcast: Vec<String> = sc
        .reach
        .iter()
        .filter(|r| r.actor == *id && r.channel == Channel::Broadcast && r.weight > 0.0)
        .map(|r| format!("{} ({:.0}%)", r.populations.join(", "), 100.0 * r.weight))
        .collect();
    let _ = writeln!(
        o,
        "# Your broadcast reach: {}",
        if broadcast.is_empty() && m.reach.broadcast == 0.0 {
            "none (broadcast campaigns would reach nobody)".to_string()
        } else if broadcast.is_empty() {
            format!("{:.0}% everywhere", 100.0 * m.reach.broadcast)
        } else {
            broadcast.join("; ")
        }
    );
    let rivals: Vec<&str> = sc
        .actors
        .iter()
        .filter(|a| a.id != *id)
        .map(|a| a.id.as_str())
        .collect();
    let _ = writeln!(o, "# Other actors (for propaganda): {}", rivals.join(", "));
    let stories: Vec<String> = sc
        .stories
        .iter()
        .map(|x| format!("{} (about {})", x.id, x.about))
        .collect();
    let _ = writeln!(
        o,
        "# Stories: {}",
        if stories.is_empty() {
            "none".to_string()
        } else {
            stories.join(", ")
        }
    );
    let _ = writeln!(
        o,
        "# Dimensions (for emphasis): {}\n#",
        sc.scenario.dimensions.join(", ")
    );
    let example_target = sc
        .populations
        .iter()
        .find(|p| p.home.as_deref() != Some(id.as_str()))
        .map_or("all", |p| p.id.as_str());
    let _ = writeln!(
        o,
        "# Example:\n\
# [[action]]\n\
# id = \"youth_online\"\n\
# instrument = \"messaging\"\n\
# channel = \"digital\"\n\
# targets = [\"{example_target}\"]\n\
# spend = {}\n#\n\
# Optional prediction, scored in the debrief (predict, observe, explain):\n\
# [prediction]\n\
# soft_power_change = 0.002   # expected change of your soft-power index this round\n\
# why = \"exchanges build trust slowly\"\n",
        num((per_round / 4.0).max(0.0))
    );
    let _ = writeln!(o, "team = \"{id}\"\nround = {}\nsubmitted = false", t.round);
    if let Some(prev) = t.previous {
        if !prev.actions.is_empty() {
            let _ = writeln!(
                o,
                "\n# Last round's choices, pre-filled: keep, change or delete."
            );
        }
        for a in &prev.actions {
            o.push('\n');
            o.push_str(&action_toml(a));
        }
    }
    o
}

/// One `[[action]]` block in the canonical layout.
pub fn action_toml(a: &Action) -> String {
    let mut o = String::from("[[action]]\n");
    let _ = writeln!(o, "id = {}", quote(&a.id));
    let _ = writeln!(o, "instrument = \"{}\"", a.instrument.as_str());
    if let Some(c) = a.channel {
        let _ = writeln!(o, "channel = \"{}\"", c.as_str());
    }
    let t: Vec<String> = a.targets.iter().map(|x| quote(x)).collect();
    let _ = writeln!(o, "targets = [{}]", t.join(", "));
    let _ = writeln!(o, "spend = {}", float(a.spend));
    if let Some(e) = &a.emphasis {
        let e: Vec<String> = e.iter().map(|x| float(*x)).collect();
        let _ = writeln!(o, "emphasis = [{}]", e.join(", "));
    }
    if let Some(x) = &a.against {
        let _ = writeln!(o, "against = {}", quote(x));
    }
    if let Some(x) = &a.story {
        let _ = writeln!(o, "story = {}", quote(x));
    }
    o
}

/// The decisions as played, in canonical TOML (archived with each round).
pub fn canonical(d: &Decisions) -> String {
    let mut o = format!(
        "team = {}\nround = {}\nsubmitted = {}\n",
        quote(&d.team),
        d.round,
        d.submitted
    );
    if let Some(p) = &d.prediction {
        let _ = write!(
            o,
            "\n[prediction]\nsoft_power_change = {}\nwhy = {}\n",
            float(p.soft_power_change),
            quote(&p.why)
        );
    }
    for a in &d.actions {
        o.push('\n');
        o.push_str(&action_toml(a));
    }
    o
}

fn quote(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn float(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.1}")
    } else {
        format!("{x}")
    }
}

fn people(n: f64) -> String {
    if n >= 1e6 {
        format!("{:.1} M", n / 1e6)
    } else {
        format!("{n:.0}")
    }
}
