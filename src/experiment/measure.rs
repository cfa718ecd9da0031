//! Measuring typed metrics on a run as it goes, without keeping its time series.
//!
//! For the populations P a metric reads (its selectors, or the usual set when it has none)
//! and people N_p, an actor's indices are the population-weighted means of
//! [`crate::metrics`]: SP_a = Σ_{p∈P} N_p F_pa T_pa fav_pa / Σ_{p∈P} N_p (likewise F, T, fav);
//! a story's shares are Σ_{p∈P} count_p / Σ_{p∈P} N_p. The usual set is every population
//! foreign to the actor for an actor's index (as `soft_power` in a run's outputs),
//! the common audience for net favourable (`metrics::survey::net_sums`) and every
//! population for a story. A selection counts exactly the populations it names (an
//! actor's own public included, if named). Every tick the value is handed to the metric's
//! [`Streaming`] reduction; only the headline's quantity is kept per tick (for the fan
//! chart). Sums run over the same chunks in the same order as `metrics::actor_stats`, so
//! a metric without selectors gives the bits a run's own outputs give. Buffers are sized
//! once: measuring allocates nothing per tick.

use super::metric::{ActorIndex, Metric, Quantity, Selector, StoryStat, Streaming};
use crate::engine::Engine;
use crate::metrics::relation_pairs;
use crate::metrics::survey::net_sums;
use crate::model::Instrument;
use crate::model::survey::net_favourable;
use crate::world::World;

/// Populations per partial sum: the chunk of `metrics::actor_stats`.
const CHUNK: usize = 4096;

#[derive(Debug, Clone)]
enum Source {
    Index {
        actor: usize,
        column: usize,
        set: usize,
    },
    Credibility {
        actor: usize,
    },
    /// Net favourable over a set (the set of no selectors: the common audience).
    Net {
        actor: usize,
        set: usize,
    },
    Spend {
        actor: usize,
    },
    Story {
        story: usize,
        column: usize,
        set: usize,
    },
    Stance {
        from: usize,
        to: usize,
    },
}

/// A set of populations some metric reads; `None`: the usual set.
#[derive(Debug, Clone, PartialEq)]
struct PopSet {
    pops: Option<Vec<u32>>,
    actors: bool,
    stories: bool,
    net: bool,
}

/// The metrics of one run, measured tick by tick.
#[derive(Debug, Clone)]
pub struct Meter {
    sets: Vec<PopSet>,
    n_act: usize,
    n_story: usize,
    /// `[set * actors + actor]`: Σ N F T fav, Σ N F, Σ N T, Σ N fav, Σ N.
    actor_sums: Vec<[f64; 5]>,
    chunk: Vec<[f64; 5]>,
    /// `[set * actors + actor]`: Σ N F (2Φ − 1), Σ N F (`metrics::survey::net_sums`).
    net_sums: Vec<[f64; 2]>,
    net_chunk: Vec<[f64; 2]>,
    /// `[set * stories + story]`: believing, fact-checked, prebunked counts.
    story_counts: Vec<[u64; 3]>,
    people: Vec<f64>,
    sources: Vec<Source>,
    reducers: Vec<Streaming>,
    focal: usize,
    series: Vec<f64>,
}

fn index_column(i: ActorIndex) -> Option<usize> {
    match i {
        ActorIndex::SoftPower => Some(0),
        ActorIndex::Familiarity => Some(1),
        ActorIndex::Trust => Some(2),
        ActorIndex::Favourability => Some(3),
        ActorIndex::Credibility | ActorIndex::NetFavourable => None,
    }
}

/// The populations of `world` a metric's selectors name (sorted, each once).
fn resolve(metric: &Metric, world: &World) -> Result<Vec<u32>, String> {
    let w = &world.pops;
    let mut pops = Vec::new();
    for s in &metric.selectors {
        match s {
            Selector::All => pops.extend(0..w.len() as u32),
            Selector::Population(id) => {
                pops.push(
                    w.ids.iter().position(|x| x == id).ok_or_else(|| {
                        format!("metric \"{metric}\": unknown population \"{id}\"")
                    })? as u32,
                )
            }
            Selector::Home(a) => {
                let a = world
                    .actors
                    .ids
                    .iter()
                    .position(|x| x == a)
                    .ok_or_else(|| format!("metric \"{metric}\": unknown actor \"{a}\""))?;
                pops.extend((0..w.len() as u32).filter(|&p| w.home[p as usize] as usize == a));
            }
            Selector::Group(g) => {
                let gi = world
                    .group_names
                    .iter()
                    .position(|x| x == g)
                    .ok_or_else(|| {
                        format!("metric \"{metric}\": unknown generator group \"{g}\"")
                    })?;
                pops.extend(
                    (0..w.len() as u32).filter(|&p| w.group[p as usize] == Some(gi as u16)),
                );
            }
        }
    }
    pops.sort_unstable();
    pops.dedup();
    if pops.is_empty() {
        return Err(format!(
            "metric \"{metric}\": its selectors name no population"
        ));
    }
    Ok(pops)
}

