//! Survey measures of a world (the observation model of `model::survey`):
//!
//!   heard_of_pa   = F_pa
//!   favourable_pa = F_pa · Φ(fav_pa / σ)
//!   confidence_pa = F_pa · Φ((2 T_pa − 1) / σ)
//!   m_ua          = Σ_{p∈u} N_p · m_pa / Σ_{p∈u} N_p      (unit u: its populations)
//!
//! Sums run over a unit's populations in index order, on one thread, so a value is the
//! same whatever the thread count.

use crate::model::survey::{Members, Unit, measures};
use crate::world::World;

/// The populations of each unit, in index order.
pub fn members(w: &World, units: &[Unit]) -> Vec<Vec<u32>> {
    units
        .iter()
        .map(|u| match u.members {
            Members::One(p) => vec![p],
            Members::Range(a, b) => (a..b).collect(),
            Members::Home(a) => (0..w.pops.len() as u32)
                .filter(|&p| w.pops.home[p as usize] == a)
                .collect(),
        })
        .collect()
}

/// `[unit][actor]` (flattened, unit-major) shares of (heard_of, favourable, confidence).
/// A unit without people reports 0.
pub fn measure(w: &World, members: &[Vec<u32>], spread: f64) -> Vec<[f64; 3]> {
    let n_act = w.actors.len();
    let mut out = vec![[0.0; 3]; members.len() * n_act];
    for (u, ps) in members.iter().enumerate() {
        let people: f64 = ps.iter().map(|&p| w.pops.size[p as usize]).sum();
        if people <= 0.0 {
            continue;
        }
        for a in 0..n_act {
            let mut s = [0.0; 3];
            for &p in ps {
                let p = p as usize;
                let m = measures(
                    w.opinions.familiarity[p * n_act + a] as f64,
                    w.opinions.trust(p, a) as f64,
                    w.favourability(p, a) as f64,
                    spread,
                );
                let n = w.pops.size[p];
                for i in 0..3 {
                    s[i] += n * m[i];
                }
            }
            out[u * n_act + a] = s.map(|x| x / people);
        }
    }
    out
}
