//! Simulating a game's rounds and explaining each round's change.
//!
//! **What moved and why.** For team i and round r, let v(S) be i's soft-power index at
//! the end of the round when the round is re-run from its saved start state with only
//! the factors in S switched on. The factors are: each of i's own actions this round;
//! rivals' actions (every other actor's campaigns active in the round, except
//! misinformation); misinformation (other actors' misinformation campaigns, and the harm
//! of belief in false stories about i, whenever they were seeded); events
//! (scripted events and injects due in the round). With every factor off, what remains
//! is the carry-over of earlier rounds: forgetting, social influence and stories already
//! spreading without harming i ("decay and drift", v(∅) − start). Each factor gets its Shapley value
//! φ_f = Σ_{S ⊆ F∖f} |S|!(n−|S|−1)!/n! · (v(S ∪ f) − v(S)), which splits interactions
//! fairly and adds up exactly: decay + Σ φ_f = v(F) − start = the total change. All
//! counterfactuals share the random numbers of the real run (streams keyed by tick, phase
//! and population), so they differ only through the factors. The residual (total minus
//! the parts) is reported and must stay below `ATTRIBUTION_TOLERANCE`.
//!
//! **Fair scores.** A team's score compares the game as played with the same game in
//! which that team did nothing: w_t(u) is team u's index at the end of round r when every
//! action of team t in rounds 1..r is removed and everything else (other teams' actions,
//! events, injects, random numbers) is kept. Own-index teams score x_t − w_t(t); teams
//! whose objective is damage to rivals score Σ_{u≠t} (w_t(u) − x_u). A head start, drift
//! and events that would have happened anyway cancel out.

use super::Settings;
use super::decisions::Decisions;
use crate::engine::Engine;
use crate::experiment::advance;
use crate::metrics::{Recorder, actor_stats};
use crate::scenario::{Inject, Instrument, Scenario, ScenarioError, check};
use crate::world::World;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Own actions beyond this many are grouped by instrument (2^n re-runs per team).
const MAX_OWN_FACTORS: usize = 5;

/// One played round: every team's decisions, in team order.
#[derive(Debug, Clone)]
pub struct Played {
    pub decisions: Vec<Decisions>,
}

/// What a game is made of, apart from the rounds played.
pub struct Setup<'a> {
    pub sc: &'a Scenario,
    /// Folder the scenario's files (edge lists) are read from.
    pub base: &'a std::path::Path,
    pub settings: &'a Settings,
    /// Actor index of each team.
    pub teams: &'a [usize],
    pub injects: &'a [Inject],
}

/// Where a compiled campaign came from.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Origin {
    Scripted,
    Team { team: usize, round: u32 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Own,
    Rivals,
    Misinformation,
    Events,
    Decay,
}

impl Source {
    pub const ALL: [Source; 5] = [
        Source::Own,
        Source::Rivals,
        Source::Misinformation,
        Source::Events,
        Source::Decay,
    ];
    pub fn label(self) -> &'static str {
        match self {
            Source::Own => "own campaigns",
            Source::Rivals => "rivals' actions",
            Source::Misinformation => "misinformation",
            Source::Events => "events",
            Source::Decay => "decay and drift",
        }
    }
}

/// One part of a team's change in a round.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Contribution {
    pub source: Source,
    pub label: String,
    pub value: f64,
}

/// A team's change in one round, explained.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Attribution {
    pub total: f64,
    pub parts: Vec<Contribution>,
    /// Total minus the sum of the parts.
    pub residual: f64,
}

/// The simulated round: the record so far, the end state and the explanations.
pub struct RoundOutcome {
    pub recorder: Recorder,
    pub end: Engine,
    pub sp_start: Vec<f64>,
    pub sp_end: Vec<f64>,
    /// Spend this round per team and instrument (budget units).
    pub spent: Vec<[f64; Instrument::ALL.len()]>,
    pub attribution: Vec<Attribution>,
    /// Descriptions of the scripted events and injects due this round.
    pub events: Vec<String>,
    /// `without[t][u]`: team u's index at the end of the round had team t done nothing
    /// in any round so far (same random numbers; see "Fair scores").
    pub without: Vec<Vec<f64>>,
}

struct Built {
    world: World,
    origins: Vec<Origin>,
    /// Description of each shock, in world order.
    shock_notes: Vec<String>,
}

