//! The world state: actors, populations, opinions, ties, stories and campaigns, as
//! struct-of-arrays indexed by dense ids. Built once from a checked scenario (`build/`);
//! mutated only by the engine's phases.

pub mod build;
pub mod csr;
pub mod exchange_ties;
pub mod generate;
pub mod graph;
pub mod listen;
pub mod renumber;
#[cfg(test)]
pub mod testkit;

pub use crate::model::checked::{CampaignSpec, DecisionSpec, Params, Shock, SocialRule};
pub use build::build;
pub use csr::Csr;

use crate::model::{ActorKind, Channel, Crossing, PopClass};

/// Marks "no home state".
pub const NO_HOME: u32 = u32::MAX;

/// Actors: states, NGOs, media outlets, extremist groups.
#[derive(Debug, Clone)]
pub struct Actors {
    pub ids: Vec<String>,
    pub names: Vec<String>,
    pub kind: Vec<ActorKind>,
    pub playable: Vec<bool>,
    /// Budget units per tick.
    pub budget: Vec<f64>,
    /// Current credibility in [0, 1] (hit by scandals and exposed propaganda).
    pub credibility: Vec<f32>,
    /// Credibility the actor recovers toward.
    pub credibility_base: Vec<f32>,
    /// Values position, `[actor * dims + d]`, in [-1, 1].
    pub values: Vec<f32>,
    /// Populations whose home is each actor.
    pub home_pops: Vec<Vec<u32>>,
}

impl Actors {
    pub fn len(&self) -> usize {
        self.ids.len()
    }
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

/// Populations: a country's public, a segment, or one person.
#[derive(Debug, Clone)]
pub struct Populations {
    pub ids: Vec<String>,
    /// Number of people.
    pub size: Vec<f64>,
    pub home: Vec<u32>,
    pub internet: Vec<f32>,
    pub literacy: Vec<f32>,
    pub stubbornness: Vec<f32>,
    /// Current salience weights, `[pop * dims + d]`, summing to 1 per population.
    pub salience: Vec<f32>,
    /// Salience before crises.
    pub salience_base: Vec<f32>,
    /// Values position, `[pop * dims + d]`.
    pub values: Vec<f32>,
    /// Generator group of each population (`None` for explicit ones), for output.
    pub group: Vec<Option<u16>>,
    /// Public, elite or media: which voice of its home government (docs/MODEL.md 3.7);
    /// its voice and listening are already folded into `ties` at build.
    pub class: Vec<PopClass>,
}

impl Populations {
    pub fn len(&self) -> usize {
        self.size.len()
    }
    pub fn is_empty(&self) -> bool {
        self.size.is_empty()
    }
}

/// The opinion state of every (population, actor) pair.
///
/// `x` holds a block of `k = 1 + dims` values per pair: trust, then one attitude per
/// dimension. `anchor` holds the Friedkin–Johnsen prejudice the block is pulled back to.
#[derive(Debug, Clone, Default)]
pub struct Opinions {
    pub actors: usize,
    pub k: usize,
    /// Familiarity in [0, 1], `[pop * actors + actor]`.
    pub familiarity: Vec<f32>,
    /// Background familiarity that familiarity decays back to (raised durably by exchanges).
    pub familiarity_base: Vec<f32>,
    /// `[(pop * actors + actor) * k + j]`: j = 0 trust in [0, 1], j >= 1 attitudes in [-1, 1].
    pub x: Vec<f32>,
    pub anchor: Vec<f32>,
    /// Starting values of `familiarity_base` and `anchor`, which durable gains relax back
    /// to when `durable_decay` > 0 (docs/MODEL.md 3.8); empty otherwise, to save memory.
    pub familiarity_base_start: Vec<f32>,
    pub anchor_start: Vec<f32>,
}

impl Opinions {
    /// Values per population row (all actors).
    pub fn row(&self) -> usize {
        self.actors * self.k
    }
    pub fn trust(&self, p: usize, a: usize) -> f32 {
        self.x[(p * self.actors + a) * self.k]
    }
    pub fn attitude(&self, p: usize, a: usize) -> &[f32] {
        let o = (p * self.actors + a) * self.k;
        &self.x[o + 1..o + self.k]
    }
}

/// A false story and its compartments in every population.
#[derive(Debug, Clone)]
pub struct Stories {
    pub ids: Vec<String>,
    pub about: Vec<u32>,
    pub beta: Vec<f32>,
    pub plausibility: Vec<f32>,
    pub verify: Vec<f32>,
    pub forget: Vec<f32>,
    pub harm: Vec<f32>,
    /// SIR recovery probability per tick.
    pub recovery: Vec<f32>,
    /// People per compartment, `[pop * stories + story]`.
    pub counts: Vec<Compartments>,
    /// Whether a misinformation campaign seeds the story (it has an author to trace).
    pub authored: Vec<bool>,
    /// Tick at which the story was traced to its author in each population,
    /// `[pop * stories + story]`; `NOT_TRACED` while it has not been.
    pub traced: Vec<u32>,
}

/// `Stories::traced` of a story not (yet) traced in a population.
pub const NOT_TRACED: u32 = u32::MAX;

impl Stories {
    pub fn len(&self) -> usize {
        self.ids.len()
    }
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

/// Susceptible, believing, fact-checked (debunked) and prebunked (inoculated) people.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Compartments {
    pub s: u64,
    pub b: u64,
    pub c: u64,
    pub v: u64,
}

impl Compartments {
    pub fn total(&self) -> u64 {
        self.s + self.b + self.c + self.v
    }
}

/// A campaign compiled for the engine: the checked campaign (written once, in
/// `model::checked`) and what only the built world knows. Fields of the spec read
/// through `Deref` (`c.actor`, `c.targets`), so the phases need not know the split.
#[derive(Debug, Clone)]
pub struct Campaign {
    pub spec: CampaignSpec,
    /// People in all targets.
    pub audience: f64,
}

impl std::ops::Deref for Campaign {
    type Target = CampaignSpec;
    fn deref(&self) -> &CampaignSpec {
        &self.spec
    }
}

impl std::ops::DerefMut for Campaign {
    fn deref_mut(&mut self) -> &mut CampaignSpec {
        &mut self.spec
    }
}

/// Everything the engine simulates.
#[derive(Debug, Clone)]
pub struct World {
    pub name: String,
    pub seed: u64,
    pub ticks: u32,
    pub tick_label: String,
    pub dimensions: Vec<String>,
    pub focal_actor: u32,
    pub actors: Actors,
    pub pops: Populations,
    pub opinions: Opinions,
    /// Who listens to whom, with each population's self weight (`ties.self_raw`).
    pub ties: Csr,
    /// The entries of `ties` that exchanges strengthen, row by row.
    pub exchange_ties: exchange_ties::ExchangeTies,
    /// Media reach, `[(actor * 2 + channel) * pops + pop]`, in [0, 1].
    pub reach: Vec<f32>,
    /// Government stance of actor row toward actor column, `[a * actors + b]`, in [-1, 1].
    pub relations: Vec<f32>,
    /// Interest term of the row actor toward the column actor (alliances, rivalries), same layout.
    pub interest: Vec<f32>,
    /// Decisions and how far each has got.
    pub decisions: Vec<Decision>,
    pub stories: Stories,
    pub campaigns: Vec<Campaign>,
    /// Campaigns touching each population: `camp_idx[camp_off[p]..camp_off[p + 1]]`, ascending.
    pub camp_off: Vec<u32>,
    pub camp_idx: Vec<u32>,
    pub shocks: Vec<Shock>,
    pub params: Params,
    pub group_names: Vec<String>,
    /// What listening campaigns heard and what adaptive campaigns did (docs/MODEL.md 3.10).
    pub listen: listen::Listen,
}

/// A decision with its progress: consecutive ticks past the threshold so far, and the
/// tick it was taken at (once taken, it stays taken).
#[derive(Debug, Clone)]
pub struct Decision {
    pub spec: DecisionSpec,
    pub streak: u32,
    pub taken: Option<u32>,
}

impl Decision {
    pub fn new(spec: DecisionSpec) -> Self {
        Decision {
            spec,
            streak: 0,
            taken: None,
        }
    }

