//! The figures of a run (PNG or SVG): turns results into plain chart data for `plot`,
//! with a caption saying how to read each one and the values a page can show on hover.

use crate::error::Result;
use crate::experiment::Run;
use crate::experiment::attribution::InstrumentGain;
use crate::output::report::{Figure, Hover};
use crate::plot::{
    self, Heatmap, LineChart, Marker, NetEdge, NetNode, NetworkPlot, ScatterChart, ScatterPoint,
    Series,
};
use crate::scenario::ContagionModel;
use crate::world::Shock;
use crate::world::graph::{Edge, scenario_graph};
use petgraph::visit::EdgeRef;

/// Every figure `run` may write, without extension (so a forced re-run can remove
/// stale ones, in either format).
pub const ALL_NAMES: [&str; 8] = [
    "soft_power",
    "net_favourable",
    "favourability",
    "opinions",
    "misinformation",
    "relations",
    "spend_vs_gain",
    "network",
];

/// Net favourable of every actor over time: the survey reading of the index, one line
/// per actor, in percentage points over the common audience.
fn net_favourable_chart(run: &Run, tick_axis: &str, markers: &[Marker]) -> Result<Figure> {
    let w = &run.engine.world;
    let rec = &run.recorder;
    let series: Vec<Series> = (0..w.actors.len())
        .map(|a| Series {
            name: short_name(&w.actors.names[a]).to_string(),
            points: rec.actor_series(a, crate::metrics::NET_FAVOURABLE),
            color: Some(a),
            ..Default::default()
        })
        .collect();
    let hover = lines(&series);
    let audience = crate::metrics::survey::Audience::of(w).rule();
    let png = plot::line_chart(&LineChart {
        title: format!("Net favourable over time: {}", w.name),
        x_label: tick_axis.to_string(),
        y_label: "Net favourable (% favourable − % unfavourable, points)".into(),
        series,
        y_range: None,
        markers: markers.to_vec(),
    })?;
    Ok(Figure::new(
        "net_favourable",
        png,
        format!(
            "each line is one actor's net favourable in each {}: the percentage of people who have heard of it and view it favourably minus those who view it unfavourably, among those who have heard of it, in percentage points from −100 to +100 (a survey's reading of the same opinions the soft-power index combines). Every actor is measured over the same people: {audience}. An actor nobody there has heard of reads 0.{}",
            w.tick_label,
            marker_note(markers)
        ),
        hover,
    ))
}

fn lines(series: &[Series]) -> Hover {
    // The page shows values only for a few lines: a copy of a thousand long series would
    // double a long run's peak memory (tests/memory.rs) for nothing.
    if series.len() > crate::output::report::HOVER_LINES {
        return Hover::Axes;
    }
    Hover::Lines(
        series
            .iter()
            .map(|s| (s.name.clone(), s.points.clone()))
            .collect(),
    )
}

/// Largest number of nodes drawn in the network picture.
pub const NETWORK_MAX_NODES: usize = 300;
/// Rows of the favourability heatmap before populations are grouped.
const HEATMAP_MAX_ROWS: usize = 60;

