//! Typed metrics: what an analyst measures in a run, parsed from one syntax.
//!
//! ```text
//! metric    = quantity ":" entity [ "[" selector { "," selector } "]" ] [ "@" reduction ]
//! quantity  = soft_power | familiarity | trust | favourability | credibility | spend   (entity: actor)
//!           | net_favourable      percentage points, −100..100                  (entity: actor)
//!           | believing | fact_checked | prebunked                                   (entity: story)
//!           | stance                                                     (entity: actor "->" actor)
//! selector  = population id | "home:" actor | "group:" generator prefix | "all"
//! reduction = "final"            value at the last tick (the default)
//!           | tick               value at that tick, e.g. @52
//!           | "peak" | "trough"  largest / smallest value over the run
//!           | "mean" [ "(" a ".." b ")" ]   time average over ticks a..=b (whole run if absent)
//!           | "peak_tick"        tick of the (first) peak
//!           | "first>" x | "first<" x       first tick the value is above / below x
//! ```
//!
//! The older forms stay valid: `<quantity>:<actor>`, `believing:<story>`, `spend:<actor>`
//! and `believing_peak:<story>` (= `believing:<story>@peak`).
//!
//! Whether lower is better follows from the type: believing and spend are harms/costs, the
//! rest goods; a tick-valued reduction is better earlier when it marks reaching a good state
//! (a good quantity's first rise above x, a harm's first fall below x) and better later when
//! it marks a bad one (a harm's peak or first rise; a good's first fall or its peak tick).

use std::fmt;

use thiserror::Error;

use super::prior::did_you_mean;

#[derive(Debug, Error, PartialEq)]
pub enum MetricError {
    #[error(
        "metric \"{0}\" needs the form <quantity>:<entity>[selectors]@<reduction>, e.g. soft_power:norland@52"
    )]
    NoColon(String),
    #[error("unknown quantity \"{got}\"{hint}; allowed: {}", QUANTITIES.join(", "))]
    UnknownQuantity { got: String, hint: String },
    #[error("\"{0}\" needs an entity after the colon")]
    NoEntity(String),
    #[error("stance needs two actors, stance:<from>-><to> (got \"{0}\")")]
    BadStance(String),
    #[error("\"{0}\": the population selectors in [...] are unclosed or empty")]
    BadSelectors(String),
    #[error(
        "unknown reduction \"@{got}\"{hint}; allowed: @final, @<tick>, @peak, @trough, @mean, @mean(<a>..<b>), @peak_tick, @first><x>, @first<<x>"
    )]
    UnknownReduction { got: String, hint: String },
    #[error("window \"{0}\" must be <first tick>..<last tick> with first ≤ last")]
    BadWindow(String),
    #[error("unknown {what} \"{got}\" in metric \"{metric}\"{hint}")]
    UnknownEntity {
        what: &'static str,
        got: String,
        metric: String,
        hint: String,
    },
}

/// The measured quantities, by the names the syntax uses.
pub const QUANTITIES: [&str; 11] = [
    "soft_power",
    "net_favourable",
    "familiarity",
    "trust",
    "favourability",
    "credibility",
    "spend",
    "believing",
    "fact_checked",
    "prebunked",
    "stance",
];

/// A measured quantity and the entity it is measured for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Quantity {
    /// An actor index among soft_power, familiarity, trust, favourability, credibility.
    Actor { index: ActorIndex, actor: String },
    /// Cumulative spend of an actor.
    Spend { actor: String },
    /// A story statistic: share believing, fact-checked or prebunked.
    Story { stat: StoryStat, story: String },
    /// Stance of one actor toward another.
    Stance { from: String, to: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActorIndex {
    SoftPower,
    Familiarity,
    Trust,
    Favourability,
    Credibility,
    /// % favourable − % unfavourable among the aware (docs/MODEL.md "Net favourable").
    NetFavourable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoryStat {
    Believing,
    FactChecked,
    Prebunked,
}

/// A population selector restricting the metric to a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    All,
    Population(String),
    Home(String),
    Group(String),
}

/// How a time series becomes one number.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Reduction {
    Final,
    At(usize),
    Peak,
    Trough,
    /// Mean over ticks first..=last (None: the whole series).
    Mean(Option<(usize, usize)>),
    PeakTick,
    /// First tick the value is strictly above (`above`) or below the threshold.
    FirstCrossing {
        above: bool,
        threshold: f64,
    },
}

