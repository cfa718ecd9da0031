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

use crate::model::survey::{Members, Unit, net_view, phi};
use crate::world::{NO_HOME, World};
use rayon::prelude::*;

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

/// Remembers Φ(x / σ) of the last f32 inputs seen, as `NetViews` remembers net views:
/// classic models repeat a handful of favourabilities (the voter model's ±1 times a
/// salience) and trusts, and Φ is the costliest part of the survey series. A hit returns
/// the bits a fresh evaluation gives. `shift` maps the input first: x for favourability,
/// 2x − 1 for trust (as `measures` does).
#[derive(Debug, Clone, Copy)]
struct Phis {
    spread: f64,
    trust: bool,
    key: [u64; 8],
    val: [f64; 8],
}

impl Phis {
    fn new(spread: f64, trust: bool) -> Self {
        Phis {
            spread,
            trust,
            key: [EMPTY; 8],
            val: [0.0; 8],
        }
    }
    #[inline]
    fn get(&mut self, x: f32) -> f64 {
        let bits = x.to_bits();
        let i = (bits.wrapping_mul(0x9E37_79B9) >> 29) as usize;
        if self.key[i] != bits as u64 {
            self.key[i] = bits as u64;
            let x = x as f64;
            let z = if self.trust { 2.0 * x - 1.0 } else { x };
            self.val[i] = phi(z / self.spread);
        }
        self.val[i]
    }
}

/// The memos of Φ a pass over populations keeps: favourability's and trust's.
#[derive(Debug, Clone, Copy)]
struct Memo(Phis, Phis);

impl Memo {
    fn new(spread: f64) -> Self {
        Memo(Phis::new(spread, false), Phis::new(spread, true))
    }
}

/// Population p's (heard_of, favourable, confidence) toward actor a times its people,
/// N_p · m_pa: the term every unit's sum adds. m_pa is `model::survey::measures`, with
/// its two Φ values remembered (`measures_are_the_memo_s_bits` checks they agree).
#[inline]
fn weighted(w: &World, p: usize, a: usize, memo: &mut Memo) -> [f64; 3] {
    let n_act = w.actors.len();
    let f = w.opinions.familiarity[p * n_act + a] as f64;
    let m = [
        f,
        f * memo.0.get(w.favourability(p, a)),
        f * memo.1.get(w.opinions.trust(p, a)),
    ];
    let n = w.pops.size[p];
    m.map(|x| n * x)
}

/// Σ N m / Σ N of a unit from its sums [Σ N m (3), Σ N]; a unit without people reports 0.
#[inline]
fn mean(s: [f64; 4]) -> [f64; 3] {
    if s[3] <= 0.0 {
        return [0.0; 3];
    }
    [s[0] / s[3], s[1] / s[3], s[2] / s[3]]
}

/// `[unit][actor]` (flattened, unit-major) shares of (heard_of, favourable, confidence).
/// A unit without people reports 0. Each unit sums its populations in index order within
/// each chunk of `CHUNK` population indices and adds the chunks' sums in order: the sums
/// `SeriesRecorder` makes, so `survey.csv` and `timeseries.csv` agree to the bit.
pub fn measure(w: &World, members: &[Vec<u32>], spread: f64) -> Vec<[f64; 3]> {
    let n_act = w.actors.len();
    let mut out = vec![[0.0; 3]; members.len() * n_act];
    let mut memo = Memo::new(spread);
    for (u, ps) in members.iter().enumerate() {
        for a in 0..n_act {
            let mut total = [0.0; 4];
            let mut part = [0.0; 4];
            let mut chunk = None;
            for &p in ps {
                let p = p as usize;
                if chunk != Some(p / CHUNK) {
                    if chunk.is_some() {
                        add(&mut total, &part);
                    }
                    part = [0.0; 4];
                    chunk = Some(p / CHUNK);
                }
                let t = weighted(w, p, a, &mut memo);
                add(&mut part, &[t[0], t[1], t[2], w.pops.size[p]]);
            }
            add(&mut total, &part);
            out[u * n_act + a] = mean(total);
        }
    }
    out
}

/// A one-population unit's measures, summed as `measure` sums them: (0 + N m) / (0 + N).
#[inline]
fn alone(w: &World, p: usize, a: usize, memo: &mut Memo) -> [f64; 3] {
    let t = weighted(w, p, a, memo);
    let mut s = [0.0; 4];
    add(&mut s, &[t[0], t[1], t[2], w.pops.size[p]]);
    mean(s)
}

#[inline]
fn add(to: &mut [f64; 4], x: &[f64; 4]) {
    for i in 0..4 {
        to[i] += x[i];
    }
}

pub use crate::model::survey::POPULATION_SERIES_MAX;

/// The survey-scale series of a run (docs/CALIBRATION.md §1): every actor's
/// (heard_of, favourable, confidence) per group unit, and per population when asked,
/// at every recorded tick. Group units are the generator groups (in their order), then
/// each population without a group, standing for itself (a country). Values are the
/// unit means `measure` gives for the same populations, bit for bit.
///
/// The buffers are sized when it is made: recording a tick allocates nothing (the series
/// have room for the world's configured ticks).
#[derive(Debug, Clone, Default)]
pub struct SeriesRecorder {
    /// Generator groups: the first group units.
    groups: usize,
    /// Populations without a group, in index order: the further group units.
    pub loose: Vec<u32>,
    /// Whether every population's own series is recorded.
    pub populations: bool,
    actors: usize,
    /// Populations whose own series are recorded (0 unless `populations`).
    pops: usize,
    /// `[tick][group unit][actor]`, flattened.
    pub group_series: Vec<[f64; 3]>,
    /// `[tick][population][actor]`, flattened (empty unless `populations`).
    pub population_series: Vec<[f64; 3]>,
    /// Per chunk of populations, `[group][actor]` sums [Σ N m (3), Σ N].
    acc: Vec<[f64; 4]>,
}