/// The scenario plus every played round's actions and the injects of those rounds.
/// The round's scenario is checked again like any edited scenario; decisions and injects
/// were checked when read, so an error here means the game folder changed underneath.
fn build(setup: &Setup, played: &[Played]) -> Result<Built, ScenarioError> {
    let mut sc = setup.sc.clone();
    let s = setup.settings;
    sc.scenario.ticks = s.total_ticks();
    let mut origins = vec![Origin::Scripted; sc.campaigns.len()];
    for (r, p) in played.iter().enumerate() {
        let round = r as u32 + 1;
        for (t, d) in p.decisions.iter().enumerate() {
            for a in &d.actions {
                sc.campaigns.push(a.campaign(&s.teams[t], round, s));
                origins.push(Origin::Team { team: t, round });
            }
        }
    }
    let mut shock_notes: Vec<String> = sc.events.iter().map(event_note).collect();
    for inj in setup.injects {
        if (inj.round as usize) <= played.len()
            && let Ok(e) = inj.to_event(s.ticks_per_round)
        {
            let note = if inj.title.is_empty() {
                event_note(&e)
            } else {
                format!("{} ({})", inj.title, event_note(&e))
            };
            sc.events.push(e);
            shock_notes.push(note);
        }
    }
    let checked = check(&sc, setup.base).map_err(|diagnostics| ScenarioError {
        file: setup.base.join("scenario.toml"),
        diagnostics,
    })?;
    Ok(Built {
        world: crate::world::build(&checked),
        origins,
        shock_notes,
    })
}

fn event_note(e: &crate::scenario::Event) -> String {
    use crate::scenario::Event;
    match e {
        Event::Scandal {
            tick,
            actor,
            severity,
        } => format!("scandal hits {actor} at tick {tick} (severity {severity})"),
        Event::Crisis {
            tick,
            dimension,
            boost,
            duration,
            ..
        } => format!(
            "crisis makes {dimension} salient from tick {tick}{} (boost {boost})",
            duration.map_or(String::new(), |d| format!(" for {d} ticks"))
        ),
    }
}

fn shock_tick(s: &crate::world::Shock) -> u32 {
    match s {
        crate::world::Shock::Scandal { tick, .. } | crate::world::Shock::Crisis { tick, .. } => {
            *tick
        }
    }
}

/// Soft-power index of every team.
pub fn team_sp(w: &World, teams: &[usize]) -> Vec<f64> {
    let st = actor_stats(w);
    teams.iter().map(|&a| st[a].soft_power).collect()
}

/// Simulates the game through the last round in `played` (recording every tick), and
/// explains that round.
pub fn simulate_round(setup: &Setup, played: &[Played]) -> Result<RoundOutcome, ScenarioError> {
    let round = played.len() as u32;
    let (start_tick, end_tick) = setup.settings.round_ticks(round);
    let built = build(setup, played)?;
    let mut engine = Engine::new(built.world.clone());
    let mut recorder = Recorder::new(&engine);
    advance(&mut engine, start_tick, Some(&mut recorder), |_| {});
    let start = engine.clone();
    advance(
        &mut engine,
        end_tick - start_tick,
        Some(&mut recorder),
        |_| {},
    );
    let teams = setup.teams;
    let sp_start = team_sp(&start.world, teams);
    let sp_end = team_sp(&engine.world, teams);
    let spent = teams
        .iter()
        .map(|&a| {
            let mut v = [0.0; Instrument::ALL.len()];
            for inst in Instrument::ALL {
                v[inst.index()] = engine.spent(a, inst) - start.spent(a, inst);
            }
            v
        })
        .collect();
    let events = built
        .world
        .shocks
        .iter()
        .zip(&built.shock_notes)
        .filter(|(s, _)| (start_tick..end_tick).contains(&shock_tick(s)))
        .map(|(_, n)| n.clone())
        .collect();
    let attribution = (0..teams.len())
        .map(|t| {
            explain(
                &start,
                &built,
                setup,
                t,
                round,
                end_tick - start_tick,
                sp_start[t],
                sp_end[t],
            )
        })
        .collect();
    let without = (0..teams.len())
        .into_par_iter()
        .map(|t| without_team(&built, teams, t, end_tick))
        .collect();
    Ok(RoundOutcome {
        recorder,
        end: engine,
        sp_start,
        sp_end,
        spent,
        attribution,
        events,
        without,
    })
}

