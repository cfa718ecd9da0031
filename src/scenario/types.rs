//! The scenario file as written by the user (serde types, TOML).
//!
//! Every struct rejects unknown fields; defaults live here so that small files stay small.
//! Nothing changes these values after parsing: semantic checks (ranges, references,
//! budgets) and resolution live in `check/`, one module per table; docs/SCENARIO.md
//! documents every field.

use serde::{Deserialize, Serialize};

pub use crate::model::{
    ActorKind, Channel, ContagionModel, Crossing, Dist, DistSpec, Instrument, PopClass,
    RelationKind, SetValues, SirTransmission, SocialModel, TieDirection, VoterUpdate,
};

/// A whole scenario file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub scenario: Meta,
    #[serde(default)]
    pub model: ModelParams,
    #[serde(default, rename = "actor")]
    pub actors: Vec<Actor>,
    #[serde(default, rename = "population")]
    pub populations: Vec<Population>,
    #[serde(default, rename = "generate")]
    pub generators: Vec<Generator>,
    #[serde(default, rename = "tie")]
    pub ties: Vec<Tie>,
    #[serde(default, rename = "reach")]
    pub reach: Vec<Reach>,
    #[serde(default, rename = "relation")]
    pub relations: Vec<Relation>,
    #[serde(default, rename = "story")]
    pub stories: Vec<Story>,
    #[serde(default, rename = "campaign")]
    pub campaigns: Vec<Campaign>,
    #[serde(default, rename = "event")]
    pub events: Vec<Event>,
    /// Government decisions taken when a stance stays past a threshold (docs/MODEL.md 3.7).
    #[serde(default, rename = "decision", skip_serializing_if = "Vec::is_empty")]
    pub decisions: Vec<Decision>,
    /// Classroom-exercise settings (`softpower exercise`); ignored by `run`.
    #[serde(default)]
    pub exercise: Option<ExerciseMeta>,
    /// Policy variants compared against the scenario as written (the baseline).
    #[serde(default, rename = "strategy")]
    pub strategies: Vec<Strategy>,
    /// Priors of uncertain numeric fields (`softpower sensitivity`, `compare`).
    #[serde(default, rename = "uncertain", skip_serializing_if = "Vec::is_empty")]
    pub uncertain: Vec<Uncertain>,
    /// What a survey would measure, and the observed surveys (`survey.csv`, `calibrate`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub survey: Option<Survey>,
}

/// A named variant of the scenario: campaigns removed, added or replaced, and numeric
/// fields set by path (see `scenario::edit`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Strategy {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Ids of campaigns to drop.
    #[serde(default)]
    pub remove: Vec<String>,
    /// Campaigns to add; one with the id of an existing campaign replaces it.
    #[serde(default, rename = "campaign")]
    pub campaigns: Vec<Campaign>,
    /// Numeric fields to change, by path: `"actor.usa.budget" = 12.0`.
    #[serde(default)]
    pub set: std::collections::BTreeMap<String, f64>,
}

/// `[exercise]`: how a scenario is played as a turn-based classroom game.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExerciseMeta {
    /// Number of rounds the game lasts.
    pub rounds: u32,
    /// Ticks simulated per round (default: `scenario.ticks / rounds`).
    #[serde(default)]
    pub ticks_per_round: Option<u32>,
    /// Surprise events the instructor may spring (copied to the game's `injects.toml`).
    #[serde(default, rename = "inject")]
    pub injects: Vec<Inject>,
}

