//! Source-aware misinformation (docs/MODEL.md 3.5, soft-power model): corrections scale with
//! the audience's view of their source, belief comes easier where the story's target is
//! disliked, and a story traced to its author costs the author credibility and trust.
//! Each effect is checked against the hazards the model states, not against earlier output.

use assert_cmd::Command;
use softpower::engine::Engine;
use softpower::scenario::{Overrides, parse_checked};
use softpower::world::{NOT_TRACED, World, build};
use std::path::Path;

fn world(text: &str) -> World {
    let (_, sc) = parse_checked(text, Path::new("t.toml"), &Overrides::default())
        .unwrap_or_else(|e| panic!("{e}\n{text}"));
    build(&sc)
}

/// One public of a million people with no literacy (so nobody verifies), a story about
/// "target" that 30% already believe and that neither spreads nor is forgotten, and a
/// fact-checker of the given credibility and trust correcting it with a fixed spend.
fn correction_scenario(credibility: f64, trust: f64, source_weight: f64) -> String {
    format!(
        "[scenario]\nname = \"t\"\nticks = 8\n\
         [model]\ncredibility_recovery = 0\nattitude_decay = 0\n\
         [model.misinformation]\nsource_weight = {source_weight}\n\
         [[actor]]\nid = \"target\"\n\
         [[actor]]\nid = \"checker\"\nbudget = 10\ncredibility = {credibility}\n\
         [[population]]\nid = \"public\"\nsize = 1000000\ninternet = 0.7\nmedia_literacy = 0\n\
         [population.opinion.checker]\nfamiliarity = 0.5\ntrust = {trust}\n\
         [[story]]\nid = \"s\"\nabout = \"target\"\ntransmissibility = 0\nverify = 0\nforget = 0\ninitial_share = 0.3\n\
         [[campaign]]\nid = \"fc\"\nactor = \"checker\"\ninstrument = \"fact_check\"\nchannel = \"digital\"\n\
         story = \"s\"\ntargets = [\"public\"]\nspend = 0.05\n"
    )
}

/// Believers at the start and after the run.
fn believers(text: &str) -> (u64, u64) {
    let mut e = Engine::new(world(text));
    let b0 = e.world.stories.counts[0].b;
    for _ in 0..e.world.ticks {
        e.step();
    }
    (b0, e.world.stories.counts[0].b)
}

#[test]
fn a_distrusted_fact_checker_corrects_fewer_believers_than_a_trusted_one_with_the_same_spend() {
    let (b0, trusted) = believers(&correction_scenario(0.9, 0.9, 1.0));
    let (_, distrusted) = believers(&correction_scenario(0.2, 0.1, 1.0));
    assert!(
        distrusted > trusted,
        "distrusted {distrusted} vs trusted {trusted}"
    );
    // B_t = B_0 exp(−Σκ f): the log-decays stand in the ratio of the source factors
    // f = κ_pa/κ₀, κ_pa = (c + T)/2, as the exposure is the same. Binomial noise on a
    // million people is far below the 3% allowed.
    let decay = |b: u64| (b0 as f64 / b as f64).ln();
    let ratio = decay(trusted) / decay(distrusted);
    let expect = ((0.9 + 0.9) / 2.0) / ((0.2 + 0.1) / 2.0);
    assert!(
        (ratio / expect - 1.0).abs() < 0.03,
        "log-decay ratio {ratio}, expected {expect}"
    );
    assert!(
        decay(distrusted) > 0.01,
        "the distrusted source still corrects"
    );
}

#[test]
fn with_source_weight_zero_every_fact_checker_corrects_alike() {
    let trusted = believers(&correction_scenario(0.9, 0.9, 0.0));
    let distrusted = believers(&correction_scenario(0.2, 0.1, 0.0));
    assert_eq!(trusted, distrusted);
    assert!(trusted.1 < trusted.0, "corrections still work");
}

/// One public of a million people with the given attitude toward the story's target,
/// 1% believing; the story spreads within the public and nothing else acts.
fn spread_scenario(attitude: f64, motivated: f64) -> String {
    format!(
        "[scenario]\nname = \"t\"\nticks = 1\n\
         [model.misinformation]\nmotivated_reasoning = {motivated}\n\
         [[actor]]\nid = \"target\"\n\
         [[population]]\nid = \"public\"\nsize = 1000000\ninternet = 1\nmedia_literacy = 0\n\
         [population.opinion.target]\nfamiliarity = 0.5\ntrust = 0.5\n\
         attitude = [{attitude}, {attitude}, {attitude}]\n\
         [[story]]\nid = \"s\"\nabout = \"target\"\ntransmissibility = 0.5\nplausibility = 0.5\n\
         verify = 0\nforget = 0\ninitial_share = 0.01\n"
    )
}

