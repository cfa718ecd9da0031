//! Exact phase skips: a phase is not run when every value it writes would come back bit for
//! bit. Only the two conditions below are used; each follows from IEEE 754 round-to-nearest
//! arithmetic on finite values (x − x = +0, δ·(+0) = +0 for finite δ ≥ 0, v + (+0) = v for
//! v ≠ −0, (+0) + (+0) = +0, ±0 + u = u for u ≠ ±0 and (±0) + (+0) = +0).
//!
//! Social influence, Friedkin–Johnsen without bad buzz (`social.rs`): every value becomes
//!   settle(clamp((1 − s_p)·(w_p x_p + Σ_q W_pq x_q) + s_p·u_p, −1, 1)),
//! after word of mouth F_p ← F_p + μ_F Σ_q W_pq max(0, F_q − F_p), which the phase itself
//! skips when μ_F = 0 or every population knows each actor equally. Nothing moves when
//!   (A) every x and every anchor u is +0: each product of a finite weight ≥ 0 with +0 is
//!       +0, so the sum, (1 − s)·(+0) + s·(+0), the clamp and the floor are all +0; or
//!   (B) every population is fully stubborn (s_p = 1) and x = u bit for bit, u in [−1, 1],
//!       u ≠ −0 and settle(u) = u: (1 − 1)·acc = ±0 for the finite acc, ±0 + 1·u = u.
//! A uniform column c ≠ 0 is *not* a fixed point in floats: Σ_q W_pq c differs from c in
//! the last bits (the 0.4 trust of a scenario drifts to 0.3999957), so it is not skipped.
//!
//! Forgetting (`forgetting.rs`) with δ_u = 0: F ← settle(F + δ_F(F⁰ − F)),
//! x ← settle(x + δ_A(u − x)), c ← settle(c + r(c₀ − c)). When each value equals its target
//! bit for bit, is not −0 and is settled (+0 or |v| ≥ FLOOR), every step returns it
//! unchanged. (With δ_F = δ_A = 0 the opinion pass is not run at all; only credibility
//! matters then.)
//!
//! The checks cost one linear pass over the values, against the phases' pass over ties.
//! The engine does not repeat a check that held while no phase has run that could write
//! what it reads (`quiet`): opinions, anchors, familiarity and its base, credibility and
//! salience. A quiet phase writes none of them, so every proof above still stands; so do
//! the actor statistics recorded from them (`metrics::Recorder`).

use super::settle;
use crate::engine::{Phase, Scratch};
use crate::model::ContagionModel;
use crate::world::{Shock, SocialRule, World};
use rayon::prelude::*;

/// Chunk of values per rayon task in the scans below.
const SCAN_CHUNK: usize = 1 << 14;

/// Whether running `phase` on `w` now would provably leave every value it writes as it is
/// (see the module docs); the engine then does not run it.
pub fn unchanged(w: &World, phase: Phase) -> bool {
    match phase {
        Phase::SocialInfluence => social_is_fixed(w),
        Phase::Forgetting => forgetting_is_fixed(w),
        _ => false,
    }
}

/// Whether running `phase` at tick `t` (after the budget phase of `t`) provably writes no
/// opinion, anchor, familiarity, familiarity base, credibility or salience.
pub fn quiet(w: &World, s: &Scratch, phase: Phase, t: u32) -> bool {
    match phase {
        // Spend and intensities, stances and decisions, listening records only.
        Phase::Budget | Phase::Diplomacy | Phase::Listening => true,
        Phase::Events => !w.shocks.iter().any(|sh| match sh {
            Shock::Scandal { tick, .. } => *tick == t,
            Shock::Crisis { tick, end, .. } => *tick == t || *end == t,
        }),
        // Every write is per active campaign (reactance's credibility update runs over all
        // campaigns, so only with none at all).
        Phase::Messaging | Phase::Exchanges | Phase::Propaganda => {
            !s.active.iter().any(|&on| on)
                && (phase != Phase::Messaging
                    || w.params.msg_reactance.is_none()
                    || w.campaigns.is_empty())
        }
        // The classic models write counts only, and opinions through harm (none when every
        // story is harmless: they never trace stories to authors).
        Phase::Misinformation => {
            w.stories.is_empty()
                || (w.params.contagion != ContagionModel::Softpower
                    && w.stories.harm.iter().all(|&h| h == 0.0))
        }
        Phase::SocialInfluence | Phase::Forgetting => false,
    }
}

