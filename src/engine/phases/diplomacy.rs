//! Diplomacy phase: public opinion presses governments.
//!
//! For each actor b with home populations, its stance toward every other actor a drifts
//! toward what its public thinks: r_ba += ρ·(H_ba − r_ba), where
//! H_ba = Σ_p N_p·F_pa·fav_pa / Σ_p N_p over b's home populations: people press their
//! government only about actors they know (familiarity F). This is how
//! winning foreign publics can turn into recognition or alliance (public diplomacy's
//! indirect route to policy).

use crate::engine::Scratch;
use crate::world::World;

pub fn run(w: &mut World, s: &mut Scratch) {
    let rho = w.params.public_pressure;
    if rho <= 0.0 {
        return;
    }
    let n = w.actors.len();
    for b in 0..n {
        let homes = &w.actors.home_pops[b];
        if homes.is_empty() {
            continue;
        }
        let people: f64 = homes.iter().map(|&p| w.pops.size[p as usize]).sum();
        let acc = &mut s.favourability_home;
        acc.iter_mut().for_each(|x| *x = 0.0);
        for &p in homes {
            let p = p as usize;
            for (a, slot) in acc.iter_mut().enumerate() {
                let known = w.opinions.familiarity[p * n + a] as f64;
                *slot += w.pops.size[p] * known * w.favourability(p, a) as f64;
            }
        }
        for (a, pressure) in acc.iter().enumerate() {
            if a != b {
                let r = &mut w.relations[b * n + a];
                // Settled like every geometric decay (phases/mod.rs): a stance drifting to 0
                // would otherwise end among subnormal floats (1.3e-44).
                *r = super::settle((*r + rho * ((pressure / people) as f32 - *r)).clamp(-1.0, 1.0));
            }
        }
    }
}