impl ExerciseMeta {
    pub fn ticks_per_round(&self, ticks: u32) -> u32 {
        self.ticks_per_round
            .unwrap_or(ticks / self.rounds.max(1))
            .max(1)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InjectKind {
    Scandal,
    Crisis,
}

/// A surprise event of a classroom exercise: an `[[event]]` placed by round.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Inject {
    /// Round (from 1) in which it happens.
    pub round: u32,
    /// Tick within the round (0 = its first tick).
    #[serde(default)]
    pub at: u32,
    /// Headline shown in the round report.
    #[serde(default)]
    pub title: String,
    /// What the inject is meant to teach (instructor's note; shown in the debrief).
    #[serde(default)]
    pub teaches: String,
    pub kind: InjectKind,
    #[serde(default)]
    pub actor: Option<String>,
    #[serde(default)]
    pub severity: Option<f64>,
    #[serde(default)]
    pub dimension: Option<String>,
    #[serde(default)]
    pub boost: Option<f64>,
    #[serde(default)]
    pub duration: Option<u32>,
    #[serde(default)]
    pub populations: Option<Vec<String>>,
}

impl Inject {
    /// The scheduled event, or the name of the first missing field its kind needs.
    pub fn to_event(&self, ticks_per_round: u32) -> Result<Event, &'static str> {
        let tick = self.round.saturating_sub(1).saturating_mul(ticks_per_round) + self.at;
        Ok(match self.kind {
            InjectKind::Scandal => Event::Scandal {
                tick,
                actor: self.actor.clone().ok_or("actor")?,
                severity: self.severity.ok_or("severity")?,
            },
            InjectKind::Crisis => Event::Crisis {
                tick,
                dimension: self.dimension.clone().ok_or("dimension")?,
                boost: self.boost.ok_or("boost")?,
                duration: self.duration,
                populations: self.populations.clone(),
            },
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    /// Version of the scenario format the file is written in (absent: 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<i64>,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub seed: u64,
    pub ticks: u32,
    #[serde(default = "default_tick_label")]
    pub tick_label: String,
    /// Value dimensions of attitudes; default: Nye's three resources.
    #[serde(default = "default_dimensions")]
    pub dimensions: Vec<String>,
    /// Actor whose soft-power index is the headline metric (default: the first actor).
    #[serde(default)]
    pub focal_actor: Option<String>,
}

fn default_tick_label() -> String {
    "week".into()
}

pub fn default_dimensions() -> Vec<String> {
    vec![
        "culture".into(),
        "political_values".into(),
        "foreign_policy".into(),
    ]
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Actor {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default = "default_actor_kind")]
    pub kind: ActorKind,
    /// Budget units available per tick.
    #[serde(default)]
    pub budget: f64,
    #[serde(default = "default_credibility")]
    pub credibility: f64,
    /// Position on each dimension, in [-1, 1]; default all zero.
    #[serde(default)]
    pub values: Option<Vec<f64>>,
    /// May be played by a team in classroom exercises.
    #[serde(default)]
    pub playable: bool,
    /// What a team playing this actor is scored on (exercises only; no effect on the model).
    #[serde(default)]
    pub objective: Objective,
}

/// A playable actor's role objective: what its team's score measures, always against the
/// team's own do-nothing counterfactual (docs/TEACHING.md, "Scores").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Objective {
    /// The rise of its own soft-power index that its actions caused (the default).
    #[default]
    OwnIndex,
    /// The fall of the other teams' indices that its actions caused (summed).
    DamageRivals,
}

impl Objective {
    pub fn as_str(self) -> &'static str {
        match self {
            Objective::OwnIndex => "own_index",
            Objective::DamageRivals => "damage_rivals",
        }
    }
}

fn default_actor_kind() -> ActorKind {
    ActorKind::State
}
fn default_credibility() -> f64 {
    0.7
}

/// Initial opinion of a population toward one actor.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpinionInit {
    #[serde(default)]
    pub familiarity: Option<f64>,
    #[serde(default)]
    pub trust: Option<f64>,
    #[serde(default)]
    pub attitude: Option<Vec<f64>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Population {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    /// Number of people (1 = a single person).
    pub size: f64,
    /// Actor id of the state this population belongs to.
    #[serde(default)]
    pub home: Option<String>,
    #[serde(default = "default_internet")]
    pub internet: f64,
    #[serde(default = "default_literacy")]
    pub media_literacy: f64,
    #[serde(default = "default_stubbornness")]
    pub stubbornness: f64,
    /// Weight of its own view in social influence (default: `model.self_weight`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_weight: Option<f64>,
    /// Public, elite or media: which voice of its home government it is (docs/MODEL.md
    /// 3.7) and how much others hear it (`[model.voice]`, `[model.listening]`).
    #[serde(default)]
    pub class: PopClass,
    /// Relative weight of each dimension in favourability (normalised to sum 1).
    #[serde(default)]
    pub salience: Option<Vec<f64>>,
    /// The population's own values position on each dimension, in [-1, 1].
    #[serde(default)]
    pub values: Option<Vec<f64>>,
    /// Initial opinion toward each actor, keyed by actor id.
    #[serde(default)]
    pub opinion: std::collections::BTreeMap<String, OpinionInit>,
}

