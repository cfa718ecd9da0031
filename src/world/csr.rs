//! Compressed sparse rows for social ties: the hot loops read neighbours from here.

use rayon::prelude::*;

/// Weighted ties, rows sorted by neighbour. Row p holds the populations p listens to:
/// `raw[e]` is how much p listens to `nbr[e]`. The structure is symmetric (q is in p's row
/// exactly when p is in q's), so every entry has a mirror; a one-way tie keeps a mirror
/// entry of raw weight 0, which adds nothing to any sum.
///
/// `w` is the row-normalised influence weight: with p's self weight `s_p = self_raw[p]` in
/// tie-weight units, `self_w[p] = s_p / (s_p + Σ raw)` and `w[e] = raw[e] / (s_p + Σ raw)`,
/// so every row of W sums to 1 (row-stochastic). A new weak tie gets a small share; a
/// population with no ties (or zero total weight) keeps `self_w = 1`.
#[derive(Debug, Clone, Default)]
pub struct Csr {
    pub offsets: Vec<usize>,
    pub nbr: Vec<u32>,
    pub raw: Vec<f32>,
    pub w: Vec<f32>,
    pub self_w: Vec<f32>,
    /// Raw self weight of each population, in tie-weight units.
    pub self_raw: Vec<f32>,
    /// The weight every tie of row `p` shares, or NaN when they differ. Rows of generated
    /// graphs share one tie weight, and the social kernel then skips reading `w`.
    pub row_w: Vec<f32>,
    /// Bumped whenever the methods below change weights: what is derived from them (the
    /// voter's running sums) is rebuilt when it was built at another generation.
    generation: u64,
}

impl Csr {
    /// Builds from undirected edges with one self weight for every population.
    pub fn from_edges(n: usize, edges: &[(u32, u32, f32)], self_weight: f32) -> Csr {
        Csr::from_ties(n, edges, &[], vec![self_weight; n])
    }

    /// Builds from undirected `edges` (both ends listen) and one-way ties `(speaker,
    /// listener, weight)` (the listener's row gets the weight, the speaker's a mirror entry
    /// of weight 0); duplicates are merged by adding weights, self-loops dropped.
    pub fn from_ties(
        n: usize,
        edges: &[(u32, u32, f32)],
        one_way: &[(u32, u32, f32)],
        self_raw: Vec<f32>,
    ) -> Csr {
        assert_eq!(self_raw.len(), n);
        let mut deg = vec![0usize; n + 1];
        for &(a, b, _) in edges.iter().chain(one_way) {
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
        for &(speaker, listener, w) in one_way {
            if speaker == listener {
                continue;
            }
            pairs[fill[listener as usize]] = (speaker, w);
            fill[listener as usize] += 1;
            pairs[fill[speaker as usize]] = (listener, 0.0);
            fill[speaker as usize] += 1;
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
            self_raw,
            row_w: vec![f32::NAN; n],
            generation: 0,
        };
        csr.normalise_all();
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

    pub fn normalise_all(&mut self) {
        for p in 0..self.len() {
            self.normalise_row(p);
        }
    }

    /// Changes with every change of weights made through these methods.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Recomputes the influence weights of one row from its raw weights.
    pub fn normalise_row(&mut self, p: usize) {
        self.generation += 1;
        let r = self.row(p);
        normalise(
            &self.raw[r.clone()],
            &mut self.w[r],
            self.self_raw[p],
            &mut self.self_w[p],
            &mut self.row_w[p],
        );
    }

    /// Calls `f(p, row)` for every row p, in parallel in tasks of at least `grain` rows. Each
    /// call owns its row's weights, so what it does cannot depend on the thread count.
    pub fn par_rows_mut<F>(&mut self, grain: usize, f: F)
    where
        F: Fn(usize, RowMut) + Sync + Send,
    {
        self.generation += 1;
        let n = self.len();
        let parts = RowsMut {
            first: 0,
            offsets: &self.offsets,
            raw: &mut self.raw,
            w: &mut self.w,
            self_raw: &self.self_raw,
            self_w: &mut self.self_w,
            row_w: &mut self.row_w,
        };
        parts.for_each(n, grain.max(1), &f);
    }
}

/// One row's weights, owned by one task (`Csr::par_rows_mut`).
pub struct RowMut<'a> {
    pub raw: &'a mut [f32],
    w: &'a mut [f32],
    self_raw: f32,
    self_w: &'a mut f32,
    row_w: &'a mut f32,
}

impl RowMut<'_> {
    /// `Csr::normalise_row` for this row.
    pub fn normalise(&mut self) {
        normalise(self.raw, self.w, self.self_raw, self.self_w, self.row_w);
    }
}

