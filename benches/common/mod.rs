//! Shared by the benchmarks: the plain CSR kernel that the engine's phases are read against.

use rayon::prelude::*;
use softpower::world::Csr;

/// out_p = Σ_q w_pq x_q over four f32 values per node: a weighted average with nothing
/// else, bound by the random neighbour reads (the ceiling for the social phase).
pub fn plain_kernel(csr: &Csr, x: &[[f32; 4]], out: &mut [[f32; 4]]) {
    out.par_iter_mut()
        .enumerate()
        .with_min_len(512)
        .for_each(|(p, o)| {
            let mut acc = [0.0f32; 4];
            for e in csr.offsets[p]..csr.offsets[p + 1] {
                let xq = &x[csr.nbr[e] as usize];
                for i in 0..4 {
                    acc[i] += csr.w[e] * xq[i];
                }
            }
            *o = acc;
        });
}
