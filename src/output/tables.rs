//! CSV tables and the JSON manifest of a run.

use crate::engine::Engine;
use crate::error::Result;
use crate::metrics::survey::Audience;
use crate::metrics::{ACTOR_METRICS, NET_FAVOURABLE, Recorder, STORY_METRICS};
use crate::model::survey::{self, Measure};
use crate::scenario::Instrument;
use serde::Serialize;
use std::collections::BTreeMap;

/// `timeseries.csv`: one row per tick × entity × metric (tidy long format).
///
/// After each tick's actor, story and relation rows come the survey series
/// (docs/CALIBRATION.md §1): entity_type `group` (a generator group, or a population
/// without one) and `population` (when recorded), entity the unit's selector as
/// `survey.csv` names it (`group:<prefix>` or a population id), metric
/// `<measure>_pct:<actor>` (heard_of, favourable, confidence; split at the first ':'),
/// value in percent to four decimals, as `survey.csv` writes it.
pub fn timeseries_csv(e: &Engine, rec: &Recorder) -> Result<Vec<u8>> {
    let w = &e.world;
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(["tick", "entity_type", "entity", "metric", "value"])?;
    // "heard_of_pct:<actor>", … per actor, in the order of `Measure::ALL`.
    let survey_metrics: Vec<[String; 3]> = w
        .actors
        .ids
        .iter()
        .map(|id| Measure::ALL.map(|m| format!("{}_pct:{id}", m.name())))
        .collect();
    for (i, t) in rec.ticks.iter().enumerate() {
        let tick = t.tick.to_string();
        for (a, vals) in t.actors.iter().enumerate() {
            for (i, (m, v)) in ACTOR_METRICS.iter().zip(vals).enumerate() {
                // Credibility is f32 state; the other metrics are f64 aggregates.
                let text = if i == 4 { fmt32(*v) } else { fmt(*v) };
                out.write_record([tick.as_str(), "actor", &w.actors.ids[a], m, &text])?;
            }
        }
        for (j, vals) in t.stories.iter().enumerate() {
            for (m, v) in STORY_METRICS.iter().zip(vals) {
                out.write_record([tick.as_str(), "story", &w.stories.ids[j], m, &fmt(*v)])?;
            }
        }
        for (&(b, a), v) in rec.pairs.iter().zip(&t.relations) {
            let name = format!("{}->{}", w.actors.ids[b], w.actors.ids[a]);
            out.write_record([tick.as_str(), "relation", &name, "stance", &fmt32(*v)])?;
        }
        let sv = &rec.survey;
        for u in 0..sv.units() {
            let unit = sv.unit_name(w, u);
            for (a, metrics) in survey_metrics.iter().enumerate() {
                let m = sv.group(i, u, a);
                for (name, v) in metrics.iter().zip(m) {
                    let v = fmt(survey::percent(v));
                    out.write_record([tick.as_str(), "group", &unit, name, &v])?;
                }
            }
        }
        if sv.populations {
            for p in 0..w.pops.len() {
                for (a, metrics) in survey_metrics.iter().enumerate() {
                    let m = sv.population(i, p, a);
                    for (name, v) in metrics.iter().zip(m) {
                        let v = fmt(survey::percent(v));
                        out.write_record([tick.as_str(), "population", &w.pops.ids[p], name, &v])?;
                    }
                }
            }
        }
    }
    Ok(out.into_inner()?)
}

