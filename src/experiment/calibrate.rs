//! Calibration: the `[[uncertain]]` parameters fitted to observed surveys
//! (docs/CALIBRATION.md).
//!
//! Likelihood. Observation i reports k_i = y_i · n_i of n_i respondents (y_i the observed
//! share); the model predicts the share p_i(θ) (`model::survey`). Respondents answer
//! independently, so k_i ~ Binomial(n_i, p_i(θ)), and the log-likelihood, taken relative
//! to the saturated model (p_i = y_i) so that it is 0 at a perfect fit, is
//!
//!   ℓ(θ) = Σ_i [ k_i ln(p_i / y_i) + (n_i − k_i) ln((1 − p_i) / (1 − y_i)) ]   (0 ln 0 = 0)
//!
//! and D(θ) = −2 ℓ(θ) is the binomial deviance. Each run uses the scenario's seed, so
//! p_i(θ) is a deterministic function of θ.
//!
//! Posterior. Parameters live on the unit cube u ∈ (0, 1)^d and θ = F⁻¹(u) through the
//! priors' quantile functions, so the prior is uniform on the cube and the posterior
//! density there is π(u | y) ∝ exp ℓ(F⁻¹(u)).
//!
//! Sampler. The affine-invariant ensemble sampler of Goodman & Weare (2010) with the
//! stretch move, in the parallel red/blue form of Foreman-Mackey et al. (2013): the W
//! walkers are split into two halves; every walker k of one half draws a partner j from
//! the other half and z from g(z) ∝ 1/√z on [1/a, a] (a = 2),
//!
//!   z = ((a − 1) U + 1)² / a,    Y = X_j + z (X_k − X_j),
//!
//! and moves to Y with probability min(1, z^(d−1) π(Y) / π(X_k)) (zero outside the cube).
//! Walkers of one half depend only on the other half, so they are updated in parallel;
//! every walker draws from its own stream keyed by (seed, step, chain, walker), so the
//! chain is the same for any thread count. A step depends on the step before, so one
//! chain is never split; `--chains C` runs C independent ensembles (the unit of a shard
//! and of a checkpoint) whose post-burn-in draws are pooled. Chain 0 keys its walkers by
//! the walker alone, so one chain draws what the sampler drew before chains existed.
//!
//! Start. From the prior (the default), or (`Start::Mode`) in a ball of sd `MODE_BALL`
//! around the best of `MODE_STARTS` Nelder–Mead searches for the highest ℓ, each from a
//! prior draw of the chain's own: an ensemble started across the cube contracts slowly
//! onto a narrow posterior and can strand walkers in a local mode it never leaves.
//!
//! Mixing. The integrated autocorrelation time of each parameter, the walkers' normalised
//! autocorrelations ρ̂_k(t) averaged and summed up to Sokal's window (emcee's estimator),
//!
//!   τ = 1 + 2 Σ_{t=1..M} ρ̄(t),   M the first lag with M ≥ 5 τ(M),
//!
//! with a warning when the post-burn-in run is shorter than 50 τ; and (two chains or
//! more) the rank-normalised split-R̂ of Vehtari et al. (2021) across the chains, each
//! chain's walkers pooled (the walkers of one ensemble are coupled; the chains are not).
//! For M split sequences of n draws with means x̄_m and variances s_m²,
//!
//!   W = mean_m s_m²,   var⁺ = (n − 1)/n W + var_m(x̄_m),   R̂ = √(var⁺ / W),
//!
//! on the normal scores of the pooled ranks (bulk) and of the distances from the median
//! (tail), the larger reported (BDA3 §11.4).
//!
//! Diagnostics: the acceptance fraction; for each parameter the ratio of its posterior
//! standard deviation on the cube to the prior's (1/√12), near 1 when the data do not
//! inform it; a posterior predictive check (Gelman et al. 2013, ch. 6) with the
//! discrepancy T(y, θ) = Σ_i (k_i − n_i p_i)² / (n_i p_i (1 − p_i)) and the p-value
//! Pr(T(y_rep, θ) ≥ T(y, θ) | y) over posterior draws.

use super::stats::quantile_sorted;
use super::uncertainty::Space;
use crate::engine::Engine;
use crate::metrics::survey::{measure, members};
use crate::model::checked::CheckedScenario;
use crate::model::survey::{Measure, Observation, SurveySpec};
use crate::rng::{Purpose, key, stream};
use crate::scenario::check::uncertain::{Template, bare};
use crate::scenario::types::Scenario;
use crate::world::build;
use rand::Rng;
use rand_distr::{Binomial, Distribution};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// Stream constants that separate the sampler's and the checks' randomness from the
/// simulation's, derived from the scenario seed.
const SAMPLER_STREAM: u64 = 0xCA11_B8A7_E5A3;
const PPC_STREAM: u64 = 0x0BB5_C4EC_0001;
const OPTIMISER_STREAM: u64 = 0x0057_A27E_D0DE;
/// The stretch move's scale a (Goodman & Weare 2010).
const STRETCH: f64 = 2.0;
/// Posterior sd / prior sd on the cube above which a parameter is reported as not
/// identified by the data.
pub const UNIDENTIFIED_RATIO: f64 = 0.75;

/// Survey tables of one run of `checked` at `ticks` (ascending): `[tick][unit][actor]`
/// shares of (heard_of, favourable, confidence), for the units of `spec`.
pub fn survey_run(
    checked: &CheckedScenario,
    spec: &SurveySpec,
    ticks: &[u32],
) -> Vec<Vec<[f64; 3]>> {
    let world = build(checked);
    let groups = members(&world, &spec.units);
    let mut engine = Engine::new(world);
    let mut out = Vec::with_capacity(ticks.len());
    for &t in ticks {
        let due = t.saturating_sub(engine.tick);
        super::advance(&mut engine, due, None, |_| {});
        // The checked σ, not `spec.spread`: `survey.spread` may be a drawn parameter.
        let spread = engine.world.params.survey_spread;
        out.push(measure(&engine.world, &groups, spread));
    }
    out
}

/// One series the observations follow: a unit's measure of an actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct SeriesKey {
    pub unit: usize,
    pub actor: u32,
    pub measure: Measure,
}

/// A scenario, its priors and its observations: the fitting problem.
#[derive(Debug, Clone)]
pub struct Problem {
    template: Template,
    base_dir: PathBuf,
    pub space: Space,
    pub spec: SurveySpec,
    pub actors: Vec<String>,
    /// Distinct observation ticks, ascending.
    obs_ticks: Vec<u32>,
    /// The observed series (fitted or held out), in order.
    pub keys: Vec<SeriesKey>,
    /// Observations at or after `spec.holdout_from`: predicted, not fitted
    /// (`spec.observations` keeps the fitted ones).
    pub holdout: Vec<Observation>,
    /// Last tick of the run.
    pub ticks: u32,
}

impl Problem {
    /// The problem of a scenario `check` accepted, with its checked `[survey]`.
    pub fn new(sc: &Scenario, mut spec: SurveySpec, base_dir: &Path) -> Result<Problem, String> {
        if spec.observations.is_empty() {
            return Err("the scenario's [survey] names no observations file".into());
        }
        let (fitted, holdout): (Vec<Observation>, Vec<Observation>) = spec
            .observations
            .iter()
            .cloned()
            .partition(|o| spec.holdout_from.is_none_or(|h| o.tick < h));
        if fitted.is_empty() {
            return Err(format!(
                "[survey] holdout_from (tick {}) holds out every observation: nothing is left to fit",
                spec.holdout_from.unwrap_or(0)
            ));
        }
        let mut keys: Vec<SeriesKey> = spec.observations.iter().map(key_of).collect();
        spec.observations = fitted;
        let space = Space::of(sc);
        let mut obs_ticks: Vec<u32> = spec.observations.iter().map(|o| o.tick).collect();
        obs_ticks.sort_unstable();
        obs_ticks.dedup();
        keys.sort_unstable();
        keys.dedup();
        Ok(Problem {
            template: Template::new(&bare(sc))?,
            base_dir: base_dir.to_path_buf(),
            space,
            actors: sc.actors.iter().map(|a| a.id.clone()).collect(),
            obs_ticks,
            keys,
            holdout,
            ticks: sc.scenario.ticks,
            spec,
        })
    }

