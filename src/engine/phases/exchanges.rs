//! Exchanges phase: cultural, educational and citizen exchanges.
//!
//! A campaign spending S on audience N with cost c per participant enrols a share
//! f = S / (c·N) of each target population per tick. Participants tell their networks,
//! so the share touched is r = min(1, f·(1 + spillover)). Familiarity moves by r, trust by
//! r·g_T and attitudes by r·g_A·(½ + ½·fit) (personal experience matters more than value
//! distance). A share η = `durable_share` of each change also moves the anchor and the
//! background familiarity (F⁰ ⊕= η·r, u_T ⊕= η·r·g_T, u_d ⊕= η·r·g_A·(½ + ½·fit)), so
//! exchange gains outlast messaging gains (η_M, 0 by default). The durable part fades only
//! through δ_u = `durable_decay` (forgetting phase: u ← u + δ_u·(u⁽⁰⁾ − u)), a gain
//! shrinking by (1 − δ_u) per tick; with δ_u = 0 (the default) it never fades.
//! Each tick the ties between targets and the actor's home populations gain
//! f·tie_gain·H/min(H, k) of raw weight: participants keep friends abroad. Each target is
//! tied to at most k = `HOME_LINKS` of the H home populations (`world::exchange_ties`), and
//! the factor H/min(H, k) keeps what a target's ties to the home public gain in total.

use super::{for_each_campaign, push01, push11, value_fit};
use crate::engine::Scratch;
use crate::model::Instrument;
use crate::world::World;
use crate::world::exchange_ties::gain_scale;

pub fn run(w: &mut World, s: &mut Scratch) {
    let k = w.opinions.k;
    for_each_campaign(w, s, Instrument::Exchange, |w, p, row, c, f| {
        let a = c.actor as usize;
        let pr = &w.params;
        let r = (f * (1.0 + pr.ex_spillover)).min(1.0);
        let durable = pr.ex_durable_share;
        row.fam[a] = push01(row.fam[a], r);
        row.fam_base[a] = push01(row.fam_base[a], r * durable);
        let fit = 0.5 + 0.5 * value_fit(w, a, p);
        let blk = &mut row.x[a * k..(a + 1) * k];
        let ablk = &mut row.anchor[a * k..(a + 1) * k];
        let dt = r * pr.ex_trust_gain;
        blk[0] = push01(blk[0], dt);
        ablk[0] = push01(ablk[0], dt * durable);
        let da = r * pr.ex_attitude_gain * fit;
        for j in 1..k {
            blk[j] = push11(blk[j], da);
            ablk[j] = push11(ablk[j], da * durable);
        }
    });
    strengthen_ties(w, s);
}

/// Sequential: rows of home populations are shared by many targets.
fn strengthen_ties(w: &mut World, s: &mut Scratch) {
    let gain = w.params.ex_tie_gain;
    if gain <= 0.0 {
        return;
    }
    for (ci, c) in w.campaigns.iter().enumerate() {
        let f = s.intensity[ci];
        if c.instrument != Instrument::Exchange || f <= 0.0 {
            continue;
        }
        let g = f * gain * gain_scale(w.actors.home_pops[c.actor as usize].len());
        for &[t, h, a, b] in &c.tie_slots {
            w.ties.raw[a as usize] += g;
            w.ties.raw[b as usize] += g;
            s.dirty_rows[t as usize] = true;
            s.dirty_rows[h as usize] = true;
        }
    }
    for c in &w.campaigns {
        for &[t, h, _, _] in &c.tie_slots {
            for r in [t as usize, h as usize] {
                if s.dirty_rows[r] {
                    w.ties.normalise_row(r);
                    s.dirty_rows[r] = false;
                }
            }
        }
    }
}
