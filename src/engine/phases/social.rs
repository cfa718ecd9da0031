//! Social-influence phase: populations pull each other's trust and attitudes along ties.
//!
//! Friedkin & Johnsen (1990/1999), per (population, actor) block x_p:
//!   x_p(t+1) = (1 − s_p)·[W x(t)]_p + s_p·u_p
//! with W row-stochastic: W_pp = w_p / (w_p + Σ_r ω_pr), W_pq = ω_pq / (w_p + Σ_r ω_pr),
//! ω_pq ≥ 0 how much p listens to q (`csr.raw`; ties may be one-way or weigh differently
//! each way) and w_p p's self weight (`csr.self_raw`); s_p the population's stubbornness
//! and u_p its anchor (initial views, moved by the durable share of exchanges and
//! messaging, 3.2–3.3). With s = 0 this is
//! DeGroot (1974): consensus at π · x(0) with π W = π. Weighted bounded confidence keeps only
//! neighbours whose attitudes toward that actor are all within ε (max-norm,
//! |x_q − x_p| ≤ ε) and renormalises W over them and self.
//!
//! Bad buzz (`negativity_bias` b > 0, Friedkin–Johnsen only): per value, a contact whose
//! value is below p's weighs (1 + b) in p's row, and the row is renormalised:
//!   z_p(t+1) = (1 − s_p)·[z_p + Σ_q W̃_pq (z_q − z_p)] + s_p·u_p,
//!   W̃_pq = W_pq (1 + b·[z_q < z_p]) / Σ_r W_pr (1 + b·[z_r < z_p])  (self included, r = p)
//! a convex combination, so values stay in range; b = 0 is the rule above, bit for bit
//! (the same kernels run). Baumeister et al. 2001; Rozin & Royzman 2001.
//!
//! Word of mouth (`word_of_mouth` μ_F > 0, every rule), per (population, actor):
//!   F_p ← F_p + μ_F Σ_q W_pq max(0, F_q − F_p)
//! people learn of an actor from contacts who know it better and never unlearn from those
//! who know less; Σ_{q≠p} W_pq ≤ 1 keeps F_p ≤ 1. Where every population knows an actor
//! equally (every classic scenario) nothing moves, and the pass is skipped.
//!
//! Classic rules act on every attitude value (one per actor and dimension) as a separate
//! scalar opinion; trust always follows Friedkin–Johnsen above. N(p) = the populations p
//! listens to (ω_pq > 0).
//! - Hegselmann & Krause (2002), synchronous, unweighted, inclusive bound:
//!   `x_p ← mean{ x_q : q ∈ {p} ∪ N(p), |x_q − x_p| ≤ ε }`
//! - Deffuant, Neau, Amblard & Weisbuch (2000): matched pairs {p, q} with |x_q − x_p| < ε
//!   `x_p ← x_p + μ (x_q − x_p)`, `x_q ← x_q + μ (x_p − x_q)` (each only if it listens to
//!   the other: across a one-way tie only the listener moves)
//!   Each tick runs `rounds` random matchings. In each, every population p with ties makes
//!   one proposal: a neighbour q drawn uniformly from its row and a priority π_p, both from
//!   a hash of (seed, tick, round, p). A proposal p → q is accepted when π_p is the lowest
//!   priority among all proposals made by or to p and by or to q (one round of Luby's 1986
//!   matching on the proposals). Work is O(N) per round, not O(ties). Pairs are disjoint,
//!   so they are updated in parallel, equivalent to applying them one after another in
//!   any order. Sequential Deffuant on a network (and NDlib) draws one (node, neighbour)
//!   pair at a time, so a node may interact many times per unit of time; here a node
//!   interacts at most once per round, and a hub, proposed to by many, wins less often.
//! - Voter model (Clifford & Sudbury 1973; Holley & Liggett 1975), synchronous: every
//!   population copies all its attitudes from one member of {p} ∪ N(p) drawn with
//!   probability W_pq. E[x(t+1)] = W x(t), so Σ_p π_p x_p (π the stationary distribution
//!   of W) is a martingale: the chance of ending at +1 is the π-weighted share starting at
//!   +1 — the initial fraction on a complete graph.
//! - Asynchronous voter: N single updates per tick; each draws p uniformly from the N
//!   populations and q with probability W_pq, and sets x_p ← x_q from the current state
//!   (one keyed stream per tick, so serial and thread-count independent). A tick is one
//!   unit of the continuous-time model; on a complete graph without self weight the mean
//!   consensus time from a share ρ is −(N−1)[ρ ln ρ + (1−ρ) ln(1−ρ)] ticks (Redner 2001;
//!   Sood & Redner 2005), about half the synchronous rule's.
//!
//! Reads x(t), writes a second buffer, then swaps: every update but the asynchronous
//! voter's attitudes is synchronous.

use super::{settle, task_size};
use crate::engine::{Scratch, simd};
use crate::rng::{Purpose, node_word, pair_seed, stream};
use crate::world::{Csr, SocialRule, World};
use rand::Rng;
use rayon::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

pub fn run(w: &mut World, s: &mut Scratch, key: &[u8; 32], t: u32) {
    let mu = w.params.word_of_mouth;
    let spread = mu > 0.0 && familiarity_can_spread(&w.opinions);
    let buzz = w.params.social == SocialRule::FriedkinJohnsen && w.params.negativity_bias > 0.0;
    let a = w.opinions.actors;
    if spread && !buzz {
        let fam = Fam {
            f: &w.opinions.familiarity,
            out: &mut s.f_next,
            mu,
        };
        word_of_mouth(&w.ties, a, fam);
        std::mem::swap(&mut w.opinions.familiarity, &mut s.f_next);
    }
    let r = w.opinions.row();
    let k = w.opinions.k;
    let args = Args::of(w);
    match w.params.social {
        SocialRule::FriedkinJohnsen if buzz => {
            let fam = spread.then(|| Fam {
                f: &w.opinions.familiarity,
                out: &mut s.f_next,
                mu,
            });
            let b = w.params.negativity_bias;
            if let Some(fam) = bad_buzz(&args, &mut s.x_next, &mut s.aux, r, k, b, fam) {
                word_of_mouth(&w.ties, a, fam);
            }
            if spread {
                std::mem::swap(&mut w.opinions.familiarity, &mut s.f_next);
            }
        }
        SocialRule::BoundedConfidence(eps) => bounded(&args, &mut s.x_next, r, k, eps),
        SocialRule::HegselmannKrause(eps) => match k {
            2 => hk_fixed::<2>(&args, &mut s.x_next, r, eps),
            3 => hk_fixed::<3>(&args, &mut s.x_next, r, eps),
            4 => hk_fixed::<4>(&args, &mut s.x_next, r, eps),
            5 => hk_fixed::<5>(&args, &mut s.x_next, r, eps),
            _ => hk(&args, &mut s.x_next, &mut s.aux, r, k, eps),
        },
        SocialRule::Voter => {
            let zero_trust = trust_is_zero(&args, r, k);
            let cum = s.voter_sums.of(&w.ties);
            let rand = VoterRand { key, t, zero_trust };
            voter(&args, cum, &mut s.x_next, r, k, rand);
        }
        SocialRule::AsyncVoter => {
            if trust_is_zero(&args, r, k) {
                s.x_next.copy_from_slice(&w.opinions.x);
            } else {
                trust_only(&args, &mut s.x_next, r, k);
            }
            async_voter(&w.ties, &mut s.x_next, r, k, key, t);
        }
        SocialRule::Deffuant { eps, mu, rounds } => {
            if !trust_is_zero(&args, r, k) {
                trust_only(&args, &mut s.x_next, r, k);
                std::mem::swap(&mut w.opinions.x, &mut s.x_next);
            }
            let seed = |round| pair_seed(key, t, Purpose::SocialPairing, round);
            let x = &mut w.opinions.x;
            deffuant(x, &w.ties, &mut s.matchings, seed, rounds, k, eps, mu);
            return;
        }
        SocialRule::FriedkinJohnsen => match r {
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

impl<'a> Args<'a> {
    /// The current opinions of `w`, with the inputs every rule reads.
    pub fn of(w: &'a World) -> Self {
        Args {
            x: &w.opinions.x,
            anchor: &w.opinions.anchor,
            stub: &w.pops.stubbornness,
            csr: &w.ties,
        }
    }
}

/// How many tie entries ahead the fixed-width kernels ask for a neighbour's row (and, with
/// word of mouth, its familiarity). Neighbours are scattered, so each tie is a cache miss
/// (L3 at 100k populations, memory at 1M); a bad-buzz tie is long enough in instructions
/// that the core alone keeps only two or three of them in flight. Warming rows this far
/// ahead overlaps the misses: the social phase of the whole-model benchmark 3–4× faster,
/// Friedkin–Johnsen alone 1.2–1.7× (16, 32 and 64 tried; docs/PERFORMANCE.md). Entries
/// are contiguous across rows and chunks, so the look-ahead crosses row ends; past the
/// last entry it stops.
const AHEAD: usize = 32;

/// Row width known at compile time: the accumulator lives in registers.
fn fixed<const R: usize>(a: &Args, out: &mut [f32]) {
    let (outs, _) = out.as_chunks_mut::<R>();
    let task = task_size();
    outs.par_chunks_mut(task).enumerate().for_each(|(c, outs)| {
        simd::fast(FjRows {
            a,
            outs,
            first: c * task,
        })
    });
}

/// Friedkin–Johnsen for the rows `first..first + outs.len()`. Per-row inputs are sliced
/// once per chunk and zipped, so they are read without bounds checks.
struct FjRows<'a, const R: usize> {
    a: &'a Args<'a>,
    outs: &'a mut [[f32; R]],
    first: usize,
}

impl<const R: usize> simd::Kernel for FjRows<'_, R> {
    type Out = ();
    #[inline(always)]
    fn run(self) {
        let FjRows { a, outs, first } = self;
        let rows = first..first + outs.len();
        let (xs, _) = a.x.as_chunks::<R>();
        let (us, _) = a.anchor[rows.start * R..rows.end * R].as_chunks::<R>();
        let csr = a.csr;
        let own = &xs[rows.clone()];
        let ends = &csr.offsets[rows.start + 1..rows.end + 1];
        let mut lo = csr.offsets[rows.start];
        let weights = csr.self_w[rows.clone()]
            .iter()
            .zip(&csr.row_w[rows.clone()]);
        for ((((o, xp), up), ((&sw, &rw), &s)), &hi) in outs
            .iter_mut()
            .zip(own)
            .zip(us)
            .zip(weights.zip(&a.stub[rows]))
            .zip(ends)
        {
            let mut acc = [0.0f32; R];
            for i in 0..R {
                acc[i] = sw * xp[i];
            }
            macro_rules! warm {
                ($e:expr) => {
                    if let Some(&qa) = csr.nbr.get($e + AHEAD) {
                        simd::prefetch(&xs[qa as usize]);
                    }
                };
            }
            if rw.is_nan() {
                for ((e, &q), &wt) in (lo..hi).zip(&csr.nbr[lo..hi]).zip(&csr.w[lo..hi]) {
                    warm!(e);
                    let xq = &xs[q as usize];
                    for i in 0..R {
                        acc[i] += wt * xq[i];
                    }
                }
            } else {
                // Same products in the same order, without streaming the weights.
                for (e, &q) in (lo..hi).zip(&csr.nbr[lo..hi]) {
                    warm!(e);
                    let xq = &xs[q as usize];
                    for i in 0..R {
                        acc[i] += rw * xq[i];
                    }
                }
            }
            lo = hi;
            let l = 1.0 - s;
            // Built in a local array and stored whole: written element by element into
            // `o`, LLVM leaves the clamps scalar (12% more instructions per tick).
            let mut v = [0.0f32; R];
            for i in 0..R {
                v[i] = (l * acc[i] + s * up[i]).clamp(-1.0, 1.0);
            }
            *o = v;
        }
        // A separate pass over the chunk while it is in L1: in the row loop this cost
        // 10–15% of the phase with AVX2.
        for v in outs.as_flattened_mut() {
            *v = settle(*v);
        }
    }
}

fn dynamic(a: &Args, out: &mut [f32], r: usize) {
    let csr = a.csr;
    out.par_chunks_mut(r)
        .enumerate()
        .with_min_len(task_size())
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
                *oi = settle(((1.0 - s) * *oi + s * ui).clamp(-1.0, 1.0));
            }
        });
}

