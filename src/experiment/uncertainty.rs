//! Whole runs under parameter uncertainty: the `[[uncertain]]` priors of a scenario, the
//! draws that set them, typed metrics measured on a run, and the sensitivity driver.
//!
//! A parameter point x = (F₁⁻¹(u₁), …, F_d⁻¹(u_d)) maps a unit-cube design point u through
//! the priors' quantile functions. Every point is simulated with the scenario's own seed
//! (common random numbers across parameter points), so differences between points come
//! from the parameters alone. Design points are addressed by index and each is a pure
//! function of (scenario, design, index), so results are the same for any thread count.

use super::design::Sobol;
use super::metric::{ActorIndex, Metric, Quantity, StoryStat};
use super::morris::{MorrisDesign, MorrisEffect, elementary_effects};
use super::sensitivity::{SaltelliDesign, SobolIndices, sobol_indices};
use super::simulate;
use crate::metrics::{Recorder, relation_pairs};
use crate::model::checked::CheckedScenario;
use crate::model::prior::Prior;
use crate::scenario::check::uncertain::{Template, bare, priors};
use crate::scenario::strategy::{self, BASELINE};
use crate::scenario::types::Scenario;
use crate::world::{World, build};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// Stream constants that separate the design's and the bootstrap's randomness from the
/// simulation's, all derived from the scenario seed.
const DESIGN_STREAM: u64 = 0x5EED_0FDE_5161;
const BOOT_STREAM: u64 = 0xB007_57A9;
const DRAW_STREAM: u64 = 0x00D4_A30F_9A4A;

/// The uncertain parameters of a scenario: paths and priors in file order.
#[derive(Debug, Clone)]
pub struct Space {
    pub paths: Vec<String>,
    pub priors: Vec<Prior>,
}

impl Space {
    /// The `[[uncertain]]` blocks of a scenario `check` accepted.
    pub fn of(sc: &Scenario) -> Space {
        let (paths, priors) = priors(sc).into_iter().unzip();
        Space { paths, priors }
    }

    pub fn dims(&self) -> usize {
        self.paths.len()
    }

    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }

    /// Parameter values of a unit-cube point.
    pub fn values(&self, u: &[f64]) -> Vec<f64> {
        self.priors
            .iter()
            .zip(u)
            .map(|(p, &x)| p.quantile(x))
            .collect()
    }
}

/// A variant of a scenario (the baseline or a strategy), ready to take parameter draws.
#[derive(Debug, Clone)]
pub struct Variant {
    pub name: String,
    /// The raw scenario with the strategy applied, without strategies or priors.
    pub template: Template,
}

/// The baseline and the named strategies of `sc` (a scenario `check` accepted), in order.
pub fn variants(sc: &Scenario, names: &[String]) -> Result<Vec<Variant>, String> {
    let mut out = Vec::new();
    for name in names {
        let raw = if name == BASELINE {
            bare(sc)
        } else {
            let i = sc
                .strategies
                .iter()
                .position(|s| &s.name == name)
                .ok_or_else(|| {
                    let all = std::iter::once(BASELINE)
                        .chain(sc.strategies.iter().map(|s| s.name.as_str()));
                    format!(
                        "unknown strategy \"{name}\"\n  help: {}",
                        crate::scenario::diagnostic::suggest_help(name, all)
                    )
                })?;
            let (applied, _) = strategy::apply(sc, i, &sc.strategies[i])
                .map_err(|d| format!("strategy \"{name}\": {}", d[0].message))?;
            bare(&applied)
        };
        out.push(Variant {
            name: name.clone(),
            template: Template::new(&raw)?,
        });
    }
    Ok(out)
}

/// Parameter draws for ensembles: run r takes point r of a scrambled Sobol sequence, for
/// every strategy alike (common random numbers extended to parameters).
#[derive(Debug, Clone)]
pub struct Draws {
    pub space: Space,
    sobol: Sobol,
}

impl Draws {
    pub fn new(space: Space, seed: u64) -> Result<Draws, String> {
        let sobol = Sobol::scrambled(space.dims(), crate::rng::mix(seed ^ DRAW_STREAM))
            .map_err(|e| e.to_string())?;
        Ok(Draws { space, sobol })
    }

