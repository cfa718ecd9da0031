//! The team's form, as the page sends it (every field a string, as typed), turned into
//! a decisions file and checked by the same `decisions::parse` as `exercise status`.
//! Problems the form itself can show (a spend that is not a number, no instrument
//! chosen) are added to the checker's, so the team sees every problem at once.

use super::super::Game;
use super::super::decisions::{self, Action, Decisions, Prediction};
use crate::model::{Channel, Instrument};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct Form {
    /// The round the team is deciding (a page left open across a round is refused).
    pub round: u32,
    pub prediction: String,
    pub why: String,
    pub actions: Vec<FormAction>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct FormAction {
    pub id: String,
    pub instrument: String,
    pub channel: String,
    pub targets: Vec<String>,
    pub spend: String,
    pub against: String,
    pub story: String,
    pub emphasis: String,
}

/// One problem, at a field of the decisions file (`action[0].spend`; empty for the file).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Problem {
    pub field: String,
    pub message: String,
    pub help: Option<String>,
}

pub struct Checked {
    /// The decisions file's text, when it has no problem.
    pub text: Option<String>,
    pub decisions: Option<Decisions>,
    pub problems: Vec<Problem>,
    pub spend: f64,
    pub budget_left: f64,
}

fn problem(field: String, message: impl Into<String>, help: &str) -> Problem {
    Problem {
        field,
        message: message.into(),
        help: (!help.is_empty()).then(|| help.to_string()),
    }
}

fn number(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok().filter(|x| x.is_finite())
}

/// Turns the form into decisions (`submitted = true`) and checks them for `team` in the
/// game's next round. `header` (the comments kept from the file) starts the text.
pub fn check(g: &Game, team: usize, form: &Form, header: &str) -> Checked {
    let round = g.current();
    let budget_left = if g.finished() {
        0.0
    } else {
        g.budget_left(team, round)
    };
    let mut problems = Vec::new();
    if g.finished() {
        problems.push(problem(
            String::new(),
            "the game is over: there is no round left to decide",
            "",
        ));
    }
    // Actions whose instrument is unknown get only the form's problems: the checker's
    // would be about a guess.
    let mut guessed = Vec::new();
    let mut actions = Vec::new();
    for (i, a) in form.actions.iter().enumerate() {
        let at = |k: &str| format!("action[{i}].{k}");
        let instrument = Instrument::ALL
            .into_iter()
            .find(|x| x.as_str() == a.instrument.trim());
        if instrument.is_none() {
            guessed.push(i);
            problems.push(problem(
                at("instrument"),
                if a.instrument.trim().is_empty() {
                    "no instrument chosen".to_string()
                } else {
                    format!("\"{}\" is not an instrument", a.instrument.trim())
                },
                "choose one: messaging, exchange, propaganda, misinformation, fact_check or prebunk",
            ));
        }
        let channel = match a.channel.trim() {
            "" => None,
            c => {
                let ch = Channel::ALL.into_iter().find(|x| x.as_str() == c);
                if ch.is_none() {
                    problems.push(problem(
                        at("channel"),
                        format!("\"{c}\" is not a channel"),
                        "choose digital or broadcast",
                    ));
                }
                ch
            }
        };
        let spend = match number(&a.spend) {
            Some(x) => x,
            None => {
                problems.push(problem(
                    at("spend"),
                    if a.spend.trim().is_empty() {
                        "no spend given".to_string()
                    } else {
                        format!("\"{}\" is not a number", a.spend.trim())
                    },
                    "budget units for the whole round, e.g. 4 or 2.5",
                ));
                0.0
            }
        };
        let emphasis = if a.emphasis.trim().is_empty() {
            None
        } else {
            let v: Vec<Option<f64>> = a.emphasis.split(',').map(number).collect();
            if v.iter().any(Option::is_none) {
                problems.push(problem(
                    at("emphasis"),
                    format!("\"{}\" is not a list of numbers", a.emphasis.trim()),
                    "one weight per dimension, separated by commas, e.g. 1, 0, 0",
                ));
                None
            } else {
                Some(v.into_iter().flatten().collect())
            }
        };
        let opt = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
        actions.push(Action {
            id: a.id.trim().to_string(),
            instrument: instrument.unwrap_or(Instrument::Messaging),
            targets: a.targets.iter().map(|t| t.trim().to_string()).collect(),
            spend,
            channel,
            emphasis,
            against: opt(&a.against),
            story: opt(&a.story),
        });
    }
    let prediction = match (form.prediction.trim(), form.why.trim()) {
        ("", "") => None,
        ("", why) => {
            problems.push(problem(
                "prediction.soft_power_change".into(),
                "a why without a predicted change",
                "enter the change of your index you expect this round (e.g. 0.002), or clear the why",
            ));
            Some(Prediction {
                soft_power_change: 0.0,
                why: why.to_string(),
            })
        }
        (p, why) => match number(p) {
            Some(x) => Some(Prediction {
                soft_power_change: x,
                why: why.to_string(),
            }),
            None => {
                problems.push(problem(
                    "prediction.soft_power_change".into(),
                    format!("\"{p}\" is not a number"),
                    "the expected change of your index this round, e.g. 0.002 or -0.001",
                ));
                None
            }
        },
    };
    let d = Decisions {
        team: g.settings.teams[team].clone(),
        round: form.round,
        submitted: true,
        prediction,
        actions,
    };
    let spend = d.total_spend();
    let text = format!("{header}{}", decisions::canonical(&d));
    let path = g.decisions_path(team, round);
    let form_fields: Vec<String> = problems.iter().map(|p| p.field.clone()).collect();
    if !g.finished()
        && let Err(e) = decisions::parse(
            &text,
            &path,
            &g.scenario,
            &g.settings,
            &g.settings.teams[team],
            round,
            budget_left,
        )
    {
        for dg in e.diagnostics {
            let field = dg.path.to_string();
            // An id problem stands whatever the instrument; the rest would be about a guess.
            let on_guess = guessed.iter().any(|i| {
                field.starts_with(&format!("action[{i}]")) && field != format!("action[{i}].id")
            });
            if on_guess || form_fields.contains(&field) {
                continue;
            }
            problems.push(Problem {
                field,
                message: dg.message,
                help: dg.help,
            });
        }
    }
    let ok = problems.is_empty();
    Checked {
        text: ok.then_some(text),
        decisions: ok.then_some(d),
        problems,
        spend,
        budget_left,
    }
}