/// Whether word of mouth can move anything: not where every population knows each actor
/// equally (the classic scenarios). An O(N·A) scan that spares a pass over the ties.
fn familiarity_can_spread(o: &crate::world::Opinions) -> bool {
    let (a, f) = (o.actors, &o.familiarity);
    a > 0 && !(0..a).all(|j| f.iter().skip(j).step_by(a).all(|&v| v == f[j]))
}

/// Familiarity at the start of the phase, where word of mouth writes it, and μ_F.
pub struct Fam<'a> {
    f: &'a [f32],
    out: &'a mut [f32],
    mu: f32,
}

/// Word of mouth alone: F_p ← F_p + μ_F Σ_q W_pq max(0, F_q − F_p), from `fam.f` into
/// `fam.out` (the caller swaps it in). `BuzzRows` computes the same sums in the same order.
fn word_of_mouth(csr: &Csr, a: usize, fam: Fam) {
    let Fam { f, out, mu } = fam;
    out.par_chunks_mut(a)
        .enumerate()
        .with_min_len(task_size())
        .for_each(|(p, o)| {
            let fp = &f[p * a..(p + 1) * a];
            o.fill(0.0);
            for e in csr.row(p) {
                let (q, wt) = (csr.nbr[e] as usize, csr.w[e]);
                for ((oi, &mine), &theirs) in o.iter_mut().zip(fp).zip(&f[q * a..(q + 1) * a]) {
                    // Only what contacts know better is passed on: no unlearning.
                    *oi += wt * (theirs - mine).max(0.0);
                }
            }
            for (oi, &mine) in o.iter_mut().zip(fp) {
                *oi = (mine + mu * *oi).min(1.0);
            }
        });
}

/// Bad buzz, with word of mouth done in the same pass over the ties when `fam` is given
/// and a fixed-width kernel exists for (row width, actors). Returns `fam` when word of
/// mouth is still to do.
fn bad_buzz<'f>(
    a: &Args,
    out: &mut [f32],
    tot: &mut [f32],
    r: usize,
    k: usize,
    b: f32,
    fam: Option<Fam<'f>>,
) -> Option<Fam<'f>> {
    // Fused widths: k = 2..4 (one to three dimensions) with one to four actors, and five
    // actors of one dimension. The bundled scenarios with bad buzz and the whole-model
    // benchmark have four actors of three dimensions (16, 4).
    macro_rules! fused {
        ($fam:ident; $(($R:literal, $A:literal)),*) => {
            match (r, r / k) {
                $(($R, $A) => biased_fixed::<$R, $A>(a, out, k, b, Some($fam)),)*
                _ => {
                    biased(a, out, tot, r, k, b);
                    return Some($fam);
                }
            }
        };
    }
    match fam {
        Some(fam) => fused!(fam; (2, 1), (4, 2), (6, 3), (8, 4), (10, 5), (3, 1), (6, 2),
            (9, 3), (12, 4), (4, 1), (8, 2), (12, 3), (16, 4)),
        None => match r {
            2 => biased_fixed::<2, 1>(a, out, k, b, None),
            3 => biased_fixed::<3, 1>(a, out, k, b, None),
            4 => biased_fixed::<4, 1>(a, out, k, b, None),
            5 => biased_fixed::<5, 1>(a, out, k, b, None),
            6 => biased_fixed::<6, 1>(a, out, k, b, None),
            8 => biased_fixed::<8, 1>(a, out, k, b, None),
            10 => biased_fixed::<10, 1>(a, out, k, b, None),
            12 => biased_fixed::<12, 1>(a, out, k, b, None),
            16 => biased_fixed::<16, 1>(a, out, k, b, None),
            20 => biased_fixed::<20, 1>(a, out, k, b, None),
            _ => biased(a, out, tot, r, k, b),
        },
    }
    None
}

/// `biased` with the row width `R` known at compile time: each value's deviation sum and
/// total weight live in registers (the general kernel keeps them in `tot` and loops over
/// a runtime width per tie). With `fam`, word of mouth for the `A` actors of a row rides
/// on the same pass over the row's ties, instead of a second pass over every tie.
fn biased_fixed<const R: usize, const A: usize>(
    a: &Args,
    out: &mut [f32],
    k: usize,
    b: f32,
    fam: Option<Fam>,
) {
    let (outs, _) = out.as_chunks_mut::<R>();
    let task = task_size();
    // Trust, the first value of each actor's block, stays in [0, 1]; attitudes in [−1, 1].
    let lo: [f32; R] = std::array::from_fn(|i| if i % k == 0 { 0.0 } else { -1.0 });
    match fam {
        None => outs.par_chunks_mut(task).enumerate().for_each(|(c, outs)| {
            simd::fast(BuzzRows::<R, A, false> {
                a,
                outs,
                first: c * task,
                lo,
                b,
                f: &[],
                f_outs: &mut [],
                mu: 0.0,
            })
        }),
        Some(Fam { f, out: f_out, mu }) => {
            let (f, _) = f.as_chunks::<A>();
            let (f_outs, _) = f_out.as_chunks_mut::<A>();
            outs.par_chunks_mut(task)
                .zip(f_outs.par_chunks_mut(task))
                .enumerate()
                .for_each(|(c, (outs, f_outs))| {
                    simd::fast(BuzzRows::<R, A, true> {
                        a,
                        outs,
                        first: c * task,
                        lo,
                        b,
                        f,
                        f_outs,
                        mu,
                    })
                });
        }
    }
}

