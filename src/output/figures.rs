//! The PNG figures of a run: turns results into plain chart data for `plot`.

use crate::error::Result;
use crate::experiment::Run;
use crate::experiment::attribution::InstrumentGain;
use crate::plot::{
    self, Heatmap, LineChart, NetEdge, NetNode, NetworkPlot, ScatterChart, ScatterPoint, Series,
};
use crate::world::graph::{Edge, scenario_graph};
use petgraph::visit::EdgeRef;

/// Every figure name `run` may write (so a forced re-run can remove stale ones).
pub const ALL_NAMES: [&str; 7] = [
    "soft_power.png",
    "favourability.png",
    "opinions.png",
    "misinformation.png",
    "relations.png",
    "spend_vs_gain.png",
    "network.png",
];

/// Largest number of nodes drawn in the network picture.
pub const NETWORK_MAX_NODES: usize = 300;
/// Rows of the favourability heatmap before populations are grouped.
const HEATMAP_MAX_ROWS: usize = 60;

pub fn all(
    run: &Run,
    gains: Option<&[InstrumentGain]>,
    network_actor: Option<&str>,
) -> Result<Vec<(String, Vec<u8>)>> {
    let w = &run.engine.world;
    let rec = &run.recorder;
    let tick_axis = capitalise(&w.tick_label);
    let mut out = Vec::new();

    let series = (0..w.actors.len())
        .map(|a| Series {
            name: w.actors.names[a].clone(),
            points: rec.actor_series(a, 0),
        })
        .collect();
    out.push((
        "soft_power.png".to_string(),
        plot::line_chart(&LineChart {
            title: format!("Soft-power index over time: {}", w.name),
            x_label: tick_axis.clone(),
            y_label: "Soft-power index (familiarity x trust x favourability)".into(),
            series,
            y_range: None,
        })?,
    ));

    out.push(("favourability.png".to_string(), favourability_heatmap(run)?));

    let n_pop = w.pops.len();
    if !rec.trace.is_empty() {
        let a = w.focal_actor as usize;
        let series = (0..n_pop)
            .map(|p| Series {
                name: String::new(),
                points: rec
                    .ticks
                    .iter()
                    .enumerate()
                    .map(|(i, t)| (t.tick as f64, rec.trace[i * n_pop + p] as f64))
                    .collect(),
            })
            .collect();
        out.push((
            "opinions.png".to_string(),
            plot::trajectories(&LineChart {
                title: format!(
                    "Favourability toward {} in each of {n_pop} populations",
                    w.actors.names[a]
                ),
                x_label: tick_axis.clone(),
                y_label: "Favourability (coloured by final value)".into(),
                series,
                y_range: Some((-1.0, 1.0)),
            })?,
        ));
    }

    if !w.stories.is_empty() {
        let mut series = Vec::new();
        for (j, id) in w.stories.ids.iter().enumerate() {
            series.push(Series {
                name: format!("{id}: believing"),
                points: pct(rec.story_series(j, 0)),
            });
            series.push(Series {
                name: format!("{id}: fact-checked"),
                points: pct(rec.story_series(j, 1)),
            });
            if rec.ticks.iter().any(|t| t.stories[j][2] > 0.0) {
                series.push(Series {
                    name: format!("{id}: prebunked"),
                    points: pct(rec.story_series(j, 2)),
                });
            }
        }
        out.push((
            "misinformation.png".to_string(),
            plot::line_chart(&LineChart {
                title: "Misinformation: share of all people per story".into(),
                x_label: tick_axis.clone(),
                y_label: "% of people".into(),
                series,
                y_range: None,
            })?,
        ));
    }

    if !rec.pairs.is_empty() && rec.pairs.len() <= 24 {
        let series = rec
            .pairs
            .iter()
            .enumerate()
            .map(|(i, &(b, a))| Series {
                name: format!("{} toward {}", w.actors.names[b], w.actors.names[a]),
                points: rec
                    .ticks
                    .iter()
                    .map(|t| (t.tick as f64, t.relations[i]))
                    .collect(),
            })
            .collect();
        out.push((
            "relations.png".to_string(),
            plot::line_chart(&LineChart {
                title: "Government stance, pressed by public opinion".into(),
                x_label: tick_axis.clone(),
                y_label: "Stance (-1 rivalry .. +1 alliance)".into(),
                series,
                y_range: Some((-1.0, 1.0)),
            })?,
        ));
    }

    if let Some(g) = gains
        && !g.is_empty()
    {
        let points = g
            .iter()
            .map(|x| ScatterPoint {
                label: x.instrument.as_str().replace('_', "-"),
                group: w.actors.names[x.actor].clone(),
                x: x.spend,
                y: x.gain,
            })
            .collect();
        out.push((
            "spend_vs_gain.png".to_string(),
            plot::scatter_chart(&ScatterChart {
                title: "What each instrument bought (counterfactual: run without it)".into(),
                x_label: "Budget spent on the instrument (budget units)".into(),
                y_label: "Soft-power index gained at the end".into(),
                points,
            })?,
        ));
    }

    if w.pops.len() + w.actors.len() <= NETWORK_MAX_NODES {
        let a = network_actor
            .and_then(|id| w.actors.ids.iter().position(|x| x == id))
            .unwrap_or(w.focal_actor as usize);
        out.push(("network.png".to_string(), network(run, a)?));
    }
    Ok(out)
}