    /// The scenario at parameter values `x`.
    pub fn scenario(&self, x: &[f64]) -> Result<CheckedScenario, String> {
        self.template.apply(&self.base_dir, &self.space.paths, x)
    }

    fn share(&self, table: &[[f64; 3]], unit: usize, actor: u32, m: Measure) -> f64 {
        table[unit * self.actors.len() + actor as usize][m.index()]
    }

    /// The model's share p_i(θ) for every observation, at parameter values `x`.
    pub fn predict(&self, x: &[f64]) -> Result<Vec<f64>, String> {
        let tables = survey_run(&self.scenario(x)?, &self.spec, &self.obs_ticks);
        Ok(self
            .spec
            .observations
            .iter()
            .map(|o| {
                let t = self
                    .obs_ticks
                    .binary_search(&o.tick)
                    .expect("observed tick");
                self.share(&tables[t], o.unit, o.actor, o.measure)
            })
            .collect())
    }

    /// Every observed series at every tick 0..=ticks: `[key][tick]`.
    pub fn series(&self, x: &[f64]) -> Result<Vec<Vec<f64>>, String> {
        let all: Vec<u32> = (0..=self.ticks).collect();
        let tables = survey_run(&self.scenario(x)?, &self.spec, &all);
        Ok(self
            .keys
            .iter()
            .map(|k| {
                tables
                    .iter()
                    .map(|t| self.share(t, k.unit, k.actor, k.measure))
                    .collect()
            })
            .collect())
    }

    /// ℓ(θ) of predictions `p` against the observations.
    pub fn log_likelihood(&self, p: &[f64]) -> f64 {
        log_likelihood(&self.spec.observations, p)
    }
}

/// Index of an observation's series in `problem.keys`.
pub fn key_index(problem: &Problem, o: &Observation) -> usize {
    problem
        .keys
        .binary_search(&key_of(o))
        .expect("every observation has its series")
}

/// Model quantiles (5, 25, 50, 75, 95 %) over the predictive draws of series `key` at
/// `tick`.
pub fn band(pred: &Predictive, key: usize, tick: usize) -> [f64; 5] {
    let mut v: Vec<f64> = pred.series.iter().map(|d| d[key][tick]).collect();
    v.sort_by(f64::total_cmp);
    [0.05, 0.25, 0.5, 0.75, 0.95].map(|q| quantile_sorted(&v, q))
}

/// One held-out survey figure and its forecasts (shares in [0, 1]).
#[derive(Debug, Clone)]
pub struct Forecast {
    pub obs: Observation,
    /// Model quantiles over the posterior draws (5, 25, 50, 75, 95 %).
    pub model: [f64; 5],
    /// The naive forecast: the same series' last fitted observation, if it has one.
    pub naive: Option<f64>,
}

/// Out-of-sample errors, in shares (×100 for percentage points).
#[derive(Debug, Clone)]
pub struct OutOfSample {
    pub holdout_from: u32,
    pub rows: Vec<Forecast>,
    /// Rows with a naive forecast: the model's and the naive mean absolute error over
    /// the same rows, and the share of them inside the model's 90 % band.
    pub compared: usize,
    pub model_mae: f64,
    pub naive_mae: f64,
    pub coverage90: f64,
}

/// Forecasts of every held-out observation from the predictive draws, against the last
/// fitted value carried forward (`None` without a holdout).
pub fn out_of_sample(problem: &Problem, pred: &Predictive) -> Option<OutOfSample> {
    let h = problem.spec.holdout_from?;
    let rows: Vec<Forecast> = problem
        .holdout
        .iter()
        .map(|o| {
            let naive = problem
                .spec
                .observations
                .iter()
                .filter(|f| key_of(f) == key_of(o))
                .max_by_key(|f| f.tick)
                .map(|f| f.share);
            Forecast {
                model: band(pred, key_index(problem, o), o.tick as usize),
                naive,
                obs: o.clone(),
            }
        })
        .collect();
    let both: Vec<&Forecast> = rows.iter().filter(|r| r.naive.is_some()).collect();
    let n = both.len();
    let mean = |f: &dyn Fn(&Forecast) -> f64| {
        if n == 0 {
            f64::NAN
        } else {
            both.iter().map(|r| f(r)).sum::<f64>() / n as f64
        }
    };
    Some(OutOfSample {
        holdout_from: h,
        compared: n,
        model_mae: mean(&|r| (r.model[2] - r.obs.share).abs()),
        naive_mae: mean(&|r| (r.naive.unwrap_or(f64::NAN) - r.obs.share).abs()),
        coverage90: mean(&|r| {
            f64::from(u8::from(
                r.model[0] <= r.obs.share && r.obs.share <= r.model[4],
            ))
        }),
        rows,
    })
}

fn key_of(o: &Observation) -> SeriesKey {
    SeriesKey {
        unit: o.unit,
        actor: o.actor,
        measure: o.measure,
    }
}

/// x ln(x / y) with 0 ln 0 = 0.
fn xlog(x: f64, ratio: f64) -> f64 {
    if x == 0.0 { 0.0 } else { x * ratio.ln() }
}

/// The binomial log-likelihood relative to the saturated model (≤ 0).
pub fn log_likelihood(obs: &[Observation], p: &[f64]) -> f64 {
    const EPS: f64 = 1e-12;
    obs.iter()
        .zip(p)
        .map(|(o, &p)| {
            let p = p.clamp(EPS, 1.0 - EPS);
            let k = o.share * o.n;
            let y = o.share;
            xlog(k, p / y) + xlog(o.n - k, (1.0 - p) / (1.0 - y))
        })
        .sum()
}

/// Where the walkers of a chain start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Start {
    /// Independent draws from the prior (uniform on the cube).
    #[default]
    Prior,
    /// In a small ball around the best of [`MODE_STARTS`] Nelder–Mead searches for the
    /// highest ℓ, each from its own prior draw (the chain's own draws: chains still start
    /// apart if the searches end in different modes).
    Mode,
}

/// Nelder–Mead searches per chain with `Start::Mode`.
pub const MODE_STARTS: usize = 4;
/// Standard deviation, on the cube, of the ball the walkers start in around the mode:
/// small against every posterior the ensemble has met so far (it expands in a few dozen
/// steps, and contracts faster), large against the optimiser's tolerance.
pub const MODE_BALL: f64 = 1e-3;

/// The sampler's settings.
#[derive(Debug, Clone, Copy)]
pub struct SamplerPlan {
    /// Walkers W (even, at least 4).
    pub walkers: usize,
    /// Steps of the whole ensemble.
    pub steps: usize,
    /// Steps discarded before the posterior sample.
    pub burn_in: usize,
    pub seed: u64,
    pub start: Start,
}

impl SamplerPlan {
    /// Default walkers for d parameters: max(16, 4d), even.
    pub fn default_walkers(dims: usize) -> usize {
        (4 * dims).max(16).next_multiple_of(2)
    }
}

/// The ensemble's states: after the initial draw (step 0) and after every step.
#[derive(Debug, Clone, PartialEq)]
pub struct Chain {
    pub dims: usize,
    pub walkers: usize,
    /// `[step][walker][dim]` on the unit cube, steps 0..=steps.
    pub u: Vec<f64>,
    /// `[step][walker]` log-likelihood.
    pub log_like: Vec<f64>,
    pub accepted: usize,
    pub proposed: usize,
}

