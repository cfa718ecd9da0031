//! The model's vocabulary: the kinds of actors, instruments, channels, relations and the
//! rules of social influence and contagion, shared by the scenario format, the world and
//! the engine. Serde derives here so the scenario file can name them; nothing here reads a
//! file.

pub mod checked;
pub mod prior;
pub mod survey;

/// Home populations each exchange target is tied to at most (k of
/// `world::exchange_ties`); the memory preflight counts the ties with it.
pub const EXCHANGE_HOME_LINKS: usize = 8;

/// Largest number of populations whose individual trajectories are recorded (and drawn).
pub const TRACE_MAX_POPULATIONS: usize = 2000;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    State,
    Ngo,
    Media,
    Extremist,
}

impl ActorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::State => "state",
            ActorKind::Ngo => "ngo",
            ActorKind::Media => "media",
            ActorKind::Extremist => "extremist",
        }
    }
}

/// A number, or a distribution to draw it from per generated population.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Dist {
    Const(f64),
    Spec(DistSpec),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, tag = "dist", rename_all = "snake_case")]
pub enum DistSpec {
    Uniform { min: f64, max: f64 },
    Normal { mean: f64, sd: f64 },
    LogNormal { median: f64, sigma: f64 },
    Beta { alpha: f64, beta: f64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Broadcast,
    Digital,
}

impl Channel {
    pub const ALL: [Channel; 2] = [Channel::Broadcast, Channel::Digital];
    pub fn index(self) -> usize {
        self as usize
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Broadcast => "broadcast",
            Channel::Digital => "digital",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RelationKind {
    Alliance,
    Rivalry,
    Neutral,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Instrument {
    Messaging,
    Exchange,
    Propaganda,
    Misinformation,
    FactCheck,
    Prebunk,
    /// Audience research: noisy, lagged estimates of chosen metrics (docs/MODEL.md 3.10).
    Listening,
}

impl Instrument {
    pub const ALL: [Instrument; 7] = [
        Instrument::Messaging,
        Instrument::Exchange,
        Instrument::Propaganda,
        Instrument::Misinformation,
        Instrument::FactCheck,
        Instrument::Prebunk,
        Instrument::Listening,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Instrument::Messaging => "messaging",
            Instrument::Exchange => "exchange",
            Instrument::Propaganda => "propaganda",
            Instrument::Misinformation => "misinformation",
            Instrument::FactCheck => "fact_check",
            Instrument::Prebunk => "prebunk",
            Instrument::Listening => "listening",
        }
    }
    pub fn index(self) -> usize {
        self as usize
    }
}

/// What a listening campaign measures (docs/MODEL.md 3.10): toward an actor, or a story's
/// believing share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListenMetric {
    Favourability,
    Familiarity,
    Trust,
    Believing,
}

impl ListenMetric {
    pub const ALL: [ListenMetric; 4] = [
        ListenMetric::Favourability,
        ListenMetric::Familiarity,
        ListenMetric::Trust,
        ListenMetric::Believing,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            ListenMetric::Favourability => "favourability",
            ListenMetric::Familiarity => "familiarity",
            ListenMetric::Trust => "trust",
            ListenMetric::Believing => "believing",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SocialModel {
    /// Friedkin–Johnsen averaging with anchoring (DeGroot when stubbornness is 0).
    FriedkinJohnsen,
    /// As Friedkin–Johnsen, but a neighbour only counts within `confidence` (weighted
    /// Hegselmann–Krause).
    BoundedConfidence,
    /// Hegselmann & Krause (2002): unweighted mean of the attitudes within `confidence`.
    HegselmannKrause,
    /// Deffuant, Neau, Amblard & Weisbuch (2000): pairwise compromise within `confidence`.
    Deffuant,
    /// Voter model: copy the attitudes of one neighbour drawn by tie weight.
    Voter,
}

impl SocialModel {
    pub fn as_str(self) -> &'static str {
        match self {
            SocialModel::FriedkinJohnsen => "friedkin_johnsen",
            SocialModel::BoundedConfidence => "bounded_confidence",
            SocialModel::HegselmannKrause => "hegselmann_krause",
            SocialModel::Deffuant => "deffuant",
            SocialModel::Voter => "voter",
        }
    }
}

/// The contagion rule of the misinformation layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContagionModel {
    /// Believers, fact-checkers and the prebunked, with literacy and online reach.
    Softpower,
    /// Kermack–McKendrick SIR: susceptible, infected (B), recovered (C).
    Sir,
    /// Maki & Thompson (1973) rumour: spreaders call contacts; ignorant (S), spreader (B), stifler (C).
    MakiThompson,
    /// Daley & Kendall (1965) rumour: symmetric meetings; two spreaders both stop.
    DaleyKendall,
    /// Tambuscio, Ruffo, Flammini & Menczer (2015) hoax with fact-checking.
    Hoax,
}

impl ContagionModel {
    pub fn as_str(self) -> &'static str {
        match self {
            ContagionModel::Softpower => "softpower",
            ContagionModel::Sir => "sir",
            ContagionModel::MakiThompson => "maki_thompson",
            ContagionModel::DaleyKendall => "daley_kendall",
            ContagionModel::Hoax => "hoax",
        }
    }
}

/// How a susceptible's infection hazard grows with its infected contacts (SIR).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SirTransmission {
    /// β × the influence-weighted share of contacts infected (Kermack–McKendrick).
    #[default]
    Share,
    /// β × the tie-weighted number of infected contacts: every contact transmits
    /// independently, as in NDlib's and most network-epidemic SIR codes.
    PerContact,
}

/// Which way influence flows along a `[[tie]]` (docs/SCENARIO.md 9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TieDirection {
    /// Each end listens to the other.
    #[default]
    Both,
    /// Influence flows from the first population to the second only: the second listens,
    /// the first does not (an opinion leader, a medium).
    OneWay,
}

/// What a population is to its government (docs/MODEL.md 3.7) and to other populations
/// (docs/MODEL.md, Graph): its general public, an elite (officials, business, experts)
/// whose view the government weighs apart, or a medium (press, broadcasters, influencers),
/// which counts with the public for its government. `[model.voice]` and `[model.listening]`
/// give each class its weight in what others hear and how much it hears them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PopClass {
    #[default]
    Public,
    Elite,
    Media,
}

impl PopClass {
    /// Position in per-class arrays (`[public, elite, media]`).
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Which side of its threshold a stance must stay on for a decision to be taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Crossing {
    /// Stance ≥ threshold (recognising, allying).
    #[default]
    Above,
    /// Stance ≤ threshold (sanctioning, breaking off).
    Below,
}

impl Crossing {
    pub fn as_str(self) -> &'static str {
        match self {
            Crossing::Above => "above",
            Crossing::Below => "below",
        }
    }
}

/// How the voter model updates (docs/MODEL.md 3.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VoterUpdate {
    /// Every population copies a neighbour at once, from the state at the start of the tick.
    #[default]
    Synchronous,
    /// N single updates per tick (N populations), each of a population drawn at random,
    /// which copies from the current state (Clifford & Sudbury's continuous-time model).
    Asynchronous,
}

/// Set starting values for a generated group, one per population (docs/SCENARIO.md 7):
/// exactly one of `values`, `from`/`to` (evenly spaced) or `file`/`column` (a CSV column).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetValues {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<f64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
}
