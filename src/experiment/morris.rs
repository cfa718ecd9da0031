//! Morris (1991) elementary-effects screening, with the Campolongo, Cariboni & Saltelli
//! (2007) selection of spread-out trajectories and their μ* measure.
//!
//! A trajectory starts at a random point of a p-level grid and moves one input at a time by
//! ±Δ, in a random order, visiting d + 1 points. Input i's elementary effect on trajectory t
//! is EE_i^t = (f(x + Δ_i e_i) − f(x)) / Δ_i (Δ_i = ±Δ). Over r trajectories:
//!
//!   μ_i = mean EE_i,  μ*_i = mean |EE_i| (Campolongo 2007),  σ_i = sample sd of EE_i.
//!
//! μ* ranks importance; σ flags non-linearity or interaction (σ = 0 for an input that acts
//! linearly and additively). The grid levels are (ℓ + ½)/p, ℓ = 0 … p − 1, i.e. Morris's
//! grid mapped into the open cube, so every point has a finite image under any prior's
//! quantile function; the step is Δ = ½ (p/2 levels, as Morris recommends for even p).
//! Effects are per unit of the cube coordinate.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use thiserror::Error;

#[derive(Debug, Error, PartialEq)]
pub enum MorrisError {
    #[error("the number of grid levels must be even and at least 2 (got {0})")]
    BadLevels(usize),
    #[error("Morris screening needs at least one input")]
    NoInputs,
    #[error("at least 2 trajectories are needed to estimate σ (got {0})")]
    TooFewTrajectories(usize),
    #[error(
        "{candidates} candidate trajectories cannot yield {wanted} distinct ones; give at least {wanted}"
    )]
    TooFewCandidates { candidates: usize, wanted: usize },
    #[error("expected {expected} outputs (one per design point), got {got}")]
    WrongLength { expected: usize, got: usize },
    #[error("output {index} is {value}; every model output must be a finite number")]
    NotFinite { index: usize, value: f64 },
}

/// One trajectory: d + 1 points, and the input changed between point s and s + 1.
#[derive(Debug, Clone, PartialEq)]
struct Trajectory {
    points: Vec<Vec<f64>>,
    order: Vec<usize>,
}

fn trajectory(dims: usize, levels: usize, rng: &mut ChaCha8Rng) -> Trajectory {
    let p = levels as f64;
    let half = levels / 2;
    let mut x: Vec<f64> = (0..dims)
        .map(|_| {
            // Start in the lower half of the grid so both x and x + Δ are levels; then pick
            // the direction: going down means starting from the upper level.
            let lo = rng.random_range(0..half) as f64;
            let start = if rng.random::<bool>() {
                lo + half as f64
            } else {
                lo
            };
            (start + 0.5) / p
        })
        .collect();
    let mut order: Vec<usize> = (0..dims).collect();
    order.shuffle(rng);
    let mut points = Vec::with_capacity(dims + 1);
    points.push(x.clone());
    for &i in &order {
        let step = half as f64 / p;
        x[i] = if x[i] < 0.5 { x[i] + step } else { x[i] - step };
        points.push(x.clone());
    }
    Trajectory { points, order }
}

/// Campolongo's distance between two trajectories: the sum of Euclidean distances between
/// every point of one and every point of the other.
fn distance(a: &Trajectory, b: &Trajectory) -> f64 {
    let mut sum = 0.0;
    for x in &a.points {
        for y in &b.points {
            sum += x
                .iter()
                .zip(y)
                .map(|(p, q)| (p - q).powi(2))
                .sum::<f64>()
                .sqrt();
        }
    }
    sum
}

/// A Morris design of r trajectories.
#[derive(Debug, Clone)]
pub struct MorrisDesign {
    dims: usize,
    trajectories: Vec<Trajectory>,
}

impl MorrisDesign {
    /// `r` random trajectories on a `levels`-level grid, drawn from `seed`.
    pub fn new(
        dims: usize,
        r: usize,
        levels: usize,
        seed: u64,
    ) -> Result<MorrisDesign, MorrisError> {
        Self::check(dims, r, levels)?;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let trajectories = (0..r).map(|_| trajectory(dims, levels, &mut rng)).collect();
        Ok(MorrisDesign { dims, trajectories })
    }