impl Chain {
    pub fn steps(&self) -> usize {
        self.log_like.len() / self.walkers - 1
    }
    pub fn point(&self, step: usize, walker: usize) -> &[f64] {
        let o = (step * self.walkers + walker) * self.dims;
        &self.u[o..o + self.dims]
    }
    pub fn acceptance(&self) -> f64 {
        self.accepted as f64 / self.proposed.max(1) as f64
    }

    /// Values in a whole chain of `steps` steps: the counts, then every position and
    /// log-likelihood (the layout of [`Chain::values`]).
    pub fn width(dims: usize, walkers: usize, steps: usize) -> u64 {
        2 + ((steps + 1) * walkers * (dims + 1)) as u64
    }

    /// The chain as numbers (counts are exact in f64): what a shard stores.
    pub fn values(&self) -> Vec<f64> {
        let mut v = Vec::with_capacity(self.u.len() + self.log_like.len() + 2);
        v.push(self.accepted as f64);
        v.push(self.proposed as f64);
        v.extend_from_slice(&self.u);
        v.extend_from_slice(&self.log_like);
        v
    }

    /// The chain `values` wrote (`None` if the length does not fit the shape).
    pub fn from_values(v: &[f64], dims: usize, walkers: usize) -> Option<Chain> {
        let rows = (v.len().checked_sub(2)?) / (walkers * (dims + 1));
        if rows == 0 || 2 + rows * walkers * (dims + 1) != v.len() {
            return None;
        }
        let split = 2 + rows * walkers * dims;
        Some(Chain {
            dims,
            walkers,
            u: v[2..split].to_vec(),
            log_like: v[split..].to_vec(),
            accepted: v[0] as usize,
            proposed: v[1] as usize,
        })
    }

    /// The ensemble after its last step: positions and log-likelihoods.
    fn last(&self) -> (Vec<f64>, Vec<f64>) {
        let s = self.steps();
        let (w, d) = (self.walkers, self.dims);
        (
            self.u[s * w * d..].to_vec(),
            self.log_like[s * w..].to_vec(),
        )
    }
}

/// Independent ensembles of one fit (`--chains`), pooled for the posterior.
#[derive(Debug, Clone, PartialEq)]
pub struct Chains {
    pub dims: usize,
    /// Walkers of each ensemble.
    pub walkers: usize,
    pub list: Vec<Chain>,
}

impl Chains {
    pub fn new(list: Vec<Chain>) -> Chains {
        Chains {
            dims: list[0].dims,
            walkers: list[0].walkers,
            list,
        }
    }
    pub fn steps(&self) -> usize {
        self.list[0].steps()
    }
    /// Accepted over proposed moves, pooled over the chains.
    pub fn acceptance(&self) -> f64 {
        let a: usize = self.list.iter().map(|c| c.accepted).sum();
        let p: usize = self.list.iter().map(|c| c.proposed).sum();
        a as f64 / p.max(1) as f64
    }
    pub fn point(&self, draw: Draw) -> &[f64] {
        self.list[draw.0].point(draw.1, draw.2)
    }
    pub fn log_like(&self, draw: Draw) -> f64 {
        self.list[draw.0].log_like[draw.1 * self.walkers + draw.2]
    }
}

/// A posterior draw: (chain, step, walker).
pub type Draw = (usize, usize, usize);

/// A log-density on the unit cube (the log-likelihood of the point's parameters).
pub type LogDensity<'a> = dyn Fn(&[f64]) -> Result<f64, String> + Sync + 'a;

/// The random stream entity of walker `i` of chain `chain`: chain 0 keeps the walker's
/// own index, so a single chain draws exactly what it drew before chains existed.
fn entity(chain: u32, i: usize) -> u64 {
    (u64::from(chain) << 32) | i as u64
}

/// Runs chain `index` of the ensemble sampler on `log_density` over (0, 1)^dims, from
/// its initial draw or from `start` (a checkpoint of the same chain: the result is the
/// same bits as an uninterrupted run, since every step draws from its own stream).
/// `None` if `stop` was raised. `on_step` is given the chain after the initial draw and
/// after every step (to checkpoint it); its error stops the run.
pub fn ensemble(
    plan: &SamplerPlan,
    dims: usize,
    index: u32,
    log_density: &LogDensity,
    stop: &AtomicBool,
    start: Option<Chain>,
    on_step: &mut dyn FnMut(&Chain) -> Result<(), String>,
) -> Result<Option<Chain>, String> {
    let w = plan.walkers;
    if w < 4 || !w.is_multiple_of(2) || w < 2 * dims {
        return Err(format!(
            "the ensemble needs an even number of walkers, at least 4 and at least twice the {dims} parameters (got {w})"
        ));
    }
    let k = key(crate::rng::mix(plan.seed ^ SAMPLER_STREAM));
    let mut chain = match start {
        Some(c) => {
            if c.dims != dims || c.walkers != w || c.steps() > plan.steps {
                return Err("the checkpoint is not a chain of this sampler".into());
            }
            c
        }
        None => {
            let pos: Vec<f64> = match plan.start {
                Start::Prior => (0..w)
                    .flat_map(|i| {
                        let mut r = stream(&k, 0, Purpose::Calibration, entity(index, i));
                        (0..dims)
                            .map(move |_| r.random_range(1e-9..1.0 - 1e-9))
                            .collect::<Vec<f64>>()
                    })
                    .collect(),
                Start::Mode => {
                    let mode = search_mode(plan.seed, dims, index, log_density)?;
                    (0..w)
                        .flat_map(|i| {
                            let mut r = stream(&k, 0, Purpose::Calibration, entity(index, i));
                            mode.iter()
                                .map(|&m| {
                                    let z: f64 = rand_distr::StandardNormal.sample(&mut r);
                                    reflect(m + MODE_BALL * z)
                                })
                                .collect::<Vec<f64>>()
                        })
                        .collect()
                }
            };
            let lp: Vec<f64> = (0..w)
                .into_par_iter()
                .map(|i| log_density(&pos[i * dims..(i + 1) * dims]))
                .collect::<Result<_, String>>()?;
            let c = Chain {
                dims,
                walkers: w,
                u: pos,
                log_like: lp,
                accepted: 0,
                proposed: 0,
            };
            on_step(&c)?;
            c
        }
    };
    let (mut pos, mut lp) = chain.last();
    let half = w / 2;
    for step in chain.steps() + 1..=plan.steps {
        if stop.load(Ordering::Relaxed) {
            return Ok(None);
        }
        for h in 0..2 {
            let (mine, other) = if h == 0 {
                (0..half, half..w)
            } else {
                (half..w, 0..half)
            };
            let moves: Vec<Option<(Vec<f64>, f64)>> = mine
                .clone()
                .into_par_iter()
                .map(|i| -> Result<_, String> {
                    let mut r = stream(&k, step as u32, Purpose::Calibration, entity(index, i));
                    let j = other.start + r.random_range(0..half);
                    let z = ((STRETCH - 1.0) * r.random::<f64>() + 1.0).powi(2) / STRETCH;
                    let accept_u: f64 = r.random();
                    let x = &pos[i * dims..(i + 1) * dims];
                    let xj = &pos[j * dims..(j + 1) * dims];
                    let y: Vec<f64> = x.iter().zip(xj).map(|(&a, &b)| b + z * (a - b)).collect();
                    if y.iter().any(|&v| !(v > 0.0 && v < 1.0)) {
                        return Ok(None);
                    }
                    let new = log_density(&y)?;
                    let log_ratio = (dims as f64 - 1.0) * z.ln() + new - lp[i];
                    Ok((accept_u.ln() < log_ratio).then_some((y, new)))
                })
                .collect::<Result<_, String>>()?;
            for (i, m) in mine.zip(moves) {
                chain.proposed += 1;
                if let Some((y, new)) = m {
                    pos[i * dims..(i + 1) * dims].copy_from_slice(&y);
                    lp[i] = new;
                    chain.accepted += 1;
                }
            }
        }
        chain.u.extend_from_slice(&pos);
        chain.log_like.extend_from_slice(&lp);
        on_step(&chain)?;
    }
    Ok(Some(chain))
}