pub fn all(
    run: &Run,
    gains: Option<&[InstrumentGain]>,
    network_actor: Option<&str>,
) -> Result<Vec<Figure>> {
    let w = &run.engine.world;
    let rec = &run.recorder;
    let tick_axis = capitalise(&w.tick_label);
    let markers = event_markers(run);
    let mut out = Vec::new();
    // Soft power and favourability toward actors only mean something when an
    // actor acts (a classic model's lone "actor" is just the story's subject).
    let actors_act = !w.campaigns.is_empty();

    if actors_act {
        let mut series = Vec::new();
        // Actors whose index stays exactly 0 (nobody abroad knows them) would be lines
        // hidden under one another with a legend entry each: they share one line.
        let mut idle: Vec<usize> = Vec::new();
        for a in 0..w.actors.len() {
            let points = rec.actor_series(a, 0);
            if points.iter().all(|p| p.1 == 0.0) {
                idle.push(a);
                continue;
            }
            series.push(Series {
                name: short_name(&w.actors.names[a]).to_string(),
                points,
                color: Some(a),
                ..Default::default()
            });
        }
        if let Some(&first) = idle.first() {
            let names: Vec<&str> = idle
                .iter()
                .map(|&a| short_name(&w.actors.names[a]))
                .collect();
            series.push(Series {
                name: if idle.len() == 1 {
                    names[0].to_string()
                } else {
                    format!("{} (all 0 throughout)", names.join(", "))
                },
                points: rec.actor_series(first, 0),
                color: Some(first),
                ..Default::default()
            });
        }
        let hover = lines(&series);
        let png = plot::line_chart(&LineChart {
            title: format!("Soft-power index over time: {}", w.name),
            x_label: tick_axis.clone(),
            y_label: "Soft-power index (familiarity × trust × favourability)".into(),
            series,
            y_range: None,
            markers: markers.clone(),
        })?;
        out.push(Figure::new(
            "soft_power",
            png,
            format!(
                "each line is one actor's soft-power index (familiarity × trust × favourability over the people abroad, −1 to 1) in each {}; higher is more soft power. Actors whose index stays 0 throughout share one line.{}",
                w.tick_label,
                marker_note(&markers)
            ),
            hover,
        ));
        out.push(net_favourable_chart(run, &tick_axis, &markers)?);
        let png = favourability_heatmap(run)?;
        out.push(Figure::new(
            "favourability",
            png,
            "each cell is the final favourability of a population (row) toward an actor (column), from −1 (red, hostile) through 0 (white) to +1 (blue, favourable).".into(),
            Hover::Axes,
        ));
    }

    let n_pop = w.pops.len();
    if !rec.trace.is_empty() {
        let a = w.focal_actor as usize;
        let series = (0..n_pop)
            .map(|p| Series {
                name: w.pops.ids[p].clone(),
                points: rec
                    .ticks
                    .iter()
                    .enumerate()
                    .map(|(i, t)| (t.tick as f64, rec.trace[i * n_pop + p] as f64))
                    .collect(),
                ..Default::default()
            })
            .collect::<Vec<_>>();
        let dense = n_pop > plot::MAX_TRAJECTORY_LINES;
        let hover = lines(&series);
        let png = plot::trajectories(&LineChart {
            title: format!(
                "Favourability toward {} in each of {} populations",
                short_name(&w.actors.names[a]),
                plot::human(n_pop as f64, 6)
            ),
            x_label: tick_axis.clone(),
            y_label: if dense {
                "Favourability (density of populations)".into()
            } else {
                "Favourability (line colour: final value)".into()
            },
            series,
            y_range: Some((-1.0, 1.0)),
            markers: markers.clone(),
        })?;
        out.push(Figure::new(
            "opinions",
            png,
            if dense {
                format!("the shading shows how many populations hold each favourability toward {} (darker = more) in each {}; the five named lines are the populations ending lowest, at the quartiles and highest.", short_name(&w.actors.names[a]), w.tick_label)
            } else {
                format!("each line is one population's favourability toward {} (−1 hostile to +1 favourable) in each {}; its colour is its final value (red negative, grey near 0, blue positive).", short_name(&w.actors.names[a]), w.tick_label)
            },
            hover,
        ));
    }

    if !w.stories.is_empty() {
        let (png, hover) = stories_chart(run, &markers)?;
        out.push(Figure::new(
            "misinformation",
            png,
            format!("each line is the percentage of all people in one class of a story (named in the legend, in the model's own terms) in each {}.{}", w.tick_label, marker_note(&markers)),
            hover,
        ));
    }

    if !rec.pairs.is_empty() && rec.pairs.len() <= 24 {
        let series = rec
            .pairs
            .iter()
            .enumerate()
            .map(|(i, &(b, a))| Series {
                name: format!(
                    "{} → {}",
                    short_name(&w.actors.names[b]),
                    short_name(&w.actors.names[a])
                ),
                points: rec
                    .ticks
                    .iter()
                    .map(|t| (t.tick as f64, t.relations[i]))
                    .collect(),
                // Colour names whom the stance is toward (the same colour as
                // that actor elsewhere), the pattern whose government holds it.
                color: Some(a),
                dash: Some((b % 5) as u8),
            })
            .collect::<Vec<_>>();
        let hover = lines(&series);
        // Stances move little against their −1..1 scale: show the range they move in.
        let y_range = plot::focus_range(
            series.iter().flat_map(|s| s.points.iter().map(|p| p.1)),
            (-1.0, 1.0),
            0.0,
        );
        let png = plot::line_chart(&LineChart {
            title: "Government stance, drawn to public, elites and interests".into(),
            x_label: tick_axis.clone(),
            y_label: "Stance of government → toward actor (-1 rivalry, 0 neutral, +1 alliance)"
                .into(),
            series,
            y_range,
            markers: markers.clone(),
        })?;
        out.push(Figure::new(
            "relations",
            png,
            "each line is one government's stance toward another actor, from −1 (rivalry) through 0 (neutral) to +1 (alliance); the colour names the actor the stance is toward, the dash pattern the government holding it. The axis shows the range the stances moved in (with 0 whenever that keeps the movement visible), not the whole −1..1 scale.".into(),
            hover,
        ));
    }

    if let Some(g) = gains
        && !g.is_empty()
    {
        let points = g
            .iter()
            .map(|x| ScatterPoint {
                label: x.instrument.as_str().replace('_', "-"),
                group: short_name(&w.actors.names[x.actor]).to_string(),
                x: x.spend,
                y: x.gain,
            })
            .collect::<Vec<ScatterPoint>>();
        let hover = Hover::Points(
            points
                .iter()
                .map(|p| (format!("{} {}", p.group, p.label), p.x, p.y))
                .collect(),
        );
        let png = plot::scatter_chart(&ScatterChart {
            title: "What each instrument bought (counterfactual: run without it)".into(),
            x_label: "Budget spent on the instrument (budget units)".into(),
            y_label: "Soft-power index gained at the end".into(),
            points,
            groups: w
                .actors
                .names
                .iter()
                .map(|n| short_name(n).to_string())
                .collect(),
        })?;
        out.push(Figure::new(
            "spend_vs_gain",
            png,
            "each dot is one instrument of one actor (colour): what it spent (across) and how much higher the actor's final soft-power index is with it than in a run without it (up). Dots above the zero line paid off.".into(),
            hover,
        ));
    }

    if w.pops.len() + w.actors.len() <= NETWORK_MAX_NODES {
        let a = network_actor
            .and_then(|id| w.actors.ids.iter().position(|x| x == id))
            .unwrap_or(w.focal_actor as usize);
        let png = network(run, a)?;
        out.push(Figure::new(
            "network",
            png,
            format!("circles are populations (area ∝ people, colour = final favourability toward {}, red negative to blue positive), diamonds are actors; grey lines are social ties (thicker = stronger), dashed orange lines an actor's reach. Actors that reach no one are left out.", short_name(&w.actors.names[a])),
            Hover::Axes,
        ));
    }
    Ok(out)
}

