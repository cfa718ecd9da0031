//! The observation model: what a survey of a population would measure, given the
//! population's opinion of an actor (docs/MODEL.md §8, docs/CALIBRATION.md).
//!
//! A population's state toward actor a is its familiarity F_pa ∈ [0, 1], trust
//! T_pa ∈ [0, 1] and favourability fav_pa ∈ [−1, 1]. Respondents differ: a respondent's
//! own view is the population's value plus a normal deviation of spread σ
//! (`[survey] spread`), and only those who have heard of the actor give a view:
//!
//!   heard_of_pa   = F_pa
//!   favourable_pa = F_pa · Φ(fav_pa / σ)              share who know a and view it favourably
//!   confidence_pa = F_pa · Φ((2 T_pa − 1) / σ)        trust mapped onto [−1, 1] like fav
//!
//! Φ is the standard normal distribution function. A unit u (a population, a group, a
//! country's populations, everyone) reports the people-weighted mean over its populations:
//!
//!   m_ua = Σ_{p∈u} N_p · m_pa / Σ_{p∈u} N_p
//!
//! As σ → 0 every respondent holds the population's value (favourable = F or 0); a larger
//! σ pulls every share toward F/2.
//!
//! Net favourable (docs/MODEL.md "Net favourable"): those who know a and are not
//! favourable are unfavourable (the model has no "don't know" among the aware), so among
//! the aware of population p favourable − unfavourable = 2Φ(fav_pa / σ) − 1, and over an
//! audience U, in percentage points,
//!
//!   NF_a = 100 · Σ_{p∈U} N_p F_pa (2Φ(fav_pa / σ) − 1) / Σ_{p∈U} N_p F_pa

/// Largest number of populations whose own survey series `timeseries.csv` carries by
/// default (`run --population-series` adds them at any size).
pub const POPULATION_SERIES_MAX: usize = 100;

/// Which survey series (% heard of, favourable, confidence) `timeseries.csv` gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SurveySeries {
    /// Per group, and per population up to `POPULATION_SERIES_MAX` populations.
    Default,
    /// Per group and per population at any size (`run --population-series`).
    Populations,
    /// None (`run --no-survey-series`): they cost Φ evaluations per population and
    /// actor every tick, which big runs and benchmarks may not want.
    Off,
}

/// The three survey measures, in the order of `survey.csv`'s columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Measure {
    HeardOf,
    Favourable,
    Confidence,
}

impl Measure {
    pub const ALL: [Measure; 3] = [Measure::HeardOf, Measure::Favourable, Measure::Confidence];
    pub fn name(self) -> &'static str {
        match self {
            Measure::HeardOf => "heard_of",
            Measure::Favourable => "favourable",
            Measure::Confidence => "confidence",
        }
    }
    /// The measure toward `actor` in words, as a survey question reads (for figures).
    pub fn phrase(self, actor: &str) -> String {
        match self {
            Measure::HeardOf => format!("heard of {actor}"),
            Measure::Favourable => format!("favourable to {actor}"),
            Measure::Confidence => format!("confidence in {actor}"),
        }
    }
    pub fn parse(s: &str) -> Option<Measure> {
        Measure::ALL.into_iter().find(|m| m.name() == s)
    }
    pub fn index(self) -> usize {
        self as usize
    }
}

/// A share in percent to four decimals, as `survey.csv` and the survey series of
/// `timeseries.csv` write it: the state is single precision (about seven digits), so
/// further digits would print its rounding (0.3f32 → 30.0000011920929).
pub fn percent(share: f64) -> f64 {
    (share * 1e6).round() / 1e4
}

/// Standard normal distribution function Φ(z) = ½ erfc(−z/√2), with musl's erfc (via
/// `libm`): cheap enough to run for every population and actor at every tick (the survey
/// series of `timeseries.csv`), and accurate to about 1 ulp in both tails.
pub fn phi(z: f64) -> f64 {
    0.5 * libm::erfc(-z / std::f64::consts::SQRT_2)
}

/// The three measures (heard_of, favourable, confidence) of one population toward one
/// actor, as shares in [0, 1].
pub fn measures(familiarity: f64, trust: f64, favourability: f64, spread: f64) -> [f64; 3] {
    [
        familiarity,
        familiarity * phi(favourability / spread),
        familiarity * phi((2.0 * trust - 1.0) / spread),
    ]
}

