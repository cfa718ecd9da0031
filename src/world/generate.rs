//! Synthetic populations: random-graph models and attribute distributions.
//!
//! References: Barabási & Albert (1999); Watts & Strogatz (1998); Holland, Laskey &
//! Leinhardt (1983) for stochastic block models; Batagelj & Brandes (2005) for the
//! O(n + m) geometric-skip sampling of sparse random graphs used here.

use crate::model::checked::Graph;
use crate::model::{Dist, DistSpec};
use rand::Rng;
use rand_distr::{Beta, Distribution, Normal};
use std::collections::HashSet;

/// Undirected edges among `n` nodes numbered from 0, drawn from `model`.
pub fn edges<R: Rng>(model: &Graph, n: u32, rng: &mut R) -> Vec<(u32, u32)> {
    match model {
        Graph::BarabasiAlbert { m } => barabasi_albert(n, *m, rng),
        Graph::WattsStrogatz { k, p } => watts_strogatz(n, *k, *p, rng),
        Graph::ErdosRenyi { p } => {
            let mut e = Vec::new();
            within(0, n, *p, rng, &mut e);
            e
        }
        Graph::StochasticBlock {
            blocks,
            p_in,
            p_out,
        } => {
            let mut e = Vec::new();
            let mut starts = Vec::with_capacity(blocks.len() + 1);
            let mut s = 0u32;
            for b in blocks {
                starts.push(s);
                s += b;
            }
            starts.push(s);
            for i in 0..blocks.len() {
                within(starts[i], starts[i + 1], *p_in, rng, &mut e);
                for j in 0..i {
                    between(
                        (starts[i], starts[i + 1]),
                        (starts[j], starts[j + 1]),
                        *p_out,
                        rng,
                        &mut e,
                    );
                }
            }
            e
        }
        Graph::EdgeList(edges) => edges.to_vec(),
        Graph::Complete => {
            let mut e = Vec::with_capacity(n as usize * n.saturating_sub(1) as usize / 2);
            for v in 1..n {
                for w in 0..v {
                    e.push((v, w));
                }
            }
            e
        }
    }
}

/// Preferential attachment: starts from a complete graph on m + 1 nodes; each later node
/// links to m distinct earlier nodes chosen with probability proportional to degree.
fn barabasi_albert<R: Rng>(n: u32, m: u32, rng: &mut R) -> Vec<(u32, u32)> {
    let m0 = (m + 1).min(n);
    let mut e = Vec::with_capacity(n as usize * m as usize);
    // Each endpoint listed once per incident edge: a uniform pick is a degree-weighted pick.
    let mut ends: Vec<u32> = Vec::with_capacity(2 * n as usize * m as usize);
    for v in 1..m0 {
        for w in 0..v {
            e.push((v, w));
            ends.push(v);
            ends.push(w);
        }
    }
    let mut chosen: Vec<u32> = Vec::with_capacity(m as usize);
    for v in m0..n {
        chosen.clear();
        while chosen.len() < m as usize {
            let t = ends[rng.random_range(0..ends.len())];
            if !chosen.contains(&t) {
                chosen.push(t);
            }
        }
        for &t in &chosen {
            e.push((v, t));
            ends.push(v);
            ends.push(t);
        }
    }
    e
}

/// Ring lattice of degree k, each clockwise edge rewired with probability p to a uniform
/// node (no self-loops or duplicate edges).
fn watts_strogatz<R: Rng>(n: u32, k: u32, p: f64, rng: &mut R) -> Vec<(u32, u32)> {
    let key = |a: u32, b: u32| if a < b { (a, b) } else { (b, a) };
    let mut set: HashSet<(u32, u32)> = HashSet::with_capacity(n as usize * k as usize / 2);
    let mut e = Vec::with_capacity(n as usize * k as usize / 2);
    for i in 0..n {
        for j in 1..=k / 2 {
            let w = (i + j) % n;
            set.insert(key(i, w));
            e.push((i, w));
        }
    }
    for edge in e.iter_mut() {
        if rng.random::<f64>() < p {
            let (i, old) = *edge;
            // A node linked to everyone cannot be rewired; a bounded number of tries keeps this total.
            for _ in 0..64 {
                let w = rng.random_range(0..n);
                if w != i && !set.contains(&key(i, w)) {
                    set.remove(&key(i, old));
                    set.insert(key(i, w));
                    *edge = (i, w);
                    break;
                }
            }
        }
    }
    e
}

/// Number of non-selected trials before the next success, for success probability p.
fn skip<R: Rng>(p: f64, rng: &mut R) -> u64 {
    if p >= 1.0 {
        return 0;
    }
    let r: f64 = rng.random();
    ((1.0 - r).ln() / (1.0 - p).ln())
        .floor()
        .min(u64::MAX as f64 / 4.0) as u64
}

