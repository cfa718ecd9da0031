//! Forgetting phase, in this order (docs/MODEL.md 3.8):
//!   durable gains fade (only when δ_u = `durable_decay` > 0): the background familiarity
//!   and the anchor relax toward their starting values,
//!     F⁰ ← F⁰ + δ_u·(F⁰⁽⁰⁾ − F⁰),   u ← u + δ_u·(u⁽⁰⁾ − u),
//!   so a durable gain g left at tick t₀ is g·(1 − δ_u)^(t − t₀) at tick t;
//!   familiarity decays toward its background level, F ← F + δ_F·(F⁰ − F);
//!   trust and attitudes decay toward their anchor, x ← x + δ_A·(u − x),
//! so campaign effects fade unless renewed while anchored (durable) gains stay or fade at
//! δ_u; actor credibility recovers toward its base value, c ← c + r·(c₀ − c), a geometric
//! repair of reputation. Results below `FLOOR` in magnitude become zero (see there).

use super::{par_rows, settle, task_size};
use crate::world::World;
use rayon::prelude::*;

pub fn run(w: &mut World) {
    let du = w.params.durable_decay;
    if du > 0.0 {
        relax_durable(w, du);
    }
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

/// Relaxes background familiarity and anchors toward the values they started with (kept
/// at build time whenever δ_u > 0). Element-wise, so chunking cannot change results.
fn relax_durable(w: &mut World, du: f32) {
    let o = &mut w.opinions;
    // The build keeps the start values whenever δ_u > 0: a world whose δ_u was raised
    // afterwards has none, and relaxing toward nothing would silently do nothing.
    assert_eq!(o.anchor_start.len(), o.anchor.len(), "anchor start values");
    assert_eq!(o.familiarity_base_start.len(), o.familiarity_base.len());
    let relax = |(v, v0): (&mut [f32], &[f32])| {
        for (v, v0) in v.iter_mut().zip(v0) {
            *v = settle(*v + du * (v0 - *v));
        }
    };
    let (fa, ra) = (o.actors, o.row());
    o.familiarity_base
        .par_chunks_mut(fa)
        .zip(o.familiarity_base_start.par_chunks(fa))
        .with_min_len(task_size())
        .for_each(relax);
    o.anchor
        .par_chunks_mut(ra)
        .zip(o.anchor_start.par_chunks(ra))
        .with_min_len(task_size())
        .for_each(relax);
}
