//! `[[generate]]`: random-graph models (or edge-list files, read here) and attribute
//! distributions of generated populations.

use super::Ctx;
use crate::model::checked::{GeneratedOpinionSpec, GeneratorSpec, Graph, Homes};
use crate::scenario::diagnostic::TomlPath;
use crate::scenario::edgelist;
use crate::scenario::types::{
    Dist, GraphModel, Scenario, default_internet, default_literacy, default_stubbornness,
};
use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

pub(super) fn check(c: &mut Ctx, sc: &Scenario, base_dir: &Path) -> Vec<GeneratorSpec> {
    let root = TomlPath::root();
    let mut prefixes = HashSet::new();
    let mut out = Vec::with_capacity(sc.generators.len());
    for (i, g) in sc.generators.iter().enumerate() {
        let p = root.key("generate").idx(i);
        if g.prefix.is_empty() || !prefixes.insert(g.prefix.as_str()) {
            c.err(
                p.key("prefix"),
                format!("prefix \"{}\" is empty or used twice", g.prefix),
            );
        }
        if let Some(clash) = sc.populations.iter().find(|x| {
            x.id.rsplit_once('_').is_some_and(|(pre, n)| {
                pre == g.prefix && n.parse::<u64>().is_ok_and(|k| k < g.count)
            })
        }) {
            c.err(
                p.key("prefix"),
                format!(
                    "generated ids \"{}_<i>\" clash with population \"{}\"",
                    g.prefix, clash.id
                ),
            );
        }
        if g.count == 0 {
            c.err_help(p.key("count"), "count is 0", "allowed: 1 or more");
        }
        let gp = p.key("graph");
        let graph = match &g.graph {
            GraphModel::BarabasiAlbert { m } => {
                if *m == 0 || (*m as u64) >= g.count {
                    c.err_help(
                        gp.key("m"),
                        format!("found m = {m} for {} populations", g.count),
                        "allowed: 1 <= m < count",
                    );
                }
                Graph::BarabasiAlbert { m: *m }
            }
            GraphModel::WattsStrogatz { k, p: pr } => {
                if *k < 2 || k % 2 == 1 || (*k as u64) >= g.count {
                    c.err_help(
                        gp.key("k"),
                        format!("found k = {k}"),
                        "allowed: an even number, 2 <= k < count",
                    );
                }
                c.prob(gp.key("p"), *pr);
                Graph::WattsStrogatz { k: *k, p: *pr }
            }
            GraphModel::StochasticBlock {
                blocks,
                p_in,
                p_out,
            } => {
                let sum: u64 = blocks.iter().map(|&b| b as u64).sum();
                if blocks.is_empty() || sum != g.count || blocks.contains(&0) {
                    c.err_help(
                        gp.key("blocks"),
                        format!("block sizes sum to {sum}, count is {}", g.count),
                        "give positive block sizes that add up to count",
                    );
                }
                c.prob(gp.key("p_in"), *p_in);
                c.prob(gp.key("p_out"), *p_out);
                if let Some(bh) = &g.block_homes
                    && bh.len() != blocks.len()
                {
                    c.err(
                        p.key("block_homes"),
                        format!("{} homes for {} blocks", bh.len(), blocks.len()),
                    );
                }
                Graph::StochasticBlock {
                    blocks: blocks.clone(),
                    p_in: *p_in,
                    p_out: *p_out,
                }
            }
            GraphModel::ErdosRenyi { p: pr } => {
                c.prob(gp.key("p"), *pr);
                Graph::ErdosRenyi { p: *pr }
            }
            // The file is read here, relative to the scenario's folder; every line is
            // checked against this generator's count.
            GraphModel::EdgeList { file } => {
                let mut edges = Vec::new();
                // Past the population limit the count is refused already (populations.rs).
                if g.count > 0 && g.count <= super::MAX_POPULATIONS {
                    match edgelist::read(&base_dir.join(file), g.count) {
                        Ok(e) => edges = e,
                        Err(msg) => c.err(gp.key("file"), format!("{file}: {msg}")),
                    }
                }
                Graph::EdgeList(Arc::new(edges))
            }
            GraphModel::Complete => {
                if g.count > 20_000 {
                    c.err_help(
                        gp.key("model"),
                        format!(
                            "a complete graph on {} populations has too many ties",
                            g.count
                        ),
                        "allowed: at most 20000 populations for model = \"complete\"",
                    );
                }
                Graph::Complete
            }
        };
        // Block homes are resolved after the block count is checked, as before.
        let mut home = Homes::All(None);
        if let Some(bh) = &g.block_homes {
            if matches!(g.graph, GraphModel::StochasticBlock { .. }) {
                let ids: Vec<u32> = bh
                    .iter()
                    .enumerate()
                    .map(|(j, h)| c.actor(p.key("block_homes").idx(j), h).unwrap_or(0))
                    .collect();
                home = Homes::PerBlock(ids);
            } else {
                c.err(
                    p.key("block_homes"),
                    "block_homes only applies to model = \"stochastic_block\"",
                );
            }
        }
        if let Some(h) = &g.home {
            let a = c.actor(p.key("home"), h);
            if g.block_homes.is_none() {
                home = Homes::All(a);
            }
        }
        c.dist(p.key("size"), &g.size, 1.0, 9.0e15);
        for (name, d) in [
            ("internet", &g.internet),
            ("media_literacy", &g.media_literacy),
            ("stubbornness", &g.stubbornness),
        ] {
            if let Some(d) = d {
                c.dist(p.key(name), d, 0.0, 1.0);
            }
        }
        if let Some(v) = &g.values {
            c.dist_vector(p.key("values"), v);
        }
        c.tie_weight(p.key("tie_weight"), g.tie_weight);
        let mut opinion = Vec::with_capacity(g.opinion.len());
        for (aid, o) in &g.opinion {
            let op = p.key("opinion").key(aid);
            let actor = c.actor(op.clone(), aid);
            if let Some(d) = &o.familiarity {
                c.dist(op.key("familiarity"), d, 0.0, 1.0);
            }
            if let Some(d) = &o.trust {
                c.dist(op.key("trust"), d, 0.0, 1.0);
            }
            if let Some(v) = &o.attitude {
                c.dist_vector(op.key("attitude"), v);
            }
            opinion.push(GeneratedOpinionSpec {
                actor: actor.unwrap_or(0),
                familiarity: o.familiarity.clone(),
                trust: o.trust.clone(),
                attitude: o.attitude.clone(),
            });
        }
        let or = |d: &Option<Dist>, default: f64| d.clone().unwrap_or(Dist::Const(default));
        out.push(GeneratorSpec {
            prefix: g.prefix.clone(),
            count: g.count.min(u32::MAX as u64) as u32,
            graph,
            size: g.size.clone(),
            home,
            internet: or(&g.internet, default_internet()),
            media_literacy: or(&g.media_literacy, default_literacy()),
            stubbornness: or(&g.stubbornness, default_stubbornness()),
            values: g.values.clone(),
            tie_weight: g.tie_weight as f32,
            opinion,
        });
    }
    out
}