/// Bad buzz (and, if `WOM`, word of mouth) for the rows `first..first + outs.len()`.
/// Every value's sums add the same terms in the same tie order as `biased` and
/// `word_of_mouth`, so the bits are the same (`tests` and tests/word_of_mouth.rs check).
struct BuzzRows<'a, const R: usize, const A: usize, const WOM: bool> {
    a: &'a Args<'a>,
    outs: &'a mut [[f32; R]],
    first: usize,
    lo: [f32; R],
    b: f32,
    f: &'a [[f32; A]],
    f_outs: &'a mut [[f32; A]],
    mu: f32,
}

impl<const R: usize, const A: usize, const WOM: bool> simd::Kernel for BuzzRows<'_, R, A, WOM> {
    type Out = ();
    #[inline(always)]
    fn run(self) {
        let BuzzRows {
            a,
            outs,
            first,
            lo,
            b,
            f,
            f_outs,
            mu,
        } = self;
        let rows = first..first + outs.len();
        let (xs, _) = a.x.as_chunks::<R>();
        let (us, _) = a.anchor[rows.start * R..rows.end * R].as_chunks::<R>();
        let csr = a.csr;
        let own = &xs[rows.clone()];
        let ends = &csr.offsets[rows.start + 1..rows.end + 1];
        let mut start = csr.offsets[rows.start];
        let per_row = csr.self_w[rows.clone()]
            .iter()
            .zip(&csr.row_w[rows.clone()])
            .zip(&a.stub[rows]);
        let one_b = 1.0 + b;
        for (j, ((((o, xp), up), ((&sw, &rw), &s)), &end)) in outs
            .iter_mut()
            .zip(own)
            .zip(us)
            .zip(per_row)
            .zip(ends)
            .enumerate()
        {
            let mut dev = [0.0f32; R];
            let mut tot = [sw; R];
            let fp = if WOM { f[first + j] } else { [0.0; A] };
            let mut gain = [0.0f32; A];
            // One tie: `wb` is wt·(1 + b), so each weight is wt·(1 + b·[d < 0]) bit for bit
            // (b is finite: b·0 = 0 and b·1 = b exactly), without a multiply per value.
            // Deviations, weights and sums in separate loops: written as one loop, LLVM
            // vectorises the 16-wide row into a tangle of scalar ops and shuffles.
            macro_rules! tie {
                ($e:expr, $q:expr, $wt:expr, $wb:expr) => {{
                    if let Some(&qa) = csr.nbr.get($e + AHEAD) {
                        simd::prefetch(&xs[qa as usize]);
                        if WOM {
                            simd::prefetch(&f[qa as usize]);
                        }
                    }
                    let xq = &xs[$q as usize];
                    let mut d = [0.0f32; R];
                    for i in 0..R {
                        d[i] = xq[i] - xp[i];
                    }
                    // A select, not a branch: whether a contact is lower is data-dependent.
                    let mut wi = [0.0f32; R];
                    for i in 0..R {
                        wi[i] = if d[i] < 0.0 { $wb } else { $wt };
                    }
                    for i in 0..R {
                        dev[i] += wi[i] * d[i];
                        tot[i] += wi[i];
                    }
                    if WOM {
                        let fq = &f[$q as usize];
                        for i in 0..A {
                            gain[i] += $wt * (fq[i] - fp[i]).max(0.0);
                        }
                    }
                }};
            }
            let ties = (start..end).zip(&csr.nbr[start..end]);
            if rw.is_nan() {
                for ((e, &q), &wt) in ties.zip(&csr.w[start..end]) {
                    tie!(e, q, wt, wt * one_b);
                }
            } else {
                // As in `FjRows`: the row's one weight, without streaming `w`.
                let rwb = rw * one_b;
                for (e, &q) in ties {
                    tie!(e, q, rw, rwb);
                }
            }
            start = end;
            let l = 1.0 - s;
            let mut v = [0.0f32; R];
            for i in 0..R {
                let mean = if tot[i] > 0.0 {
                    xp[i] + dev[i] / tot[i]
                } else {
                    xp[i]
                };
                v[i] = (l * mean + s * up[i]).clamp(lo[i], 1.0);
            }
            *o = v;
            if WOM {
                let mut g = [0.0f32; A];
                for i in 0..A {
                    g[i] = (fp[i] + mu * gain[i]).min(1.0);
                }
                f_outs[j] = g;
            }
        }
        // As in `FjRows`: the floor in a separate pass over the chunk while it is in L1.
        for v in outs.as_flattened_mut() {
            *v = settle(*v);
        }
    }
}

/// Friedkin–Johnsen with bad buzz: per value, contacts below p weigh (1 + b) and the row
/// is renormalised (`tot` holds each value's total weight). The general kernel, for
/// widths `biased_fixed` has no instance for.
fn biased(a: &Args, out: &mut [f32], tot: &mut [f32], r: usize, k: usize, b: f32) {
    let csr = a.csr;
    out.par_chunks_mut(r)
        .zip(tot.par_chunks_mut(r))
        .enumerate()
        .with_min_len(task_size())
        .for_each(|(p, (o, d))| {
            let xp = &a.x[p * r..(p + 1) * r];
            o.fill(0.0);
            d.fill(csr.self_w[p]);
            for e in csr.row(p) {
                let (q, wt) = (csr.nbr[e] as usize, csr.w[e]);
                let xq = &a.x[q * r..(q + 1) * r];
                for (((oi, di), &mine), &theirs) in o.iter_mut().zip(d.iter_mut()).zip(xp).zip(xq) {
                    let dev = theirs - mine;
                    // Branch-free: whether a contact is lower is data-dependent.
                    let wi = wt * (1.0 + b * ((dev < 0.0) as u8 as f32));
                    *oi += wi * dev;
                    *di += wi;
                }
            }
            let s = a.stub[p];
            for i in 0..r {
                let lo = if i % k == 0 { 0.0 } else { -1.0 };
                let mean = if d[i] > 0.0 {
                    xp[i] + o[i] / d[i]
                } else {
                    xp[i]
                };
                o[i] = settle(((1.0 - s) * mean + s * a.anchor[p * r + i]).clamp(lo, 1.0));
            }
        });
}

/// Bounded confidence: per actor block, only neighbours within `eps` on every attitude count.
fn bounded(a: &Args, out: &mut [f32], r: usize, k: usize, eps: f32) {
    let csr = a.csr;
    out.par_chunks_mut(r)
        .enumerate()
        .with_min_len(task_size())
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
                    *oi = settle(((1.0 - s) * (*oi / total) + s * ui).clamp(-1.0, 1.0));
                }
            }
        });
}

/// Friedkin–Johnsen on the trust entry (offset 0 of every block of `k`) of row `p`, written
/// into `o`; attitude entries of `o` are left for the caller.
#[inline]
fn fj_trust(a: &Args, p: usize, o: &mut [f32], r: usize, k: usize) {
    let csr = a.csr;
    let sw = csr.self_w[p];
    let s = a.stub[p];
    let anchored = |b: usize, sum: f32| {
        settle(((1.0 - s) * sum + s * a.anchor[p * r + b * k]).clamp(0.0, 1.0))
    };
    if r == k {
        // One actor (the classic models' case): a scalar accumulator, no per-edge slices.
        let mut sum = sw * a.x[p * r];
        for e in csr.row(p) {
            sum += csr.w[e] * a.x[csr.nbr[e] as usize * r];
        }
        o[0] = anchored(0, sum);
        return;
    }
    let actors = r / k;
    for b in 0..actors {
        o[b * k] = sw * a.x[p * r + b * k];
    }
    for e in csr.row(p) {
        let (wt, q) = (csr.w[e], csr.nbr[e] as usize);
        for b in 0..actors {
            o[b * k] += wt * a.x[q * r + b * k];
        }
    }
    for b in 0..actors {
        o[b * k] = anchored(b, o[b * k]);
    }
}

/// Trust by Friedkin–Johnsen, attitudes unchanged.
fn trust_only(a: &Args, out: &mut [f32], r: usize, k: usize) {
    out.par_chunks_mut(r)
        .enumerate()
        .with_min_len(task_size())
        .for_each(|(p, o)| {
            o.copy_from_slice(&a.x[p * r..(p + 1) * r]);
            fj_trust(a, p, o, r, k);
        });
}