/// v is returned bit for bit by v + (+0) and by `settle`, and lies in [−1, 1].
#[inline]
fn plain(v: f32) -> bool {
    v.to_bits() != (-0.0f32).to_bits() && settle(v).to_bits() == v.to_bits() && v.abs() <= 1.0
}

/// All pairs (a[i], b[i]) satisfy `f`, scanned in parallel chunks.
fn all_pairs(a: &[f32], b: &[f32], f: impl Fn(f32, f32) -> bool + Sync) -> bool {
    a.len() == b.len()
        && a.par_chunks(SCAN_CHUNK)
            .zip(b.par_chunks(SCAN_CHUNK))
            .all(|(a, b)| a.iter().zip(b).all(|(&x, &y)| f(x, y)))
}

fn social_is_fixed(w: &World) -> bool {
    let o = &w.opinions;
    if w.params.social != SocialRule::FriedkinJohnsen || w.params.negativity_bias != 0.0 {
        return false;
    }
    let a = o.actors;
    let f = &o.familiarity;
    // Word of mouth moves nothing where every population knows each actor equally.
    let mouth_still = w.params.word_of_mouth == 0.0
        || (0..a).all(|j| f.iter().skip(j).step_by(a).all(|&v| v == f[j]));
    if !mouth_still {
        return false;
    }
    let zero = 0.0f32.to_bits();
    // (A): every value and anchor +0.
    if all_pairs(&o.x, &o.anchor, |x, u| {
        x.to_bits() == zero && u.to_bits() == zero
    }) {
        return true;
    }
    // (B): everyone fully stubborn, at the anchor.
    let r = o.row();
    w.pops.stubbornness.iter().all(|&s| s == 1.0)
        && r > 0
        && all_pairs(&o.x, &o.anchor, |x, u| {
            x.to_bits() == u.to_bits() && plain(u)
        })
}

