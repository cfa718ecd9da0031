//! `[[tie]]`, `[[reach]]`, `[[relation]]` and `[[decision]]`: the links between populations and actors.

use super::{Ctx, Resolver};
use crate::model::checked::{DecisionSpec, ReachSpec, RelationSpec};
use crate::model::{RelationKind, TieDirection};
use crate::scenario::diagnostic::{TomlPath, suggest_help};
use crate::scenario::select::PopIndex;
use crate::scenario::types::Scenario;

/// Two-way ties of equal weight, and one-way influence as (speaker, listener, weight).
pub(super) type Ties = (Vec<(u32, u32, f32)>, Vec<(u32, u32, f32)>);

pub(super) fn check_ties(c: &mut Ctx, sc: &Scenario, idx: &PopIndex) -> Ties {
    let mut two_way = Vec::with_capacity(sc.ties.len());
    let mut one_way = Vec::new();
    for (i, t) in sc.ties.iter().enumerate() {
        let p = TomlPath::root().key("tie").idx(i);
        let mut ends = [None, None];
        for (j, id) in t.between.iter().enumerate() {
            ends[j] = idx.lookup(id);
            if ends[j].is_none() {
                let cands = idx.candidates();
                c.err_help(
                    p.key("between").idx(j),
                    format!("unknown population \"{id}\""),
                    suggest_help(id, cands.iter().map(|s| s.as_str())),
                );
            }
        }
        if ends[0].is_some() && ends[0] == ends[1] {
            c.err(
                p.key("between"),
                "a tie must join two different populations",
            );
        }
        c.tie_weight(p.key("weight"), t.weight);
        let (a, b) = (ends[0].unwrap_or(0), ends[1].unwrap_or(0));
        match (t.direction, t.weight_back) {
            (TieDirection::Both, None) => two_way.push((a, b, t.weight as f32)),
            (TieDirection::Both, Some(back)) => {
                c.tie_weight(p.key("weight_back"), back);
                one_way.push((a, b, t.weight as f32));
                one_way.push((b, a, back as f32));
            }
            (TieDirection::OneWay, None) => one_way.push((a, b, t.weight as f32)),
            (TieDirection::OneWay, Some(_)) => c.err_help(
                p.key("weight_back"),
                "a one-way tie has no weight back",
                "remove weight_back, or remove direction = \"one_way\" to make the tie two-way",
            ),
        }
    }
    (two_way, one_way)
}

pub(super) fn check_reach(c: &mut Ctx, sc: &Scenario, res: &Resolver) -> Vec<ReachSpec> {
    let mut out = Vec::with_capacity(sc.reach.len());
    for (i, r) in sc.reach.iter().enumerate() {
        let p = TomlPath::root().key("reach").idx(i);
        let actor = c.actor(p.key("actor"), &r.actor);
        let populations = res.selectors(c, p.key("populations"), &r.populations);
        c.prob(p.key("weight"), r.weight);
        out.push(ReachSpec {
            actor: actor.unwrap_or(0),
            channel: r.channel,
            populations,
            weight: r.weight as f32,
        });
    }
    out
}

pub(super) fn check_relations(c: &mut Ctx, sc: &Scenario) -> Vec<RelationSpec> {
    let mut out = Vec::with_capacity(sc.relations.len());
    for (i, r) in sc.relations.iter().enumerate() {
        let p = TomlPath::root().key("relation").idx(i);
        let a = c.actor(p.key("between").idx(0), &r.between[0]);
        let b = c.actor(p.key("between").idx(1), &r.between[1]);
        if a.is_some() && b.is_some() && r.between[0] == r.between[1] {
            c.err(
                p.key("between"),
                "a relation must join two different actors",
            );
        }
        c.prob(p.key("strength"), r.strength);
        let interest = match r.kind {
            RelationKind::Alliance => r.strength,
            RelationKind::Rivalry => -r.strength,
            RelationKind::Neutral => 0.0,
        } as f32;
        if let Some(s) = r.stance {
            c.range(p.key("stance"), s, -1.0, 1.0);
        }
        out.push(RelationSpec {
            a: a.unwrap_or(0),
            b: b.unwrap_or(0),
            interest,
            stance: r.stance.map(|s| s as f32),
        });
    }
    out
}

/// `[[decision]]`: who decides about whom, the threshold and how long it must hold.
pub(super) fn check_decisions(c: &mut Ctx, sc: &Scenario) -> Vec<DecisionSpec> {
    super::unique_ids(c, "decision", sc.decisions.iter().map(|d| d.id.as_str()));
    let mut out = Vec::with_capacity(sc.decisions.len());
    for (i, d) in sc.decisions.iter().enumerate() {
        let p = TomlPath::root().key("decision").idx(i);
        let actor = c.actor(p.key("actor"), &d.actor);
        let toward = c.actor(p.key("toward"), &d.toward);
        if actor.is_some() && d.actor == d.toward {
            c.err_help(
                p.key("toward"),
                format!(
                    "a government decides about another actor, not itself (\"{}\")",
                    d.toward
                ),
                "allowed: the id of an actor other than `actor`",
            );
        }
        c.range(p.key("threshold"), d.threshold, -1.0, 1.0);
        if d.sustain == 0 {
            c.err_help(
                p.key("sustain"),
                "found 0",
                "allowed: a whole number of ticks, at least 1",
            );
        }
        out.push(DecisionSpec {
            id: d.id.clone(),
            actor: actor.unwrap_or(0),
            toward: toward.unwrap_or(0),
            threshold: d.threshold as f32,
            direction: d.direction,
            sustain: d.sustain,
            label: d.label.clone(),
        });
    }
    out
}
