//! Variance-based global sensitivity analysis (Sobol 1993) with the Saltelli (2010) sampling
//! scheme, the Saltelli (2010) first-order estimator and the Jansen (1999) total-effect
//! estimator, and percentile bootstrap confidence intervals.
//!
//! With Y = f(X), X uniform on the unit cube (the caller maps the cube through the priors'
//! quantile functions), and N rows of two independent matrices A and B:
//!
//!   A_B^(i) = A with column i taken from B,
//!   V       = Var(Y), estimated over the 2N outputs f(A) and f(B),
//!   S_i     = (1/N) Σ_j f(B)_j · (f(A_B^(i))_j − f(A)_j) / V          (Saltelli 2010, Table 2 b)
//!   S_Ti    = (1/2N) Σ_j (f(A)_j − f(A_B^(i))_j)² / V                  (Jansen 1999)
//!
//! The cost is N(d + 2) model runs. A and B are the first and last d coordinates of a
//! scrambled Sobol sequence in 2d dimensions, so the design is a pure function of
//! (d, N, seed): every point is addressed by an index, can be produced and evaluated on any
//! thread, shard or resumed process, in any order, and fed back by index.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use thiserror::Error;

use super::design::{DesignError, SOBOL_MAX_DIMS, Sobol};
use super::stats::quantile_sorted;

/// Errors of a sensitivity design or analysis.
#[derive(Debug, Error, PartialEq)]
pub enum SensitivityError {
    #[error(transparent)]
    Design(#[from] DesignError),
    #[error("a Saltelli design in {dims} dimensions needs a 2·{dims}-dimensional Sobol sequence; at most {max} inputs are supported", max = SOBOL_MAX_DIMS / 2)]
    TooManyInputs { dims: usize },
    #[error("the base sample size N must be at least 2 (got {0})")]
    TooFewSamples(usize),
    #[error("expected {expected} outputs (one per design point), got {got}")]
    WrongLength { expected: usize, got: usize },
    #[error("output {index} is {value}; every model output must be a finite number")]
    NotFinite { index: usize, value: f64 },
    #[error("the output does not vary over the design (variance 0), so no index is defined")]
    ZeroVariance,
    #[error("confidence must lie strictly between 0 and 1 (got {0})")]
    BadConfidence(f64),
}

/// The Saltelli sampling design: N rows, each holding A_j, B_j and A_B^(i)_j for every i.
#[derive(Debug, Clone)]
pub struct SaltelliDesign {
    dims: usize,
    n: usize,
    sobol: Sobol,
}

/// Which matrix a design point belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Matrix {
    A,
    B,
    /// A with column i taken from B.
    AB(usize),
}

impl SaltelliDesign {
    /// A design for `dims` inputs with `n` base rows (a power of two keeps the Sobol
    /// prefix balanced), scrambled by `seed`.
    pub fn new(dims: usize, n: usize, seed: u64) -> Result<SaltelliDesign, SensitivityError> {
        if dims == 0 {
            return Err(DesignError::NoDimensions.into());
        }
        if 2 * dims > SOBOL_MAX_DIMS {
            return Err(SensitivityError::TooManyInputs { dims });
        }
        if n < 2 {
            return Err(SensitivityError::TooFewSamples(n));
        }
        Ok(SaltelliDesign {
            dims,
            n,
            sobol: Sobol::scrambled(2 * dims, seed)?,
        })
    }

    pub fn dims(&self) -> usize {
        self.dims
    }

    /// Base sample size N.
    pub fn base_samples(&self) -> usize {
        self.n
    }

