//! Messaging phase: broadcast and digital campaigns.
//!
//! For a campaign of actor a reaching share E of population p (see `exposure`):
//! familiarity F += E·g_F·(1 − F); persuasion s = κ·fit, where κ = (credibility_a + trust_pa)/2
//! is source credibility as the audience sees it (Hovland & Weiss 1951) and fit is the
//! value fit between actor and audience; with backfire enabled s becomes κ·fit − θ, so a
//! low-credibility or ill-fitting message pushes attitudes the wrong way.
//! Trust moves by E·g_T·s and each attitude by E·g_A·s·emphasis_d, saturating at the bounds.
//! Messaging does not move the anchor: its effect fades unless reinforced.

use super::{exposure, for_each_campaign, push01, push11, value_fit};
use crate::engine::Scratch;
use crate::model::Instrument;
use crate::world::World;

pub fn run(w: &mut World, s: &Scratch) {
    let k = w.opinions.k;
    for_each_campaign(w, s, Instrument::Messaging, |w, p, row, c, intensity| {
        let a = c.actor as usize;
        let e = exposure(w, a, c.channel, p, intensity);
        if e <= 0.0 {
            return;
        }
        let pr = &w.params;
        row.fam[a] = push01(row.fam[a], e * pr.msg_familiarity_gain);
        let blk = &mut row.x[a * k..(a + 1) * k];
        let kappa = 0.5 * (w.actors.credibility[a] + blk[0]);
        let mut sway = kappa * value_fit(w, a, p);
        if let Some(theta) = pr.msg_backfire {
            sway -= theta;
        }
        blk[0] = push01(blk[0], e * pr.msg_trust_gain * sway);
        for (v, em) in blk[1..].iter_mut().zip(&c.emphasis) {
            *v = push11(*v, e * pr.msg_attitude_gain * sway * em);
        }
    });
}