/// Hegselmann–Krause on attitudes and Friedkin–Johnsen on trust, in one pass over ties:
/// attitude sums go to `out`, counts to `cnt`.
fn hk(a: &Args, out: &mut [f32], cnt: &mut [f32], r: usize, k: usize, eps: f32) {
    let csr = a.csr;
    out.par_chunks_mut(r)
        .zip(cnt.par_chunks_mut(r))
        .enumerate()
        .with_min_len(task_size())
        .for_each(|(p, (o, c))| {
            let xp = &a.x[p * r..(p + 1) * r];
            let sw = csr.self_w[p];
            o.copy_from_slice(xp);
            c.fill(1.0);
            for b in (0..r).step_by(k) {
                o[b] *= sw;
            }
            for e in csr.row(p) {
                let (q, wt) = (csr.nbr[e] as usize, csr.w[e]);
                let xq = &a.x[q * r..(q + 1) * r];
                for b in (0..r).step_by(k) {
                    o[b] += wt * xq[b];
                    for i in b + 1..b + k {
                        // Branch-free: the bound test is data-dependent and unpredictable.
                        // A tie p does not listen through (weight 0) does not count.
                        let hit = (xq[i] - xp[i]).abs() <= eps && wt != 0.0;
                        o[i] += if hit { xq[i] } else { 0.0 };
                        c[i] += hit as u8 as f32;
                    }
                }
            }
            let s = a.stub[p];
            for b in (0..r).step_by(k) {
                o[b] = settle(((1.0 - s) * o[b] + s * a.anchor[p * r + b]).clamp(0.0, 1.0));
                for i in b + 1..b + k {
                    o[i] /= c[i];
                }
            }
        });
}

/// `hk` with the block width known at compile time (one to four dimensions): the
/// per-actor block lives in registers and the count in a local array.
fn hk_fixed<const K: usize>(a: &Args, out: &mut [f32], r: usize, eps: f32) {
    let csr = a.csr;
    let (xs, _) = a.x.as_chunks::<K>();
    let actors = r / K;
    out.par_chunks_mut(r)
        .enumerate()
        .with_min_len(task_size())
        .for_each(|(p, o)| {
            let (os, _) = o.as_chunks_mut::<K>();
            let sw = csr.self_w[p];
            let s = a.stub[p];
            for (b, ob) in os.iter_mut().enumerate() {
                let mine = xs[p * actors + b];
                let mut sum = mine;
                let mut cnt = [1.0f32; K];
                sum[0] *= sw;
                for e in csr.row(p) {
                    let (q, wt) = (csr.nbr[e] as usize, csr.w[e]);
                    let xq = xs[q * actors + b];
                    sum[0] += wt * xq[0];
                    for i in 1..K {
                        let hit = (xq[i] - mine[i]).abs() <= eps && wt != 0.0;
                        sum[i] += if hit { xq[i] } else { 0.0 };
                        cnt[i] += hit as u8 as f32;
                    }
                }
                let u = a.anchor[(p * actors + b) * K];
                ob[0] = settle(((1.0 - s) * sum[0] + s * u).clamp(0.0, 1.0));
                for i in 1..K {
                    ob[i] = sum[i] / cnt[i];
                }
            }
        });
}

/// Deffuant's matching state, kept between ticks so a tick allocates nothing.
///
/// A proposal's key is its priority in the high half and the proposer in the low half, so
/// keys are distinct and equal priorities go to the lower index. Round ρ is decided from
/// `recv[ρ % 3]`, the lowest key proposed *to* each population (`u64::MAX` if none;
/// atomic because proposals are scattered to their targets, and the minimum does not
/// depend on the order threads apply them in), and `prop[ρ % 2]`, each population's own
/// proposal (target, index in its row; `NO_PROPOSAL` without ties). A proposal p → q is
/// accepted when its key κ_p is below every other key made by or to p or q:
///   κ_p < recv_p,  recv_q = κ_p,  κ_p < κ_q.
/// Proposals do not depend on opinions, so the pass that decides round ρ also makes the
/// proposals of round ρ + 1 and empties the buffer of round ρ + 2: one pass over the
/// populations per round, not three, and only an accepted proposer writes, both rows of
/// its pair (`PairRows`). See `deffuant`.
#[derive(Debug, Default)]
pub struct Matchings {
    recv: [Vec<AtomicU64>; 3],
    prop: [Vec<[u32; 2]>; 2],
    /// (`Csr::generation`, whether every tie is heard both ways) when last checked.
    mutual: Option<(u64, bool)>,
}

const NO_PROPOSAL: u32 = u32::MAX;

impl Matchings {
    pub fn new(n: usize) -> Self {
        let mut m = Matchings::default();
        m.size(n);
        m
    }

    fn size(&mut self, n: usize) {
        for r in &mut self.recv {
            r.resize_with(n, || AtomicU64::new(u64::MAX));
        }
        for p in &mut self.prop {
            p.resize(n, [NO_PROPOSAL; 2]);
        }
    }

    /// Forgets what it found about the ties (the world was edited from outside the engine).
    pub fn forget(&mut self) {
        self.mutual = None;
    }

    /// Whether both ends of every tie listen to each other (no one-way ties).
    fn mutual(&mut self, csr: &Csr) -> bool {
        match self.mutual {
            Some((g, m)) if g == csr.generation() => m,
            _ => {
                let m = csr.raw.par_iter().all(|&v| v != 0.0);
                self.mutual = Some((csr.generation(), m));
                m
            }
        }
    }
}

impl Clone for Matchings {
    fn clone(&self) -> Self {
        let copy = |v: &Vec<AtomicU64>| v.iter().map(|a| AtomicU64::new(a.load(Relaxed))).collect();
        Matchings {
            recv: self.recv.each_ref().map(copy),
            prop: self.prop.clone(),
            mutual: self.mutual,
        }
    }
}

/// p's key in the round of `seed` (see `Matchings`); only meaningful for p with ties.
#[inline]
fn key_of(seed: u64, p: usize) -> u64 {
    (node_word(seed, p as u32) & !0xFFFF_FFFF) | p as u64
}

/// p's proposal in the round of `seed`: its key, the neighbour drawn uniformly from its row
/// (Lemire's multiply-shift on the low half of the word; bias d / 2^32) and that
/// neighbour's index in the row. None without ties.
#[inline]
fn proposal(csr: &Csr, seed: u64, p: usize) -> Option<(u64, u32, u32)> {
    let row = csr.row(p);
    let d = row.len() as u64;
    if d == 0 {
        return None;
    }
    let word = node_word(seed, p as u32);
    let j = ((word & 0xFFFF_FFFF) * d) >> 32;
    let key = (word & !0xFFFF_FFFF) | p as u64;
    Some((key, csr.nbr[row.start + j as usize], j as u32))
}

/// Lowers `a` to `key` if `key` is lower. Reading first skips most locked instructions
/// (a proposal is rarely the lowest at a hub); the final minimum is the same.
#[inline]
fn lower(a: &AtomicU64, key: u64) {
    if a.load(Relaxed) > key {
        a.fetch_min(key, Relaxed);
    }
}

/// Opinion rows written in place by the pairs of one matching round. Each pair's proposer
/// writes both rows of the pair, and pairs are disjoint, so no row is touched by two
/// tasks; a pair's new values are computed from its old ones, as if the pairs were applied
/// one after another in any order.
struct PairRows<'a> {
    x: *mut f32,
    len: usize,
    _rows: std::marker::PhantomData<&'a mut [f32]>,
}

// SAFETY: tasks share `PairRows` only to call `pair`, whose contract keeps their rows apart.
unsafe impl Sync for PairRows<'_> {}

impl<'a> PairRows<'a> {
    fn new(x: &'a mut [f32]) -> Self {
        PairRows {
            x: x.as_mut_ptr(),
            len: x.len(),
            _rows: std::marker::PhantomData,
        }
    }

    /// Rows p and q (p ≠ q) of width r.
    ///
    /// # Safety
    /// While the returned slices live, no other call may return row p or row q.
    #[allow(clippy::mut_from_ref)]
    unsafe fn pair(&self, p: usize, q: usize, r: usize) -> (&mut [f32], &mut [f32]) {
        assert!(p != q && (p.max(q) + 1) * r <= self.len);
        // SAFETY: both rows are in bounds and disjoint (asserted), and the caller guarantees
        // no other live reference to them.
        unsafe {
            (
                std::slice::from_raw_parts_mut(self.x.add(p * r), r),
                std::slice::from_raw_parts_mut(self.x.add(q * r), r),
            )
        }
    }
}

