//! `[[population]]`: sizes, homes, attributes and initial opinions of explicit populations.

use super::actors::vec_or_zero;
use super::{Ctx, MAX_POPULATIONS, unique_ids};
use crate::model::checked::{OpinionSpec, PopulationSpec};
use crate::scenario::diagnostic::TomlPath;
use crate::scenario::select::PopIndex;
use crate::scenario::types::Scenario;

pub(super) fn check(c: &mut Ctx, sc: &Scenario, idx: &PopIndex) -> Vec<PopulationSpec> {
    let root = TomlPath::root();
    let dims = sc.scenario.dimensions.len();
    if idx.total() == 0 {
        c.err_help(
            root.key("population"),
            "the scenario declares no population",
            "add a [[population]] block or a [[generate]] block",
        );
    }
    if idx.total() > MAX_POPULATIONS {
        c.err_help(
            root.key("generate"),
            format!("{} populations in all", idx.total()),
            format!("at most {MAX_POPULATIONS} populations are supported"),
        );
    }
    unique_ids(
        c,
        "population",
        sc.populations.iter().map(|p| p.id.as_str()),
    );
    let mut out = Vec::with_capacity(sc.populations.len());
    for (i, pop) in sc.populations.iter().enumerate() {
        let p = root.key("population").idx(i);
        if c.finite(&p.key("size"), pop.size)
            && (pop.size < 1.0 || pop.size.fract() != 0.0 || pop.size > 9.0e15)
        {
            c.err_help(
                p.key("size"),
                format!("found {}", pop.size),
                "allowed: a whole number of people, from 1 to 9e15",
            );
        }
        let home = pop.home.as_ref().and_then(|h| c.actor(p.key("home"), h));
        c.prob(p.key("internet"), pop.internet);
        c.prob(p.key("media_literacy"), pop.media_literacy);
        c.prob(p.key("stubbornness"), pop.stubbornness);
        if let Some(w) = pop.self_weight {
            c.range(p.key("self_weight"), w, 0.0, 1.0e6);
        }
        if let Some(s) = &pop.salience {
            c.weights(p.key("salience"), s, dims);
        }
        if let Some(v) = &pop.values {
            c.vector(p.key("values"), v, dims, -1.0, 1.0);
        }
        let mut opinion = Vec::with_capacity(pop.opinion.len());
        for (aid, o) in &pop.opinion {
            let op = p.key("opinion").key(aid);
            let actor = c.actor(op.clone(), aid);
            if let Some(f) = o.familiarity {
                c.prob(op.key("familiarity"), f);
            }
            if let Some(t) = o.trust {
                c.prob(op.key("trust"), t);
            }
            if let Some(a) = &o.attitude {
                c.vector(op.key("attitude"), a, dims, -1.0, 1.0);
            }
            opinion.push(OpinionSpec {
                actor: actor.unwrap_or(0),
                familiarity: o.familiarity.map(|f| f as f32),
                trust: o.trust.map(|t| t as f32),
                attitude: o
                    .attitude
                    .as_ref()
                    .map(|a| a.iter().map(|&x| x as f32).collect()),
            });
        }
        out.push(PopulationSpec {
            id: pop.id.clone(),
            size: pop.size,
            home,
            internet: pop.internet as f32,
            literacy: pop.media_literacy as f32,
            stubbornness: pop.stubbornness as f32,
            self_weight: pop.self_weight.unwrap_or(sc.model.self_weight) as f32,
            class: pop.class,
            salience: match &pop.salience {
                Some(s) => normalised(s),
                None => vec![1.0 / dims.max(1) as f32; dims],
            },
            values: vec_or_zero(&pop.values, dims),
            opinion,
        });
    }
    out
}

/// Weights scaled to sum 1.
pub(super) fn normalised(v: &[f64]) -> Vec<f32> {
    let s: f64 = v.iter().sum();
    v.iter().map(|&x| (x / s) as f32).collect()
}