/// A typed metric.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    pub quantity: Quantity,
    /// Empty: the quantity's usual population set.
    pub selectors: Vec<Selector>,
    pub reduction: Reduction,
}

impl Quantity {
    fn name(&self) -> &'static str {
        match self {
            Quantity::Actor { index, .. } => match index {
                ActorIndex::SoftPower => "soft_power",
                ActorIndex::Familiarity => "familiarity",
                ActorIndex::Trust => "trust",
                ActorIndex::Favourability => "favourability",
                ActorIndex::Credibility => "credibility",
                ActorIndex::NetFavourable => "net_favourable",
            },
            Quantity::Spend { .. } => "spend",
            Quantity::Story { stat, .. } => match stat {
                StoryStat::Believing => "believing",
                StoryStat::FactChecked => "fact_checked",
                StoryStat::Prebunked => "prebunked",
            },
            Quantity::Stance { .. } => "stance",
        }
    }

    /// A harm or a cost: believing a story, spending.
    pub fn lower_is_better(&self) -> bool {
        matches!(
            self,
            Quantity::Spend { .. }
                | Quantity::Story {
                    stat: StoryStat::Believing,
                    ..
                }
        )
    }
}

impl Metric {
    /// Parses one metric string (see the module documentation for the syntax).
    pub fn parse(text: &str) -> Result<Metric, MetricError> {
        let text = text.trim();
        let (head, reduction) = match text.split_once('@') {
            Some((h, r)) => (h, Some(r)),
            None => (text, None),
        };
        let (head, selectors) = match head.split_once('[') {
            Some((h, rest)) => {
                let inner = rest
                    .strip_suffix(']')
                    .filter(|s| !s.trim().is_empty())
                    .ok_or_else(|| MetricError::BadSelectors(text.to_string()))?;
                let sel = inner
                    .split(',')
                    .map(|s| parse_selector(s.trim()))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|_| MetricError::BadSelectors(text.to_string()))?;
                (h, sel)
            }
            None => (head, Vec::new()),
        };
        let (q, entity) = head
            .split_once(':')
            .ok_or_else(|| MetricError::NoColon(text.to_string()))?;
        let (q, entity) = (q.trim(), entity.trim());
        if entity.is_empty() {
            return Err(MetricError::NoEntity(text.to_string()));
        }
        let mut reduction = match reduction {
            Some(r) => parse_reduction(r.trim())?,
            None => Reduction::Final,
        };
        let name = |s: &str| s.to_string();
        let quantity = match q {
            "soft_power" | "familiarity" | "trust" | "favourability" | "credibility"
            | "net_favourable" => Quantity::Actor {
                index: match q {
                    "soft_power" => ActorIndex::SoftPower,
                    "net_favourable" => ActorIndex::NetFavourable,
                    "familiarity" => ActorIndex::Familiarity,
                    "trust" => ActorIndex::Trust,
                    "favourability" => ActorIndex::Favourability,
                    _ => ActorIndex::Credibility,
                },
                actor: name(entity),
            },
            "spend" => Quantity::Spend {
                actor: name(entity),
            },
            "believing" | "fact_checked" | "prebunked" => Quantity::Story {
                stat: match q {
                    "believing" => StoryStat::Believing,
                    "fact_checked" => StoryStat::FactChecked,
                    _ => StoryStat::Prebunked,
                },
                story: name(entity),
            },
            "believing_peak" if reduction == Reduction::Final => {
                reduction = Reduction::Peak;
                Quantity::Story {
                    stat: StoryStat::Believing,
                    story: name(entity),
                }
            }
            "stance" => {
                let (from, to) = entity
                    .split_once("->")
                    .map(|(a, b)| (a.trim(), b.trim()))
                    .filter(|(a, b)| !a.is_empty() && !b.is_empty())
                    .ok_or_else(|| MetricError::BadStance(entity.to_string()))?;
                Quantity::Stance {
                    from: name(from),
                    to: name(to),
                }
            }
            _ => {
                return Err(MetricError::UnknownQuantity {
                    got: q.to_string(),
                    hint: did_you_mean(q, QUANTITIES.iter().copied()),
                });
            }
        };
        Ok(Metric {
            quantity,
            selectors,
            reduction,
        })
    }

    /// Whether a lower value of this metric is better, from its type.
    pub fn lower_is_better(&self) -> bool {
        let harm = self.quantity.lower_is_better();
        match self.reduction {
            Reduction::Final
            | Reduction::At(_)
            | Reduction::Peak
            | Reduction::Trough
            | Reduction::Mean(_) => harm,
            // Reaching a good state sooner is better: a good rising above, a harm falling below.
            Reduction::FirstCrossing { above, .. } => above != harm,
            // A harm peaking later (more time to respond) is better; a good peaking sooner.
            Reduction::PeakTick => !harm,
        }
    }

    /// Refuses a tick or window beyond a run of `ticks` ticks.
    pub fn check_ticks(&self, ticks: usize) -> Result<(), String> {
        let last = match self.reduction {
            Reduction::At(t) => t,
            Reduction::Mean(Some((_, b))) => b,
            _ => return Ok(()),
        };
        if last > ticks {
            return Err(format!(
                "metric \"{self}\" reads tick {last}, but the scenario runs ticks 0 to {ticks}"
            ));
        }
        Ok(())
    }

    /// Whether the reduced value is a tick number (tick of peak, first crossing).
    pub fn is_tick_valued(&self) -> bool {
        matches!(
            self.reduction,
            Reduction::PeakTick | Reduction::FirstCrossing { .. }
        )
    }

    /// Whether the value is a share of people (a story statistic), shown in percent.
    pub fn is_share(&self) -> bool {
        matches!(self.quantity, Quantity::Story { .. }) && !self.is_tick_valued()
    }

    /// Whether the value is in percentage points (net favourable), shown as it is.
    pub fn is_points(&self) -> bool {
        matches!(
            self.quantity,
            Quantity::Actor {
                index: ActorIndex::NetFavourable,
                ..
            }
        ) && !self.is_tick_valued()
    }

    /// The time series the metric reduces, e.g. `believing:s[home:a]` for
    /// `believing:s[home:a]@peak` (the line of a chart over time).
    pub fn series_name(&self) -> String {
        Metric {
            reduction: Reduction::Final,
            ..self.clone()
        }
        .to_string()
    }

    /// The metric in words for titles: "final soft_power:norland", "soft_power:norland@52".
    pub fn headline(&self) -> String {
        if self.reduction == Reduction::Final {
            format!("final {self}")
        } else {
            self.to_string()
        }
    }

    /// Checks the metric's entities against the scenario's declared names.
    pub fn check_entities(&self, actors: &[&str], stories: &[&str]) -> Result<(), MetricError> {
        let check = |what: &'static str, got: &str, known: &[&str]| {
            if known.contains(&got) {
                Ok(())
            } else {
                Err(MetricError::UnknownEntity {
                    what,
                    got: got.to_string(),
                    metric: self.to_string(),
                    hint: did_you_mean(got, known.iter().copied()),
                })
            }
        };
        match &self.quantity {
            Quantity::Actor { actor, .. } | Quantity::Spend { actor } => {
                check("actor", actor, actors)?
            }
            Quantity::Story { story, .. } => check("story", story, stories)?,
            Quantity::Stance { from, to } => {
                check("actor", from, actors)?;
                check("actor", to, actors)?;
            }
        }
        for s in &self.selectors {
            if let Selector::Home(a) = s {
                check("actor", a, actors)?;
            }
        }
        Ok(())
    }

    /// Applies the reduction to a series sampled at ticks 0, 1, …; None when the series
    /// does not reach the tick or window asked for, or never crosses the threshold.
    pub fn reduce(&self, series: &[f64]) -> Option<f64> {
        self.reduction.apply(series)
    }
}

