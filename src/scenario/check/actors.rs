//! `[[actor]]`: ids, budgets, credibility, values.

use super::{Ctx, unique_ids};
use crate::model::checked::ActorSpec;
use crate::scenario::diagnostic::TomlPath;
use crate::scenario::types::Scenario;

pub(super) fn check(c: &mut Ctx, sc: &Scenario) -> Vec<ActorSpec> {
    let root = TomlPath::root();
    let dims = sc.scenario.dimensions.len();
    if sc.actors.is_empty() {
        c.err_help(
            root.key("actor"),
            "the scenario declares no actor",
            "add at least one [[actor]] block",
        );
    }
    unique_ids(c, "actor", sc.actors.iter().map(|a| a.id.as_str()));
    let mut out = Vec::with_capacity(sc.actors.len());
    for (i, a) in sc.actors.iter().enumerate() {
        let p = root.key("actor").idx(i);
        c.non_negative(p.key("budget"), a.budget);
        c.prob(p.key("credibility"), a.credibility);
        if let Some(v) = &a.values {
            c.vector(p.key("values"), v, dims, -1.0, 1.0);
        }
        if a.objective != crate::scenario::types::Objective::OwnIndex && !a.playable {
            c.err_help(
                p.key("objective"),
                "an objective scores a team, but this actor is not playable",
                "add `playable = true`, or remove `objective`",
            );
        }
        out.push(ActorSpec {
            id: a.id.clone(),
            name: a.name.clone().unwrap_or_else(|| a.id.clone()),
            kind: a.kind,
            playable: a.playable,
            budget: a.budget,
            credibility: a.credibility as f32,
            values: vec_or_zero(&a.values, dims),
        });
    }
    out
}

/// A vector as f32, or zeros when absent.
pub(super) fn vec_or_zero(v: &Option<Vec<f64>>, dims: usize) -> Vec<f32> {
    match v {
        Some(v) => v.iter().map(|&x| x as f32).collect(),
        None => vec![0.0; dims],
    }
}