/// Actions of the last round in `played` that provably do nothing, as (team, action id,
/// why): no spend; a channel on which the actor reaches nobody in any target (no
/// broadcast presence, or publics with no internet); fact-checking a story that nobody
/// believes from the start or seeds before the round ends.
pub fn no_ops(
    setup: &Setup,
    played: &[Played],
) -> Result<Vec<(usize, String, String)>, ScenarioError> {
    let round = played.len() as u32;
    let (_, t1) = setup.settings.round_ticks(round);
    let built = build(setup, played)?;
    let w = &built.world;
    let mut out = Vec::new();
    for (i, c) in w.campaigns.iter().enumerate() {
        let Origin::Team { team, round: r } = built.origins[i] else {
            continue;
        };
        if r != round {
            continue;
        }
        let id = c.id.rsplit('/').next().unwrap_or(&c.id).to_string();
        let why = if c.spend <= 0.0 {
            Some("it spends nothing".to_string())
        } else if c.instrument != Instrument::Exchange
            && c.targets.iter().all(|&p| {
                crate::engine::phases::exposure(w, c.actor as usize, c.channel, p as usize, 1.0)
                    <= 0.0
            })
        {
            Some(format!(
                "{} reaches nobody in its targets on the {} channel{}",
                w.actors.ids[c.actor as usize],
                c.channel.as_str(),
                if c.channel == crate::scenario::Channel::Broadcast {
                    " (no broadcast presence there)"
                } else {
                    " (no internet access there)"
                }
            ))
        } else if c.instrument == Instrument::FactCheck {
            let j = c.story as usize;
            let seeded = setup
                .sc
                .stories
                .get(j)
                .is_some_and(|s| s.initial_share > 0.0)
                || w.campaigns.iter().any(|k| {
                    k.instrument == Instrument::Misinformation
                        && k.story as usize == j
                        && k.spend > 0.0
                        && k.start < t1
                        && k.end > k.start
                });
            (!seeded).then(|| {
                format!(
                    "nobody has seeded story \"{}\" so far, so there is nothing to correct (prebunking works before a story arrives)",
                    w.stories.ids[j]
                )
            })
        } else {
            None
        };
        if let Some(why) = why {
            out.push((team, id, why));
        }
    }
    Ok(out)
}

/// Every team's index after `ticks` ticks with all of `team`'s actions switched off,
/// the way `explain` switches factors off (same world, same random streams).
fn without_team(built: &Built, teams: &[usize], team: usize, ticks: u32) -> Vec<f64> {
    let mut e = Engine::new(built.world.clone());
    for (i, o) in built.origins.iter().enumerate() {
        if matches!(o, Origin::Team { team: t, .. } if *t == team) {
            e.world.campaigns[i].switch_off();
        }
    }
    advance(&mut e, ticks, None, |_| {});
    team_sp(&e.world, teams)
}

/// Simulates every played round without explanations (for the final debrief).
pub fn simulate_game(
    setup: &Setup,
    played: &[Played],
) -> Result<(Engine, Recorder), ScenarioError> {
    let built = build(setup, played)?;
    let mut engine = Engine::new(built.world);
    let mut recorder = Recorder::new(&engine);
    let ticks = setup.settings.ticks_per_round * played.len() as u32;
    advance(&mut engine, ticks, Some(&mut recorder), |_| {});
    Ok((engine, recorder))
}

struct Factor {
    source: Source,
    label: String,
    campaigns: Vec<usize>,
    shocks: Vec<usize>,
    /// Stories whose harm is switched off with the factor.
    stories: Vec<usize>,
}

