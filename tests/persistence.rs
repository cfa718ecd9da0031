//! Persistence as parameters (docs/MODEL.md 3.2, 3.3, 3.8): the share η_M of a messaging
//! change that moves the anchor, and the rate δ_u at which durable gains (anchors and
//! background familiarity) relax back to where they started. Each property is checked
//! against its closed form on one public with no ties, so social influence leaves it alone.

use softpower::engine::Engine;
use softpower::scenario::{Overrides, parse_checked};
use softpower::world::{World, build};
use std::path::Path;

/// One public of a million people, fully online, and a state running one campaign of
/// `instrument` in the first tick only. `model` is spliced into `[model]`.
fn scenario(instrument: &str, model: &str, ticks: u32) -> String {
    let channel = if instrument == "messaging" {
        "channel = \"digital\"\n"
    } else {
        ""
    };
    format!(
        "[scenario]\nname = \"t\"\nticks = {ticks}\n\
         [model]\n{model}\n\
         [[actor]]\nid = \"s\"\nbudget = 10\ncredibility = 0.8\nvalues = [0.5, 0.5, 0.5]\n\
         [[population]]\nid = \"public\"\nsize = 1000000\ninternet = 1.0\nstubbornness = 0\nvalues = [0.5, 0.5, 0.5]\n\
         [population.opinion.s]\nfamiliarity = 0.2\ntrust = 0.3\nattitude = [0.1, 0.1, 0.1]\n\
         [[campaign]]\nid = \"c\"\nactor = \"s\"\ninstrument = \"{instrument}\"\n{channel}targets = [\"public\"]\n\
         spend = 1\nstart = 0\nend = 1\n"
    )
}

/// (familiarity, trust, first attitude) of the public toward the state, and the same of
/// the background familiarity and anchor.
#[derive(Debug, Clone, Copy)]
struct State {
    fam: f64,
    trust: f64,
    att: f64,
    fam_base: f64,
    anchor_trust: f64,
    anchor_att: f64,
}

fn state(w: &World) -> State {
    let o = &w.opinions;
    State {
        fam: o.familiarity[0] as f64,
        trust: o.x[0] as f64,
        att: o.x[1] as f64,
        fam_base: o.familiarity_base[0] as f64,
        anchor_trust: o.anchor[0] as f64,
        anchor_att: o.anchor[1] as f64,
    }
}

