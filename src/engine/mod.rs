//! The deterministic tick loop. The engine does no I/O: it advances a `World` one tick
//! at a time through named phases in a fixed order (see `Phase::ORDER`).
//!
//! Determinism: every phase either updates each population from the previous state only
//! (double-buffered where neighbours are read) or reduces in a fixed sequential order, and
//! random draws come from streams keyed by (seed, tick, phase, population). Results are
//! therefore identical for any number of rayon threads.

pub mod phases;
pub use phases::{set_task_size, task_size};
#[cfg(test)]
mod proptests;
pub mod simd;

use crate::model::{ContagionModel, Instrument};
use crate::rng;
use crate::world::{Compartments, Csr, SocialRule, World};

/// The phases of one tick, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Which campaigns are active; spend is booked against budgets.
    Budget,
    /// Scheduled shocks: scandals, crises.
    Events,
    Messaging,
    Exchanges,
    Propaganda,
    /// Seeding, spread, corrections, prebunking and the harm of belief.
    Misinformation,
    /// Friedkin–Johnsen averaging over social ties, or a classic rule (docs/MODEL.md 3.6).
    SocialInfluence,
    /// Publics, elites and interests press governments; decisions (docs/MODEL.md 3.7).
    Diplomacy,
    /// Familiarity and campaign effects decay; credibility recovers.
    Forgetting,
    /// Listening campaigns measure the tick's end state (docs/MODEL.md 3.10).
    Listening,
}

impl Phase {
    pub const ORDER: [Phase; 10] = [
        Phase::Budget,
        Phase::Events,
        Phase::Messaging,
        Phase::Exchanges,
        Phase::Propaganda,
        Phase::Misinformation,
        Phase::SocialInfluence,
        Phase::Diplomacy,
        Phase::Forgetting,
        Phase::Listening,
    ];
    pub fn name(self) -> &'static str {
        match self {
            Phase::Budget => "budget",
            Phase::Events => "events",
            Phase::Messaging => "messaging",
            Phase::Exchanges => "exchanges",
            Phase::Propaganda => "propaganda",
            Phase::Misinformation => "misinformation",
            Phase::SocialInfluence => "social_influence",
            Phase::Diplomacy => "diplomacy",
            Phase::Forgetting => "forgetting",
            Phase::Listening => "listening",
        }
    }
}

/// Phases can be switched off, e.g. to study social influence alone.
#[derive(Debug, Clone, Copy)]
pub struct PhaseMask(pub [bool; Phase::ORDER.len()]);

impl Default for PhaseMask {
    fn default() -> Self {
        PhaseMask([true; Phase::ORDER.len()])
    }
}

impl PhaseMask {
    pub fn only(phases: &[Phase]) -> Self {
        let mut m = [false; Phase::ORDER.len()];
        for p in phases {
            m[Phase::ORDER.iter().position(|x| x == p).unwrap()] = true;
        }
        PhaseMask(m)
    }
    pub fn on(&self, p: Phase) -> bool {
        self.0[Phase::ORDER.iter().position(|x| *x == p).unwrap()]
    }
}