    /// The parameter values of run `run`.
    pub fn values(&self, run: u32) -> Vec<f64> {
        let mut u = vec![0.0; self.space.dims()];
        self.sobol
            .point_into(run as u64, &mut u)
            .expect("run index below 2^32");
        self.space.values(&u)
    }
}

/// The scenarios an ensemble simulates: fixed, or drawn anew for every run.
pub enum Variants {
    Fixed(Vec<CheckedScenario>),
    Uncertain {
        templates: Vec<Template>,
        base_dir: PathBuf,
        draws: Draws,
    },
}

impl Variants {
    pub fn len(&self) -> usize {
        match self {
            Variants::Fixed(v) => v.len(),
            Variants::Uncertain { templates, .. } => templates.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The checked scenario of variant `v` in run `run` (its seed is set by the caller).
    pub fn scenario(&self, v: usize, run: u32) -> Result<CheckedScenario, String> {
        match self {
            Variants::Fixed(s) => Ok(s[v].clone()),
            Variants::Uncertain {
                templates,
                base_dir,
                draws,
            } => templates[v].apply(base_dir, &draws.space.paths, &draws.values(run)),
        }
    }
}

/// Where in a run's record a metric's series is read.
#[derive(Debug, Clone)]
enum Source {
    Actor { actor: usize, column: usize },
    Story { story: usize, column: usize },
    Relation { pair: usize },
}

/// A typed metric resolved against a scenario's actors and stories, measurable on runs.
#[derive(Debug, Clone)]
pub struct Probe {
    pub metric: Metric,
    source: Source,
}

impl Probe {
    /// Resolves `metric` against the world of a scenario; refuses what a run's record
    /// does not hold.
    pub fn new(metric: Metric, world: &World) -> Result<Probe, String> {
        let actors: Vec<&str> = world.actors.ids.iter().map(|s| s.as_str()).collect();
        let stories: Vec<&str> = world.stories.ids.iter().map(|s| s.as_str()).collect();
        metric
            .check_entities(&actors, &stories)
            .map_err(|e| e.to_string())?;
        if !metric.selectors.is_empty() {
            return Err(format!(
                "metric \"{metric}\": population selectors [...] are not measured by this command yet; drop them to measure over the quantity's usual populations"
            ));
        }
        let pos = |ids: &[&str], id: &str| ids.iter().position(|x| *x == id).expect("checked");
        let source = match &metric.quantity {
            Quantity::Actor { index, actor } => Source::Actor {
                actor: pos(&actors, actor),
                column: match index {
                    ActorIndex::SoftPower => 0,
                    ActorIndex::Familiarity => 1,
                    ActorIndex::Trust => 2,
                    ActorIndex::Favourability => 3,
                    ActorIndex::Credibility => 4,
                    ActorIndex::NetFavourable => crate::metrics::NET_FAVOURABLE,
                },
            },
            Quantity::Spend { actor } => Source::Actor {
                actor: pos(&actors, actor),
                column: 5,
            },
            Quantity::Story { stat, story } => Source::Story {
                story: pos(&stories, story),
                column: match stat {
                    StoryStat::Believing => 0,
                    StoryStat::FactChecked => 1,
                    StoryStat::Prebunked => 2,
                },
            },
            Quantity::Stance { from, to } => {
                let key = (pos(&actors, from), pos(&actors, to));
                let pair = relation_pairs(world)
                    .iter()
                    .position(|&p| p == key)
                    .ok_or_else(|| {
                        format!(
                            "metric \"{metric}\": {from}'s stance toward {to} is not recorded ({from} has no home public and no declared relation with {to})"
                        )
                    })?;
                Source::Relation { pair }
            }
        };
        Ok(Probe { metric, source })
    }

    /// The metric on a run's record; None when its reduction is undefined on it.
    pub fn measure(&self, rec: &Recorder) -> Option<f64> {
        let series: Vec<f64> = rec
            .ticks
            .iter()
            .map(|t| match self.source {
                Source::Actor { actor, column } => t.actors[actor][column],
                Source::Story { story, column } => t.stories[story][column],
                Source::Relation { pair } => t.relations[pair],
            })
            .collect();
        self.metric.reduce(&series)
    }
}

/// The screening or variance-based method of a sensitivity analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Sobol,
    Morris,
}

impl Method {
    pub fn name(self) -> &'static str {
        match self {
            Method::Sobol => "sobol",
            Method::Morris => "morris",
        }
    }
}