/// `populations.csv`: the final opinion state, one row per population × actor.
pub fn populations_csv(e: &Engine) -> Result<Vec<u8>> {
    let w = &e.world;
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut header = vec![
        "population",
        "group",
        "home",
        "size",
        "internet",
        "media_literacy",
        "actor",
        "familiarity",
        "trust",
        "favourability",
    ]
    .into_iter()
    .map(String::from)
    .collect::<Vec<_>>();
    header.extend(w.dimensions.iter().map(|d| format!("attitude_{d}")));
    out.write_record(&header)?;
    for p in 0..w.pops.len() {
        let group = w.pops.group[p].map_or(String::new(), |g| w.group_names[g as usize].clone());
        let home = w
            .actors
            .ids
            .get(w.pops.home[p] as usize)
            .cloned()
            .unwrap_or_default();
        for a in 0..w.actors.len() {
            let mut row = vec![
                w.pops.ids[p].clone(),
                group.clone(),
                home.clone(),
                fmt(w.pops.size[p]),
                fmt32(w.pops.internet[p] as f64),
                fmt32(w.pops.literacy[p] as f64),
                w.actors.ids[a].clone(),
                fmt32(w.opinions.familiarity[p * w.actors.len() + a] as f64),
                fmt32(w.opinions.trust(p, a) as f64),
                fmt32(w.favourability(p, a) as f64),
            ];
            row.extend(w.opinions.attitude(p, a).iter().map(|&x| fmt32(x as f64)));
            out.write_record(&row)?;
        }
    }
    Ok(out.into_inner()?)
}

/// Text for a float in a data file, for people and spreadsheets alike:
/// - a value that is exactly a 32-bit float (state the engine holds as f32,
///   or a mean over one population of it) is written as that f32's shortest
///   round-trip text: 0.1, not 0.10000000149011612;
/// - any other value with at most 15 significant digits (what f64 carries
///   faithfully and what spreadsheets keep), shortest form: summing 0.3 three
///   times gives 0.9, not 0.9000000000000001. Reading the text back gives the
///   value to within 5 parts in 10^15.
///
/// Deterministic: the same value always gives the same text.
pub fn fmt(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    if !v.is_finite() {
        return format!("{v}");
    }
    let f = v as f32;
    // Only for fractions below 2^24: larger f32 values are integers, and
    // their f32 text (123456790 for 123456792) would not read back as v.
    if v.abs() < 16_777_216.0 && v.fract() != 0.0 && f as f64 == v {
        return format!("{f}");
    }
    let short = format!("{v}");
    // Round to 15 significant digits and take the shortest text of that.
    let r: f64 = format!("{v:.14e}").parse().unwrap_or(v);
    let rounded = format!("{r}");
    if rounded.len() < short.len() {
        rounded
    } else {
        short
    }
}

/// `decisions.csv`: one row per `[[decision]]`, with the tick it was taken at (empty when
/// it was not) and the stance at the end.
pub fn decisions_csv(e: &Engine) -> Result<Vec<u8>> {
    let w = &e.world;
    let n = w.actors.len();
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record([
        "decision",
        "label",
        "actor",
        "toward",
        "direction",
        "threshold",
        "sustain",
        "taken",
        "tick",
        "stance_final",
    ])?;
    for d in &w.decisions {
        let s = &d.spec;
        out.write_record([
            s.id.as_str(),
            s.label.as_str(),
            &w.actors.ids[s.actor as usize],
            &w.actors.ids[s.toward as usize],
            s.direction.as_str(),
            &fmt32(s.threshold as f64),
            &s.sustain.to_string(),
            if d.taken.is_some() { "true" } else { "false" },
            &d.taken.map_or(String::new(), |t| t.to_string()),
            &fmt32(w.relations[s.actor as usize * n + s.toward as usize] as f64),
        ])?;
    }
    Ok(out.into_inner()?)
}

/// Shortest text for a value held as f32 in the engine (no spurious f64 digits).
pub fn fmt32(v: f64) -> String {
    let v = v as f32;
    if v == 0.0 { "0".into() } else { format!("{v}") }
}