fn pct(v: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    v.into_iter().map(|(x, y)| (x, 100.0 * y)).collect()
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or(String::new(), |f| {
        f.to_uppercase().collect::<String>() + c.as_str()
    })
}

/// Rows are populations, or for large scenarios groups of populations (generator group or
/// home state), each the population-weighted mean.
fn favourability_heatmap(run: &Run) -> Result<Vec<u8>> {
    let w = &run.engine.world;
    let n_act = w.actors.len();
    let mut rows: Vec<String> = Vec::new();
    let mut values: Vec<Vec<f64>> = Vec::new();
    let grouped = w.pops.len() > HEATMAP_MAX_ROWS;
    if !grouped {
        for p in 0..w.pops.len() {
            rows.push(w.pops.ids[p].clone());
            values.push((0..n_act).map(|a| w.favourability(p, a) as f64).collect());
        }
    } else {
        let mut keys: Vec<String> = Vec::new();
        let mut sums: Vec<(f64, Vec<f64>)> = Vec::new();
        for p in 0..w.pops.len() {
            let home = w.actors.ids.get(w.pops.home[p] as usize);
            let key = match (w.pops.group[p], home) {
                (Some(g), Some(h)) => format!("{} in {h}", w.group_names[g as usize]),
                (Some(g), None) => w.group_names[g as usize].clone(),
                (None, Some(h)) => format!("home {h}"),
                (None, None) => w.pops.ids[p].clone(),
            };
            let i = keys.iter().position(|k| *k == key).unwrap_or_else(|| {
                keys.push(key);
                sums.push((0.0, vec![0.0; n_act]));
                keys.len() - 1
            });
            let n = w.pops.size[p];
            sums[i].0 += n;
            for a in 0..n_act {
                sums[i].1[a] += n * w.favourability(p, a) as f64;
            }
        }
        rows = keys;
        values = sums
            .into_iter()
            .map(|(n, v)| v.into_iter().map(|x| x / n).collect())
            .collect();
    }
    Ok(plot::heatmap(&Heatmap {
        title: format!(
            "Final favourability{}",
            if grouped {
                " (population-weighted by group)"
            } else {
                ""
            }
        ),
        x_label: "Toward actor".into(),
        y_label: if grouped {
            "Population group".into()
        } else {
            "Population".into()
        },
        rows,
        cols: w.actors.names.clone(),
        values,
        range: (-1.0, 1.0),
        colorbar_label: "Favourability".into(),
    })?)
}

fn network(run: &Run, actor: usize) -> Result<Vec<u8>> {
    let w = &run.engine.world;
    let n_pop = w.pops.len();
    let mut nodes: Vec<NetNode> = (0..n_pop)
        .map(|p| NetNode {
            label: w.pops.ids[p].clone(),
            kind: plot::NodeKind::Population,
            size: w.pops.size[p],
            value: Some(w.favourability(p, actor) as f64),
        })
        .collect();
    nodes.extend((0..w.actors.len()).map(|a| NetNode {
        label: w.actors.ids[a].clone(),
        kind: plot::NodeKind::Actor,
        size: 1.0,
        value: None,
    }));
    let g = scenario_graph(w);
    let edges = g
        .edge_references()
        .filter_map(|e| {
            let (a, b) = (e.source().index(), e.target().index());
            match *e.weight() {
                Edge::Social(wt) => Some(NetEdge {
                    a,
                    b,
                    weight: wt as f64,
                    kind: plot::EdgeKind::Social,
                }),
                Edge::Media => Some(NetEdge {
                    a,
                    b,
                    weight: 1.0,
                    kind: plot::EdgeKind::Media,
                }),
                Edge::Relation(_) => None,
            }
        })
        .collect();
    Ok(plot::network(&NetworkPlot {
        title: format!("Network: favourability toward {}", w.actors.names[actor]),
        nodes,
        edges,
        colour_label: format!("Favourability toward {}", w.actors.names[actor]),
        seed: w.seed,
    })?)
}