fn forgetting_is_fixed(w: &World) -> bool {
    let o = &w.opinions;
    let p = &w.params;
    if p.durable_decay != 0.0 {
        return false;
    }
    let at_target = |v: f32, target: f32| v.to_bits() == target.to_bits() && plain(v);
    let opinions_still = (p.familiarity_decay == 0.0 && p.attitude_decay == 0.0)
        || (all_pairs(&o.familiarity, &o.familiarity_base, at_target)
            && all_pairs(&o.x, &o.anchor, at_target));
    opinions_still && all_pairs(&w.actors.credibility, &w.actors.credibility_base, at_target)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Engine, PhaseMask};
    use crate::world::testkit::{RICH, world};
    use proptest::prelude::*;

    fn bits(v: &[f32]) -> Vec<u32> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    /// Runs `phase` itself (not through `step`, which would skip it) and returns the world.
    fn ran(w: World, phase: Phase) -> World {
        let mut e = Engine::new(w).with_mask(PhaseMask::only(&[phase]));
        e.run_phase(phase, 0);
        e.world
    }

    /// RICH with its opinions set from `vals` (cycled), anchors equal to them.
    fn at_anchor(vals: &[f32], stubborn: Option<f32>) -> World {
        let mut w = world(RICH);
        for (i, v) in w.opinions.x.iter_mut().enumerate() {
            *v = vals[i % vals.len()];
        }
        w.opinions.anchor = w.opinions.x.clone();
        // Everyone knows each actor equally: word of mouth (on by default) has nothing to
        // spread, so only the opinions decide whether the phase can move.
        w.opinions.familiarity.fill(0.3);
        w.opinions.familiarity_base = w.opinions.familiarity.clone();
        w.actors.credibility_base = w.actors.credibility.clone();
        if let Some(s) = stubborn {
            w.pops.stubbornness.fill(s);
        }
        w
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        /// (A) on the real kernel: all-zero opinions under any stubbornness and word of
        /// mouth come back bit for bit, and the skip says so.
        #[test]
        fn social_influence_leaves_all_zero_opinions_bit_for_bit(
            s in 0.0f32..=1.0, mu in prop_oneof![Just(0.0f32), 0.0f32..1.0]
        ) {
            let mut w = at_anchor(&[0.0], Some(s));
            w.params.word_of_mouth = mu;
            w.opinions.familiarity.fill(0.3);
            prop_assert!(unchanged(&w, Phase::SocialInfluence));
            let before = bits(&w.opinions.x);
            prop_assert_eq!(bits(&ran(w, Phase::SocialInfluence).opinions.x), before);
        }

        /// (B) on the real kernel: fully stubborn populations at their anchors, whatever
        /// the values (trust in [0, 1], attitudes in [−1, 1]), come back bit for bit.
        #[test]
        fn social_influence_leaves_fully_stubborn_anchored_opinions_bit_for_bit(
            vals in prop::collection::vec(0.0f32..=1.0, 1..40)
        ) {
            let w = at_anchor(&vals, Some(1.0));
            prop_assert!(unchanged(&w, Phase::SocialInfluence));
            let before = bits(&w.opinions.x);
            prop_assert_eq!(bits(&ran(w, Phase::SocialInfluence).opinions.x), before);
        }

        /// Forgetting at the targets comes back bit for bit for any decay rates.
        #[test]
        fn forgetting_leaves_values_at_their_targets_bit_for_bit(
            vals in prop::collection::vec(0.0f32..=1.0, 1..40),
            da in 0.0f32..1.0, df in 0.0f32..1.0, r in 0.0f32..1.0
        ) {
            let mut w = at_anchor(&vals, None);
            (w.params.attitude_decay, w.params.familiarity_decay) = (da, df);
            w.params.credibility_recovery = r;
            prop_assert!(unchanged(&w, Phase::Forgetting));
            let o = w.opinions.clone();
            let c = bits(&w.actors.credibility);
            let after = ran(w, Phase::Forgetting);
            prop_assert_eq!(bits(&after.opinions.x), bits(&o.x));
            prop_assert_eq!(bits(&after.opinions.familiarity), bits(&o.familiarity));
            prop_assert_eq!(bits(&after.actors.credibility), c);
        }
    }

    /// The skips decline wherever a value could move: one value off its anchor, a −0, a
    /// uniform non-zero column (which the kernel's sum moves in the last bits), partial
    /// stubbornness, durable decay, another social rule.
    #[test]
    fn the_skips_decline_wherever_a_value_could_move() {
        let zero = at_anchor(&[0.0], Some(0.4));
        assert!(unchanged(&zero, Phase::SocialInfluence));
        let mut off = zero.clone();
        off.opinions.x[5] = 0.25;
        assert!(!unchanged(&off, Phase::SocialInfluence));
        assert!(!unchanged(&off, Phase::Forgetting));
        let mut neg = zero.clone();
        neg.opinions.x[3] = -0.0;
        neg.opinions.anchor[3] = -0.0;
        assert!(!unchanged(&neg, Phase::SocialInfluence));
        assert!(!unchanged(&neg, Phase::Forgetting));
        let uniform = at_anchor(&[0.4], Some(0.4));
        assert!(!unchanged(&uniform, Phase::SocialInfluence));
        assert!(unchanged(&uniform, Phase::Forgetting));
        let mut rule = zero.clone();
        rule.params.social = SocialRule::Voter;
        assert!(!unchanged(&rule, Phase::SocialInfluence));
        let mut durable = zero.clone();
        durable.params.durable_decay = 0.1;
        assert!(!unchanged(&durable, Phase::Forgetting));
        let mut mouth = zero;
        mouth.params.word_of_mouth = 0.1;
        mouth.opinions.familiarity[0] = 0.9;
        assert!(!unchanged(&mouth, Phase::SocialInfluence));
        assert!(!unchanged(&world(RICH), Phase::SocialInfluence));
        assert!(!unchanged(&world(RICH), Phase::Misinformation));
    }

    /// A uniform non-zero column really moves under the kernel: declining (B)-less cases
    /// like it is needed, not caution.
    #[test]
    fn a_uniform_trust_column_is_not_a_fixed_point_in_floats() {
        let w = at_anchor(&[0.4, 0.4, 0.0, 0.0], Some(0.05));
        let before = bits(&w.opinions.x);
        assert_ne!(bits(&ran(w, Phase::SocialInfluence).opinions.x), before);
    }
}
