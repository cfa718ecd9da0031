//! CSV tables and the JSON manifest of a run.

use crate::engine::Engine;
use crate::error::Result;
use crate::metrics::{ACTOR_METRICS, Recorder, STORY_METRICS};
use crate::scenario::Instrument;
use serde::Serialize;
use std::collections::BTreeMap;

/// `timeseries.csv`: one row per tick × entity × metric (tidy long format).
pub fn timeseries_csv(e: &Engine, rec: &Recorder) -> Result<Vec<u8>> {
    let w = &e.world;
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(["tick", "entity_type", "entity", "metric", "value"])?;
    for t in &rec.ticks {
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

/// Shortest round-trip text for a float (deterministic).
pub fn fmt(v: f64) -> String {
    if v == 0.0 { "0".into() } else { format!("{v}") }
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
    pub actors: BTreeMap<String, ActorSummary>,
    pub stories: BTreeMap<String, StorySummary>,
    pub files: Vec<String>,
}

#[derive(Serialize)]
pub struct ScenarioInfo {
    pub name: String,
    pub file: String,
    pub sha256: String,
}

#[derive(Serialize)]
pub struct ActorSummary {
    pub soft_power_initial: f64,
    pub soft_power_final: f64,
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
    use sha2::{Digest, Sha256};
    let w = &e.world;
    let (first, last) = (rec.first(), rec.last());
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
    let digest = Sha256::digest(text.as_bytes());
    Summary {
        softpower_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: ScenarioInfo {
            name: w.name.clone(),
            file: file.to_string(),
            sha256: digest.iter().map(|b| format!("{b:02x}")).collect(),
        },
        seed: w.seed,
        ticks: e.tick,
        tick_label: w.tick_label.clone(),
        populations: w.pops.len(),
        people: w.pops.size.iter().sum(),
        ties: w.ties.entries() / 2,
        social_components: crate::world::graph::social_components(w),
        focal_actor: w.actors.ids[w.focal_actor as usize].clone(),
        actors,
        stories,
        files,
    }
}
