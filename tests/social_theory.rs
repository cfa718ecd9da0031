//! The social-influence phase alone reduces exactly to DeGroot (no stubbornness) and to
//! Friedkin–Johnsen; both are checked against closed forms computed here, independently
//! of the engine, in f64.
// Matrix code reads best with explicit indices.
#![allow(clippy::needless_range_loop)]

use softpower::engine::{Engine, Phase, PhaseMask};
use softpower::scenario::{Overrides, parse_checked};
use softpower::world::build;
use std::path::Path;

/// Six populations, weighted ties, one actor, one dimension: block = (trust, attitude).
const TIES: [(usize, usize, f64); 7] = [
    (0, 1, 1.0),
    (1, 2, 2.0),
    (2, 3, 0.5),
    (3, 4, 1.0),
    (4, 5, 3.0),
    (5, 0, 1.0),
    (1, 4, 1.5),
];
const TRUST0: [f64; 6] = [0.1, 0.9, 0.4, 0.6, 0.2, 0.8];
const ATT0: [f64; 6] = [-0.8, 0.5, 0.1, -0.3, 0.9, 0.0];
const SELF_WEIGHT: f64 = 0.3;

fn scenario(stubbornness: [f64; 6], self_weight: f64) -> String {
    let mut s = format!(
        "[scenario]\nname = \"t\"\nticks = 1\ndimensions = [\"x\"]\n[model]\nself_weight = {self_weight}\n[[actor]]\nid = \"a\"\n"
    );
    for i in 0..6 {
        s += &format!(
            "[[population]]\nid = \"p{i}\"\nsize = 100\nstubbornness = {}\n[population.opinion.a]\ntrust = {}\nattitude = [{}]\n",
            stubbornness[i], TRUST0[i], ATT0[i]
        );
    }
    for (a, b, w) in TIES {
        s += &format!("[[tie]]\nbetween = [\"p{a}\", \"p{b}\"]\nweight = {w}\n");
    }
    s
}

fn simulate(stubbornness: [f64; 6], self_weight: f64, ticks: usize) -> Vec<(f64, f64)> {
    let (_, sc) = parse_checked(
        &scenario(stubbornness, self_weight),
        Path::new("t.toml"),
        &Overrides::default(),
    )
    .unwrap();
    let mut e = Engine::new(build(&sc)).with_mask(PhaseMask::only(&[Phase::SocialInfluence]));
    for _ in 0..ticks {
        e.step();
    }
    (0..6)
        .map(|p| {
            (
                e.world.opinions.trust(p, 0) as f64,
                e.world.opinions.attitude(p, 0)[0] as f64,
            )
        })
        .collect()
}

/// W from the tie list and self weight s (docs/MODEL.md): W_ii = s / (s + d_i),
/// W_ij = ω_ij / (s + d_i), with d_i = Σ_j ω_ij.
fn influence_matrix(self_weight: f64) -> [[f64; 6]; 6] {
    let mut raw = [[0.0; 6]; 6];
    for (a, b, w) in TIES {
        raw[a][b] += w;
        raw[b][a] += w;
    }
    let mut w = [[0.0; 6]; 6];
    for i in 0..6 {
        let d: f64 = raw[i].iter().sum();
        for j in 0..6 {
            w[i][j] = raw[i][j] / (self_weight + d);
        }
        w[i][i] = self_weight / (self_weight + d);
    }
    w
}

/// Solves A x = b by Gaussian elimination with partial pivoting.
fn solve(mut a: [[f64; 6]; 6], mut b: [f64; 6]) -> [f64; 6] {
    for c in 0..6 {
        let piv = (c..6)
            .max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))
            .unwrap();
        a.swap(c, piv);
        b.swap(c, piv);
        for r in c + 1..6 {
            let f = a[r][c] / a[c][c];
            for k in c..6 {
                a[r][k] -= f * a[c][k];
            }
            b[r] -= f * b[c];
        }
    }
    let mut x = [0.0; 6];
    for r in (0..6).rev() {
        x[r] = (b[r] - (r + 1..6).map(|k| a[r][k] * x[k]).sum::<f64>()) / a[r][r];
    }
    x
}