impl Meter {
    /// Resolves `metrics` against `world`; `focal` is the metric whose quantity is kept
    /// per tick. Refuses what cannot be measured, naming the metric.
    pub fn new(metrics: &[Metric], focal: usize, world: &World) -> Result<Meter, String> {
        let actors: Vec<&str> = world.actors.ids.iter().map(|s| s.as_str()).collect();
        let stories: Vec<&str> = world.stories.ids.iter().map(|s| s.as_str()).collect();
        let pos = |ids: &[&str], id: &str| ids.iter().position(|x| *x == id);
        let mut sets = vec![PopSet {
            pops: None,
            actors: false,
            stories: false,
            net: false,
        }];
        let mut sources = Vec::with_capacity(metrics.len());
        let ticks = world.ticks as usize;
        for m in metrics {
            m.check_entities(&actors, &stories)
                .map_err(|e| e.to_string())?;
            m.check_ticks(ticks)?;
            let set = if m.selectors.is_empty() {
                0
            } else {
                let pops = Some(resolve(m, world)?);
                match sets.iter().position(|s| s.pops == pops) {
                    Some(i) => i,
                    None => {
                        sets.push(PopSet {
                            pops,
                            actors: false,
                            stories: false,
                            net: false,
                        });
                        sets.len() - 1
                    }
                }
            };
            let per_actor = |what: &str| {
                if m.selectors.is_empty() {
                    Ok(())
                } else {
                    Err(format!(
                        "metric \"{m}\": {what} belongs to the actor, not to a group of populations; drop the [...] selectors"
                    ))
                }
            };
            let source = match &m.quantity {
                Quantity::Actor { index, actor } => {
                    let actor = pos(&actors, actor).expect("checked");
                    match index_column(*index) {
                        Some(column) => {
                            sets[set].actors = true;
                            Source::Index { actor, column, set }
                        }
                        None if *index == ActorIndex::NetFavourable => {
                            sets[set].net = true;
                            Source::Net { actor, set }
                        }
                        None => {
                            per_actor("credibility")?;
                            Source::Credibility { actor }
                        }
                    }
                }
                Quantity::Spend { actor } => {
                    per_actor("spend")?;
                    Source::Spend {
                        actor: pos(&actors, actor).expect("checked"),
                    }
                }
                Quantity::Story { stat, story } => {
                    sets[set].stories = true;
                    Source::Story {
                        story: pos(&stories, story).expect("checked"),
                        column: match stat {
                            StoryStat::Believing => 0,
                            StoryStat::FactChecked => 1,
                            StoryStat::Prebunked => 2,
                        },
                        set,
                    }
                }
                Quantity::Stance { from, to } => {
                    per_actor("a stance")?;
                    let key = (
                        pos(&actors, from).expect("checked"),
                        pos(&actors, to).expect("checked"),
                    );
                    if !relation_pairs(world).contains(&key) {
                        return Err(format!(
                            "metric \"{m}\": {from}'s stance toward {to} is not recorded ({from} has no home public and no declared relation with {to})"
                        ));
                    }
                    Source::Stance {
                        from: key.0,
                        to: key.1,
                    }
                }
            };
            sources.push(source);
        }
        let (n_act, n_story, n_sets) = (actors.len(), stories.len(), sets.len());
        let people = sets
            .iter()
            .map(|s| match &s.pops {
                None => world.pops.size.iter().sum(),
                Some(p) => p.iter().map(|&p| world.pops.size[p as usize]).sum(),
            })
            .collect();
        Ok(Meter {
            sets,
            n_act,
            n_story,
            actor_sums: vec![[0.0; 5]; n_sets * n_act],
            chunk: vec![[0.0; 5]; n_act],
            net_sums: vec![[0.0; 2]; n_sets * n_act],
            net_chunk: vec![[0.0; 2]; n_act],
            story_counts: vec![[0; 3]; n_sets * n_story],
            people,
            reducers: metrics
                .iter()
                .map(|m| Streaming::new(m.reduction, ticks))
                .collect(),
            sources,
            focal,
            series: Vec::with_capacity(ticks + 1),
        })
    }

