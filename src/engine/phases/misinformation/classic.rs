//! Classic contagion models (`contagion_model`), with S, B, C read as the model's compartments and
//! the same exact competing-risks draw per tick from the state at the start of the tick.
//! An individual in p sees the others: its own group contributes W_pp·X_p/(N_p − 1)
//! (nothing when N_p = 1), a tie contributes W_pq·X_q/N_q. β = transmissibility.
//! - SIR (Kermack & McKendrick 1927): S→I  β[Σ_{q≠p} W_pq I_q/N_q + W_pp I_p/(N_p − 1)],
//!   I→R with probability γ = recovery. R₀ = β/γ; final size r = 1 − exp(−R₀ r).
//! - Maki & Thompson (1973): every spreader calls a contact drawn by W at rate β. An
//!   ignorant in p is called at rate β[Σ_{q≠p} W_qp B_q/N_p + W_pp B_p/(N_p − 1)]; a caller
//!   who reaches a spreader or stifler stops: β[Σ_{q≠p} W_pq (B_q + C_q)/N_q
//!   + W_pp (B_p − 1 + C_p)/(N_p − 1)].
//! - Daley & Kendall (1965): symmetric meetings, a pair from p and q (q ≠ p) meeting at
//!   rate κ_pq = β/2·(W_pq/N_q + W_qp/N_p), within p at κ_pp = β W_pp/(N_p − 1). Ignorant
//!   meets spreader → spreader; spreader meets stifler → the spreader stops; two spreaders
//!   meet → both stop. Each spreader–spreader pair is drawn once: within p the number of
//!   meetings is Bin(B_p(B_p − 1)/2, 1 − e^{−κ_pp}), across a tie Bin(B_p B_q, 1 − e^{−κ_pq})
//!   from a stream keyed by the pair, so both ends draw the same count; each meeting stops
//!   one spreader at each end (at most B_p per tick).
//!   Well mixed, both rumours leave θ = 0.2032 never reached, θ = e^{−2(1−θ)} (Sudbury 1985).
//! - Hoax (Tambuscio, Ruffo, Flammini & Menczer 2015), per-tick probabilities with b, c the
//!   believer and fact-checker shares seen as above:
//!   S→B f = β(1+α)b / ((1+α)b + (1−α)c),   S→C g = β(1−α)c / ((1+α)b + (1−α)c),
//!   B→S p_f,   B→C (1 − p_f) p_v,   C→S p_f   (p_v = verify, p_f = forget, α = plausibility).
//!   For one large population (N_p ≫ 1, no ties) this is the paper's mean-field map.
//!
//! Probabilities p_i of leaving by exit i become hazards h_i = p_i/Σp · (−ln(1 − Σp)), which
//! the competing-risks draw turns back into exactly those probabilities. Campaigns still act:
//! seeding adds to S→B, corrections to B→C, prebunking moves S→V (immune until it wanes).
//!
//! Per story the tie sums of population p are Σ_q W_pq X_q/N_q (pull, X = B or C) and
//! Σ_q W_qp X_q N_q/N_p (push, the callers' side); `push.rs` computes the same sums by
//! scattering from the populations that hold X. Both add each tie's terms through
//! `TieCtx::add`.

use super::draws::{binom, competing, hazard, hazards_of};
use super::{STREAM_BLOCK, campaign_terms};
use crate::engine::Scratch;
use crate::engine::phases::campaigns_of;
use crate::model::ContagionModel;
use crate::rng::{Purpose, stream};
use crate::world::{Compartments, World};
use rayon::prelude::*;

/// Sizes the buffers of the per-population draw (left empty until a tick needs them).
pub(super) fn ready(w: &World, s: &mut Scratch) {
    let (p, q) = (w.pops.len(), w.stories.len());
    if s.counts_next.len() != p * q {
        s.counts_next = vec![Compartments::default(); p * q];
        s.tie_sums = vec![TieSums::default(); p * q];
        s.exposed = vec![false; p];
    }
}

