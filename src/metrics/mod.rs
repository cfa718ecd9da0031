//! Derived quantities: favourability, the soft-power index, misinformation prevalence,
//! and the per-tick record of them.
//!
//! Soft-power index of actor a (range −1..1), over foreign populations only (home ≠ a):
//!   SP_a = Σ_p N_p · F_pa · T_pa · fav_pa / Σ_p N_p
//! People must know an actor (familiarity F, Brand Finance's "familiarity") and trust it
//! (T: "credibility is the scarcest resource", Nye 2012) before a favourable view
//! (fav, Nye's attraction) turns into influence; the product gates each by the others and
//! weights populations by their number of people. A negative index means repulsion.
//!
//! Net favourable of actor a, in percentage points (−100..100), over one audience U common
//! to every actor (the populations that are no actor's home; everyone if each has one):
//!   NF_a = 100 · Σ_{p∈U} N_p F_pa (2Φ(fav_pa / σ) − 1) / Σ_{p∈U} N_p F_pa   (0 if nobody knows a)
//! the survey reading of the same state: % favourable − % unfavourable among the people who
//! have heard of a (docs/MODEL.md "Net favourable", `survey::net_sums`).
//!
//! Reductions run in fixed-size chunks combined in order, so sums are identical for any
//! thread count.

pub mod survey;

use crate::engine::Engine;
use crate::model::Instrument;
use crate::world::World;
use rayon::prelude::*;
use survey::{Audience, CHUNK, NetViews, POPULATION_SERIES_MAX, SeriesRecorder};

/// Population-weighted means toward one actor.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ActorStats {
    pub soft_power: f64,
    pub familiarity: f64,
    pub trust: f64,
    pub favourability: f64,
    /// Net favourable over the common audience, in percentage points.
    pub net_favourable: f64,
    /// Share of the common audience's people who have heard of the actor, Σ_U N F / Σ_U N.
    pub aware: f64,
}

pub const ACTOR_METRICS: [&str; 7] = [
    "soft_power",
    "familiarity",
    "trust",
    "favourability",
    "credibility",
    "spend_cumulative",
    "net_favourable",
];
/// Column of net favourable in `TickRecord::actors`.
pub const NET_FAVOURABLE: usize = 6;
pub const STORY_METRICS: [&str; 3] = ["believing", "fact_checked", "prebunked"];

/// Population-weighted statistics for every actor, over the populations foreign to it
/// (soft power is attraction abroad; an actor's own public does not count), and net
/// favourable over the common audience.
pub fn actor_stats(w: &World) -> Vec<ActorStats> {
    let aud = Audience::of(w);
    let (_, people) = aud.size(w);
    let mut buf = StatsBuffers::default();
    actor_stats_into(w, aud, people, &mut buf);
    buf.out
}

/// Partial sums of `actor_stats_into`, one row per chunk of populations and actor, kept
/// between ticks so a record allocates nothing once they have their size.
#[derive(Debug, Clone, Default)]
pub struct StatsBuffers {
    acc: Vec<[f64; 5]>,
    net: Vec<[f64; 2]>,
    out: Vec<ActorStats>,
}