/// The comment lines that open a decisions file (kept when the page rewrites it).
pub fn header_of(text: &str) -> String {
    let mut o = String::new();
    for line in text.lines() {
        let t = line.trim();
        if !(t.is_empty() || t.starts_with('#')) {
            break;
        }
        o.push_str(line);
        o.push('\n');
    }
    o
}

/// The form pre-filled from decisions.
pub fn from_decisions(d: &Decisions) -> Form {
    Form {
        round: d.round,
        prediction: d
            .prediction
            .as_ref()
            .map_or(String::new(), |p| p.soft_power_change.to_string()),
        why: d
            .prediction
            .as_ref()
            .map_or(String::new(), |p| p.why.clone()),
        actions: d
            .actions
            .iter()
            .map(|a| FormAction {
                id: a.id.clone(),
                instrument: a.instrument.as_str().into(),
                channel: a.channel.map_or(String::new(), |c| c.as_str().into()),
                targets: a.targets.clone(),
                spend: a.spend.to_string(),
                against: a.against.clone().unwrap_or_default(),
                story: a.story.clone().unwrap_or_default(),
                emphasis: a.emphasis.as_ref().map_or(String::new(), |e| {
                    e.iter()
                        .map(|x| x.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                }),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_is_the_comments_before_the_first_setting() {
        let t = "# a\n#\n\n# b\nteam = \"x\"\n# not header\n";
        assert_eq!(header_of(t), "# a\n#\n\n# b\n");
        assert_eq!(header_of("team = \"x\"\n"), "");
    }

    #[test]
    fn only_finite_numbers_are_numbers() {
        assert_eq!(number(" 2.5 "), Some(2.5));
        for bad in ["", "x", "NaN", "inf", "1e999"] {
            assert_eq!(number(bad), None, "{bad}");
        }
    }
}
