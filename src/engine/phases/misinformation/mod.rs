//! Misinformation phase: false stories spread as a contagion over social ties.
//!
//! Compartments per (population, story): S susceptible, B believing, C fact-checked
//! (debunked, and spreading the debunk), V prebunked (inoculated). Mass is conserved:
//! S + B + C + V = population size, always. Exposure to believers is the W-weighted
//! believer share π_p = Σ_q W_pq B_q/N_q (W the row-stochastic social-influence matrix,
//! self included), and likewise φ_p for fact-checkers. With online reach
//! ρ_p = o + (1 − o)·internet_p, plausibility α, transmissibility β, literacy λ_p and
//! literacy protection θ, the per-tick hazards are:
//!   S→B: (β·ρ·π·(1+α) + seeding)·(1 − θ·λ)·μ      S→C: β·ρ·φ·(1−α)      S→V: prebunking
//!   V→B: S→B hazard × (1 − prebunk efficacy)      V→C: as S→C           V→S: −ln(1 − waning)
//!   B→C: −ln(1 − verify·λ) + corrections          B→S: −ln(1 − forget)
//!   C→S: −ln(1 − forget)
//! The (1 ± α) tilt follows Tambuscio, Ruffo, Flammini & Menczer (2015). Competing hazards
//! leave each compartment by the exact draw of `draws.rs`, so a population of one behaves
//! as one person. Belief then harms the story's target: trust and every attitude toward
//! it move by −harm·B/N per tick.
//!
//! Source and audience (soft-power model only; docs/MODEL.md 3.5):
//! - corrections κ and prebunking ν of a campaign by actor a reach p scaled by
//!   f_pa = 1 − s + s·κ_pa/κ₀, κ_pa = (c_a + T_pa)/2, κ₀ = (0.7 + 0.4)/2 the default
//!   source (s = `source_weight`);
//! - motivated reasoning μ = 1 + m·max(0, −A_pb), A_pb the favourability of the story's
//!   target b (m = `motivated_reasoning`);
//! - a story seeded by a misinformation campaign, believed in p and not yet traced there,
//!   is traced to its authors with probability a_p = r·λ_p per tick (keyed stream); then
//!   T_pa ← T_pa ⊕ (−h_T) and c_a ← c_a·(1 − c_T·N_p/N) for each author a.
//!
//! The classic models (`contagion_model`: SIR, Maki–Thompson, Daley–Kendall, hoax) are in
//! `classic.rs`, their push formulation in `push.rs`, and SIR on individuals by per-tie
//! draws from the infected in `edges.rs`.

mod classic;
mod draws;
mod edges;
mod push;

pub use classic::TieSums;
pub use edges::Frontier;

use super::{campaigns_of, exposure, push01, push11};
use crate::engine::Scratch;
use crate::model::{ContagionModel, Instrument};
use crate::rng::{Purpose, stream};
use crate::world::{Campaign, Compartments, NOT_TRACED, World};
use draws::{competing, hazard};
use rand::Rng;
use rayon::prelude::*;

/// Perceived credibility of the default source: credibility 0.7 and trust 0.4, the
/// scenario defaults, so such a source corrects at exactly `correction_rate`.
const KAPPA_REF: f32 = 0.55;

/// Weight of actor `a` as a source of corrections or prebunking in `p`:
/// f_pa = 1 − s + s·κ_pa/κ₀ with κ_pa = (c_a + T_pa)/2 (Hovland & Weiss 1951).
#[inline]
fn source_factor(w: &World, a: usize, p: usize) -> f32 {
    let s = w.params.mis_source_weight;
    let kappa = 0.5 * (w.actors.credibility[a] + w.opinions.trust(p, a));
    1.0 - s + s * kappa / KAPPA_REF
}

