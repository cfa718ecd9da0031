//! Messaging phase: broadcast and digital campaigns.
//!
//! For a campaign of actor a reaching share E of population p (see `exposure`):
//! familiarity F += E·g_F·(1 − F); persuasion s = κ·fit, where κ = (credibility_a + trust_pa)/2
//! is source credibility as the audience sees it (Hovland & Weiss 1951) and fit is the
//! value fit between actor and audience; with backfire enabled s becomes κ·fit − θ, so a
//! low-credibility or ill-fitting message pushes attitudes the wrong way.
//! Trust moves by E·g_T·s and each attitude by E·g_A·s·emphasis_d, saturating at the bounds.
//! Messaging does not move the anchor: its effect fades unless reinforced.

use super::{campaigns_of, exposure, par_rows, push01, push11, value_fit};
use crate::engine::Scratch;
use crate::scenario::Instrument;
use crate::world::World;

pub fn run(w: &mut World, s: &Scratch) {
    if !w
        .campaigns
        .iter()
        .zip(&s.active)
        .any(|(c, &on)| on && c.instrument == Instrument::Messaging)
    {
        return;
    }
    let k = w.opinions.k;
    let mut o = std::mem::take(&mut w.opinions);
    let w_ro = &*w;
    let pr = &w_ro.params;
    par_rows(&mut o, |p, row| {
        let (fam, x) = (row.fam, row.x);
        for &ci in campaigns_of(w_ro, p) {
            let c = &w_ro.campaigns[ci as usize];
            if c.instrument != Instrument::Messaging || s.intensity[ci as usize] <= 0.0 {
                continue;
            }
            let a = c.actor as usize;
            let e = exposure(w_ro, a, c.channel, p, s.intensity[ci as usize]);
            if e <= 0.0 {
                continue;
            }
            fam[a] = push01(fam[a], e * pr.msg_familiarity_gain);
            let blk = &mut x[a * k..(a + 1) * k];
            let kappa = 0.5 * (w_ro.actors.credibility[a] + blk[0]);
            let mut sway = kappa * value_fit(w_ro, a, p);
            if let Some(theta) = pr.msg_backfire {
                sway -= theta;
            }
            blk[0] = push01(blk[0], e * pr.msg_trust_gain * sway);
            for (v, em) in blk[1..].iter_mut().zip(&c.emphasis) {
                *v = push11(*v, e * pr.msg_attitude_gain * sway * em);
            }
        }
    });
    w.opinions = o;
}
