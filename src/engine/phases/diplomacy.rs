//! Diplomacy phase: publics, elites and interests press governments; decisions.
//!
//! For every actor b and every other actor a, b's stance moves toward a target:
//!   r_ba ← r_ba + ρ·(T_ba − r_ba),
//!   T_ba = (w_P·P_ba + w_E·E_ba + w_I·I_ba) / (w_P + w_E + w_I),
//! where P_ba = Σ_p N_p·F_pa·fav_pa / Σ_p N_p over b's public home populations and E_ba
//! the same over its elite ones (people press their government only about actors they
//! know: familiarity F), I_ba the fixed interest of the declared relation (±strength, 0
//! where none is declared), and a voice b lacks has weight 0 (`World::stance_targets`).
//! ρ = `public_pressure`; the stance starts at T_ba(0) (world build), so it stays put
//! while opinion does.
//!
//! A decision of b about a is taken at tick t when r_ba has been past its threshold
//! (≥ for `above`, ≤ for `below`) at each of the `sustain` ticks ending at t; once taken
//! it stays taken.

use crate::engine::Scratch;
use crate::world::World;

/// `t`: the tick being simulated; the stances it leaves are recorded as tick t + 1.
pub fn run(w: &mut World, s: &mut Scratch, t: u32) {
    let rho = w.params.public_pressure;
    let n = w.actors.len();
    if rho > 0.0 {
        for b in 0..n {
            if !w.stance_targets(b, &mut s.favourability_home, &mut s.favourability_elite) {
                continue;
            }
            for (a, &target) in s.favourability_home.iter().enumerate() {
                if a != b {
                    let r = &mut w.relations[b * n + a];
                    // Settled like every geometric decay (phases/mod.rs): a stance drifting
                    // to 0 would otherwise end among subnormal floats (1.3e-44).
                    *r = super::settle((*r + rho * (target as f32 - *r)).clamp(-1.0, 1.0));
                }
            }
        }
    }
    for d in &mut w.decisions {
        let r = w.relations[d.spec.actor as usize * n + d.spec.toward as usize];
        d.observe(r, t + 1);
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::{Engine, Phase, PhaseMask};
    use crate::world::testkit::world;

    /// Two states; `a` has a public (and optionally an elite) that knows `b` fully.
    fn pair(extra: &str) -> String {
        format!(
            r#"
[scenario]
name = "gov"
ticks = 10
[model]
public_pressure = 0.1
[model.government]
public_weight = 0.5
elite_weight = 0.2
interest_weight = 0.3
[[actor]]
id = "a"
[[actor]]
id = "b"
[[population]]
id = "pub"
size = 3000
home = "a"
salience = [1, 0, 0]
opinion.b = {{ familiarity = 1.0, attitude = [0.6, 0, 0] }}
[[relation]]
between = ["a", "b"]
kind = "rivalry"
strength = 0.4
stance = -0.9
{extra}
"#
        )
    }

    fn diplomacy_only(toml: &str) -> Engine {
        Engine::new(world(toml)).with_mask(PhaseMask::only(&[Phase::Diplomacy]))
    }

    #[test]
    fn with_opinion_fixed_the_stance_closes_its_gap_to_the_blend_geometrically() {
        // Without an elite its weight drops out: T = (0.5·0.6 + 0.3·(−0.4)) / 0.8 = 0.225.
        let target = (0.5 * 0.6 - 0.3 * 0.4) / 0.8;
        let mut e = diplomacy_only(&pair(""));
        let r0 = e.world.relations[1];
        assert_eq!(r0, -0.9, "the declared stance is where it starts");
        for t in 1..=40 {
            e.step();
            let expected = target + (r0 as f64 - target) * 0.9f64.powi(t);
            let r = e.world.relations[1] as f64;
            assert!((r - expected).abs() < 1e-5, "tick {t}: {r} vs {expected}");
        }
    }

    #[test]
    fn an_elite_counts_with_its_own_weight_whatever_its_size() {
        let elite = r#"
[[population]]
id = "elite"
size = 10
home = "a"
class = "elite"
salience = [1, 0, 0]
opinion.b = { familiarity = 1.0, attitude = [-0.5, 0, 0] }
"#;
        let mut e = diplomacy_only(&pair(elite));
        let target = (0.5 * 0.6 + 0.2 * -0.5 + 0.3 * -0.4) / 1.0;
        for _ in 0..400 {
            e.step();
        }
        let r = e.world.relations[1] as f64;
        assert!((r - target).abs() < 1e-5, "{r} vs {target}");
    }

    #[test]
    fn without_a_declared_stance_a_government_starts_at_its_blend_and_stays() {
        let toml = pair("").replace("stance = -0.9\n", "");
        let mut e = diplomacy_only(&toml);
        let target = ((0.5 * 0.6 - 0.3 * 0.4) / 0.8) as f32;
        assert!((e.world.relations[1] - target).abs() < 1e-6);
        // b has no public: its stance is its interest alone.
        assert_eq!(e.world.relations[2], -0.4);
        let start = e.world.relations.clone();
        for _ in 0..50 {
            e.step();
        }
        for (r, s) in e.world.relations.iter().zip(&start) {
            assert!((r - s).abs() < 1e-6, "{r} moved from {s}");
        }
    }

    fn decision(threshold: f64, sustain: u32, direction: &str) -> String {
        format!(
            r#"
[[decision]]
id = "d"
actor = "a"
toward = "b"
threshold = {threshold}
direction = "{direction}"
sustain = {sustain}
"#
        )
    }

    /// First tick (1-based, as recorded) at which the stance of a toward b is past `th`.
    fn first_past(toml: &str, th: f32, above: bool) -> u32 {
        let mut e = diplomacy_only(toml);
        for t in 1.. {
            e.step();
            let r = e.world.relations[1];
            if (above && r >= th) || (!above && r <= th) {
                return t;
            }
        }
        unreachable!()
    }

    #[test]
    fn a_decision_is_taken_exactly_after_sustain_ticks_past_its_threshold() {
        for (th, k) in [(0.0, 1), (0.0, 5), (0.1, 3), (0.2, 12)] {
            let toml = pair(&decision(th, k, "above"));
            let first = first_past(&toml, th as f32, true);
            let mut e = diplomacy_only(&toml);
            for t in 1..=first + k + 5 {
                e.step();
                let taken = e.world.decisions[0].taken;
                if t < first + k - 1 {
                    assert_eq!(taken, None, "not before: tick {t}, threshold {th}, k {k}");
                } else {
                    assert_eq!(taken, Some(first + k - 1), "threshold {th}, k {k}");
                }
            }
        }
    }

    #[test]
    fn a_stance_that_dips_back_restarts_the_count_and_below_decisions_mirror_above() {
        let mut d = crate::world::Decision::new(crate::model::checked::DecisionSpec {
            id: "d".into(),
            actor: 0,
            toward: 1,
            threshold: -0.2,
            direction: crate::model::Crossing::Below,
            sustain: 3,
            label: String::new(),
        });
        for (t, r) in [-0.3, -0.3, 0.0, -0.2, -0.25].into_iter().enumerate() {
            d.observe(r, t as u32 + 1);
            assert_eq!(d.taken, None);
        }
        d.observe(-0.5, 6);
        assert_eq!(d.taken, Some(6));
        d.observe(0.9, 7);
        assert_eq!(d.taken, Some(6), "a decision taken stays taken");
    }

    #[test]
    fn a_stance_that_never_reaches_its_threshold_takes_no_decision() {
        let mut e = diplomacy_only(&pair(&decision(0.3, 1, "above")));
        for _ in 0..500 {
            e.step();
        }
        assert!(e.world.relations[1] < 0.3);
        assert_eq!(e.world.decisions[0].taken, None);
    }
}
