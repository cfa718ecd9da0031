//! Directed ties and per-population self weights make W any row-stochastic matrix. DeGroot
//! then reaches consensus at π · x(0) with π the left eigenvector of W (π W = π), which
//! weights populations by how much they are listened to, not by their degree; π is
//! computed here by power iteration in f64, independently of the engine.
// Matrix code reads best with explicit indices.
#![allow(clippy::needless_range_loop)]

#[path = "common/small_world.rs"]
mod small_world;

use small_world::stationary;
use softpower::engine::Engine;
use softpower::scenario::{Overrides, parse_checked};
use std::path::Path;

/// Explicit p0..p3 then the generated g_0..g_2 (indices 4..6).
const N: usize = 7;
const ATT0: [f64; N] = [-0.8, 0.5, 0.1, -0.3, 0.9, 0.0, 0.6];
const TRUST0: [f64; N] = [0.1, 0.9, 0.4, 0.6, 0.2, 0.8, 0.5];
/// Raw self weights: p0, p1 (model default 0.7), p2 (0), p3, and the generated group (2).
const SELF: [f64; N] = [0.2, 0.7, 0.0, 0.5, 2.0, 2.0, 2.0];

const SCENARIO: &str = r#"
[scenario]
name = "directed"
ticks = 1
dimensions = ["x"]
[model]
self_weight = 0.7
[[actor]]
id = "a"
[[population]]
id = "p0"
size = 10
stubbornness = 0
self_weight = 0.2
[[population]]
id = "p1"
size = 10
stubbornness = 0
[[population]]
id = "p2"
size = 10
stubbornness = 0
self_weight = 0
[[population]]
id = "p3"
size = 10
stubbornness = 0
self_weight = 0.5
[[generate]]
prefix = "g"
count = 3
graph = { model = "complete" }
stubbornness = 0
self_weight = 2
[[tie]]
between = ["p0", "p1"]
[[tie]]
between = ["p1", "p2"]
weight = 2
weight_back = 0.5
[[tie]]
between = ["p2", "p3"]
direction = "one_way"
weight = 1.5
[[tie]]
between = ["p3", "p0"]
direction = "one_way"
[[tie]]
between = ["p3", "g_0"]
[[tie]]
between = ["g_1", "p1"]
direction = "one_way"
weight = 3
"#;

/// `listen[i][j]`: raw weight with which i listens to j, as docs/SCENARIO.md 9 defines the
/// ties above (influence flows from `between[0]` to `between[1]` at `weight`, back at
/// `weight_back`).
fn listening() -> [[f64; N]; N] {
    let mut l = [[0.0; N]; N];
    let mut both = |a: usize, b: usize, w: f64| {
        l[a][b] += w;
        l[b][a] += w;
    };
    both(0, 1, 1.0);
    both(3, 4, 1.0);
    for (a, b) in [(4, 5), (4, 6), (5, 6)] {
        both(a, b, 1.0);
    }
    l[2][1] += 2.0; // p2 hears p1 at `weight`
    l[1][2] += 0.5; // p1 hears p2 at `weight_back`
    l[3][2] += 1.5;
    l[0][3] += 1.0;
    l[1][5] += 3.0;
    l
}

/// W_ii = s_i / (s_i + Σ_j l_ij), W_ij = l_ij / (s_i + Σ_j l_ij).
fn influence_matrix() -> [[f64; N]; N] {
    let l = listening();
    let mut w = [[0.0; N]; N];
    for i in 0..N {
        let total = SELF[i] + l[i].iter().sum::<f64>();
        for j in 0..N {
            w[i][j] = l[i][j] / total;
        }
        w[i][i] = SELF[i] / total;
    }
    w
}

fn run(text: &str, ticks: usize) -> Engine {
    small_world::run_from(text, ticks, &TRUST0, &ATT0)
}

#[test]
fn the_engine_builds_the_influence_matrix_the_ties_describe() {
    let e = run(SCENARIO, 0);
    small_world::assert_influence_matrix(&e, &influence_matrix());
}