/// The Deffuant rule on one matched pair, in place: each end that listens to the other
/// moves toward it on every attitude value within the bound (trust values stay).
#[inline]
fn meet(xp: &mut [f32], xq: &mut [f32], hears: [bool; 2], k: usize, eps: f32, mu: f32) {
    for i in 0..xp.len() {
        let (a, b) = (xp[i], xq[i]);
        let d = b - a;
        if i % k != 0 && d.abs() < eps {
            if hears[0] {
                xp[i] = (a + mu * d).clamp(-1.0, 1.0);
            }
            if hears[1] {
                xq[i] = (b + mu * (a - b)).clamp(-1.0, 1.0);
            }
        }
    }
}

/// Deffuant's `rounds` matchings of one tick on `x`, in place (see `Matchings`).
#[allow(clippy::too_many_arguments)]
fn deffuant(
    x: &mut [f32],
    csr: &Csr,
    m: &mut Matchings,
    seed: impl Fn(u32) -> u64,
    rounds: u32,
    k: usize,
    eps: f32,
    mu: f32,
) {
    let n = csr.len();
    if rounds == 0 || n == 0 {
        return;
    }
    let r = x.len() / n;
    m.size(n);
    let mutual = m.mutual(csr);
    let task = task_size();
    // Round 0's proposals, into emptied buffers for rounds 0 and 1.
    let [r0, r1, _] = &m.recv;
    r0.par_iter()
        .zip(r1.par_iter())
        .with_min_len(task)
        .for_each(|(a, b)| {
            a.store(u64::MAX, Relaxed);
            b.store(u64::MAX, Relaxed);
        });
    let seed0 = seed(0);
    m.prop[0]
        .par_iter_mut()
        .enumerate()
        .with_min_len(task)
        .for_each(|(p, out)| {
            *out = match proposal(csr, seed0, p) {
                Some((key, q, j)) => {
                    lower(&r0[q as usize], key);
                    [q, j]
                }
                None => [NO_PROPOSAL; 2],
            }
        });
    let rows = PairRows::new(x);
    for round in 0..rounds {
        let (now, next) = (seed(round), seed(round + 1));
        let (more, clear) = (round + 1 < rounds, round + 2 < rounds);
        let i = round as usize;
        let (recv, rec_next, rec_clear) =
            (&m.recv[i % 3], &m.recv[(i + 1) % 3], &m.recv[(i + 2) % 3]);
        let [p0, p1] = &mut m.prop;
        let (cur, nxt) = if i.is_multiple_of(2) {
            (&*p0, p1)
        } else {
            (&*p1, p0)
        };
        nxt.par_chunks_mut(task).enumerate().for_each(|(c, nxt)| {
            let first = c * task;
            // The next round's proposals first: this loop has no locked instruction, so
            // the core overlaps its scattered reads of the drawn neighbours.
            if more {
                for (o, np) in nxt.iter_mut().enumerate() {
                    *np =
                        proposal(csr, next, first + o).map_or([NO_PROPOSAL; 2], |(_, q, j)| [q, j]);
                }
                // Then their keys, scattered with locked instructions, in a loop of their
                // own: a locked instruction waits for every store before it, and the pair
                // updates below store to scattered rows.
                for (o, &[q, _]) in nxt.iter().enumerate() {
                    if let Some(&[ahead, _]) = nxt.get(o + AHEAD).filter(|v| v[0] != NO_PROPOSAL) {
                        simd::prefetch(&rec_next[ahead as usize]);
                    }
                    if q != NO_PROPOSAL {
                        lower(&rec_next[q as usize], key_of(next, first + o));
                    }
                }
            }
            for p in first..first + nxt.len() {
                // Warm the key received by the target `AHEAD` populations on.
                if let Some(&[q, _]) = cur.get(p + AHEAD).filter(|v| v[0] != NO_PROPOSAL) {
                    simd::prefetch(&recv[q as usize]);
                }
                let [q, j] = cur[p];
                if q != NO_PROPOSAL {
                    let (key, q) = (key_of(now, p), q as usize);
                    if recv[p].load(Relaxed) > key
                        && recv[q].load(Relaxed) == key
                        && key_of(now, q) > key
                    {
                        let e = csr.offsets[p] + j as usize;
                        let hears = if mutual {
                            [true, true]
                        } else {
                            let back = csr.slot(q, p as u32);
                            [csr.raw[e] != 0.0, back.is_some_and(|b| csr.raw[b] != 0.0)]
                        };
                        // SAFETY: p's proposal is accepted, so p and q are matched to each
                        // other only, and a pair is written only by its proposer.
                        let (xp, xq) = unsafe { rows.pair(p, q, r) };
                        meet(xp, xq, hears, k, eps, mu);
                    }
                }
                if clear {
                    rec_clear[p].store(u64::MAX, Relaxed);
                }
            }
        });
    }
}

/// Populations per random stream in the voter model: one ChaCha stream per population
/// would cost more than the copy itself; fixed blocks keep draws independent of threads.
const VOTER_BLOCK: usize = 1024;

/// The voter's draw tables: per tie entry e of row p, the running sum
///   C_e = w_p + Σ_{e' ≤ e in row p, W_e' > 0} W_e'
/// added in row order, in f32, as `voter_draw` adds it. C is non-decreasing along a row,
/// so `voter_draw`'s "first entry with u < C_e" is the number of entries with C_e ≤ u: a
/// count over a contiguous slice, not a loop whose every step waits on the last add, and
/// the pick is the same q bit for bit. With the trust pass left out where trust is +0
/// (`trust_is_zero`), the race's voter (100k, BA m = 5, trust 0) ran its phase 1.8–2.2×
/// faster than the one-pass draw-and-trust loop it replaced, 1.3× with trust moving
/// (docs/PERFORMANCE.md). Built at first use and again whenever the weights change
/// (`Csr::generation`); 4 bytes per tie entry.
#[derive(Debug, Clone, Default)]
pub struct VoterSums {
    cum: Vec<f32>,
    built: Option<u64>,
}

impl VoterSums {
    /// The tables for `csr`, built if they are missing or stale.
    fn of(&mut self, csr: &Csr) -> &[f32] {
        if self.built != Some(csr.generation()) || self.cum.len() != csr.entries() {
            self.cum.resize(csr.entries(), 0.0);
            running_sums(csr, 0..csr.len(), &mut self.cum);
            self.built = Some(csr.generation());
        }
        &self.cum
    }

    /// Forgets the tables (the world was edited from outside the engine).
    pub fn forget(&mut self) {
        self.built = None;
    }
}

/// Fills `cum` (the entries of `rows`) with each row's running sums, halving the rows
/// between tasks until a part is one task's worth (`rayon::join`: nothing is allocated,
/// which matters when the weights change every tick).
fn running_sums(csr: &Csr, rows: std::ops::Range<usize>, cum: &mut [f32]) {
    if rows.len() > task_size() {
        let mid = rows.start + rows.len() / 2;
        let (a, b) = cum.split_at_mut(csr.offsets[mid] - csr.offsets[rows.start]);
        rayon::join(
            || running_sums(csr, rows.start..mid, a),
            || running_sums(csr, mid..rows.end, b),
        );
        return;
    }
    let base = csr.offsets[rows.start];
    for p in rows {
        let mut acc = csr.self_w[p];
        let row = csr.row(p);
        let out = &mut cum[row.start - base..row.end - base];
        for (c, &wt) in out.iter_mut().zip(&csr.w[row]) {
            if wt > 0.0 {
                acc += wt;
            }
            *c = acc;
        }
    }
}

/// Whether every trust value and its anchor is +0 bit for bit. Friedkin–Johnsen then
/// returns +0 for each (`skip.rs`, condition (A), which holds column by column: trust
/// sums read only trust), so the rules that move trust in a pass of their own (both
/// voters, Deffuant) leave that pass out. One linear scan against a pass over every tie.
fn trust_is_zero(a: &Args, r: usize, k: usize) -> bool {
    let zero = 0.0f32.to_bits();
    r > 0
        && a.x
            .par_chunks(r * VOTER_BLOCK)
            .zip(a.anchor.par_chunks(r * VOTER_BLOCK))
            .all(|(x, u)| {
                (0..x.len())
                    .step_by(k)
                    .all(|i| x[i].to_bits() == zero && u[i].to_bits() == zero)
            })
}

/// Synchronous voter: every population copies the attitudes of the member of {p} ∪ N(p)
/// its draw picks, and moves its trust by Friedkin–Johnsen (`zero_trust`: all trust is +0
/// and stays so, and the copied row already carries it).
fn voter(a: &Args, cum: &[f32], out: &mut [f32], r: usize, k: usize, rand: VoterRand) {
    let csr = a.csr;
    let VoterRand { key, t, zero_trust } = rand;
    out.par_chunks_mut(r * VOTER_BLOCK)
        .enumerate()
        .for_each(|(b, chunk)| {
            let mut rng = stream(key, t, Purpose::Voter, b as u64);
            for (i, o) in chunk.chunks_mut(r).enumerate() {
                let p = b * VOTER_BLOCK + i;
                let u: f32 = rng.random();
                let src = voter_pick(csr, cum, p, u);
                // Element-wise: rows are a few floats, too short for a memcpy call to pay.
                for (oi, xi) in o.iter_mut().zip(&a.x[src * r..(src + 1) * r]) {
                    *oi = *xi;
                }
                if !zero_trust {
                    fj_trust(a, p, o, r, k);
                }
            }
        });
}

