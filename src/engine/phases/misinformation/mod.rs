//! Misinformation phase: false stories spread as a contagion over social ties.
//!
//! Compartments per (population, story): S susceptible, B believing, C fact-checked
//! (debunked, and spreading the debunk), V prebunked (inoculated). Mass is conserved:
//! S + B + C + V = population size, always. Exposure to believers is the W-weighted
//! believer share π_p = Σ_q W_pq B_q/N_q (W the row-stochastic social-influence matrix,
//! self included), and likewise φ_p for fact-checkers. With online reach
//! ρ_p = o + (1 − o)·internet_p, plausibility α, transmissibility β, literacy λ_p and
//! literacy protection θ, the per-tick hazards are:
//!   S→B: (β·ρ·π·(1+α) + seeding)·(1 − θ·λ)      S→C: β·ρ·φ·(1−α)      S→V: prebunking
//!   V→B: S→B hazard × (1 − prebunk efficacy)      V→C: as S→C           V→S: −ln(1 − waning)
//!   B→C: −ln(1 − verify·λ) + corrections          B→S: −ln(1 − forget)
//!   C→S: −ln(1 − forget)
//! The (1 ± α) tilt follows Tambuscio, Ruffo, Flammini & Menczer (2015). Competing hazards
//! leave each compartment by the exact draw of `draws.rs`, so a population of one behaves
//! as one person. Belief then harms the story's target: trust and every attitude toward
//! it move by −harm·B/N per tick.
//!
//! The classic models (`contagion_model`: SIR, Maki–Thompson, Daley–Kendall, hoax) are in
//! `classic.rs`, their push formulation in `push.rs`.

mod classic;
mod draws;
mod push;

pub use classic::TieSums;

use super::{campaigns_of, exposure, push01, push11};
use crate::engine::Scratch;
use crate::model::{ContagionModel, Instrument};
use crate::rng::{Purpose, stream};
use crate::world::{Compartments, World};
use draws::{competing, hazard};
use rayon::prelude::*;

/// Campaign hazards for story `j` in population `p`: (seeding, corrections, prebunking).
pub(super) fn campaign_terms(w: &World, intensity: &[f32], p: usize, j: usize) -> (f64, f64, f64) {
    let pr = &w.params;
    let (mut seed, mut correct, mut prebunk) = (0.0f32, 0.0f32, 0.0f32);
    for &ci in campaigns_of(w, p) {
        let c = &w.campaigns[ci as usize];
        let inten = intensity[ci as usize];
        if c.story as usize != j || inten <= 0.0 {
            continue;
        }
        let e = exposure(w, c.actor as usize, c.channel, p, inten);
        match c.instrument {
            Instrument::Misinformation => seed += pr.mis_seed_rate * e,
            Instrument::FactCheck => correct += pr.mis_correction_rate * e,
            Instrument::Prebunk => prebunk += pr.mis_prebunk_rate * e,
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
        shares(w, s);
        let (exposed, sources) = classic::mark_exposed(w, &mut s.exposed, &mut s.sources);
        let pushed = s.contagion_push.unwrap_or(push::choose(exposed, sources));
        if pushed {
            push::scatter(w, s, key, t);
        }
        s.contagion_tie_visits += (if pushed { sources } else { exposed } * q) as u64;
        classic::classic(w, s, key, t, pushed);
        std::mem::swap(&mut w.stories.counts, &mut s.counts_next);
        harm(w);
        return;
    }
    shares(w, s);

    let mut counts = std::mem::take(&mut w.stories.counts);
    let w_ro = &*w;
    let frac = &s.frac;
    let intensity = &s.intensity;
    // One stream per fixed block of populations: a ChaCha set-up per population cost more
    // than its draws, and fixed blocks keep the draws independent of the thread count.
    // The stream is set up at the block's first draw: zero hazards draw nothing.
    counts
        .par_chunks_mut(q * STREAM_BLOCK)
        .enumerate()
        .for_each(|(blk, block)| {
            let mut rng = None;
            for (i, cnt) in block.chunks_mut(q).enumerate() {
                let p = blk * STREAM_BLOCK + i;
                population(w_ro, frac, intensity, key, t, (blk, &mut rng), p, cnt);
            }
        });
    w.stories.counts = counts;
    harm(w);
}

/// Populations per random stream (both the soft-power and the classic models).
pub(super) const STREAM_BLOCK: usize = 1024;

/// One population's transitions in the soft-power model; `(blk, rng)` are its block and
/// the block's stream, set up at the block's first draw.
#[allow(clippy::too_many_arguments)]
#[inline]
fn population(
    w_ro: &World,
    frac: &[[f32; 2]],
    intensity: &[f32],
    key: &[u8; 32],
    t: u32,
    (blk, rng): (usize, &mut Option<rand_chacha::ChaCha8Rng>),
    p: usize,
    cnt: &mut [Compartments],
) {
    let q = w_ro.stories.len();
    let pr = &w_ro.params;
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
        let h_sb = ((beta * online * pi * (1.0 + alpha) + seed)
            * (1.0 - pr.mis_literacy_protection * lit)) as f64;
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

/// Belief in a story lowers trust and attitudes toward the actor it is about.
fn harm(w: &mut World) {
    let q = w.stories.len();
    let k = w.opinions.k;
    let mut o = std::mem::take(&mut w.opinions);
    let w_ro = &*w;
    super::par_rows(&mut o, |p, row| {
        let x = row.x;
        let n = w_ro.pops.size[p];
        for j in 0..q {
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