impl Reduction {
    /// See [`Metric::reduce`].
    pub fn apply(&self, series: &[f64]) -> Option<f64> {
        let last = series.len().checked_sub(1)?;
        match *self {
            Reduction::Final => Some(series[last]),
            Reduction::At(t) => series.get(t).copied(),
            Reduction::Peak => series.iter().copied().reduce(f64::max),
            Reduction::Trough => series.iter().copied().reduce(f64::min),
            Reduction::Mean(window) => {
                let (a, b) = window.unwrap_or((0, last));
                let w = series.get(a..=b)?;
                Some(w.iter().sum::<f64>() / w.len() as f64)
            }
            Reduction::PeakTick => {
                let peak = series.iter().copied().reduce(f64::max)?;
                series.iter().position(|&v| v == peak).map(|t| t as f64)
            }
            Reduction::FirstCrossing { above, threshold } => series
                .iter()
                .position(|&v| if above { v > threshold } else { v < threshold })
                .map(|t| t as f64),
        }
    }
}

/// A reduction applied tick by tick, holding O(1) state: no series is stored.
/// On a whole series it gives what [`Reduction::apply`] gives, except that a threshold
/// never crossed reads as `ticks + 1` (censored: after the end of the run), so every run
/// has a value; tick and window reductions are checked against the run's length first
/// ([`Metric::check_ticks`]).
#[derive(Debug, Clone)]
pub struct Streaming {
    reduction: Reduction,
    ticks: usize,
    seen: bool,
    value: f64,
    tick: usize,
    sum: f64,
    count: usize,
    first: Option<usize>,
}

