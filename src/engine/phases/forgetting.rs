//! Forgetting phase: familiarity decays toward its background level (F ← F + δ_F·(F₀ − F));
//! trust and attitudes
//! decay toward their anchor (x ← x + δ_A·(u − x)), so campaign effects fade unless
//! renewed while anchored (exchange) gains stay; actor credibility recovers toward its
//! base value (c ← c + r·(c₀ − c)), a geometric repair of reputation (docs/MODEL.md 3.8).
//! Results below `FLOOR` in magnitude become zero (see there).

use super::{par_rows, settle};
use crate::world::World;

pub fn run(w: &mut World) {
    let (df, da) = (w.params.familiarity_decay, w.params.attitude_decay);
    if df > 0.0 || da > 0.0 {
        par_rows(&mut w.opinions, |_, row| {
            for (f, f0) in row.fam.iter_mut().zip(row.fam_base.iter()) {
                *f = settle(*f + df * (f0 - *f));
            }
            for (xi, ui) in row.x.iter_mut().zip(row.anchor.iter()) {
                *xi = settle(*xi + da * (ui - *xi));
            }
        });
    }
    let r = w.params.credibility_recovery;
    for (c, c0) in w
        .actors
        .credibility
        .iter_mut()
        .zip(&w.actors.credibility_base)
    {
        *c = settle(*c + r * (c0 - *c));
    }
}
