//! The scenario as a graph (petgraph): actors and populations are nodes; social ties,
//! media reach (campaign targeting) and actor relations are edges. Social ties are
//! assembled here first and the engine's CSR arrays are derived from that graph.

use super::{Csr, World};
use petgraph::graph::{NodeIndex, UnGraph};
use petgraph::visit::EdgeRef;

/// A node of the full scenario graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Node {
    Population(u32),
    Actor(u32),
}

/// An edge of the full scenario graph.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Edge {
    /// Raw social-tie weight.
    Social(f32),
    /// An actor's campaigns reach the population.
    Media,
    /// Government stance (−1 rivalry .. +1 alliance).
    Relation(f32),
}

/// Social ties among `n` populations (node i is population i); parallel edges are kept
/// and merged when the CSR is derived.
pub fn social_graph(
    n: usize,
    ties: impl IntoIterator<Item = (u32, u32, f32)>,
) -> UnGraph<(), f32, u32> {
    let ties = ties.into_iter();
    let mut g = UnGraph::with_capacity(n, ties.size_hint().0);
    for _ in 0..n {
        g.add_node(());
    }
    for (a, b, w) in ties {
        g.add_edge(NodeIndex::new(a as usize), NodeIndex::new(b as usize), w);
    }
    g
}

/// The engine's CSR arrays from the social graph (two-way ties), the one-way ties
/// `(speaker, listener, weight)` and every population's raw self weight.
pub fn csr_from_graph(
    g: &UnGraph<(), f32, u32>,
    one_way: &[(u32, u32, f32)],
    self_raw: Vec<f32>,
) -> Csr {
    let edges: Vec<(u32, u32, f32)> = g
        .edge_references()
        .map(|e| {
            (
                e.source().index() as u32,
                e.target().index() as u32,
                *e.weight(),
            )
        })
        .collect();
    Csr::from_ties(g.node_count(), &edges, one_way, self_raw)
}

/// The whole scenario as one graph (populations first, then actors), for structure
/// queries and drawing.
pub fn scenario_graph(w: &World) -> UnGraph<Node, Edge, u32> {
    let n_pop = w.pops.len();
    let mut g = UnGraph::with_capacity(n_pop + w.actors.len(), w.ties.entries() / 2);
    for p in 0..n_pop {
        g.add_node(Node::Population(p as u32));
    }
    for a in 0..w.actors.len() {
        g.add_node(Node::Actor(a as u32));
    }
    for p in 0..n_pop {
        for e in w.ties.row(p) {
            let q = w.ties.nbr[e] as usize;
            // A one-way tie has weight in one row only: draw it from either end.
            let back = w.ties.slot(q, p as u32).map_or(0.0, |b| w.ties.raw[b]);
            if p < q && (w.ties.raw[e] > 0.0 || back > 0.0) {
                g.add_edge(
                    NodeIndex::new(p),
                    NodeIndex::new(q),
                    Edge::Social(w.ties.raw[e].max(back)),
                );
            }
        }
    }
    for c in &w.campaigns {
        let a = NodeIndex::new(n_pop + c.actor as usize);
        for &p in &c.targets {
            let p = NodeIndex::new(p as usize);
            if g.find_edge(a, p).is_none() {
                g.add_edge(a, p, Edge::Media);
            }
        }
    }
    let n = w.actors.len();
    for a in 0..n {
        for b in a + 1..n {
            let r = w.relations[a * n + b];
            if r != 0.0 {
                g.add_edge(
                    NodeIndex::new(n_pop + a),
                    NodeIndex::new(n_pop + b),
                    Edge::Relation(r),
                );
            }
        }
    }
    g
}

/// Groups of populations that social ties connect (isolated populations count alone).
pub fn social_components(w: &World) -> usize {
    let g = social_graph(
        w.pops.len(),
        (0..w.pops.len()).flat_map(|p| {
            w.ties
                .row(p)
                .filter(move |&e| (w.ties.nbr[e] as usize) > p)
                .map(move |e| (p as u32, w.ties.nbr[e], w.ties.raw[e]))
        }),
    );
    petgraph::algo::connected_components(&g)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::testkit::{RICH, world};

    #[test]
    fn csr_from_graph_merges_parallel_ties() {
        let g = social_graph(3, [(0, 1, 1.0), (1, 0, 2.0), (1, 2, 1.0)]);
        let c = csr_from_graph(&g, &[], vec![1.0; 3]);
        assert_eq!(c.raw[c.row(0)], [3.0]);
        assert_eq!(c.entries(), 4);
    }

    #[test]
    fn scenario_graph_holds_every_entity() {
        let w = world(RICH);
        let g = scenario_graph(&w);
        assert_eq!(g.node_count(), w.pops.len() + w.actors.len());
        assert!(g.edge_weights().any(|e| matches!(e, Edge::Media)));
        // p1-p2-p3-g_0 join the generated ring: one component in all.
        assert_eq!(social_components(&w), 1);
    }
}