impl SeriesRecorder {
    pub fn new(w: &World, populations: bool) -> Self {
        let n_act = w.actors.len();
        let groups = w.group_names.len();
        let loose: Vec<u32> = (0..w.pops.len() as u32)
            .filter(|&p| w.pops.group[p as usize].is_none())
            .collect();
        let ticks = w.ticks as usize + 1;
        let units = groups + loose.len();
        let pops = if populations { w.pops.len() } else { 0 };
        SeriesRecorder {
            groups,
            loose,
            populations,
            actors: n_act,
            pops,
            group_series: Vec::with_capacity(ticks * units * n_act),
            population_series: Vec::with_capacity(ticks * pops * n_act),
            acc: vec![[0.0; 4]; w.pops.len().div_ceil(CHUNK) * groups * n_act],
        }
    }

    /// A recorder that records nothing (`run --no-survey-series`): no units, no rows.
    pub fn off(w: &World) -> Self {
        SeriesRecorder {
            groups: 0,
            loose: Vec::new(),
            populations: false,
            actors: w.actors.len(),
            pops: 0,
            group_series: Vec::new(),
            population_series: Vec::new(),
            acc: Vec::new(),
        }
    }

    /// Group units: generator groups, then the populations without one.
    pub fn units(&self) -> usize {
        self.groups + self.loose.len()
    }

    /// The name of group unit `u` as a `[survey] units` selector, as `survey.csv` names
    /// it: `group:<prefix>` for a generator group, the id of a population without one.
    pub fn unit_name(&self, w: &World, u: usize) -> String {
        if u < self.groups {
            format!("group:{}", w.group_names[u])
        } else {
            w.pops.ids[self.loose[u - self.groups] as usize].clone()
        }
    }

    /// Appends the current tick's series.
    pub fn record(&mut self, w: &World) {
        let n_act = self.actors;
        let spread = w.params.survey_spread;
        let g = self.groups;
        if g > 0 && n_act > 0 {
            // Generator groups: chunks of populations in parallel, each summing its
            // populations in index order; the chunks' sums are then added in order.
            let n_pop = w.pops.len();
            self.acc
                .par_chunks_mut(g * n_act)
                .enumerate()
                .for_each(|(c, acc)| {
                    acc.fill([0.0; 4]);
                    let mut memo = Memo::new(spread);
                    for p in c * CHUNK..((c + 1) * CHUNK).min(n_pop) {
                        let Some(gr) = w.pops.group[p] else { continue };
                        let n = w.pops.size[p];
                        let row = &mut acc[gr as usize * n_act..(gr as usize + 1) * n_act];
                        for (a, slot) in row.iter_mut().enumerate() {
                            let t = weighted(w, p, a, &mut memo);
                            add(slot, &[t[0], t[1], t[2], n]);
                        }
                    }
                });
            for u in 0..g * n_act {
                let mut total = [0.0; 4];
                for part in self.acc.chunks_exact(g * n_act) {
                    add(&mut total, &part[u]);
                }
                self.group_series.push(mean(total));
            }
        }
        // A population on its own: N m / N, as `measure` gives a one-population unit.
        let mut memo = Memo::new(spread);
        for &p in &self.loose {
            let p = p as usize;
            for a in 0..n_act {
                self.group_series.push(alone(w, p, a, &mut memo));
            }
        }
        if self.populations {
            for p in 0..w.pops.len() {
                for a in 0..n_act {
                    self.population_series.push(alone(w, p, a, &mut memo));
                }
            }
        }
    }

    /// Group unit `u`'s measures toward `actor` at the `i`-th recorded tick.
    pub fn group(&self, i: usize, u: usize, actor: usize) -> [f64; 3] {
        self.group_series[(i * self.units() + u) * self.actors + actor]
    }

    /// Population `p`'s measures toward `actor` at the `i`-th recorded tick (`populations`
    /// must be on).
    pub fn population(&self, i: usize, p: usize, actor: usize) -> [f64; 3] {
        self.population_series[(i * self.pops + p) * self.actors + actor]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::survey::measures;

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

    /// The remembered Φ of favourability and trust give `measures`' own bits.
    #[test]
    fn measures_are_the_memo_s_bits() {
        for spread in [0.05, 0.5, 3.0] {
            let mut memo = Memo::new(spread);
            for i in 0..3_000 {
                let fav = ((i as f32 * 0.618_034).fract() * 2.0 - 1.0)
                    * if i % 4 == 0 { 0.0 } else { 1.0 };
                let trust = [(i as f32 * 0.414_213).fract(), 0.5, 1.0, 0.0][i % 4];
                let want = measures(0.7, trust as f64, fav as f64, spread);
                let got = [0.7, 0.7 * memo.0.get(fav), 0.7 * memo.1.get(trust)];
                assert_eq!(
                    got.map(f64::to_bits),
                    want.map(f64::to_bits),
                    "{fav} {trust}"
                );
            }
        }
    }
}