#[allow(clippy::too_many_arguments)]
fn explain(
    start: &Engine,
    built: &Built,
    setup: &Setup,
    team: usize,
    round: u32,
    ticks: u32,
    sp_start: f64,
    sp_end: f64,
) -> Attribution {
    let w = &start.world;
    let actor = setup.teams[team] as u32;
    let (t0, t1) = setup.settings.round_ticks(round);
    let mut factors: Vec<Factor> = Vec::new();
    let own: Vec<usize> = (0..w.campaigns.len())
        .filter(|&i| built.origins[i] == Origin::Team { team, round })
        .collect();
    if own.len() <= MAX_OWN_FACTORS {
        for &i in &own {
            let c = &w.campaigns[i];
            let id = c.id.rsplit('/').next().unwrap_or(&c.id);
            factors.push(Factor {
                source: Source::Own,
                label: format!("{id} ({})", c.instrument.as_str()),
                campaigns: vec![i],
                shocks: vec![],
                stories: vec![],
            });
        }
    } else {
        for inst in Instrument::ALL {
            let v: Vec<usize> = own
                .iter()
                .copied()
                .filter(|&i| w.campaigns[i].instrument == inst)
                .collect();
            if !v.is_empty() {
                factors.push(Factor {
                    source: Source::Own,
                    label: format!("{} ({} actions)", inst.as_str(), v.len()),
                    campaigns: v,
                    shocks: vec![],
                    stories: vec![],
                });
            }
        }
    }
    let active = |i: usize| {
        let c = &w.campaigns[i];
        c.start < t1 && c.end > t0 && c.actor != actor
    };
    let rivals: Vec<usize> = (0..w.campaigns.len())
        .filter(|&i| active(i) && w.campaigns[i].instrument != Instrument::Misinformation)
        .collect();
    let misinfo: Vec<usize> = (0..w.campaigns.len())
        .filter(|&i| active(i) && w.campaigns[i].instrument == Instrument::Misinformation)
        .collect();
    let shocks: Vec<usize> = (0..w.shocks.len())
        .filter(|&i| (t0..t1).contains(&shock_tick(&w.shocks[i])))
        .collect();
    // Stories about the team harm it whoever seeded them and whenever: the
    // misinformation factor covers both new seeding and the harm of belief.
    let about: Vec<usize> = (0..w.stories.len())
        .filter(|&j| w.stories.about[j] == actor && w.stories.harm[j] > 0.0)
        .collect();
    for (source, campaigns, shocks, stories) in [
        (Source::Rivals, rivals, vec![], vec![]),
        (Source::Misinformation, misinfo, vec![], about),
        (Source::Events, vec![], shocks, vec![]),
    ] {
        if !campaigns.is_empty() || !shocks.is_empty() || !stories.is_empty() {
            factors.push(Factor {
                source,
                label: source.label().to_string(),
                campaigns,
                shocks,
                stories,
            });
        }
    }
    let n = factors.len();
    let a = actor as usize;
    let values: Vec<f64> = (0..1usize << n)
        .into_par_iter()
        .map(|mask| {
            let mut e = start.clone();
            let mut drop_shock = vec![false; e.world.shocks.len()];
            for (f, fac) in factors.iter().enumerate() {
                if mask & (1 << f) == 0 {
                    for &i in &fac.campaigns {
                        e.world.campaigns[i].switch_off();
                    }
                    for &i in &fac.shocks {
                        drop_shock[i] = true;
                    }
                    for &j in &fac.stories {
                        e.world.stories.harm[j] = 0.0;
                    }
                }
            }
            let mut k = 0;
            e.world.shocks.retain(|_| {
                k += 1;
                !drop_shock[k - 1]
            });
            // `start` has run: what its engine keeps about the world is stale now.
            e.edited();
            advance(&mut e, ticks, None, |_| {});
            actor_stats(&e.world)[a].soft_power
        })
        .collect();
    let fact: Vec<f64> = (0..=n)
        .scan(1.0, |acc, i| {
            let v = *acc;
            *acc *= (i + 1) as f64;
            Some(v)
        })
        .collect();
    let mut parts = Vec::with_capacity(n + 1);
    for (f, fac) in factors.iter().enumerate() {
        let bit = 1usize << f;
        let mut phi = 0.0;
        for mask in 0..1usize << n {
            if mask & bit == 0 {
                let s = mask.count_ones() as usize;
                let weight = fact[s] * fact[n - s - 1] / fact[n];
                phi += weight * (values[mask | bit] - values[mask]);
            }
        }
        parts.push(Contribution {
            source: fac.source,
            label: fac.label.clone(),
            value: phi,
        });
    }
    parts.push(Contribution {
        source: Source::Decay,
        label: Source::Decay.label().to_string(),
        value: values[0] - sp_start,
    });
    let total = sp_end - sp_start;
    let residual = total - parts.iter().map(|p| p.value).sum::<f64>();
    Attribution {
        total,
        parts,
        residual,
    }
}

impl Attribution {
    /// Sum of the parts from one source.
    pub fn by_source(&self, s: Source) -> f64 {
        self.parts
            .iter()
            .filter(|p| p.source == s)
            .map(|p| p.value)
            .sum()
    }
}
