//! Word of mouth and bad buzz (docs/MODEL.md 3.6). Familiarity spreads along ties from
//! contacts who know an actor better, F_p ← F_p + μ_F Σ_q W_pq max(0, F_q − F_p), and
//! never falls through them; with a negativity bias b > 0, contacts who think less of an
//! actor weigh (1 + b) in Friedkin–Johnsen averaging, so bad news travels faster than good.
// Matrix code reads best with explicit indices.
#![allow(clippy::needless_range_loop)]

use proptest::prelude::*;
use softpower::engine::{Engine, Phase, PhaseMask};
use softpower::scenario::{Overrides, parse_checked};
use softpower::world::build;
use std::path::Path;

fn engine(text: &str) -> Engine {
    let (_, sc) = parse_checked(text, Path::new("t.toml"), &Overrides::default())
        .unwrap_or_else(|e| panic!("{e}"));
    Engine::new(build(&sc))
}

/// Familiarity of population `id` toward actor 0.
fn familiarity(e: &Engine, id: &str) -> f32 {
    let w = &e.world;
    let p = w.pops.ids.iter().position(|x| x == id).unwrap();
    w.opinions.familiarity[p * w.opinions.actors]
}

/// A state campaigns digitally to `told` only; `friend` is tied to `told`, `loner` to
/// nobody. No population has a home, so familiarity starts at 0.1 everywhere.
fn campaign(mu: f64) -> String {
    format!(
        "[scenario]\nname = \"t\"\nticks = 30\n[model]\nword_of_mouth = {mu}\n\
         [[actor]]\nid = \"s\"\nbudget = 10\n\
         [[population]]\nid = \"told\"\nsize = 1000000\n\
         [[population]]\nid = \"friend\"\nsize = 1000000\n\
         [[population]]\nid = \"loner\"\nsize = 1000000\n\
         [[tie]]\nbetween = [\"told\", \"friend\"]\n\
         [[campaign]]\nid = \"c\"\nactor = \"s\"\ninstrument = \"messaging\"\n\
         channel = \"digital\"\ntargets = [\"told\"]\nspend = 1\n"
    )
}

#[test]
fn familiarity_reaches_a_population_no_campaign_targets_through_its_ties_only() {
    let mut e = engine(&campaign(0.1));
    let start = familiarity(&e, "friend");
    for _ in 0..30 {
        e.step();
    }
    assert!(familiarity(&e, "told") > 0.5, "the campaign works");
    let friend = familiarity(&e, "friend");
    assert!(
        friend > start + 0.05,
        "the friend hears of it: {start} → {friend}"
    );
    // Without a tie nothing reaches the loner: its familiarity never moves from 0.1.
    assert_eq!(familiarity(&e, "loner"), start);
}

#[test]
fn without_word_of_mouth_the_untargeted_public_stays_unaware() {
    let mut e = engine(&campaign(0.0));
    let start = familiarity(&e, "friend");
    for _ in 0..30 {
        e.step();
    }
    assert!(familiarity(&e, "told") > 0.5);
    assert_eq!(familiarity(&e, "friend"), start);
}

/// Populations of one actor on a graph of two-way ties; every value set from the inputs.
fn graph(n: usize, ties: &[(usize, usize, f64)], self_weight: f64, extra: &str) -> String {
    let mut s = format!(
        "[scenario]\nname = \"t\"\nticks = 1\ndimensions = [\"x\"]\n[model]\n\
         self_weight = {self_weight}\nfamiliarity_decay = 0\nattitude_decay = 0\n{extra}\n\
         [[actor]]\nid = \"a\"\n"
    );
    for p in 0..n {
        s += &format!("[[population]]\nid = \"p{p}\"\nsize = 1\nstubbornness = 0\n");
    }
    for &(a, b, w) in ties {
        s += &format!("[[tie]]\nbetween = [\"p{a}\", \"p{b}\"]\nweight = {w}\n");
    }
    s
}