    /// Measures the engine's current tick.
    pub fn observe(&mut self, e: &Engine) {
        let w = &e.world;
        for (s, set) in self.sets.iter().enumerate() {
            let pops = set.pops.as_deref();
            if set.actors {
                let out = &mut self.actor_sums[s * self.n_act..(s + 1) * self.n_act];
                actor_sums(w, pops, &mut self.chunk, out);
            }
            if set.net {
                let out = &mut self.net_sums[s * self.n_act..(s + 1) * self.n_act];
                net_sums(w, pops, &mut self.net_chunk, out);
            }
            if set.stories {
                let out = &mut self.story_counts[s * self.n_story..(s + 1) * self.n_story];
                story_counts(w, pops, out);
            }
        }
        let t = e.tick as usize;
        for i in 0..self.sources.len() {
            let v = self.value(i, e);
            self.reducers[i].observe(t, v);
            if i == self.focal {
                self.series.push(v);
            }
        }
    }

    fn value(&self, i: usize, e: &Engine) -> f64 {
        let w = &e.world;
        match self.sources[i] {
            Source::Index { actor, column, set } => {
                let s = &self.actor_sums[set * self.n_act + actor];
                let people = if s[4] > 0.0 { s[4] } else { 1.0 };
                s[column] / people
            }
            Source::Credibility { actor } => w.actors.credibility[actor] as f64,
            Source::Net { actor, set } => {
                let s = self.net_sums[set * self.n_act + actor];
                net_favourable(s[0], s[1])
            }
            Source::Spend { actor } => Instrument::ALL.iter().map(|&k| e.spent(actor, k)).sum(),
            Source::Story { story, column, set } => {
                self.story_counts[set * self.n_story + story][column] as f64 / self.people[set]
            }
            Source::Stance { from, to } => w.relations[from * self.n_act + to] as f64,
        }
    }

    /// The reduced value of every metric, and the focal quantity at every tick observed.
    pub fn finish(self) -> (Vec<f64>, Vec<f64>) {
        (
            self.reducers.iter().map(Streaming::finish).collect(),
            self.series,
        )
    }
}

/// Population-weighted sums toward every actor over `pops` (None: each actor's foreign
/// populations), in fixed chunks combined in order.
fn actor_sums(w: &World, pops: Option<&[u32]>, chunk: &mut [[f64; 5]], out: &mut [[f64; 5]]) {
    let n_act = w.actors.len();
    out.fill([0.0; 5]);
    let n = pops.map_or(w.pops.len(), <[u32]>::len);
    for c in 0..n.div_ceil(CHUNK) {
        chunk.fill([0.0; 5]);
        for i in c * CHUNK..((c + 1) * CHUNK).min(n) {
            let p = pops.map_or(i, |ps| ps[i] as usize);
            let size = w.pops.size[p];
            let home = w.pops.home[p] as usize;
            for (a, slot) in chunk.iter_mut().enumerate() {
                if pops.is_none() && a == home {
                    continue;
                }
                let f = w.opinions.familiarity[p * n_act + a] as f64;
                let t = w.opinions.trust(p, a) as f64;
                let fav = w.favourability(p, a) as f64;
                slot[0] += size * f * t * fav;
                slot[1] += size * f;
                slot[2] += size * t;
                slot[3] += size * fav;
                slot[4] += size;
            }
        }
        for (o, c) in out.iter_mut().zip(chunk.iter()) {
            for k in 0..5 {
                o[k] += c[k];
            }
        }
    }
}

fn story_counts(w: &World, pops: Option<&[u32]>, out: &mut [[u64; 3]]) {
    let q = w.stories.len();
    out.fill([0; 3]);
    let n = pops.map_or(w.pops.len(), <[u32]>::len);
    for i in 0..n {
        let p = pops.map_or(i, |ps| ps[i] as usize);
        for (j, o) in out.iter_mut().enumerate() {
            let c = w.stories.counts[p * q + j];
            o[0] += c.b;
            o[1] += c.c;
            o[2] += c.v;
        }
    }
}