/// Marks the populations whose tie sums can be non-zero: those holding a believer and
/// their neighbours (and, in the hoax model, where S→C reads fact-checkers, those of
/// fact-checkers too). Everyone else sums only zeros, so `classic` skips their ties and
/// the result is the same; with few believers a tick costs O(n + their ties), not O(ties).
/// Also lists the sources the push formulation scatters from (`push::is_source`), in
/// increasing order. Sequential: the marking touches only the believers' rows. Returns the
/// tie entries in the marked rows (what the pull reads per story) and in the sources' rows
/// (what the push reads).
pub(super) fn mark_exposed(
    w: &World,
    exposed: &mut [bool],
    sources: &mut Vec<u32>,
) -> (usize, usize) {
    let q = w.stories.len();
    let model = w.params.contagion;
    let hoax = model == ContagionModel::Hoax;
    let ties = &w.ties;
    exposed.fill(false);
    sources.clear();
    let mut source_ties = 0;
    for (p, c) in w.stories.counts.chunks(q).enumerate() {
        if c.iter().any(|c| c.b > 0 || (hoax && c.c > 0)) {
            exposed[p] = true;
            for &r in &ties.nbr[ties.row(p)] {
                exposed[r as usize] = true;
            }
        }
        if c.iter().any(|c| super::push::is_source(model, c)) {
            sources.push(p as u32);
            source_ties += ties.row(p).len();
        }
    }
    let exposed_ties = (0..ties.len())
        .filter(|&p| exposed[p])
        .map(|p| ties.row(p).len())
        .sum();
    (exposed_ties, source_ties)
}

/// The sums over p's ties for one story (see the module docs): pull Σ W_pq X_q/N_q and
/// callers' side Σ W_qp X_q (divided by N_p where used), and the spreader–spreader meetings
/// across ties (Daley–Kendall).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TieSums {
    pub pull_b: f64,
    pub pull_c: f64,
    pub push_b: f64,
    pub push_c: f64,
    pub ss_across: u64,
}

/// What one tie's terms read: shared by the pull (`classic`) and the push (`push.rs`)
/// formulations, so both add bit for bit the same numbers.
pub(super) struct TieCtx<'a> {
    pub q: usize,
    pub model: ContagionModel,
    pub w: &'a World,
    /// Raw tie weights for per-contact SIR, else the row-stochastic W.
    pub weights: &'a [f32],
    pub frac: &'a [[f32; 2]],
    pub key: &'a [u8; 32],
    pub t: u32,
}

impl TieCtx<'_> {
    pub fn new<'a>(w: &'a World, frac: &'a [[f32; 2]], key: &'a [u8; 32], t: u32) -> TieCtx<'a> {
        let model = w.params.contagion;
        // Per-contact SIR sums raw tie weights (counts of infected contacts), not shares.
        let per_contact = model == ContagionModel::Sir && w.params.sir_per_contact;
        TieCtx {
            q: w.stories.len(),
            model,
            w,
            weights: if per_contact { &w.ties.raw } else { &w.ties.w },
            frac,
            key,
            t,
        }
    }

    /// Whether the model reads the callers' side (W_qp): Maki–Thompson and Daley–Kendall.
    pub fn callers(&self) -> bool {
        matches!(
            self.model,
            ContagionModel::MakiThompson | ContagionModel::DaleyKendall
        )
    }

    /// Adds the terms of the tie p ← r for story j: `e_pr` is the entry p→r, `e_rp` its
    /// mirror (read only by the models that need it). Neighbours holding no B and no C add
    /// nothing and are skipped by the caller.
    #[inline]
    pub fn add(
        &self,
        sums: &mut TieSums,
        p: usize,
        r: usize,
        e_pr: usize,
        e_rp: impl Fn() -> usize,
        j: usize,
    ) {
        let q = self.q;
        let [bq, cq] = self.frac[r * q + j];
        let wpq = self.weights[e_pr];
        sums.pull_b += (wpq * bq) as f64;
        sums.pull_c += (wpq * cq) as f64;
        if !self.callers() {
            return;
        }
        let ties = &self.w.ties;
        let sizes = &self.w.pops.size;
        let (wqp, nq) = (ties.w[e_rp()] as f64, sizes[r]);
        sums.push_b += wqp * bq as f64 * nq;
        sums.push_c += wqp * cq as f64 * nq;
        let old = &self.w.stories.counts;
        let bp = old[p * q + j].b;
        if self.model == ContagionModel::DaleyKendall && bp > 0 && bq > 0.0 {
            // Both ends compute the same κ from the same numbers and draw the pair's count
            // from the pair's own stream.
            let beta = self.w.stories.beta[j] as f64;
            let wpq = wpq as f64;
            let kappa = 0.5 * beta * (wpq / nq + wqp / sizes[p]);
            let (lo, hi) = (p.min(r) as u64, p.max(r) as u64);
            let mut prng = stream(self.key, self.t, Purpose::RumourMeeting, (lo << 28) | hi);
            let pairs = bp * old[r * q + j].b;
            sums.ss_across += binom(pairs, 1.0 - (-kappa).exp(), &mut prng);
        }
    }
}