    /// Number of model evaluations, N(d + 2).
    pub fn len(&self) -> usize {
        self.n * (self.dims + 2)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Row and matrix of design point `k` (k = row·(d + 2) + column block).
    pub fn locate(&self, k: usize) -> (usize, Matrix) {
        let block = self.dims + 2;
        let (row, c) = (k / block, k % block);
        let m = match c {
            0 => Matrix::A,
            1 => Matrix::B,
            i => Matrix::AB(i - 2),
        };
        (row, m)
    }

    /// Design point `k` on the unit cube, written into `out` (length d).
    pub fn point_into(&self, k: usize, out: &mut [f64]) {
        assert!(k < self.len(), "design point {k} of {}", self.len());
        let (row, m) = self.locate(k);
        let mut ab = vec![0.0; 2 * self.dims];
        self.sobol
            .point_into(row as u64, &mut ab)
            .expect("row index below 2^32");
        let (a, b) = ab.split_at(self.dims);
        match m {
            Matrix::A => out.copy_from_slice(a),
            Matrix::B => out.copy_from_slice(b),
            Matrix::AB(i) => {
                out.copy_from_slice(a);
                out[i] = b[i];
            }
        }
    }

    /// Design point `k` on the unit cube.
    pub fn point(&self, k: usize) -> Vec<f64> {
        let mut out = vec![0.0; self.dims];
        self.point_into(k, &mut out);
        out
    }
}

/// An estimate with its bootstrap confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

impl Estimate {
    pub fn contains(&self, x: f64) -> bool {
        self.low <= x && x <= self.high
    }
}

/// First-order and total Sobol indices of every input.
#[derive(Debug, Clone, PartialEq)]
pub struct SobolIndices {
    pub first: Vec<Estimate>,
    pub total: Vec<Estimate>,
    /// Estimated output variance V.
    pub variance: f64,
    /// Confidence level of the intervals.
    pub confidence: f64,
}

/// Point estimates over the rows `rows` (indices into the N base rows, repeats allowed).
fn estimate(
    design: &SaltelliDesign,
    y: &[f64],
    rows: &[usize],
    first: &mut [f64],
    total: &mut [f64],
) -> f64 {
    let block = design.dims + 2;
    let n = rows.len() as f64;
    let mut mean = 0.0;
    for &j in rows {
        mean += y[j * block] + y[j * block + 1];
    }
    mean /= 2.0 * n;
    let mut var = 0.0;
    for &j in rows {
        var += (y[j * block] - mean).powi(2) + (y[j * block + 1] - mean).powi(2);
    }
    var /= 2.0 * n - 1.0;
    for i in 0..design.dims {
        let (mut s, mut t) = (0.0, 0.0);
        for &j in rows {
            let (fa, fb, fab) = (y[j * block], y[j * block + 1], y[j * block + 2 + i]);
            s += fb * (fab - fa);
            t += (fa - fab).powi(2);
        }
        first[i] = s / n / var;
        total[i] = t / (2.0 * n) / var;
    }
    var
}

/// Sobol indices from the outputs of every design point (in design index order), with
/// percentile bootstrap intervals at level `confidence` over `resamples` resamples of the N
/// rows drawn from `seed`.
pub fn sobol_indices(
    design: &SaltelliDesign,
    outputs: &[f64],
    resamples: usize,
    confidence: f64,
    seed: u64,
) -> Result<SobolIndices, SensitivityError> {
    if outputs.len() != design.len() {
        return Err(SensitivityError::WrongLength {
            expected: design.len(),
            got: outputs.len(),
        });
    }
    if let Some((index, &value)) = outputs.iter().enumerate().find(|(_, y)| !y.is_finite()) {
        return Err(SensitivityError::NotFinite { index, value });
    }
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(SensitivityError::BadConfidence(confidence));
    }
    let d = design.dims;
    let n = design.n;
    let all: Vec<usize> = (0..n).collect();
    let mut first = vec![0.0; d];
    let mut total = vec![0.0; d];
    let variance = estimate(design, outputs, &all, &mut first, &mut total);
    if variance <= 0.0 {
        return Err(SensitivityError::ZeroVariance);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut boot_first = vec![Vec::with_capacity(resamples); d];
    let mut boot_total = vec![Vec::with_capacity(resamples); d];
    let mut rows = vec![0; n];
    let (mut f, mut t) = (vec![0.0; d], vec![0.0; d]);
    for _ in 0..resamples {
        for r in rows.iter_mut() {
            *r = rng.random_range(0..n);
        }
        let v = estimate(design, outputs, &rows, &mut f, &mut t);
        if v > 0.0 {
            for i in 0..d {
                boot_first[i].push(f[i]);
                boot_total[i].push(t[i]);
            }
        }
    }
    let tail = (1.0 - confidence) / 2.0;
    let interval = |value: f64, boot: &mut Vec<f64>| {
        boot.sort_by(f64::total_cmp);
        if boot.is_empty() {
            return Estimate {
                value,
                low: value,
                high: value,
            };
        }
        Estimate {
            value,
            low: quantile_sorted(boot, tail),
            high: quantile_sorted(boot, 1.0 - tail),
        }
    };
    Ok(SobolIndices {
        first: (0..d)
            .map(|i| interval(first[i], &mut boot_first[i]))
            .collect(),
        total: (0..d)
            .map(|i| interval(total[i], &mut boot_total[i]))
            .collect(),
        variance,
        confidence,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    fn run(design: &SaltelliDesign, f: impl Fn(&[f64]) -> f64) -> Vec<f64> {
        (0..design.len()).map(|k| f(&design.point(k))).collect()
    }

    /// Ishigami & Homma (1990): f = sin x1 + a sin² x2 + b x3⁴ sin x1, x_i ~ U(−π, π).
    fn ishigami(u: &[f64]) -> f64 {
        let (a, b) = (7.0, 0.1);
        let x: Vec<f64> = u.iter().map(|&v| -PI + 2.0 * PI * v).collect();
        x[0].sin() + a * x[1].sin().powi(2) + b * x[2].powi(4) * x[0].sin()
    }

    #[test]
    fn ishigami_indices_are_recovered_within_their_bootstrap_intervals() {
        let (a, b) = (7.0f64, 0.1f64);
        let pi4 = PI.powi(4);
        let pi8 = PI.powi(8);
        // Closed forms (Sobol' & Levitan 1999; Saltelli et al. 2008, §4.1).
        let v1 = 0.5 * (1.0 + b * pi4 / 5.0).powi(2);
        let v2 = a * a / 8.0;
        let v13 = b * b * pi8 * (1.0 / 18.0 - 1.0 / 50.0);
        let v = v1 + v2 + v13;
        let first = [v1 / v, v2 / v, 0.0];
        let total = [(v1 + v13) / v, v2 / v, v13 / v];

        let design = SaltelliDesign::new(3, 1 << 14, 11).unwrap();
        let y = run(&design, ishigami);
        let idx = sobol_indices(&design, &y, 500, 0.95, 5).unwrap();
        for i in 0..3 {
            assert!(
                idx.first[i].contains(first[i]),
                "S{} {:?} vs {}",
                i + 1,
                idx.first[i],
                first[i]
            );
            assert!(
                idx.total[i].contains(total[i]),
                "ST{} {:?} vs {}",
                i + 1,
                idx.total[i],
                total[i]
            );
            // The intervals are informative, not merely wide.
            assert!(idx.first[i].high - idx.first[i].low < 0.05);
            assert!(idx.total[i].high - idx.total[i].low < 0.05);
        }
        assert!((idx.variance - v).abs() / v < 0.02);
    }

    #[test]
    fn sobol_g_function_indices_are_recovered_within_their_bootstrap_intervals() {
        // Sobol' G function: f = Π (|4x_i − 2| + a_i)/(1 + a_i); V_i = 1/(3(1 + a_i)²),
        // V = Π(1 + V_i) − 1, S_i = V_i/V, S_Ti = V_i Π_{j≠i}(1 + V_j)/V.
        let a = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0];
        let vi: Vec<f64> = a
            .iter()
            .map(|ai| 1.0 / (3.0 * (1.0 + ai) * (1.0 + ai)))
            .collect();
        let prod: f64 = vi.iter().map(|v| 1.0 + v).product();
        let v = prod - 1.0;
        let g = |u: &[f64]| -> f64 {
            u.iter()
                .zip(a)
                .map(|(&x, ai)| ((4.0 * x - 2.0).abs() + ai) / (1.0 + ai))
                .product()
        };
        let design = SaltelliDesign::new(a.len(), 1 << 14, 3).unwrap();
        let y = run(&design, g);
        let idx = sobol_indices(&design, &y, 500, 0.95, 9).unwrap();
        for (i, &vi) in vi.iter().enumerate() {
            let s = vi / v;
            let t = vi * prod / (1.0 + vi) / v;
            assert!(
                idx.first[i].contains(s),
                "S{} {:?} vs {s}",
                i + 1,
                idx.first[i]
            );
            assert!(
                idx.total[i].contains(t),
                "ST{} {:?} vs {t}",
                i + 1,
                idx.total[i]
            );
        }
    }

    #[test]
    fn the_design_is_a_pure_function_of_its_index_and_the_matrices_share_rows() {
        let d = SaltelliDesign::new(4, 8, 1).unwrap();
        assert_eq!(d.len(), 8 * 6);
        let k = 3 * 6; // row 3, matrix A
        assert_eq!(d.locate(k), (3, Matrix::A));
        let a = d.point(k);
        let b = d.point(k + 1);
        for i in 0..4 {
            let ab = d.point(k + 2 + i);
            assert_eq!(d.locate(k + 2 + i), (3, Matrix::AB(i)));
            for c in 0..4 {
                assert_eq!(ab[c], if c == i { b[c] } else { a[c] });
            }
        }
        // Evaluating in reverse order gives the same analysis: order does not matter.
        let f = |x: &[f64]| x[0] + 2.0 * x[1] * x[2];
        let fwd: Vec<f64> = (0..d.len()).map(|k| f(&d.point(k))).collect();
        let mut rev = vec![0.0; d.len()];
        for k in (0..d.len()).rev() {
            rev[k] = f(&d.point(k));
        }
        assert_eq!(
            sobol_indices(&d, &fwd, 50, 0.9, 1).unwrap(),
            sobol_indices(&d, &rev, 50, 0.9, 1).unwrap()
        );
    }

    #[test]
    fn bad_outputs_are_refused_with_the_reason() {
        let d = SaltelliDesign::new(2, 4, 1).unwrap();
        assert_eq!(
            sobol_indices(&d, &[1.0; 3], 10, 0.95, 1).unwrap_err(),
            SensitivityError::WrongLength {
                expected: 16,
                got: 3
            }
        );
        let mut y = vec![1.0; 16];
        assert_eq!(
            sobol_indices(&d, &y, 10, 0.95, 1).unwrap_err(),
            SensitivityError::ZeroVariance
        );
        y[5] = f64::NAN;
        assert!(matches!(
            sobol_indices(&d, &y, 10, 0.95, 1).unwrap_err(),
            SensitivityError::NotFinite { index: 5, .. }
        ));
        assert!(SaltelliDesign::new(33, 4, 1).is_err());
        assert_eq!(
            SaltelliDesign::new(2, 1, 1).unwrap_err(),
            SensitivityError::TooFewSamples(1)
        );
    }
}