#[test]
fn degroot_reaches_the_stationary_weighted_average() {
    // W is reversible with stationary distribution π_i ∝ s + d_i (self weight plus weighted
    // degree: π_i W_ij = ω_ij / Σ_k (s + d_k) is symmetric), so consensus is
    // Σ (s + d_i) x_i(0) / Σ (s + d_i) (Golub & Jackson 2010).
    let mut d = [SELF_WEIGHT; 6];
    for (a, b, w) in TIES {
        d[a] += w;
        d[b] += w;
    }
    let total: f64 = d.iter().sum();
    let expect_t: f64 = (0..6).map(|i| d[i] * TRUST0[i]).sum::<f64>() / total;
    let expect_a: f64 = (0..6).map(|i| d[i] * ATT0[i]).sum::<f64>() / total;
    for (t, a) in simulate([0.0; 6], SELF_WEIGHT, 3000) {
        // f32 state: agreement to a few ulps of the values' scale.
        assert!((t - expect_t).abs() < 2e-5, "trust {t} vs {expect_t}");
        assert!((a - expect_a).abs() < 2e-5, "attitude {a} vs {expect_a}");
    }
}

#[test]
fn friedkin_johnsen_reaches_the_closed_form_equilibrium() {
    let stub = [0.1, 0.5, 0.0, 0.3, 0.05, 0.2];
    let w = influence_matrix(SELF_WEIGHT);
    // x* = (I - ΛW)^-1 (I - Λ) u with Λ = diag(1 - s).
    let mut m = [[0.0; 6]; 6];
    for i in 0..6 {
        for j in 0..6 {
            m[i][j] = if i == j { 1.0 } else { 0.0 } - (1.0 - stub[i]) * w[i][j];
        }
    }
    let rhs = |u: &[f64; 6]| -> [f64; 6] { std::array::from_fn(|i| stub[i] * u[i]) };
    let xt = solve(m, rhs(&TRUST0));
    let xa = solve(m, rhs(&ATT0));
    let got = simulate(stub, SELF_WEIGHT, 3000);
    for i in 0..6 {
        assert!(
            (got[i].0 - xt[i]).abs() < 2e-5,
            "trust[{i}] {} vs {}",
            got[i].0,
            xt[i]
        );
        assert!(
            (got[i].1 - xa[i]).abs() < 2e-5,
            "attitude[{i}] {} vs {}",
            got[i].1,
            xa[i]
        );
    }
    // Not a consensus: stubborn populations keep distinct views.
    assert!((xa[1] - xa[4]).abs() > 0.05);
}

#[test]
fn one_step_is_exactly_one_friedkin_johnsen_iteration() {
    let stub = [0.1, 0.5, 0.0, 0.3, 0.05, 0.2];
    let w = influence_matrix(SELF_WEIGHT);
    let got = simulate(stub, SELF_WEIGHT, 1);
    for i in 0..6 {
        let wx: f64 = (0..6).map(|j| w[i][j] * ATT0[j]).sum();
        let expect = (1.0 - stub[i]) * wx + stub[i] * ATT0[i];
        assert!((got[i].1 - expect).abs() < 1e-6, "{} vs {expect}", got[i].1);
    }
}

#[test]
fn periodic_influence_does_not_converge() {
    // Two populations that only listen to each other swap views every tick (W = [[0,1],[1,0]]).
    let text = "[scenario]\nname = \"t\"\nticks = 1\ndimensions = [\"x\"]\n[model]\nself_weight = 0\n[[actor]]\nid = \"a\"\n\
[[population]]\nid = \"p\"\nsize = 1\nstubbornness = 0\n[population.opinion.a]\nattitude = [0.5]\n\
[[population]]\nid = \"q\"\nsize = 1\nstubbornness = 0\n[population.opinion.a]\nattitude = [-0.5]\n\
[[tie]]\nbetween = [\"p\", \"q\"]\n";
    let (_, sc) = parse_checked(text, Path::new("t.toml"), &Overrides::default()).unwrap();
    let mut e = Engine::new(build(&sc)).with_mask(PhaseMask::only(&[Phase::SocialInfluence]));
    for t in 1..=1001 {
        e.step();
        let p = e.world.opinions.attitude(0, 0)[0];
        assert_eq!(p, if t % 2 == 1 { -0.5 } else { 0.5 });
    }
}