/// Calls `f` once for every actor whose misinformation campaign seeds story `j`.
fn for_each_author(camps: &[Campaign], j: usize, mut f: impl FnMut(usize)) {
    let seeds = |c: &Campaign| c.instrument == Instrument::Misinformation && c.story as usize == j;
    for (i, c) in camps.iter().enumerate() {
        if seeds(c) && !camps[..i].iter().any(|d| seeds(d) && d.actor == c.actor) {
            f(c.actor as usize);
        }
    }
}

/// Campaign hazards for story `j` in population `p`: (seeding, corrections, prebunking).
pub(super) fn campaign_terms(w: &World, intensity: &[f32], p: usize, j: usize) -> (f64, f64, f64) {
    let pr = &w.params;
    // The classic models keep their published rates: no source term.
    let sourced = pr.contagion == ContagionModel::Softpower && pr.mis_source_weight > 0.0;
    let (mut seed, mut correct, mut prebunk) = (0.0f32, 0.0f32, 0.0f32);
    for &ci in campaigns_of(w, p) {
        let c = &w.campaigns[ci as usize];
        let inten = intensity[ci as usize];
        if c.story as usize != j || inten <= 0.0 {
            continue;
        }
        let e = exposure(w, c.actor as usize, c.channel, p, inten);
        let f = || {
            if sourced {
                source_factor(w, c.actor as usize, p)
            } else {
                1.0
            }
        };
        match c.instrument {
            Instrument::Misinformation => seed += pr.mis_seed_rate * e,
            Instrument::FactCheck => correct += pr.mis_correction_rate * e * f(),
            Instrument::Prebunk => prebunk += pr.mis_prebunk_rate * e * f(),
            _ => {}
        }
    }
    (seed as f64, correct as f64, prebunk as f64)
}

pub fn run(w: &mut World, s: &mut Scratch, key: &[u8; 32], t: u32) {
    let q = w.stories.len();
    if q == 0 {
        return;
    }
    if w.params.contagion != ContagionModel::Softpower {
        // SIR on individuals: per-tie draws from the infected only (`edges.rs`).
        if let Some(ties) = edges::applies(w, &mut s.frontier, &s.mirror, t) {
            s.contagion_tie_visits += ties as u64;
            edges::sir_tick(w, &mut s.frontier, key, t);
            harm(w, t, false);
            return;
        }
        classic::ready(w, s);
        shares(w, s);
        let (exposed, sources) = classic::mark_exposed(w, &mut s.exposed, &mut s.sources);
        let pushed = s.contagion_push.unwrap_or(push::choose(exposed, sources));
        if pushed {
            push::scatter(w, s, key, t);
        }
        s.contagion_tie_visits += (if pushed { sources } else { exposed } * q) as u64;
        classic::classic(w, s, key, t, pushed);
        std::mem::swap(&mut w.stories.counts, &mut s.counts_next);
        harm(w, t, false);
        return;
    }
    shares(w, s);

    let mut counts = std::mem::take(&mut w.stories.counts);
    let mut traced = std::mem::take(&mut w.stories.traced);
    let w_ro = &*w;
    let frac = &s.frac;
    let intensity = &s.intensity;
    // One stream per fixed block of populations: a ChaCha set-up per population cost more
    // than its draws, and fixed blocks keep the draws independent of the thread count.
    // The streams are set up at the block's first draw: zero hazards draw nothing.
    let newly: u64 = counts
        .par_chunks_mut(q * STREAM_BLOCK)
        .zip(traced.par_chunks_mut(q * STREAM_BLOCK))
        .enumerate()
        .map(|(blk, (block, tr))| {
            let (mut rng, mut arng, mut newly) = (None, None, 0);
            for (i, (cnt, tr)) in block.chunks_mut(q).zip(tr.chunks_mut(q)).enumerate() {
                let p = blk * STREAM_BLOCK + i;
                let rngs = (blk, &mut rng, &mut arng);
                newly += population(w_ro, frac, intensity, key, t, rngs, p, cnt, tr);
            }
            newly
        })
        .sum();
    w.stories.counts = counts;
    w.stories.traced = traced;
    let traced_now = w.stories.traced.contains(&t);
    harm(w, t, traced_now);
    if newly > 0 {
        attribution_cost(w, t);
    }
}