    /// `r` trajectories chosen among `candidates` random ones to spread over the cube
    /// (Campolongo et al. 2007): maximise Σ_{pairs} d_ml². The exact choice is
    /// combinatorial; we build it greedily — the farthest pair first, then each time the
    /// candidate adding the most squared distance to those chosen.
    pub fn campolongo(
        dims: usize,
        r: usize,
        levels: usize,
        candidates: usize,
        seed: u64,
    ) -> Result<MorrisDesign, MorrisError> {
        Self::check(dims, r, levels)?;
        if candidates < r {
            return Err(MorrisError::TooFewCandidates {
                candidates,
                wanted: r,
            });
        }
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let pool: Vec<Trajectory> = (0..candidates)
            .map(|_| trajectory(dims, levels, &mut rng))
            .collect();
        let m = pool.len();
        let mut d2 = vec![0.0; m * m];
        for i in 0..m {
            for j in i + 1..m {
                let d = distance(&pool[i], &pool[j]).powi(2);
                d2[i * m + j] = d;
                d2[j * m + i] = d;
            }
        }
        let (mut bi, mut bj, mut best) = (0, 1, f64::NEG_INFINITY);
        for i in 0..m {
            for j in i + 1..m {
                if d2[i * m + j] > best {
                    (bi, bj, best) = (i, j, d2[i * m + j]);
                }
            }
        }
        let mut chosen = vec![bi, bj];
        let mut gain: Vec<f64> = (0..m).map(|c| d2[c * m + bi] + d2[c * m + bj]).collect();
        while chosen.len() < r {
            let next = (0..m)
                .filter(|c| !chosen.contains(c))
                .fold(None, |acc: Option<usize>, c| match acc {
                    Some(b) if gain[b] >= gain[c] => Some(b),
                    _ => Some(c),
                })
                .expect("candidates remain while fewer than r are chosen");
            chosen.push(next);
            for (c, g) in gain.iter_mut().enumerate() {
                *g += d2[c * m + next];
            }
        }
        let trajectories = chosen.into_iter().map(|i| pool[i].clone()).collect();
        Ok(MorrisDesign { dims, trajectories })
    }

    fn check(dims: usize, r: usize, levels: usize) -> Result<(), MorrisError> {
        if dims == 0 {
            return Err(MorrisError::NoInputs);
        }
        if levels < 2 || !levels.is_multiple_of(2) {
            return Err(MorrisError::BadLevels(levels));
        }
        if r < 2 {
            return Err(MorrisError::TooFewTrajectories(r));
        }
        Ok(())
    }

    pub fn dims(&self) -> usize {
        self.dims
    }

    pub fn trajectories(&self) -> usize {
        self.trajectories.len()
    }

    /// Number of model evaluations, r(d + 1); point k is point k mod (d + 1) of
    /// trajectory k / (d + 1).
    pub fn len(&self) -> usize {
        self.trajectories.len() * (self.dims + 1)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Design point `k` on the unit cube.
    pub fn point(&self, k: usize) -> &[f64] {
        &self.trajectories[k / (self.dims + 1)].points[k % (self.dims + 1)]
    }

    /// Campolongo's spread criterion of this design, Σ_{pairs} d_ml².
    pub fn spread(&self) -> f64 {
        let t = &self.trajectories;
        let mut s = 0.0;
        for i in 0..t.len() {
            for j in i + 1..t.len() {
                s += distance(&t[i], &t[j]).powi(2);
            }
        }
        s
    }
}

/// Elementary-effect statistics of one input.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MorrisEffect {
    pub mu: f64,
    pub mu_star: f64,
    pub sigma: f64,
}

