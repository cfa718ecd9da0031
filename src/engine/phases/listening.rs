//! Listening phase, and the adaptive rules that read what it hears (docs/MODEL.md 3.10).
//!
//! A listening campaign ℓ of actor a, active at tick t, measures for each of its audiences
//! g (one per `targets` entry) and metrics m (value v_p of population p: favourability
//! F_px, familiarity, trust toward actor x, or the believing share b_p of a story about x):
//!   y_gm(t) = Σ_{p∈g} ω_p v_p / Σ_{p∈g} ω_p,
//! with weights ω_p = N_p on broadcast (a poll: people-weighted, unbiased) and
//!   ω_p = N_p · ι_p · (1 + γ·o_p),   o_p = |F_px|   (outrage: attitude extremity toward x)
//! on digital (online listening hears the online, and the outraged louder; γ =
//! `monitoring.outrage_weight`). The estimate seen at the end of tick t is the measure of
//! L ticks before plus sampling noise of n respondents:
//!   ê_gm(t) = y_gm(t − L) + ε,   ε ~ N(0, σ_L² / n),   n = max(1, S_ℓ / (|G| · κ^L_ch)),
//! σ_L = `monitoring.spread`, κ^L_ch = `monitoring.cost_<channel>` per respondent; ε is drawn
//! from the stream (seed, t, Listening, slot), so estimates do not depend on threads.
//!
//! Adaptive rules of a campaign k (read at the start of each tick, from estimates only):
//! - stop: once the mean of ê_g over k's audiences is ≥ target (`direction = "above"`;
//!   ≤ for "below"), k stops for good and spends nothing more;
//! - shift: every `window` ticks after its start, the estimated gain per unit spent of each
//!   audience over the window, discounted by z standard errors of the difference of two
//!   estimates (the listener knows its margin of error, SE = σ_L √(2/n)):
//!   G_g = (σ·(ê_g − ê_g^last) − z·SE) / Σ_window S_g   (σ = −1 for "below"),
//!   picks g* = argmax G_g (first on ties) and, if G_g* > 0, moves the shares by step η:
//!   s_g* ← s_g* + η(1 − s_g*), s_g ← (1 − η) s_g otherwise. Shares start at N_g / N_k
//!   (the spread of a campaign without rules) and always sum to 1, so the campaign spends
//!   S_g = s_g S_k on audience g, never more than S_k in all; its intensity on g is
//!   I_g = 1 − exp(−S_g / (κ_ch N_g / 10⁶)).

use super::budget::media_intensity;
use crate::engine::Scratch;
use crate::model::{Channel, Crossing, ListenMetric};
use crate::rng::{self, Purpose};
use crate::world::World;
use crate::world::listen::{Heard, NONE, Spent};
use rand_distr::{Distribution, StandardNormal};

/// Online weight of a population: N·ι·(1 + γ·o).
#[inline]
pub fn online_weight(size: f64, internet: f32, outrage: f32, gamma: f32) -> f64 {
    size * internet as f64 * (1.0 + (gamma * outrage) as f64)
}

/// Respondents per audience per tick: n = max(1, S / (|G| κ)).
#[inline]
pub fn respondents(spend: f64, audiences: usize, cost: f64) -> f64 {
    (spend / (audiences.max(1) as f64 * cost)).max(1.0)
}

/// Value of `metric` about `about` in population `p`, and its outrage o_p.
fn value(w: &World, metric: ListenMetric, about: u32, p: usize) -> (f64, f32) {
    let (v, x) = match metric {
        ListenMetric::Favourability => (w.favourability(p, about as usize), about),
        ListenMetric::Familiarity => (
            w.opinions.familiarity[p * w.actors.len() + about as usize],
            about,
        ),
        ListenMetric::Trust => (w.opinions.trust(p, about as usize), about),
        ListenMetric::Believing => {
            let c = w.stories.counts[p * w.stories.len() + about as usize];
            let n = c.total();
            let b = if n > 0 { c.b as f32 / n as f32 } else { 0.0 };
            (b, w.stories.about[about as usize])
        }
    };
    (v as f64, w.favourability(p, x as usize).abs())
}

