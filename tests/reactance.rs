//! Propaganda as perceived (docs/MODEL.md 3.2): a campaign that reaches more of an audience
//! than the licence κ·T it grants the source is felt as pressure, and the share beyond it
//! reacts. So a heavy campaign by a distrusted state lowers its soft-power index where a
//! light one raises it, and costs it credibility; a trusted state's heavy campaign does not.

use softpower::engine::Engine;
use softpower::metrics::actor_stats;
use softpower::scenario::{Overrides, parse_checked};
use softpower::world::build;
use std::path::Path;

/// One foreign public of a million people, a state of the given credibility whom it trusts
/// at `trust` and likes a little, and (spend > 0) a digital campaign of that state.
fn scenario(credibility: f64, trust: f64, spend: f64, reactance: bool) -> String {
    let campaign = if spend > 0.0 {
        format!(
            "[[campaign]]\nid = \"c\"\nactor = \"s\"\ninstrument = \"messaging\"\nchannel = \"digital\"\ntargets = [\"public\"]\nspend = {spend}\n"
        )
    } else {
        String::new()
    };
    format!(
        "[scenario]\nname = \"t\"\nticks = 26\n[model.messaging]\nreactance = {reactance}\n\
         [[actor]]\nid = \"s\"\nbudget = 10\ncredibility = {credibility}\n\
         [[population]]\nid = \"public\"\nsize = 1000000\ninternet = 0.7\n\
         [population.opinion.s]\nfamiliarity = 0.5\ntrust = {trust}\nattitude = [0.2, 0.2, 0.2]\n{campaign}"
    )
}

/// (soft-power index, credibility) of the state after the run.
fn run(credibility: f64, trust: f64, spend: f64, reactance: bool) -> (f64, f32) {
    let text = scenario(credibility, trust, spend, reactance);
    let (_, sc) = parse_checked(&text, Path::new("t.toml"), &Overrides::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let mut e = Engine::new(build(&sc));
    for _ in 0..sc.ticks {
        e.step();
    }
    (
        actor_stats(&e.world)[0].soft_power,
        e.world.actors.credibility[0],
    )
}

// Digital reach 1 × internet 0.7 × intensity 1 − e^{−S/0.25} (one million people):
// spend 0.002 reaches E ≈ 0.006 a week, spend 2 reaches E ≈ 0.7.
const LIGHT: f64 = 0.002;
const HEAVY: f64 = 2.0;

#[test]
fn a_heavy_campaign_by_a_distrusted_state_lowers_its_index_where_a_light_one_raises_it() {
    // Licence κ·T = ((0.2 + 0.1)/2) · 0.1 = 0.015: the light campaign stays within it.
    let (none, c0) = run(0.2, 0.1, 0.0, true);
    let (light, c_light) = run(0.2, 0.1, LIGHT, true);
    let (heavy, c_heavy) = run(0.2, 0.1, HEAVY, true);
    assert!(light > none, "light {light} vs none {none}");
    assert!(heavy < none, "heavy {heavy} vs none {none}");
    assert!(heavy < 0.0, "the public is repelled: {heavy}");
    // The light campaign costs no credibility; the heavy one does.
    assert_eq!(c_light, c0);
    assert!(c_heavy < 0.9 * c0, "credibility {c_heavy} vs {c0}");
}

#[test]
fn without_reactance_the_same_heavy_campaign_raises_the_index() {
    let (none, _) = run(0.2, 0.1, 0.0, false);
    let (heavy, _) = run(0.2, 0.1, HEAVY, false);
    assert!(heavy > none, "heavy {heavy} vs none {none}");
}

#[test]
fn a_trusted_state_may_campaign_heavily() {
    // Licence ((0.9 + 0.9)/2) · 0.9 = 0.81 above the exposure 0.7: nobody reacts.
    let (none, c0) = run(0.9, 0.9, 0.0, true);
    let (heavy, c) = run(0.9, 0.9, HEAVY, true);
    let (heavy_off, _) = run(0.9, 0.9, HEAVY, false);
    assert!(heavy > none);
    assert_eq!(
        heavy, heavy_off,
        "reactance plays no part within the licence"
    );
    assert_eq!(c, c0);
}