/// `actor_stats` with the audience (`aud` and its people, fixed for a world) given and
/// the sums in `buf`. One pass per population: its favourability toward each actor is
/// computed once and serves both the foreign-public sums and net favourable.
pub fn actor_stats_into<'b>(
    w: &World,
    aud: Audience,
    audience_people: f64,
    buf: &'b mut StatsBuffers,
) -> &'b [ActorStats] {
    let n_act = w.actors.len();
    let n_pop = w.pops.len();
    buf.out.clear();
    if n_act == 0 {
        return &buf.out;
    }
    let chunks = n_pop.div_ceil(CHUNK);
    buf.acc.resize(chunks * n_act, [0.0; 5]);
    buf.net.resize(chunks * n_act, [0.0; 2]);
    let spread = w.params.survey_spread;
    buf.acc
        .par_chunks_mut(n_act)
        .zip(buf.net.par_chunks_mut(n_act))
        .enumerate()
        .for_each(|(c, (acc, net))| {
            let mut views = NetViews::new(spread);
            let pops = c * CHUNK..((c + 1) * CHUNK).min(n_pop);
            // One actor at a time, its sums in locals: the adds are those of a pass over
            // populations in order, but no sum waits on a store of the last one.
            for a in 0..n_act {
                let (mut sum, mut net_sum) = ([0.0f64; 5], [0.0f64; 2]);
                for p in pops.clone() {
                    let n = w.pops.size[p];
                    let home = w.pops.home[p];
                    let f = w.opinions.familiarity[p * n_act + a] as f64;
                    let fav = w.favourability(p, a);
                    // Nobody here knows a (F = 0): no net term, and no Φ to evaluate.
                    if aud.contains(home) && f != 0.0 {
                        let nf = n * f;
                        net_sum[0] += nf * views.get(fav);
                        net_sum[1] += nf;
                    }
                    if a == home as usize {
                        continue;
                    }
                    let t = w.opinions.trust(p, a) as f64;
                    let fav = fav as f64;
                    sum[0] += n * f * t * fav;
                    sum[1] += n * f;
                    sum[2] += n * t;
                    sum[3] += n * fav;
                    sum[4] += n;
                }
                (acc[a], net[a]) = (sum, net_sum);
            }
        });
    for a in 0..n_act {
        let mut s = [0.0f64; 5];
        let mut net = [0.0f64; 2];
        for c in 0..chunks {
            let (part, part_net) = (&buf.acc[c * n_act + a], &buf.net[c * n_act + a]);
            for i in 0..5 {
                s[i] += part[i];
            }
            net[0] += part_net[0];
            net[1] += part_net[1];
        }
        let people = if s[4] > 0.0 { s[4] } else { 1.0 };
        buf.out.push(ActorStats {
            soft_power: s[0] / people,
            familiarity: s[1] / people,
            trust: s[2] / people,
            favourability: s[3] / people,
            net_favourable: crate::model::survey::net_favourable(net[0], net[1]),
            aware: if audience_people > 0.0 {
                net[1] / audience_people
            } else {
                0.0
            },
        });
    }
    &buf.out
}

/// Shares of all people believing, fact-checked and prebunked, per story.
pub fn story_shares(w: &World) -> Vec<[f64; 3]> {
    let q = w.stories.len();
    let people: f64 = w.pops.size.iter().sum();
    (0..q)
        .map(|j| {
            let mut s = [0u64; 3];
            for p in 0..w.pops.len() {
                let c = w.stories.counts[p * q + j];
                s[0] += c.b;
                s[1] += c.c;
                s[2] += c.v;
            }
            shares_of(&s, people)
        })
        .collect()
}

/// People believing, fact-checked and prebunked as shares of `people`.
fn shares_of(s: &[u64; 3], people: f64) -> [f64; 3] {
    s.map(|x| x as f64 / people)
}

/// Ordered actor pairs whose relation is worth recording: the first actor has a home
/// public to press it, or the pair has a declared relation (an interest or a stance).
pub fn relation_pairs(w: &World) -> Vec<(usize, usize)> {
    let n = w.actors.len();
    let mut v = Vec::new();
    for b in 0..n {
        for a in 0..n {
            if a != b
                && (!w.actors.home_pops[b].is_empty()
                    || w.relations[b * n + a] != 0.0
                    || w.interest[b * n + a] != 0.0)
            {
                v.push((b, a));
            }
        }
    }
    v
}

/// Everything recorded at one tick (tick 0 is the initial state).
#[derive(Debug, Clone)]
pub struct TickRecord {
    pub tick: u32,
    /// `[actor][metric]` in the order of `ACTOR_METRICS`.
    pub actors: Vec<[f64; 7]>,
    pub stories: Vec<[f64; 3]>,
    pub relations: Vec<f64>,
}

pub use crate::model::TRACE_MAX_POPULATIONS;
pub use crate::model::survey::SurveySeries;