/// The classic models: reads `w.stories.counts`, writes `s.counts_next`. With `pushed`,
/// the tie sums are those `push::scatter` left in `s.tie_sums`; else each exposed
/// population reads its row (pull).
pub(super) fn classic(w: &World, s: &mut Scratch, key: &[u8; 32], t: u32, pushed: bool) {
    let q = w.stories.len();
    let model = w.params.contagion;
    let (old, ties, st) = (&w.stories.counts, &w.ties, &w.stories);
    let sizes = &w.pops.size;
    let (intensity, mirror) = (&s.intensity, &s.mirror);
    let (frac, exposed, tie_sums) = (&s.frac, &s.exposed, &s.tie_sums);
    let ctx = TieCtx::new(w, &s.frac, key, t);
    let per_contact = model == ContagionModel::Sir && w.params.sir_per_contact;
    s.counts_next
        .par_chunks_mut(q * STREAM_BLOCK)
        .enumerate()
        .for_each(|(blk, chunk)| {
            let mut rng = stream(key, t, Purpose::Misinformation, blk as u64);
            for (i, cnt) in chunk.chunks_mut(q).enumerate() {
                let p = blk * STREAM_BLOCK + i;
                let n = sizes[p];
                // Share of the *other* members of p: the person considered is not its own contact.
                let others = |x: u64| if n > 1.0 { x as f64 / (n - 1.0) } else { 0.0 };
                let sw = if per_contact {
                    ties.self_raw[p] as f64
                } else {
                    ties.self_w[p] as f64
                };
                let no_campaign = campaigns_of(w, p).is_empty();
                for j in 0..q {
                    let c0 = old[p * q + j];
                    // Nothing can move: no believer in reach, no one to leave B, V (or C in
                    // the hoax, where fact-checkers forget), no campaign. Every draw below
                    // would be skipped (zero hazards use no randomness), so copy instead.
                    if !exposed[p]
                        && no_campaign
                        && c0.b == 0
                        && c0.v == 0
                        && (c0.c == 0 || model != ContagionModel::Hoax)
                    {
                        cnt[j] = c0;
                        continue;
                    }
                    let (beta, alpha) = (st.beta[j] as f64, st.plausibility[j] as f64);
                    let (seed, correct, prebunk) = campaign_terms(w, intensity, p, j);
                    // Pull sums over ties: Σ W_pq X_q/N_q; push sums: Σ W_qp X_q/N_p.
                    let mut sums = if pushed {
                        tie_sums[p * q + j]
                    } else {
                        TieSums::default()
                    };
                    let row = if exposed[p] && !pushed {
                        ties.row(p)
                    } else {
                        0..0
                    };
                    for e in row {
                        let r = ties.nbr[e] as usize;
                        if frac[r * q + j] == [0.0; 2] {
                            continue;
                        }
                        ctx.add(&mut sums, p, r, e, || mirror[e] as usize, j);
                    }
                    let TieSums {
                        pull_b,
                        pull_c,
                        mut push_b,
                        mut push_c,
                        ss_across,
                    } = sums;
                    // Push sums were Σ W_qp X_q; per member of p:
                    push_b /= n;
                    push_c /= n;
                    // Exit hazards of empty compartments are never used: skip their logarithms.
                    let h_vs = if c0.v > 0 {
                        hazard(w.params.mis_prebunk_waning)
                    } else {
                        0.0
                    };
                    let (h_sb, h_sc, h_bc, h_bs, h_cs, removed) = match model {
                        ContagionModel::Sir => {
                            let h = beta * (pull_b + sw * others(c0.b));
                            let h_ir = if c0.b > 0 {
                                hazard(st.recovery[j])
                            } else {
                                0.0
                            };
                            (h, 0.0, h_ir, 0.0, 0.0, 0)
                        }
                        ContagionModel::MakiThompson => {
                            let h_s = beta * (push_b + sw * others(c0.b));
                            let met = if c0.b > 0 {
                                others(c0.b - 1 + c0.c)
                            } else {
                                0.0
                            };
                            let h_b = beta * (pull_b + pull_c + sw * met);
                            (h_s, 0.0, h_b, 0.0, 0.0, 0)
                        }
                        ContagionModel::DaleyKendall => {
                            let k_pp = if n > 1.0 { beta * sw / (n - 1.0) } else { 0.0 };
                            let h_s = 0.5 * beta * (pull_b + push_b) + k_pp * c0.b as f64;
                            let h_b = 0.5 * beta * (pull_c + push_c) + k_pp * c0.c as f64;
                            let pairs = c0.b * c0.b.saturating_sub(1) / 2;
                            let within = binom(pairs, 1.0 - (-k_pp).exp(), &mut rng);
                            (h_s, 0.0, h_b, 0.0, 0.0, (2 * within + ss_across).min(c0.b))
                        }
                        ContagionModel::Hoax => {
                            let b = (1.0 + alpha) * (pull_b + sw * others(c0.b));
                            let c = (1.0 - alpha) * (pull_c + sw * others(c0.c));
                            let [f, g] = if b + c > 0.0 {
                                [beta * b / (b + c), beta * c / (b + c)]
                            } else {
                                [0.0, 0.0]
                            };
                            let [h_sb, h_sc] = if c0.s > 0 {
                                hazards_of([f, g])
                            } else {
                                [0.0; 2]
                            };
                            let (pf, pv) = (st.forget[j] as f64, st.verify[j] as f64);
                            let [h_bs, h_bc] = if c0.b > 0 {
                                hazards_of([pf, (1.0 - pf) * pv])
                            } else {
                                [0.0; 2]
                            };
                            let h_cs = if c0.c > 0 { hazards_of([pf])[0] } else { 0.0 };
                            (h_sb, h_sc, h_bc, h_bs, h_cs, 0)
                        }
                        ContagionModel::Softpower => unreachable!("handled by run"),
                    };
                    let [sb, sc, sv] = competing(c0.s, [h_sb + seed, h_sc, prebunk], &mut rng);
                    let [vs] = competing(c0.v, [h_vs], &mut rng);
                    let [bc, bs] = competing(c0.b - removed, [h_bc + correct, h_bs], &mut rng);
                    let [cs] = competing(c0.c, [h_cs], &mut rng);
                    cnt[j] = Compartments {
                        s: c0.s - sb - sc - sv + vs + bs + cs,
                        b: c0.b - removed - bc - bs + sb,
                        c: c0.c - cs + sc + bc + removed,
                        v: c0.v - vs + sv,
                    };
                }
            }
        });
}

