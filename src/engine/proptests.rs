//! Properties that hold for all inputs: no panic on any scenario text, values stay in
//! range, mass is conserved, and results do not depend on the thread count.

use super::phases::MIN_POPS_PER_TASK;
use super::{Engine, on_threads};
use crate::scenario::preflight::estimate_memory;
use crate::scenario::{Overrides, parse_checked, parse_str};
use crate::world::build;
use crate::world::testkit::{RICH, assert_valid, world};
use proptest::prelude::*;
use std::path::Path;

/// The commands that simulate refuse (in their preflight) what does not fit the machine;
/// the properties below run what a small machine would accept.
const MEMORY_LIMIT: u64 = 512 << 20;

/// Replaces one number in the scenario text (the likeliest way users break a file).
fn mutate_number(text: &str, which: usize, value: &str) -> String {
    let mut spans = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit()
            && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_'))
        {
            let s = i;
            while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.' || b[i] == b'_') {
                i += 1;
            }
            spans.push((s, i));
        } else {
            i += 1;
        }
    }
    let (s, e) = spans[which % spans.len()];
    format!("{}{}{}", &text[..s], value, &text[e..])
}

fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("0".to_string()),
        Just("-1".to_string()),
        Just("nan".to_string()),
        Just("inf".to_string()),
        Just("1e30".to_string()),
        Just("4294967296".to_string()),
        Just("0.0000001".to_string()),
        (-5.0f64..5.0).prop_map(|x| format!("{x}")),
        (0u64..2_000_000).prop_map(|x| x.to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Any edited number either is rejected with an error or simulates within range.
    #[test]
    fn edited_scenarios_never_panic(which in 0usize..400, value in number()) {
        let text = mutate_number(RICH, which, &value);
        if let Ok((_, sc)) = parse_checked(&text, Path::new("p.toml"), &Overrides { seed: None, ticks: Some(6) }) {
            prop_assume!(estimate_memory(&sc) < MEMORY_LIMIT);
            let mut e = Engine::new(build(&sc));
            for _ in 0..6 {
                e.step();
            }
            assert_valid(&e.world);
        }
    }

    /// Deleting a line (a missing field or table) never panics either.
    #[test]
    fn truncated_scenarios_never_panic(drop in 0usize..200) {
        let text: String = RICH.lines().enumerate().filter(|(i, _)| *i != drop).map(|(_, l)| format!("{l}\n")).collect();
        if let Ok((_, sc)) = parse_checked(&text, Path::new("p.toml"), &Overrides { seed: None, ticks: Some(4) }) {
            prop_assume!(estimate_memory(&sc) < MEMORY_LIMIT);
            let mut e = Engine::new(build(&sc));
            for _ in 0..4 {
                e.step();
            }
            assert_valid(&e.world);
        }
    }

    /// Random bytes are rejected, not a crash.
    #[test]
    fn garbage_is_an_error(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let text = String::from_utf8_lossy(&bytes);
        prop_assert!(parse_str(&text, Path::new("g.toml"), &Overrides::default()).is_err());
    }

    /// The same seed gives the same state on 1 and 3 threads; any seed keeps invariants.
    #[test]
    fn thread_count_does_not_change_results(seed in any::<u64>()) {
        let mut w = world(RICH);
        w.seed = seed;
        let run = |threads: usize| {
            on_threads(threads, None, || {
                let mut e = Engine::new(w.clone());
                for _ in 0..12 {
                    e.step();
                }
                e
            })
        };
        let (a, b) = (run(1), run(3));
        assert_valid(&a.world);
        prop_assert_eq!(&a.world.opinions.x, &b.world.opinions.x);
        prop_assert_eq!(&a.world.opinions.familiarity, &b.world.opinions.familiarity);
        prop_assert_eq!(&a.world.stories.counts, &b.world.stories.counts);
        prop_assert_eq!(&a.world.actors.credibility, &b.world.actors.credibility);
    }
}