/// G(n, p) on nodes [lo, hi), by geometric skipping over the pairs (v, w), w < v.
fn within<R: Rng>(lo: u32, hi: u32, p: f64, rng: &mut R, out: &mut Vec<(u32, u32)>) {
    if p <= 0.0 || hi - lo < 2 {
        return;
    }
    let n = (hi - lo) as u64;
    let mut v: u64 = 1;
    let mut w: i64 = -1;
    loop {
        w += 1 + skip(p, rng) as i64;
        while v < n && w >= v as i64 {
            w -= v as i64;
            v += 1;
        }
        if v >= n {
            break;
        }
        out.push((lo + v as u32, lo + w as u32));
    }
}

/// Bipartite G(n1, n2, p) between two node ranges.
fn between<R: Rng>(a: (u32, u32), b: (u32, u32), p: f64, rng: &mut R, out: &mut Vec<(u32, u32)>) {
    if p <= 0.0 {
        return;
    }
    let nb = (b.1 - b.0) as u64;
    let total = (a.1 - a.0) as u64 * nb;
    let mut i: u64 = 0;
    let mut first = true;
    loop {
        let step = skip(p, rng);
        i = if first {
            step
        } else {
            i.saturating_add(1 + step)
        };
        first = false;
        if i >= total {
            break;
        }
        out.push((a.0 + (i / nb) as u32, b.0 + (i % nb) as u32));
    }
}

/// Draws a value, clamped to [lo, hi] (a normal can stray outside a valid range).
pub fn draw<R: Rng>(d: &Dist, lo: f64, hi: f64, rng: &mut R) -> f64 {
    let x = match d {
        Dist::Const(x) => *x,
        Dist::Spec(DistSpec::Uniform { min, max }) => {
            if max > min {
                rng.random_range(*min..*max)
            } else {
                *min
            }
        }
        Dist::Spec(DistSpec::Normal { mean, sd }) => {
            Normal::new(*mean, *sd).map_or(*mean, |n| n.sample(rng))
        }
        Dist::Spec(DistSpec::LogNormal { median, sigma }) => {
            let z = Normal::new(0.0, *sigma).map_or(0.0, |n| n.sample(rng));
            median * z.exp()
        }
        Dist::Spec(DistSpec::Beta { alpha, beta }) => {
            Beta::new(*alpha, *beta).map_or(0.5, |b| b.sample(rng))
        }
    };
    x.clamp(lo, hi)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn simple(e: &[(u32, u32)]) -> bool {
        let mut s = HashSet::new();
        e.iter()
            .all(|&(a, b)| a != b && s.insert((a.min(b), a.max(b))))
    }

    #[test]
    fn barabasi_albert_has_expected_edge_count() {
        let mut r = ChaCha8Rng::seed_from_u64(1);
        let (n, m) = (2000u32, 5u32);
        let e = edges(&Graph::BarabasiAlbert { m }, n, &mut r);
        // (m+1) choose 2 seed edges, then m per later node.
        assert_eq!(e.len() as u32, (m + 1) * m / 2 + (n - m - 1) * m);
        assert!(simple(&e));
    }

    #[test]
    fn watts_strogatz_keeps_edge_count() {
        let mut r = ChaCha8Rng::seed_from_u64(2);
        let e = edges(&Graph::WattsStrogatz { k: 6, p: 0.2 }, 500, &mut r);
        assert_eq!(e.len(), 500 * 3);
        assert!(simple(&e));
    }

    #[test]
    fn erdos_renyi_density_matches_p() {
        let mut r = ChaCha8Rng::seed_from_u64(3);
        let (n, p) = (2000u32, 0.01);
        let e = edges(&Graph::ErdosRenyi { p }, n, &mut r);
        let pairs = n as f64 * (n as f64 - 1.0) / 2.0;
        let mean = p * pairs;
        let sd = (pairs * p * (1.0 - p)).sqrt();
        // 5 standard deviations: a false alarm has probability below 1e-6.
        assert!(
            (e.len() as f64 - mean).abs() < 5.0 * sd,
            "{} vs {mean}",
            e.len()
        );
        assert!(simple(&e));
    }

    #[test]
    fn block_model_is_denser_inside_blocks() {
        let mut r = ChaCha8Rng::seed_from_u64(4);
        let g = Graph::StochasticBlock {
            blocks: vec![300, 300],
            p_in: 0.05,
            p_out: 0.005,
        };
        let e = edges(&g, 600, &mut r);
        let inside = e.iter().filter(|&&(a, b)| (a < 300) == (b < 300)).count() as f64;
        let across = e.len() as f64 - inside;
        // Expected: inside 2*C(300,2)*0.05 = 4485, across 300*300*0.005 = 450.
        assert!((inside - 4485.0).abs() < 5.0 * 65.0, "{inside}");
        assert!((across - 450.0).abs() < 5.0 * 21.2, "{across}");
        assert!(simple(&e));
    }

    #[test]
    fn complete_graph() {
        let mut r = ChaCha8Rng::seed_from_u64(5);
        assert_eq!(edges(&Graph::Complete, 10, &mut r).len(), 45);
    }
}
