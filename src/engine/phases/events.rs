//! Events phase: scheduled shocks.
//!
//! A scandal (hack-and-leak) multiplies the actor's credibility by `1 - severity` and the
//! trust each population places in it by `1 - severity × (0.5 + 0.5 × internet)`: leaks
//! travel further where more people are online; half of that loss also lowers the trust
//! anchor, so a scandal leaves lasting damage (healing only as fast as
//! `exchange.durable_decay` returns anchors to their start). A crisis adds `boost` to one dimension's
//! salience weight (before renormalising to sum 1) from its tick until it ends.

use super::par_rows;
use crate::world::{Shock, World};
use rayon::prelude::*;

pub fn run(w: &mut World, t: u32) {
    let mut salience_changes = false;
    for i in 0..w.shocks.len() {
        match &w.shocks[i] {
            Shock::Scandal {
                tick,
                actor,
                severity,
            } if *tick == t => {
                let (a, sev) = (*actor as usize, *severity);
                w.actors.credibility[a] *= 1.0 - sev;
                let k = w.opinions.k;
                let mut o = std::mem::take(&mut w.opinions);
                let internet = &w.pops.internet;
                par_rows(&mut o, |p, row| {
                    let hit = sev * (0.5 + 0.5 * internet[p]);
                    row.x[a * k] *= 1.0 - hit;
                    row.anchor[a * k] *= 1.0 - 0.5 * hit;
                });
                w.opinions = o;
            }
            Shock::Crisis { tick, end, .. } if *tick == t || *end == t => salience_changes = true,
            _ => {}
        }
    }
    if salience_changes {
        recompute_salience(w, t);
    }
}

fn recompute_salience(w: &mut World, t: u32) {
    let d = w.dims();
    w.pops.salience.copy_from_slice(&w.pops.salience_base);
    for sh in &w.shocks {
        if let Shock::Crisis {
            tick,
            end,
            dimension,
            boost,
            pops,
        } = sh
            && *tick <= t
            && t < *end
        {
            for &p in pops {
                w.pops.salience[p as usize * d + *dimension as usize] += boost;
            }
        }
    }
    w.pops
        .salience
        .par_chunks_mut(d)
        .with_min_len(super::task_size())
        .for_each(|row| {
            let s: f32 = row.iter().sum();
            if s > 0.0 {
                row.iter_mut().for_each(|x| *x /= s);
            }
        });
}