#[test]
fn degroot_on_a_non_reversible_matrix_reaches_the_left_eigenvector_average() {
    let w = influence_matrix();
    // Not reversible: detailed balance π_i W_ij = π_j W_ji fails, so no degree formula holds.
    let pi = stationary(&w);
    assert!((pi.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    let unbalanced = (0..N)
        .flat_map(|i| (0..N).map(move |j| (i, j)))
        .map(|(i, j)| (pi[i] * w[i][j] - pi[j] * w[j][i]).abs())
        .fold(0.0, f64::max);
    assert!(unbalanced > 1e-3, "W should not be reversible");
    let expect_a: f64 = (0..N).map(|i| pi[i] * ATT0[i]).sum();
    let expect_t: f64 = (0..N).map(|i| pi[i] * TRUST0[i]).sum();
    // The degree-weighted average (right for two-way ties) is far from it here.
    let l = listening();
    let deg: Vec<f64> = (0..N).map(|i| SELF[i] + l[i].iter().sum::<f64>()).collect();
    let by_degree: f64 = (0..N).map(|i| deg[i] * ATT0[i]).sum::<f64>() / deg.iter().sum::<f64>();
    assert!(
        (by_degree - expect_a).abs() > 0.05,
        "{by_degree} vs {expect_a}"
    );
    let e = run(SCENARIO, 4000);
    for p in 0..N {
        let (t, a) = (
            e.world.opinions.trust(p, 0) as f64,
            e.world.opinions.attitude(p, 0)[0] as f64,
        );
        // f32 state: agreement to a few ulps of the values' scale.
        assert!(
            (a - expect_a).abs() < 2e-5,
            "attitude of {p}: {a} vs {expect_a}"
        );
        assert!(
            (t - expect_t).abs() < 2e-5,
            "trust of {p}: {t} vs {expect_t}"
        );
    }
}

/// A broadcaster that does not listen back, three followers who listen to it and to each
/// other: its π is 1, so DeGroot ends at its view, which never moves.
#[test]
fn an_opinion_leader_who_does_not_listen_back_sets_the_consensus() {
    let mut text = String::from(
        "[scenario]\nname = \"leader\"\nticks = 1\ndimensions = [\"x\"]\n[[actor]]\nid = \"a\"\n\
         [[population]]\nid = \"tv\"\nsize = 10\nstubbornness = 0\n[population.opinion.a]\nattitude = [0.8]\n",
    );
    for (i, x) in [-0.6, -0.2, 0.3].iter().enumerate() {
        text += &format!(
            "[[population]]\nid = \"f{i}\"\nsize = 1000\nstubbornness = 0\n[population.opinion.a]\nattitude = [{x}]\n\
             [[tie]]\nbetween = [\"tv\", \"f{i}\"]\ndirection = \"one_way\"\nweight = 0.5\n"
        );
    }
    text += "[[tie]]\nbetween = [\"f0\", \"f1\"]\n[[tie]]\nbetween = [\"f1\", \"f2\"]\n";
    let mut e = small_world::social_engine(&text);
    for tick in 0..3000 {
        e.step();
        assert_eq!(e.world.opinions.attitude(0, 0)[0], 0.8, "tick {tick}");
    }
    for f in 1..4 {
        let x = e.world.opinions.attitude(f, 0)[0];
        assert!((x - 0.8).abs() < 1e-5, "follower {f} at {x}");
    }
}

#[test]
fn a_one_way_tie_with_a_weight_back_is_refused_by_name() {
    let text = "[scenario]\nname = \"t\"\nticks = 1\n[[actor]]\nid = \"a\"\n\
        [[population]]\nid = \"p\"\nsize = 1\nself_weight = -1\n[[population]]\nid = \"q\"\nsize = 1\n\
        [[tie]]\nbetween = [\"p\", \"q\"]\ndirection = \"one_way\"\nweight_back = 2\n";
    let err = parse_checked(text, Path::new("t.toml"), &Overrides::default())
        .expect_err("must be refused")
        .to_string();
    assert!(err.contains("weight_back"), "{err}");
    assert!(err.contains("one-way"), "{err}");
    assert!(err.contains("self_weight"), "{err}");
}