/// Measures every active listening campaign at the end of tick `t` and shows each its
/// estimates of L ticks before.
pub fn run(w: &mut World, key: &[u8; 32], t: u32) {
    let gamma = w.params.listen_outrage;
    let spread = w.params.listen_spread as f64;
    for si in 0..w.listen.slots.len() {
        let slot = w.listen.slots[si];
        let c = &w.campaigns[slot.campaign as usize];
        let Some(spec) = &c.listen else { continue };
        let (metric, about) = spec.metrics[slot.metric as usize];
        let lag = spec.lag;
        let len = lag + 1;
        let off = w.listen.ring_off[si] as usize;
        let (mut truth, mut people) = (0.0, 0.0);
        if c.active(t) {
            let (mut num, mut den) = (0.0, 0.0);
            for &p in &c.audiences[slot.audience as usize].1 {
                let p = p as usize;
                let (v, o) = value(w, metric, about, p);
                let n = w.pops.size[p];
                truth += n * v;
                people += n;
                let omega = match c.channel {
                    Channel::Broadcast => n,
                    Channel::Digital => online_weight(n, w.pops.internet[p], o, gamma),
                };
                num += omega * v;
                den += omega;
            }
            let r = off + (t % len) as usize;
            if den > 0.0 {
                w.listen.ring[r] = num / den;
                w.listen.ring_tick[r] = t;
            }
        }
        let Some(then) = t.checked_sub(lag) else {
            continue;
        };
        let r = off + (then % len) as usize;
        if w.listen.ring_tick[r] != then {
            continue;
        }
        let n = respondents(
            c.spend,
            c.audiences.len(),
            w.params.listen_cost[c.channel.index()],
        );
        let z: f64 = StandardNormal.sample(&mut rng::stream(key, t, Purpose::Listening, si as u64));
        let estimate = w.listen.ring[r] + spread / n.sqrt() * z;
        w.listen.estimate[si] = estimate;
        if !c.active(t) {
            // The true value of an audience no longer measured still counts in the log.
            for &p in &c.audiences[slot.audience as usize].1 {
                let p = p as usize;
                truth += w.pops.size[p] * value(w, metric, about, p).0;
                people += w.pops.size[p];
            }
        }
        w.listen.heard.push(Heard {
            tick: t,
            slot: si as u32,
            estimate,
            truth: if people > 0.0 { truth / people } else { 0.0 },
        });
    }
}

/// The adaptive rules at the start of tick `t`: stops, and reallocations every window.
pub fn decide(w: &mut World, t: u32) {
    let l = &mut w.listen;
    for a in l.adaptive.iter_mut() {
        let c = &w.campaigns[a.campaign as usize];
        let Some(rule) = &c.adapt else { continue };
        if a.stopped.is_some() || !c.active(t) {
            continue;
        }
        let est = |g: usize| match a.slot_of[g] {
            NONE => f64::NAN,
            s => l.estimate[s as usize],
        };
        let n = a.slot_of.len();
        let sign = match rule.direction {
            Crossing::Above => 1.0,
            Crossing::Below => -1.0,
        };
        if let Some(target) = rule.stop {
            let mean = (0..n).map(est).sum::<f64>() / n as f64;
            // NaN (no estimate yet) never crosses.
            if sign * (mean - target as f64) >= 0.0 {
                a.stopped = Some(t);
                continue;
            }
        }
        let Some((k, eta, z)) = rule.shift else {
            continue;
        };
        let elapsed = t - c.start;
        if elapsed == 0 || !elapsed.is_multiple_of(k) {
            if elapsed == 0 {
                for g in 0..n {
                    a.base[g] = est(g);
                }
            }
            continue;
        }
        let listener = &w.campaigns[rule.listener as usize];
        let n_resp = respondents(
            listener.spend,
            listener.audiences.len(),
            w.params.listen_cost[listener.channel.index()],
        );
        let margin = z as f64 * w.params.listen_spread as f64 * (2.0 / n_resp).sqrt();
        let mut best: Option<(usize, f64)> = None;
        for g in 0..n {
            let (e, b, s) = (est(g), a.base[g], a.window_spend[g]);
            if !(e.is_finite() && b.is_finite() && s > 0.0) {
                best = None;
                break;
            }
            let gain = (sign * (e - b) - margin) / s;
            if best.is_none_or(|(_, x)| gain > x) {
                best = Some((g, gain));
            }
        }
        // Money moves only toward a gain the listener can tell from its own noise.
        if let Some((g_star, gain)) = best
            && gain > 0.0
        {
            let eta = eta as f64;
            for (g, s) in a.share.iter_mut().enumerate() {
                *s = if g == g_star {
                    *s + eta * (1.0 - *s)
                } else {
                    (1.0 - eta) * *s
                };
            }
        }
        for g in 0..n {
            a.base[g] = est(g);
            a.window_spend[g] = 0.0;
        }
    }
}

/// After the budget phase: each adaptive campaign's spend per audience and, for those that
/// shift spend, its intensity per audience; both recorded.
pub fn allocate(w: &mut World, s: &Scratch, t: u32) {
    let l = &mut w.listen;
    for (ai, a) in l.adaptive.iter_mut().enumerate() {
        let ci = a.campaign as usize;
        let c = &w.campaigns[ci];
        if !c.active(t) {
            continue;
        }
        let on = s.active[ci];
        let cost = w.params.msg_cost[c.channel.index()];
        for g in 0..a.share.len() {
            let spend = if on { c.spend * a.share[g] } else { 0.0 };
            a.window_spend[g] += spend;
            a.intensity[g] = media_intensity(spend, cost, a.people[g]);
            l.spent.push(Spent {
                tick: t,
                adaptive: ai as u32,
                audience: g as u32,
                spend,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn online_weight_grows_with_access_and_outrage() {
        assert_eq!(online_weight(100.0, 0.0, 1.0, 3.0), 0.0);
        assert_eq!(online_weight(100.0, 0.5, 0.0, 3.0), 50.0);
        assert_eq!(online_weight(100.0, 0.5, 1.0, 3.0), 200.0);
    }

    #[test]
    fn more_spend_buys_more_respondents_but_never_fewer_than_one() {
        assert_eq!(respondents(1.0, 2, 0.001), 500.0);
        assert_eq!(respondents(0.0, 2, 0.001), 1.0);
    }
}