impl Streaming {
    /// For a run of `ticks` ticks (values at ticks 0..=ticks).
    pub fn new(reduction: Reduction, ticks: usize) -> Streaming {
        Streaming {
            reduction,
            ticks,
            seen: false,
            value: f64::NAN,
            tick: 0,
            sum: 0.0,
            count: 0,
            first: None,
        }
    }

    /// Takes the value `v` of tick `t` (ticks arrive in increasing order from 0).
    pub fn observe(&mut self, t: usize, v: f64) {
        match self.reduction {
            Reduction::Final => self.value = v,
            Reduction::At(k) => {
                if t == k {
                    self.value = v;
                }
            }
            Reduction::Peak => self.value = if self.seen { self.value.max(v) } else { v },
            Reduction::Trough => self.value = if self.seen { self.value.min(v) } else { v },
            Reduction::Mean(window) => {
                if window.is_none_or(|(a, b)| (a..=b).contains(&t)) {
                    self.sum += v;
                    self.count += 1;
                }
            }
            Reduction::PeakTick => {
                if !self.seen || v > self.value {
                    self.value = v;
                    self.tick = t;
                }
            }
            Reduction::FirstCrossing { above, threshold } => {
                let crossed = if above { v > threshold } else { v < threshold };
                if self.first.is_none() && crossed {
                    self.first = Some(t);
                }
            }
        }
        self.seen = true;
    }

    /// The reduced value (NaN if no tick was observed, or the tick asked for was not).
    pub fn finish(&self) -> f64 {
        match self.reduction {
            Reduction::Final | Reduction::At(_) | Reduction::Peak | Reduction::Trough => self.value,
            Reduction::Mean(_) => {
                if self.count == 0 {
                    f64::NAN
                } else {
                    self.sum / self.count as f64
                }
            }
            Reduction::PeakTick => {
                if self.seen {
                    self.tick as f64
                } else {
                    f64::NAN
                }
            }
            Reduction::FirstCrossing { .. } => self.first.unwrap_or(self.ticks + 1) as f64,
        }
    }
}

// The part of a metric string an error is about, for pointing at it.
impl MetricError {
    fn culprit(&self) -> Option<String> {
        match self {
            MetricError::UnknownQuantity { got, .. } => Some(got.clone()),
            MetricError::UnknownReduction { got, .. } => Some(format!("@{got}")),
            MetricError::BadWindow(w) => Some(w.clone()),
            MetricError::BadStance(e) => Some(e.clone()),
            MetricError::UnknownEntity { got, .. } => Some(got.clone()),
            MetricError::BadSelectors(_) => Some("[".into()),
            MetricError::NoColon(_) | MetricError::NoEntity(_) => None,
        }
    }

    /// The error with the metric text underneath and a caret line under the part that is
    /// wrong, e.g. for `softpower:norland`:
    /// ```text
    /// unknown quantity "softpower", did you mean "soft_power"? ...
    ///   softpower:norland
    ///   ^^^^^^^^^
    /// ```
    pub fn located(&self, text: &str) -> String {
        let at = self
            .culprit()
            .filter(|c| !c.is_empty())
            .and_then(|c| text.find(c.as_str()).map(|i| (i, c.chars().count())));
        match at {
            Some((i, n)) => format!(
                "{self}\n    {text}\n    {}{}",
                " ".repeat(text[..i].chars().count()),
                "^".repeat(n.max(1))
            ),
            None => format!("{self}\n    {text}"),
        }
    }
}

