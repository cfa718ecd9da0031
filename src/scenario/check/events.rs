//! `[[event]]` and the exercise's `[[exercise.inject]]`: scheduled shocks.

use super::{Ctx, Resolver, check_selectors};
use crate::model::checked::Shock;
use crate::scenario::diagnostic::{Diagnostic, TomlPath, suggest_help};
use crate::scenario::select::PopIndex;
use crate::scenario::types::{Event, Inject, InjectKind, Scenario};

pub(super) fn check(c: &mut Ctx, sc: &Scenario, res: &Resolver) -> Vec<Shock> {
    // Past the population limit the scenario is refused already: list no population
    // (4e9 of them took 16 GB).
    let n_pop = if res.idx.total() <= super::MAX_POPULATIONS {
        res.idx.total() as u32
    } else {
        0
    };
    let mut out = Vec::with_capacity(sc.events.len());
    for (i, e) in sc.events.iter().enumerate() {
        problems(c, sc, res.idx, TomlPath::root().key("event").idx(i), e);
        out.push(match e {
            Event::Scandal {
                tick,
                actor,
                severity,
            } => Shock::Scandal {
                tick: *tick,
                actor: c.actor_ix.get(actor).copied().unwrap_or(0),
                severity: *severity as f32,
            },
            Event::Crisis {
                tick,
                dimension,
                boost,
                duration,
                populations,
            } => Shock::Crisis {
                tick: *tick,
                // A crisis without a duration lasts to the end of the run.
                end: duration.map_or(u32::MAX, |d| tick.saturating_add(d)),
                dimension: sc
                    .scenario
                    .dimensions
                    .iter()
                    .position(|x| x == dimension)
                    .unwrap_or(0) as u32,
                boost: *boost as f32,
                pops: match populations {
                    Some(ps) => res.resolve(c, ps),
                    None => (0..n_pop).collect(),
                },
            },
        });
    }
    out
}

fn problems(c: &mut Ctx, sc: &Scenario, idx: &PopIndex, p: TomlPath, e: &Event) {
    match e {
        Event::Scandal {
            actor, severity, ..
        } => {
            c.actor(p.key("actor"), actor);
            c.prob(p.key("severity"), *severity);
        }
        Event::Crisis {
            dimension,
            boost,
            duration,
            populations,
            ..
        } => {
            if !sc.scenario.dimensions.contains(dimension) {
                c.err_help(
                    p.key("dimension"),
                    format!("unknown dimension \"{dimension}\""),
                    suggest_help(dimension, sc.scenario.dimensions.iter().map(|s| s.as_str())),
                );
            }
            c.range(p.key("boost"), *boost, 0.0, 100.0);
            if *duration == Some(0) {
                c.err_help(
                    p.key("duration"),
                    "duration is 0",
                    "allowed: 1 or more ticks, or leave it out for a lasting crisis",
                );
            }
            if let Some(ps) = populations {
                check_selectors(c, p.key("populations"), ps, idx);
            }
        }
    }
}

/// Problems of one inject of an exercise with `rounds` rounds of `tpr` ticks.
pub fn check_inject(
    sc: &Scenario,
    idx: &PopIndex,
    p: TomlPath,
    inj: &Inject,
    rounds: u32,
    tpr: u32,
) -> Vec<Diagnostic> {
    let mut c = Ctx::new(sc);
    if inj.round == 0 || inj.round > rounds {
        c.err_help(
            p.key("round"),
            format!("found round {}", inj.round),
            format!("allowed: 1 to {rounds}"),
        );
    }
    if inj.at >= tpr {
        c.err_help(
            p.key("at"),
            format!("found at = {}, but a round lasts {tpr} ticks", inj.at),
            format!("allowed: 0 to {} (the tick within the round)", tpr - 1),
        );
    }
    let wrong: &[(&str, bool)] = match inj.kind {
        InjectKind::Scandal => &[
            ("dimension", inj.dimension.is_some()),
            ("boost", inj.boost.is_some()),
            ("duration", inj.duration.is_some()),
            ("populations", inj.populations.is_some()),
        ],
        InjectKind::Crisis => &[
            ("actor", inj.actor.is_some()),
            ("severity", inj.severity.is_some()),
        ],
    };
    for (field, present) in wrong {
        if *present {
            c.err_help(
                p.key(field),
                format!("`{field}` does not apply to kind = \"{}\"", kind_name(inj.kind)),
                "scandal takes actor and severity; crisis takes dimension, boost, duration and populations",
            );
        }
    }
    match inj.to_event(tpr) {
        Ok(e) => problems(&mut c, sc, idx, p, &e),
        Err(field) => c.err_help(
            p,
            format!("a {} inject needs `{field}`", kind_name(inj.kind)),
            "scandal: actor, severity; crisis: dimension, boost (duration and populations optional)",
        ),
    }
    c.diags
}

fn kind_name(k: InjectKind) -> &'static str {
    match k {
        InjectKind::Scandal => "scandal",
        InjectKind::Crisis => "crisis",
    }
}
