//! Ties that exchanges open, media reach and government stances.

use super::populations::Ties;
use crate::model::checked::CheckedScenario;
use crate::model::{Channel, Instrument, PopClass};
use crate::world::{Actors, World, exchange_ties};

/// Each exchange ties its targets to at most `exchange_ties::HOME_LINKS` of the actor's
/// home populations, at weight 0 until exchanges strengthen it.
pub(super) fn exchange_ties(
    sc: &CheckedScenario,
    actors: &Actors,
    ties: &mut Vec<(u32, u32, f32)>,
) {
    for c in &sc.campaigns {
        if c.instrument == Instrument::Exchange {
            let home = &actors.home_pops[c.actor as usize];
            ties.extend(
                exchange_ties::links(&c.targets, home)
                    .into_iter()
                    .map(|(t, h)| (t, h, 0.0)),
            );
        }
    }
}

/// Raw tie weights scaled by class (docs/MODEL.md, Graph): p hears q at
/// `ω'_pq = l_c(p) · v_c(q) · ω_pq`, with `v` = `[model.voice]` and `l` = `[model.listening]`.
/// Returns the two-way ties and the one-way ties `(speaker, listener, weight)`; a two-way
/// tie whose ends get different factors becomes two one-way ties. With every factor 1 the
/// ties come back untouched, so W is exactly what it was without classes. Scaling the raw
/// weights once here keeps W row-stochastic (rows are normalised after) and the tick as is.
pub(super) fn class_weighted(
    sc: &CheckedScenario,
    class: &[PopClass],
    two_way: Ties,
) -> (Ties, Ties) {
    let (v, l) = (sc.voice, sc.listening);
    if v.iter().chain(&l).all(|&f| f == 1.0) {
        return (two_way, sc.one_way_ties.clone());
    }
    // How much `listener` hears `speaker`, per unit of raw weight.
    let factor = |listener: u32, speaker: u32| {
        l[class[listener as usize].index()] * v[class[speaker as usize].index()]
    };
    let mut one_way: Ties = sc
        .one_way_ties
        .iter()
        .map(|&(s, h, w)| (s, h, factor(h, s) * w))
        .collect();
    let mut both = Vec::with_capacity(two_way.len());
    for (a, b, w) in two_way {
        let (ab, ba) = (factor(a, b), factor(b, a));
        if ab == ba {
            both.push((a, b, ab * w));
        } else {
            one_way.push((b, a, ab * w));
            one_way.push((a, b, ba * w));
        }
    }
    (both, one_way)
}

/// `[(actor * 2 + channel) * pops + pop]`: the model's default, then every `[[reach]]`.
pub(super) fn reach(sc: &CheckedScenario, n_pop: usize) -> Vec<f32> {
    let n_act = sc.actors.len();
    let mut reach = vec![0.0f32; n_act * 2 * n_pop];
    for a in 0..n_act {
        for ch in Channel::ALL {
            let o = (a * 2 + ch.index()) * n_pop;
            reach[o..o + n_pop].fill(sc.default_reach[ch.index()]);
        }
    }
    for r in &sc.reach {
        let a = r.actor as usize;
        for &p in &r.populations {
            reach[(a * 2 + r.channel.index()) * n_pop + p as usize] = r.weight;
        }
    }
    reach
}

/// Symmetric interests, `[a * actors + b]`.
pub(super) fn interests(sc: &CheckedScenario) -> Vec<f32> {
    let n_act = sc.actors.len();
    let mut interest = vec![0.0f32; n_act * n_act];
    for r in &sc.relations {
        let (a, b) = (r.a as usize, r.b as usize);
        interest[a * n_act + b] = r.interest;
        interest[b * n_act + a] = r.interest;
    }
    interest
}

/// Stances at tick 0: where interest and opinion put them (the targets of
/// docs/MODEL.md 3.7), so that nothing moves while nothing happens; a relation's `stance`
/// sets a pair elsewhere.
pub(super) fn initial_stances(sc: &CheckedScenario, w: &mut World) {
    let n = w.actors.len();
    let (mut target, mut scratch) = (vec![0.0; n], vec![0.0; n]);
    for b in 0..n {
        if w.stance_targets(b, &mut target, &mut scratch) {
            for (a, &t) in target.iter().enumerate() {
                if a != b {
                    w.relations[b * n + a] = (t as f32).clamp(-1.0, 1.0);
                }
            }
        }
    }
    for r in &sc.relations {
        if let Some(s) = r.stance {
            let (a, b) = (r.a as usize, r.b as usize);
            w.relations[a * n + b] = s;
            w.relations[b * n + a] = s;
        }
    }
}
