//! Budget phase: decides which campaigns run this tick, books their spend, and turns
//! spend into intensity with diminishing returns.

use crate::engine::Scratch;
use crate::model::Instrument;
use crate::world::World;

/// Messaging-like intensity: share of the reachable audience exposed,
/// `1 - exp(-spend / (cost × audience in millions))` (diminishing returns, saturating at 1).
pub fn media_intensity(spend: f64, cost_per_million: f64, audience: f64) -> f32 {
    if audience <= 0.0 || spend <= 0.0 {
        return 0.0;
    }
    (1.0 - (-spend / (cost_per_million * audience / 1.0e6)).exp()) as f32
}

/// Exchange intensity: participants this tick as a share of the targeted people, at most 1.
pub fn participant_share(spend: f64, cost_per_participant: f64, audience: f64) -> f32 {
    if audience <= 0.0 {
        return 0.0;
    }
    (spend / cost_per_participant / audience).min(1.0) as f32
}

pub fn run(w: &mut World, s: &mut Scratch, spent: &mut [f64], t: u32) {
    super::listening::decide(w, t);
    let pr = &w.params;
    for (i, c) in w.campaigns.iter().enumerate() {
        // A campaign its stop rule ended spends nothing more (3.10).
        let on = c.active(t) && !w.listen.stopped(i);
        s.active[i] = on;
        s.intensity[i] = if !on {
            0.0
        } else if c.instrument == Instrument::Exchange {
            participant_share(c.spend, pr.ex_cost_per_participant, c.audience)
        } else {
            media_intensity(c.spend, pr.msg_cost[c.channel.index()], c.audience)
        };
        if on {
            spent[c.actor as usize * Instrument::ALL.len() + c.instrument.index()] += c.spend;
        }
    }
    super::listening::allocate(w, s, t);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intensity_has_diminishing_returns() {
        let a = media_intensity(1.0, 1.0, 1.0e6);
        let b = media_intensity(2.0, 1.0, 1.0e6);
        assert!((a as f64 - (1.0 - (-1.0f64).exp())).abs() < 1e-6);
        assert!(
            b > a && b - a < a,
            "doubling spend adds less than the first unit"
        );
        assert_eq!(media_intensity(0.0, 1.0, 1.0e6), 0.0);
        assert_eq!(participant_share(10.0, 1.0, 5.0), 1.0);
    }
}