/// The time series of a run.
#[derive(Debug, Clone, Default)]
pub struct Recorder {
    pub pairs: Vec<(usize, usize)>,
    pub ticks: Vec<TickRecord>,
    /// For small scenarios: each population's favourability toward the focal actor,
    /// `[tick][population]` flattened (empty above `TRACE_MAX_POPULATIONS`).
    pub trace: Vec<f32>,
    /// The common audience and its people (fixed for a world: homes and sizes never
    /// change), found at the first record.
    audience: Option<(Audience, f64)>,
    stats: StatsBuffers,
    /// `Engine::opinion_writes` when `stats` was last filled: while it is unchanged the
    /// values the statistics read are too, so they are not recomputed.
    stats_writes: Option<u64>,
    /// Everyone's people, Σ N_p (sizes never change).
    people: Option<f64>,
    /// Survey measures per group and population (`timeseries.csv`).
    pub survey: SeriesRecorder,
}

impl Recorder {
    /// A recorder with each population's survey series when the world has at most
    /// `POPULATION_SERIES_MAX` populations.
    pub fn new(e: &Engine) -> Self {
        Self::with_series(e, SurveySeries::Default)
    }

    /// A recorder whose survey series are those `series` asks for.
    pub fn with_series(e: &Engine, series: SurveySeries) -> Self {
        let w = &e.world;
        let survey = match series {
            SurveySeries::Off => SeriesRecorder::off(w),
            SurveySeries::Populations => SeriesRecorder::new(w, true),
            SurveySeries::Default => SeriesRecorder::new(w, w.pops.len() <= POPULATION_SERIES_MAX),
        };
        let mut r = Recorder {
            pairs: relation_pairs(&e.world),
            ticks: Vec::new(),
            trace: Vec::new(),
            audience: None,
            stats: StatsBuffers::default(),
            stats_writes: None,
            people: None,
            survey,
        };
        r.record(e);
        r
    }

    pub fn record(&mut self, e: &Engine) {
        let w = &e.world;
        let (aud, people) = *self.audience.get_or_insert_with(|| {
            let aud = Audience::of(w);
            (aud, aud.size(w).1)
        });
        let writes = e.opinion_writes();
        let next_tick = self.ticks.last().map(|r| r.tick + 1) == Some(e.tick);
        if !next_tick || self.stats_writes != Some(writes) {
            actor_stats_into(w, aud, people, &mut self.stats);
            self.stats_writes = Some(writes);
        }
        let actors = self
            .stats
            .out
            .iter()
            .enumerate()
            .map(|(a, s)| {
                let spend: f64 = Instrument::ALL.iter().map(|&i| e.spent(a, i)).sum();
                [
                    s.soft_power,
                    s.familiarity,
                    s.trust,
                    s.favourability,
                    w.actors.credibility[a] as f64,
                    spend,
                    s.net_favourable,
                ]
            })
            .collect();
        if w.pops.len() <= TRACE_MAX_POPULATIONS {
            let a = w.focal_actor as usize;
            self.trace
                .extend((0..w.pops.len()).map(|p| w.favourability(p, a)));
        }
        self.survey.record(w);
        let n = w.actors.len();
        self.ticks.push(TickRecord {
            tick: e.tick,
            actors,
            stories: match e.story_totals() {
                Some(totals) => {
                    let people = *self.people.get_or_insert_with(|| w.pops.size.iter().sum());
                    totals.iter().map(|t| shares_of(t, people)).collect()
                }
                None => story_shares(w),
            },
            relations: self
                .pairs
                .iter()
                .map(|&(b, a)| w.relations[b * n + a] as f64)
                .collect(),
        });
    }

    pub fn first(&self) -> &TickRecord {
        &self.ticks[0]
    }
    pub fn last(&self) -> &TickRecord {
        self.ticks.last().expect("the recorder holds tick 0")
    }
    /// Series of one actor metric over time.
    pub fn actor_series(&self, actor: usize, metric: usize) -> Vec<(f64, f64)> {
        self.ticks
            .iter()
            .map(|t| (t.tick as f64, t.actors[actor][metric]))
            .collect()
    }
    pub fn story_series(&self, story: usize, metric: usize) -> Vec<(f64, f64)> {
        self.ticks
            .iter()
            .map(|t| (t.tick as f64, t.stories[story][metric]))
            .collect()
    }
    /// Highest believing share of a story and the tick it happened.
    pub fn story_peak(&self, story: usize) -> (u32, f64) {
        self.ticks
            .iter()
            .map(|t| (t.tick, t.stories[story][0]))
            .fold((0, 0.0), |best, x| if x.1 > best.1 { x } else { best })
    }
}
