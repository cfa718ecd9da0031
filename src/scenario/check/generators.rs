//! `[[generate]]`: random-graph models (or edge-list files, read here) and attribute
//! distributions of generated populations.

use super::Ctx;
use crate::model::checked::{GeneratedOpinionSpec, GeneratorSpec, Graph, Homes};
use crate::scenario::diagnostic::TomlPath;
use crate::scenario::edgelist;
use crate::scenario::types::{
    Dist, GraphModel, Scenario, SetValues, default_internet, default_literacy, default_stubbornness,
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
                let mut edges = Arc::default();
                // Past the population limit the count is refused already (populations.rs).
                if g.count > 0 && g.count <= super::MAX_POPULATIONS {
                    match edgelist::read(&base_dir.join(file), g.count) {
                        Ok(e) => edges = e,
                        Err(msg) => c.err(gp.key("file"), format!("{file}: {msg}")),
                    }
                }
                Graph::EdgeList(edges)
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
        if let Some(w) = g.self_weight {
            c.range(p.key("self_weight"), w, 0.0, 1.0e6);
        }
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
            let attitude_values = o.attitude_values.as_ref().map(|set| {
                let path = op.key("attitude_values");
                if o.attitude.is_some() {
                    c.err_help(
                        path.clone(),
                        "both attitude and attitude_values are given",
                        "keep one: attitude draws values, attitude_values sets them",
                    );
                }
                Arc::new(set_values(c, &path, set, g.count, base_dir))
            });
            opinion.push(GeneratedOpinionSpec {
                actor: actor.unwrap_or(0),
                familiarity: o.familiarity.clone(),
                trust: o.trust.clone(),
                attitude: o.attitude.clone(),
                attitude_values,
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
            self_weight: g.self_weight.unwrap_or(sc.model.self_weight) as f32,
            class: g.class,
            opinion,
        });
    }
    out
}

/// One attitude per population of a group of `count`: a list, evenly spaced from `from`
/// to `to` (both included), or a column of a CSV file (header row, one row per
/// population). Every value must lie in [-1, 1]. On an error, zeros (the check fails).
fn set_values(
    c: &mut Ctx,
    path: &TomlPath,
    s: &SetValues,
    count: u64,
    base_dir: &Path,
) -> Vec<f32> {
    let n = count.min(u32::MAX as u64) as usize;
    let forms = [
        s.values.is_some(),
        s.from.is_some() || s.to.is_some(),
        s.file.is_some() || s.column.is_some(),
    ];
    if forms.iter().filter(|&&f| f).count() != 1 {
        c.err_help(
            path.clone(),
            "give exactly one form of set values",
            "allowed: { values = [...] }, { from = -1, to = 1 } or { file = \"x.csv\", column = \"name\" }",
        );
        return vec![0.0; n];
    }
    let values: Vec<f64> = if let Some(v) = &s.values {
        v.clone()
    } else if forms[1] {
        let (Some(from), Some(to)) = (s.from, s.to) else {
            c.err(path.clone(), "evenly spaced values need both from and to");
            return vec![0.0; n];
        };
        (0..n)
            .map(|j| {
                if n > 1 {
                    from + (to - from) * j as f64 / (n - 1) as f64
                } else {
                    from
                }
            })
            .collect()
    } else {
        let (Some(file), Some(column)) = (&s.file, &s.column) else {
            c.err(
                path.clone(),
                "values from a CSV file need both file and column",
            );
            return vec![0.0; n];
        };
        match csv_column(&base_dir.join(file), column) {
            Ok(v) => v,
            Err(msg) => {
                c.err(path.key("file"), format!("{file}: {msg}"));
                return vec![0.0; n];
            }
        }
    };
    if values.len() != n {
        c.err_help(
            path.clone(),
            format!("{} values for {count} populations", values.len()),
            "give one value per population of the group",
        );
        return vec![0.0; n];
    }
    if let Some((j, v)) = values
        .iter()
        .enumerate()
        .find(|(_, v)| !(v.is_finite() && (-1.0..=1.0).contains(*v)))
    {
        c.err_help(
            path.clone(),
            format!("value {j} is {v}"),
            "allowed: attitudes from -1 to 1",
        );
        return vec![0.0; n];
    }
    values.into_iter().map(|v| v as f32).collect()
}

/// The numbers of one named column of a CSV file with a header row.
fn csv_column(path: &Path, column: &str) -> Result<Vec<f64>, String> {
    let text = crate::scenario::load::read_regular_text(path)
        .map_err(|e| format!("cannot read it: {e}"))?;
    let mut rd = csv::Reader::from_reader(text.as_bytes());
    let headers = rd.headers().map_err(|e| e.to_string())?.clone();
    let Some(ix) = headers.iter().position(|h| h.trim() == column) else {
        return Err(format!(
            "no column \"{column}\"; the header has: {}",
            headers.iter().collect::<Vec<_>>().join(", ")
        ));
    };
    let mut out = Vec::new();
    for (i, rec) in rd.records().enumerate() {
        let rec = rec.map_err(|e| format!("row {}: {e}", i + 2))?;
        let cell = rec.get(ix).unwrap_or("").trim();
        out.push(
            cell.parse::<f64>()
                .map_err(|_| format!("line {}: \"{cell}\" is not a number", i + 2))?,
        );
    }
    Ok(out)
}
