//! One module per phase. Helpers shared by the instrument phases live here.

pub mod budget;
pub mod diplomacy;
pub mod events;
pub mod exchanges;
pub mod forgetting;
pub mod listening;
pub mod messaging;
pub mod misinformation;
pub mod propaganda;
pub mod skip;
pub mod social;

use crate::engine::Scratch;
use crate::model::{Channel, Instrument};
use crate::world::{Campaign, Opinions, World};
use rayon::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Populations per rayon task by default: large enough to amortise scheduling, small
/// enough to balance.
pub const MIN_POPS_PER_TASK: usize = 512;

static TASK_POPS: AtomicUsize = AtomicUsize::new(MIN_POPS_PER_TASK);

/// Populations per rayon task (at least 1). Process-wide, like `simd::set_enabled`: results
/// never depend on it, which is what lowering it in tests shows on small worlds.
pub fn set_task_size(pops: usize) {
    TASK_POPS.store(pops.max(1), Ordering::Relaxed);
}

/// The current number of populations per rayon task (`MIN_POPS_PER_TASK` unless set).
#[inline]
pub fn task_size() -> usize {
    TASK_POPS.load(Ordering::Relaxed)
}

/// Opinion magnitudes below this are set to zero by the phases that decay values
/// geometrically (social influence, forgetting). Decay toward a zero anchor otherwise
/// reaches subnormal floats after a few thousand ticks, which x86 cores process 10–100×
/// slower. 1e-30 is far below f32 resolution elsewhere in [-1, 1] (spacing 6e-8 near 1).
pub const FLOOR: f32 = 1e-30;

/// `v`, or zero when `|v| < FLOOR`.
#[inline(always)]
pub fn settle(v: f32) -> f32 {
    if v.abs() < FLOOR { 0.0 } else { v }
}

/// Moves a value in [0, 1] by `delta` with saturation: gains shrink near 1, losses near 0.
#[inline]
pub fn push01(x: f32, delta: f32) -> f32 {
    let y = if delta >= 0.0 {
        x + delta * (1.0 - x)
    } else {
        x + delta * x
    };
    y.clamp(0.0, 1.0)
}

/// Moves a value in [-1, 1] by `delta` with saturation at both ends.
#[inline]
pub fn push11(x: f32, delta: f32) -> f32 {
    let y = if delta >= 0.0 {
        x + delta * (1.0 - x)
    } else {
        x + delta * (1.0 + x)
    };
    y.clamp(-1.0, 1.0)
}

/// Fit between an actor's values and a population's, in [0, 1]: one minus half the
/// salience-weighted mean absolute distance (values lie in [-1, 1]).
#[inline]
pub fn value_fit(w: &World, a: usize, p: usize) -> f32 {
    let d = w.dims();
    let av = &w.actors.values[a * d..(a + 1) * d];
    let pv = &w.pops.values[p * d..(p + 1) * d];
    let sal = &w.pops.salience[p * d..(p + 1) * d];
    let dist: f32 = av
        .iter()
        .zip(pv)
        .zip(sal)
        .map(|((x, y), s)| s * (x - y).abs())
        .sum();
    (1.0 - 0.5 * dist).clamp(0.0, 1.0)
}

/// Share of population `p` that a campaign of actor `a` on `channel` with the given
/// intensity reaches this tick: media reach × channel access × spend response.
#[inline]
pub fn exposure(w: &World, a: usize, channel: Channel, p: usize, intensity: f32) -> f32 {
    let access = match channel {
        Channel::Broadcast => 1.0,
        Channel::Digital => w.pops.internet[p],
    };
    w.reach(a, channel, p) * access * intensity
}

/// One population's opinion rows (all actors), owned by one task.
pub struct Row<'a> {
    pub fam: &'a mut [f32],
    pub fam_base: &'a mut [f32],
    /// Blocks of `k` values per actor: trust, then attitudes.
    pub x: &'a mut [f32],
    pub anchor: &'a mut [f32],
}

/// Runs `f(p, rows)` for every population in parallel. Each call owns its population's
/// rows, so phases built on this cannot race.
pub fn par_rows<F>(o: &mut Opinions, f: F)
where
    F: Fn(usize, Row) + Sync + Send,
{
    let a = o.actors;
    let r = o.row();
    o.familiarity
        .par_chunks_mut(a)
        .zip(o.familiarity_base.par_chunks_mut(a))
        .zip(o.x.par_chunks_mut(r))
        .zip(o.anchor.par_chunks_mut(r))
        .enumerate()
        .with_min_len(task_size())
        .for_each(|(p, (((fam, fam_base), x), anchor))| {
            f(
                p,
                Row {
                    fam,
                    fam_base,
                    x,
                    anchor,
                },
            )
        });
}

/// Whether any campaign of `instrument` is active this tick.
pub fn any_active(w: &World, s: &Scratch, instrument: Instrument) -> bool {
    w.campaigns
        .iter()
        .zip(&s.active)
        .any(|(c, &on)| on && c.instrument == instrument)
}

/// Calls `f(world, p, rows, campaign, intensity)` for every active campaign of `instrument`
/// that targets population `p`, in campaign order, in parallel over populations.
pub fn for_each_campaign<F>(w: &mut World, s: &Scratch, instrument: Instrument, f: F)
where
    F: Fn(&World, usize, &mut Row, &Campaign, f32) + Sync + Send,
{
    if !any_active(w, s, instrument) {
        return;
    }
    let mut o = std::mem::take(&mut w.opinions);
    let w_ro = &*w;
    par_rows(&mut o, |p, mut row| {
        for &ci in campaigns_of(w_ro, p) {
            let c = &w_ro.campaigns[ci as usize];
            let mut intensity = s.intensity[ci as usize];
            if c.instrument == instrument && intensity > 0.0 {
                // A campaign that shifts spend has an intensity per audience (3.10).
                if let Some(i) = w_ro.listen.intensity_at(ci as usize, c, p) {
                    intensity = i;
                }
                if intensity > 0.0 {
                    f(w_ro, p, &mut row, c, intensity);
                }
            }
        }
    });
    w.opinions = o;
}

/// Campaign indices touching population `p`.
#[inline]
pub fn campaigns_of(w: &World, p: usize) -> &[u32] {
    &w.camp_idx[w.camp_off[p] as usize..w.camp_off[p + 1] as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saturating_pushes_stay_in_range() {
        for &x in &[0.0f32, 0.3, 1.0] {
            for &d in &[-1.0f32, -0.5, 0.0, 0.5, 1.0] {
                let y = push01(x, d);
                assert!((0.0..=1.0).contains(&y));
            }
        }
        for &x in &[-1.0f32, 0.0, 0.7, 1.0] {
            for &d in &[-1.0f32, -0.2, 0.2, 1.0] {
                let y = push11(x, d);
                assert!((-1.0..=1.0).contains(&y));
            }
        }
        assert_eq!(push11(0.0, 0.5), 0.5);
        assert_eq!(push11(0.5, 0.5), 0.75);
        assert_eq!(push01(0.5, -0.5), 0.25);
    }
}