/// Rows `first..first + self_w.len()`, split in halves until a part has at most `grain`
/// rows (rayon::join, so nothing is allocated).
struct RowsMut<'a> {
    first: usize,
    offsets: &'a [usize],
    raw: &'a mut [f32],
    w: &'a mut [f32],
    self_raw: &'a [f32],
    self_w: &'a mut [f32],
    row_w: &'a mut [f32],
}

impl RowsMut<'_> {
    fn for_each<F: Fn(usize, RowMut) + Sync + Send>(self, rows: usize, grain: usize, f: &F) {
        let base = self.offsets[self.first];
        if rows <= grain {
            for i in 0..rows {
                let p = self.first + i;
                let r = self.offsets[p] - base..self.offsets[p + 1] - base;
                f(
                    p,
                    RowMut {
                        raw: &mut self.raw[r.clone()],
                        w: &mut self.w[r],
                        self_raw: self.self_raw[i],
                        self_w: &mut self.self_w[i],
                        row_w: &mut self.row_w[i],
                    },
                );
            }
            return;
        }
        let half = rows / 2;
        let cut = self.offsets[self.first + half] - base;
        let (raw_a, raw_b) = self.raw.split_at_mut(cut);
        let (w_a, w_b) = self.w.split_at_mut(cut);
        let (sr_a, sr_b) = self.self_raw.split_at(half);
        let (sw_a, sw_b) = self.self_w.split_at_mut(half);
        let (rw_a, rw_b) = self.row_w.split_at_mut(half);
        let a = RowsMut {
            first: self.first,
            offsets: self.offsets,
            raw: raw_a,
            w: w_a,
            self_raw: sr_a,
            self_w: sw_a,
            row_w: rw_a,
        };
        let b = RowsMut {
            first: self.first + half,
            offsets: self.offsets,
            raw: raw_b,
            w: w_b,
            self_raw: sr_b,
            self_w: sw_b,
            row_w: rw_b,
        };
        rayon::join(
            || a.for_each(half, grain, f),
            || b.for_each(rows - half, grain, f),
        );
    }
}

/// Influence weights of one row from its raw weights: `w = raw / (s + Σ raw)`, self weight
/// `s / (s + Σ raw)`, and the shared weight or NaN.
fn normalise(raw: &[f32], w: &mut [f32], self_weight: f32, self_w: &mut f32, row_w: &mut f32) {
    let sum: f64 = raw.iter().map(|&x| x as f64).sum();
    let total = sum + self_weight as f64;
    if sum > 0.0 {
        let scale = 1.0 / total;
        for (w, &x) in w.iter_mut().zip(raw) {
            *w = (x as f64 * scale) as f32;
        }
        *self_w = (self_weight as f64 * scale) as f32;
    } else {
        w.fill(0.0);
        *self_w = 1.0;
    }
    *row_w = match w.first() {
        Some(&w0) if w.iter().all(|&v| v.to_bits() == w0.to_bits()) => w0,
        _ => f32::NAN,
    };
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
        c.normalise_row(0);
        assert_eq!(c.row_w[0], 1.0 / 3.0);
    }

    #[test]
    fn one_way_ties_weigh_only_in_the_listeners_row() {
        // 0 speaks to 1 (weight 2); 1 and 2 listen to each other at 3 and 1.
        let c = Csr::from_ties(
            3,
            &[],
            &[(0, 1, 2.0), (1, 2, 3.0), (2, 1, 1.0)],
            vec![0.5, 1.0, 1.0],
        );
        assert_eq!(c.raw[c.row(0)], [0.0]);
        assert_eq!(c.self_w[0], 1.0);
        assert_eq!(c.nbr[c.row(1)], [0, 2]);
        assert_eq!(c.raw[c.row(1)], [2.0, 1.0]);
        assert_eq!(c.raw[c.row(2)], [3.0]);
        assert_eq!(c.self_w[2], 0.25);
        // Structure stays symmetric: every entry has its mirror.
        for p in 0..3 {
            for e in c.row(p) {
                assert!(c.slot(c.nbr[e] as usize, p as u32).is_some());
            }
        }
    }

    #[test]
    fn isolated_node_keeps_its_view() {
        let c = Csr::from_edges(2, &[], 0.3);
        assert_eq!(c.self_w, vec![1.0, 1.0]);
    }
}
