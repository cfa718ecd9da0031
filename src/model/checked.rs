//! A scenario checked and resolved: every id an index, every selector a sorted list of
//! populations, every default applied, every referenced file read. `scenario::check`
//! makes it from the raw file; `world::build` turns it into a `World` and cannot fail.

use super::{
    ActorKind, Channel, ContagionModel, Crossing, Dist, Instrument, ListenMetric, PopClass,
};
use std::sync::Arc;

/// Everything the world is built from. Populations are numbered explicit ones first, then
/// each generator's in order; actors, stories and campaigns in file order.
#[derive(Debug, Clone)]
pub struct CheckedScenario {
    pub name: String,
    pub seed: u64,
    pub ticks: u32,
    pub tick_label: String,
    pub dimensions: Vec<String>,
    pub focal_actor: u32,
    pub actors: Vec<ActorSpec>,
    /// Explicit `[[population]]` blocks.
    pub populations: Vec<PopulationSpec>,
    pub generators: Vec<GeneratorSpec>,
    /// Two-way ties of equal weight between explicit or generated populations: (a, b, weight).
    pub ties: Vec<(u32, u32, f32)>,
    /// One-way influence: (speaker, listener, weight) — the listener hears the speaker.
    /// A two-way tie with different weights is two of these.
    pub one_way_ties: Vec<(u32, u32, f32)>,
    pub reach: Vec<ReachSpec>,
    /// Declared relations: interests, and stances set at the start.
    pub relations: Vec<RelationSpec>,
    pub decisions: Vec<DecisionSpec>,
    pub stories: Vec<StorySpec>,
    pub campaigns: Vec<CampaignSpec>,
    pub shocks: Vec<Shock>,
    /// Opinions of every (population, actor) pair not set by the scenario.
    pub default_trust: f32,
    pub default_familiarity: f32,
    /// Reach of every actor on each channel (by `Channel::index`) where no `[[reach]]` sets it.
    pub default_reach: [f32; 2],
    /// `[model] self_weight`: the self weight of populations that set none.
    pub self_weight: f32,
    /// `[model.voice]`: how much others listen to each class, by `PopClass::index`.
    pub voice: [f32; 3],
    /// `[model.listening]`: how much each class listens to others, by `PopClass::index`.
    pub listening: [f32; 3],
    pub params: Params,
    /// Number of populations in all.
    pub total_populations: u32,
}

#[derive(Debug, Clone)]
pub struct ActorSpec {
    pub id: String,
    pub name: String,
    pub kind: ActorKind,
    pub playable: bool,
    pub budget: f64,
    pub credibility: f32,
    /// One position per dimension.
    pub values: Vec<f32>,
}

/// Initial opinion of a population toward one actor; `None` keeps the default.
#[derive(Debug, Clone)]
pub struct OpinionSpec {
    pub actor: u32,
    pub familiarity: Option<f32>,
    pub trust: Option<f32>,
    pub attitude: Option<Vec<f32>>,
}

#[derive(Debug, Clone)]
pub struct PopulationSpec {
    pub id: String,
    pub size: f64,
    pub home: Option<u32>,
    pub internet: f32,
    pub literacy: f32,
    pub stubbornness: f32,
    /// Raw weight of its own view in W (tie-weight units).
    pub self_weight: f32,
    pub class: PopClass,
    /// Salience per dimension, normalised to sum 1.
    pub salience: Vec<f32>,
    pub values: Vec<f32>,
    /// In ascending order of actor id (the order of the file's table keys).
    pub opinion: Vec<OpinionSpec>,
}

/// Initial opinion drawn per generated population; `None` keeps the default.
#[derive(Debug, Clone)]
pub struct GeneratedOpinionSpec {
    pub actor: u32,
    pub familiarity: Option<Dist>,
    pub trust: Option<Dist>,
    /// One distribution for every dimension, or one per dimension.
    pub attitude: Option<Vec<Dist>>,
    /// Set attitudes, one per population of the group (every dimension), replacing draws.
    pub attitude_values: Option<Arc<Vec<f32>>>,
}

/// A random-graph model, or ties read from a file.
#[derive(Debug, Clone)]
pub enum Graph {
    BarabasiAlbert {
        m: u32,
    },
    WattsStrogatz {
        k: u32,
        p: f64,
    },
    StochasticBlock {
        blocks: Vec<u32>,
        p_in: f64,
        p_out: f64,
    },
    ErdosRenyi {
        p: f64,
    },
    Complete,
    EdgeList(Arc<Vec<(u32, u32)>>),
}