/// The caption's sentence on event markers, if the chart has any.
fn marker_note(markers: &[Marker]) -> &'static str {
    if markers.is_empty() {
        ""
    } else {
        " Dashed vertical lines mark scheduled events (labelled above the plot)."
    }
}

/// An actor's name without its parenthesised description, for legends and
/// axes ("Valoria (donor state, target of the story)" → "Valoria"); the full
/// names are in summary.json and the scenario.
pub fn short_name(name: &str) -> &str {
    match name.find(" (") {
        Some(i) if i > 0 => &name[..i],
        _ => name,
    }
}

/// Dashed vertical markers for what the world schedules: scandals, crises
/// (start and end) and campaigns that start after the first tick. Markers on
/// the same tick share one label.
pub fn event_markers(run: &Run) -> Vec<Marker> {
    world_markers(&run.engine.world, true)
}

/// [`event_markers`] of a world: its scheduled shocks (events and injects alike) and,
/// if `campaigns`, the starts of campaigns after the first tick.
pub fn world_markers(w: &crate::world::World, campaigns: bool) -> Vec<Marker> {
    let mut at: Vec<(u32, Vec<String>)> = Vec::new();
    let mut add = |t: u32, s: String| match at.iter_mut().find(|(x, _)| *x == t) {
        Some((_, v)) => {
            if !v.contains(&s) {
                v.push(s)
            }
        }
        None => at.push((t, vec![s])),
    };
    for sh in &w.shocks {
        match sh {
            Shock::Scandal { tick, actor, .. } => add(
                *tick,
                format!("scandal: {}", short_name(&w.actors.names[*actor as usize])),
            ),
            Shock::Crisis { tick, end, .. } => {
                add(*tick, "crisis".into());
                if *end < w.ticks {
                    add(*end, "crisis ends".into());
                }
            }
        }
    }
    for c in w.campaigns.iter().filter(|_| campaigns) {
        if c.start > 0 && c.start < w.ticks {
            add(c.start, format!("{} starts", c.id));
        }
    }
    at.sort_by_key(|x| x.0);
    at.into_iter()
        .map(|(t, v)| Marker {
            x: t as f64,
            label: format!("{} {t}: {}", w.tick_label, v.join(", ")),
        })
        .collect()
}

