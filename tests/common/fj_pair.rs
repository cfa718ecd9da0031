//! The Friedkin–Johnsen pair that the tests of `sensitivity`, `discover` and the shard
//! driver share, with its closed-form answer. Included with `#[path]` by those tests; each
//! uses a part of it.
//!
//! Two populations A and B of equal size, one tie, self weight 1, so W = [[½, ½], [½, ½]];
//! only the social-influence rule moves opinions (no campaigns, no forgetting). The
//! attitude equilibrium is z* = (I − ΛW)⁻¹ (I − Λ) u with Λ = diag(1 − s) (docs/MODEL.md
//! 3.6), so the favourability of the issue, (z*_A + z*_B)/2, is a function of A's
//! stubbornness alone once B's is fixed. The digital-messaging cost is read only by
//! campaigns, of which there are none: it provably has no effect.
#![allow(dead_code)]

/// A's anchor (its starting attitude), B's anchor and B's stubbornness.
pub const U_A: f64 = 0.8;
pub const U_B: f64 = -0.6;
pub const S_B: f64 = 0.5;

/// The prior on the one parameter the equilibrium depends on.
pub const STUBBORNNESS_PRIOR: &str = r#"[[uncertain]]
path = "population.a.stubbornness"
prior = "uniform"
low = 0.1
high = 0.9
"#;

/// The prior on a parameter nothing in the scenario reads.
pub const INERT_PRIOR: &str = r#"[[uncertain]]
path = "model.messaging.cost_digital"
prior = "log_uniform"
low = 0.1
high = 1.0
"#;

/// The pair under the given name, seed and length, followed by `rest` (priors, strategies).
pub fn scenario(name: &str, seed: u64, ticks: u32, rest: &str) -> String {
    format!(
        r#"[scenario]
name = "{name}"
seed = {seed}
ticks = {ticks}
dimensions = ["x"]

[model]
social_model = "friedkin_johnsen"
attitude_decay = 0
familiarity_decay = 0

[[actor]]
id = "issue"

[[population]]
id = "a"
size = 100
stubbornness = 0.3
[population.opinion.issue]
attitude = [{U_A}]

[[population]]
id = "b"
size = 100
stubbornness = {S_B}
[population.opinion.issue]
attitude = [{U_B}]

[[tie]]
between = ["a", "b"]
weight = 1

{rest}"#
    )
}

/// The Friedkin–Johnsen equilibrium favourability for A's stubbornness s (Cramer's rule on
/// the 2 × 2 system (I − ΛW) z = (I − Λ) u).
pub fn equilibrium(s: f64) -> f64 {
    let (a, b) = (1.0 - s, 1.0 - S_B);
    let (m11, m12, m21, m22) = (1.0 - a / 2.0, -a / 2.0, -b / 2.0, 1.0 - b / 2.0);
    let (r1, r2) = (s * U_A, S_B * U_B);
    let det = m11 * m22 - m12 * m21;
    let za = (r1 * m22 - m12 * r2) / det;
    let zb = (m11 * r2 - m21 * r1) / det;
    (za + zb) / 2.0
}