/// Favourable minus unfavourable among the people of a population who know the actor,
/// as a share in [−1, 1]: 2Φ(fav / σ) − 1 = erf(fav / (σ√2)). Written as erf, which keeps
/// its precision near 0 (2Φ − 1 cancels) and is cheap enough to run for every population
/// and actor each tick (musl's erf, via `libm`).
pub fn net_view(favourability: f64, spread: f64) -> f64 {
    if favourability == 0.0 {
        return 0.0; // a neutral population splits evenly, for any σ
    }
    libm::erf(favourability / (spread * std::f64::consts::SQRT_2))
}

/// NF in percentage points from the audience's sums Σ N F (2Φ − 1) (`net`) and Σ N F
/// (`aware`). Nobody aware (`aware` = 0): 0, no one holds a view either way.
/// Each term of `net` is at most its term of `aware` in size, so the result is in
/// [−100, 100] even in floating point.
pub fn net_favourable(net: f64, aware: f64) -> f64 {
    // net / aware first: it is at most 1 in size, so ×100 stays within ±100 exactly.
    if aware > 0.0 {
        100.0 * (net / aware)
    } else {
        0.0
    }
}

/// Which populations a survey unit covers.
#[derive(Debug, Clone, PartialEq)]
pub enum Members {
    One(u32),
    /// Populations first..end (a generator's group, or every population).
    Range(u32, u32),
    /// The home populations of an actor.
    Home(u32),
}

/// A surveyed unit: its name as written (a selector) and its populations.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    pub name: String,
    pub members: Members,
}

/// One observed survey figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    /// Index into `SurveySpec::units`.
    pub unit: usize,
    pub actor: u32,
    pub measure: Measure,
    pub tick: u32,
    /// The date as written in the file, if it gave one.
    pub date: Option<String>,
    /// Observed share, in [0, 1].
    pub share: f64,
    /// Respondents.
    pub n: f64,
}

/// A checked `[survey]` table.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SurveySpec {
    /// Ticks `survey.csv` reports, ascending, without repeats.
    pub ticks: Vec<u32>,
    /// σ of the observation model.
    pub spread: f64,
    /// Units of `survey.csv`, then any further units the observations name.
    pub units: Vec<Unit>,
    /// How many of `units` `survey.csv` reports (the first ones).
    pub reported: usize,
    pub observations: Vec<Observation>,
    /// Observations at or after this tick are held out of a fit and predicted.
    pub holdout_from: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn net_view_is_favourable_minus_unfavourable_of_the_same_phi() {
        for fav in [-1.0, -0.3, -1e-9, 0.0, 1e-9, 0.2, 0.7, 1.0] {
            for s in [1e-6, 0.1, 0.5, 3.0] {
                let [f, fa, _] = measures(1.0, 0.5, fav, s);
                let unfavourable = f - fa;
                // erf and 2Φ − 1 (from erfc) are one function, computed two ways.
                let d = net_view(fav, s) - (fa - unfavourable);
                assert!(d.abs() < 1e-10, "{fav} {s}: {d:e}");
            }
        }
        // Nobody aware: 0, not 0/0; the bounds hold at the extremes.
        assert_eq!(net_favourable(0.0, 0.0), 0.0);
        assert_eq!(net_favourable(3.0, 3.0), 100.0);
        assert_eq!(net_favourable(-3.0, 3.0), -100.0);
    }

    #[test]
    fn a_neutral_population_splits_evenly_among_those_who_know_the_actor() {
        for s in [0.1, 0.5, 2.0] {
            let m = measures(0.8, 0.5, 0.0, s);
            assert_eq!(m[0], 0.8);
            assert!((m[1] - 0.4).abs() < 1e-12 && (m[2] - 0.4).abs() < 1e-12);
        }
    }

    #[test]
    fn the_favourable_share_rises_with_favourability_and_sharpens_as_spread_shrinks() {
        let mut last = 0.0;
        for i in -10..=10 {
            let f = measures(1.0, 0.5, i as f64 / 10.0, 0.5)[1];
            assert!(f > last);
            last = f;
        }
        // σ → 0: everyone holds the population's value.
        assert!(measures(1.0, 0.5, 0.2, 1e-6)[1] > 1.0 - 1e-9);
        assert!(measures(1.0, 0.5, -0.2, 1e-6)[1] < 1e-9);
        // One σ above zero: Φ(1) ≈ 0.8413 (tables of the normal distribution).
        assert!((measures(1.0, 0.5, 0.5, 0.5)[1] - 0.841_344_7).abs() < 1e-6);
        // Confidence uses trust on the same scale: T = 0.75 is 2T − 1 = 0.5.
        assert!((measures(1.0, 0.75, 0.0, 0.5)[2] - 0.841_344_7).abs() < 1e-6);
    }
}