#[derive(Serialize)]
pub struct Summary {
    pub softpower_version: String,
    pub scenario: ScenarioInfo,
    pub seed: u64,
    pub ticks: u32,
    pub tick_label: String,
    pub populations: usize,
    pub people: f64,
    pub ties: usize,
    /// Groups of populations connected by social ties.
    pub social_components: usize,
    pub focal_actor: String,
    /// The common audience every actor's `net_favourable` is measured over.
    pub net_favourable_audience: AudienceSummary,
    pub actors: BTreeMap<String, ActorSummary>,
    pub stories: BTreeMap<String, StorySummary>,
    /// `[[decision]]`s by id (absent when the scenario declares none).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub decisions: BTreeMap<String, DecisionSummary>,
    pub files: Vec<String>,
}

#[derive(Serialize)]
pub struct DecisionSummary {
    pub label: String,
    pub actor: String,
    pub toward: String,
    pub taken: bool,
    /// Tick it was taken at.
    pub tick: Option<u32>,
}

#[derive(Serialize)]
pub struct ScenarioInfo {
    pub name: String,
    pub file: String,
    pub sha256: String,
}

#[derive(Serialize)]
pub struct AudienceSummary {
    pub rule: &'static str,
    pub populations: usize,
    pub people: f64,
}

#[derive(Serialize)]
pub struct ActorSummary {
    pub soft_power_initial: f64,
    pub soft_power_final: f64,
    /// % favourable − % unfavourable among the aware of the common audience at the end,
    /// in percentage points (−100..100; 0 when nobody there has heard of the actor).
    pub net_favourable_initial: f64,
    pub net_favourable_final: f64,
    /// Percent of the common audience's people who have heard of the actor at the end.
    pub aware_percent: f64,
    pub familiarity: f64,
    pub trust: f64,
    pub favourability: f64,
    pub credibility: f64,
    pub spend: BTreeMap<String, f64>,
}

#[derive(Serialize)]
pub struct StorySummary {
    pub about: String,
    pub believing_final: f64,
    pub believing_peak: f64,
    pub peak_tick: u32,
    pub fact_checked_final: f64,
    pub prebunked_final: f64,
}

pub fn summary(e: &Engine, rec: &Recorder, file: &str, text: &str, files: Vec<String>) -> Summary {
    let w = &e.world;
    let (first, last) = (rec.first(), rec.last());
    let stats = crate::metrics::actor_stats(w);
    let audience = Audience::of(w);
    let (aud_pops, aud_people) = audience.size(w);
    let actors = (0..w.actors.len())
        .map(|a| {
            let f = &last.actors[a];
            let spend = Instrument::ALL
                .iter()
                .filter(|&&i| e.spent(a, i) > 0.0)
                .map(|&i| (i.as_str().to_string(), e.spent(a, i)))
                .collect();
            (
                w.actors.ids[a].clone(),
                ActorSummary {
                    soft_power_initial: first.actors[a][0],
                    soft_power_final: f[0],
                    net_favourable_initial: first.actors[a][NET_FAVOURABLE],
                    net_favourable_final: f[NET_FAVOURABLE],
                    aware_percent: 100.0 * stats[a].aware,
                    familiarity: f[1],
                    trust: f[2],
                    favourability: f[3],
                    credibility: f[4],
                    spend,
                },
            )
        })
        .collect();
    let stories = (0..w.stories.len())
        .map(|j| {
            let (peak_tick, peak) = rec.story_peak(j);
            (
                w.stories.ids[j].clone(),
                StorySummary {
                    about: w.actors.ids[w.stories.about[j] as usize].clone(),
                    believing_final: last.stories[j][0],
                    believing_peak: peak,
                    peak_tick,
                    fact_checked_final: last.stories[j][1],
                    prebunked_final: last.stories[j][2],
                },
            )
        })
        .collect();
    let decisions = w
        .decisions
        .iter()
        .map(|d| {
            (
                d.spec.id.clone(),
                DecisionSummary {
                    label: d.spec.label.clone(),
                    actor: w.actors.ids[d.spec.actor as usize].clone(),
                    toward: w.actors.ids[d.spec.toward as usize].clone(),
                    taken: d.taken.is_some(),
                    tick: d.taken,
                },
            )
        })
        .collect();
    Summary {
        softpower_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: ScenarioInfo {
            name: w.name.clone(),
            file: file.to_string(),
            sha256: crate::error::sha256_hex(text.as_bytes()),
        },
        seed: w.seed,
        ticks: e.tick,
        tick_label: w.tick_label.clone(),
        populations: w.pops.len(),
        people: w.pops.size.iter().sum(),
        ties: w.ties.entries() / 2,
        social_components: crate::world::graph::social_components(w),
        focal_actor: w.actors.ids[w.focal_actor as usize].clone(),
        net_favourable_audience: AudienceSummary {
            rule: audience.rule(),
            populations: aud_pops,
            people: aud_people,
        },
        actors,
        stories,
        decisions,
        files,
    }
}