#[derive(Debug, Clone)]
pub struct GeneratorSpec {
    pub prefix: String,
    pub count: u32,
    pub graph: Graph,
    pub size: Dist,
    /// Home of every population, or per block of a stochastic block model.
    pub home: Homes,
    pub internet: Dist,
    pub media_literacy: Dist,
    pub stubbornness: Dist,
    /// One distribution for every dimension, or one per dimension.
    pub values: Option<Vec<Dist>>,
    pub tie_weight: f32,
    /// Raw weight of each population's own view in W.
    pub self_weight: f32,
    pub class: PopClass,
    /// In ascending order of actor id.
    pub opinion: Vec<GeneratedOpinionSpec>,
}

#[derive(Debug, Clone)]
pub enum Homes {
    All(Option<u32>),
    /// Home actor of each consecutive block (sizes from the stochastic block model).
    PerBlock(Vec<u32>),
}

/// A declared relation, the same both ways.
#[derive(Debug, Clone)]
pub struct RelationSpec {
    pub a: u32,
    pub b: u32,
    /// Interest term I in [-1, 1]: +strength (alliance), -strength (rivalry) or 0.
    pub interest: f32,
    /// Stance at tick 0; `None`: the blend of interest and opinion at tick 0.
    pub stance: Option<f32>,
}

/// A decision a government takes once its stance toward `toward` has stayed past
/// `threshold` (on the side `direction` names) for `sustain` consecutive ticks.
#[derive(Debug, Clone)]
pub struct DecisionSpec {
    pub id: String,
    pub actor: u32,
    pub toward: u32,
    pub threshold: f32,
    pub direction: Crossing,
    pub sustain: u32,
    pub label: String,
}

#[derive(Debug, Clone)]
pub struct ReachSpec {
    pub actor: u32,
    pub channel: Channel,
    pub populations: Vec<u32>,
    pub weight: f32,
}

#[derive(Debug, Clone)]
pub struct StorySpec {
    pub id: String,
    pub about: u32,
    pub beta: f32,
    pub plausibility: f32,
    pub verify: f32,
    pub forget: f32,
    pub harm: f32,
    pub initial_share: f64,
    /// SIR recovery probability per tick.
    pub recovery: f32,
}

#[derive(Debug, Clone)]
pub struct CampaignSpec {
    pub id: String,
    pub actor: u32,
    pub instrument: Instrument,
    pub channel: Channel,
    pub start: u32,
    /// First inactive tick (`u32::MAX`: never ends).
    pub end: u32,
    pub spend: f64,
    /// Emphasis per dimension, scaled so that the mean over dimensions is 1.
    pub emphasis: Vec<f32>,
    /// Propaganda target actor (0 when not propaganda).
    pub against: u32,
    /// Story index (0 when the instrument names no story).
    pub story: u32,
    /// Sorted, without repeats.
    pub targets: Vec<u32>,
    /// Each `targets` entry as its own audience (its text, its populations sorted): what
    /// listening reports on and adaptive rules share spend among.
    pub audiences: Vec<(String, Vec<u32>)>,
    /// Listening campaigns: what they measure (docs/MODEL.md 3.10).
    pub listen: Option<ListenSpec>,
    /// Rules reading a listening campaign's estimates (docs/MODEL.md 3.10).
    pub adapt: Option<AdaptSpec>,
}

/// What a listening campaign measures and how late it learns it.
#[derive(Debug, Clone)]
pub struct ListenSpec {
    /// Each metric with what it is about: an actor, or a story for `believing`.
    pub metrics: Vec<(ListenMetric, u32)>,
    /// Ticks between the state measured and the estimate seen (L).
    pub lag: u32,
}

/// Adaptive rules of a campaign, reading only its listener's estimates.
#[derive(Debug, Clone)]
pub struct AdaptSpec {
    /// Index of the listening campaign.
    pub listener: u32,
    /// Index into the listener's metrics.
    pub metric: u32,
    /// Whether the campaign wants the metric up (`Above`) or down (`Below`).
    pub direction: Crossing,
    /// Rule (a): (window k in ticks, step η, margin z) when spend shifts.
    pub shift: Option<(u32, f32, f32)>,
    /// Rule (b): stop once the mean estimate over the audiences crosses this target.
    pub stop: Option<f32>,
}

