//! Social-influence phase: populations pull each other's trust and attitudes along ties.
//!
//! Friedkin & Johnsen (1990/1999), per (population, actor) block x_p:
//!   x_p(t+1) = (1 − s_p)·[W x(t)]_p + s_p·u_p
//! with W row-stochastic (self weight w_self, ties sharing 1 − w_self by raw weight),
//! s_p the population's stubbornness and u_p its anchor (initial views, moved only by
//! exchanges). With s = 0 this is DeGroot (1974). Bounded confidence (after Hegselmann &
//! Krause 2002) keeps only neighbours whose attitudes toward that actor are all within ε
//! (max-norm, |x_q − x_p| ≤ ε) and renormalises W over them and self.
//! Reads x(t), writes a second buffer, then swaps: the update is synchronous.

use super::MIN_POPS_PER_TASK;
use crate::engine::Scratch;
use crate::world::{Csr, World};
use rayon::prelude::*;

pub fn run(w: &mut World, s: &mut Scratch) {
    let r = w.opinions.row();
    let o = &w.opinions;
    let args = Args {
        x: &o.x,
        anchor: &o.anchor,
        stub: &w.pops.stubbornness,
        csr: &w.ties,
    };
    match w.params.bounded_confidence {
        Some(eps) => bounded(&args, &mut s.x_next, r, o.k, eps),
        None => match r {
            2 => fixed::<2>(&args, &mut s.x_next),
            3 => fixed::<3>(&args, &mut s.x_next),
            4 => fixed::<4>(&args, &mut s.x_next),
            5 => fixed::<5>(&args, &mut s.x_next),
            6 => fixed::<6>(&args, &mut s.x_next),
            8 => fixed::<8>(&args, &mut s.x_next),
            10 => fixed::<10>(&args, &mut s.x_next),
            12 => fixed::<12>(&args, &mut s.x_next),
            16 => fixed::<16>(&args, &mut s.x_next),
            20 => fixed::<20>(&args, &mut s.x_next),
            _ => dynamic(&args, &mut s.x_next, r),
        },
    }
    std::mem::swap(&mut w.opinions.x, &mut s.x_next);
}

pub struct Args<'a> {
    pub x: &'a [f32],
    pub anchor: &'a [f32],
    pub stub: &'a [f32],
    pub csr: &'a Csr,
}

/// Row width known at compile time: the accumulator lives in registers.
fn fixed<const R: usize>(a: &Args, out: &mut [f32]) {
    let (xs, _) = a.x.as_chunks::<R>();
    let (us, _) = a.anchor.as_chunks::<R>();
    let (outs, _) = out.as_chunks_mut::<R>();
    let csr = a.csr;
    outs.par_iter_mut()
        .enumerate()
        .with_min_len(MIN_POPS_PER_TASK)
        .for_each(|(p, o)| {
            let sw = csr.self_w[p];
            let mut acc = [0.0f32; R];
            for i in 0..R {
                acc[i] = sw * xs[p][i];
            }
            let (lo, hi) = (csr.offsets[p], csr.offsets[p + 1]);
            for (&q, &wt) in csr.nbr[lo..hi].iter().zip(&csr.w[lo..hi]) {
                let xq = &xs[q as usize];
                for i in 0..R {
                    acc[i] += wt * xq[i];
                }
            }
            let s = a.stub[p];
            let l = 1.0 - s;
            for i in 0..R {
                o[i] = (l * acc[i] + s * us[p][i]).clamp(-1.0, 1.0);
            }
        });
}

fn dynamic(a: &Args, out: &mut [f32], r: usize) {
    let csr = a.csr;
    out.par_chunks_mut(r)
        .enumerate()
        .with_min_len(MIN_POPS_PER_TASK)
        .for_each(|(p, o)| {
            let sw = csr.self_w[p];
            let xp = &a.x[p * r..(p + 1) * r];
            for (oi, xi) in o.iter_mut().zip(xp) {
                *oi = sw * xi;
            }
            for e in csr.row(p) {
                let wt = csr.w[e];
                let q = csr.nbr[e] as usize;
                for (oi, xi) in o.iter_mut().zip(&a.x[q * r..(q + 1) * r]) {
                    *oi += wt * xi;
                }
            }
            let s = a.stub[p];
            for (oi, ui) in o.iter_mut().zip(&a.anchor[p * r..(p + 1) * r]) {
                *oi = ((1.0 - s) * *oi + s * ui).clamp(-1.0, 1.0);
            }
        });
}

/// Bounded confidence: per actor block, only neighbours within `eps` on every attitude count.
fn bounded(a: &Args, out: &mut [f32], r: usize, k: usize, eps: f32) {
    let csr = a.csr;
    out.par_chunks_mut(r)
        .enumerate()
        .with_min_len(MIN_POPS_PER_TASK)
        .for_each(|(p, o)| {
            let xp = &a.x[p * r..(p + 1) * r];
            let sw = csr.self_w[p];
            let s = a.stub[p];
            for b in 0..r / k {
                let blk = b * k..(b + 1) * k;
                let mine = &xp[blk.clone()];
                let ob = &mut o[blk.clone()];
                for (oi, xi) in ob.iter_mut().zip(mine) {
                    *oi = sw * xi;
                }
                let mut total = sw;
                for e in csr.row(p) {
                    let q = csr.nbr[e] as usize;
                    let theirs = &a.x[q * r + b * k..q * r + (b + 1) * k];
                    let close = mine[1..]
                        .iter()
                        .zip(&theirs[1..])
                        .all(|(m, t)| (m - t).abs() <= eps);
                    if close {
                        let wt = csr.w[e];
                        total += wt;
                        for (oi, ti) in ob.iter_mut().zip(theirs) {
                            *oi += wt * ti;
                        }
                    }
                }
                let anc = &a.anchor[p * r + b * k..p * r + (b + 1) * k];
                for (oi, ui) in ob.iter_mut().zip(anc) {
                    *oi = ((1.0 - s) * (*oi / total) + s * ui).clamp(-1.0, 1.0);
                }
            }
        });
}