/// `listening.csv`: each estimate a listening campaign saw (docs/MODEL.md 3.10), with the
/// audience's true (people-weighted, current) value beside it.
pub fn listening_csv(e: &Engine) -> Result<Vec<u8>> {
    let w = &e.world;
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record([
        "tick",
        "listener",
        "actor",
        "channel",
        "audience",
        "metric",
        "about",
        "estimate",
        "true_value",
    ])?;
    for h in &w.listen.heard {
        let slot = w.listen.slots[h.slot as usize];
        let c = &w.campaigns[slot.campaign as usize];
        let Some(spec) = &c.listen else { continue };
        let (metric, about) = spec.metrics[slot.metric as usize];
        let about = if metric == crate::model::ListenMetric::Believing {
            &w.stories.ids[about as usize]
        } else {
            &w.actors.ids[about as usize]
        };
        out.write_record([
            h.tick.to_string().as_str(),
            &c.id,
            &w.actors.ids[c.actor as usize],
            c.channel.as_str(),
            &c.audiences[slot.audience as usize].0,
            metric.as_str(),
            about,
            &fmt(h.estimate),
            &fmt(h.truth),
        ])?;
    }
    Ok(out.into_inner()?)
}

/// `adaptive_spend.csv`: what each campaign with adaptive rules spent on each audience per
/// tick (0 once its stop rule ended it).
pub fn adaptive_spend_csv(e: &Engine) -> Result<Vec<u8>> {
    let w = &e.world;
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(["tick", "campaign", "actor", "audience", "spend"])?;
    for r in &w.listen.spent {
        let a = &w.listen.adaptive[r.adaptive as usize];
        let c = &w.campaigns[a.campaign as usize];
        out.write_record([
            r.tick.to_string().as_str(),
            &c.id,
            &w.actors.ids[c.actor as usize],
            &c.audiences[r.audience as usize].0,
            &fmt(r.spend),
        ])?;
    }
    Ok(out.into_inner()?)
}

#[cfg(test)]
mod tests {
    use super::fmt;

    #[test]
    fn a_widened_f32_is_written_as_the_f32() {
        assert_eq!(fmt(0.1f32 as f64), "0.1");
        assert_eq!(fmt(0.4f32 as f64), "0.4");
    }

    #[test]
    fn accumulation_noise_beyond_15_digits_is_dropped() {
        assert_eq!(fmt(0.1 + 0.2), "0.3");
        assert_eq!(fmt(0.3 + 0.3 + 0.3), "0.9");
        assert_eq!(fmt(1.7999999999999998), "1.8");
    }

    #[test]
    fn values_read_back_to_15_significant_digits() {
        for v in [std::f64::consts::PI, 1.0 / 3.0, -2.5e-9, 0.1 + 0.7, 6.02e23] {
            assert!(v as f32 as f64 != v, "{v} is an f32 value");
            let back: f64 = fmt(v).parse().unwrap();
            assert!((back - v).abs() <= 5e-15 * v.abs(), "{v} -> {}", fmt(v));
        }
    }

    #[test]
    fn large_integers_stay_exact() {
        assert_eq!(fmt(123456792.0), "123456792");
        assert_eq!(fmt(5000.0), "5000");
    }
}