/// μ, μ* and σ of every input from the outputs of every design point (index order).
pub fn elementary_effects(
    design: &MorrisDesign,
    outputs: &[f64],
) -> Result<Vec<MorrisEffect>, MorrisError> {
    if outputs.len() != design.len() {
        return Err(MorrisError::WrongLength {
            expected: design.len(),
            got: outputs.len(),
        });
    }
    if let Some((index, &value)) = outputs.iter().enumerate().find(|(_, y)| !y.is_finite()) {
        return Err(MorrisError::NotFinite { index, value });
    }
    let d = design.dims;
    let mut ee = vec![Vec::with_capacity(design.trajectories.len()); d];
    for (t, tr) in design.trajectories.iter().enumerate() {
        let y = &outputs[t * (d + 1)..(t + 1) * (d + 1)];
        for (s, &i) in tr.order.iter().enumerate() {
            let dx = tr.points[s + 1][i] - tr.points[s][i];
            ee[i].push((y[s + 1] - y[s]) / dx);
        }
    }
    Ok(ee
        .iter()
        .map(|e| {
            let n = e.len() as f64;
            let mu = e.iter().sum::<f64>() / n;
            let mu_star = e.iter().map(|v| v.abs()).sum::<f64>() / n;
            let sigma = (e.iter().map(|v| (v - mu).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
            MorrisEffect { mu, mu_star, sigma }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Input 0 linear, 1 quadratic, 2 inert, 3 interacting with 1.
    fn f(x: &[f64]) -> f64 {
        3.0 * x[0] + 5.0 * x[1] * x[1] + 2.0 * x[1] * x[3]
    }

    fn effects(design: &MorrisDesign) -> Vec<MorrisEffect> {
        let y: Vec<f64> = (0..design.len()).map(|k| f(design.point(k))).collect();
        elementary_effects(design, &y).unwrap()
    }

    #[test]
    fn linear_inputs_have_zero_sigma_and_inert_inputs_zero_mu_star() {
        for design in [
            MorrisDesign::new(4, 20, 4, 1).unwrap(),
            MorrisDesign::campolongo(4, 10, 6, 50, 2).unwrap(),
        ] {
            let e = effects(&design);
            assert!((e[0].mu - 3.0).abs() < 1e-12 && (e[0].mu_star - 3.0).abs() < 1e-12);
            assert!(e[0].sigma < 1e-12, "linear σ {}", e[0].sigma);
            assert!(
                e[1].sigma > 0.1 && e[3].sigma > 0.1,
                "nonlinear and interacting inputs spread"
            );
            assert_eq!(e[2].mu_star, 0.0);
            assert_eq!(e[2].sigma, 0.0);
            assert!(
                e[1].mu_star > e[0].mu_star,
                "the quadratic input matters most"
            );
        }
    }

    #[test]
    fn trajectories_move_one_input_by_the_grid_step_at_a_time_inside_the_cube() {
        let d = MorrisDesign::new(5, 8, 4, 9).unwrap();
        for t in &d.trajectories {
            let mut seen = t.order.clone();
            seen.sort_unstable();
            assert_eq!(seen, (0..5).collect::<Vec<_>>(), "each input moves once");
            for s in 0..5 {
                let changed: Vec<usize> = (0..5)
                    .filter(|&i| t.points[s][i] != t.points[s + 1][i])
                    .collect();
                assert_eq!(changed, vec![t.order[s]]);
                let i = t.order[s];
                assert!(((t.points[s + 1][i] - t.points[s][i]).abs() - 0.5).abs() < 1e-15);
            }
            assert!(t.points.iter().flatten().all(|&x| x > 0.0 && x < 1.0));
        }
    }

    #[test]
    fn campolongo_selection_spreads_trajectories_more_than_random_ones() {
        let random = MorrisDesign::new(6, 10, 4, 5).unwrap();
        let spread = MorrisDesign::campolongo(6, 10, 4, 100, 5).unwrap();
        assert!(
            spread.spread() > random.spread(),
            "{} vs {}",
            spread.spread(),
            random.spread()
        );
        assert_eq!(
            MorrisDesign::campolongo(6, 10, 4, 100, 5)
                .unwrap()
                .trajectories,
            spread.trajectories
        );
    }

    #[test]
    fn bad_requests_say_what_is_allowed() {
        assert_eq!(
            MorrisDesign::new(3, 5, 3, 1).unwrap_err(),
            MorrisError::BadLevels(3)
        );
        assert_eq!(
            MorrisDesign::new(3, 1, 4, 1).unwrap_err(),
            MorrisError::TooFewTrajectories(1)
        );
        assert_eq!(
            MorrisDesign::campolongo(3, 5, 4, 4, 1).unwrap_err(),
            MorrisError::TooFewCandidates {
                candidates: 4,
                wanted: 5
            }
        );
        let d = MorrisDesign::new(2, 2, 4, 1).unwrap();
        assert!(matches!(
            elementary_effects(&d, &[0.0; 5]).unwrap_err(),
            MorrisError::WrongLength {
                expected: 6,
                got: 5
            }
        ));
    }
}