/// Buffers reused every tick, so the loop allocates nothing.
#[derive(Debug, Clone)]
pub struct Scratch {
    pub x_next: Vec<f32>,
    pub active: Vec<bool>,
    /// Per campaign: share of the reachable audience exposed this tick (messaging-like)
    /// or participant share (exchanges).
    pub intensity: Vec<f32>,
    /// Believing and fact-checked shares, `[pop * stories + story]`, side by side so a
    /// tie reads both from one cache line.
    pub frac: Vec<[f32; 2]>,
    /// Diplomacy: a government's target stances, and its elites' view (3.7).
    pub favourability_home: Vec<f64>,
    pub favourability_elite: Vec<f64>,
    /// Hegselmann–Krause: neighbour counts per value; Friedkin–Johnsen with bad buzz:
    /// weight totals per value (empty otherwise).
    pub aux: Vec<f32>,
    /// Word of mouth: familiarity after the social phase (empty when it is off).
    pub f_next: Vec<f32>,
    /// Deffuant: the matching rounds' proposals and lowest keys received.
    pub matchings: phases::social::Matchings,
    /// Voter: the draw tables (running sums of each row's weights), built at first use.
    pub voter_sums: phases::social::VoterSums,
    /// Classic contagion models: compartments after the tick (read the old, write here).
    pub counts_next: Vec<Compartments>,
    /// Classic contagion models: populations that see a believer this tick (the others'
    /// tie sums are zero, so their scans are skipped).
    pub exposed: Vec<bool>,
    /// Tie entries the classic contagion models have read so far (a work count for
    /// throughput reports; skipped rows are not counted).
    pub contagion_tie_visits: u64,
    /// Classic contagion models: for tie entry p→q, the index of the entry q→p (reverse
    /// weights, and the push formulation's way from a source's row to its targets' entries).
    pub mirror: Vec<u32>,
    /// Classic contagion models: populations holding the story this tick, increasing.
    pub sources: Vec<u32>,
    /// Classic contagion models: per (population, story), the tie sums the push left.
    pub tie_sums: Vec<phases::misinformation::TieSums>,
    /// Classic contagion models: push (`Some(true)`) or pull (`Some(false)`) every tick
    /// instead of choosing per tick; results are the same bits either way.
    pub contagion_push: Option<bool>,
    /// Per campaign: the credibility its actor loses this tick to reactance (messaging).
    pub reactance_loss: Vec<f64>,
    /// SIR on individuals: the infected and who is susceptible, kept between ticks.
    pub frontier: phases::misinformation::Frontier,
}

/// A world plus the clock and the bookkeeping of one simulation.
#[derive(Debug, Clone)]
pub struct Engine {
    pub world: World,
    /// Ticks completed.
    pub tick: u32,
    pub mask: PhaseMask,
    /// Cumulative spend, `[actor * 6 + instrument]`.
    pub spent: Vec<f64>,
    /// Wall-clock seconds spent in each phase (`Phase::ORDER`); reported, never read back,
    /// so it cannot affect results.
    pub phase_seconds: [f64; Phase::ORDER.len()],
    key: [u8; 32],
    scratch: Scratch,
    /// Phase runs so far that could write opinions, anchors, familiarity, credibility or
    /// salience (`phases::skip::quiet`): while it stays put, those values stay put.
    writes: u64,
    /// Per phase: `writes` when the phase was last proved to change nothing.
    fixed_at: [Option<u64>; Phase::ORDER.len()],
}

impl Engine {
    pub fn new(world: World) -> Self {
        let p = world.pops.len();
        let q = world.stories.len();
        let scratch = Scratch {
            x_next: vec![0.0; world.opinions.x.len()],
            active: vec![false; world.campaigns.len()],
            intensity: vec![0.0; world.campaigns.len()],
            frac: vec![[0.0; 2]; p * q],
            favourability_home: vec![0.0; world.actors.len()],
            favourability_elite: vec![0.0; world.actors.len()],
            aux: match world.params.social {
                SocialRule::HegselmannKrause(_) => vec![0.0; world.opinions.x.len()],
                SocialRule::FriedkinJohnsen if world.params.negativity_bias > 0.0 => {
                    vec![0.0; world.opinions.x.len()]
                }
                _ => Vec::new(),
            },
            f_next: if world.params.word_of_mouth > 0.0 {
                vec![0.0; world.opinions.familiarity.len()]
            } else {
                Vec::new()
            },
            voter_sums: Default::default(),
            matchings: match world.params.social {
                SocialRule::Deffuant { .. } => phases::social::Matchings::new(p),
                _ => Default::default(),
            },
            // The classic models' per-population buffers are sized at their first use
            // (`misinformation::run`): SIR on individuals draws per tie and never needs them.
            counts_next: Vec::new(),
            contagion_tie_visits: 0,
            exposed: Vec::new(),
            reactance_loss: vec![0.0; world.campaigns.len()],
            mirror: match world.params.contagion {
                ContagionModel::Softpower => Vec::new(),
                _ if q == 0 => Vec::new(),
                _ => mirror(&world.ties),
            },
            sources: match world.params.contagion {
                ContagionModel::Softpower => Vec::new(),
                _ => Vec::with_capacity(p),
            },
            tie_sums: Vec::new(),
            contagion_push: None,
            frontier: Default::default(),
        };
        Engine {
            spent: vec![0.0; world.actors.len() * Instrument::ALL.len()],
            key: rng::key(world.seed),
            world,
            tick: 0,
            mask: PhaseMask::default(),
            phase_seconds: [0.0; Phase::ORDER.len()],
            scratch,
            writes: 0,
            fixed_at: [None; Phase::ORDER.len()],
        }
    }