/// What a sensitivity analysis runs.
#[derive(Debug, Clone)]
pub struct Plan {
    pub method: Method,
    /// Sobol: base sample size N (N(d + 2) runs); Morris: trajectories r (r(d + 1) runs).
    pub samples: usize,
    /// The scenario seed: every run uses it; the design and bootstrap derive from it.
    pub seed: u64,
    /// Morris grid levels.
    pub levels: usize,
    /// Bootstrap resamples of the Sobol intervals.
    pub resamples: usize,
    pub confidence: f64,
}

/// A sensitivity design.
#[derive(Debug, Clone)]
pub enum Design {
    Sobol(SaltelliDesign),
    Morris(MorrisDesign),
}

impl Design {
    pub fn new(plan: &Plan, dims: usize) -> Result<Design, String> {
        let seed = crate::rng::mix(plan.seed ^ DESIGN_STREAM);
        Ok(match plan.method {
            Method::Sobol => Design::Sobol(
                SaltelliDesign::new(dims, plan.samples, seed).map_err(|e| e.to_string())?,
            ),
            Method::Morris => Design::Morris(
                MorrisDesign::campolongo(
                    dims,
                    plan.samples,
                    plan.levels,
                    (4 * plan.samples).clamp(20, plan.samples + 500),
                    seed,
                )
                .map_err(|e| e.to_string())?,
            ),
        })
    }