/// Random graphs on up to 8 populations: ties (a ≠ b) with weights, and a self weight.
fn graphs() -> impl Strategy<Value = (usize, Vec<(usize, usize, f64)>, f64)> {
    (2usize..8).prop_flat_map(|n| {
        (
            Just(n),
            prop::collection::vec((0..n, 0..n, 0.1f64..3.0), 0..16)
                .prop_map(|v| v.into_iter().filter(|(a, b, _)| a != b).collect()),
            0.0f64..2.0,
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// One social phase moves familiarity by exactly μ_F Σ_q W_pq max(0, F_q − F_p), with
    /// W computed here from the ties: nobody's familiarity falls, and it stays in [0, 1].
    #[test]
    fn nobodys_familiarity_drops_through_word_of_mouth(
        (n, ties, sw) in graphs(),
        f0 in prop::collection::vec(0.0f32..=1.0, 8),
        mu in 0.0f64..=1.0,
    ) {
        let text = graph(n, &ties, sw, &format!("word_of_mouth = {mu}"));
        let mut e = engine(&text).with_mask(PhaseMask::only(&[Phase::SocialInfluence]));
        e.world.opinions.familiarity[..n].copy_from_slice(&f0[..n]);
        e.step();
        let mut listen = vec![vec![0.0f64; n]; n];
        for &(a, b, w) in &ties {
            listen[a][b] += w;
            listen[b][a] += w;
        }
        for p in 0..n {
            let total = sw + listen[p].iter().sum::<f64>();
            let gain: f64 = if total > 0.0 {
                (0..n)
                    .map(|q| listen[p][q] / total * (f0[q] as f64 - f0[p] as f64).max(0.0))
                    .sum()
            } else {
                0.0
            };
            let got = e.world.opinions.familiarity[p] as f64;
            prop_assert!(got >= f0[p] as f64, "p{p}: {} → {got}", f0[p]);
            prop_assert!(got <= 1.0);
            let want = (f0[p] as f64 + mu * gain).min(1.0);
            prop_assert!((got - want).abs() < 1e-5, "p{p}: {got} vs {want}");
        }
    }

    /// Bad buzz keeps trust in [0, 1] and attitudes in [−1, 1], and one tick of it never
    /// leaves a value above where plain Friedkin–Johnsen would: it only shifts weight from
    /// contacts who think more of the actor to those who think less.
    #[test]
    fn bad_buzz_keeps_values_in_range_and_only_lowers_views(
        (n, ties, sw) in graphs(),
        x0 in prop::collection::vec((0.0f32..=1.0, -1.0f32..=1.0), 8),
        stub in 0.0f32..=1.0,
        b in 0.0f64..=10.0,
    ) {
        let step = |bias: f64| {
            let text = graph(n, &ties, sw, &format!("negativity_bias = {bias}"));
            let mut e = engine(&text).with_mask(PhaseMask::only(&[Phase::SocialInfluence]));
            for p in 0..n {
                e.world.opinions.x[2 * p] = x0[p].0;
                e.world.opinions.x[2 * p + 1] = x0[p].1;
                e.world.pops.stubbornness[p] = stub;
            }
            e.world.opinions.anchor = e.world.opinions.x.clone();
            e.step();
            e.world.opinions.x
        };
        let (biased, plain) = (step(b), step(0.0));
        for p in 0..n {
            prop_assert!((0.0..=1.0).contains(&biased[2 * p]));
            prop_assert!((-1.0..=1.0).contains(&biased[2 * p + 1]));
            for i in [2 * p, 2 * p + 1] {
                prop_assert!(biased[i] <= plain[i] + 1e-6, "{} vs {}", biased[i], plain[i]);
            }
        }
    }
}

/// A path of 12 populations, all neutral but the first, which holds `shock`; attitudes of
/// the others after 8 ticks of social influence alone.
fn spread(shock: f32, b: f64) -> Vec<f32> {
    let ties: Vec<_> = (0..11).map(|p| (p, p + 1, 1.0)).collect();
    let text = graph(12, &ties, 1.0, &format!("negativity_bias = {b}"));
    let mut e = engine(&text).with_mask(PhaseMask::only(&[Phase::SocialInfluence]));
    e.world.opinions.x[1] = shock;
    e.world.opinions.anchor = e.world.opinions.x.clone();
    for _ in 0..8 {
        e.step();
    }
    (1..12).map(|p| e.world.opinions.x[2 * p + 1]).collect()
}

#[test]
fn with_a_negativity_bias_bad_news_spreads_further_than_equally_good_news() {
    let (good, bad) = (spread(0.8, 1.0), spread(-0.8, 1.0));
    // Every population the news reached holds the bad news more strongly than the good.
    for (p, (g, b)) in good.iter().zip(&bad).enumerate() {
        assert!(-b >= *g, "p{}: good {g}, bad {b}", p + 1);
    }
    let reach = |v: &[f32]| v.iter().map(|x| x.abs()).sum::<f32>();
    assert!(reach(&bad) > 1.2 * reach(&good), "{bad:?} vs {good:?}");
    // The first neighbour moves faster. It weighs itself, the source and its other
    // neighbour (still neutral) at 1 each: good news moves it by d/3, bad news, with the
    // source weighing 1 + b = 2, by 2d/4 (docs/MODEL.md 3.6): a ratio of 3/2.
    let first = |s: f32| {
        let ties: Vec<_> = (0..11).map(|p| (p, p + 1, 1.0)).collect();
        let mut e = engine(&graph(12, &ties, 1.0, "negativity_bias = 1"))
            .with_mask(PhaseMask::only(&[Phase::SocialInfluence]));
        e.world.opinions.x[1] = s;
        e.world.opinions.anchor = e.world.opinions.x.clone();
        e.step();
        e.world.opinions.x[3]
    };
    let ratio = -first(-0.8) / first(0.8);
    assert!((ratio - 1.5).abs() < 1e-5, "ratio {ratio}");
}

#[test]
fn without_a_negativity_bias_bad_and_good_news_spread_alike() {
    let (good, bad) = (spread(0.8, 0.0), spread(-0.8, 0.0));
    for (g, b) in good.iter().zip(&bad) {
        assert_eq!(-b, *g);
    }
    // In 8 ticks the news travels 8 ties down the path, and no further.
    assert!(
        good[..8].iter().all(|&g| g > 0.0),
        "the news travels: {good:?}"
    );
    assert!(
        good[8..].iter().all(|&g| g == 0.0),
        "one tie per tick: {good:?}"
    );
}

#[test]
fn a_negativity_bias_is_refused_outside_friedkin_johnsen() {
    let text = graph(
        2,
        &[(0, 1, 1.0)],
        1.0,
        "social_model = \"voter\"\nnegativity_bias = 1",
    );
    let Err(err) = parse_checked(&text, Path::new("t.toml"), &Overrides::default()) else {
        panic!("a voter model with bad buzz is refused");
    };
    let err = err.to_string();
    assert!(err.contains("negativity_bias"), "{err}");
}

/// 3,000 populations on a Barabási–Albert graph, a home public and a campaign, with word
/// of mouth and bad buzz: the state after 6 ticks, as bits.
fn big_run(threads: usize) -> (Vec<u32>, Vec<u32>) {
    let text = "[scenario]\nname = \"t\"\nticks = 6\n[model]\nnegativity_bias = 1.5\n\
        [[actor]]\nid = \"s\"\nbudget = 10\n[[actor]]\nid = \"r\"\n\
        [[population]]\nid = \"home\"\nsize = 1000\nhome = \"s\"\n\
        [[generate]]\nprefix = \"g\"\ncount = 3000\ngraph = { model = \"barabasi_albert\", m = 3 }\n\
        [generate.opinion.s]\nfamiliarity = { dist = \"uniform\", min = 0.0, max = 0.6 }\n\
        trust = { dist = \"uniform\", min = 0.1, max = 0.9 }\n\
        attitude = [{ dist = \"uniform\", min = -1, max = 1 }]\n\
        [[tie]]\nbetween = [\"home\", \"g_0\"]\n\
        [[campaign]]\nid = \"c\"\nactor = \"s\"\ninstrument = \"messaging\"\n\
        channel = \"digital\"\ntargets = [\"g_1\", \"g_2\"]\nspend = 0.001\n";
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| {
        let mut e = engine(text);
        for _ in 0..6 {
            e.step();
        }
        let bits = |v: &[f32]| v.iter().map(|f| f.to_bits()).collect();
        (
            bits(&e.world.opinions.familiarity),
            bits(&e.world.opinions.x),
        )
    })
}

#[test]
fn word_of_mouth_and_bad_buzz_give_the_same_bits_on_one_and_three_threads() {
    let one = big_run(1);
    assert_eq!(one, big_run(3));
}