/// The voter's random stream and whether trust can be left as it is (`trust_is_zero`).
#[derive(Clone, Copy)]
struct VoterRand<'a> {
    key: &'a [u8; 32],
    t: u32,
    zero_trust: bool,
}

/// `voter_draw(csr, p, u)` from the draw tables `cum` (`VoterSums`).
#[inline]
fn voter_pick(csr: &Csr, cum: &[f32], p: usize, u: f32) -> usize {
    if u < csr.self_w[p] {
        return p;
    }
    let row = csr.row(p);
    let c = &cum[row.clone()];
    // A branch-free count on the short rows of most people, a bisection on hubs' rows.
    let i = if c.len() <= 64 {
        c.iter().map(|&v| (v <= u) as usize).sum()
    } else {
        c.partition_point(|&v| v <= u)
    };
    match row.start.checked_add(i).filter(|&e| e < row.end) {
        Some(e) => csr.nbr[e] as usize,
        // u at or above the row's total (its weights sum to 1 only up to rounding).
        None => voter_draw(csr, p, u),
    }
}

/// q with probability W_pq for a uniform `u` in [0, 1): self first, then ties in order;
/// entries of weight 0 (ties p does not listen through) are never drawn.
#[inline]
fn voter_draw(csr: &Csr, p: usize, u: f32) -> usize {
    let mut acc = csr.self_w[p];
    let mut src = p;
    if u >= acc {
        for e in csr.row(p).filter(|&e| csr.w[e] > 0.0) {
            src = csr.nbr[e] as usize;
            acc += csr.w[e];
            if u < acc {
                break;
            }
        }
    }
    src
}