/// `u` folded back into the open unit interval at its edges.
fn reflect(u: f64) -> f64 {
    let u = if u < 0.0 { -u } else { u };
    let u = if u > 1.0 { 2.0 - u } else { u };
    u.clamp(1e-9, 1.0 - 1e-9)
}

/// The best point (highest ℓ) of [`MODE_STARTS`] Nelder–Mead searches on the cube, each
/// from its own prior draw (streams keyed by the seed, chain and search), in search order
/// for ties: a deterministic function of the seed and the chain.
fn search_mode(
    seed: u64,
    dims: usize,
    chain: u32,
    log_density: &LogDensity,
) -> Result<Vec<f64>, String> {
    let k = key(crate::rng::mix(seed ^ OPTIMISER_STREAM));
    let found: Vec<(Vec<f64>, f64)> = (0..MODE_STARTS)
        .into_par_iter()
        .map(|s| {
            let mut r = stream(&k, 0, Purpose::Calibration, entity(chain, s));
            let x0: Vec<f64> = (0..dims).map(|_| r.random_range(0.05..0.95)).collect();
            let f = |u: &[f64]| -> Result<f64, String> {
                if u.iter().all(|&v| v > 0.0 && v < 1.0) {
                    Ok(-log_density(u)?)
                } else {
                    Ok(f64::INFINITY)
                }
            };
            // Nelder–Mead stalls on curved ridges: restart it from its best point with a
            // fresh simplex until a restart gains under 0.01 in ℓ (a hundredth of what
            // moves a posterior visibly) or the budget is spent.
            let budget = NM_MAX_EVALS_PER_DIM * dims;
            let (mut x, mut l, mut used) = nelder_mead(&x0, &f, budget)?;
            while used < budget {
                let (x2, l2, n) = nelder_mead(&x, &f, budget - used)?;
                used += n;
                let gain = l2 - l;
                if l2 > l {
                    (x, l) = (x2, l2);
                }
                if gain < 0.01 {
                    break;
                }
            }
            Ok((x, l))
        })
        .collect::<Result<_, String>>()?;
    let best = found
        .into_iter()
        .reduce(|a, b| if b.1 > a.1 { b } else { a })
        .expect("at least one search");
    Ok(best.0)
}

/// Evaluations per parameter a Nelder–Mead search (with its restarts) may spend.
const NM_MAX_EVALS_PER_DIM: usize = 400;

/// Minimises `f` by the Nelder–Mead simplex method with the standard coefficients
/// (reflection 1, expansion 2, contraction ½, shrink ½; Lagarias, Reeds, Wright & Wright
/// 1998), from the simplex of `x0` and `x0 ± 0.1` along each axis, until the simplex's
/// values agree within 1e-6 and its points within 1e-6, or after `max_evals`
/// evaluations. Returns the best point, −f there (ℓ) and the evaluations spent.
fn nelder_mead(
    x0: &[f64],
    f: &dyn Fn(&[f64]) -> Result<f64, String>,
    max_evals: usize,
) -> Result<(Vec<f64>, f64, usize), String> {
    let n = x0.len();
    let mut simplex: Vec<(Vec<f64>, f64)> = Vec::with_capacity(n + 1);
    simplex.push((x0.to_vec(), f(x0)?));
    for i in 0..n {
        let mut x = x0.to_vec();
        x[i] += if x[i] + 0.1 < 1.0 { 0.1 } else { -0.1 };
        let v = f(&x)?;
        simplex.push((x, v));
    }
    let mut evals = n + 1;
    // Points of the simplex combined: c + t (x − c).
    let towards = |c: &[f64], x: &[f64], t: f64| -> Vec<f64> {
        c.iter().zip(x).map(|(&c, &x)| c + t * (x - c)).collect()
    };
    while evals < max_evals {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        let (best, worst) = (simplex[0].1, simplex[n].1);
        let spread = simplex[1..]
            .iter()
            .flat_map(|(x, _)| x.iter().zip(&simplex[0].0).map(|(a, b)| (a - b).abs()))
            .fold(0.0f64, f64::max);
        if worst - best <= 1e-6 && spread <= 1e-6 {
            break;
        }
        let centroid: Vec<f64> = (0..n)
            .map(|j| simplex[..n].iter().map(|(x, _)| x[j]).sum::<f64>() / n as f64)
            .collect();
        let xr = towards(&centroid, &simplex[n].0, -1.0);
        let fr = f(&xr)?;
        evals += 1;
        if fr < best {
            let xe = towards(&centroid, &simplex[n].0, -2.0);
            let fe = f(&xe)?;
            evals += 1;
            simplex[n] = if fe < fr { (xe, fe) } else { (xr, fr) };
        } else if fr < simplex[n - 1].1 {
            simplex[n] = (xr, fr);
        } else {
            // Contract outside (towards the reflected point) or inside.
            let (xc, fc) = if fr < worst {
                let x = towards(&centroid, &xr, 0.5);
                let v = f(&x)?;
                (x, v)
            } else {
                let x = towards(&centroid, &simplex[n].0, 0.5);
                let v = f(&x)?;
                (x, v)
            };
            evals += 1;
            if fc < fr.min(worst) {
                simplex[n] = (xc, fc);
            } else {
                let x0 = simplex[0].0.clone();
                for p in simplex.iter_mut().skip(1) {
                    p.0 = towards(&x0, &p.0, 0.5);
                    p.1 = f(&p.0)?;
                }
                evals += n;
            }
        }
    }
    let (x, v) = simplex
        .into_iter()
        .reduce(|a, b| if b.1 < a.1 { b } else { a })
        .expect("a simplex");
    Ok((x, -v, evals))
}

/// How well one parameter's draws have mixed: the integrated autocorrelation time of the
/// walkers' paths (every chain count) and, with two chains or more, R̂ across the chains.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mixing {
    /// Integrated autocorrelation time τ, in steps (Sokal's window, c = 5).
    pub tau: f64,
    /// Steps after burn-in over τ (emcee's authors trust τ, and the chain, from 50 on).
    pub steps_over_tau: f64,
    /// Effective draws: the posterior draws over τ.
    pub ess: f64,
    /// Rank-normalised split-R̂ across the chains, each chain's walkers pooled (two
    /// chains or more).
    pub r_hat: Option<f64>,
}

impl Mixing {
    /// Whether the diagnostics say the draws have converged, by Vehtari et al.'s (2021)
    /// criteria: R̂ ≤ [`R_HAT_LIMIT`] across the chains and at least [`ESS_MIN`] effective
    /// draws. `None` with one chain: R̂ needs independent chains (they ask for 4). A run
    /// shorter than [`TAU_RUNS`] τ is warned about, not failed: it makes τ, and so the
    /// effective draws, less certain, but the chains' agreement is what R̂ measures.
    pub fn converged(&self) -> Option<bool> {
        self.r_hat.map(|r| r <= R_HAT_LIMIT && self.ess >= ESS_MIN)
    }
}