    /// Number of model runs.
    pub fn len(&self) -> usize {
        match self {
            Design::Sobol(d) => d.len(),
            Design::Morris(d) => d.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Design point `k` on the unit cube.
    pub fn point(&self, k: usize) -> Vec<f64> {
        match self {
            Design::Sobol(d) => d.point(k),
            Design::Morris(d) => d.point(k).to_vec(),
        }
    }
}

/// The result of a sensitivity analysis.
#[derive(Debug, Clone)]
pub enum Indices {
    Sobol(SobolIndices),
    Morris(Vec<MorrisEffect>),
}

/// Simulates the design points `points` of `design` for `focus` (minus `against`, when
/// given: the paired difference of two strategies on the same parameters and seed) and
/// returns their outputs in design order; `None` if `stop` was raised first. `on_done` is
/// called once per design point finished. Each output depends only on its index, so any
/// split of the design into ranges gives the same outputs.
#[allow(clippy::too_many_arguments)]
pub fn evaluate(
    design: &Design,
    points: std::ops::Range<u64>,
    space: &Space,
    focus: &Variant,
    against: Option<&Variant>,
    base_dir: &Path,
    probe: &Probe,
    stop: &AtomicBool,
    on_done: &(dyn Fn() + Sync),
) -> Result<Option<Vec<f64>>, String> {
    let one = |v: &Variant, x: &[f64], k: usize| -> Result<f64, String> {
        let checked = v.template.apply(base_dir, &space.paths, x)?;
        let run = simulate(build(&checked), |_| {});
        probe.measure(&run.recorder).ok_or_else(|| {
            format!(
                "metric \"{}\" is undefined in design run {k} (strategy {}): the series never reaches its tick, window or threshold",
                probe.metric, v.name
            )
        })
    };
    let outputs: Vec<Option<f64>> = (points.start as usize..points.end as usize)
        .into_par_iter()
        .map(|k| -> Result<Option<f64>, String> {
            if stop.load(Ordering::Relaxed) {
                return Ok(None);
            }
            let x = space.values(&design.point(k));
            let mut y = one(focus, &x, k)?;
            if let Some(b) = against {
                y -= one(b, &x, k)?;
            }
            on_done();
            Ok(Some(y))
        })
        .collect::<Result<_, String>>()?;
    Ok(outputs.into_iter().collect())
}

/// The indices from the outputs of every design point.
pub fn analyse(design: &Design, outputs: &[f64], plan: &Plan) -> Result<Indices, String> {
    match design {
        Design::Sobol(d) => sobol_indices(
            d,
            outputs,
            plan.resamples,
            plan.confidence,
            crate::rng::mix(plan.seed ^ BOOT_STREAM),
        )
        .map(Indices::Sobol)
        .map_err(|e| match e {
            crate::experiment::sensitivity::SensitivityError::ZeroVariance => {
                "the metric takes the same value at every design point: none of the uncertain parameters moves it (no index is defined)".to_string()
            }
            e => e.to_string(),
        }),
        Design::Morris(d) => elementary_effects(d, outputs)
            .map(Indices::Morris)
            .map_err(|e| e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Overrides, parse_str};
    use std::path::Path;

    const S: &str = "[scenario]\nname = \"t\"\nticks = 3\n[[actor]]\nid = \"a\"\nbudget = 5\n[[actor]]\nid = \"b\"\n[[population]]\nid = \"p\"\nsize = 10\n[[campaign]]\nid = \"c\"\nactor = \"a\"\ninstrument = \"messaging\"\ntargets = [\"p\"]\nspend = 1\n[[strategy]]\nname = \"more\"\n[strategy.set]\n\"campaign.c.spend\" = 2\n[[uncertain]]\npath = \"model.exchange.spillover\"\nprior = \"uniform\"\nlow = 0\nhigh = 30\n[[uncertain]]\npath = \"actor.a.credibility\"\nprior = \"triangular\"\nlow = 0.2\nmode = 0.5\nhigh = 0.9\n";

    fn sc() -> Scenario {
        parse_str(S, Path::new("t.toml"), &Overrides::default()).unwrap()
    }

    #[test]
    fn every_variant_of_a_run_takes_the_same_draw_within_the_priors() {
        let sc = sc();
        let space = Space::of(&sc);
        assert_eq!(
            space.paths,
            ["model.exchange.spillover", "actor.a.credibility"]
        );
        let draws = Draws::new(space, 7).unwrap();
        let vs = variants(&sc, &["baseline".into(), "more".into()]).unwrap();
        let variants = Variants::Uncertain {
            templates: vs.into_iter().map(|v| v.template).collect(),
            base_dir: PathBuf::new(),
            draws: draws.clone(),
        };
        for run in 0..16 {
            let x = draws.values(run);
            assert!((0.0..=30.0).contains(&x[0]) && (0.2..=0.9).contains(&x[1]));
            let (base, more) = (
                variants.scenario(0, run).unwrap(),
                variants.scenario(1, run).unwrap(),
            );
            for s in [&base, &more] {
                assert_eq!(s.actors[0].credibility, x[1] as f32);
            }
            assert_eq!(format!("{:?}", base.params), format!("{:?}", more.params));
        }
        assert_ne!(draws.values(0), draws.values(1));
    }

    #[test]
    fn a_stance_without_a_record_and_selectors_are_refused_by_name() {
        let sc = sc();
        let checked = crate::scenario::check(&sc, Path::new("")).unwrap();
        let world = build(&checked);
        let e = Probe::new(Metric::parse("stance:a->b").unwrap(), &world).unwrap_err();
        assert!(e.contains("not recorded"), "{e}");
        let e = Probe::new(Metric::parse("trust:a[all]").unwrap(), &world).unwrap_err();
        assert!(e.contains("selectors"), "{e}");
        let e = Probe::new(Metric::parse("trust:c").unwrap(), &world).unwrap_err();
        assert!(e.contains("unknown actor"), "{e}");
        let p = Probe::new(Metric::parse("spend:a@3").unwrap(), &world).unwrap();
        let run = simulate(world, |_| {});
        assert_eq!(
            p.measure(&run.recorder),
            Some(3.0),
            "1 unit a tick for 3 ticks"
        );
    }
}
