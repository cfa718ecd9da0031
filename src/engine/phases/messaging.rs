//! Messaging phase: broadcast and digital campaigns.
//!
//! For a campaign of actor a reaching share E of population p (see `exposure`):
//! familiarity F += E·g_F·(1 − F); persuasion s = κ·fit, where κ = (credibility_a + trust_pa)/2
//! is source credibility as the audience sees it (Hovland & Weiss 1951) and fit is the
//! value fit between actor and audience; with backfire enabled s becomes κ·fit − θ, so a
//! low-credibility or ill-fitting message pushes attitudes the wrong way.
//! Trust moves by E·g_T·s and each attitude by E·g_A·s·emphasis_d, saturating at the bounds.
//! A share η_M = `durable_share` of each change also moves the anchor and the background
//! familiarity, as for exchanges (F⁰ ⊕= η_M·E·g_F, u_T ⊕= η_M·ΔT, u_d ⊕= η_M·Δx_d, with Δ
//! the push applied to the value itself). With η_M = 0 (the default) messaging never moves
//! the anchor, so its effect fades unless reinforced; otherwise a single campaign tick
//! leaves η_M of its push once forgetting has run its course (docs/MODEL.md 3.2).
//!
//! Reactance (propaganda as perceived; on unless a scenario sets `reactance = false`): the audience grants the
//! source a licence λ = κ·T_pa, the share of it the source may reach in a tick before the
//! campaign is felt as pressure. The share ψ = max(0, E − λ)/E of those exposed perceive
//! propaganda: only E(1 − ψ) = min(E, λ) are persuaded, and the E·ψ who react lower trust
//! and attitudes by h_R:
//!   T ⊕= E(1 − ψ)·g_T·s − E·ψ·h_R,   x_d ⊕= (E(1 − ψ)·g_A·s − E·ψ·h_R)·emphasis_d
//! and the actor's credibility falls by the reacting share of the campaign's audience:
//!   c_a ← c_a·(1 − c_R·Σ_p N_p E_p ψ_p / N_k)
//! judged on the state at the start of the phase (ψ_p from tick-start trust).

use super::{exposure, for_each_campaign, push01, push11, value_fit};
use crate::engine::Scratch;
use crate::model::Instrument;
use crate::world::World;

/// Share ψ of those exposed (share `e` of the population) who perceive the campaign as
/// propaganda: the exposure beyond the licence κ·T the audience grants the source.
#[inline]
pub fn reacting(e: f32, kappa: f32, trust: f32) -> f32 {
    let licence = kappa * trust;
    if e > licence { (e - licence) / e } else { 0.0 }
}

pub fn run(w: &mut World, s: &mut Scratch) {
    let k = w.opinions.k;
    if let Some((_, cost)) = w.params.msg_reactance {
        credibility_losses(w, s, cost);
    }
    for_each_campaign(w, s, Instrument::Messaging, |w, p, row, c, intensity| {
        let a = c.actor as usize;
        let e = exposure(w, a, c.channel, p, intensity);
        if e <= 0.0 {
            return;
        }
        let pr = &w.params;
        let df = e * pr.msg_familiarity_gain;
        row.fam[a] = push01(row.fam[a], df);
        let blk = &mut row.x[a * k..(a + 1) * k];
        let kappa = 0.5 * (w.actors.credibility[a] + blk[0]);
        let mut sway = kappa * value_fit(w, a, p);
        if let Some(theta) = pr.msg_backfire {
            sway -= theta;
        }
        // Pushes (trust, per unit emphasis on attitudes) before emphasis.
        let (dt, da) = match pr.msg_reactance {
            None => (
                e * pr.msg_trust_gain * sway,
                e * pr.msg_attitude_gain * sway,
            ),
            Some((harm, _)) => {
                let psi = reacting(e, kappa, blk[0]);
                let (persuaded, reacted) = (e * (1.0 - psi), e * psi);
                (
                    persuaded * pr.msg_trust_gain * sway - reacted * harm,
                    persuaded * pr.msg_attitude_gain * sway - reacted * harm,
                )
            }
        };
        blk[0] = push01(blk[0], dt);
        for (v, em) in blk[1..].iter_mut().zip(&c.emphasis) {
            *v = push11(*v, da * em);
        }
        let eta = pr.msg_durable_share;
        if eta > 0.0 {
            row.fam_base[a] = push01(row.fam_base[a], df * eta);
            let ablk = &mut row.anchor[a * k..(a + 1) * k];
            ablk[0] = push01(ablk[0], dt * eta);
            for (u, em) in ablk[1..].iter_mut().zip(&c.emphasis) {
                *u = push11(*u, da * em * eta);
            }
        }
    });
    if w.params.msg_reactance.is_some() {
        for (c, &loss) in w.campaigns.iter().zip(&s.reactance_loss) {
            let a = c.actor as usize;
            w.actors.credibility[a] =
                (w.actors.credibility[a] * (1.0 - loss as f32)).clamp(0.0, 1.0);
        }
    }
}

/// Per messaging campaign: c_R times the share of its targeted people who react, from the
/// state at the start of the phase (summed over targets in order: deterministic).
fn credibility_losses(w: &World, s: &mut Scratch, cost: f32) {
    let k = w.opinions.k;
    let n_act = w.opinions.actors;
    for (ci, c) in w.campaigns.iter().enumerate() {
        s.reactance_loss[ci] = 0.0;
        let intensity = s.intensity[ci];
        if c.instrument != Instrument::Messaging || !s.active[ci] || intensity <= 0.0 {
            continue;
        }
        let a = c.actor as usize;
        let reacted: f64 = c
            .targets
            .iter()
            .map(|&p| {
                let p = p as usize;
                let i = w.listen.intensity_at(ci, c, p).unwrap_or(intensity);
                let e = exposure(w, a, c.channel, p, i);
                if e <= 0.0 {
                    return 0.0;
                }
                let trust = w.opinions.x[(p * n_act + a) * k];
                let kappa = 0.5 * (w.actors.credibility[a] + trust);
                w.pops.size[p] * (e * reacting(e, kappa, trust)) as f64
            })
            .sum();
        s.reactance_loss[ci] = cost as f64 * reacted / c.audience;
    }
}

#[cfg(test)]
mod tests {
    use super::reacting;

    #[test]
    fn the_share_reacting_is_the_exposure_beyond_the_licence() {
        // Licence κ·T = 0.5 · 0.4 = 0.2.
        assert_eq!(reacting(0.1, 0.5, 0.4), 0.0);
        assert_eq!(reacting(0.2, 0.5, 0.4), 0.0);
        assert!((reacting(0.8, 0.5, 0.4) - 0.75).abs() < 1e-6);
        // An audience that trusts nothing feels any campaign as pressure.
        assert_eq!(reacting(0.01, 0.3, 0.0), 1.0);
    }
}