/// R̂ above which the chains are reported as not mixed (Vehtari et al. 2021 recommend
/// 1.01, with at least 4 chains).
pub const R_HAT_LIMIT: f64 = 1.01;
/// Post-burn-in steps, in autocorrelation times, below which the chain is reported as too
/// short (Foreman-Mackey et al.'s emcee documentation: "chains longer than about 50 τ are
/// often sufficient").
pub const TAU_RUNS: f64 = 50.0;
/// Sokal's (1997) window constant: the sum of the autocorrelation stops at the first lag
/// M ≥ c τ(M).
pub const SOKAL_C: f64 = 5.0;
/// Effective draws below which intervals are reported as rough (Vehtari et al. 2021: 100
/// per chain for 4 chains).
pub const ESS_MIN: f64 = 400.0;

/// The integrated autocorrelation time of equally long sequences drawn from one process
/// (the walkers of an ensemble): the normalised autocorrelation ρ̂_k(t) of each sequence
/// (Σ_{i<n−t} (x_i − x̄)(x_{i+t} − x̄) / Σ_i (x_i − x̄)²), averaged over the sequences, summed as
/// τ(M) = 1 + 2 Σ_{t=1..M} ρ̄(t) up to Sokal's window, the first M ≥ c τ(M) (emcee's
/// estimator; Goodman & Weare 2010, Sokal 1997). Sequences that never move are left out;
/// NaN if all are. The lags stop at n/2: a window not found by then means τ > n/(2c).
pub fn integrated_time(seqs: &[Vec<f64>], c: f64) -> f64 {
    let centred: Vec<(Vec<f64>, f64)> = seqs
        .iter()
        .filter_map(|s| {
            let m = s.iter().sum::<f64>() / s.len() as f64;
            let y: Vec<f64> = s.iter().map(|x| x - m).collect();
            let c0: f64 = y.iter().map(|v| v * v).sum();
            (c0 > 0.0).then_some((y, c0))
        })
        .collect();
    let Some(n) = centred.first().map(|(y, _)| y.len()) else {
        return f64::NAN;
    };
    let mut tau = 1.0;
    for t in 1..=(n / 2).max(1).min(n - 1) {
        let rho = centred
            .iter()
            .map(|(y, c0)| {
                y[..n - t]
                    .iter()
                    .zip(&y[t..])
                    .map(|(a, b)| a * b)
                    .sum::<f64>()
                    / c0
            })
            .sum::<f64>()
            / centred.len() as f64;
        tau += 2.0 * rho;
        if t as f64 >= c * tau {
            break;
        }
    }
    tau
}

/// Each sequence cut in two halves (the middle draw of an odd length dropped), so that
/// a trend within a sequence shows as disagreement between its halves.
fn split_halves(seqs: &[Vec<f64>]) -> Vec<Vec<f64>> {
    seqs.iter()
        .flat_map(|s| {
            let h = s.len() / 2;
            [s[..h].to_vec(), s[s.len() - h..].to_vec()]
        })
        .collect()
}

/// Normal scores of the pooled ranks: z = Φ⁻¹((r − 3/8) / (S + 1/4)), ties averaged.
fn rank_normal(seqs: &[Vec<f64>]) -> Vec<Vec<f64>> {
    use statrs::distribution::{ContinuousCDF, Normal};
    let all: Vec<(f64, usize, usize)> = seqs
        .iter()
        .enumerate()
        .flat_map(|(m, s)| s.iter().enumerate().map(move |(i, &x)| (x, m, i)))
        .collect();
    let mut order: Vec<usize> = (0..all.len()).collect();
    order.sort_by(|&a, &b| all[a].0.total_cmp(&all[b].0));
    let n = all.len() as f64;
    let normal = Normal::standard();
    let mut out: Vec<Vec<f64>> = seqs.iter().map(|s| vec![0.0; s.len()]).collect();
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && all[order[j + 1]].0 == all[order[i]].0 {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        let z = normal.inverse_cdf((rank - 0.375) / (n + 0.25));
        for &o in &order[i..=j] {
            out[all[o].1][all[o].2] = z;
        }
        i = j + 1;
    }
    out
}

/// Means and unbiased variances of each sequence, and var⁺ = (n − 1)/n W + B/n.
fn moments(seqs: &[Vec<f64>]) -> (Vec<f64>, Vec<f64>, f64, f64) {
    let n = seqs[0].len() as f64;
    let means: Vec<f64> = seqs.iter().map(|s| s.iter().sum::<f64>() / n).collect();
    let vars: Vec<f64> = seqs
        .iter()
        .zip(&means)
        .map(|(s, m)| s.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0))
        .collect();
    let m = seqs.len() as f64;
    let w = vars.iter().sum::<f64>() / m;
    let grand = means.iter().sum::<f64>() / m;
    let b_over_n = means.iter().map(|x| (x - grand).powi(2)).sum::<f64>() / (m - 1.0);
    (means, vars, w, (n - 1.0) / n * w + b_over_n)
}

/// R̂ = √(var⁺ / W) (BDA3 eq. 11.4).
fn r_hat(seqs: &[Vec<f64>]) -> f64 {
    let (_, _, w, var_plus) = moments(seqs);
    if w > 0.0 {
        (var_plus / w).sqrt()
    } else if var_plus > 0.0 {
        f64::INFINITY
    } else {
        1.0
    }
}

/// Rank-normalised split-R̂ of `seqs`, equal-length draws of one parameter, one sequence
/// per chain: the larger of the bulk form (normal scores of the pooled ranks) and the tail
/// form (of the distances from the median) (Vehtari et al. 2021). NaN when there are
/// fewer than two split halves of two draws.
pub fn split_r_hat(seqs: &[Vec<f64>]) -> f64 {
    let halves = split_halves(seqs);
    if halves.len() < 2 || halves[0].len() < 2 {
        return f64::NAN;
    }
    let mut pooled: Vec<f64> = halves.iter().flatten().copied().collect();
    pooled.sort_by(f64::total_cmp);
    let median = quantile_sorted(&pooled, 0.5);
    let folded: Vec<Vec<f64>> = halves
        .iter()
        .map(|s| s.iter().map(|x| (x - median).abs()).collect())
        .collect();
    r_hat(&rank_normal(&halves)).max(r_hat(&rank_normal(&folded)))
}

/// A parameter's prior and posterior summaries.
#[derive(Debug, Clone)]
pub struct ParamSummary {
    pub path: String,
    pub prior: [f64; 3],
    /// 5 %, 50 % and 95 % posterior quantiles.
    pub posterior: [f64; 3],
    pub best: f64,
    /// Posterior sd on the cube over the prior's (1/√12).
    pub sd_ratio: f64,
    /// Autocorrelation time, effective draws and (two chains or more) R̂.
    pub mixing: Mixing,
}

impl ParamSummary {
    pub fn identified(&self) -> bool {
        self.sd_ratio <= UNIDENTIFIED_RATIO
    }
    /// Whether `x` lies in the 90 % posterior interval.
    pub fn covers(&self, x: f64) -> bool {
        self.posterior[0] <= x && x <= self.posterior[2]
    }
}

/// The posterior sample: every walker of every chain at every step after burn-in.
#[derive(Debug, Clone)]
pub struct Posterior {
    /// The draws, chain by chain, step by step.
    pub draws: Vec<Draw>,
    pub params: Vec<ParamSummary>,
    /// Best visited point (highest ℓ) in parameter values, and its ℓ.
    pub best: (Vec<f64>, f64),
}

