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
//! h_i leave a compartment of n people with n_out ~ Bin(n, 1 − e^{−Σh}), split among the
//! destinations by sequential binomials in proportion to h_i: exact for any size, so a
//! population of one behaves as one person. Belief then harms the story's target: trust
//! and every attitude toward it move by −harm·B/N per tick.
//!
//! Classic models (`contagion_model`), with S, B, C read as the model's compartments and
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

use super::{campaigns_of, exposure, push01, push11};
use crate::engine::Scratch;
use crate::model::{ContagionModel, Instrument};
use crate::rng::{Purpose, stream};
use crate::world::{Compartments, World};
use rand::Rng;
use rand_distr::{Binomial, Distribution};
use rayon::prelude::*;

#[inline]
fn binom<R: Rng>(n: u64, p: f64, r: &mut R) -> u64 {
    if n == 0 || p <= 0.0 {
        0
    } else if p >= 1.0 {
        n
    } else if n == 1 {
        // One person (the classic models' case): a Bernoulli draw, without the set-up.
        u64::from(r.random::<f64>() < p)
    } else {
        Binomial::new(n, p).map_or(0, |d| d.sample(r))
    }
}

/// Splits `n` people among competing hazards; returns how many take each exit.
#[inline]
pub fn competing<R: Rng, const E: usize>(n: u64, h: [f64; E], r: &mut R) -> [u64; E] {
    let mut out = [0u64; E];
    let total: f64 = h.iter().sum();
    if n == 0 || total <= 0.0 {
        return out;
    }
    let mut left = binom(n, 1.0 - (-total).exp(), r);
    let mut rest = total;
    for i in 0..E {
        if left == 0 {
            break;
        }
        if i + 1 == E {
            out[i] = left;
            break;
        }
        let take = binom(left, h[i] / rest, r);
        out[i] = take;
        left -= take;
        rest -= h[i];
    }
    out
}

fn hazard(prob: f32) -> f64 {
    -(1.0 - (prob as f64).min(1.0 - 1e-12)).ln()
}

/// Hazards whose competing-risks draw leaves by exit i with exactly probability p_i.
pub fn hazards_of<const E: usize>(p: [f64; E]) -> [f64; E] {
    let total: f64 = p.iter().sum();
    if total <= 0.0 {
        return [0.0; E];
    }
    let h = -(1.0 - total.min(1.0 - 1e-12)).ln();
    p.map(|x| h * x / total)
}