/// Populations per random stream (both the soft-power and the classic models).
pub(super) const STREAM_BLOCK: usize = 1024;

type Lazy = Option<rand_chacha::ChaCha8Rng>;

/// One population's transitions in the soft-power model; `(blk, rng, arng)` are its block
/// and the block's contagion and attribution streams, each set up at its first draw.
/// `traced` is the population's row of `Stories::traced`; returns the stories traced now.
#[allow(clippy::too_many_arguments)]
#[inline]
fn population(
    w_ro: &World,
    frac: &[[f32; 2]],
    intensity: &[f32],
    key: &[u8; 32],
    t: u32,
    (blk, rng, arng): (usize, &mut Lazy, &mut Lazy),
    p: usize,
    cnt: &mut [Compartments],
    traced: &mut [u32],
) -> u64 {
    let q = w_ro.stories.len();
    let pr = &w_ro.params;
    let mut newly = 0;
    // Attribution: one uniform per believed, authored, untraced story, from the start of tick.
    let a_p = pr.mis_attribution[0] * w_ro.pops.literacy[p];
    if a_p > 0.0 {
        for j in 0..q {
            if cnt[j].b > 0 && w_ro.stories.authored[j] && traced[j] == NOT_TRACED {
                let r = arng
                    .get_or_insert_with(|| stream(key, t, Purpose::StoryAttribution, blk as u64));
                if r.random::<f32>() < a_p {
                    traced[j] = t;
                    newly += 1;
                }
            }
        }
    }
    let lit = w_ro.pops.literacy[p];
    let online = pr.mis_offline_share + (1.0 - pr.mis_offline_share) * w_ro.pops.internet[p];
    let row = w_ro.ties.row(p);
    let sw = w_ro.ties.self_w[p];
    for j in 0..q {
        let own = frac[p * q + j];
        let (mut pi, mut phi) = (sw * own[0], sw * own[1]);
        for e in row.clone() {
            let f = frac[w_ro.ties.nbr[e] as usize * q + j];
            pi += w_ro.ties.w[e] * f[0];
            phi += w_ro.ties.w[e] * f[1];
        }
        // Summed in f32 inside; the round trip through f64 is exact.
        let (seed, correct, prebunk) = campaign_terms(w_ro, intensity, p, j);
        let (seed, correct, prebunk) = (seed as f32, correct as f32, prebunk as f32);
        let st = &w_ro.stories;
        let (beta, alpha) = (st.beta[j], st.plausibility[j]);
        let h_sb =
            (beta * online * pi * (1.0 + alpha) + seed) * (1.0 - pr.mis_literacy_protection * lit);
        // Motivated reasoning: a disliked target makes the story easier to believe.
        let h_sb = if pr.mis_motivated > 0.0 {
            let fav = w_ro.favourability(p, st.about[j] as usize);
            h_sb * (1.0 + pr.mis_motivated * (-fav).max(0.0))
        } else {
            h_sb
        } as f64;
        let h_sc = (beta * online * phi * (1.0 - alpha)) as f64;
        let h_sv = prebunk as f64;
        let c0 = cnt[j];
        // Everyone susceptible and no hazard out of S: nothing can move.
        if c0.b == 0 && c0.c == 0 && c0.v == 0 && h_sb + h_sc + h_sv <= 0.0 {
            continue;
        }
        let rng = rng.get_or_insert_with(|| stream(key, t, Purpose::Misinformation, blk as u64));
        // Exit hazards of empty compartments are never used: skip their logarithms.
        let (h_vb, h_vs) = if c0.v > 0 {
            let h_vb = h_sb * (1.0 - pr.mis_prebunk_efficacy as f64);
            (h_vb, hazard(pr.mis_prebunk_waning))
        } else {
            (0.0, 0.0)
        };
        let h_bc = if c0.b > 0 {
            hazard(st.verify[j] * lit) + correct as f64
        } else {
            0.0
        };
        let forget = if c0.b > 0 || c0.c > 0 {
            hazard(st.forget[j])
        } else {
            0.0
        };

        let [sb, sc, sv] = competing(c0.s, [h_sb, h_sc, h_sv], rng);
        let [vb, vc, vs] = competing(c0.v, [h_vb, h_sc, h_vs], rng);
        let [bc, bs] = competing(c0.b, [h_bc, forget], rng);
        let [cs] = competing(c0.c, [forget], rng);
        cnt[j] = Compartments {
            s: c0.s - sb - sc - sv + vs + bs + cs,
            b: c0.b - bc - bs + sb + vb,
            c: c0.c - cs + sc + vc + bc,
            v: c0.v - vb - vc - vs + sv,
        };
    }
    newly
}