/// The state at the start and after every tick.
fn run(instrument: &str, model: &str, ticks: u32) -> Vec<State> {
    let text = scenario(instrument, model, ticks);
    let (_, sc) = parse_checked(&text, Path::new("t.toml"), &Overrides::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let mut e = Engine::new(build(&sc));
    let mut out = vec![state(&e.world)];
    for _ in 0..sc.ticks {
        e.step();
        out.push(state(&e.world));
    }
    out
}

fn close(a: f64, b: f64, tol: f64, what: &str) {
    assert!((a - b).abs() <= tol, "{what}: {a} vs {b}");
}

const DECAY: f64 = 0.1;

/// Reactance is off: spend beyond the public's licence would turn part of the push into
/// reaction, and these tests follow the push itself.
fn forgetting(eta: f64) -> String {
    format!(
        "familiarity_decay = {DECAY}\nattitude_decay = {DECAY}\n[model.messaging]\nreactance = false\ntrust_gain = 0.5\ndurable_share = {eta}"
    )
}

#[test]
fn with_no_durable_share_messaging_never_moves_anchors_and_its_effect_fades_entirely() {
    let s = run("messaging", &forgetting(0.0), 400);
    let (start, after, end) = (s[0], s[1], s[400]);
    assert!(after.trust > start.trust + 0.01, "the campaign persuades");
    assert!(after.fam > start.fam + 0.01, "and makes the state known");
    for t in &s {
        assert_eq!(t.anchor_trust, start.anchor_trust);
        assert_eq!(t.anchor_att, start.anchor_att);
        assert_eq!(t.fam_base, start.fam_base);
    }
    close(
        end.trust,
        start.trust,
        1e-6,
        "trust returns to where it was",
    );
    close(end.att, start.att, 1e-6, "attitudes too");
    close(end.fam, start.fam, 1e-6, "familiarity too");
}

#[test]
fn with_a_durable_share_the_value_left_after_long_forgetting_is_that_share_of_the_push() {
    // One campaign tick pushes x by G and the anchor by η·G (u starts at x). Forgetting
    // within that tick leaves G·(1 − δ(1 − η)); afterwards x decays to u = u₀ + η·G.
    // So (x_∞ − x₀) / (x₁ − x₀) = η / (1 − δ(1 − η)), for trust, attitudes and familiarity.
    for eta in [0.25, 0.6] {
        let s = run("messaging", &forgetting(eta), 400);
        let (start, after, end) = (s[0], s[1], s[400]);
        let share = eta / (1.0 - DECAY * (1.0 - eta));
        for (what, x0, x1, xe, ue) in [
            (
                "trust",
                start.trust,
                after.trust,
                end.trust,
                end.anchor_trust,
            ),
            ("attitude", start.att, after.att, end.att, end.anchor_att),
            ("familiarity", start.fam, after.fam, end.fam, end.fam_base),
        ] {
            assert!(x1 - x0 > 0.01, "{what} moves: {x0} -> {x1}");
            close((xe - x0) / (x1 - x0), share, 1e-4, what);
            close(xe, ue, 1e-6, "what is left is the anchor");
        }
    }
    // Durability does not change the campaign's immediate push.
    let none = run("messaging", &forgetting(0.0), 1);
    let half = run("messaging", &forgetting(0.5), 1);
    let g0 = (none[1].trust - none[0].trust) / (1.0 - DECAY);
    let g1 = (half[1].trust - half[0].trust) / (1.0 - DECAY * 0.5);
    close(g0, g1, 1e-6, "same push G");
}

/// Exchanges with forgetting that completes every tick (x = u, F = F⁰ after each tick),
/// so trust and familiarity show the anchor and background familiarity themselves.
fn exchange(decay: f64) -> Vec<State> {
    let model = format!(
        "familiarity_decay = 1\nattitude_decay = 1\n[model.exchange]\nspillover = 0\ncost_per_participant = 0.00001\ndurable_decay = {decay}"
    );
    run("exchange", &model, 60)
}

#[test]
fn with_durable_decay_an_exchange_gain_shrinks_geometrically_at_that_rate() {
    let d = 0.05;
    let s = exchange(d);
    let (start, first) = (s[0], s[1]);
    assert!(
        first.trust - start.trust > 0.01,
        "the exchange leaves a gain"
    );
    for (n, t) in s.iter().enumerate().skip(1) {
        // Closed form: gain(n) = gain(1)·(1 − δ_u)^(n − 1).
        let k = (1.0 - d).powi(n as i32 - 1);
        for (what, x0, x1, xn) in [
            ("trust", start.trust, first.trust, t.trust),
            ("attitude", start.att, first.att, t.att),
            ("familiarity", start.fam, first.fam, t.fam),
            (
                "anchor",
                start.anchor_trust,
                first.anchor_trust,
                t.anchor_trust,
            ),
            ("background", start.fam_base, first.fam_base, t.fam_base),
        ] {
            close(xn - x0, k * (x1 - x0), 2e-6, &format!("{what} at tick {n}"));
        }
    }
}

#[test]
fn without_durable_decay_an_exchange_gain_never_fades() {
    let s = exchange(0.0);
    let first = s[1];
    assert!(first.anchor_trust > s[0].anchor_trust + 0.01);
    for t in &s[1..] {
        assert_eq!(t.anchor_trust, first.anchor_trust);
        assert_eq!(t.anchor_att, first.anchor_att);
        assert_eq!(t.fam_base, first.fam_base);
    }
}

fn softpower() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("softpower").unwrap()
}

#[test]
fn out_of_range_persistence_parameters_are_refused_with_their_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    for (model, line, field) in [
        (
            "[model.messaging]\ndurable_share = 1.5",
            "t.toml:6:17",
            "model.messaging.durable_share",
        ),
        (
            "[model.exchange]\ndurable_decay = -0.1",
            "t.toml:6:17",
            "model.exchange.durable_decay",
        ),
    ] {
        let path = dir.path().join("t.toml");
        std::fs::write(&path, scenario("exchange", model, 5)).unwrap();
        let out = softpower().arg("check").arg(&path).assert().code(2);
        let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
        assert!(err.contains(line), "{err}");
        assert!(err.contains(field), "{err}");
        assert!(
            err.contains("allowed: 0 to 1"),
            "says what is allowed: {err}"
        );
    }
}

#[test]
fn a_prior_on_a_persistence_parameter_must_stay_inside_its_range() {
    let dir = tempfile::tempdir().unwrap();
    let good = format!(
        "{}[[uncertain]]\npath = \"model.exchange.durable_decay\"\nprior = \"log_uniform\"\nlow = 0.0005\nhigh = 0.01\n\
         [[uncertain]]\npath = \"model.messaging.durable_share\"\nprior = \"beta\"\nalpha = 1\nbeta = 9\n",
        scenario("exchange", "", 5)
    );
    let path = dir.path().join("good.toml");
    std::fs::write(&path, good).unwrap();
    softpower().arg("check").arg(&path).assert().success();
    let bad = format!(
        "{}[[uncertain]]\npath = \"model.exchange.durable_decay\"\nprior = \"uniform\"\nlow = 0\nhigh = 2\n",
        scenario("exchange", "", 5)
    );
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, bad).unwrap();
    let out = softpower().arg("check").arg(&path).assert().code(2);
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(err.contains("uncertain[0]"), "{err}");
    assert!(err.contains("durable_decay"), "{err}");
}