/// Campaign hazards for story `j` in population `p`: (seeding, corrections, prebunking).
fn campaign_terms(w: &World, intensity: &[f32], p: usize, j: usize) -> (f64, f64, f64) {
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
        s.contagion_tie_visits += (mark_exposed(w, &mut s.exposed) * q) as u64;
        classic(w, s, key, t);
        std::mem::swap(&mut w.stories.counts, &mut s.counts_next);
        harm(w);
        return;
    }
    shares(w, s);

    let mut counts = std::mem::take(&mut w.stories.counts);
    let w_ro = &*w;
    let pr = &w_ro.params;
    let (fb, fc) = (&s.frac_b, &s.frac_c);
    let intensity = &s.intensity;
    counts
        .par_chunks_mut(q)
        .enumerate()
        .with_min_len(super::task_size())
        .for_each(|(p, cnt)| {
            // The stream is set up only when a draw is due: zero hazards draw nothing, so
            // populations where nothing can move skip it and the results are unchanged.
            let mut rng = None;
            let lit = w_ro.pops.literacy[p];
            let online =
                pr.mis_offline_share + (1.0 - pr.mis_offline_share) * w_ro.pops.internet[p];
            let row = w_ro.ties.row(p);
            let sw = w_ro.ties.self_w[p];
            for j in 0..q {
                let (mut pi, mut phi) = (sw * fb[p * q + j], sw * fc[p * q + j]);
                for e in row.clone() {
                    let nb = w_ro.ties.nbr[e] as usize * q + j;
                    pi += w_ro.ties.w[e] * fb[nb];
                    phi += w_ro.ties.w[e] * fc[nb];
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
                let rng =
                    rng.get_or_insert_with(|| stream(key, t, Purpose::Misinformation, p as u64));
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
        });
    w.stories.counts = counts;
    harm(w);
}

/// Believing and fact-checked shares from the state at the start of the phase, so
/// neighbours read a consistent snapshot.
fn shares(w: &World, s: &mut Scratch) {
    let q = w.stories.len();
    let counts = &w.stories.counts;
    let sizes = &w.pops.size;
    s.frac_b
        .par_chunks_mut(q)
        .zip(s.frac_c.par_chunks_mut(q))
        .enumerate()
        .with_min_len(super::task_size())
        .for_each(|(p, (fb, fc))| {
            let n = sizes[p];
            for j in 0..q {
                let c = counts[p * q + j];
                fb[j] = (c.b as f64 / n) as f32;
                fc[j] = (c.c as f64 / n) as f32;
            }
        });
}

/// Populations per random stream in the classic models: setting up a ChaCha stream per
/// population costs more than its transitions; fixed blocks keep draws thread-independent.
const CLASSIC_BLOCK: usize = 1024;

/// Marks the populations whose tie sums can be non-zero: those holding a believer and
/// their neighbours (and, in the hoax model, where S→C reads fact-checkers, those of
/// fact-checkers too). Everyone else sums only zeros, so `classic` skips their ties and
/// the result is the same; with few believers a tick costs O(n + their ties), not O(ties).
/// Sequential: the marking touches only the believers' rows. Returns the tie entries in
/// the marked rows (what `classic` reads per story).
fn mark_exposed(w: &World, exposed: &mut [bool]) -> usize {
    let q = w.stories.len();
    let hoax = w.params.contagion == ContagionModel::Hoax;
    exposed.fill(false);
    for (p, c) in w.stories.counts.chunks(q).enumerate() {
        if c.iter().any(|c| c.b > 0 || (hoax && c.c > 0)) {
            exposed[p] = true;
            for &r in &w.ties.nbr[w.ties.row(p)] {
                exposed[r as usize] = true;
            }
        }
    }
    let ties = &w.ties;
    (0..ties.len())
        .filter(|&p| exposed[p])
        .map(|p| ties.row(p).len())
        .sum()
}

/// The classic models: reads `w.stories.counts`, writes `s.counts_next`.
fn classic(w: &World, s: &mut Scratch, key: &[u8; 32], t: u32) {
    let q = w.stories.len();
    let model = w.params.contagion;
    let (old, ties, st) = (&w.stories.counts, &w.ties, &w.stories);
    let sizes = &w.pops.size;
    let (intensity, mirror) = (&s.intensity, &s.mirror);
    let (fb, fc, exposed) = (&s.frac_b, &s.frac_c, &s.exposed);
    // Per-contact SIR sums raw tie weights (counts of infected contacts), not shares.
    let per_contact = model == ContagionModel::Sir && w.params.sir_per_contact;
    let weights = if per_contact { &ties.raw } else { &ties.w };
    s.counts_next
        .par_chunks_mut(q * CLASSIC_BLOCK)
        .enumerate()
        .for_each(|(blk, chunk)| {
            let mut rng = stream(key, t, Purpose::Misinformation, blk as u64);
            for (i, cnt) in chunk.chunks_mut(q).enumerate() {
                let p = blk * CLASSIC_BLOCK + i;
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
                    let (mut pull_b, mut pull_c, mut push_b, mut push_c) = (0.0, 0.0, 0.0, 0.0);
                    let mut ss_across = 0u64;
                    let row = if exposed[p] { ties.row(p) } else { 0..0 };
                    for e in row {
                        let r = ties.nbr[e] as usize;
                        let (bq, cq) = (fb[r * q + j], fc[r * q + j]);
                        if bq == 0.0 && cq == 0.0 {
                            continue;
                        }
                        let wpq = weights[e];
                        pull_b += (wpq * bq) as f64;
                        pull_c += (wpq * cq) as f64;
                        if mirror.is_empty() {
                            continue;
                        }
                        let (wqp, nq) = (ties.w[mirror[e] as usize] as f64, sizes[r]);
                        push_b += wqp * bq as f64 * nq;
                        push_c += wqp * cq as f64 * nq;
                        if model == ContagionModel::DaleyKendall && c0.b > 0 && bq > 0.0 {
                            // Both ends compute the same κ from the same numbers and draw the
                            // pair's count from the pair's own stream.
                            let wpq = wpq as f64;
                            let kappa = 0.5 * beta * (wpq / nq + wqp / n);
                            let (lo, hi) = (p.min(r) as u64, p.max(r) as u64);
                            let mut prng = stream(key, t, Purpose::RumourMeeting, (lo << 28) | hi);
                            let pairs = c0.b * old[r * q + j].b;
                            ss_across += binom(pairs, 1.0 - (-kappa).exp(), &mut prng);
                        }
                    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

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
                    shares(&e.world, &mut e.scratch);
                    mark_exposed(&e.world, &mut e.scratch.exposed);
                    if full_scan {
                        e.scratch.exposed.fill(true);
                    }
                    classic(&e.world, &mut e.scratch, &e.key, t);
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

    #[test]
    fn competing_conserves_and_matches_expectation() {
        let mut r = ChaCha8Rng::seed_from_u64(9);
        let (n, h) = (100_000u64, [0.2, 0.1, 0.0]);
        let mut sums = [0f64; 3];
        let reps = 200;
        for _ in 0..reps {
            let out = competing(n, h, &mut r);
            assert!(out.iter().sum::<u64>() <= n);
            assert_eq!(out[2], 0);
            for i in 0..3 {
                sums[i] += out[i] as f64;
            }
        }
        let leave = 1.0 - (-0.3f64).exp();
        let expect0 = n as f64 * leave * 2.0 / 3.0;
        let mean0 = sums[0] / reps as f64;
        // sd of one draw ~ sqrt(n p q) ~ 115; of the mean over 200 draws ~ 8.2; allow 6 sd.
        assert!((mean0 - expect0).abs() < 50.0, "{mean0} vs {expect0}");
    }
}