pub fn default_internet() -> f64 {
    0.7
}
pub fn default_literacy() -> f64 {
    0.5
}
pub fn default_stubbornness() -> f64 {
    0.05
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, tag = "model", rename_all = "snake_case")]
pub enum GraphModel {
    /// Preferential attachment: each new node links to `m` existing nodes.
    BarabasiAlbert { m: u32 },
    /// Ring lattice with `k` neighbours per node (even), each edge rewired with probability `p`.
    WattsStrogatz { k: u32, p: f64 },
    /// Stochastic block model: consecutive blocks of the given sizes (sum = count).
    StochasticBlock {
        blocks: Vec<u32>,
        p_in: f64,
        p_out: f64,
    },
    /// Erdős–Rényi G(n, p).
    ErdosRenyi { p: f64 },
    /// Every pair tied.
    Complete,
    /// Ties read from a file of `u v` lines (0-based node indices < count), so a graph
    /// made elsewhere (networkx, an empirical network) can be used as is. The path is
    /// relative to the scenario file; the edges are read when the scenario is checked.
    EdgeList { file: String },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GeneratedOpinion {
    #[serde(default)]
    pub familiarity: Option<Dist>,
    #[serde(default)]
    pub trust: Option<Dist>,
    /// One distribution (used for every dimension) or one per dimension.
    #[serde(default)]
    pub attitude: Option<Vec<Dist>>,
    /// Set attitudes instead, one per population (used for every dimension).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attitude_values: Option<SetValues>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Generator {
    /// Generated populations are named `<prefix>_<index>`; the prefix also names the group.
    pub prefix: String,
    pub count: u64,
    pub graph: GraphModel,
    #[serde(default = "default_gen_size")]
    pub size: Dist,
    #[serde(default)]
    pub home: Option<String>,
    /// For a stochastic block model: the home state of each block.
    #[serde(default)]
    pub block_homes: Option<Vec<String>>,
    #[serde(default)]
    pub internet: Option<Dist>,
    #[serde(default)]
    pub media_literacy: Option<Dist>,
    #[serde(default)]
    pub stubbornness: Option<Dist>,
    /// Values position per dimension: one distribution for all, or one per dimension.
    #[serde(default)]
    pub values: Option<Vec<Dist>>,
    #[serde(default = "default_tie_weight")]
    pub tie_weight: f64,
    /// Weight of each population's own view (default: `model.self_weight`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_weight: Option<f64>,
    /// Public or elite, for every population of the group.
    #[serde(default)]
    pub class: PopClass,
    #[serde(default)]
    pub opinion: std::collections::BTreeMap<String, GeneratedOpinion>,
}

fn default_gen_size() -> Dist {
    Dist::Const(1.0)
}
fn default_tie_weight() -> f64 {
    1.0
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tie {
    pub between: [String; 2],
    /// Weight of the influence flowing from the first population to the second.
    #[serde(default = "default_tie_weight")]
    pub weight: f64,
    /// `one_way`: only the second listens to the first.
    #[serde(default)]
    pub direction: TieDirection,
    /// Two-way ties: weight of the influence flowing back, from the second to the first
    /// (default: `weight`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight_back: Option<f64>,
}

/// Media reach of an actor into a population through one channel.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reach {
    pub actor: String,
    /// Population ids or selectors (see `targets` of a campaign).
    pub populations: Vec<String>,
    pub channel: Channel,
    /// Share of the population the actor can reach on this channel, in [0, 1].
    pub weight: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Relation {
    pub between: [String; 2],
    pub kind: RelationKind,
    /// Strength in [0, 1]: the interest is +strength (alliance) or -strength (rivalry).
    #[serde(default = "default_relation_strength")]
    pub strength: f64,
    /// Stance at tick 0 in [-1, 1], both ways (default: where interest and opinion put it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stance: Option<f64>,
}

/// `[[decision]]`: a government's decision toward another actor, taken once its stance has
/// stayed past `threshold` for `sustain` consecutive ticks.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    pub id: String,
    /// The deciding government.
    pub actor: String,
    /// The actor the decision is about.
    pub toward: String,
    pub threshold: f64,
    #[serde(default)]
    pub direction: Crossing,
    #[serde(default = "default_sustain")]
    pub sustain: u32,
    /// What the decision is, for outputs ("recognises Aurelia").
    #[serde(default)]
    pub label: String,
}

fn default_sustain() -> u32 {
    4
}

fn default_relation_strength() -> f64 {
    0.5
}

/// A false story about an actor, spreading as a contagion.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Story {
    pub id: String,
    /// The actor the story is about (and harms).
    pub about: String,
    /// Spreading rate beta (per tick, per unit believer exposure).
    #[serde(default = "default_story_beta")]
    pub transmissibility: f64,
    /// Plausibility alpha in [0, 1): tilts exposure toward belief over debunking.
    #[serde(default = "default_story_alpha")]
    pub plausibility: f64,
    /// Per-tick probability a believer verifies and becomes fact-checked (scaled by literacy).
    #[serde(default = "default_story_verify")]
    pub verify: f64,
    /// Per-tick probability believers and fact-checkers forget and become susceptible.
    #[serde(default = "default_story_forget")]
    pub forget: f64,
    /// Per-tick attitude and trust loss toward `about` at full belief.
    #[serde(default = "default_story_harm")]
    pub harm: f64,
    /// Initial believers as a share of every population (default 0: seeded by campaigns).
    #[serde(default)]
    pub initial_share: f64,
    /// SIR only: per-tick probability an infected person recovers (default 0.1).
    #[serde(default)]
    pub recovery: Option<f64>,
}