/// Simulates `world` for its ticks, measuring `metrics` from tick 0 on.
pub fn simulate_measured(
    world: World,
    metrics: &[Metric],
    focal: usize,
) -> Result<(Vec<f64>, Vec<f64>), String> {
    let ticks = world.ticks;
    let mut engine = Engine::new(world);
    let mut meter = Meter::new(metrics, focal, &engine.world)?;
    meter.observe(&engine);
    for _ in 0..ticks {
        engine.step();
        meter.observe(&engine);
    }
    Ok(meter.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::simulate;
    use crate::scenario::{Overrides, check, parse_str};
    use std::path::Path;

    const S: &str = "[scenario]\nname = \"t\"\nticks = 12\nseed = 3\n[[actor]]\nid = \"a\"\nbudget = 5\n[[actor]]\nid = \"b\"\nbudget = 2\n[[population]]\nid = \"p\"\nsize = 100\nhome = \"b\"\n[[population]]\nid = \"q\"\nsize = 300\n[[generate]]\nprefix = \"g\"\ncount = 6\nsize = { dist = \"uniform\", min = 10, max = 50 }\nhome = \"a\"\ngraph = { model = \"erdos_renyi\", p = 0.5 }\n[[tie]]\nbetween = [\"p\", \"g_0\"]\n[[story]]\nid = \"s\"\nabout = \"a\"\ninitial_share = 0.1\ntransmissibility = 1.5\n[[campaign]]\nid = \"c\"\nactor = \"a\"\ninstrument = \"messaging\"\ntargets = [\"p\", \"q\"]\nspend = 1\n[[campaign]]\nid = \"m\"\nactor = \"b\"\ninstrument = \"misinformation\"\nstory = \"s\"\ntargets = [\"all\"]\nspend = 1\n";

    fn world() -> World {
        let sc = parse_str(S, Path::new("t.toml"), &Overrides::default()).unwrap();
        crate::world::build(&check(&sc, Path::new("")).unwrap())
    }

    fn m(s: &str) -> Metric {
        Metric::parse(s).unwrap()
    }

    #[test]
    fn without_selectors_a_metric_is_exactly_the_recorded_series_reduced() {
        let metrics: Vec<Metric> = [
            "soft_power:a",
            "trust:a@5",
            "favourability:b@peak",
            "familiarity:a@mean(2..9)",
            "believing:s@peak_tick",
            "fact_checked:s@trough",
            "spend:a@mean",
            "credibility:b",
            "stance:b->a@trough",
            "believing:s@first>0.05",
            "net_favourable:a@mean",
            "net_favourable:b",
        ]
        .iter()
        .map(|s| m(s))
        .collect();
        let (finals, series) = simulate_measured(world(), &metrics, 4).unwrap();
        let run = simulate(world(), |_| {});
        let rec = &run.recorder;
        let w = &run.engine.world;
        for (metric, got) in metrics.iter().zip(&finals) {
            let probe = crate::experiment::uncertainty::Probe::new(metric.clone(), w).unwrap();
            let want = probe.measure(rec).unwrap_or(13.0);
            assert_eq!(*got, want, "{metric}");
        }
        let believing: Vec<f64> = rec.ticks.iter().map(|t| t.stories[0][0]).collect();
        assert_eq!(series, believing, "the focal quantity at every tick");
    }

    #[test]
    fn a_selection_averages_over_exactly_its_populations() {
        let w = world();
        let pick = |sel: &str| -> Vec<usize> {
            resolve(&m(&format!("trust:a[{sel}]")), &w)
                .unwrap()
                .into_iter()
                .map(|p| p as usize)
                .collect()
        };
        let id = |name: &str| w.pops.ids.iter().position(|x| x == name).unwrap();
        assert_eq!(pick("q"), vec![id("q")]);
        assert_eq!(pick("home:b"), vec![id("p")]);
        assert_eq!(pick("group:g").len(), 6);
        assert_eq!(pick("all").len(), w.pops.len());
        assert_eq!(pick("q,all,p").len(), w.pops.len(), "each population once");
        // The people-weighted mean over p and q, by hand at tick 0.
        let metrics = [m("trust:a[p,q]@0"), m("believing:s[home:a]@0")];
        let (finals, _) = simulate_measured(world(), &metrics, 0).unwrap();
        let (p, q) = (id("p"), id("q"));
        let trust = |x: usize| w.opinions.trust(x, 0) as f64 * w.pops.size[x];
        let want = (trust(p) + trust(q)) / (w.pops.size[p] + w.pops.size[q]);
        assert!((finals[0] - want).abs() < 1e-12, "{} vs {want}", finals[0]);
        let g = pick("group:g");
        let people: f64 = g.iter().map(|&x| w.pops.size[x]).sum();
        let believers: u64 = g
            .iter()
            .map(|&x| w.stories.counts[x * w.stories.len()].b)
            .sum();
        assert_eq!(finals[1], believers as f64 / people);
    }

    #[test]
    fn what_cannot_be_measured_is_refused_by_name() {
        let w = world();
        let e = |s: &str| Meter::new(&[m(s)], 0, &w).unwrap_err();
        assert!(e("spend:a[q]").contains("belongs to the actor"));
        assert!(e("trust:a[nowhere]").contains("unknown population \"nowhere\""));
        assert!(e("trust:a[group:h]").contains("unknown generator group"));
        assert!(e("trust:a@13").contains("ticks 0 to 12"));
        assert!(e("trust:a@mean(3..40)").contains("ticks 0 to 12"));
        assert!(e("trust:c").contains("unknown actor"));
    }
}
