//! Network plot with a deterministic Fruchterman–Reingold layout.

use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::common::{
    Area, LegendItem, SMALL_SIZE, Swatch, draw_legend, draw_title, fit_text, guard, legend_size,
    no_data, ok, render, text_halo,
};
use super::heatmap::colour_bar;
use super::palette::{ACTOR, Diverging, MEDIA_EDGE, MISSING, SOCIAL_EDGE, TEXT};
use super::{EdgeKind, NetworkPlot, NodeKind, PlotError};

/// Networks with more nodes than this are refused.
pub const MAX_NETWORK_NODES: usize = 2000;
/// Node labels are drawn when there are at most this many nodes.
pub const MAX_LABELLED_NODES: usize = 60;

const NET_W: u32 = 1200;
const NET_H: u32 = 1000;
/// Right-hand panel with legend and colour bar.
const PANEL_W: i32 = 230;
const ITERATIONS: usize = 300;

/// splitmix64: a tiny deterministic PRNG for initial positions.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(crate::rng::GOLDEN_GAMMA);
        crate::rng::mix(self.0)
    }

    /// Uniform in [0, 1).
    fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Valid edges as (a, b, normalised weight in (0, 1], kind).
fn clean_edges(p: &NetworkPlot) -> Vec<(usize, usize, f64, EdgeKind)> {
    let n = p.nodes.len();
    let max_w = p
        .edges
        .iter()
        .filter(|e| ok(e.weight) && e.weight > 0.0)
        .fold(0.0f64, |m, e| m.max(e.weight));
    p.edges
        .iter()
        .filter(|e| e.a < n && e.b < n && e.a != e.b)
        .map(|e| {
            let w = if ok(e.weight) && e.weight > 0.0 && max_w > 0.0 {
                e.weight / max_w
            } else {
                0.0
            };
            (e.a, e.b, w, e.kind)
        })
        .collect()
}

