//! Compressed sparse rows for social ties: the hot loops read neighbours from here.

use rayon::prelude::*;

/// Undirected weighted ties stored both ways, rows sorted by neighbour.
///
/// `w` is the row-normalised influence weight: with self weight `s` in tie-weight units,
/// `self_w[p] = s / (s + Σ raw)` and `w[e] = raw[e] / (s + Σ raw)`, so every row of W sums
/// to 1 (row-stochastic). A new weak tie gets a small share; a population with no ties
/// (or zero total weight) keeps `self_w = 1`.
#[derive(Debug, Clone, Default)]
pub struct Csr {
    pub offsets: Vec<usize>,
    pub nbr: Vec<u32>,
    pub raw: Vec<f32>,
    pub w: Vec<f32>,
    pub self_w: Vec<f32>,
    /// The weight every tie of row `p` shares, or NaN when they differ. Rows of generated
    /// graphs share one tie weight, and the social kernel then skips reading `w`.
    pub row_w: Vec<f32>,
}

impl Csr {
    /// Builds from undirected edges; duplicate edges are merged by adding weights, self-loops dropped.
    pub fn from_edges(n: usize, edges: &[(u32, u32, f32)], self_weight: f32) -> Csr {
        let mut deg = vec![0usize; n + 1];
        for &(a, b, _) in edges {
            if a != b {
                deg[a as usize] += 1;
                deg[b as usize] += 1;
            }
        }
        let mut offsets = vec![0usize; n + 1];
        for i in 0..n {
            offsets[i + 1] = offsets[i] + deg[i];
        }
        let m = offsets[n];
        let mut fill = offsets.clone();
        let mut pairs: Vec<(u32, f32)> = vec![(0, 0.0); m];
        for &(a, b, w) in edges {
            if a == b {
                continue;
            }
            pairs[fill[a as usize]] = (b, w);
            fill[a as usize] += 1;
            pairs[fill[b as usize]] = (a, w);
            fill[b as usize] += 1;
        }
        // Sort and merge each row; rows are independent so this parallelises deterministically.
        let mut rows: Vec<&mut [(u32, f32)]> = Vec::with_capacity(n);
        let mut rest: &mut [(u32, f32)] = &mut pairs;
        for i in 0..n {
            let (row, tail) = rest.split_at_mut(offsets[i + 1] - offsets[i]);
            rows.push(row);
            rest = tail;
        }
        let lens: Vec<usize> = rows
            .into_par_iter()
            .map(|row| {
                row.sort_unstable_by_key(|&(q, _)| q);
                let mut k = 0;
                for j in 0..row.len() {
                    if k > 0 && row[k - 1].0 == row[j].0 {
                        row[k - 1].1 += row[j].1;
                    } else {
                        row[k] = row[j];
                        k += 1;
                    }
                }
                k
            })
            .collect();
        let mut new_off = vec![0usize; n + 1];
        for i in 0..n {
            new_off[i + 1] = new_off[i] + lens[i];
        }
        let total = new_off[n];
        let mut nbr = Vec::with_capacity(total);
        let mut raw = Vec::with_capacity(total);
        for i in 0..n {
            for &(q, w) in &pairs[offsets[i]..offsets[i] + lens[i]] {
                nbr.push(q);
                raw.push(w);
            }
        }
        let mut csr = Csr {
            offsets: new_off,
            nbr,
            raw,
            w: vec![0.0; total],
            self_w: vec![1.0; n],
            row_w: vec![f32::NAN; n],
        };
        csr.normalise_all(self_weight);
        csr
    }

    pub fn len(&self) -> usize {
        self.self_w.len()
    }
    pub fn is_empty(&self) -> bool {
        self.self_w.is_empty()
    }
    /// Directed entries (each undirected tie counts twice).
    pub fn entries(&self) -> usize {
        self.nbr.len()
    }
    pub fn row(&self, p: usize) -> std::ops::Range<usize> {
        self.offsets[p]..self.offsets[p + 1]
    }

    /// Index of the entry for the tie p -> q.
    pub fn slot(&self, p: usize, q: u32) -> Option<usize> {
        let r = self.row(p);
        self.nbr[r.clone()]
            .binary_search(&q)
            .ok()
            .map(|i| r.start + i)
    }

    pub fn normalise_all(&mut self, self_weight: f32) {
        for p in 0..self.len() {
            self.normalise_row(p, self_weight);
        }
    }

    /// Recomputes the influence weights of one row from its raw weights.
    pub fn normalise_row(&mut self, p: usize, self_weight: f32) {
        let r = self.row(p);
        let sum: f64 = self.raw[r.clone()].iter().map(|&x| x as f64).sum();
        let total = sum + self_weight as f64;
        if sum > 0.0 {
            let scale = 1.0 / total;
            for e in r.clone() {
                self.w[e] = (self.raw[e] as f64 * scale) as f32;
            }
            self.self_w[p] = (self_weight as f64 * scale) as f32;
        } else {
            for e in r.clone() {
                self.w[e] = 0.0;
            }
            self.self_w[p] = 1.0;
        }
        let ws = &self.w[r];
        self.row_w[p] = match ws.first() {
            Some(&w0) if ws.iter().all(|&v| v.to_bits() == w0.to_bits()) => w0,
            _ => f32::NAN,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_duplicates_and_normalises_rows() {
        let c = Csr::from_edges(
            3,
            &[(0, 1, 1.0), (1, 0, 1.0), (1, 2, 2.0), (2, 2, 5.0)],
            1.0,
        );
        assert_eq!(c.self_w[1], 0.2);
        assert_eq!(c.w[c.row(1)], [0.4, 0.4]);
        assert_eq!(c.nbr, vec![1, 0, 2, 1]);
        assert_eq!(c.raw, vec![2.0, 2.0, 2.0, 2.0]);
        for p in 0..3 {
            let s: f32 = c.self_w[p] + c.w[c.row(p)].iter().sum::<f32>();
            assert!((s - 1.0).abs() < 1e-6);
        }
        assert_eq!(c.slot(1, 2), Some(2));
        assert_eq!(c.slot(0, 2), None);
        assert_eq!(c.row_w[1], 0.4);
    }

    #[test]
    fn row_weight_is_shared_or_nan() {
        let mut c = Csr::from_edges(3, &[(0, 1, 1.0), (0, 2, 2.0), (1, 2, 1.0)], 1.0);
        assert!(c.row_w[0].is_nan());
        assert_eq!(c.row_w[1], 1.0 / 3.0);
        let e = c.slot(0, 2).unwrap();
        c.raw[e] = 1.0;
        c.normalise_row(0, 1.0);
        assert_eq!(c.row_w[0], 1.0 / 3.0);
    }

    #[test]
    fn isolated_node_keeps_its_view() {
        let c = Csr::from_edges(2, &[], 0.3);
        assert_eq!(c.self_w, vec![1.0, 1.0]);
    }
}