    pub fn with_mask(mut self, mask: PhaseMask) -> Self {
        self.mask = mask;
        self
    }

    /// Advances one tick through every enabled phase.
    pub fn step(&mut self) {
        let t = self.tick;
        for (i, phase) in Phase::ORDER.into_iter().enumerate() {
            if self.mask.on(phase) {
                let start = std::time::Instant::now();
                // A phase that provably returns every value bit for bit is not run. The
                // proof stands until a phase that could write what it reads has run.
                let fixed = self.fixed_at[i] == Some(self.writes) || {
                    let fixed = phases::skip::unchanged(&self.world, phase);
                    self.fixed_at[i] = fixed.then_some(self.writes);
                    fixed
                };
                if !fixed {
                    let quiet = phases::skip::quiet(&self.world, &self.scratch, phase, t);
                    if !quiet {
                        self.writes += 1;
                    }
                    self.run(phase, t);
                    if phase == Phase::Exchanges && !quiet {
                        // Exchanges strengthen ties: the weights the SIR frontier holds.
                        self.scratch.frontier.ties_changed();
                    }
                }
                self.phase_seconds[i] += start.elapsed().as_secs_f64();
            }
        }
        self.tick += 1;
    }

    /// Runs one phase at tick `t` outside `step` (tests, benchmarks). What the engine keeps
    /// between ticks about the world is forgotten, since the caller may have edited it.
    pub fn run_phase(&mut self, phase: Phase, t: u32) {
        self.edited();
        self.run(phase, t);
    }

    /// To be called after editing `world` between steps: the engine forgets what it keeps
    /// about the world between ticks (skip proofs, the SIR frontier, the writes count the
    /// recorder reuses statistics by), and rebuilds it from the world.
    pub fn edited(&mut self) {
        self.writes += 1;
        self.scratch.frontier.forget();
        self.scratch.voter_sums.forget();
        self.scratch.matchings.forget();
    }

    /// Phase runs so far that could have written opinions, anchors, familiarity,
    /// credibility or salience (edits announced by `edited` count too): equal counts at
    /// two moments mean those values are the same at both.
    pub fn opinion_writes(&self) -> u64 {
        self.writes
    }

    /// People believing, fact-checked and prebunked per story now, when the engine has
    /// kept them as it went (SIR on individuals); `None` otherwise.
    pub fn story_totals(&self) -> Option<&[[u64; 3]]> {
        self.scratch.frontier.totals_at(self.tick)
    }

    fn run(&mut self, phase: Phase, t: u32) {
        let w = &mut self.world;
        let s = &mut self.scratch;
        match phase {
            Phase::Budget => phases::budget::run(w, s, &mut self.spent, t),
            Phase::Events => phases::events::run(w, t),
            Phase::Messaging => phases::messaging::run(w, s),
            Phase::Exchanges => phases::exchanges::run(w, s),
            Phase::Propaganda => phases::propaganda::run(w, s),
            Phase::Misinformation => phases::misinformation::run(w, s, &self.key, t),
            Phase::SocialInfluence => phases::social::run(w, s, &self.key, t),
            Phase::Diplomacy => phases::diplomacy::run(w, s, t),
            Phase::Forgetting => phases::forgetting::run(w),
            Phase::Listening => phases::listening::run(w, &self.key, t),
        }
    }

    /// Tie entries read by a classic contagion model so far (see `Scratch`).
    pub fn contagion_tie_visits(&self) -> u64 {
        self.scratch.contagion_tie_visits
    }

    pub fn spent(&self, actor: usize, instrument: Instrument) -> f64 {
        self.spent[actor * Instrument::ALL.len() + instrument.index()]
    }
}