/// Random sequential voter updates on `x` (trust already updated): N times, a population
/// p drawn uniformly copies every attitude of one member of {p} ∪ N(p) drawn with
/// probability W_pq, reading the state as the previous updates left it.
fn async_voter(csr: &Csr, x: &mut [f32], r: usize, k: usize, key: &[u8; 32], t: u32) {
    let n = csr.len();
    if n == 0 {
        return;
    }
    let mut rng = stream(key, t, Purpose::VoterSequence, 0);
    for _ in 0..n {
        let p = rng.random_range(0..n);
        let u: f32 = rng.random();
        let mut acc = csr.self_w[p];
        let mut src = p;
        if u >= acc {
            for e in csr.row(p).filter(|&e| csr.w[e] > 0.0) {
                src = csr.nbr[e] as usize;
                acc += csr.w[e];
                if u < acc {
                    break;
                }
            }
        }
        if src != p {
            for b in (0..r).step_by(k) {
                x.copy_within(src * r + b + 1..src * r + b + k, p * r + b + 1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::on_threads;
    use crate::world::testkit::{RICH, world};

    /// One actor on a generated graph of `n` populations.
    fn graph_world(n: usize, graph: &str) -> World {
        world(&format!(
            "[scenario]\nname = \"t\"\nseed = 3\nticks = 1\n[[actor]]\nid = \"a\"\n\
             [[generate]]\nprefix = \"n\"\ncount = {n}\ngraph = {graph}\n"
        ))
    }

    /// The matching as it was first written (three passes per round, every population
    /// copied and checking its partner, out of place): the reference the one-pass,
    /// in-place `deffuant` must equal bit for bit.
    mod reference {
        use super::super::task_size;
        use crate::rng::node_word;
        use crate::world::Csr;
        use rayon::prelude::*;
        use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

        /// Per population, the lowest proposal key made by or to it this round (`u64::MAX` if none).
        #[derive(Debug, Default)]
        pub struct Claims(pub Vec<AtomicU64>);

        impl Claims {
            pub fn new(n: usize) -> Self {
                Claims((0..n).map(|_| AtomicU64::new(u64::MAX)).collect())
            }
        }

        /// One matching round: every population with ties proposes to one neighbour, and a
        /// proposal is accepted when its key is the lowest at both of its ends.
        pub struct Matching<'a> {
            pub csr: &'a Csr,
            pub best: &'a [AtomicU64],
            pub seed: u64,
        }

        impl Matching<'_> {
            /// p's proposal: its key (priority in the high half, p in the low half, so keys are
            /// distinct and equal priorities go to the lower index) and the tie entry it chose.
            #[inline]
            fn proposal(&self, p: usize) -> Option<(u64, usize)> {
                let row = self.csr.row(p);
                let d = row.len() as u64;
                if d == 0 {
                    return None;
                }
                let word = node_word(self.seed, p as u32);
                // Low half → an index below d (Lemire's multiply-shift; bias d / 2^32).
                let j = ((word & 0xFFFF_FFFF) * d) >> 32;
                Some(((word & !0xFFFF_FFFF) | p as u64, row.start + j as usize))
            }

            /// Fills `best`: each population's own key, then the minimum with every proposal made
            /// to it. Two passes over populations, one hash and one scattered atomic each.
            pub fn propose(&self) {
                let task = task_size();
                self.best
                    .par_iter()
                    .enumerate()
                    .with_min_len(task)
                    .for_each(|(p, b)| {
                        b.store(self.proposal(p).map_or(u64::MAX, |x| x.0), Relaxed)
                    });
                (0..self.best.len())
                    .into_par_iter()
                    .with_min_len(task)
                    .for_each(|p| {
                        if let Some((key, e)) = self.proposal(p) {
                            self.best[self.csr.nbr[e] as usize].fetch_min(key, Relaxed);
                        }
                    });
            }

            /// p's partner this round and the entry of the tie p → partner (None if p has no
            /// such entry), or None if p is unmatched.
            #[inline]
            pub fn partner(&self, p: usize) -> Option<(usize, Option<usize>)> {
                let b = self.best[p].load(Relaxed);
                if b == u64::MAX {
                    return None;
                }
                let u = (b & 0xFFFF_FFFF) as usize;
                if u == p {
                    // p's own proposal is the lowest at p: accepted if also at its target.
                    let (_, e) = self.proposal(p)?;
                    let q = self.csr.nbr[e] as usize;
                    (self.best[q].load(Relaxed) == b).then_some((q, Some(e)))
                } else {
                    // u proposed to p: accepted if that proposal is also the lowest at u.
                    (self.best[u].load(Relaxed) == b).then(|| (u, self.csr.slot(p, u as u32)))
                }
            }
        }

        pub fn round(
            x: &[f32],
            out: &mut [f32],
            m: &Matching,
            r: usize,
            k: usize,
            eps: f32,
            mu: f32,
        ) {
            out.par_chunks_mut(r)
                .enumerate()
                .with_min_len(task_size())
                .for_each(|(p, o)| {
                    let xp = &x[p * r..(p + 1) * r];
                    o.copy_from_slice(xp);
                    let Some((q, e)) = m.partner(p) else {
                        return;
                    };
                    // Across a one-way tie only the listener moves (p hears q if its raw weight > 0).
                    if e.is_none_or(|e| m.csr.raw[e] == 0.0) {
                        return;
                    }
                    let xq = &x[q * r..(q + 1) * r];
                    for i in 0..r {
                        let d = xq[i] - xp[i];
                        if i % k != 0 && d.abs() < eps {
                            o[i] = (xp[i] + mu * d).clamp(-1.0, 1.0);
                        }
                    }
                });
        }
    }

    /// Every matched population's partner is matched back to it, through a tie of its
    /// row; returns the matched share of the populations, averaged over `rounds` rounds.
    fn matched_share(csr: &Csr, rounds: u32) -> f64 {
        use reference::{Claims, Matching};
        let claims = Claims::new(csr.len());
        let mut matched = 0usize;
        for round in 0..rounds {
            let m = Matching {
                csr,
                best: &claims.0,
                seed: pair_seed(&crate::rng::key(9), 1, Purpose::SocialPairing, round),
            };
            m.propose();
            for p in 0..csr.len() {
                if let Some((q, e)) = m.partner(p) {
                    assert_eq!(m.partner(q).map(|x| x.0), Some(p), "round {round}");
                    assert_eq!(e, csr.slot(p, q as u32));
                    matched += 1;
                }
            }
        }
        matched as f64 / (csr.len() as f64 * rounds as f64)
    }

    /// The matched share docs/MODEL.md 3.6 quotes: about half of the populations per
    /// round, on a Barabási–Albert graph (m = 5) and on a complete graph of 100.
    #[test]
    fn proposal_matchings_are_symmetric_and_match_about_half() {
        let ba = graph_world(10_000, r#"{ model = "barabasi_albert", m = 5 }"#);
        let share = matched_share(&ba.ties, 8);
        assert!((0.50..0.54).contains(&share), "BA: {share}");
        let k = graph_world(100, r#"{ model = "complete" }"#);
        let share = matched_share(&k.ties, 400);
        assert!((0.54..0.59).contains(&share), "complete: {share}");
    }

    /// Deffuant's rounds as `run` does them (one pass per round, in place) and as the
    /// reference does them (three passes, out of place) give the same bits, on 1 and on 3
    /// threads with small tasks, with two actors, with one-way ties and with ties some
    /// populations do not listen through, and over ticks of 1, 2, 3 and 7 rounds (the
    /// buffers of rounds ρ, ρ + 1 and ρ + 2 rotate).
    #[test]
    fn deffuant_in_one_pass_in_place_equals_the_three_pass_reference() {
        use reference::{Claims, Matching};
        let g = graph_world(6_000, r#"{ model = "barabasi_albert", m = 3 }"#);
        let (n, k) = (g.ties.len(), 3);
        // Two actors, k = 3 (trust and two dimensions): rows of 6.
        let r = 2 * k;
        let mut x: Vec<f32> = (0..n * r)
            .map(|i| (i as f32 * 0.618_034).fract() * 2.0 - 1.0)
            .collect();
        for p in 0..n {
            x[p * r] = 0.3;
            x[p * r + k] = 0.6;
        }
        // A third of the ties heard one way only (the listener keeps its weight).
        let mut one_way = g.ties.clone();
        for p in 0..n {
            for e in one_way.row(p) {
                let q = one_way.nbr[e] as usize;
                if (p + q).is_multiple_of(3) && p < q {
                    one_way.raw[e] = 0.0;
                }
            }
            one_way.normalise_row(p);
        }
        let key = crate::rng::key(5);
        for csr in [&g.ties, &one_way] {
            for rounds in [1, 2, 3, 7] {
                let seed = |round| pair_seed(&key, 4, Purpose::SocialPairing, round);
                let mut want = x.clone();
                let mut out = vec![0.0; x.len()];
                let claims = Claims::new(n);
                for round in 0..rounds {
                    let m = Matching {
                        csr,
                        best: &claims.0,
                        seed: seed(round),
                    };
                    m.propose();
                    reference::round(&want, &mut out, &m, r, k, 0.5, 0.3);
                    std::mem::swap(&mut want, &mut out);
                }
                assert_ne!(want, x, "nothing moved");
                for (threads, task) in [(1, 512), (3, 7)] {
                    let mut got = x.clone();
                    let mut m = Matchings::new(n);
                    // Twice on the same buffers: the second tick must not see the first's.
                    for _ in 0..2 {
                        got.clone_from(&x);
                        on_threads(threads, Some(task), || {
                            deffuant(&mut got, csr, &mut m, seed, rounds, k, 0.5, 0.3)
                        });
                    }
                    let bits = |v: &[f32]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
                    assert_eq!(
                        bits(&got),
                        bits(&want),
                        "{rounds} rounds, {threads} threads"
                    );
                }
            }
        }
    }

    /// The const-width HK kernel and the general one compute the same rule.
    #[test]
    fn fixed_and_general_hegselmann_krause_agree() {
        let w = world(RICH);
        let (r, k) = (w.opinions.row(), w.opinions.k);
        assert_eq!(k, 4);
        let args = Args::of(&w);
        let n = w.opinions.x.len();
        let (mut a, mut b, mut cnt) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        hk_fixed::<4>(&args, &mut a, r, 0.3);
        hk(&args, &mut b, &mut cnt, r, k, 0.3);
        for (x, y) in a.iter().zip(&b) {
            assert!((x - y).abs() < 1e-6, "{x} vs {y}");
        }
        assert_ne!(a, w.opinions.x);
    }

    /// The Friedkin–Johnsen fast path (shared row weights, AVX2 build) performs the same
    /// operations in the same order as the general kernel: identical bits.
    #[test]
    fn friedkin_johnsen_paths_give_identical_bits() {
        let mut w = world(RICH);
        // Rows with one shared tie weight and rows without must both occur.
        assert!(w.ties.row_w.iter().any(|v| v.is_nan()));
        assert!(w.ties.row_w.iter().any(|v| !v.is_nan()));
        let r = w.opinions.row();
        assert_eq!(r, 12);
        // Spread the values so every entry matters.
        for (i, v) in w.opinions.x.iter_mut().enumerate() {
            *v = ((i as f32 * 0.618_034).fract() * 2.0 - 1.0) * 0.9;
        }
        // Include inputs below the floor.
        for v in w.opinions.x.iter_mut().step_by(7) {
            *v *= 1e-30;
        }
        let args = Args::of(&w);
        let n = w.opinions.x.len();
        let (mut general, mut fast, mut base) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        dynamic(&args, &mut general, r);
        fixed::<12>(&args, &mut fast);
        simd::set_enabled(false);
        fixed::<12>(&args, &mut base);
        simd::set_enabled(true);
        let bits = |v: &[f32]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&fast), bits(&general));
        assert_eq!(bits(&base), bits(&general));
        assert_ne!(general, w.opinions.x);
    }

    /// Bad buzz's fixed-width kernel, alone and with word of mouth fused in, with and
    /// without AVX2 and on chunks of every size, adds the same terms in the same order as
    /// the general kernel and the separate word-of-mouth pass: identical bits.
    #[test]
    fn bad_buzz_paths_and_fused_word_of_mouth_give_identical_bits() {
        use crate::engine::phases::{MIN_POPS_PER_TASK, set_task_size};
        let mut w = world(RICH);
        let (r, k, a) = (w.opinions.row(), w.opinions.k, w.opinions.actors);
        assert_eq!((r, a), (12, 3));
        for (i, v) in w.opinions.x.iter_mut().enumerate() {
            *v = ((i as f32 * 0.618_034).fract() * 2.0 - 1.0) * 0.9;
        }
        for v in w.opinions.x.iter_mut().step_by(7) {
            *v *= 1e-30; // inputs below the floor
        }
        for (i, v) in w.opinions.familiarity.iter_mut().enumerate() {
            *v = (i as f32 * 0.414_213_5).fract();
        }
        let args = Args::of(&w);
        let (n, m, b) = (w.opinions.x.len(), w.opinions.familiarity.len(), 1.5);
        let f = &w.opinions.familiarity;
        fn fam<'a>(f: &'a [f32], out: &'a mut [f32]) -> Option<Fam<'a>> {
            Some(Fam { f, out, mu: 0.3 })
        }
        let (mut general, mut tot, mut f_general) = (vec![0.0; n], vec![0.0; n], vec![0.0; m]);
        biased(&args, &mut general, &mut tot, r, k, b);
        word_of_mouth(&w.ties, a, fam(f, &mut f_general).unwrap());
        let bits = |v: &[f32]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
        for (avx2, task) in [
            (true, MIN_POPS_PER_TASK),
            (false, MIN_POPS_PER_TASK),
            (true, 5),
        ] {
            simd::set_enabled(avx2);
            set_task_size(task);
            let (mut alone, mut fused, mut f_fused) = (vec![0.0; n], vec![0.0; n], vec![0.0; m]);
            biased_fixed::<12, 1>(&args, &mut alone, k, b, None);
            biased_fixed::<12, 3>(&args, &mut fused, k, b, fam(f, &mut f_fused));
            simd::set_enabled(true);
            set_task_size(MIN_POPS_PER_TASK);
            assert_eq!(bits(&alone), bits(&general), "avx2 {avx2}, task {task}");
            assert_eq!(bits(&fused), bits(&general), "avx2 {avx2}, task {task}");
            assert_eq!(bits(&f_fused), bits(&f_general), "avx2 {avx2}, task {task}");
        }
        // Both passes moved something, so the comparison means something.
        assert_ne!(general, w.opinions.x);
        assert_ne!(&f_general, f);
        // The dispatcher fuses this width, and hands word of mouth back where it cannot.
        let (mut out, mut spare) = (vec![0.0; n], vec![0.0; m]);
        assert!(bad_buzz(&args, &mut out, &mut tot, r, k, b, fam(f, &mut spare)).is_none());
        let odd = bad_buzz(&args, &mut out, &mut tot, r, 1, b, fam(f, &mut spare));
        assert!(
            odd.is_some(),
            "no (12, 12) kernel: word of mouth is left to do"
        );
    }

    /// The whole-model benchmark's width (four actors of three dimensions, 16 values a
    /// row) on a random graph with some rows of unequal tie weights: the fused bad-buzz
    /// kernel (prefetching, split loops, AVX2 or not) gives the bits of the general kernel
    /// and the separate word-of-mouth pass, for any bias, spread and opinions.
    mod wide_rows {
        use super::*;
        use proptest::prelude::*;

        fn four_actors(n: usize, seed: u64) -> World {
            let actors: String = ["a", "b", "c", "d"]
                .iter()
                .map(|id| format!("[[actor]]\nid = \"{id}\"\nvalues = [0.1, 0.2, 0.3]\n"))
                .collect();
            world(&format!(
                "[scenario]\nname = \"t\"\nseed = {seed}\nticks = 1\n{actors}\
                 [[generate]]\nprefix = \"n\"\ncount = {n}\n\
                 graph = {{ model = \"barabasi_albert\", m = 4 }}\n"
            ))
        }

        /// A value in [lo, 1] from a hash of (salt, i): reproducible, spread, with exact
        /// ties between values (the comparison d < 0 must see equal values too).
        fn value(salt: u64, i: usize, lo: f32) -> f32 {
            let h = (i as u64 ^ salt).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40;
            let u = (h % 64) as f32 / 63.0;
            lo + (1.0 - lo) * u
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(16))]
            #[test]
            fn the_fused_wide_kernel_gives_the_general_bits(
                seed in 0u64..1000,
                salt in any::<u64>(),
                b in 0.01f32..4.0,
                mu in 0.0f32..1.0,
                uneven in 0usize..7,
                avx2 in any::<bool>(),
            ) {
                let mut w = four_actors(300, seed);
                let (r, k, a) = (w.opinions.row(), w.opinions.k, w.opinions.actors);
                prop_assert_eq!((r, a), (16, 4));
                for (i, v) in w.opinions.x.iter_mut().enumerate() {
                    *v = value(salt, i, if i % k == 0 { 0.0 } else { -1.0 });
                }
                for (i, v) in w.opinions.familiarity.iter_mut().enumerate() {
                    *v = value(salt ^ 1, i, 0.0);
                }
                // Every `uneven`-th row (none if 0) gets unequal tie weights.
                for p in (0..w.ties.len()).step_by(uneven.max(1)).filter(|_| uneven > 0) {
                    let row = w.ties.row(p);
                    let n = row.len() as f32;
                    for (j, e) in row.enumerate() {
                        w.ties.w[e] = (1.0 + j as f32) / (n * n) * 0.5;
                    }
                    w.ties.row_w[p] = f32::NAN;
                }
                let args = Args::of(&w);
                let (n, m) = (w.opinions.x.len(), w.opinions.familiarity.len());
                let f = &w.opinions.familiarity;
                let (mut general, mut tot, mut f_general) = (vec![0.0; n], vec![0.0; n], vec![0.0; m]);
                biased(&args, &mut general, &mut tot, r, k, b);
                word_of_mouth(&w.ties, a, Fam { f, out: &mut f_general, mu });
                simd::set_enabled(avx2);
                let (mut alone, mut fused, mut f_fused) = (vec![0.0; n], vec![0.0; n], vec![0.0; m]);
                biased_fixed::<16, 1>(&args, &mut alone, k, b, None);
                biased_fixed::<16, 4>(&args, &mut fused, k, b, Some(Fam { f, out: &mut f_fused, mu }));
                simd::set_enabled(true);
                let bits = |v: &[f32]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
                prop_assert_eq!(bits(&alone), bits(&general));
                prop_assert_eq!(bits(&fused), bits(&general));
                prop_assert_eq!(bits(&f_fused), bits(&f_general));
                prop_assert_ne!(&general, &w.opinions.x);
            }
        }
    }

    /// The voter's draw from its tables picks the same neighbour as the running-sum loop,
    /// on rows with weight-0 entries, at draws that land exactly on a running sum, and at
    /// draws above a row's total.
    #[test]
    fn the_voter_draw_from_its_tables_picks_what_the_running_sum_picks() {
        let mut w = graph_world(2_000, r#"{ model = "barabasi_albert", m = 3 }"#);
        for e in (0..w.ties.w.len()).step_by(5) {
            w.ties.w[e] = 0.0; // ties some populations do not listen through
        }
        let mut sums = VoterSums::default();
        let cum = sums.of(&w.ties).to_vec();
        let mut hubs = 0;
        for p in 0..w.pops.len() {
            let row = w.ties.row(p);
            hubs += usize::from(row.len() > 64);
            let draws = (0..16)
                .map(|i| i as f32 / 16.0)
                .chain([w.ties.self_w[p]])
                .chain(cum[row].iter().copied())
                .chain([0.999_999_9, 1.5]);
            for u in draws {
                assert_eq!(
                    voter_pick(&w.ties, &cum, p, u),
                    voter_draw(&w.ties, p, u),
                    "p {p}, u {u}"
                );
            }
        }
        assert!(hubs > 0, "no row long enough for the bisection");
    }

    /// With every trust value and anchor at +0 the voter leaves the trust pass out; the
    /// step gives the bits the pass would have given. With one trust value off zero the
    /// check declines.
    #[test]
    fn the_voter_without_its_trust_pass_gives_the_same_bits_when_trust_is_zero() {
        let mut w = graph_world(3_000, r#"{ model = "barabasi_albert", m = 3 }"#);
        let (r, k) = (w.opinions.row(), w.opinions.k);
        for (i, v) in w.opinions.x.iter_mut().enumerate() {
            *v = if i % k == 0 {
                0.0
            } else {
                (i as f32 * 0.618_034).fract()
            };
        }
        w.opinions.anchor = w.opinions.x.clone();
        let args = Args::of(&w);
        assert!(trust_is_zero(&args, r, k));
        let mut sums = VoterSums::default();
        let cum = sums.of(&w.ties);
        let key = crate::rng::key(4);
        let run = |zero_trust| {
            let mut out = vec![0.0; w.opinions.x.len()];
            voter(
                &args,
                cum,
                &mut out,
                r,
                k,
                VoterRand {
                    key: &key,
                    t: 2,
                    zero_trust,
                },
            );
            out.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
        };
        assert_eq!(run(true), run(false));
        let mut off = w.clone();
        off.opinions.x[7 * r] = 0.25;
        assert!(!trust_is_zero(&Args::of(&off), r, k));
        off.opinions.x[7 * r] = -0.0;
        assert!(!trust_is_zero(&Args::of(&off), r, k));
    }

    /// Through the engine: where trust is +0 everywhere, the asynchronous voter and
    /// Deffuant phases (which leave out their trust pass) give the bits of the trust pass
    /// followed by the attitude rule.
    #[test]
    fn phases_without_their_trust_pass_give_the_bits_of_the_pass_and_the_rule() {
        use crate::engine::{Engine, Phase, PhaseMask};
        let pairs = SocialRule::Deffuant {
            eps: 0.6,
            mu: 0.3,
            rounds: 3,
        };
        for rule in [SocialRule::AsyncVoter, pairs] {
            let mut w = graph_world(2_000, r#"{ model = "barabasi_albert", m = 3 }"#);
            let (r, k) = (w.opinions.row(), w.opinions.k);
            for (i, v) in w.opinions.x.iter_mut().enumerate() {
                *v = if i % k == 0 {
                    0.0
                } else {
                    (i as f32 * 0.618_034).fract() * 2.0 - 1.0
                };
            }
            w.opinions.anchor = w.opinions.x.clone();
            w.params.social = rule;
            let key = crate::rng::key(w.seed);
            let mut want = vec![0.0; w.opinions.x.len()];
            trust_only(&Args::of(&w), &mut want, r, k);
            match rule {
                SocialRule::AsyncVoter => async_voter(&w.ties, &mut want, r, k, &key, 0),
                _ => {
                    let seed = |round| pair_seed(&key, 0, Purpose::SocialPairing, round);
                    let mut m = Matchings::new(w.ties.len());
                    deffuant(&mut want, &w.ties, &mut m, seed, 3, k, 0.6, 0.3);
                }
            }
            assert_ne!(want, w.opinions.x, "{rule:?}: nothing moved");
            let mut e = Engine::new(w).with_mask(PhaseMask::only(&[Phase::SocialInfluence]));
            e.run_phase(Phase::SocialInfluence, 0);
            let bits = |v: &[f32]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&e.world.opinions.x), bits(&want), "{rule:?}");
        }
    }

    /// The draw tables follow the weights: a change through `Csr` rebuilds them.
    #[test]
    fn the_voter_tables_are_rebuilt_when_the_weights_change() {
        let mut w = graph_world(500, r#"{ model = "barabasi_albert", m = 3 }"#);
        let mut sums = VoterSums::default();
        let before = sums.of(&w.ties).to_vec();
        w.ties.raw[0] *= 4.0;
        w.ties.normalise_row(0);
        let after = sums.of(&w.ties).to_vec();
        assert_ne!(before, after);
        assert_eq!(after, VoterSums::default().of(&w.ties));
    }
}
