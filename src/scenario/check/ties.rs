//! `[[tie]]`, `[[reach]]` and `[[relation]]`: the links between populations and actors.

use super::{Ctx, Resolver};
use crate::model::RelationKind;
use crate::model::checked::ReachSpec;
use crate::scenario::diagnostic::{TomlPath, suggest_help};
use crate::scenario::select::PopIndex;
use crate::scenario::types::Scenario;

pub(super) fn check_ties(c: &mut Ctx, sc: &Scenario, idx: &PopIndex) -> Vec<(u32, u32, f32)> {
    let mut out = Vec::with_capacity(sc.ties.len());
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
        out.push((ends[0].unwrap_or(0), ends[1].unwrap_or(0), t.weight as f32));
    }
    out
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

pub(super) fn check_relations(c: &mut Ctx, sc: &Scenario) -> Vec<(u32, u32, f32)> {
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
        let stance = match r.kind {
            RelationKind::Alliance => r.strength,
            RelationKind::Rivalry => -r.strength,
            RelationKind::Neutral => 0.0,
        } as f32;
        out.push((a.unwrap_or(0), b.unwrap_or(0), stance));
    }
    out
}