/// (new believers in the first tick, expected new believers from the S→B hazard, B/N).
fn first_tick(attitude: f64, motivated: f64) -> (f64, f64) {
    let w = world(&spread_scenario(attitude, motivated));
    let fav = w.favourability(0, 0) as f64;
    let c = w.stories.counts[0];
    let n = w.pops.size[0];
    // h_SB = β·ρ·π·(1 + α)·μ, ρ = 1 (all online), π = B/N (self weight 1, no ties).
    let mu = 1.0 + motivated * (-fav).max(0.0);
    let h = 0.5 * (c.b as f64 / n) * 1.5 * mu;
    let expect = c.s as f64 * (1.0 - (-h).exp());
    let mut e = Engine::new(w);
    e.step();
    ((e.world.stories.counts[0].b - c.b) as f64, expect)
}

#[test]
fn a_story_takes_hold_faster_among_audiences_that_dislike_its_target() {
    let (hostile, e_hostile) = first_tick(-0.8, 1.0);
    let (neutral, e_neutral) = first_tick(0.0, 1.0);
    let (friendly, e_friendly) = first_tick(0.6, 1.0);
    assert!(
        hostile > 1.5 * neutral,
        "hostile {hostile} vs neutral {neutral}"
    );
    // A liked target gives no protection beyond the neutral rate.
    assert!((e_friendly - e_neutral).abs() < 1e-9);
    // Each count against its binomial expectation (4 sd of at most √7,500 ≈ 87).
    for (got, want) in [
        (hostile, e_hostile),
        (neutral, e_neutral),
        (friendly, e_friendly),
    ] {
        assert!((got - want).abs() < 4.0 * want.sqrt(), "{got} vs {want}");
    }
}

#[test]
fn without_motivated_reasoning_the_audience_s_view_of_the_target_does_not_matter() {
    let (hostile, _) = first_tick(-0.8, 0.0);
    let (neutral, _) = first_tick(0.0, 0.0);
    assert_eq!(hostile, neutral);
}

/// `count` equal publics of the given literacy, all already half believing a story that
/// "author" seeds and that nobody forgets or verifies. Views neither decay nor (nearly)
/// spread, so trust in the author moves only when the story is traced.
fn attribution_scenario(literacy: f64, rate: f64, count: usize) -> String {
    format!(
        "[scenario]\nname = \"t\"\nticks = 20\n\
         [model]\ncredibility_recovery = 0\nattitude_decay = 0\n\
         [model.misinformation]\nattribution_rate = {rate}\nattribution_cost = 0.3\n\
         attribution_trust_harm = 0.2\nliteracy_protection = 0\n\
         [[actor]]\nid = \"target\"\n\
         [[actor]]\nid = \"author\"\nbudget = 10\ncredibility = 0.6\n\
         [[generate]]\nprefix = \"g\"\ncount = {count}\ngraph = {{ model = \"watts_strogatz\", k = 2, p = 0 }}\n\
         size = 1000\nstubbornness = 0\nself_weight = 1000000\n\
         media_literacy = {literacy}\n\
         [generate.opinion.author]\nfamiliarity = 0.5\ntrust = 0.5\n\
         [[story]]\nid = \"s\"\nabout = \"target\"\ntransmissibility = 0\nverify = 0\nforget = 0\ninitial_share = 0.5\n\
         [[campaign]]\nid = \"seed\"\nactor = \"author\"\ninstrument = \"misinformation\"\n\
         story = \"s\"\ntargets = [\"group:g\"]\nspend = 0.01\n"
    )
}

/// (credibility of the author after the run, populations where the story was traced).
fn traced_run(literacy: f64, rate: f64, count: usize) -> (f32, usize, Engine) {
    let mut e = Engine::new(world(&attribution_scenario(literacy, rate, count)));
    for _ in 0..e.world.ticks {
        e.step();
    }
    let k = e
        .world
        .stories
        .traced
        .iter()
        .filter(|&&t| t != NOT_TRACED)
        .count();
    (e.world.actors.credibility[1], k, e)
}

