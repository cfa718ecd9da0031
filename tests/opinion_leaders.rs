//! Opinion leaders (issue 16 item 2): a population class has a voice (how much others listen
//! to it, `[model.voice]`) and a listening factor (how much it listens to others,
//! `[model.listening]`). p hears q at `l_c(p) · v_c(q) · ω_pq`, rows renormalised with p's
//! self weight. For two-way ties W is then reversible with π_p ∝ v_p (w_p / l_p + Σ_r v_r ω_pr)
//! (detailed balance: π_p W_pq = v_p v_q ω_pq is symmetric), so DeGroot's consensus is a
//! closed form; it is checked here against that formula and against π computed by power
//! iteration, independently of the engine.
// Matrix code reads best with explicit indices.
#![allow(clippy::needless_range_loop)]

use assert_cmd::Command;
use predicates::prelude::*;
#[path = "common/small_world.rs"]
mod small_world;

use small_world::stationary;
use softpower::engine::Engine;

/// tv (media), e0 (elite), p0, p1, p2 (public), then the generated g_0, g_1 (elite).
const N: usize = 7;
const ATT0: [f64; N] = [0.9, -0.7, -0.5, 0.1, 0.4, -0.2, 0.6];
const TRUST0: [f64; N] = [0.2, 0.9, 0.5, 0.3, 0.7, 0.1, 0.8];
/// Raw self weights: model default 0.5, p2 sets 2.
const SELF: [f64; N] = [0.5, 0.5, 0.5, 0.5, 2.0, 0.5, 0.5];
/// Voice and listening of each population's class.
const VOICE: [f64; N] = [4.0, 2.0, 1.0, 1.0, 1.0, 2.0, 2.0];
const LISTEN: [f64; N] = [0.5, 0.25, 1.0, 1.0, 1.0, 0.25, 0.25];

const SCENARIO: &str = r#"
[scenario]
name = "leaders"
ticks = 1
dimensions = ["x"]
[model]
self_weight = 0.5
[model.voice]
media = 4
elite = 2
[model.listening]
media = 0.5
elite = 0.25
[[actor]]
id = "a"
[[population]]
id = "tv"
size = 10
stubbornness = 0
class = "media"
[[population]]
id = "e0"
size = 10
stubbornness = 0
class = "elite"
[[population]]
id = "p0"
size = 10
stubbornness = 0
[[population]]
id = "p1"
size = 10
stubbornness = 0
[[population]]
id = "p2"
size = 10
stubbornness = 0
self_weight = 2
[[generate]]
prefix = "g"
count = 2
graph = { model = "complete" }
stubbornness = 0
class = "elite"
[[tie]]
between = ["tv", "p0"]
[[tie]]
between = ["tv", "p1"]
[[tie]]
between = ["e0", "p1"]
weight = 2
[[tie]]
between = ["e0", "tv"]
[[tie]]
between = ["p0", "p1"]
[[tie]]
between = ["p1", "p2"]
weight = 1.5
[[tie]]
between = ["p2", "e0"]
[[tie]]
between = ["p2", "g_0"]
"#;

/// Symmetric raw tie weights ω as the `[[tie]]`s and the generated pair give them.
fn ties() -> [[f64; N]; N] {
    let mut o = [[0.0; N]; N];
    for (a, b, w) in [
        (0, 2, 1.0),
        (0, 3, 1.0),
        (1, 3, 2.0),
        (1, 0, 1.0),
        (2, 3, 1.0),
        (3, 4, 1.5),
        (4, 1, 1.0),
        (4, 5, 1.0),
        (5, 6, 1.0),
    ] {
        o[a][b] += w;
        o[b][a] += w;
    }
    o
}

/// W_ij = l_i v_j ω_ij / (w_i + Σ_r l_i v_r ω_ir), W_ii = w_i / (same).
fn influence_matrix() -> [[f64; N]; N] {
    let o = ties();
    let mut w = [[0.0; N]; N];
    for i in 0..N {
        let heard: Vec<f64> = (0..N).map(|j| LISTEN[i] * VOICE[j] * o[i][j]).collect();
        let total = SELF[i] + heard.iter().sum::<f64>();
        for j in 0..N {
            w[i][j] = heard[j] / total;
        }
        w[i][i] = SELF[i] / total;
    }
    w
}

fn engine(text: &str) -> Engine {
    small_world::social_engine(text)
}

fn run(text: &str, ticks: usize) -> Engine {
    small_world::run_from(text, ticks, &TRUST0, &ATT0)
}

#[test]
fn voice_and_listening_scale_the_influence_matrix_by_class() {
    let e = run(SCENARIO, 0);
    small_world::assert_influence_matrix(&e, &influence_matrix());
}