impl CampaignSpec {
    /// Whether the campaign runs at `tick` (`start <= tick < end`).
    pub fn active(&self, tick: u32) -> bool {
        self.start <= tick && tick < self.end
    }

    /// Switches the campaign off for a counterfactual: it never runs and spends nothing,
    /// while everything else (random streams included) stays as it was.
    pub fn switch_off(&mut self) {
        self.start = 0;
        self.end = 0;
    }
}

/// A scheduled shock, compiled.
#[derive(Debug, Clone)]
pub enum Shock {
    Scandal {
        tick: u32,
        actor: u32,
        severity: f32,
    },
    Crisis {
        tick: u32,
        end: u32,
        dimension: u32,
        boost: f32,
        pops: Vec<u32>,
    },
}

/// The social-influence rule with its parameters (docs/MODEL.md 3.6).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SocialRule {
    FriedkinJohnsen,
    /// Weighted bounded confidence with bound ε (attitude units).
    BoundedConfidence(f32),
    HegselmannKrause(f32),
    Deffuant {
        eps: f32,
        mu: f32,
        rounds: u32,
    },
    Voter,
    /// The voter model with random sequential updates (N per tick).
    AsyncVoter,
}

/// Model parameters as the engine uses them (f32 where they touch the hot loop).
#[derive(Debug, Clone)]
pub struct Params {
    pub social: SocialRule,
    pub contagion: ContagionModel,
    /// SIR: infected contacts add up per tie rather than as a share.
    pub sir_per_contact: bool,
    /// μ_F: word of mouth, share of the gap to better-informed contacts closed (3.6).
    pub word_of_mouth: f32,
    /// b: bad buzz, extra weight of contacts who think less of an actor (3.6).
    pub negativity_bias: f32,
    /// σ of the observation model (`[survey] spread`), for net favourable.
    pub survey_spread: f64,
    pub familiarity_decay: f32,
    pub attitude_decay: f32,
    pub credibility_recovery: f32,
    pub public_pressure: f32,
    /// Weights of public, elites and interest in a government's target stance (3.7).
    pub gov_weights: [f32; 3],
    pub msg_cost: [f64; 2],
    pub msg_familiarity_gain: f32,
    pub msg_attitude_gain: f32,
    pub msg_trust_gain: f32,
    pub msg_backfire: Option<f32>,
    /// Reactance to campaigns felt as propaganda: (harm per reacting share, credibility cost).
    pub msg_reactance: Option<(f32, f32)>,
    /// η_M: share of a messaging change that also moves the anchor (3.2).
    pub msg_durable_share: f32,
    pub ex_cost_per_participant: f64,
    pub ex_trust_gain: f32,
    pub ex_attitude_gain: f32,
    pub ex_durable_share: f32,
    /// δ_u: per-tick relaxation of anchors and background familiarity to their start (3.8).
    pub durable_decay: f32,
    pub ex_tie_gain: f32,
    pub ex_spillover: f32,
    pub prop_attitude_harm: f32,
    pub prop_trust_harm: f32,
    pub prop_exposure_cost: f32,
    pub mis_offline_share: f32,
    pub mis_literacy_protection: f32,
    pub mis_seed_rate: f32,
    pub mis_correction_rate: f32,
    pub mis_prebunk_rate: f32,
    pub mis_prebunk_efficacy: f32,
    pub mis_prebunk_waning: f32,
    /// Weight s of the source's perceived credibility in corrections and prebunking (3.5).
    pub mis_source_weight: f32,
    /// Motivated reasoning m: S→B hazard × (1 + m·max(0, −A_pb)) (3.5).
    pub mis_motivated: f32,
    /// Attribution: rate r (a_p = r·λ_p), credibility cost, trust harm (3.5).
    pub mis_attribution: [f32; 3],
    /// Listening: budget units per respondent, by `Channel::index` (κ^L).
    pub listen_cost: [f64; 2],
    /// Listening: spread σ_L of one respondent's answer.
    pub listen_spread: f32,
    /// Listening online: extra weight γ of an outraged population.
    pub listen_outrage: f32,
}