fn default_story_beta() -> f64 {
    0.6
}
fn default_story_alpha() -> f64 {
    0.5
}
fn default_story_verify() -> f64 {
    0.05
}
fn default_story_forget() -> f64 {
    0.05
}
fn default_story_harm() -> f64 {
    0.05
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Campaign {
    pub id: String,
    pub actor: String,
    pub instrument: Instrument,
    /// Population ids, or selectors: "all", "home:<actor>", "group:<generator prefix>".
    pub targets: Vec<String>,
    #[serde(default)]
    pub start: u32,
    /// First tick at which the campaign is no longer active (default: end of the run).
    #[serde(default)]
    pub end: Option<u32>,
    /// Budget units spent per active tick.
    pub spend: f64,
    /// Channel for messaging, propaganda, misinformation, fact-checking and prebunking.
    #[serde(default)]
    pub channel: Option<Channel>,
    /// Emphasis of a message on each dimension (messaging and propaganda; default: equal).
    #[serde(default)]
    pub emphasis: Option<Vec<f64>>,
    /// Actor attacked by propaganda.
    #[serde(default)]
    pub against: Option<String>,
    /// Story seeded (misinformation), corrected (fact_check) or prebunked (prebunk); for
    /// listening, the story whose believing share it measures.
    #[serde(default)]
    pub story: Option<String>,
    /// Listening: what it measures ("favourability", "familiarity", "trust", "believing").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metrics: Option<Vec<String>>,
    /// Listening: the actor the actor metrics are about (default: the listener's actor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub about: Option<String>,
    /// Listening: ticks between the state measured and the estimate seen (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lag: Option<u32>,
    /// Rules reading a listening campaign's estimates (docs/MODEL.md 3.10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adapt: Option<Adapt>,
}

/// `[campaign.adapt]`: what a campaign does with what its actor hears.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Adapt {
    /// A listening campaign of the same actor.
    pub listener: String,
    /// One of the listener's metrics.
    pub metric: String,
    /// "shift" (spend toward the audience with the best estimated gain per unit) and/or
    /// "stop" (stop once the estimate crosses `target`).
    pub rules: Vec<String>,
    /// Whether the campaign wants the metric "above" (up, the default) or "below" (down).
    #[serde(default)]
    pub direction: Option<Crossing>,
    /// Shift: ticks k between reallocations, over which gains are estimated.
    #[serde(default)]
    pub window: Option<u32>,
    /// Shift: share η of the spend moved toward the best audience at each reallocation.
    #[serde(default)]
    pub step: Option<f64>,
    /// Shift: how many standard errors z of its own estimates the listener discounts a
    /// gain by before trusting it.
    #[serde(default)]
    pub margin: Option<f64>,
    /// Stop: the level of the metric's estimate (mean over the audiences) that ends the campaign.
    #[serde(default)]
    pub target: Option<f64>,
}