#[test]
fn an_author_whose_story_is_traced_loses_credibility_more_where_audiences_are_literate() {
    let m = 400;
    let (literate, k_lit, e) = traced_run(0.9, 0.05, m);
    let (illiterate, k_ill, _) = traced_run(0.1, 0.05, m);
    assert!(literate < illiterate, "{literate} vs {illiterate}");
    assert!(illiterate < 0.6, "even a little literacy traces some");
    for (lit, k) in [(0.9f64, k_lit), (0.1, k_ill)] {
        // Traced at most once per population, with probability a = r·λ per tick:
        // K ~ Bin(m, 1 − (1 − a)^20).
        let p = 1.0 - (1.0 - 0.05 * lit).powi(20);
        let mean = m as f64 * p;
        let sd = (m as f64 * p * (1.0 - p)).sqrt();
        assert!((k as f64 - mean).abs() < 4.0 * sd, "λ {lit}: {k} vs {mean}");
    }
    // Each tracing multiplies credibility by 1 − c_X·N_p/N = 1 − 0.3/m.
    let expect = 0.6 * (1.0 - 0.3 / m as f64).powi(k_lit as i32);
    assert!(
        ((literate as f64) / expect - 1.0).abs() < 1e-4,
        "{literate} vs {expect}"
    );
    // Where it was traced the audience's trust falls by h_X of itself: 0.5 → 0.4.
    let w = &e.world;
    let (mut traced, mut not) = (0, 0);
    for p in 0..m {
        let (t, want) = if w.stories.traced[p] == NOT_TRACED {
            not += 1;
            (w.opinions.trust(p, 1), 0.5)
        } else {
            traced += 1;
            (w.opinions.trust(p, 1), 0.4)
        };
        assert!(
            (t - want).abs() < 1e-4,
            "population {p}: trust {t}, expected {want}"
        );
    }
    assert!(traced > 0 && not > 0);
}

#[test]
fn with_attribution_rate_zero_no_story_is_traced_and_credibility_holds() {
    let (c, k, _) = traced_run(0.9, 0.0, 50);
    assert_eq!(k, 0);
    assert_eq!(c, 0.6);
}

fn softpower() -> Command {
    Command::cargo_bin("softpower").unwrap()
}

#[test]
fn attributions_are_listed_and_byte_identical_on_1_and_3_threads_at_3000_populations() {
    let dir = tempfile::tempdir().unwrap();
    let mut runs = Vec::new();
    for t in ["1", "3"] {
        let out = dir.path().join(t);
        softpower()
            .args(["run", "tests/data/split_3000.toml", "--no-plots"])
            .args(["--no-attribution", "--threads", t, "--out"])
            .arg(&out)
            .assert()
            .success();
        runs.push(out);
    }
    let traced = std::fs::read_to_string(runs[0].join("traced_stories.csv")).unwrap();
    let mut lines = traced.lines();
    assert_eq!(lines.next(), Some("tick,story,about,author,population"));
    assert!(lines.count() > 10, "stories are traced in many populations");
    let summary = std::fs::read_to_string(runs[0].join("summary.json")).unwrap();
    assert!(summary.contains("\"traced_stories.csv\""));
    for name in [
        "timeseries.csv",
        "populations.csv",
        "summary.json",
        "traced_stories.csv",
    ] {
        let first = std::fs::read(runs[0].join(name)).unwrap();
        assert!(
            std::fs::read(runs[1].join(name)).unwrap() == first,
            "{name} differs between 1 and 3 threads"
        );
    }
}

#[test]
fn with_attribution_off_no_traced_stories_file_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let src = std::fs::read_to_string("tests/data/split_3000.toml")
        .unwrap()
        .replacen(
            "[[actor]]",
            "[model.misinformation]\nattribution_rate = 0\n\n[[actor]]",
            1,
        )
        .replace("ticks = 30", "ticks = 3");
    let file = dir.path().join("off.toml");
    std::fs::write(&file, src).unwrap();
    let out = dir.path().join("out");
    softpower()
        .args(["run", "--no-plots", "--out"])
        .arg(&out)
        .arg(&file)
        .assert()
        .success();
    assert!(out.join("summary.json").is_file());
    assert!(!out.join("traced_stories.csv").exists());
}