fn parse_selector(s: &str) -> Result<Selector, ()> {
    if s.is_empty() {
        return Err(());
    }
    Ok(if s == "all" {
        Selector::All
    } else if let Some(a) = s.strip_prefix("home:") {
        Selector::Home(a.to_string())
    } else if let Some(g) = s.strip_prefix("group:") {
        Selector::Group(g.to_string())
    } else {
        Selector::Population(s.to_string())
    })
}

const REDUCTIONS: [&str; 7] = [
    "final",
    "peak",
    "trough",
    "mean",
    "peak_tick",
    "first>",
    "first<",
];

fn parse_reduction(r: &str) -> Result<Reduction, MetricError> {
    let unknown = || MetricError::UnknownReduction {
        got: r.to_string(),
        hint: did_you_mean(r, REDUCTIONS.iter().copied()),
    };
    Ok(match r {
        "final" => Reduction::Final,
        "peak" => Reduction::Peak,
        "trough" => Reduction::Trough,
        "mean" => Reduction::Mean(None),
        "peak_tick" => Reduction::PeakTick,
        _ => {
            if let Ok(t) = r.parse::<usize>() {
                Reduction::At(t)
            } else if let Some(w) = r.strip_prefix("mean(").and_then(|w| w.strip_suffix(')')) {
                let bad = || MetricError::BadWindow(w.to_string());
                let (a, b) = w.split_once("..").ok_or_else(bad)?;
                let a: usize = a.trim().parse().map_err(|_| bad())?;
                let b: usize = b.trim().parse().map_err(|_| bad())?;
                if a > b {
                    return Err(bad());
                }
                Reduction::Mean(Some((a, b)))
            } else if let Some((above, x)) = r
                .strip_prefix("first>")
                .map(|x| (true, x))
                .or_else(|| r.strip_prefix("first<").map(|x| (false, x)))
            {
                let threshold: f64 = x.trim().parse().map_err(|_| unknown())?;
                if !threshold.is_finite() {
                    return Err(unknown());
                }
                Reduction::FirstCrossing { above, threshold }
            } else {
                return Err(unknown());
            }
        }
    })
}