/// A scheduled shock.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, tag = "kind", rename_all = "snake_case")]
pub enum Event {
    /// Hack-and-leak or scandal: cuts the actor's credibility and the trust publics place in it.
    Scandal {
        tick: u32,
        actor: String,
        severity: f64,
    },
    /// A crisis makes one dimension more salient for a while.
    Crisis {
        tick: u32,
        dimension: String,
        boost: f64,
        #[serde(default)]
        duration: Option<u32>,
        #[serde(default)]
        populations: Option<Vec<String>>,
    },
}

impl Event {
    pub fn tick(&self) -> u32 {
        match self {
            Event::Scandal { tick, .. } | Event::Crisis { tick, .. } => *tick,
        }
    }
}

/// Model parameters; every one has a documented default (docs/MODEL.md).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ModelParams {
    pub social_model: SocialModel,
    /// Confidence bound ε in attitude units (attitudes span [-1, 1], so 2 × the classic bound).
    pub confidence: f64,
    /// Deffuant convergence parameter μ.
    pub convergence: f64,
    /// Deffuant: random matchings of ties per tick.
    pub pair_rounds: u32,
    pub contagion_model: ContagionModel,
    /// SIR only: how infected contacts add up (see [`SirTransmission`]).
    pub sir_transmission: SirTransmission,
    /// Voter only: synchronous or random sequential updates.
    pub voter_update: VoterUpdate,
    pub self_weight: f64,
    /// Word of mouth: share of the familiarity gap to better-informed contacts closed per
    /// tick (docs/MODEL.md 3.6).
    pub word_of_mouth: f64,
    /// Bad buzz: extra weight of contacts whose view is lower (docs/MODEL.md 3.6).
    pub negativity_bias: f64,
    pub familiarity_decay: f64,
    pub attitude_decay: f64,
    pub credibility_recovery: f64,
    pub public_pressure: f64,
    pub default_trust: f64,
    pub default_familiarity: f64,
    pub messaging: MessagingParams,
    pub monitoring: MonitoringParams,
    pub exchange: ExchangeParams,
    pub propaganda: PropagandaParams,
    pub misinformation: MisinfoParams,
    pub reach: ReachDefaults,
    pub government: GovernmentParams,
    pub voice: ClassWeights,
    pub listening: ClassWeights,
}