/// Believing and fact-checked shares from the state at the start of the phase, so
/// neighbours read a consistent snapshot.
pub(super) fn shares(w: &World, s: &mut Scratch) {
    let q = w.stories.len();
    let counts = &w.stories.counts;
    let sizes = &w.pops.size;
    s.frac
        .par_chunks_mut(q)
        .enumerate()
        .with_min_len(super::task_size())
        .for_each(|(p, f)| {
            let n = sizes[p];
            for j in 0..q {
                let c = counts[p * q + j];
                f[j] = [(c.b as f64 / n) as f32, (c.c as f64 / n) as f32];
            }
        });
}

/// Belief in a story lowers trust and attitudes toward the actor it is about; a story
/// traced at tick `t` lowers the tracing audience's trust in its authors. `traced_now`:
/// whether any story is traced at `t` (never in the classic models, which do not trace).
fn harm(w: &mut World, t: u32, traced_now: bool) {
    let q = w.stories.len();
    // Harmless stories and none traced now: every update below would be x ⊕ (−0) = x.
    if w.stories.harm.iter().all(|&h| h == 0.0) && !traced_now {
        return;
    }
    let k = w.opinions.k;
    let h_t = w.params.mis_attribution[2];
    let mut o = std::mem::take(&mut w.opinions);
    let w_ro = &*w;
    super::par_rows(&mut o, |p, row| {
        let x = row.x;
        let n = w_ro.pops.size[p];
        for j in 0..q {
            if w_ro.stories.traced[p * q + j] == t {
                for_each_author(&w_ro.campaigns, j, |a| {
                    x[a * k] = push01(x[a * k], -h_t);
                });
            }
            let b = w_ro.stories.counts[p * q + j].b;
            if b == 0 {
                continue;
            }
            let d = -w_ro.stories.harm[j] * (b as f64 / n) as f32;
            let a = w_ro.stories.about[j] as usize;
            let blk = &mut x[a * k..(a + 1) * k];
            blk[0] = push01(blk[0], d);
            for v in &mut blk[1..] {
                *v = push11(*v, d);
            }
        }
    });
    w.opinions = o;
}

/// Stories traced at tick `t` cost their authors credibility in proportion to the people
/// of the tracing population: c_a ← c_a·(1 − c_T·N_p/N), in population order.
fn attribution_cost(w: &mut World, t: u32) {
    let q = w.stories.len();
    let cost = w.params.mis_attribution[1] as f64;
    let people: f64 = w.pops.size.iter().sum();
    let (camps, cred) = (&w.campaigns, &mut w.actors.credibility);
    for (i, &tick) in w.stories.traced.iter().enumerate() {
        if tick != t {
            continue;
        }
        let keep = 1.0 - cost * w.pops.size[i / q] / people;
        for_each_author(camps, i % q, |a| {
            cred[a] = ((cred[a] as f64 * keep) as f32).clamp(0.0, 1.0);
        });
    }
}