/// Fruchterman–Reingold in the unit square with a fixed iteration count,
/// linear cooling, weak gravity towards the centre and (for large graphs) a
/// grid-based repulsion cutoff at 2k. Fully deterministic for a given input.
pub(crate) fn layout(
    n: usize,
    edges: &[(usize, usize, f64, EdgeKind)],
    seed: u64,
) -> Vec<(f64, f64)> {
    let mut rng = SplitMix64(seed);
    let mut pos: Vec<(f64, f64)> = (0..n).map(|_| (rng.next_f64(), rng.next_f64())).collect();
    if n <= 1 {
        return vec![(0.5, 0.5); n];
    }
    let k = (1.0 / n as f64).sqrt();
    let cutoff = if n > 300 { 2.0 * k } else { f64::INFINITY };
    let t0 = 0.1;
    let mut disp = vec![(0.0f64, 0.0f64); n];
    for it in 0..ITERATIONS {
        let temp = t0 * (1.0 - it as f64 / ITERATIONS as f64) + 1e-4;
        disp.iter_mut().for_each(|d| *d = (0.0, 0.0));

        // Repulsion.
        let repel = |i: usize, j: usize, pos: &[(f64, f64)], d: &mut (f64, f64)| {
            let (dx, dy) = (pos[i].0 - pos[j].0, pos[i].1 - pos[j].1);
            let dist2 = dx * dx + dy * dy;
            if dist2 < 1e-18 {
                // Coincident nodes: push apart along a direction fixed by the indices.
                let ang = ((i * 7919 + j * 104_729) % 360) as f64 * std::f64::consts::PI / 180.0;
                d.0 += ang.cos() * k;
                d.1 += ang.sin() * k;
                return;
            }
            let dist = dist2.sqrt();
            if dist < cutoff {
                let f = k * k / dist;
                d.0 += dx / dist * f;
                d.1 += dy / dist * f;
            }
        };
        if cutoff.is_finite() {
            let (minx, miny) = pos.iter().fold((f64::INFINITY, f64::INFINITY), |m, p| {
                (m.0.min(p.0), m.1.min(p.1))
            });
            let (maxx, maxy) = pos
                .iter()
                .fold((f64::NEG_INFINITY, f64::NEG_INFINITY), |m, p| {
                    (m.0.max(p.0), m.1.max(p.1))
                });
            let gx = (((maxx - minx) / cutoff).floor() as usize + 1).clamp(1, 512);
            let gy = (((maxy - miny) / cutoff).floor() as usize + 1).clamp(1, 512);
            let cell = |p: (f64, f64)| {
                let cx = (((p.0 - minx) / cutoff) as usize).min(gx - 1);
                let cy = (((p.1 - miny) / cutoff) as usize).min(gy - 1);
                (cx, cy)
            };
            let mut grid: Vec<Vec<usize>> = vec![Vec::new(); gx * gy];
            for (i, p) in pos.iter().enumerate() {
                let (cx, cy) = cell(*p);
                grid[cy * gx + cx].push(i);
            }
            for (i, di) in disp.iter_mut().enumerate() {
                let (cx, cy) = cell(pos[i]);
                let mut d = (0.0, 0.0);
                for yy in cy.saturating_sub(1)..=(cy + 1).min(gy - 1) {
                    for xx in cx.saturating_sub(1)..=(cx + 1).min(gx - 1) {
                        for &j in &grid[yy * gx + xx] {
                            if j != i {
                                repel(i, j, &pos, &mut d);
                            }
                        }
                    }
                }
                *di = d;
            }
        } else {
            for (i, di) in disp.iter_mut().enumerate() {
                let mut d = (0.0, 0.0);
                for j in 0..n {
                    if j != i {
                        repel(i, j, &pos, &mut d);
                    }
                }
                *di = d;
            }
        }

        // Attraction along edges.
        for &(a, b, w, kind) in edges {
            let (dx, dy) = (pos[a].0 - pos[b].0, pos[a].1 - pos[b].1);
            let dist = (dx * dx + dy * dy).sqrt();
            if dist < 1e-12 {
                continue;
            }
            let strength = (0.3 + 0.7 * w) * if kind == EdgeKind::Media { 0.5 } else { 1.0 };
            let f = dist * dist / k * strength;
            let (fx, fy) = (dx / dist * f, dy / dist * f);
            disp[a].0 -= fx;
            disp[a].1 -= fy;
            disp[b].0 += fx;
            disp[b].1 += fy;
        }

        // Gravity and capped displacement.
        for (p, d) in pos.iter_mut().zip(&disp) {
            let gx = d.0 - (p.0 - 0.5) * 2.0 * k;
            let gy = d.1 - (p.1 - 0.5) * 2.0 * k;
            let len = (gx * gx + gy * gy).sqrt();
            if len > 0.0 && len.is_finite() {
                let step = len.min(temp);
                p.0 += gx / len * step;
                p.1 += gy / len * step;
            }
        }
    }
    pos
}

/// Network diagram. Populations are circles coloured by `value` on the RdBu
/// diverging scale over [-1, 1] (negative = red, positive = blue; `None` =
/// grey); actors are dark diamonds; node area ∝ `size`. Social edges are grey
/// with width by weight, media edges dashed orange. Labels are drawn for at
/// most 60 nodes. The layout is deterministic: the same input (including
/// `seed`) gives a byte-identical PNG. More than 2000 nodes is an error.
/// Actors without any edge (idle: they reach nobody) are left out, so they
/// do not take space from the populations.
pub fn network(p: &NetworkPlot) -> Result<Vec<u8>, PlotError> {
    if p.nodes.len() > MAX_NETWORK_NODES {
        return Err(PlotError::TooManyNodes {
            nodes: p.nodes.len(),
            max: MAX_NETWORK_NODES,
        });
    }
    let p = &without_idle_actors(p);
    guard(|| render(NET_W, NET_H, |root| draw(root, p)))
}