impl Default for ModelParams {
    fn default() -> Self {
        ModelParams {
            social_model: SocialModel::FriedkinJohnsen,
            confidence: 0.5,
            convergence: 0.5,
            pair_rounds: 1,
            contagion_model: ContagionModel::Softpower,
            sir_transmission: SirTransmission::Share,
            voter_update: VoterUpdate::Synchronous,
            self_weight: 1.0,
            word_of_mouth: 0.1,
            negativity_bias: 0.0,
            familiarity_decay: 0.02,
            attitude_decay: 0.02,
            credibility_recovery: 0.02,
            public_pressure: 0.05,
            default_trust: 0.4,
            default_familiarity: 0.1,
            messaging: MessagingParams::default(),
            monitoring: MonitoringParams::default(),
            exchange: ExchangeParams::default(),
            propaganda: PropagandaParams::default(),
            misinformation: MisinfoParams::default(),
            reach: ReachDefaults::default(),
            government: GovernmentParams::default(),
            voice: ClassWeights::default(),
            listening: ClassWeights::default(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MessagingParams {
    pub cost_broadcast: f64,
    pub cost_digital: f64,
    pub familiarity_gain: f64,
    pub attitude_gain: f64,
    pub trust_gain: f64,
    pub backfire: bool,
    pub backfire_threshold: f64,
    /// Campaigns felt as propaganda provoke reactance (docs/MODEL.md 3.2).
    pub reactance: bool,
    pub reactance_harm: f64,
    pub reactance_cost: f64,
    /// Share of each messaging change that also moves the anchor (docs/MODEL.md 3.2).
    pub durable_share: f64,
}

impl Default for MessagingParams {
    fn default() -> Self {
        MessagingParams {
            cost_broadcast: 1.0,
            cost_digital: 0.25,
            familiarity_gain: 0.3,
            attitude_gain: 0.25,
            trust_gain: 0.05,
            backfire: false,
            backfire_threshold: 0.3,
            reactance: true,
            reactance_harm: 0.2,
            reactance_cost: 0.05,
            durable_share: 0.0,
        }
    }
}

/// `[model.monitoring]`: what listening costs and how it errs (docs/MODEL.md 3.10).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MonitoringParams {
    /// Budget units per respondent of a poll (broadcast listening).
    pub cost_broadcast: f64,
    /// Budget units per post read online (digital listening).
    pub cost_digital: f64,
    /// Spread σ_L of one respondent's answer on the metric's scale.
    pub spread: f64,
    /// Extra weight γ an outraged (extreme) population gets online.
    pub outrage_weight: f64,
}

impl Default for MonitoringParams {
    fn default() -> Self {
        MonitoringParams {
            cost_broadcast: 0.00005,
            cost_digital: 0.000005,
            spread: 0.5,
            outrage_weight: 3.0,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExchangeParams {
    pub cost_per_participant: f64,
    pub trust_gain: f64,
    pub attitude_gain: f64,
    pub durable_share: f64,
    /// Per-tick relaxation of anchors and background familiarity toward their starting
    /// values, so durable gains fade (docs/MODEL.md 3.8).
    pub durable_decay: f64,
    pub tie_gain: f64,
    pub spillover: f64,
}

impl Default for ExchangeParams {
    fn default() -> Self {
        ExchangeParams {
            cost_per_participant: 0.001,
            trust_gain: 0.25,
            attitude_gain: 0.25,
            durable_share: 0.8,
            durable_decay: 0.0,
            tie_gain: 2.0,
            spillover: 20.0,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PropagandaParams {
    pub attitude_harm: f64,
    pub trust_harm: f64,
    pub exposure_cost: f64,
}

impl Default for PropagandaParams {
    fn default() -> Self {
        PropagandaParams {
            attitude_harm: 0.2,
            trust_harm: 0.1,
            exposure_cost: 0.05,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MisinfoParams {
    pub offline_share: f64,
    pub literacy_protection: f64,
    pub seed_rate: f64,
    pub correction_rate: f64,
    pub prebunk_rate: f64,
    pub prebunk_efficacy: f64,
    pub prebunk_waning: f64,
    /// Weight of the audience's view of a correction's source (0: every source alike).
    pub source_weight: f64,
    /// Motivated reasoning: belief comes easier where the story's target is disliked.
    pub motivated_reasoning: f64,
    /// Per-tick probability, at full literacy, that a story is traced to its author.
    pub attribution_rate: f64,
    /// Credibility the author loses when the story is traced in all of the world.
    pub attribution_cost: f64,
    /// Trust the tracing audience withdraws from the author.
    pub attribution_trust_harm: f64,
}

impl Default for MisinfoParams {
    fn default() -> Self {
        MisinfoParams {
            offline_share: 0.3,
            literacy_protection: 0.6,
            seed_rate: 0.02,
            correction_rate: 0.3,
            prebunk_rate: 0.3,
            prebunk_efficacy: 0.65,
            prebunk_waning: 0.15,
            source_weight: 1.0,
            motivated_reasoning: 1.0,
            attribution_rate: 0.05,
            attribution_cost: 0.3,
            attribution_trust_harm: 0.2,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReachDefaults {
    pub broadcast: f64,
    pub digital: f64,
}

impl Default for ReachDefaults {
    fn default() -> Self {
        ReachDefaults {
            broadcast: 0.0,
            digital: 1.0,
        }
    }
}

/// `[model.government]`: what a government's stance is drawn to (docs/MODEL.md 3.7).
/// Relative weights: only the voices a government has are counted, then normalised.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GovernmentParams {
    pub public_weight: f64,
    pub elite_weight: f64,
    pub interest_weight: f64,
}

impl Default for GovernmentParams {
    fn default() -> Self {
        GovernmentParams {
            public_weight: 0.3,
            elite_weight: 0.3,
            interest_weight: 0.4,
        }
    }
}

/// `[model.voice]` / `[model.listening]`: one multiplier per population class (docs/MODEL.md,
/// Graph). Voice scales the weight with which others listen to a class (opinion leaders:
/// above 1), listening the weight with which a class listens to others (below 1: it keeps
/// its view more). 1 everywhere leaves W as the ties and self weights give it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClassWeights {
    pub public: f64,
    pub elite: f64,
    pub media: f64,
}

impl Default for ClassWeights {
    fn default() -> Self {
        ClassWeights {
            public: 1.0,
            elite: 1.0,
            media: 1.0,
        }
    }
}

impl ClassWeights {
    /// By `PopClass::index`.
    pub fn by_class(&self) -> [f32; 3] {
        [self.public as f32, self.elite as f32, self.media as f32]
    }
}

/// `[[uncertain]]`: a prior for one numeric field, named by its edit path (`scenario::edit`).
/// The prior's parameters are checked in `check/uncertain.rs`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Uncertain {
    pub path: String,
    pub prior: String,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    pub mode: Option<f64>,
    pub alpha: Option<f64>,
    pub beta: Option<f64>,
}

/// `[survey]`: the observation model's settings, the ticks `survey.csv` reports and the
/// observations `softpower calibrate` fits (checked in `check/survey.rs`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Survey {
    /// Ticks at which `run` writes `survey.csv` (none: no file).
    #[serde(default)]
    pub ticks: Vec<u32>,
    /// σ: spread of individual opinions around a population's value.
    #[serde(default = "default_spread")]
    pub spread: f64,
    /// Units reported in `survey.csv` (selectors); default: every population and group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub units: Option<Vec<String>>,
    /// Observations CSV (unit, actor, measure, tick or date, value, n), relative to the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observations: Option<String>,
    /// Calendar date of tick 0 (YYYY-MM-DD), to place observations given by date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<String>,
    /// Days per tick, to place observations given by date.
    #[serde(default = "default_tick_days")]
    pub tick_days: f64,
    /// Observations from this tick or date on are held out of the fit and predicted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holdout_from: Option<TickOrDate>,
}

/// A tick (a whole number) or a calendar date (a string, `YYYY-MM-DD`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum TickOrDate {
    Tick(u32),
    Date(String),
}

/// σ of the observation model when a scenario has no `[survey] spread`.
pub const DEFAULT_SPREAD: f64 = 0.5;
fn default_spread() -> f64 {
    DEFAULT_SPREAD
}
fn default_tick_days() -> f64 {
    7.0
}

impl Default for Survey {
    fn default() -> Self {
        Survey {
            ticks: Vec::new(),
            spread: default_spread(),
            units: None,
            observations: None,
            start_date: None,
            tick_days: default_tick_days(),
            holdout_from: None,
        }
    }
}