/// Summaries of the pooled chains after `burn_in` steps. With two chains or more, each
/// walker's path after burn-in is one sequence of the R̂ and ESS (as ArviZ reads an
/// ensemble sampler): chains stuck apart, or walkers still drifting, raise R̂.
pub fn summarise(chains: &Chains, space: &Space, burn_in: usize) -> Posterior {
    let d = chains.dims;
    let steps = chains.steps();
    let walkers = chains.walkers;
    let from = (burn_in + 1).min(steps);
    let draws: Vec<Draw> = (0..chains.list.len())
        .flat_map(|c| (from..=steps).flat_map(move |s| (0..walkers).map(move |w| (c, s, w))))
        .collect();
    let (mut bd, mut bl) = ((0, 0, 0), f64::NEG_INFINITY);
    for c in 0..chains.list.len() {
        for s in 0..=steps {
            for w in 0..walkers {
                let l = chains.log_like((c, s, w));
                if l > bl {
                    (bd, bl) = ((c, s, w), l);
                }
            }
        }
    }
    let best = space.values(chains.point(bd));
    let prior_sd = (1.0f64 / 12.0).sqrt();
    let params = (0..d)
        .map(|i| {
            let mut us: Vec<f64> = draws.iter().map(|&x| chains.point(x)[i]).collect();
            let n = us.len() as f64;
            let mean = us.iter().sum::<f64>() / n;
            let sd =
                (us.iter().map(|u| (u - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0)).sqrt();
            us.sort_by(f64::total_cmp);
            let pr = &space.priors[i];
            let q = |u: f64| pr.quantile(quantile_sorted(&us, u));
            let walker_paths: Vec<Vec<f64>> = (0..chains.list.len())
                .flat_map(|c| {
                    (0..walkers).map(move |w| {
                        (from..=steps)
                            .map(|s| chains.point((c, s, w))[i])
                            .collect::<Vec<f64>>()
                    })
                })
                .collect();
            let tau = integrated_time(&walker_paths, SOKAL_C);
            // R̂ reads each chain as one sequence, its walkers pooled step by step: the
            // walkers of one ensemble are coupled, so only the chains are independent.
            let r_hat = (chains.list.len() > 1).then(|| {
                let seqs: Vec<Vec<f64>> = (0..chains.list.len())
                    .map(|c| {
                        (from..=steps)
                            .flat_map(|s| (0..walkers).map(move |w| (c, s, w)))
                            .map(|x| chains.point(x)[i])
                            .collect()
                    })
                    .collect();
                split_r_hat(&seqs)
            });
            let post_steps = (steps + 1 - from) as f64;
            let mixing = Mixing {
                tau,
                steps_over_tau: post_steps / tau,
                ess: n / tau,
                r_hat,
            };
            ParamSummary {
                path: space.paths[i].clone(),
                prior: [pr.quantile(0.05), pr.quantile(0.5), pr.quantile(0.95)],
                posterior: [q(0.05), q(0.5), q(0.95)],
                best: best[i],
                sd_ratio: sd / prior_sd,
                mixing,
            }
        })
        .collect();
    Posterior {
        draws,
        params,
        best: (best, bl),
    }
}

/// Wilson score interval of a binomial proportion at 95 % (z = 1.96).
pub fn wilson(share: f64, n: f64) -> (f64, f64) {
    let z = 1.959_963_985;
    let z2 = z * z;
    let c = (share + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let h = z / (1.0 + z2 / n) * (share * (1.0 - share) / n + z2 / (4.0 * n * n)).sqrt();
    ((c - h).max(0.0), (c + h).min(1.0))
}

/// The posterior predictive: observed series re-simulated at thinned posterior draws.
#[derive(Debug, Clone)]
pub struct Predictive {
    /// `[draw][key][tick]`.
    pub series: Vec<Vec<Vec<f64>>>,
    /// The best fit's series, `[key][tick]`.
    pub best: Vec<Vec<f64>>,
    /// Posterior predictive p-value of the chi-square discrepancy.
    pub p_value: f64,
}

/// Simulates up to `draws` posterior draws (evenly spaced through the sample) and the best
/// fit at every tick, and runs the posterior predictive check.
pub fn predictive(
    problem: &Problem,
    chains: &Chains,
    post: &Posterior,
    draws: usize,
    seed: u64,
) -> Result<Predictive, String> {
    let m = draws.min(post.draws.len()).max(1);
    let picks: Vec<Draw> = (0..m)
        .map(|i| post.draws[i * post.draws.len() / m])
        .collect();
    let series: Vec<Vec<Vec<f64>>> = picks
        .par_iter()
        .map(|&x| problem.series(&problem.space.values(chains.point(x))))
        .collect::<Result<_, String>>()?;
    let best = problem.series(&post.best.0)?;
    let k = key(crate::rng::mix(seed ^ PPC_STREAM));
    let obs = &problem.spec.observations;
    let exceed: usize = series
        .par_iter()
        .enumerate()
        .map(|(d, ser)| {
            let mut r = stream(&k, 0, Purpose::SurveyDraw, d as u64);
            let (mut t_obs, mut t_rep) = (0.0, 0.0);
            for o in obs {
                let ki = key_index(problem, o);
                let p = ser[ki][o.tick as usize].clamp(1e-9, 1.0 - 1e-9);
                let n = o.n.round().max(1.0);
                let v = n * p * (1.0 - p);
                let rep = Binomial::new(n as u64, p)
                    .expect("p in (0, 1)")
                    .sample(&mut r) as f64;
                t_obs += (o.share * n - n * p).powi(2) / v;
                t_rep += (rep - n * p).powi(2) / v;
            }
            usize::from(t_rep >= t_obs)
        })
        .sum();
    Ok(Predictive {
        p_value: exceed as f64 / series.len() as f64,
        series,
        best,
    })
}

/// Observations like `obs` but with shares drawn from the model at `x`:
/// k_i ~ Binomial(n_i, p_i(x)) (for recovery tests).
pub fn simulate_observations(
    problem: &Problem,
    x: &[f64],
    seed: u64,
) -> Result<Vec<Observation>, String> {
    let p = problem.predict(x)?;
    let k = key(seed);
    Ok(problem
        .spec
        .observations
        .iter()
        .zip(p)
        .enumerate()
        .map(|(i, (o, p))| {
            let mut r = stream(&k, 0, Purpose::SurveyDraw, i as u64);
            let n = o.n.round().max(1.0);
            let draw = Binomial::new(n as u64, p.clamp(0.0, 1.0))
                .expect("p in [0, 1]")
                .sample(&mut r);
            Observation {
                share: draw as f64 / n,
                n,
                ..o.clone()
            }
        })
        .collect())
}

/// A whole fit: sampler, summaries.
pub struct Fit {
    pub chains: Chains,
    pub posterior: Posterior,
}

/// Runs chain `index` of `problem`'s sampler (from `start`, a checkpoint, if given); see
/// [`ensemble`].
pub fn run_chain(
    problem: &Problem,
    plan: &SamplerPlan,
    index: u32,
    stop: &AtomicBool,
    start: Option<Chain>,
    on_step: &mut dyn FnMut(&Chain) -> Result<(), String>,
) -> Result<Option<Chain>, String> {
    let density = |u: &[f64]| -> Result<f64, String> {
        let p = problem.predict(&problem.space.values(u))?;
        Ok(problem.log_likelihood(&p))
    };
    ensemble(
        plan,
        problem.space.dims(),
        index,
        &density,
        stop,
        start,
        on_step,
    )
}

/// Fits `problem` with one chain of the ensemble sampler; `None` if interrupted.
/// `on_step` is told after every step.
pub fn fit(
    problem: &Problem,
    plan: &SamplerPlan,
    stop: &AtomicBool,
    on_step: &(dyn Fn() + Sync),
) -> Result<Option<Fit>, String> {
    let mut tell = |c: &Chain| {
        if c.steps() > 0 {
            on_step();
        }
        Ok(())
    };
    let Some(chain) = run_chain(problem, plan, 0, stop, None, &mut tell)? else {
        return Ok(None);
    };
    let chains = Chains::new(vec![chain]);
    let posterior = summarise(&chains, &problem.space, plan.burn_in);
    Ok(Some(Fit { chains, posterior }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One whole chain of two parameters, uninterrupted and from its own start.
    fn uninterrupted(plan: &SamplerPlan, chain: u32, logp: &LogDensity) -> Chain {
        ensemble(
            plan,
            2,
            chain,
            logp,
            &AtomicBool::new(false),
            None,
            &mut |_| Ok(()),
        )
        .unwrap()
        .unwrap()
    }

    #[test]
    fn a_drawn_survey_spread_is_the_one_the_survey_measures_with() {
        let text = "[scenario]\nname = \"t\"\nticks = 2\n[[actor]]\nid = \"a\"\n[[population]]\nid = \"p\"\nsize = 10\nopinion.a = { familiarity = 0.6, trust = 0.7, attitude = [0.3, 0.3, 0.3] }\n[survey]\nticks = [0]\nspread = 0.5\n";
        let sc = crate::scenario::parse_str(
            text,
            Path::new("t.toml"),
            &crate::scenario::Overrides::default(),
        )
        .unwrap();
        let spec = crate::scenario::check::survey::resolve(&sc, Path::new(""))
            .unwrap()
            .unwrap();
        let template = Template::new(&bare(&sc)).unwrap();
        let at = |spread: f64| {
            let checked = template
                .apply(Path::new(""), &["survey.spread".into()], &[spread])
                .unwrap();
            survey_run(&checked, &spec, &[0])[0][0]
        };
        // Φ(fav/σ) grows as σ shrinks when fav > 0 (docs/CALIBRATION.md §1).
        let (narrow, wide) = (at(0.1), at(2.0));
        assert_eq!(narrow[0], wide[0], "heard-of does not depend on σ");
        assert!(
            narrow[1] > wide[1] && wide[1] > 0.6 * 0.5,
            "{narrow:?} {wide:?}"
        );
    }

    #[test]
    fn the_sampler_recovers_the_mean_and_spread_of_a_known_density() {
        // A normal density on the cube: mean (0.3, 0.6), sd (0.05, 0.1), independent.
        let (mu, sd) = ([0.3, 0.6], [0.05, 0.1]);
        let logp = |u: &[f64]| -> Result<f64, String> {
            Ok((0..2)
                .map(|i| -0.5 * ((u[i] - mu[i]) / sd[i]).powi(2))
                .sum())
        };
        let plan = SamplerPlan {
            walkers: 16,
            steps: 1500,
            burn_in: 300,
            seed: 3,
            start: Start::Prior,
        };
        let chain = uninterrupted(&plan, 0, &logp);
        let chain = Chains::new(vec![chain]);
        let space = Space {
            paths: vec!["a".into(), "b".into()],
            priors: vec![
                crate::model::prior::Prior::from_parts(
                    "uniform",
                    &[("low".to_string(), 0.0), ("high".to_string(), 1.0)]
                        .into_iter()
                        .collect()
                )
                .unwrap();
                2
            ],
        };
        let post = summarise(&chain, &space, plan.burn_in);
        for i in 0..2 {
            let [lo, med, hi] = post.params[i].posterior;
            // Normal quantiles: median μ, 5–95 % μ ± 1.645σ; allow 15 % Monte Carlo error.
            assert!((med - mu[i]).abs() < 0.15 * sd[i], "{i}: median {med}");
            let half = (hi - lo) / 2.0;
            assert!(
                (half / (1.645 * sd[i]) - 1.0).abs() < 0.15,
                "{i}: half width {half}"
            );
        }
        assert!(post.params[0].mixing.r_hat.is_none(), "one chain has no R̂");
        let acc = chain.acceptance();
        assert!(acc > 0.2 && acc < 0.9, "acceptance {acc}");
    }

    #[test]
    fn the_chain_is_the_same_on_one_thread_and_on_several() {
        let logp = |u: &[f64]| -> Result<f64, String> { Ok(-(u[0] - 0.5).powi(2) * 50.0 - u[1]) };
        let plan = SamplerPlan {
            walkers: 8,
            steps: 40,
            burn_in: 10,
            seed: 9,
            start: Start::Prior,
        };
        let run = |t: usize| crate::engine::on_threads(t, None, || uninterrupted(&plan, 1, &logp));
        assert_eq!(run(1), run(3));
    }

    fn normal_draws(seed: u64, n: usize) -> Vec<f64> {
        let mut r = stream(&key(seed), 0, Purpose::SurveyDraw, 0);
        (0..n)
            .map(|_| rand_distr::StandardNormal.sample(&mut r))
            .collect()
    }

    #[test]
    fn independent_draws_of_one_distribution_give_an_r_hat_of_one_and_a_tau_of_one() {
        let seqs: Vec<Vec<f64>> = (0..4).map(|c| normal_draws(c, 1000)).collect();
        let r = split_r_hat(&seqs);
        assert!((r - 1.0).abs() < 0.01, "{r}");
        // Independent draws: ρ(t) = 0 for t ≥ 1, so τ = 1 (Monte Carlo error of the
        // windowed sum of 4 × 1000 draws: a few per cent).
        let tau = integrated_time(&seqs, SOKAL_C);
        assert!((tau - 1.0).abs() < 0.1, "{tau}");
    }

    fn ar1(seed: u64, phi: f64, n: usize) -> Vec<f64> {
        let mut x = 0.0;
        normal_draws(seed, n)
            .iter()
            .map(|&e| {
                x = phi * x + e;
                x
            })
            .collect()
    }

    #[test]
    fn an_autocorrelated_chain_has_the_autocorrelation_time_theory_gives() {
        // AR(1) x_t = φ x_{t−1} + ε_t: ρ(t) = φ^t, τ = (1 + φ) / (1 − φ): 9 at φ = 0.8,
        // 39 at φ = 0.95. The estimate's relative sd is about √(2 (2M + 1) / N) (Sokal
        // 1997), 3–5 % here; subtracting each sequence's own mean biases it a few per cent
        // low.
        for (phi, expected) in [(0.8, 9.0), (0.95, 39.0)] {
            let seqs: Vec<Vec<f64>> = (0..32).map(|c| ar1(10 + c, phi, 10_000)).collect();
            let tau = integrated_time(&seqs, SOKAL_C);
            assert!((tau / expected - 1.0).abs() < 0.15, "φ {phi}: τ {tau}");
            assert!(split_r_hat(&seqs[..4]) < 1.01);
        }
        // A sequence that never moves has no autocorrelation to estimate.
        assert!(integrated_time(&[vec![0.5; 100]], SOKAL_C).is_nan());
    }

    #[test]
    fn chains_stuck_apart_give_an_r_hat_well_above_one() {
        let seqs: Vec<Vec<f64>> = (0..4)
            .map(|c| {
                let shift = if c < 2 { 0.0 } else { 2.0 };
                normal_draws(20 + c, 500)
                    .iter()
                    .map(|x| x + shift)
                    .collect()
            })
            .collect();
        let r = split_r_hat(&seqs);
        assert!(r > 1.3, "{r}");
        // Chains still drifting (a trend within each) disagree with themselves.
        let drifting: Vec<Vec<f64>> = (0..4)
            .map(|c| {
                normal_draws(30 + c, 500)
                    .iter()
                    .enumerate()
                    .map(|(i, x)| x + i as f64 / 100.0)
                    .collect()
            })
            .collect();
        let r = split_r_hat(&drifting);
        assert!(r > 1.3, "{r}");
    }

    #[test]
    fn nelder_mead_finds_the_minimum_of_a_curved_valley() {
        // Rosenbrock's valley, moved into the cube: minimum 0 at (0.6, 0.36).
        let f = |u: &[f64]| -> Result<f64, String> {
            let (x, y) = (u[0] - 0.6 + 1.0, u[1] - 0.36 + 1.0);
            Ok(100.0 * (y - x * x).powi(2) + (1.0 - x).powi(2))
        };
        let (x, v, _) = nelder_mead(&[0.1, 0.8], &f, 2000).unwrap();
        assert!(v.abs() < 1e-8, "{x:?} {v}");
        assert!(
            (x[0] - 0.6).abs() < 1e-3 && (x[1] - 0.36).abs() < 1e-3,
            "{x:?}"
        );
    }

    #[test]
    fn walkers_started_at_the_mode_start_near_the_global_mode_not_a_lower_local_one() {
        // Two modes: a high narrow one at (0.8, 0.3) and a local one 200 log units lower
        // at (0.2, 0.7). Half the searches start nearer the local mode.
        let logp = |u: &[f64]| -> Result<f64, String> {
            let g = |cx: f64, cy: f64, s: f64| {
                -((u[0] - cx).powi(2) + (u[1] - cy).powi(2)) / (2.0 * s * s)
            };
            Ok(g(0.8, 0.3, 0.02).max(g(0.2, 0.7, 0.1) - 200.0))
        };
        let plan = SamplerPlan {
            walkers: 8,
            steps: 3,
            burn_in: 1,
            seed: 12,
            start: Start::Mode,
        };
        let mode = search_mode(plan.seed, 2, 0, &logp).unwrap();
        assert!(
            (mode[0] - 0.8).abs() < 1e-3 && (mode[1] - 0.3).abs() < 1e-3,
            "{mode:?}"
        );
        let chain = uninterrupted(&plan, 0, &logp);
        for w in 0..plan.walkers {
            let p = chain.point(0, w);
            // A ball of sd 1e-3: every walker within 5 sd of the mode, none at it.
            assert!(
                (p[0] - mode[0]).hypot(p[1] - mode[1]) < 5e-3 * 2f64.sqrt(),
                "{p:?}"
            );
            assert_ne!(p, &mode[..]);
        }
        // Another chain searches from its own draws; the prior start is unchanged.
        let prior = SamplerPlan {
            start: Start::Prior,
            ..plan
        };
        let from_prior = uninterrupted(&prior, 0, &logp);
        assert!((0..8).any(|w| (from_prior.point(0, w)[0] - 0.8).abs() > 0.1));
    }

    #[test]
    fn ensembles_of_one_density_agree_and_ensembles_split_between_two_modes_do_not() {
        let plan = SamplerPlan {
            walkers: 8,
            steps: 1200,
            burn_in: 200,
            seed: 4,
            start: Start::Prior,
        };
        let run = |logp: &LogDensity, c: u32| uninterrupted(&plan, c, logp);
        let normal = |u: &[f64]| -> Result<f64, String> {
            Ok(-0.5 * (((u[0] - 0.4) / 0.1).powi(2) + ((u[1] - 0.5) / 0.1).powi(2)))
        };
        let space = Space {
            paths: vec!["a".into(), "b".into()],
            priors: vec![
                crate::model::prior::Prior::from_parts(
                    "uniform",
                    &[("low".to_string(), 0.0), ("high".to_string(), 1.0)]
                        .into_iter()
                        .collect()
                )
                .unwrap();
                2
            ],
        };
        let mixed = Chains::new((0..4).map(|c| run(&normal, c)).collect());
        assert_ne!(
            mixed.list[0], mixed.list[1],
            "chains draw their own streams"
        );
        let post = summarise(&mixed, &space, plan.burn_in);
        for p in &post.params {
            let r = p.mixing.r_hat.unwrap();
            assert!(r < 1.05, "{p:?}");
        }
        // Chains stuck in two different modes, constructed: two ensembles sample a
        // density around u₀ = 0.3, two around u₀ = 0.7.
        let mode = |centre: f64| {
            move |u: &[f64]| -> Result<f64, String> {
                Ok(-0.5 * (((u[0] - centre) / 0.05).powi(2) + ((u[1] - 0.5) / 0.05).powi(2)))
            }
        };
        let (left, right) = (mode(0.3), mode(0.7));
        let stuck = Chains::new(vec![
            run(&left, 0),
            run(&left, 1),
            run(&right, 2),
            run(&right, 3),
        ]);
        let post = summarise(&stuck, &space, plan.burn_in);
        let r = post.params[0].mixing.r_hat.unwrap();
        assert!(r > 1.5, "{r}");
    }

    #[test]
    fn a_chain_resumed_from_its_checkpoint_is_the_uninterrupted_chain() {
        let logp = |u: &[f64]| -> Result<f64, String> { Ok(-(u[0] - 0.3).powi(2) * 40.0 - u[1]) };
        let plan = SamplerPlan {
            walkers: 8,
            steps: 30,
            burn_in: 10,
            seed: 5,
            start: Start::Prior,
        };
        let whole = uninterrupted(&plan, 2, &logp);
        let stop = AtomicBool::new(false);
        let mut saved = None;
        let cut = ensemble(&plan, 2, 2, &logp, &stop, None, &mut |c| {
            saved = Some(Chain::from_values(&c.values(), 2, 8).unwrap());
            if c.steps() == 12 {
                stop.store(true, Ordering::SeqCst);
            }
            Ok(())
        })
        .unwrap();
        assert!(cut.is_none());
        let saved = saved.unwrap();
        assert_eq!(saved.steps(), 12);
        let resumed = ensemble(
            &plan,
            2,
            2,
            &logp,
            &AtomicBool::new(false),
            Some(saved),
            &mut |_| Ok(()),
        )
        .unwrap()
        .unwrap();
        assert_eq!(resumed, whole);
        assert_eq!(
            Chain::from_values(&whole.values(), 2, 8).unwrap(),
            whole,
            "a stored chain reads back exactly"
        );
        assert_eq!(whole.values().len() as u64, Chain::width(2, 8, plan.steps));
    }

    #[test]
    fn the_likelihood_is_zero_at_the_observed_shares_and_falls_away_from_them() {
        let o = |share: f64, n: f64| Observation {
            unit: 0,
            actor: 0,
            measure: Measure::Favourable,
            tick: 0,
            date: None,
            share,
            n,
        };
        let obs = [o(0.3, 1000.0), o(0.0, 50.0)];
        // 0 up to the clamp of p away from 0 and 1 (1e-12).
        assert!(log_likelihood(&obs, &[0.3, 0.0]).abs() < 1e-9);
        let near = log_likelihood(&obs, &[0.32, 0.0]);
        let far = log_likelihood(&obs, &[0.4, 0.0]);
        assert!(far < near && near < 0.0);
        // Deviance of one binomial: 2[k ln(k/np) + (n−k) ln((n−k)/(n−np))].
        let (k, n, p) = (300.0f64, 1000.0f64, 0.32f64);
        let dev = 2.0 * (k * (k / (n * p)).ln() + (n - k) * ((n - k) / (n - n * p)).ln());
        assert!((-2.0 * near - dev).abs() < 1e-9);
        // Larger samples weigh the same miss more.
        let big = [o(0.3, 4000.0)];
        assert!(log_likelihood(&big, &[0.32]) < log_likelihood(&obs[..1], &[0.32]));
    }

    #[test]
    fn wilson_intervals_cover_the_share_and_narrow_with_the_sample() {
        let (a, b) = wilson(0.5, 100.0);
        assert!(a < 0.5 && b > 0.5);
        // Wilson (1927) at p̂ = 0.5, n = 100: 0.4038 to 0.5962.
        assert!((a - 0.4038).abs() < 1e-3 && (b - 0.5962).abs() < 1e-3);
        let (c, d) = wilson(0.5, 1000.0);
        assert!(d - c < b - a);
        let (lo, _) = wilson(0.0, 20.0);
        assert_eq!(lo, 0.0);
    }
}
