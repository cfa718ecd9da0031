//! Survey measures of a world (the observation model of `model::survey`):
//!
//!   heard_of_pa   = F_pa
//!   favourable_pa = F_pa · Φ(fav_pa / σ)
//!   confidence_pa = F_pa · Φ((2 T_pa − 1) / σ)
//!   m_ua          = Σ_{p∈u} N_p · m_pa / Σ_{p∈u} N_p      (unit u: its populations)
//!
//! Sums run over a unit's populations in index order, on one thread, so a value is the
//! same whatever the thread count.
//!
//! Net favourable of actor a over the common audience U (docs/MODEL.md "Net favourable"):
//!
//!   NF_a = 100 · Σ_{p∈U} N_p F_pa (2Φ(fav_pa / σ) − 1) / Σ_{p∈U} N_p F_pa   (0 if Σ = 0)
//!
//! U is the same for every actor: the populations that are no actor's home, or every
//! population when each has a home.

use crate::model::survey::{Members, Unit, measures, net_view};
use crate::world::{NO_HOME, World};

/// Populations per partial sum of net favourable: the chunk of `metrics::actor_stats`.
pub const CHUNK: usize = 4096;

/// The common audience of net favourable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The populations that are no actor's home (third countries): nobody's own public.
    NoHome,
    /// Every population: used when each population is some actor's home.
    Everyone,
}

impl Audience {
    pub fn of(w: &World) -> Audience {
        if w.pops.home.contains(&NO_HOME) {
            Audience::NoHome
        } else {
            Audience::Everyone
        }
    }
    /// Whether a population with home `home` is in the audience.
    #[inline]
    pub fn contains(self, home: u32) -> bool {
        self == Audience::Everyone || home == NO_HOME
    }
    /// The rule in words (summary.json, report).
    pub fn rule(self) -> &'static str {
        match self {
            Audience::NoHome => "populations that are no actor's home",
            Audience::Everyone => "every population (each is some actor's home)",
        }
    }
    /// (populations, people) in the audience.
    pub fn size(self, w: &World) -> (usize, f64) {
        let mut k = 0;
        let mut n = 0.0;
        for p in 0..w.pops.len() {
            if self.contains(w.pops.home[p]) {
                k += 1;
                n += w.pops.size[p];
            }
        }
        (k, n)
    }
}

/// Remembers `net_view` of the last favourabilities seen (σ fixed), for a pass over many
/// populations: classic models and settled states repeat a handful of values (the voter
/// model's are ±1 times a salience), and erf is the costliest part of a tick's record.
/// A hit returns the bits `net_view` returned for the same input, so results are exact.
/// Eight slots, direct-mapped by a multiplicative hash of the f32 bits.
#[derive(Debug, Clone, Copy)]
pub struct NetViews {
    spread: f64,
    /// f32 bits of a favourability, or `EMPTY` (never an f32's bits: it needs 33).
    key: [u64; 8],
    val: [f64; 8],
}

const EMPTY: u64 = u64::MAX;

impl NetViews {
    pub fn new(spread: f64) -> Self {
        NetViews {
            spread,
            key: [EMPTY; 8],
            val: [0.0; 8],
        }
    }
    /// `net_view(fav, σ)`, bit for bit.
    #[inline]
    pub fn get(&mut self, fav: f32) -> f64 {
        let bits = fav.to_bits();
        // Top 3 bits of a Fibonacci hash: values differing only in sign get distinct slots.
        let i = (bits.wrapping_mul(0x9E37_79B9) >> 29) as usize;
        if self.key[i] != bits as u64 {
            self.key[i] = bits as u64;
            self.val[i] = net_view(fav as f64, self.spread);
        }
        self.val[i]
    }
}

/// Adds population p's terms to every actor's [Σ N F (2Φ − 1), Σ N F].
#[inline]
pub fn add_net_terms(w: &World, p: usize, views: &mut NetViews, acc: &mut [[f64; 2]]) {
    let n_act = w.actors.len();
    let n = w.pops.size[p];
    for (a, slot) in acc.iter_mut().enumerate() {
        let f = w.opinions.familiarity[p * n_act + a] as f64;
        if f == 0.0 {
            continue; // nobody here knows a: no term (and no Φ to evaluate)
        }
        let nf = n * f;
        slot[0] += nf * views.get(w.favourability(p, a));
        slot[1] += nf;
    }
}

/// Every actor's [Σ N F (2Φ − 1), Σ N F] over `pops` (None: the common audience), in
/// chunks of `CHUNK` combined in order, as `metrics::actor_stats` sums them. `chunk` is
/// scratch of one row per actor.
pub fn net_sums(w: &World, pops: Option<&[u32]>, chunk: &mut [[f64; 2]], out: &mut [[f64; 2]]) {
    out.fill([0.0; 2]);
    let aud = Audience::of(w);
    let mut views = NetViews::new(w.params.survey_spread);
    let n = pops.map_or(w.pops.len(), <[u32]>::len);
    for c in 0..n.div_ceil(CHUNK) {
        chunk.fill([0.0; 2]);
        for i in c * CHUNK..((c + 1) * CHUNK).min(n) {
            let p = pops.map_or(i, |ps| ps[i] as usize);
            if pops.is_none() && !aud.contains(w.pops.home[p]) {
                continue;
            }
            add_net_terms(w, p, &mut views, chunk);
        }
        for (o, c) in out.iter_mut().zip(chunk.iter()) {
            o[0] += c[0];
            o[1] += c[1];
        }
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    /// The memo returns `net_view`'s own bits, on hits and misses, for values that repeat
    /// (the voter model's ±1), that collide in a slot, and that never repeat.
    #[test]
    fn remembered_net_views_are_the_bits_net_view_gives() {
        let spread = 0.4;
        let mut views = NetViews::new(spread);
        let values = (0..2_000)
            .map(|i| (i as f32 * 0.618_034).fract() * 2.0 - 1.0)
            .chain([1.0, -1.0, 0.0, -0.0, 1e-30, -1e-30, 0.5, -0.5].repeat(50))
            .chain((0..500).map(|i| if i % 3 == 0 { 0.25 } else { -0.75 }));
        let mut hits = 0;
        for fav in values {
            let before = views;
            let got = views.get(fav);
            hits += usize::from(before.key == views.key);
            assert_eq!(
                got.to_bits(),
                net_view(fav as f64, spread).to_bits(),
                "{fav}"
            );
        }
        assert!(hits > 400, "repeated values must hit: {hits}");
    }
}
