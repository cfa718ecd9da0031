//! A hand-written world of a few populations for tests of the influence matrix: build it
//! with only the social-influence phase, set every population's starting trust and
//! attitude, and compare with a stationary distribution computed here in f64,
//! independently of the engine. Included with `#[path]` by the tests that use it.

use softpower::engine::{Engine, Phase, PhaseMask};
use softpower::scenario::{Overrides, parse_checked};
use softpower::world::build;
use std::path::Path;

/// The scenario's world with only the social-influence phase switched on.
pub fn social_engine(text: &str) -> Engine {
    let (_, sc) = parse_checked(text, Path::new("t.toml"), &Overrides::default())
        .unwrap_or_else(|e| panic!("{e}"));
    Engine::new(build(&sc)).with_mask(PhaseMask::only(&[Phase::SocialInfluence]))
}

/// Runs `ticks` ticks from the given starting trust and attitude of each population (one
/// actor, one dimension), which are also the anchors.
pub fn run_from(text: &str, ticks: usize, trust0: &[f64], att0: &[f64]) -> Engine {
    let mut e = social_engine(text);
    let w = &mut e.world;
    for (p, (t, a)) in trust0.iter().zip(att0).enumerate() {
        w.opinions.x[p * 2] = *t as f32;
        w.opinions.x[p * 2 + 1] = *a as f32;
    }
    w.opinions.anchor = w.opinions.x.clone();
    for _ in 0..ticks {
        e.step();
    }
    e
}

/// The left eigenvector of W for eigenvalue 1 (π W = π, Σ π = 1), by power iteration on Wᵀ.
#[allow(clippy::needless_range_loop)]
pub fn stationary<const N: usize>(w: &[[f64; N]; N]) -> [f64; N] {
    let mut pi = [1.0 / N as f64; N];
    for _ in 0..200_000 {
        let mut next = [0.0; N];
        for i in 0..N {
            for j in 0..N {
                next[j] += pi[i] * w[i][j];
            }
        }
        let delta: f64 = (0..N).map(|j| (next[j] - pi[j]).abs()).sum();
        pi = next;
        if delta < 1e-15 {
            break;
        }
    }
    pi
}

/// The engine's influence matrix (self weights and normalised tie weights of its CSR) is
/// `w`, entry by entry, and each row sums to 1.
pub fn assert_influence_matrix<const N: usize>(e: &Engine, w: &[[f64; N]; N]) {
    let csr = &e.world.ties;
    for i in 0..N {
        assert!((csr.self_w[i] as f64 - w[i][i]).abs() < 1e-6, "W[{i}][{i}]");
        let mut row = [0.0; N];
        for k in csr.row(i) {
            row[csr.nbr[k] as usize] += csr.w[k] as f64;
        }
        let sum = csr.self_w[i] as f64 + row.iter().sum::<f64>();
        assert!((sum - 1.0).abs() < 1e-6, "row {i} sums to {sum}");
        for j in (0..N).filter(|&j| j != i) {
            assert!(
                (row[j] - w[i][j]).abs() < 1e-6,
                "W[{i}][{j}]: {} vs {}",
                row[j],
                w[i][j]
            );
        }
    }
}