impl fmt::Display for Metric {
    /// The canonical spelling, which parses back to the same metric.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:", self.quantity.name())?;
        match &self.quantity {
            Quantity::Actor { actor, .. } | Quantity::Spend { actor } => write!(f, "{actor}")?,
            Quantity::Story { story, .. } => write!(f, "{story}")?,
            Quantity::Stance { from, to } => write!(f, "{from}->{to}")?,
        }
        if !self.selectors.is_empty() {
            let s: Vec<String> = self
                .selectors
                .iter()
                .map(|s| match s {
                    Selector::All => "all".to_string(),
                    Selector::Population(p) => p.clone(),
                    Selector::Home(a) => format!("home:{a}"),
                    Selector::Group(g) => format!("group:{g}"),
                })
                .collect();
            write!(f, "[{}]", s.join(","))?;
        }
        match self.reduction {
            Reduction::Final => Ok(()),
            Reduction::At(t) => write!(f, "@{t}"),
            Reduction::Peak => write!(f, "@peak"),
            Reduction::Trough => write!(f, "@trough"),
            Reduction::Mean(None) => write!(f, "@mean"),
            Reduction::Mean(Some((a, b))) => write!(f, "@mean({a}..{b})"),
            Reduction::PeakTick => write!(f, "@peak_tick"),
            Reduction::FirstCrossing { above, threshold } => {
                write!(f, "@first{}{threshold}", if above { '>' } else { '<' })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Metric {
        Metric::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn the_existing_ensemble_syntax_still_parses() {
        for a in [
            "soft_power",
            "familiarity",
            "trust",
            "favourability",
            "credibility",
        ] {
            let x = m(&format!("{a}:norland"));
            assert_eq!(x.reduction, Reduction::Final);
            assert!(!x.lower_is_better());
        }
        assert!(m("believing:grain_plot").lower_is_better());
        assert!(m("spend:norland").lower_is_better());
        let peak = m("believing_peak:grain_plot");
        assert_eq!(peak, m("believing:grain_plot@peak"));
        assert!(peak.lower_is_better());
    }

    #[test]
    fn every_part_of_the_syntax_parses_into_its_type() {
        let x = m("favourability:norland[home:meridia, group:students]@mean(10..52)");
        assert_eq!(
            x.quantity,
            Quantity::Actor {
                index: ActorIndex::Favourability,
                actor: "norland".into()
            }
        );
        assert_eq!(
            x.selectors,
            vec![
                Selector::Home("meridia".into()),
                Selector::Group("students".into())
            ]
        );
        assert_eq!(x.reduction, Reduction::Mean(Some((10, 52))));
        assert_eq!(m("soft_power:norland@52").reduction, Reduction::At(52));
        assert_eq!(
            m("stance:meridia->norland@trough").quantity,
            Quantity::Stance {
                from: "meridia".into(),
                to: "norland".into()
            }
        );
        assert_eq!(
            m("believing:grain_plot@first>0.1").reduction,
            Reduction::FirstCrossing {
                above: true,
                threshold: 0.1
            }
        );
        assert_eq!(
            m("trust:atlantia[all]@peak_tick").selectors,
            vec![Selector::All]
        );
    }

    #[test]
    fn the_canonical_spelling_round_trips() {
        for s in [
            "soft_power:norland",
            "believing:grain_plot@peak",
            "favourability:norland[home:meridia,group:students,meridia_public]@mean(3..9)",
            "stance:a->b@first<-0.25",
            "spend:norland@mean",
            "prebunked:story@7",
            "credibility:x@peak_tick",
            "net_favourable:norland[home:meridia]@mean",
        ] {
            assert_eq!(m(s).to_string(), s);
            assert_eq!(m(&m(s).to_string()), m(s));
        }
    }

    #[test]
    fn direction_follows_the_type_not_the_spelling() {
        // A good quantity: reaching a level sooner is better; falling below one later.
        assert!(m("soft_power:n@first>0.5").lower_is_better());
        assert!(!m("soft_power:n@first<0.1").lower_is_better());
        // A harm: its first rise later is better; its first fall sooner is better.
        assert!(!m("believing:s@first>0.1").lower_is_better());
        assert!(m("believing:s@first<0.05").lower_is_better());
        assert!(!m("believing:s@peak_tick").lower_is_better());
        assert!(m("believing:s@mean").lower_is_better());
        // fact_checked shares a prefix-free name yet is a good, not a harm.
        assert!(!m("fact_checked:s").lower_is_better());
        // Net favourable is a good, in points: higher is better.
        assert!(!m("net_favourable:n").lower_is_better());
        assert!(m("net_favourable:n").is_points() && !m("net_favourable:n@peak_tick").is_points());
    }

    #[test]
    fn reductions_evaluate_on_a_series() {
        let s = [0.0, 0.2, 0.5, 0.4, 0.1, 0.3];
        let r = |t: &str| m(&format!("trust:a@{t}")).reduce(&s);
        assert_eq!(m("trust:a").reduce(&s), Some(0.3));
        assert_eq!(r("2"), Some(0.5));
        assert_eq!(r("6"), None, "beyond the series");
        assert_eq!(r("peak"), Some(0.5));
        assert_eq!(r("trough"), Some(0.0));
        assert_eq!(r("peak_tick"), Some(2.0));
        let near = |a: Option<f64>, b: f64| a.is_some_and(|a| (a - b).abs() < 1e-15);
        assert!(near(r("mean"), 1.5 / 6.0));
        assert!(near(r("mean(1..3)"), 1.1 / 3.0));
        assert_eq!(r("mean(4..9)"), None);
        assert_eq!(r("first>0.3"), Some(2.0));
        assert_eq!(r("first<0.2"), Some(0.0));
        assert_eq!(r("first>0.9"), None, "never crossed");
        assert_eq!(m("trust:a").reduce(&[]), None);
    }

    #[test]
    fn mistakes_get_hints_and_say_what_is_allowed() {
        let e = |s: &str| Metric::parse(s).unwrap_err().to_string();
        assert!(e("softpower:norland").contains("did you mean \"soft_power\""));
        assert!(e("believin:x").contains("did you mean \"believing\""));
        assert!(e("norland").contains("<quantity>:<entity>"));
        assert!(e("trust:").contains("needs an entity"));
        assert!(e("stance:norland").contains("stance:<from>-><to>"));
        assert!(e("trust:a@peek").contains("did you mean \"peak\""));
        assert!(e("trust:a@mean(9..3)").contains("first ≤ last"));
        assert!(e("trust:a[home:b").contains("unclosed"));
        let x = m("trust:norlnd[home:meridia]");
        let err = x
            .check_entities(&["norland", "meridia"], &[])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("unknown actor \"norlnd\"") && err.contains("did you mean \"norland\""),
            "{err}"
        );
        assert!(
            m("believing:grain[home:meridia]")
                .check_entities(&["meridia"], &["grain"])
                .is_ok()
        );
    }

    #[test]
    fn errors_point_at_the_part_that_is_wrong() {
        let at = |s: &str| Metric::parse(s).unwrap_err().located(s);
        let e = at("softpower:norland@peak");
        assert!(
            e.ends_with("    softpower:norland@peak\n    ^^^^^^^^^"),
            "{e}"
        );
        let e = at("trust:norland@peek");
        assert!(
            e.ends_with("    trust:norland@peek\n                 ^^^^^"),
            "{e}"
        );
        let m = m("trust:norlnd");
        let e = m
            .check_entities(&["norland"], &[])
            .unwrap_err()
            .located("trust:norlnd");
        assert!(e.ends_with("\n          ^^^^^^"), "{e}");
    }

    mod props {
        use super::super::*;
        use proptest::prelude::*;

        fn ident() -> impl Strategy<Value = String> {
            "[a-z][a-z0-9_]{0,8}"
        }

        fn quantity() -> impl Strategy<Value = Quantity> {
            let index = prop_oneof![
                Just(ActorIndex::SoftPower),
                Just(ActorIndex::Familiarity),
                Just(ActorIndex::Trust),
                Just(ActorIndex::Favourability),
                Just(ActorIndex::Credibility),
                Just(ActorIndex::NetFavourable),
            ];
            let stat = prop_oneof![
                Just(StoryStat::Believing),
                Just(StoryStat::FactChecked),
                Just(StoryStat::Prebunked),
            ];
            prop_oneof![
                (index, ident()).prop_map(|(index, actor)| Quantity::Actor { index, actor }),
                ident().prop_map(|actor| Quantity::Spend { actor }),
                (stat, ident()).prop_map(|(stat, story)| Quantity::Story { stat, story }),
                (ident(), ident()).prop_map(|(from, to)| Quantity::Stance { from, to }),
            ]
        }

        fn selector() -> impl Strategy<Value = Selector> {
            prop_oneof![
                Just(Selector::All),
                ident().prop_map(|p| Selector::Population(format!("p{p}"))),
                ident().prop_map(Selector::Home),
                ident().prop_map(Selector::Group),
            ]
        }

        fn reduction() -> impl Strategy<Value = Reduction> {
            prop_oneof![
                Just(Reduction::Final),
                (0usize..10_000).prop_map(Reduction::At),
                Just(Reduction::Peak),
                Just(Reduction::Trough),
                Just(Reduction::Mean(None)),
                (0usize..500, 0usize..500).prop_map(|(a, n)| Reduction::Mean(Some((a, a + n)))),
                Just(Reduction::PeakTick),
                (any::<bool>(), -1e6f64..1e6)
                    .prop_map(|(above, threshold)| Reduction::FirstCrossing { above, threshold }),
            ]
        }

        proptest! {
            #[test]
            fn display_then_parse_gives_back_the_metric(
                quantity in quantity(),
                selectors in proptest::collection::vec(selector(), 0..4),
                reduction in reduction(),
            ) {
                let m = Metric { quantity, selectors, reduction };
                let text = m.to_string();
                prop_assert_eq!(Metric::parse(&text), Ok(m), "{}", text);
            }

            #[test]
            fn the_streaming_reduction_equals_the_reduction_of_the_whole_series(
                series in proptest::collection::vec(-1.0f64..1.0, 1..40),
                reduction in reduction(),
            ) {
                let ticks = series.len() - 1;
                let mut s = Streaming::new(reduction, ticks);
                for (t, &v) in series.iter().enumerate() {
                    s.observe(t, v);
                }
                let got = s.finish();
                match (reduction.apply(&series), reduction) {
                    (Some(want), _) => prop_assert_eq!(got, want),
                    // Refused before a run (`check_ticks`): a window past the end.
                    (None, Reduction::Mean(Some((_, b)))) if b > ticks => {}
                    (None, Reduction::FirstCrossing { .. }) => {
                        prop_assert_eq!(got, (ticks + 1) as f64)
                    }
                    (None, _) => prop_assert!(got.is_nan()),
                }
            }
        }
    }
}