/// A scenario in which every phase and instrument is on, with the given social and
/// contagion models (`None`: the soft-power defaults) and persistence parameters above 0.
fn rich_with(social: Option<&str>, contagion: Option<&str>) -> String {
    let mut model = String::from("[model]\nconfidence = 0.6\npair_rounds = 3\nself_weight = 0.5\n");
    if let Some(sm) = social {
        model += &format!("social_model = \"{sm}\"\n");
    }
    if let Some(cm) = contagion {
        model += &format!("contagion_model = \"{cm}\"\n");
    }
    // Durable messaging and fading durable gains on, so their phases are split too.
    model += "[model.messaging]\ndurable_share = 0.3\n[model.exchange]\ndurable_decay = 0.05\n";
    RICH.replacen("[[actor]]", &format!("{model}\n[[actor]]"), 1)
        .replace("transmissibility = 2.0", "transmissibility = 0.9")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// With tasks of a few populations, even this small world is split among threads; the
    /// state after 10 ticks is that of one thread with the default task size, bit for bit.
    #[test]
    fn small_tasks_split_small_worlds_without_changing_results(
        seed in any::<u64>(),
        task in 1usize..16,
        social in 0usize..5,
        contagion in 0usize..5,
    ) {
        let social = [None, Some("hegselmann_krause"), Some("deffuant"), Some("voter"), Some("bounded_confidence")][social];
        let contagion = [None, Some("sir"), Some("maki_thompson"), Some("daley_kendall"), Some("hoax")][contagion];
        let mut w = world(&rich_with(social, contagion));
        w.seed = seed;
        prop_assert!(w.pops.len() > 2 * task);
        let run = |threads: usize, task: usize| {
            on_threads(threads, Some(task), || {
                let mut e = Engine::new(w.clone());
                for _ in 0..10 {
                    e.step();
                }
                e
            })
        };
        let (one, split) = (run(1, MIN_POPS_PER_TASK), run(3, task));
        assert_valid(&split.world);
        prop_assert_eq!(&one.world.opinions.x, &split.world.opinions.x);
        prop_assert_eq!(&one.world.opinions.familiarity, &split.world.opinions.familiarity);
        prop_assert_eq!(&one.world.stories.counts, &split.world.stories.counts);
        prop_assert_eq!(&one.world.actors.credibility, &split.world.actors.credibility);
        prop_assert_eq!(&one.world.relations, &split.world.relations);
    }
}

/// Every classic model on a world large enough to be split among threads (several tasks of
/// `MIN_POPS_PER_TASK` populations and several voter blocks): identical on 1 and 3 threads,
/// within range and mass-conserving, with all instruments and phases on.
#[test]
fn classic_models_are_thread_count_independent() {
    let social = [
        "hegselmann_krause",
        "deffuant",
        "voter",
        "bounded_confidence",
        "voter\"\nvoter_update = \"asynchronous",
    ];
    let contagion = ["sir", "maki_thompson", "daley_kendall", "hoax", "sir"];
    for (i, (sm, cm)) in social.iter().zip(contagion).enumerate() {
        let text = RICH
            .replacen(
                "[[actor]]",
                &format!(
                    "[model]\nsocial_model = \"{sm}\"\ncontagion_model = \"{cm}\"\nconfidence = 0.6\npair_rounds = 3\nself_weight = 0.5\n\n[[actor]]"
                ),
                1,
            )
            .replacen("count = 40", "count = 3000", 1)
            .replace("transmissibility = 2.0", "transmissibility = 0.9");
        let mut w = world(&text);
        w.seed = 11 + i as u64;
        let run = |threads: usize| {
            on_threads(threads, None, || {
                let mut e = Engine::new(w.clone());
                for _ in 0..8 {
                    e.step();
                    assert_valid(&e.world);
                }
                e
            })
        };
        let (a, b) = (run(1), run(3));
        assert_eq!(a.world.opinions.x, b.world.opinions.x, "{sm}");
        assert_eq!(a.world.stories.counts, b.world.stories.counts, "{cm}");
        assert_ne!(a.world.opinions.x, w.opinions.x, "{sm} moved nothing");
    }
}