#[test]
fn degroot_weights_voiced_classes_by_the_closed_form_left_eigenvector() {
    let w = influence_matrix();
    let o = ties();
    // π_p ∝ v_p (w_p / l_p + Σ_r v_r ω_pr), and power iteration agrees.
    let raw: Vec<f64> = (0..N)
        .map(|p| VOICE[p] * (SELF[p] / LISTEN[p] + (0..N).map(|r| VOICE[r] * o[p][r]).sum::<f64>()))
        .collect();
    let total: f64 = raw.iter().sum();
    let closed: Vec<f64> = raw.iter().map(|x| x / total).collect();
    let pi = stationary(&w);
    for p in 0..N {
        assert!(
            (pi[p] - closed[p]).abs() < 1e-9,
            "π[{p}]: {} vs {}",
            pi[p],
            closed[p]
        );
    }
    let expect_a: f64 = (0..N).map(|i| pi[i] * ATT0[i]).sum();
    let expect_t: f64 = (0..N).map(|i| pi[i] * TRUST0[i]).sum();
    // Voice matters: the consensus without classes (π ∝ w_p + Σ ω_pr) is far from it.
    let plain: Vec<f64> = (0..N).map(|p| SELF[p] + o[p].iter().sum::<f64>()).collect();
    let by_degree: f64 =
        (0..N).map(|i| plain[i] * ATT0[i]).sum::<f64>() / plain.iter().sum::<f64>();
    assert!(
        (by_degree - expect_a).abs() > 0.02,
        "{by_degree} vs {expect_a}"
    );
    let e = run(SCENARIO, 6000);
    for p in 0..N {
        let a = e.world.opinions.attitude(p, 0)[0] as f64;
        let t = e.world.opinions.trust(p, 0) as f64;
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

/// A medium that does not listen (listening 0, so W_tv,tv = 1) on ordinary two-way ties:
/// π is 1 on it, so everyone ends at its view, which never moves; a louder voice gets
/// them there sooner.
fn leader(voice: f64) -> String {
    let mut text = format!(
        "[scenario]\nname = \"leader\"\nticks = 1\ndimensions = [\"x\"]\n\
         [model.voice]\nmedia = {voice}\n[model.listening]\nmedia = 0\n[[actor]]\nid = \"a\"\n\
         [[population]]\nid = \"tv\"\nsize = 10\nstubbornness = 0\nclass = \"media\"\n\
         [population.opinion.a]\nattitude = [0.8]\n"
    );
    for (i, x) in [-0.6, -0.2, 0.3].iter().enumerate() {
        text += &format!(
            "[[population]]\nid = \"f{i}\"\nsize = 1000\nstubbornness = 0\n\
             [population.opinion.a]\nattitude = [{x}]\n[[tie]]\nbetween = [\"tv\", \"f{i}\"]\n"
        );
    }
    text + "[[tie]]\nbetween = [\"f0\", \"f1\"]\n[[tie]]\nbetween = [\"f1\", \"f2\"]\n"
}

#[test]
fn a_medium_that_does_not_listen_pulls_everyone_to_its_view() {
    let mut e = engine(&leader(1.0));
    assert_eq!(e.world.ties.self_w[0], 1.0);
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
fn a_louder_voice_brings_followers_closer_sooner() {
    let gap = |voice: f64| {
        let mut e = engine(&leader(voice));
        for _ in 0..5 {
            e.step();
        }
        (1..4)
            .map(|f| (e.world.opinions.attitude(f, 0)[0] - 0.8).abs())
            .sum::<f32>()
    };
    let (quiet, loud) = (gap(1.0), gap(10.0));
    assert!(loud < 0.5 * quiet, "voice 10: {loud}, voice 1: {quiet}");
}

#[test]
fn classes_with_default_voice_and_listening_leave_the_matrix_bit_for_bit() {
    let plain = SCENARIO.split("[model.voice]").next().unwrap().to_string()
        + &SCENARIO[SCENARIO.find("[[actor]]").unwrap()..];
    let classless = plain
        .replace("class = \"media\"\n", "")
        .replace("class = \"elite\"\n", "");
    assert!(plain.contains("class = \"media\"") && !classless.contains("class ="));
    let (a, b) = (engine(&plain).world.ties, engine(&classless).world.ties);
    assert_eq!(a.nbr, b.nbr);
    assert_eq!(a.offsets, b.offsets);
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&a.raw), bits(&b.raw));
    assert_eq!(bits(&a.w), bits(&b.w));
    assert_eq!(bits(&a.self_w), bits(&b.self_w));
}

#[test]
fn a_negative_voice_or_an_unknown_class_is_refused_with_its_line_and_the_allowed_values() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("bad.toml");
    let bad = SCENARIO.replace("media = 4", "media = -1");
    std::fs::write(&f, &bad).unwrap();
    let line = bad.lines().position(|l| l == "media = -1").unwrap() + 1;
    Command::cargo_bin("softpower")
        .unwrap()
        .arg("check")
        .arg(&f)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("bad.toml")
                .and(predicate::str::contains(format!(":{line}")))
                .and(predicate::str::contains("model.voice.media"))
                .and(predicate::str::contains("allowed: 0 to 1000000")),
        );
    let bad = SCENARIO.replace("class = \"media\"", "class = \"press\"");
    std::fs::write(&f, &bad).unwrap();
    Command::cargo_bin("softpower")
        .unwrap()
        .arg("check")
        .arg(&f)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("class")
                .and(predicate::str::contains("public"))
                .and(predicate::str::contains("elite"))
                .and(predicate::str::contains("media")),
        );
}
