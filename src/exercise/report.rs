//! Round reports and the final debrief: Markdown with PNG charts, one self-contained
//! HTML page (images embedded as data URIs), `scores.csv`; plus the instructor's README
//! and `injects.toml` written by `exercise new`. Text is built as a small list of blocks
//! rendered both to Markdown and to HTML, so the two never disagree.

use super::decisions::{Action, Decisions, num};
use super::game::Game;
use super::play::{Attribution, RoundOutcome, Source};
use super::{ATTRIBUTION_TOLERANCE, Settings};
use crate::engine::Engine;
use crate::error::Result;
use crate::metrics::Recorder;
use crate::plot::{self, BarChart, Heatmap, LineChart, Series};
use crate::scenario::{Inject, InjectKind, Instrument, Objective, Scenario};
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Everything recorded about one played round (`rounds/NN/round.json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RoundRecord {
    pub round: u32,
    pub rounds: u32,
    /// First tick of the round and the first tick after it.
    pub ticks: [u32; 2],
    pub tick_label: String,
    pub events: Vec<String>,
    pub notes: Vec<String>,
    pub attribution_tolerance: f64,
    pub teams: Vec<TeamRound>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TeamRound {
    pub team: String,
    pub name: String,
    pub submitted: bool,
    pub sp_start: f64,
    pub sp_end: f64,
    pub change: f64,
    /// 1 = highest score (not index) at the end of the round.
    pub rank: usize,
    /// What the team is scored on (`objective` of its actor).
    #[serde(default)]
    pub objective: Objective,
    /// The team's score after this round: what its actions in rounds 1..r changed,
    /// against its own do-nothing counterfactual (`play`, "Fair scores").
    #[serde(default)]
    pub score: f64,
    /// The team's actions this round, as played.
    #[serde(default)]
    pub actions: Vec<Action>,
    pub spent: f64,
    pub spent_by_instrument: BTreeMap<String, f64>,
    /// Budget left after the round (carried over).
    pub budget_left: f64,
    pub attribution: Attribution,
    pub prediction: Option<PredictionScore>,
}

/// A prediction scored 0–100: 0 in the wrong direction, else 50 plus 50 × max(0, 1 −
/// |log10(m(p) / m(o))|) for closeness, with m(x) = max(|x|, 10⁻⁴): symmetric in ratio,
/// so off by 2× above or below scores the same, and off by 10× or more scores 50.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PredictionScore {
    pub predicted: f64,
    pub observed: f64,
    pub error: f64,
    pub right_direction: bool,
    pub score: f64,
    pub why: String,
}

pub fn score_prediction(predicted: f64, observed: f64, why: &str) -> PredictionScore {
    // Changes below FLAT count as "no change"; it also bounds the ratio near zero.
    const FLAT: f64 = 1e-4;
    let right = if observed.abs() < FLAT {
        predicted.abs() < FLAT
    } else {
        predicted * observed > 0.0
    };
    let error = predicted - observed;
    let m = |x: f64| x.abs().max(FLAT);
    let close = (1.0 - (m(predicted) / m(observed)).log10().abs()).max(0.0);
    let score = if right { 50.0 + 50.0 * close } else { 0.0 };
    PredictionScore {
        predicted,
        observed,
        error,
        right_direction: right,
        score: (score * 10.0).round() / 10.0,
        why: why.to_string(),
    }
}

/// Team `t`'s score from the indices as played (`actual`) and had it done nothing
/// (`without`): see `play`, "Fair scores".
pub fn team_score(objective: Objective, t: usize, actual: &[f64], without: &[f64]) -> f64 {
    match objective {
        Objective::OwnIndex => actual[t] - without[t],
        Objective::DamageRivals => (0..actual.len())
            .filter(|&u| u != t)
            .map(|u| without[u] - actual[u])
            .sum(),
    }
}

fn objective_text(o: Objective) -> &'static str {
    match o {
        Objective::OwnIndex => "own index gained",
        Objective::DamageRivals => "rivals' index cost",
    }
}

/// One action in a line: instrument, channel, target, spend.
fn action_text(a: &Action) -> String {
    let mut o = format!("{}: {}", a.id, a.instrument.as_str());
    if let Some(c) = a.channel {
        let _ = write!(o, " ({})", c.as_str());
    }
    if let Some(x) = &a.against {
        let _ = write!(o, " against {x}");
    }
    if let Some(x) = &a.story {
        let _ = write!(o, " story {x}");
    }
    let _ = write!(o, " on {}, spend {}", a.targets.join(", "), num(a.spend));
    o
}

fn actions_text(t: &TeamRound) -> String {
    if t.actions.is_empty() {
        "nothing".into()
    } else {
        t.actions
            .iter()
            .map(action_text)
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Who seeded, fact-checked or prebunked each story: scripted campaigns of the scenario
/// and the teams' actions in the rounds recorded.
fn story_lines(
    sc: &Scenario,
    recs: &[RoundRecord],
    last_tick: u32,
    only_active: bool,
) -> Vec<String> {
    let mut out = Vec::new();
    for st in &sc.stories {
        let mut by: Vec<String> = sc
            .campaigns
            .iter()
            .filter(|c| c.story.as_deref() == Some(st.id.as_str()) && c.start < last_tick)
            .map(|c| {
                format!(
                    "{} by {} (scripted campaign {}, from tick {})",
                    verb(c.instrument),
                    c.actor,
                    c.id,
                    c.start
                )
            })
            .collect();
        // (what, who, action id) -> rounds, in order of first appearance.
        let mut acts: Vec<(StoryAct, Vec<u32>)> = Vec::new();
        for r in recs {
            for t in &r.teams {
                for a in &t.actions {
                    if a.story.as_deref() == Some(st.id.as_str()) {
                        let key = (verb(a.instrument), t.name.as_str(), a.id.as_str());
                        match acts.iter_mut().find(|(k, _)| *k == key) {
                            Some((_, rounds)) => rounds.push(r.round),
                            None => acts.push((key, vec![r.round])),
                        }
                    }
                }
            }
        }
        for ((what, who, id), rounds) in acts {
            let list: Vec<String> = rounds.iter().map(|x| x.to_string()).collect();
            by.push(format!(
                "{what} by {who} in round{} {} (action {id})",
                if rounds.len() > 1 { "s" } else { "" },
                list.join(", ")
            ));
        }
        if only_active && by.is_empty() {
            continue;
        }
        if st.initial_share > 0.0 {
            by.insert(
                0,
                format!(
                    "believed by {} of every public from the start",
                    st.initial_share
                ),
            );
        }
        if by.is_empty() {
            by.push("nobody seeded it".into());
        }
        out.push(format!(
            "Story \"{}\" (about {}): {}.",
            st.id,
            st.about,
            by.join("; ")
        ));
    }
    out
}

/// What was done to a story, by whom, with which action.
type StoryAct<'a> = (&'a str, &'a str, &'a str);

fn verb(i: Instrument) -> &'static str {
    match i {
        Instrument::Misinformation => "seeded",
        Instrument::FactCheck => "fact-checked",
        Instrument::Prebunk => "prebunked",
        _ => "used",
    }
}

const SCORE_TEXT: &str = "Score: what the team's own actions changed, against the same game in which that team did nothing (every other team's actions, the events and the random numbers kept). Most teams score the rise of their own index; a team whose objective is damage to rivals scores the fall its actions caused in the other teams' indices. A head start, drift and events that would have happened anyway do not count. Ranks follow the score; the index is shown for reference.";

const PREDICTION_TEXT: &str = "Prediction score out of 100: 0 in the wrong direction; else 50 for the direction (or for predicting no change, below 0.0001, when the index barely moved) plus 50 × max(0, 1 − |log10(predicted / observed)|) for closeness, on magnitudes of at least 0.0001: off by 2× above or below scores the same (85), off by 10× or more scores 50.";

/// 1 for the highest value; ties (e.g. nobody acted) go to the higher `then`.
fn ranks(values: &[f64], then: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| {
        values[b]
            .total_cmp(&values[a])
            .then(then[b].total_cmp(&then[a]))
            .then(a.cmp(&b))
    });
    let mut r = vec![0; values.len()];
    for (i, &t) in order.iter().enumerate() {
        r[t] = i + 1;
    }
    r
}

pub fn round_record(
    g: &Game,
    round: u32,
    chosen: &[Decisions],
    o: &RoundOutcome,
    notes: Vec<String>,
) -> RoundRecord {
    let objectives: Vec<Objective> = g
        .teams
        .iter()
        .map(|&a| g.scenario.actors[a].objective)
        .collect();
    let scores: Vec<f64> = (0..g.teams.len())
        .map(|t| team_score(objectives[t], t, &o.sp_end, &o.without[t]))
        .collect();
    let rk = ranks(&scores, &o.sp_end);
    let teams = (0..g.teams.len())
        .map(|t| {
            let d = &chosen[t];
            let actor = &g.scenario.actors[g.teams[t]];
            let change = o.sp_end[t] - o.sp_start[t];
            TeamRound {
                team: actor.id.clone(),
                name: actor.name.clone().unwrap_or_else(|| actor.id.clone()),
                submitted: d.submitted,
                sp_start: o.sp_start[t],
                sp_end: o.sp_end[t],
                change,
                rank: rk[t],
                objective: objectives[t],
                score: scores[t],
                actions: d.actions.clone(),
                spent: d.total_spend(),
                spent_by_instrument: Instrument::ALL
                    .iter()
                    .filter(|i| o.spent[t][i.index()] > 0.0)
                    .map(|i| (i.as_str().to_string(), o.spent[t][i.index()]))
                    .collect(),
                budget_left: g.budget_left(t, round) - d.total_spend(),
                attribution: o.attribution[t].clone(),
                prediction: d
                    .prediction
                    .as_ref()
                    .map(|p| score_prediction(p.soft_power_change, change, &p.why)),
            }
        })
        .collect();
    let (a, b) = g.settings.round_ticks(round);
    RoundRecord {
        round,
        rounds: g.settings.rounds,
        ticks: [a, b],
        tick_label: g.scenario.scenario.tick_label.clone(),
        events: o.events.clone(),
        notes,
        attribution_tolerance: ATTRIBUTION_TOLERANCE,
        teams,
    }
}

// ---------------------------------------------------------------- documents

enum Block {
    H(u8, String),
    P(String),
    List(Vec<String>),
    Table(Vec<String>, Vec<Vec<String>>),
    Img(String, String),
}

fn markdown(doc: &[Block]) -> String {
    let mut o = String::new();
    for b in doc {
        match b {
            Block::H(l, t) => {
                let _ = writeln!(o, "{} {t}\n", "#".repeat(*l as usize));
            }
            Block::P(t) => {
                let _ = writeln!(o, "{t}\n");
            }
            Block::List(items) => {
                for i in items {
                    let _ = writeln!(o, "- {i}");
                }
                o.push('\n');
            }
            Block::Table(h, rows) => {
                let cell = |s: &str| s.replace('|', "\\|");
                let _ = writeln!(
                    o,
                    "| {} |",
                    h.iter().map(|x| cell(x)).collect::<Vec<_>>().join(" | ")
                );
                let _ = writeln!(o, "|{}", "---|".repeat(h.len()));
                for r in rows {
                    let _ = writeln!(
                        o,
                        "| {} |",
                        r.iter().map(|x| cell(x)).collect::<Vec<_>>().join(" | ")
                    );
                }
                o.push('\n');
            }
            Block::Img(f, alt) => {
                let _ = writeln!(o, "![{alt}]({f})\n");
            }
        }
    }
    o
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// One HTML page with every image embedded; a tiny script records, for automated
/// checks, how many images decoded and whether any error occurred.
fn html(title: &str, doc: &[Block], images: &BTreeMap<String, Vec<u8>>) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\nbody {{ font-family: sans-serif; max-width: 1250px; margin: 1em auto; padding: 0 1em; color: #222; }}\ntable {{ border-collapse: collapse; margin: 0.5em 0 1.2em; }}\nth, td {{ border: 1px solid #bbb; padding: 0.25em 0.6em; text-align: left; }}\nth {{ background: #eef; }}\nimg {{ max-width: 100%; border: 1px solid #ddd; }}\n</style>\n<script>\nwindow.addEventListener('error', function () {{ document.body.dataset.errors = String(Number(document.body.dataset.errors || 0) + 1); }}, true);\nwindow.addEventListener('load', function () {{ var n = 0; document.querySelectorAll('img').forEach(function (i) {{ if (i.complete && i.naturalWidth > 0) n++; }}); document.body.dataset.imagesLoaded = String(n); }});\n</script>\n</head>\n<body>\n",
        esc(title)
    );
    for b in doc {
        match b {
            Block::H(l, t) => {
                let _ = writeln!(o, "<h{l}>{}</h{l}>", esc(t));
            }
            Block::P(t) => {
                let _ = writeln!(o, "<p>{}</p>", esc(t));
            }
            Block::List(items) => {
                o.push_str("<ul>\n");
                for i in items {
                    let _ = writeln!(o, "<li>{}</li>", esc(i));
                }
                o.push_str("</ul>\n");
            }
            Block::Table(h, rows) => {
                o.push_str("<table>\n<tr>");
                for x in h {
                    let _ = write!(o, "<th>{}</th>", esc(x));
                }
                o.push_str("</tr>\n");
                for r in rows {
                    o.push_str("<tr>");
                    for x in r {
                        let _ = write!(o, "<td>{}</td>", esc(x));
                    }
                    o.push_str("</tr>\n");
                }
                o.push_str("</table>\n");
            }
            Block::Img(f, alt) => {
                if let Some(bytes) = images.get(f) {
                    let _ = writeln!(
                        o,
                        "<p><img alt=\"{}\" src=\"data:image/png;base64,{}\"></p>",
                        esc(alt),
                        base64::engine::general_purpose::STANDARD.encode(bytes)
                    );
                }
            }
        }
    }
    o.push_str("</body>\n</html>\n");
    o
}

fn sp(x: f64) -> String {
    format!("{x:.4}")
}
fn score(x: f64) -> String {
    format!("{x:+.5}")
}
fn signed(x: f64) -> String {
    format!("{x:+.4}")
}

// ---------------------------------------------------------------- charts

fn team_names(g: &Game) -> Vec<String> {
    g.teams
        .iter()
        .map(|&a| {
            let x = &g.scenario.actors[a];
            x.name.clone().unwrap_or_else(|| x.id.clone())
        })
        .collect()
}

/// Each team in its actor's colour (as in `run`'s figures, so a team keeps its colour
/// in every round), with the world's events and injects marked where they strike.
fn scoreboard_chart(
    g: &Game,
    rec: &Recorder,
    world: &crate::world::World,
    title: String,
) -> Result<Vec<u8>> {
    let l = g.settings.ticks_per_round as f64;
    let names = team_names(g);
    let series = g
        .teams
        .iter()
        .enumerate()
        .map(|(t, &a)| Series {
            name: names[t].clone(),
            points: rec
                .actor_series(a, 0)
                .into_iter()
                .map(|(x, y)| (x / l, y))
                .collect(),
            color: Some(a),
            ..Default::default()
        })
        .collect();
    let markers = crate::output::figures::world_markers(world, false)
        .into_iter()
        .map(|m| plot::Marker { x: m.x / l, ..m })
        .collect();
    Ok(plot::line_chart(&LineChart {
        title,
        x_label: "Rounds played".into(),
        y_label: "Soft-power index (familiarity x trust x favourability)".into(),
        series,
        y_range: None,
        markers,
    })?)
}

fn favourability_chart(g: &Game, e: &Engine, title: String) -> Result<Vec<u8>> {
    let w = &e.world;
    let grouped = w.pops.len() > 40;
    let mut rows: Vec<String> = Vec::new();
    let mut sums: Vec<(f64, Vec<f64>)> = Vec::new();
    for p in 0..w.pops.len() {
        let key = if grouped {
            let home = w.actors.ids.get(w.pops.home[p] as usize);
            match (w.pops.group[p], home) {
                (Some(gr), _) => w.group_names[gr as usize].clone(),
                (None, Some(h)) => format!("home {h}"),
                (None, None) => w.pops.ids[p].clone(),
            }
        } else {
            w.pops.ids[p].clone()
        };
        let i = rows.iter().position(|k| *k == key).unwrap_or_else(|| {
            rows.push(key);
            sums.push((0.0, vec![0.0; g.teams.len()]));
            rows.len() - 1
        });
        let n = w.pops.size[p];
        sums[i].0 += n;
        for (t, &a) in g.teams.iter().enumerate() {
            sums[i].1[t] += n * w.favourability(p, a) as f64;
        }
    }
    Ok(plot::heatmap(&Heatmap {
        title,
        x_label: "Toward team".into(),
        y_label: if grouped {
            "Population group".into()
        } else {
            "Population".into()
        },
        rows,
        cols: team_names(g),
        values: sums
            .into_iter()
            .map(|(n, v)| v.into_iter().map(|x| x / n).collect())
            .collect(),
        range: (-1.0, 1.0),
        colorbar_label: "Favourability".into(),
        ..Default::default()
    })?)
}

/// Bars per team and instrument, plus the budget left.
fn budget_chart(
    g: &Game,
    spent: &[BTreeMap<String, f64>],
    left: &[f64],
    title: String,
) -> Result<Vec<u8>> {
    let mut series = Vec::new();
    let mut colors = Vec::new();
    for inst in Instrument::ALL {
        let v: Vec<f64> = spent
            .iter()
            .map(|m| m.get(inst.as_str()).copied().unwrap_or(0.0))
            .collect();
        if v.iter().any(|x| *x > 0.0) {
            series.push((inst.as_str().replace('_', "-"), v));
            // An instrument keeps its colour in every round, whichever others are used.
            colors.push(inst.index());
        }
    }
    series.push(("left (carried over)".to_string(), left.to_vec()));
    colors.push(Instrument::ALL.len());
    Ok(plot::bar_chart(&BarChart {
        title,
        x_label: "Team".into(),
        y_label: "Budget units".into(),
        groups: team_names(g),
        series,
        colors,
    })?)
}

fn attribution_chart(g: &Game, parts: &[[f64; 5]], title: String) -> Result<Vec<u8>> {
    let series = Source::ALL
        .iter()
        .enumerate()
        .map(|(i, s)| (s.label().to_string(), parts.iter().map(|p| p[i]).collect()))
        .collect();
    Ok(plot::bar_chart(&BarChart {
        title,
        x_label: "Team".into(),
        y_label: "Change of the soft-power index".into(),
        groups: team_names(g),
        series,
        ..Default::default()
    })?)
}

fn by_source(a: &Attribution) -> [f64; 5] {
    let mut v = [0.0; 5];
    for (i, s) in Source::ALL.iter().enumerate() {
        v[i] = a.by_source(*s);
    }
    v
}

// ---------------------------------------------------------------- round report

const ATTRIBUTION_TEXT: &str = "Each team's change is split by re-running the round from its start with sources switched off (same random numbers). Own actions, rivals' actions, misinformation (new seeding by others, and the harm done by belief in false stories about the team) and events get their Shapley value: the average extra change a source makes, over every order in which the sources could be added. Decay and drift is what the round would have done with nothing switched on (forgetting, neighbours talking). The parts add up to the total change";

pub fn round_files(
    g: &Game,
    rec: &RoundRecord,
    o: &RoundOutcome,
) -> Result<Vec<(String, Vec<u8>)>> {
    let r = rec.round;
    let label = &rec.tick_label;
    let mut doc = vec![
        Block::H(
            1,
            format!(
                "Round {r} of {}: {label}s {} to {}",
                rec.rounds,
                rec.ticks[0],
                rec.ticks[1] - 1
            ),
        ),
        Block::P(format!(
            "Scenario: {}. {}",
            g.scenario.scenario.name, g.scenario.scenario.description
        )),
        Block::H(2, "What happened".into()),
    ];
    let mut happened: Vec<String> = rec.events.clone();
    if happened.is_empty() {
        happened.push("No event this round.".into());
    }
    happened.extend(rec.notes.iter().cloned());
    doc.push(Block::List(happened));

    let mut order: Vec<&TeamRound> = rec.teams.iter().collect();
    order.sort_by_key(|t| t.rank);
    doc.push(Block::H(2, "Scoreboard".into()));
    doc.push(Block::P(SCORE_TEXT.into()));
    doc.push(Block::Table(
        [
            "rank",
            "team",
            "score",
            "scored on",
            "index at start",
            "index at end",
            "change",
            "spent",
            "budget left",
        ]
        .map(String::from)
        .to_vec(),
        order
            .iter()
            .map(|t| {
                vec![
                    t.rank.to_string(),
                    t.name.clone(),
                    score(t.score),
                    objective_text(t.objective).into(),
                    sp(t.sp_start),
                    sp(t.sp_end),
                    signed(t.change),
                    num(t.spent),
                    num(t.budget_left),
                ]
            })
            .collect(),
    ));
    doc.push(Block::H(2, "Decisions".into()));
    doc.push(Block::Table(
        ["team", "submitted", "actions"].map(String::from).to_vec(),
        rec.teams
            .iter()
            .map(|t| {
                vec![
                    t.name.clone(),
                    if t.submitted { "yes" } else { "no" }.into(),
                    actions_text(t),
                ]
            })
            .collect(),
    ));
    let stories = story_lines(&g.scenario, std::slice::from_ref(rec), rec.ticks[1], true);
    if !stories.is_empty() {
        doc.push(Block::H(2, "Stories and their authors this round".into()));
        doc.push(Block::List(stories));
    }
    doc.push(Block::Img(
        "scoreboard.png".into(),
        "Soft-power index per team".into(),
    ));

    doc.push(Block::H(2, "What moved and why".into()));
    doc.push(Block::P(format!(
        "{ATTRIBUTION_TEXT} (within {ATTRIBUTION_TOLERANCE:e}; the check column shows what is left)."
    )));
    let mut rows = Vec::new();
    for t in &rec.teams {
        for p in &t.attribution.parts {
            rows.push(vec![
                t.name.clone(),
                p.source.label().to_string(),
                if p.source == Source::Own {
                    p.label.clone()
                } else {
                    String::new()
                },
                signed(p.value),
            ]);
        }
        rows.push(vec![
            t.name.clone(),
            "total change".into(),
            format!("check: {:.1e}", t.attribution.residual),
            signed(t.attribution.total),
        ]);
    }
    doc.push(Block::Table(
        ["team", "source", "detail", "change"]
            .map(String::from)
            .to_vec(),
        rows,
    ));
    doc.push(Block::Img(
        "attribution.png".into(),
        "What moved each team's index this round".into(),
    ));

    doc.push(Block::H(2, "Favourability".into()));
    doc.push(Block::Img(
        "favourability.png".into(),
        "Favourability of each population toward each team".into(),
    ));
    doc.push(Block::H(2, "Budget".into()));
    doc.push(Block::Img(
        "budget.png".into(),
        "Budget spent per instrument and left".into(),
    ));

    let preds: Vec<Vec<String>> = rec
        .teams
        .iter()
        .filter_map(|t| t.prediction.as_ref().map(|p| (t, p)))
        .map(|(t, p)| {
            vec![
                t.name.clone(),
                signed(p.predicted),
                signed(p.observed),
                if p.right_direction { "yes" } else { "no" }.into(),
                format!("{:.0}", p.score),
                p.why.clone(),
            ]
        })
        .collect();
    doc.push(Block::H(2, "Predictions".into()));
    if preds.is_empty() {
        doc.push(Block::P("No team recorded a prediction this round.".into()));
    } else {
        doc.push(Block::P(PREDICTION_TEXT.into()));
        doc.push(Block::Table(
            [
                "team",
                "predicted",
                "observed",
                "direction right",
                "score",
                "why",
            ]
            .map(String::from)
            .to_vec(),
            preds,
        ));
    }

    let spent: Vec<BTreeMap<String, f64>> = rec
        .teams
        .iter()
        .map(|t| t.spent_by_instrument.clone())
        .collect();
    let left: Vec<f64> = rec.teams.iter().map(|t| t.budget_left).collect();
    let parts: Vec<[f64; 5]> = rec
        .teams
        .iter()
        .map(|t| by_source(&t.attribution))
        .collect();
    let images: BTreeMap<String, Vec<u8>> = [
        (
            "scoreboard.png".to_string(),
            scoreboard_chart(
                g,
                &o.recorder,
                &o.end.world,
                format!("Soft-power index per team, rounds 1 to {r}"),
            )?,
        ),
        (
            "favourability.png".into(),
            favourability_chart(g, &o.end, format!("Favourability at the end of round {r}"))?,
        ),
        (
            "budget.png".into(),
            budget_chart(g, &spent, &left, format!("Budget used in round {r}"))?,
        ),
        (
            "attribution.png".into(),
            attribution_chart(g, &parts, format!("What moved and why, round {r}"))?,
        ),
    ]
    .into_iter()
    .collect();
    let title = format!("Round {r} of {}: {}", rec.rounds, g.scenario.scenario.name);
    let mut files = vec![
        ("report.md".to_string(), markdown(&doc).into_bytes()),
        (
            "report.html".to_string(),
            html(&title, &doc, &images).into_bytes(),
        ),
    ];
    files.extend(images);
    Ok(files)
}

// ---------------------------------------------------------------- debrief

pub fn debrief_files(
    g: &Game,
    injects: &[Inject],
    engine: &Engine,
    rec: &Recorder,
) -> Result<Vec<(String, Vec<u8>)>> {
    let recs = &g.records;
    let n = recs.len();
    let names = team_names(g);
    let nt = g.teams.len();
    let mut doc = vec![
        Block::H(1, format!("Debrief: {}", g.scenario.scenario.name)),
        Block::P(format!(
            "{} {} of {} rounds played, {} {}s per round.",
            g.scenario.scenario.description,
            n,
            g.settings.rounds,
            g.settings.ticks_per_round,
            g.scenario.scenario.tick_label
        )),
        Block::H(2, "Timeline".into()),
        Block::Img(
            "timeline.png".into(),
            "Soft-power index per team over the game".into(),
        ),
    ];
    let mut rows = Vec::new();
    for r in recs {
        let mut row = vec![r.round.to_string()];
        for t in &r.teams {
            row.push(format!("{} ({})", sp(t.sp_end), t.rank));
        }
        row.push(if r.events.is_empty() {
            String::new()
        } else {
            r.events.join("; ")
        });
        rows.push(row);
    }
    let mut head = vec!["round".to_string()];
    head.extend(names.iter().map(|x| format!("{x}: index (rank)")));
    head.push("events".into());
    doc.push(Block::Table(head, rows));

    // Per-team totals over the game.
    let totals: Vec<[f64; 5]> = (0..nt)
        .map(|t| {
            let mut v = [0.0; 5];
            for r in recs {
                let b = by_source(&r.teams[t].attribution);
                for i in 0..5 {
                    v[i] += b[i];
                }
            }
            v
        })
        .collect();
    let last = &recs[n - 1];
    let first = &recs[0];
    doc.push(Block::H(2, "Per-team summary".into()));
    let mut rows = Vec::new();
    for t in 0..nt {
        let change = last.teams[t].sp_end - first.teams[t].sp_start;
        let spent: f64 = recs.iter().map(|r| r.teams[t].spent).sum();
        let (best, worst) = best_worst(recs, t);
        let preds: Vec<f64> = recs
            .iter()
            .filter_map(|r| r.teams[t].prediction.as_ref().map(|p| p.score))
            .collect();
        rows.push(vec![
            last.teams[t].rank.to_string(),
            names[t].clone(),
            score(last.teams[t].score),
            objective_text(last.teams[t].objective).into(),
            sp(last.teams[t].sp_end),
            signed(change),
            num(spent),
            format!("round {} ({})", best.0, signed(best.1)),
            format!("round {} ({})", worst.0, signed(worst.1)),
            main_source(&totals[t]),
            if preds.is_empty() {
                "-".into()
            } else {
                format!(
                    "{:.0} ({} made)",
                    preds.iter().sum::<f64>() / preds.len() as f64,
                    preds.len()
                )
            },
        ]);
    }
    rows.sort_by_key(|r| r[0].parse::<usize>().unwrap_or(usize::MAX));
    doc.push(Block::P(SCORE_TEXT.into()));
    doc.push(Block::Table(
        [
            "rank",
            "team",
            "score",
            "scored on",
            "final index",
            "change",
            "spent",
            "best round",
            "worst round",
            "what mattered most",
            "prediction score",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    ));

    doc.push(Block::H(2, "Turning points and their causes".into()));
    doc.push(Block::List(turning_points(recs, &names)));

    doc.push(Block::H(2, "Decisions log".into()));
    let mut head = vec!["round".to_string()];
    head.extend(names.iter().cloned());
    doc.push(Block::Table(
        head,
        recs.iter()
            .map(|r| {
                let mut row = vec![r.round.to_string()];
                row.extend(r.teams.iter().map(|t| {
                    let a = actions_text(t);
                    if t.submitted {
                        a
                    } else {
                        format!("{a} (not submitted)")
                    }
                }));
                row
            })
            .collect(),
    ));

    doc.push(Block::H(2, "Predictions and why".into()));
    let preds: Vec<Vec<String>> = recs
        .iter()
        .flat_map(|r| {
            r.teams.iter().filter_map(move |t| {
                t.prediction.as_ref().map(|p| {
                    vec![
                        r.round.to_string(),
                        t.name.clone(),
                        signed(p.predicted),
                        signed(p.observed),
                        format!("{:.0}", p.score),
                        p.why.clone(),
                    ]
                })
            })
        })
        .collect();
    if preds.is_empty() {
        doc.push(Block::P("No team recorded a prediction.".into()));
    } else {
        doc.push(Block::P(PREDICTION_TEXT.into()));
        doc.push(Block::Table(
            ["round", "team", "predicted", "observed", "score", "why"]
                .map(String::from)
                .to_vec(),
            preds,
        ));
    }
    let stories = story_lines(&g.scenario, recs, last_tick(recs), false);
    if !stories.is_empty() {
        doc.push(Block::H(2, "Stories and their authors".into()));
        doc.push(Block::List(stories));
    }

    doc.push(Block::H(
        2,
        "What moved and why, over the whole game".into(),
    ));
    doc.push(Block::P(format!(
        "{ATTRIBUTION_TEXT}, round by round; here the rounds are summed."
    )));
    doc.push(Block::Img(
        "attribution.png".into(),
        "Sources of each team's change, summed over rounds".into(),
    ));
    doc.push(Block::H(2, "Where each team stands".into()));
    doc.push(Block::Img(
        "favourability.png".into(),
        "Final favourability of each population toward each team".into(),
    ));
    doc.push(Block::H(2, "Budget".into()));
    doc.push(Block::Img(
        "budget.png".into(),
        "Budget spent per instrument over the game, and left".into(),
    ));
    let used: Vec<&Inject> = injects
        .iter()
        .filter(|i| i.round as usize <= n && !i.teaches.is_empty())
        .collect();
    if !used.is_empty() {
        doc.push(Block::H(2, "What the injects were meant to teach".into()));
        doc.push(Block::List(
            used.iter()
                .map(|i| format!("Round {}: {}: {}", i.round, i.title, i.teaches))
                .collect(),
        ));
    }

    let mut spent_total: Vec<BTreeMap<String, f64>> = vec![BTreeMap::new(); nt];
    for r in recs {
        for (t, tr) in r.teams.iter().enumerate() {
            for (k, v) in &tr.spent_by_instrument {
                *spent_total[t].entry(k.clone()).or_insert(0.0) += v;
            }
        }
    }
    let left: Vec<f64> = last.teams.iter().map(|t| t.budget_left).collect();
    let mut images = BTreeMap::new();
    images.insert(
        "timeline.png".to_string(),
        scoreboard_chart(
            g,
            rec,
            &engine.world,
            format!("Soft-power index per team, rounds 1 to {n}"),
        )?,
    );
    images.insert(
        "attribution.png".to_string(),
        attribution_chart(g, &totals, "What moved and why, all rounds".into())?,
    );
    images.insert(
        "favourability.png".to_string(),
        favourability_chart(g, engine, format!("Favourability after round {n}"))?,
    );
    images.insert(
        "budget.png".to_string(),
        budget_chart(g, &spent_total, &left, "Budget used over the game".into())?,
    );
    let title = format!("Debrief: {}", g.scenario.scenario.name);
    let mut files = vec![
        ("debrief.md".to_string(), markdown(&doc).into_bytes()),
        (
            "debrief.html".to_string(),
            html(&title, &doc, &images).into_bytes(),
        ),
        ("scores.csv".to_string(), scores_csv(g, &totals)?),
    ];
    files.extend(images);
    Ok(files)
}

fn last_tick(recs: &[RoundRecord]) -> u32 {
    recs.last().map_or(0, |r| r.ticks[1])
}

fn best_worst(recs: &[RoundRecord], t: usize) -> ((u32, f64), (u32, f64)) {
    let mut best = (recs[0].round, recs[0].teams[t].change);
    let mut worst = best;
    for r in recs {
        let c = r.teams[t].change;
        if c > best.1 {
            best = (r.round, c);
        }
        if c < worst.1 {
            worst = (r.round, c);
        }
    }
    (best, worst)
}

fn main_source(v: &[f64; 5]) -> String {
    let i = (0..5)
        .max_by(|&a, &b| v[a].abs().total_cmp(&v[b].abs()))
        .unwrap_or(0);
    format!("{} ({})", Source::ALL[i].label(), signed(v[i]))
}

/// The largest move of each round and the change of leader, with their main cause.
fn turning_points(recs: &[RoundRecord], names: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut leader: Option<usize> = None;
    for r in recs {
        let (t, tr) = r
            .teams
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.change.abs().total_cmp(&b.1.change.abs()))
            .expect("at least one team");
        let part = tr
            .attribution
            .parts
            .iter()
            .max_by(|a, b| a.value.abs().total_cmp(&b.value.abs()));
        let cause = part.map_or(String::new(), |p| {
            let what = if p.source == Source::Own {
                format!("its own {}", p.label)
            } else {
                p.source.label().to_string()
            };
            format!(", mostly from {what} ({})", signed(p.value))
        });
        let verb = if tr.change >= 0.0 { "rose" } else { "fell" };
        let ev = if r.events.is_empty() {
            String::new()
        } else {
            format!(" Events: {}.", r.events.join("; "))
        };
        out.push(format!(
            "Round {}: the biggest move was {}'s index, which {verb} by {:.4}{cause}.{ev}",
            r.round,
            names[t],
            tr.change.abs()
        ));
        let top = r.teams.iter().position(|x| x.rank == 1).unwrap_or(0);
        if let Some(l) = leader
            && l != top
        {
            out.push(format!(
                "Round {}: {} overtook {} for first place.",
                r.round, names[top], names[l]
            ));
        }
        leader = Some(top);
    }
    out
}

fn scores_csv(g: &Game, totals: &[[f64; 5]]) -> Result<Vec<u8>> {
    let recs = &g.records;
    let last = &recs[recs.len() - 1];
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut head = vec![
        "team",
        "name",
        "rank",
        "soft_power_start",
        "soft_power_final",
        "change",
        "spent",
        "budget_left",
        "predictions",
        "prediction_score_mean",
    ]
    .into_iter()
    .map(String::from)
    .collect::<Vec<_>>();
    head.extend(
        Source::ALL
            .iter()
            .map(|s| format!("from_{}", s.label().replace([' ', '\''], "_"))),
    );
    head.extend(["objective".to_string(), "score".to_string()]);
    w.write_record(&head)?;
    let names = team_names(g);
    for t in 0..g.teams.len() {
        let preds: Vec<f64> = recs
            .iter()
            .filter_map(|r| r.teams[t].prediction.as_ref().map(|p| p.score))
            .collect();
        let mut row = vec![
            g.settings.teams[t].clone(),
            names[t].clone(),
            last.teams[t].rank.to_string(),
            format!("{}", recs[0].teams[t].sp_start),
            format!("{}", last.teams[t].sp_end),
            format!("{}", last.teams[t].sp_end - recs[0].teams[t].sp_start),
            num(recs.iter().map(|r| r.teams[t].spent).sum()),
            num(last.teams[t].budget_left),
            preds.len().to_string(),
            if preds.is_empty() {
                String::new()
            } else {
                format!("{:.1}", preds.iter().sum::<f64>() / preds.len() as f64)
            },
        ];
        row.extend(totals[t].iter().map(|v| format!("{v}")));
        row.push(last.teams[t].objective.as_str().to_string());
        row.push(format!("{}", last.teams[t].score));
        w.write_record(&row)?;
    }
    Ok(w.into_inner()?)
}

// ---------------------------------------------------------------- new game files

/// `injects.toml`: the scenario's injects, or a commented example.
pub fn injects_toml(sc: &Scenario, s: &Settings, injects: &[Inject]) -> String {
    let mut o = format!(
        "# INSTRUCTOR ONLY: do not share with the teams.\n\
# Surprise events (injects), applied when `exercise advance` plays their round.\n\
# round = 1..{}; at = tick within the round (0..{}); kind = \"scandal\" (actor, severity 0..1:\n\
# credibility and trust cut, more among people online) or \"crisis\" (dimension, boost,\n\
# optional duration in ticks and populations: one dimension becomes salient).\n\
# title is shown in the round report; teaches is shown in the final debrief.\n\
# Edit freely before the round is played; `exercise status` checks this file too.\n",
        s.rounds,
        s.ticks_per_round - 1
    );
    if injects.is_empty() {
        let who = s.teams.first().map_or("", |t| t.as_str());
        let _ = write!(
            o,
            "#\n# Example:\n# [[inject]]\n# round = {}\n# at = 0\n# title = \"Hack-and-leak\"\n# teaches = \"credibility is lost fast and regained slowly\"\n# kind = \"scandal\"\n# actor = \"{who}\"\n# severity = 0.4\n",
            s.rounds.min(3)
        );
    }
    for i in injects {
        let _ = write!(
            o,
            "\n[[inject]]\nround = {}\nat = {}\ntitle = {}\nteaches = {}\nkind = \"{}\"\n",
            i.round,
            i.at,
            toml::Value::String(i.title.clone()),
            toml::Value::String(i.teaches.clone()),
            match i.kind {
                InjectKind::Scandal => "scandal",
                InjectKind::Crisis => "crisis",
            }
        );
        if let Some(a) = &i.actor {
            let _ = writeln!(o, "actor = {}", toml::Value::String(a.clone()));
        }
        if let Some(v) = i.severity {
            let _ = writeln!(o, "severity = {v}");
        }
        if let Some(d) = &i.dimension {
            let _ = writeln!(o, "dimension = {}", toml::Value::String(d.clone()));
        }
        if let Some(v) = i.boost {
            let _ = writeln!(o, "boost = {v}");
        }
        if let Some(v) = i.duration {
            let _ = writeln!(o, "duration = {v}");
        }
        if let Some(p) = &i.populations {
            let v: Vec<String> = p
                .iter()
                .map(|x| toml::Value::String(x.clone()).to_string())
                .collect();
            let _ = writeln!(o, "populations = [{}]", v.join(", "));
        }
    }
    let _ = sc;
    o
}

/// `README.md` of a game folder. Teams read it, so it says only that surprises will come:
/// the plan is in `injects.toml` and `exercise status --instructor`.
pub fn instructor_readme(sc: &Scenario, s: &Settings, _injects: &[Inject]) -> String {
    let label = &sc.scenario.tick_label;
    let mut o = format!(
        "# Classroom exercise: {}\n\n{}\n\n{} rounds of {} {label}s each. Teams:\n\n",
        sc.scenario.name, sc.scenario.description, s.rounds, s.ticks_per_round
    );
    for t in &s.teams {
        let a = sc.actors.iter().find(|a| &a.id == t).expect("team actor");
        let _ = writeln!(
            o,
            "- **{}** (`{t}`): budget {} units per round",
            a.name.as_deref().unwrap_or(t),
            num(a.budget * s.ticks_per_round as f64)
        );
    }
    let _ = write!(
        o,
        "\n## Running a round\n\n\
1. Each team edits `decisions/round-NN/<team>.toml` (commented: instruments, targets,\n   costs, budget left, an example) and sets `submitted = true`.\n\
2. `softpower exercise status .` shows who has submitted and explains every problem\n   (file, line, field, what is allowed).\n\
3. `softpower exercise advance .` plays the round once every team has submitted\n   (`--missing hold` or `--missing repeat` for teams that have not). It writes\n   `rounds/NN/report.md` with charts, and next round's decisions pre-filled with the\n   last choices.\n\
4. Project `rounds/NN/report.html` (or `report.md`): scoreboard, decisions,\n   favourability, budget, and *what moved and why* for every team; ask each team to\n   explain its result.\n\
5. `softpower exercise rewind . --to N` goes back to the start of round N (later rounds\n   are set aside in `rewound/`, never deleted).\n\
6. `softpower exercise report .` writes the final debrief to `debrief/`: Markdown, one\n   HTML page to project, and `scores.csv` for grading.\n\n\
Budgets: each round adds a team's allowance; unspent budget carries over. Scores:\n\
each team is scored on what its own actions changed, against the same game in which\n\
it did nothing. Predictions (`[prediction] soft_power_change`) are optional and scored\n\
in each report (out of 100: 50 for the direction, 50 for closeness in ratio).\n\n\
## Surprises\n\nExpect the unexpected: events you cannot plan for may strike during the game. Each is\n\
announced only in the report of the round in which it happens.\n\n\
Instructor: the plan is in `injects.toml` (do not share it) and in\n\
`softpower exercise status . --instructor` (not for projection).\n"
    );
    o.push_str("\nSee docs/TEACHING.md in the softpower repository for a lesson plan and discussion questions.\n");
    o
}

#[cfg(test)]
mod tests {
    use super::score_prediction;
    use proptest::prelude::*;

    proptest! {
        /// Off by the same ratio above or below scores the same, and more is worse.
        #[test]
        fn prediction_scores_are_symmetric_in_ratio(
            observed in prop_oneof![1e-3f64..0.5, -0.5f64..-1e-3],
            k in 1.0f64..30.0,
        ) {
            let above = score_prediction(observed * k, observed, "").score;
            let below = score_prediction(observed / k, observed, "").score;
            prop_assert!((above - below).abs() <= 0.1, "{above} vs {below}");
            let further = score_prediction(observed * k * 1.5, observed, "").score;
            prop_assert!(further <= above);
            prop_assert!((50.0..=100.0).contains(&above));
        }
    }

    #[test]
    fn prediction_scores_follow_the_documented_formula() {
        let s = |p: f64, o: f64| score_prediction(p, o, "").score;
        assert_eq!(s(0.01, 0.01), 100.0);
        // 50 + 50 (1 - log10 2) = 84.95, and 50 + 50 (1 - log10 8) = 54.85.
        assert!((s(0.02, 0.01) - 84.95).abs() <= 0.051);
        assert!((s(0.005, 0.01) - 84.95).abs() <= 0.051);
        assert!((s(0.08, 0.01) - 54.85).abs() <= 0.051);
        assert!((s(0.00125, 0.01) - 54.85).abs() <= 0.051);
        assert_eq!(s(0.2, 0.01), 50.0);
        assert_eq!(s(-0.01, 0.01), 0.0);
        // No change predicted when the index barely moved: full marks.
        assert_eq!(s(0.0, 5e-5), 100.0);
    }
}
