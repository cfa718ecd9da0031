//! The asynchronous voter model (random sequential updates, N per tick) against the
//! complete-graph mean consensus time from theory, T(ρ) = −(N−1)[ρ ln ρ + (1−ρ) ln(1−ρ)]
//! in units of N updates (the continuum limit of the exit-time equation; Redner 2001,
//! Sood & Redner 2005), and the synchronous rule's being about twice as slow.

use softpower::engine::{Engine, Phase, PhaseMask};
use softpower::scenario::{Overrides, parse_checked};
use softpower::world::{World, build};
use std::path::Path;

const N: usize = 50;
const PLUS: usize = 25;
const RUNS: u64 = 2000;

/// N individuals on a complete graph who never count themselves (self weight 0), PLUS of
/// them at +1 and the rest at −1.
fn complete(update: &str) -> World {
    let text = format!(
        "[scenario]\nname = \"t\"\nticks = 1\ndimensions = [\"x\"]\n\
         [model]\nsocial_model = \"voter\"\nvoter_update = \"{update}\"\nself_weight = 0\nattitude_decay = 0\n\
         [[actor]]\nid = \"a\"\n\
         [[generate]]\nprefix = \"n\"\ncount = {N}\ngraph = {{ model = \"complete\" }}\nstubbornness = 0\n"
    );
    let (_, sc) = parse_checked(&text, Path::new("t.toml"), &Overrides::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let mut w = build(&sc);
    for p in 0..N {
        w.opinions.x[p * 2 + 1] = if p < PLUS { 1.0 } else { -1.0 };
    }
    w
}

/// Ticks until every attitude is equal, over RUNS seeds: (mean, standard error).
fn consensus_time(update: &str) -> (f64, f64) {
    let base = complete(update);
    let times: Vec<f64> = (0..RUNS)
        .map(|seed| {
            let mut w = base.clone();
            w.seed = seed;
            let mut e = Engine::new(w).with_mask(PhaseMask::only(&[Phase::SocialInfluence]));
            loop {
                e.step();
                let s: f32 = (0..N).map(|p| e.world.opinions.x[p * 2 + 1]).sum();
                if s.abs() == N as f32 {
                    return e.tick as f64;
                }
                assert!(e.tick < 100_000, "no consensus");
            }
        })
        .collect();
    let n = times.len() as f64;
    let mean = times.iter().sum::<f64>() / n;
    let var = times.iter().map(|t| (t - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

#[test]
fn asynchronous_voter_consensus_time_matches_the_complete_graph_formula() {
    let rho = PLUS as f64 / N as f64;
    let theory = -(N as f64 - 1.0) * (rho * rho.ln() + (1.0 - rho) * (1.0 - rho).ln());
    // Consensus is seen at the end of a tick (+½ tick on average), and the exact discrete
    // exit time is about ½ tick below the continuum formula: the two offsets cancel to
    // well within the sampling error.
    let (mean, se) = consensus_time("asynchronous");
    eprintln!("asynchronous: {mean:.2} ± {se:.2} ticks, theory {theory:.2}");
    assert!(
        (mean - theory).abs() < 4.0 * se,
        "mean {mean:.2} ± {se:.2} ticks vs theory {theory:.2}"
    );
}

#[test]
fn synchronous_voter_takes_about_twice_as_long_as_the_asynchronous() {
    // Synchronous: Var(Δx) ≈ x(1−x)/N per tick against 2x(1−x)/(N−1) per N asynchronous
    // updates, so the diffusion is half as fast.
    let (sync, se_s) = consensus_time("synchronous");
    let (asy, se_a) = consensus_time("asynchronous");
    let ratio = sync / asy;
    eprintln!("synchronous {sync:.2} ± {se_s:.2}, asynchronous {asy:.2} ± {se_a:.2}");
    let se = ratio * ((se_s / sync).powi(2) + (se_a / asy).powi(2)).sqrt();
    assert!(
        (ratio - 2.0).abs() < 0.1_f64.max(4.0 * se),
        "synchronous {sync:.1} / asynchronous {asy:.1} = {ratio:.3} (± {se:.3})"
    );
}

#[test]
fn asynchronous_updates_apply_to_the_voter_model_only() {
    let text = "[scenario]\nname = \"t\"\nticks = 1\n[model]\nvoter_update = \"asynchronous\"\n\
        [[actor]]\nid = \"a\"\n[[population]]\nid = \"p\"\nsize = 1\n";
    let err = parse_checked(text, Path::new("t.toml"), &Overrides::default())
        .expect_err("refused")
        .to_string();
    assert!(err.contains("voter_update"), "{err}");
}