/// The plot without actor nodes that no valid edge touches (indices remapped).
pub(crate) fn without_idle_actors(p: &NetworkPlot) -> NetworkPlot {
    let n = p.nodes.len();
    let mut linked = vec![false; n];
    for e in &p.edges {
        if e.a < n && e.b < n && e.a != e.b {
            linked[e.a] = true;
            linked[e.b] = true;
        }
    }
    let keep: Vec<bool> = p
        .nodes
        .iter()
        .zip(&linked)
        .map(|(nd, l)| nd.kind != NodeKind::Actor || *l)
        .collect();
    let mut new_index = vec![usize::MAX; n];
    let mut nodes = Vec::new();
    for (i, nd) in p.nodes.iter().enumerate() {
        if keep[i] {
            new_index[i] = nodes.len();
            nodes.push(nd.clone());
        }
    }
    let edges = p
        .edges
        .iter()
        .filter(|e| e.a < n && e.b < n && keep[e.a] && keep[e.b])
        .map(|e| super::NetEdge {
            a: new_index[e.a],
            b: new_index[e.b],
            ..e.clone()
        })
        .collect();
    NetworkPlot {
        nodes,
        edges,
        ..p.clone()
    }
}

fn draw(root: &Area, p: &NetworkPlot) -> Result<(), PlotError> {
    let top = draw_title(root, &p.title)?;
    let n = p.nodes.len();
    let area = (20, top + 10, NET_W as i32 - PANEL_W - 20, NET_H as i32 - 20);
    if n == 0 {
        return no_data(root, area);
    }
    let edges = clean_edges(p);
    let pos = layout(n, &edges, p.seed);

    // Radii: area ∝ size, range shrinking with node count.
    let r_max = (26.0 * (40.0 / n as f64).sqrt()).clamp(6.0, 26.0);
    let r_min = (r_max * 0.28).max(3.0);
    let sizes: Vec<f64> = p
        .nodes
        .iter()
        .map(|nd| {
            if ok(nd.size) && nd.size > 0.0 {
                nd.size
            } else {
                0.0
            }
        })
        .collect();
    // Populations and actors are sized on separate scales (their sizes are
    // usually different quantities); actors peak a little smaller.
    let max_of = |k: NodeKind| {
        p.nodes
            .iter()
            .zip(&sizes)
            .filter(|(nd, _)| nd.kind == k)
            .fold(0.0f64, |m, (_, s)| m.max(*s))
    };
    let (max_pop, max_act) = (max_of(NodeKind::Population), max_of(NodeKind::Actor));
    let radius: Vec<i32> = p
        .nodes
        .iter()
        .zip(&sizes)
        .map(|(nd, s)| {
            let (max, top) = match nd.kind {
                NodeKind::Population => (max_pop, r_max),
                NodeKind::Actor => (max_act, (r_max * 0.7).max(r_min)),
            };
            let f = if max > 0.0 { (s / max).sqrt() } else { 0.6 };
            (r_min + (top - r_min) * f).round() as i32
        })
        .collect();

    // Fit the layout into the area, same scale on both axes.
    let labels = n <= MAX_LABELLED_NODES;
    let pad_x = r_max as i32 + if labels { 50 } else { 6 };
    let pad_top = r_max as i32 + 6;
    let pad_bottom = r_max as i32 + if labels { 26 } else { 6 };
    let (minx, maxx) = pos.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |m, q| {
        (m.0.min(q.0), m.1.max(q.0))
    });
    let (miny, maxy) = pos.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |m, q| {
        (m.0.min(q.1), m.1.max(q.1))
    });
    let aw = (area.2 - area.0 - 2 * pad_x).max(10) as f64;
    let ah = (area.3 - area.1 - pad_top - pad_bottom).max(10) as f64;
    let (sx, sy) = ((maxx - minx).max(1e-9), (maxy - miny).max(1e-9));
    let s = (aw / sx).min(ah / sy);
    let s = if s.is_finite() { s } else { 1.0 };
    let (cx, cy) = (
        (area.0 + area.2) as f64 / 2.0,
        (area.1 + pad_top + area.3 - pad_bottom) as f64 / 2.0,
    );
    let (mx, my) = ((minx + maxx) / 2.0, (miny + maxy) / 2.0);
    let pix: Vec<(i32, i32)> = pos
        .iter()
        .map(|q| {
            if ok(q.0) && ok(q.1) {
                (
                    (cx + (q.0 - mx) * s).round() as i32,
                    (cy + (q.1 - my) * s).round() as i32,
                )
            } else {
                (cx as i32, cy as i32)
            }
        })
        .collect();

    // Edges: social below media.
    let many = edges.len() > 1500;
    for &(a, b, w, kind) in &edges {
        if kind == EdgeKind::Social {
            let width = (1.0 + 4.0 * w).round() as u32;
            let alpha = if many { 0.25 } else { 0.5 };
            root.draw(&PathElement::new(
                vec![pix[a], pix[b]],
                SOCIAL_EDGE.mix(alpha).stroke_width(width),
            ))?;
        }
    }
    for &(a, b, _, kind) in &edges {
        if kind == EdgeKind::Media {
            root.draw(&DashedPathElement::new(
                vec![pix[a], pix[b]],
                7,
                5,
                MEDIA_EDGE
                    .mix(if many { 0.5 } else { 0.85 })
                    .stroke_width(2),
            ))?;
        }
    }

    // Nodes, largest first so small ones stay visible.
    let scale = Diverging::new((-1.0, 1.0));
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| radius[b].cmp(&radius[a]).then(a.cmp(&b)));
    for &i in &order {
        let nd = &p.nodes[i];
        let (x, y) = pix[i];
        let r = radius[i];
        match nd.kind {
            NodeKind::Population => {
                let fill = match nd.value {
                    Some(v) if ok(v) => scale.color(v),
                    _ => MISSING,
                };
                root.draw(&Circle::new((x, y), r, fill.filled()))?;
                root.draw(&Circle::new(
                    (x, y),
                    r,
                    RGBColor(0x55, 0x55, 0x55).stroke_width(1),
                ))?;
            }
            NodeKind::Actor => {
                let r = r + 2;
                let shape = vec![(x, y - r), (x + r, y), (x, y + r), (x - r, y)];
                root.draw(&Polygon::new(shape.clone(), ACTOR.filled()))?;
                let mut outline = shape;
                outline.push((x, y - r));
                root.draw(&PathElement::new(outline, WHITE.stroke_width(1)))?;
            }
        }
    }
    if labels {
        for (i, nd) in p.nodes.iter().enumerate() {
            if nd.label.is_empty() {
                continue;
            }
            let (x, y) = pix[i];
            let r = radius[i] + if nd.kind == NodeKind::Actor { 2 } else { 0 };
            let l = fit_text(root, &nd.label, SMALL_SIZE, 160);
            text_halo(
                root,
                &l,
                (x, y + r + 3),
                SMALL_SIZE,
                (HPos::Center, VPos::Top),
                TEXT,
            )?;
        }
    }

    // Right panel: legend, then the colour bar.
    let has = |k: NodeKind| p.nodes.iter().any(|nd| nd.kind == k);
    let has_e = |k: EdgeKind| edges.iter().any(|e| e.3 == k);
    let mut items = Vec::new();
    if has(NodeKind::Population) {
        items.push(LegendItem {
            label: "Population".into(),
            swatch: Swatch::Circle(RGBColor(0x92, 0xC5, 0xDE)),
        });
    }
    if has(NodeKind::Actor) {
        items.push(LegendItem {
            label: "Actor".into(),
            swatch: Swatch::Diamond(ACTOR),
        });
    }
    if has_e(EdgeKind::Social) {
        items.push(LegendItem {
            label: "Social tie".into(),
            swatch: Swatch::Line(SOCIAL_EDGE, 3),
        });
    }
    if has_e(EdgeKind::Media) {
        items.push(LegendItem {
            label: "Media reach".into(),
            swatch: Swatch::Dashed(MEDIA_EDGE, 2),
        });
    }
    let px0 = NET_W as i32 - PANEL_W;
    let max_lbl = PANEL_W - 70;
    draw_legend(root, &items, (px0, top + 10), max_lbl)?;
    if has(NodeKind::Population) {
        let (_, lh) = legend_size(root, &items, max_lbl);
        let by0 = top + 10 + lh + 40;
        let by1 = (by0 + 420).min(NET_H as i32 - 40);
        colour_bar(
            root,
            (px0 + 10, by0, px0 + 10 + 24, by1),
            (-1.0, 1.0),
            &super::palette::Scale::Diverging(scale),
            &p.colour_label,
        )?;
    }
    Ok(())
}