/// For every tie entry p→q, the index of q→p. Rows are sorted and every tie is stored both
/// ways, so visiting the rows in increasing p meets the mirrors in row q in row q's order:
/// one cursor per row finds each in O(1), where a binary search per entry cost more than a
/// whole SIR epidemic at 100k.
fn mirror(csr: &Csr) -> Vec<u32> {
    let mut next = csr.offsets[..csr.len()].to_vec();
    let mut m = vec![0u32; csr.nbr.len()];
    for p in 0..csr.len() {
        for e in csr.row(p) {
            let q = csr.nbr[e] as usize;
            let k = next[q];
            assert!(
                k < csr.offsets[q + 1] && csr.nbr[k] as usize == p,
                "ties are stored both ways"
            );
            m[e] = k as u32;
            next[q] += 1;
        }
    }
    m
}

/// Runs `f` on a pool of `threads` threads, with `task` populations per rayon task if
/// given (the default restored after): the tests' way of showing that results depend on
/// neither. The task size is process-wide, so tests that leave it alone pass `None`.
#[cfg(test)]
pub(crate) fn on_threads<T: Send>(
    threads: usize,
    task: Option<usize>,
    f: impl FnOnce() -> T + Send,
) -> T {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a test thread pool");
    if let Some(task) = task {
        phases::set_task_size(task);
    }
    let out = pool.install(f);
    if task.is_some() {
        phases::set_task_size(phases::MIN_POPS_PER_TASK);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::testkit::{RICH, assert_valid, world};

    /// Skip proofs and recorded statistics kept while every phase is quiet equal those
    /// checked and computed afresh every tick: SIR on 3,000 people at trust 0 (every
    /// opinion phase provably idle) with a messaging campaign on ticks 8–11 (familiarity
    /// moves, then decays back), a scandal at tick 15 (credibility falls and recovers)
    /// and a crisis on ticks 18–21 (salience changes).
    #[test]
    fn kept_skip_proofs_and_statistics_equal_fresh_ones() {
        use crate::metrics::{Recorder, SurveySeries};
        let text = "[scenario]\nname = \"t\"\nseed = 3\nticks = 40\ndimensions = [\"economy\", \"culture\"]\n\
            [model]\ncontagion_model = \"sir\"\nself_weight = 0\ndefault_trust = 0\nfamiliarity_decay = 0.2\n\
            [[actor]]\nid = \"a\"\nbudget = 10\n[[generate]]\nprefix = \"n\"\ncount = 3000\n\
            graph = { model = \"barabasi_albert\", m = 3 }\n\
            [[story]]\nid = \"s\"\nabout = \"a\"\nharm = 0\ntransmissibility = 0.5\nrecovery = 0.3\ninitial_share = 0.01\n\
            [[campaign]]\nid = \"m\"\nactor = \"a\"\ninstrument = \"messaging\"\nchannel = \"broadcast\"\n\
            targets = [\"all\"]\nspend = 3\nstart = 8\nend = 12\n\
            [[event]]\nkind = \"scandal\"\ntick = 15\nactor = \"a\"\nseverity = 0.5\n\
            [[event]]\nkind = \"crisis\"\ntick = 18\ndimension = \"culture\"\nboost = 2\nduration = 4\n";
        let run = |fresh: bool| {
            let mut e = Engine::new(world(text));
            let mut rec = Recorder::with_series(&e, SurveySeries::Default);
            let mut writes = Vec::new();
            for _ in 0..40 {
                if fresh {
                    e.edited();
                }
                e.step();
                rec.record(&e);
                writes.push(e.opinion_writes());
            }
            (e, rec, writes)
        };
        let ((kept, kept_rec, writes), (fresh, fresh_rec, _)) = (run(false), run(true));
        assert_eq!(kept.world.opinions.x, fresh.world.opinions.x);
        assert_eq!(
            kept.world.opinions.familiarity,
            fresh.world.opinions.familiarity
        );
        assert_eq!(
            kept.world.actors.credibility,
            fresh.world.actors.credibility
        );
        assert_eq!(kept.world.stories.counts, fresh.world.stories.counts);
        for (a, b) in kept_rec.ticks.iter().zip(&fresh_rec.ticks) {
            assert_eq!(a.actors, b.actors, "tick {}", a.tick);
            assert_eq!(a.stories, b.stories, "tick {}", a.tick);
        }
        // The scenario exercises writes that end kept proofs (the race scenario exercises
        // the quiet stretches: every phase there is quiet).
        assert!(writes[8] > writes[6], "the campaign's ticks write");
        let cred = |t: usize| kept_rec.ticks[t].actors[0][4];
        assert!(
            cred(16) < cred(15),
            "the scandal (tick 15) costs credibility"
        );
    }

    /// The mirror found by the row cursors is, for every tie entry, the entry of the other
    /// end that a binary search of its row finds: on a scenario with one-way and weighted
    /// ties and on a scale-free graph.
    #[test]
    fn each_mirror_is_the_tie_entry_of_the_other_end() {
        let ba = "[scenario]\nname = \"t\"\nticks = 1\n[[actor]]\nid = \"a\"\n[[generate]]\nprefix = \"n\"\n\
                  count = 2000\ngraph = { model = \"barabasi_albert\", m = 4 }\n";
        for text in [RICH, ba] {
            let ties = world(text).ties;
            let m = mirror(&ties);
            assert_eq!(m.len(), ties.nbr.len());
            for p in 0..ties.len() {
                for e in ties.row(p) {
                    let q = ties.nbr[e] as usize;
                    assert_eq!(Some(m[e] as usize), ties.slot(q, p as u32), "{p}->{q}");
                }
            }
        }
    }

    /// Each phase alone, repeated, keeps every invariant (ranges, no NaN, conservation).
    #[test]
    fn every_phase_keeps_invariants() {
        for phase in Phase::ORDER {
            let mut e =
                Engine::new(world(RICH)).with_mask(PhaseMask::only(&[Phase::Budget, phase]));
            for _ in 0..30 {
                e.step();
                assert_valid(&e.world);
            }
        }
    }

    #[test]
    fn all_phases_keep_invariants() {
        let mut e = Engine::new(world(RICH));
        for _ in 0..30 {
            e.step();
            assert_valid(&e.world);
        }
    }

    #[test]
    fn instruments_move_opinions_the_documented_way() {
        let mut base = world(RICH);
        // Persuasion alone: reactance (3.2) has its own tests (tests/reactance.rs).
        base.params.msg_reactance = None;
        let k = base.opinions.k;
        let run = |mask: &[Phase]| {
            let mut e = Engine::new(base.clone()).with_mask(PhaseMask::only(mask));
            for _ in 0..10 {
                e.step();
            }
            e.world
        };
        let p3 = 2; // explicit populations come first
        let a = 0;
        let trust = |w: &World| w.opinions.x[(p3 * w.actors.len() + a) * k];
        let att = |w: &World| w.opinions.x[(p3 * w.actors.len() + a) * k + 1];
        let m = run(&[Phase::Budget, Phase::Messaging]);
        assert!(
            att(&m) > att(&base)
                && m.opinions.familiarity[p3 * 3] > base.opinions.familiarity[p3 * 3]
        );
        let x = run(&[Phase::Budget, Phase::Exchanges]);
        assert!(trust(&x) > trust(&base));
        // Exchanges move the anchor; messaging does not.
        assert!(x.opinions.anchor[(p3 * 3 + a) * k] > base.opinions.anchor[(p3 * 3 + a) * k]);
        assert_eq!(m.opinions.anchor, base.opinions.anchor);
        let pr = run(&[Phase::Budget, Phase::Propaganda]);
        assert!(trust(&pr) < trust(&base) && att(&pr) < att(&base));
        assert!(
            pr.actors.credibility[1] < base.actors.credibility[1],
            "exposed propaganda costs credibility"
        );
    }

    #[test]
    fn scandal_cuts_credibility_and_trust_at_its_tick() {
        let mut e = Engine::new(world(RICH)).with_mask(PhaseMask::only(&[Phase::Events]));
        for _ in 0..10 {
            e.step();
        }
        let (c, t) = (e.world.actors.credibility[0], e.world.opinions.trust(2, 0));
        e.step();
        assert!((e.world.actors.credibility[0] - c * 0.5).abs() < 1e-6);
        assert!(e.world.opinions.trust(2, 0) < t);
    }

    #[test]
    fn crisis_raises_salience_then_reverts() {
        let mut e = Engine::new(world(RICH)).with_mask(PhaseMask::only(&[Phase::Events]));
        let before = e.world.pops.salience.clone();
        for _ in 0..13 {
            e.step();
        }
        assert!(
            e.world.pops.salience[2] > before[2],
            "foreign_policy weight rises during the crisis"
        );
        for _ in 0..5 {
            e.step();
        }
        assert_eq!(e.world.pops.salience, before);
    }

    #[test]
    fn forgetting_returns_to_anchor_geometrically() {
        let mut w = world(RICH);
        w.params.attitude_decay = 0.1;
        let k = w.opinions.k;
        let i = k + 1; // pop 0, actor 1, first attitude
        w.opinions.x[i] = 0.9;
        let u = w.opinions.anchor[i];
        let mut e = Engine::new(w).with_mask(PhaseMask::only(&[Phase::Forgetting]));
        for _ in 0..5 {
            e.step();
        }
        // x_t - u = (1 - δ)^t (x_0 - u)
        let expect = u + 0.9f32.powi(5) * (0.9 - u);
        assert!((e.world.opinions.x[i] - expect).abs() < 1e-5);
    }

    /// Government stances pressed toward a public that knows nobody (P = 0), with no
    /// interests (I = 0), decay as r ← (1 − ρ)r; settled like every geometric decay, they reach 0 exactly instead of
    /// stalling among subnormal floats (1.3e-44), below the documented floor.
    #[test]
    fn stances_decaying_to_zero_end_at_zero_without_subnormals() {
        let mut w = world(RICH);
        w.params.public_pressure = 0.1;
        w.opinions.familiarity.fill(0.0);
        w.interest.fill(0.0);
        let n = w.actors.len();
        for (i, r) in w.relations.iter_mut().enumerate() {
            *r = if i / n == i % n {
                0.0
            } else if i % 2 == 0 {
                0.8
            } else {
                -0.6
            };
        }
        let pressed: Vec<usize> = (0..n)
            .filter(|&b| !w.actors.home_pops[b].is_empty())
            .collect();
        assert!(!pressed.is_empty(), "some actor has a home public");
        let mut e = Engine::new(w).with_mask(PhaseMask::only(&[Phase::Diplomacy]));
        for t in 0..1500 {
            e.step();
            let sub = e.world.relations.iter().any(|v| v.is_subnormal());
            assert!(!sub, "subnormal stance at tick {t}");
        }
        for b in pressed {
            let row = &e.world.relations[b * n..(b + 1) * n];
            assert!(row.iter().all(|&r| r == 0.0), "actor {b}: {row:?}");
        }
    }

    /// Geometric decay toward zero anchors reaches them exactly, never passing through
    /// subnormal floats (which x86 processes many times slower). Without the floor,
    /// x ← (1 − δ)x stalls at a few times 2^-149, where the step rounds to nothing.
    #[test]
    fn decay_to_zero_anchors_ends_at_zero_without_subnormals() {
        for phase in [Phase::Forgetting, Phase::SocialInfluence] {
            let mut w = world(RICH);
            w.params.attitude_decay = 0.1;
            w.params.familiarity_decay = 0.1;
            w.pops.stubbornness.fill(0.3);
            w.opinions.anchor.fill(0.0);
            w.opinions.familiarity_base.fill(0.0);
            for (i, v) in w.opinions.x.iter_mut().enumerate() {
                *v = if i % 3 == 0 { 0.8 } else { -0.6 };
            }
            w.opinions.familiarity.fill(0.7);
            let mut e = Engine::new(w).with_mask(PhaseMask::only(&[phase]));
            for t in 0..1200 {
                e.step();
                let o = &e.world.opinions;
                let sub = o.x.iter().chain(&o.familiarity).any(|v| v.is_subnormal());
                assert!(!sub, "{phase:?}: subnormal value at tick {t}");
            }
            let o = &e.world.opinions;
            assert!(o.x.iter().all(|&v| v == 0.0), "{phase:?}: x reaches 0");
            if phase == Phase::Forgetting {
                assert!(o.familiarity.iter().all(|&v| v == 0.0));
            }
        }
    }
}