#[cfg(test)]
mod tests {
    use super::super::shares;
    use super::*;

    /// Skipping the ties of people with no believer in reach (and copying populations
    /// where nothing can move) gives exactly what a full scan of every row gives.
    #[test]
    fn skipping_unexposed_rows_changes_nothing() {
        use crate::engine::Engine;
        use crate::world::testkit::world;
        for model in ["sir", "maki_thompson", "daley_kendall", "hoax"] {
            let extra = if model == "sir" {
                "recovery = 0.2\n"
            } else {
                ""
            };
            let text = format!(
                "[scenario]\nname = \"t\"\nseed = 5\nticks = 1\n[model]\ncontagion_model = \"{model}\"\n\
                 self_weight = 0.5\n[[actor]]\nid = \"a\"\n[[population]]\nid = \"crowd\"\nsize = 300\n\
                 [[generate]]\nprefix = \"n\"\ncount = 600\ngraph = {{ model = \"watts_strogatz\", k = 4, p = 0.1 }}\n\
                 [[tie]]\nbetween = [\"crowd\", \"n_0\"]\n\
                 [[story]]\nid = \"s\"\nabout = \"a\"\ntransmissibility = 0.6\ninitial_share = 0.01\n{extra}"
            );
            let mut skip = Engine::new(world(&text));
            let mut full = skip.clone();
            for t in 0..60 {
                for (e, full_scan) in [(&mut skip, false), (&mut full, true)] {
                    ready(&e.world, &mut e.scratch);
                    shares(&e.world, &mut e.scratch);
                    let sc = &mut e.scratch;
                    mark_exposed(&e.world, &mut sc.exposed, &mut sc.sources);
                    if full_scan {
                        e.scratch.exposed.fill(true);
                    }
                    classic(&e.world, &mut e.scratch, &e.key, t, false);
                    std::mem::swap(&mut e.world.stories.counts, &mut e.scratch.counts_next);
                }
                assert_eq!(
                    skip.world.stories.counts, full.world.stories.counts,
                    "{model} tick {t}"
                );
            }
            let ever: u64 = skip.world.stories.counts.iter().map(|c| c.b + c.c).sum();
            assert!(ever > 20, "{model}: the story should spread ({ever})");
        }
    }
}