/// Compartment shares per story, in the model's own words: S/I/R for SIR,
/// ignorant/spreaders/stiflers for the rumour models, susceptible/believers/
/// fact-checkers for the hoax model, believing/fact-checked/prebunked for the
/// soft-power model. Classic models also show the susceptible share.
fn stories_chart(run: &Run, markers: &[Marker]) -> Result<(Vec<u8>, Hover)> {
    let w = &run.engine.world;
    let rec = &run.recorder;
    let model = w.params.contagion;
    let (names, title): ([&str; 4], String) = match model {
        ContagionModel::Sir => (
            ["susceptible", "infected", "recovered", "immune"],
            "SIR epidemic: share of people in each compartment".into(),
        ),
        ContagionModel::MakiThompson | ContagionModel::DaleyKendall => (
            ["ignorant", "spreaders", "stiflers", "immune"],
            format!(
                "{} rumour: share of people in each class",
                if model == ContagionModel::MakiThompson {
                    "Maki–Thompson"
                } else {
                    "Daley–Kendall"
                }
            ),
        ),
        ContagionModel::Hoax => (
            ["susceptible", "believers", "fact-checkers", "immune"],
            "Hoax with fact-checking: share of people in each state".into(),
        ),
        ContagionModel::Softpower => (
            ["not reached", "believing", "fact-checked", "prebunked"],
            "Misinformation: share of all people per story".into(),
        ),
    };
    let classic = model != ContagionModel::Softpower;
    let many = w.stories.len() > 1;
    let mut series = Vec::new();
    for (j, id) in w.stories.ids.iter().enumerate() {
        let label = |k: usize| {
            if many {
                format!("{id}: {}", names[k])
            } else {
                names[k].to_string()
            }
        };
        // One story: a colour per compartment; several: a colour per story
        // and a pattern per compartment.
        let style = |k: usize| {
            if many {
                (Some(j), Some((k.saturating_sub(1) % 3) as u8))
            } else {
                (Some([5, 1, 2, 3][k]), Some(0))
            }
        };
        if classic {
            let s: Vec<(f64, f64)> = rec
                .ticks
                .iter()
                .map(|t| {
                    let sum: f64 = t.stories[j].iter().take(3).sum();
                    (t.tick as f64, 100.0 * (1.0 - sum).max(0.0))
                })
                .collect();
            let (color, dash) = style(0);
            series.push(Series {
                name: label(0),
                points: s,
                color,
                dash,
            });
        }
        for k in 0..3 {
            if k == 2 && !rec.ticks.iter().any(|t| t.stories[j][2] > 0.0) {
                continue;
            }
            let (color, dash) = style(k + 1);
            series.push(Series {
                name: label(k + 1),
                points: pct(rec.story_series(j, k)),
                color,
                dash,
            });
        }
    }
    let hover = lines(&series);
    let png = plot::line_chart(&LineChart {
        title,
        x_label: capitalise(&w.tick_label),
        y_label: "% of people".into(),
        series,
        y_range: Some((0.0, 100.0)).filter(|_| classic),
        markers: markers.to_vec(),
    })?;
    Ok((png, hover))
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
        cols: w
            .actors
            .names
            .iter()
            .map(|n| short_name(n).to_string())
            .collect(),
        values,
        range: (-1.0, 1.0),
        colorbar_label: "Favourability".into(),
        ..Default::default()
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
        title: format!(
            "Network: favourability toward {}",
            short_name(&w.actors.names[actor])
        ),
        nodes,
        edges,
        colour_label: format!(
            "Favourability toward {}",
            short_name(&w.actors.names[actor])
        ),
        seed: w.seed,
    })?)
}
