//! What listening campaigns have heard and what adaptive campaigns did with it
//! (docs/MODEL.md 3.10). Sized when the world is built, so the tick loop allocates nothing
//! while the run stays within `World::ticks`.

use super::Campaign;
use crate::model::Instrument;

/// Marks "none" in the index arrays.
pub const NONE: u32 = u32::MAX;

/// One estimate a listener keeps: (listening campaign, audience, metric).
#[derive(Debug, Clone, Copy)]
pub struct Slot {
    pub campaign: u32,
    pub audience: u32,
    pub metric: u32,
}

/// One row of `listening.csv`: what the listener saw at `tick`, and the truth then.
#[derive(Debug, Clone, Copy)]
pub struct Heard {
    pub tick: u32,
    pub slot: u32,
    pub estimate: f64,
    pub truth: f64,
}

/// One row of `adaptive_spend.csv`.
#[derive(Debug, Clone, Copy)]
pub struct Spent {
    pub tick: u32,
    pub adaptive: u32,
    pub audience: u32,
    pub spend: f64,
}

/// An adaptive campaign's state.
#[derive(Debug, Clone)]
pub struct Adaptive {
    pub campaign: u32,
    /// Listener slot of the rule's metric for each audience.
    pub slot_of: Vec<u32>,
    /// People per audience.
    pub people: Vec<f64>,
    /// Share s_g of the spend on each audience (sums to 1).
    pub share: Vec<f64>,
    /// Estimate ê_g at the last reallocation (NaN: none yet).
    pub base: Vec<f64>,
    /// Spend on each audience since the last reallocation.
    pub window_spend: Vec<f64>,
    /// Intensity I_g on each audience this tick.
    pub intensity: Vec<f32>,
    /// Audience of each of the campaign's targets (aligned with `targets`).
    pub audience_of_target: Vec<u32>,
    /// The tick the stop rule ended the campaign.
    pub stopped: Option<u32>,
}

#[derive(Debug, Clone, Default)]
pub struct Listen {
    pub slots: Vec<Slot>,
    /// Per campaign: its first slot (`NONE` unless listening).
    pub first_slot: Vec<u32>,
    /// Per slot: the last L + 1 measured values (biased, noiseless), by tick mod (L + 1),
    /// starting at `ring_off[slot]`; `ring_tick` says which tick each holds.
    pub ring: Vec<f64>,
    pub ring_tick: Vec<u32>,
    pub ring_off: Vec<u32>,
    /// Per slot: the latest estimate seen (NaN before the first).
    pub estimate: Vec<f64>,
    pub adaptive: Vec<Adaptive>,
    /// Per campaign: its index in `adaptive` (`NONE` when it carries no rule).
    pub adaptive_of: Vec<u32>,
    pub heard: Vec<Heard>,
    pub spent: Vec<Spent>,
}

impl Listen {
    pub fn new(campaigns: &[Campaign], pop_size: &[f64], ticks: u32) -> Self {
        let mut l = Listen {
            first_slot: vec![NONE; campaigns.len()],
            adaptive_of: vec![NONE; campaigns.len()],
            ..Default::default()
        };
        for (ci, c) in campaigns.iter().enumerate() {
            let Some(spec) = &c.listen else { continue };
            if c.instrument != Instrument::Listening {
                continue;
            }
            l.first_slot[ci] = l.slots.len() as u32;
            for g in 0..c.audiences.len() {
                for m in 0..spec.metrics.len() {
                    l.slots.push(Slot {
                        campaign: ci as u32,
                        audience: g as u32,
                        metric: m as u32,
                    });
                    l.ring_off.push(l.ring.len() as u32);
                    let n = spec.lag as usize + 1;
                    l.ring.extend(std::iter::repeat_n(f64::NAN, n));
                    l.ring_tick.extend(std::iter::repeat_n(NONE, n));
                }
            }
        }
        l.estimate = vec![f64::NAN; l.slots.len()];
        let mut spend_rows = 0;
        for (ci, c) in campaigns.iter().enumerate() {
            let Some(a) = &c.adapt else { continue };
            let Some(lc) = campaigns.get(a.listener as usize) else {
                continue;
            };
            let (Some(ls), first) = (&lc.listen, l.first_slot[a.listener as usize]) else {
                continue;
            };
            // The rule's audiences are the listener's audiences of the same text.
            let slot_of = c
                .audiences
                .iter()
                .map(|(name, _)| {
                    lc.audiences
                        .iter()
                        .position(|(n, _)| n == name)
                        .map_or(NONE, |g| first + (g * ls.metrics.len()) as u32 + a.metric)
                })
                .collect();
            let people: Vec<f64> = c
                .audiences
                .iter()
                .map(|(_, ps)| ps.iter().map(|&p| pop_size[p as usize]).sum())
                .collect();
            let total: f64 = people.iter().sum();
            let n = c.audiences.len();
            let mut audience_of_target = vec![0u32; c.targets.len()];
            for (g, (_, ps)) in c.audiences.iter().enumerate() {
                for p in ps {
                    if let Ok(i) = c.targets.binary_search(p) {
                        audience_of_target[i] = g as u32;
                    }
                }
            }
            l.adaptive_of[ci] = l.adaptive.len() as u32;
            l.adaptive.push(Adaptive {
                campaign: ci as u32,
                slot_of,
                // Spread per person, as a campaign without rules spends.
                share: people
                    .iter()
                    .map(|&x| {
                        if total > 0.0 {
                            x / total
                        } else {
                            1.0 / n as f64
                        }
                    })
                    .collect(),
                people,
                base: vec![f64::NAN; n],
                window_spend: vec![0.0; n],
                intensity: vec![0.0; n],
                audience_of_target,
                stopped: None,
            });
            spend_rows += n;
        }
        l.heard.reserve(l.slots.len() * ticks as usize);
        l.spent.reserve(spend_rows * ticks as usize);
        l
    }

    /// Whether anything listens or adapts (else the outputs are left out).
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty() && self.adaptive.is_empty()
    }

    /// Whether the stop rule has ended campaign `ci`.
    #[inline]
    pub fn stopped(&self, ci: usize) -> bool {
        let i = self.adaptive_of[ci];
        i != NONE && self.adaptive[i as usize].stopped.is_some()
    }

    /// The intensity of a campaign that shifts spend, at population `p` (None for others).
    #[inline]
    pub fn intensity_at(&self, ci: usize, c: &Campaign, p: usize) -> Option<f32> {
        let i = *self.adaptive_of.get(ci)?;
        if i == NONE {
            return None;
        }
        let a = &self.adaptive[i as usize];
        c.adapt.as_ref()?.shift?;
        let t = c.targets.binary_search(&(p as u32)).ok()?;
        Some(a.intensity[a.audience_of_target[t] as usize])
    }
}
