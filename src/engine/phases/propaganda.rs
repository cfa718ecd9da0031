//! Hostile propaganda phase.
//!
//! Actor a attacks actor b in population p with exposure E. Resistance comes from media
//! literacy: r = 1 − θ·literacy. With source credibility κ = (credibility_a + trust_pa)/2,
//! trust in b falls by E·r·κ·h_T and b's attitudes by E·r·κ·h_A·emphasis_d. Literate
//! audiences see through it: trust in a falls by E·literacy·c_x, and a's credibility
//! falls by c_x times the share of the campaign's audience that is exposed and literate.

use super::{exposure, for_each_campaign, push01, push11};
use crate::engine::Scratch;
use crate::model::Instrument;
use crate::world::World;

pub fn run(w: &mut World, s: &Scratch) {
    let k = w.opinions.k;
    for_each_campaign(w, s, Instrument::Propaganda, |w, p, row, c, intensity| {
        let (a, b) = (c.actor as usize, c.against as usize);
        let e = exposure(w, a, c.channel, p, intensity);
        if e <= 0.0 {
            return;
        }
        let pr = &w.params;
        let lit = w.pops.literacy[p];
        let resist = 1.0 - pr.mis_literacy_protection * lit;
        let x = &mut *row.x;
        let kappa = 0.5 * (w.actors.credibility[a] + x[a * k]);
        let hit = e * resist * kappa;
        let blk = &mut x[b * k..(b + 1) * k];
        blk[0] = push01(blk[0], -hit * pr.prop_trust_harm);
        for (v, em) in blk[1..].iter_mut().zip(&c.emphasis) {
            *v = push11(*v, -hit * pr.prop_attitude_harm * em);
        }
        x[a * k] = push01(x[a * k], -e * lit * pr.prop_exposure_cost);
    });

    for (ci, c) in w.campaigns.iter().enumerate() {
        if c.instrument != Instrument::Propaganda || s.intensity[ci] <= 0.0 {
            continue;
        }
        let a = c.actor as usize;
        let seen: f64 = c
            .targets
            .iter()
            .map(|&p| {
                let p = p as usize;
                w.pops.size[p]
                    * (exposure(w, a, c.channel, p, s.intensity[ci]) * w.pops.literacy[p]) as f64
            })
            .sum();
        let loss = (w.params.prop_exposure_cost as f64 * seen / c.audience) as f32;
        w.actors.credibility[a] = (w.actors.credibility[a] * (1.0 - loss)).clamp(0.0, 1.0);
    }
}
