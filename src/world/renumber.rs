//! Renumbering populations for memory locality.
//!
//! The social kernel reads every neighbour's opinion row; when neighbours have nearby
//! indices those reads share cache lines. Reverse Cuthill–McKee (Cuthill & McKee 1969;
//! George 1971) orders nodes by breadth-first search from a low-degree node, visiting
//! neighbours by increasing degree, then reverses the order, which keeps the bandwidth of
//! the adjacency matrix small. The order depends only on the graph, so it is deterministic.

use super::Csr;
use std::collections::VecDeque;

/// Old indices in their new order (`order[new] = old`).
pub fn rcm_order(csr: &Csr) -> Vec<u32> {
    let n = csr.len();
    let deg = |p: usize| csr.offsets[p + 1] - csr.offsets[p];
    let mut visited = vec![false; n];
    let mut order: Vec<u32> = Vec::with_capacity(n);
    // Components are started from their lowest-degree node, taken in index order for ties.
    let mut starts: Vec<u32> = (0..n as u32).collect();
    starts.sort_by_key(|&p| (deg(p as usize), p));
    let mut queue = VecDeque::new();
    let mut nbrs: Vec<u32> = Vec::new();
    for &s in &starts {
        if visited[s as usize] {
            continue;
        }
        visited[s as usize] = true;
        queue.push_back(s);
        while let Some(p) = queue.pop_front() {
            order.push(p);
            nbrs.clear();
            nbrs.extend(
                csr.nbr[csr.row(p as usize)]
                    .iter()
                    .copied()
                    .filter(|&q| !visited[q as usize]),
            );
            nbrs.sort_by_key(|&q| (deg(q as usize), q));
            for &q in &nbrs {
                visited[q as usize] = true;
                queue.push_back(q);
            }
        }
    }
    order.reverse();
    order
}

/// `new_of_old[old] = new` from `order[new] = old`.
pub fn inverse(order: &[u32]) -> Vec<u32> {
    let mut inv = vec![0u32; order.len()];
    for (new, &old) in order.iter().enumerate() {
        inv[old as usize] = new as u32;
    }
    inv
}

/// The same graph with nodes renumbered (`new_of_old[old] = new`), every population with
/// raw self weight `self_weight`. Each entry keeps its own raw weight (one-way ties too).
pub fn permute_csr(csr: &Csr, order: &[u32], new_of_old: &[u32], self_weight: f32) -> Csr {
    let mut heard = Vec::with_capacity(csr.entries());
    for (new_p, &old_p) in order.iter().enumerate() {
        for e in csr.row(old_p as usize) {
            // (speaker, listener, weight): the mirror entry adds 0 to the speaker's row.
            heard.push((new_of_old[csr.nbr[e] as usize], new_p as u32, csr.raw[e]));
        }
    }
    Csr::from_ties(csr.len(), &[], &heard, vec![self_weight; csr.len()])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rcm_is_a_permutation_that_narrows_a_shuffled_path() {
        // A path 0-1-...-9 with scrambled labels.
        let labels = [7u32, 2, 9, 0, 5, 3, 8, 1, 6, 4];
        let edges: Vec<(u32, u32, f32)> = labels.windows(2).map(|w| (w[0], w[1], 1.0)).collect();
        let csr = Csr::from_edges(10, &edges, 1.0);
        let order = rcm_order(&csr);
        let mut sorted = order.clone();
        sorted.sort();
        assert_eq!(sorted, (0..10).collect::<Vec<_>>());
        let inv = inverse(&order);
        let p = permute_csr(&csr, &order, &inv, 1.0);
        // Bandwidth of a path in RCM order is 1.
        for v in 0..10 {
            for e in p.row(v) {
                assert_eq!((p.nbr[e] as i64 - v as i64).abs(), 1);
            }
        }
    }
}