    /// Counts one more tick with stance `r`; takes the decision at tick `tick` when the
    /// stance has been past the threshold for `sustain` ticks in a row.
    pub fn observe(&mut self, r: f32, tick: u32) {
        if self.taken.is_some() {
            return;
        }
        let past = match self.spec.direction {
            Crossing::Above => r >= self.spec.threshold,
            Crossing::Below => r <= self.spec.threshold,
        };
        self.streak = if past { self.streak + 1 } else { 0 };
        if self.streak >= self.spec.sustain {
            self.taken = Some(tick);
        }
    }
}

impl World {
    pub fn dims(&self) -> usize {
        self.dimensions.len()
    }
    pub fn reach(&self, actor: usize, channel: Channel, pop: usize) -> f32 {
        self.reach[(actor * 2 + channel.index()) * self.pops.len() + pop]
    }
    /// Salience-weighted attitude of population `p` toward actor `a`, in [-1, 1].
    pub fn favourability(&self, p: usize, a: usize) -> f32 {
        let d = self.dims();
        let sal = &self.pops.salience[p * d..(p + 1) * d];
        self.opinions
            .attitude(p, a)
            .iter()
            .zip(sal)
            .map(|(x, w)| x * w)
            .sum()
    }

    /// Government `b`'s target stance toward every actor (docs/MODEL.md 3.7):
    /// `T_ba = (w_P P_ba + w_E E_ba + w_I I_ba) / (w_P + w_E + w_I)`, where a voice `b` lacks
    /// (no public or no elite home population) has weight 0. Written to `target`; `elite`
    /// is a scratch row of the same length. False when no voice has weight.
    pub fn stance_targets(&self, b: usize, target: &mut [f64], elite: &mut [f64]) -> bool {
        let n = self.actors.len();
        target.fill(0.0);
        elite.fill(0.0);
        let (mut n_public, mut n_elite) = (0.0, 0.0);
        for &p in &self.actors.home_pops[b] {
            let p = p as usize;
            let size = self.pops.size[p];
            let (acc, people) = match self.pops.class[p] {
                // Media count with the public: their pull on opinion runs through ties.
                PopClass::Public | PopClass::Media => (&mut *target, &mut n_public),
                PopClass::Elite => (&mut *elite, &mut n_elite),
            };
            *people += size;
            for (a, slot) in acc.iter_mut().enumerate() {
                let known = self.opinions.familiarity[p * n + a] as f64;
                *slot += size * known * self.favourability(p, a) as f64;
            }
        }
        let [wp, we, wi] = self.params.gov_weights.map(f64::from);
        let wp = if n_public > 0.0 { wp } else { 0.0 };
        let we = if n_elite > 0.0 { we } else { 0.0 };
        let total = wp + we + wi;
        if total <= 0.0 {
            return false;
        }
        for (a, (t, e)) in target.iter_mut().zip(elite.iter()).enumerate() {
            let public = if n_public > 0.0 { *t / n_public } else { 0.0 };
            let elites = if n_elite > 0.0 { e / n_elite } else { 0.0 };
            *t = (wp * public + we * elites + wi * self.interest[b * n + a] as f64) / total;
        }
        true
    }
}
