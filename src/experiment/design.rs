//! Space-filling designs on the unit cube: Latin hypercube samples (McKay, Beckman &
//! Conover 1979) and the Sobol low-discrepancy sequence (Sobol 1967) with Joe & Kuo (2008)
//! direction numbers, optionally scrambled (Matoušek's linear matrix scramble plus a
//! digital shift; Owen 1995, 2003). Points are pure functions of (seed, index), so a
//! caller can produce any subset of a design in any order, on any thread or shard.
//!
//! Sobol construction (Bratley & Fox 1988, as Joe & Kuo state it): dimension j has a
//! primitive polynomial x^s + a_1 x^{s−1} + … + a_{s−1} x + 1 (the a_k are the bits of `a`)
//! and initial odd integers m_1 … m_s with m_k < 2^k. Direction numbers v_k = m_k / 2^k for
//! k ≤ s, then v_k = v_{k−s} ⊕ (v_{k−s} / 2^s) ⊕ a_1 v_{k−1} ⊕ … ⊕ a_{s−1} v_{k−s+1}.
//! Point i (Gray-code order, g = i ⊕ ⌊i/2⌋) has coordinate x_j = ⊕_{bit k of g set} v_k.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use thiserror::Error;

/// Errors in a design request.
#[derive(Debug, Error, PartialEq)]
pub enum DesignError {
    #[error(
        "a Sobol design has at most {max} dimensions ({dims} asked); use a Latin hypercube for more"
    )]
    TooManyDimensions { dims: usize, max: usize },
    #[error("a design needs at least one dimension")]
    NoDimensions,
    #[error("a Sobol design holds at most 2^32 points (index {0} asked)")]
    IndexOutOfRange(u64),
}

/// Joe & Kuo (2008), file `new-joe-kuo-6.21201`, rows for dimensions 2 … 64:
/// (degree s, polynomial coefficients a, initial direction integers m_1 … m_s).
/// Dimension 1 is the van der Corput sequence (all m_k = 1).
#[rustfmt::skip]
const JOE_KUO: [(u32, u32, &[u32]); 63] = [
    (1, 0, &[1]), // dimension 2
    (2, 1, &[1, 3]), // dimension 3
    (3, 1, &[1, 3, 1]), // dimension 4
    (3, 2, &[1, 1, 1]), // dimension 5
    (4, 1, &[1, 1, 3, 3]), // dimension 6
    (4, 4, &[1, 3, 5, 13]), // dimension 7
    (5, 2, &[1, 1, 5, 5, 17]), // dimension 8
    (5, 4, &[1, 1, 5, 5, 5]), // dimension 9
    (5, 7, &[1, 1, 7, 11, 19]), // dimension 10
    (5, 11, &[1, 1, 5, 1, 1]), // dimension 11
    (5, 13, &[1, 1, 1, 3, 11]), // dimension 12
    (5, 14, &[1, 3, 5, 5, 31]), // dimension 13
    (6, 1, &[1, 3, 3, 9, 7, 49]), // dimension 14
    (6, 13, &[1, 1, 1, 15, 21, 21]), // dimension 15
    (6, 16, &[1, 3, 1, 13, 27, 49]), // dimension 16
    (6, 19, &[1, 1, 1, 15, 7, 5]), // dimension 17
    (6, 22, &[1, 3, 1, 15, 13, 25]), // dimension 18
    (6, 25, &[1, 1, 5, 5, 19, 61]), // dimension 19
    (7, 1, &[1, 3, 7, 11, 23, 15, 103]), // dimension 20
    (7, 4, &[1, 3, 7, 13, 13, 15, 69]), // dimension 21
    (7, 7, &[1, 1, 3, 13, 7, 35, 63]), // dimension 22
    (7, 8, &[1, 3, 5, 9, 1, 25, 53]), // dimension 23
    (7, 14, &[1, 3, 1, 13, 9, 35, 107]), // dimension 24
    (7, 19, &[1, 3, 1, 5, 27, 61, 31]), // dimension 25
    (7, 21, &[1, 1, 5, 11, 19, 41, 61]), // dimension 26
    (7, 28, &[1, 3, 5, 3, 3, 13, 69]), // dimension 27
    (7, 31, &[1, 1, 7, 13, 1, 19, 1]), // dimension 28
    (7, 32, &[1, 3, 7, 5, 13, 19, 59]), // dimension 29
    (7, 37, &[1, 1, 3, 9, 25, 29, 41]), // dimension 30
    (7, 41, &[1, 3, 5, 13, 23, 1, 55]), // dimension 31
    (7, 42, &[1, 3, 7, 3, 13, 59, 17]), // dimension 32
    (7, 50, &[1, 3, 1, 3, 5, 53, 69]), // dimension 33
    (7, 55, &[1, 1, 5, 5, 23, 33, 13]), // dimension 34
    (7, 56, &[1, 1, 7, 7, 1, 61, 123]), // dimension 35
    (7, 59, &[1, 1, 7, 9, 13, 61, 49]), // dimension 36
    (7, 62, &[1, 3, 3, 5, 3, 55, 33]), // dimension 37
    (8, 14, &[1, 3, 1, 15, 31, 13, 49, 245]), // dimension 38
    (8, 21, &[1, 3, 5, 15, 31, 59, 63, 97]), // dimension 39
    (8, 22, &[1, 3, 1, 11, 11, 11, 77, 249]), // dimension 40
    (8, 38, &[1, 3, 1, 11, 27, 43, 71, 9]), // dimension 41
    (8, 47, &[1, 1, 7, 15, 21, 11, 81, 45]), // dimension 42
    (8, 49, &[1, 3, 7, 3, 25, 31, 65, 79]), // dimension 43
    (8, 50, &[1, 3, 1, 1, 19, 11, 3, 205]), // dimension 44
    (8, 52, &[1, 1, 5, 9, 19, 21, 29, 157]), // dimension 45
    (8, 56, &[1, 3, 7, 11, 1, 33, 89, 185]), // dimension 46
    (8, 67, &[1, 3, 3, 3, 15, 9, 79, 71]), // dimension 47
    (8, 70, &[1, 3, 7, 11, 15, 39, 119, 27]), // dimension 48
    (8, 84, &[1, 1, 3, 1, 11, 31, 97, 225]), // dimension 49
    (8, 97, &[1, 1, 1, 3, 23, 43, 57, 177]), // dimension 50
    (8, 103, &[1, 3, 7, 7, 17, 17, 37, 71]), // dimension 51
    (8, 115, &[1, 3, 1, 5, 27, 63, 123, 213]), // dimension 52
    (8, 122, &[1, 1, 3, 5, 11, 43, 53, 133]), // dimension 53
    (9, 8, &[1, 3, 5, 5, 29, 17, 47, 173, 479]), // dimension 54
    (9, 13, &[1, 3, 3, 11, 3, 1, 109, 9, 69]), // dimension 55
    (9, 16, &[1, 1, 1, 5, 17, 39, 23, 5, 343]), // dimension 56
    (9, 22, &[1, 3, 1, 5, 25, 15, 31, 103, 499]), // dimension 57
    (9, 25, &[1, 1, 1, 11, 11, 17, 63, 105, 183]), // dimension 58
    (9, 44, &[1, 1, 5, 11, 9, 29, 97, 231, 363]), // dimension 59
    (9, 47, &[1, 1, 5, 15, 19, 45, 41, 7, 383]), // dimension 60
    (9, 52, &[1, 3, 7, 7, 31, 19, 83, 137, 221]), // dimension 61
    (9, 55, &[1, 1, 1, 3, 23, 15, 111, 223, 83]), // dimension 62
    (9, 59, &[1, 1, 5, 13, 31, 15, 55, 25, 161]), // dimension 63
    (9, 62, &[1, 1, 3, 13, 25, 47, 39, 87, 257]), // dimension 64
];

/// The largest number of dimensions the Sobol table supports.
pub const SOBOL_MAX_DIMS: usize = JOE_KUO.len() + 1;

const BITS: usize = 32;

/// A (possibly scrambled) Sobol sequence in `dims` dimensions.
#[derive(Debug, Clone)]
pub struct Sobol {
    dims: usize,
    /// Direction numbers as 32-bit binary fractions, `dirs[j][k]` = v_{k+1} of dimension j
    /// (scrambled in place when a seed is given).
    dirs: Vec<[u32; BITS]>,
    /// Digital shift per dimension (0 unscrambled).
    shift: Vec<u32>,
    scrambled: bool,
}

impl Sobol {
    /// The plain sequence (point 0 is the origin).
    pub fn new(dims: usize) -> Result<Sobol, DesignError> {
        if dims == 0 {
            return Err(DesignError::NoDimensions);
        }
        if dims > SOBOL_MAX_DIMS {
            return Err(DesignError::TooManyDimensions {
                dims,
                max: SOBOL_MAX_DIMS,
            });
        }
        let mut dirs = Vec::with_capacity(dims);
        let mut first = [0u32; BITS];
        for (k, v) in first.iter_mut().enumerate() {
            *v = 1u32 << (BITS - 1 - k);
        }
        dirs.push(first);
        for &(s, a, m) in JOE_KUO.iter().take(dims - 1) {
            let s = s as usize;
            let mut v = [0u32; BITS];
            for k in 0..BITS {
                v[k] = if k < s {
                    m[k] << (BITS - 1 - k)
                } else {
                    let mut x = v[k - s] ^ (v[k - s] >> s);
                    for i in 1..s {
                        if (a >> (s - 1 - i)) & 1 == 1 {
                            x ^= v[k - i];
                        }
                    }
                    x
                };
            }
            dirs.push(v);
        }
        Ok(Sobol {
            dims,
            dirs,
            shift: vec![0; dims],
            scrambled: false,
        })
    }

    /// The sequence scrambled by a random lower-triangular binary matrix with unit diagonal
    /// and a random digital shift per dimension (Matoušek 1998), both drawn from `seed`.
    /// Scrambling keeps the (t, s)-net structure, so power-of-two prefixes stay balanced,
    /// and makes the estimate of an integral unbiased over seeds.
    pub fn scrambled(dims: usize, seed: u64) -> Result<Sobol, DesignError> {
        let mut sobol = Sobol::new(dims)?;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        for j in 0..dims {
            // Row r of L has its diagonal bit and random bits strictly above it (earlier digits).
            let mut rows = [0u32; BITS];
            for (r, row) in rows.iter_mut().enumerate() {
                let above = if r == 0 { 0 } else { !0u32 << (BITS - r) };
                *row = (rng.random::<u32>() & above) | (1u32 << (BITS - 1 - r));
            }
            for v in sobol.dirs[j].iter_mut() {
                let mut out = 0u32;
                for (r, row) in rows.iter().enumerate() {
                    out |= ((row & *v).count_ones() & 1) << (BITS - 1 - r);
                }
                *v = out;
            }
            sobol.shift[j] = rng.random::<u32>();
        }
        sobol.scrambled = true;
        Ok(sobol)
    }

    pub fn dims(&self) -> usize {
        self.dims
    }

    /// Point `index` written into `out` (length `dims`). Unscrambled points are the exact
    /// dyadic fractions of the published sequence; scrambled ones sit at the centre of their
    /// 2^−32 cell, so they lie strictly inside (0, 1).
    pub fn point_into(&self, index: u64, out: &mut [f64]) -> Result<(), DesignError> {
        if index > u64::from(u32::MAX) {
            return Err(DesignError::IndexOutOfRange(index));
        }
        assert_eq!(
            out.len(),
            self.dims,
            "output slice has the design's dimension"
        );
        let gray = (index ^ (index >> 1)) as u32;
        let scale = 2f64.powi(BITS as i32);
        for (j, o) in out.iter_mut().enumerate() {
            let mut x = self.shift[j];
            let mut g = gray;
            let mut k = 0;
            while g != 0 {
                if g & 1 == 1 {
                    x ^= self.dirs[j][k];
                }
                g >>= 1;
                k += 1;
            }
            *o = if self.scrambled {
                (f64::from(x) + 0.5) / scale
            } else {
                f64::from(x) / scale
            };
        }
        Ok(())
    }

    /// Point `index` as a new vector.
    pub fn point(&self, index: u64) -> Result<Vec<f64>, DesignError> {
        let mut out = vec![0.0; self.dims];
        self.point_into(index, &mut out)?;
        Ok(out)
    }
}

/// A Latin hypercube sample of `n` points in `dims` dimensions (McKay et al. 1979): in
/// every dimension each of the `n` equal strata [k/n, (k+1)/n) holds exactly one point,
/// placed uniformly at random inside it. Deterministic by `seed`. Row-major: point i is
/// `result[i]`.
#[allow(clippy::needless_range_loop)] // a column at a time into a row-major table
pub fn latin_hypercube(n: usize, dims: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut points = vec![vec![0.0; dims]; n];
    let mut strata: Vec<usize> = (0..n).collect();
    for j in 0..dims {
        strata.shuffle(&mut rng);
        for (i, &s) in strata.iter().enumerate() {
            // random::<f64>() is in [0, 1); keep the point strictly inside (0, 1).
            let u: f64 = rng.random();
            points[i][j] = ((s as f64 + u) / n as f64).clamp(f64::MIN_POSITIVE, 1.0 - f64::EPSILON);
        }
    }
    points
}

/// The centred L2 discrepancy of a point set (Hickernell 1998): a closed form measuring how
/// far the empirical distribution is from uniform; smaller means more space-filling.
pub fn centred_l2_discrepancy(points: &[Vec<f64>]) -> f64 {
    let n = points.len();
    if n == 0 {
        return f64::NAN;
    }
    let d = points[0].len() as i32;
    let mut sum1 = 0.0;
    for x in points {
        let mut p = 1.0;
        for &xi in x {
            let a = (xi - 0.5).abs();
            p *= 1.0 + 0.5 * a - 0.5 * a * a;
        }
        sum1 += p;
    }
    let mut sum2 = 0.0;
    for x in points {
        for y in points {
            let mut p = 1.0;
            for (&xi, &yi) in x.iter().zip(y) {
                let a = (xi - 0.5).abs();
                let b = (yi - 0.5).abs();
                p *= 1.0 + 0.5 * a + 0.5 * b - 0.5 * (xi - yi).abs();
            }
            sum2 += p;
        }
    }
    let nf = n as f64;
    ((13.0f64 / 12.0).powi(d) - 2.0 / nf * sum1 + sum2 / (nf * nf)).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_unscrambled_sequence_starts_with_the_published_points() {
        // Bratley & Fox / Joe & Kuo Sobol points in Gray-code order, first three dimensions.
        let expected = [
            [0.0, 0.0, 0.0],
            [0.5, 0.5, 0.5],
            [0.75, 0.25, 0.25],
            [0.25, 0.75, 0.75],
            [0.375, 0.375, 0.625],
            [0.875, 0.875, 0.125],
            [0.625, 0.125, 0.875],
            [0.125, 0.625, 0.375],
        ];
        let s = Sobol::new(3).unwrap();
        for (i, e) in expected.iter().enumerate() {
            assert_eq!(s.point(i as u64).unwrap(), e.to_vec(), "point {i}");
        }
    }

    #[test]
    fn every_dimension_of_a_power_of_two_prefix_is_a_net() {
        // Each one-dimensional projection of the first 2^k points holds one point per
        // interval [i/2^k, (i+1)/2^k), scrambled or not.
        for sobol in [Sobol::new(64).unwrap(), Sobol::scrambled(64, 7).unwrap()] {
            let n = 256;
            let mut hit = vec![vec![false; n]; 64];
            for i in 0..n {
                for (j, x) in sobol.point(i as u64).unwrap().iter().enumerate() {
                    let cell = (x * n as f64).floor() as usize;
                    assert!(!hit[j][cell], "dimension {j} cell {cell} hit twice");
                    hit[j][cell] = true;
                }
            }
        }
    }

    #[test]
    fn dimensions_beyond_the_table_are_refused() {
        assert!(Sobol::new(SOBOL_MAX_DIMS).is_ok());
        assert_eq!(
            Sobol::new(SOBOL_MAX_DIMS + 1).unwrap_err(),
            DesignError::TooManyDimensions { dims: 65, max: 64 }
        );
        assert_eq!(Sobol::new(0).unwrap_err(), DesignError::NoDimensions);
    }

    #[test]
    fn scrambling_is_deterministic_by_seed_and_stays_inside_the_cube() {
        let a = Sobol::scrambled(5, 42).unwrap();
        let b = Sobol::scrambled(5, 42).unwrap();
        let c = Sobol::scrambled(5, 43).unwrap();
        assert_eq!(a.point(17).unwrap(), b.point(17).unwrap());
        assert_ne!(a.point(17).unwrap(), c.point(17).unwrap());
        for i in 0..1000 {
            assert!(a.point(i).unwrap().iter().all(|&x| x > 0.0 && x < 1.0));
        }
    }

    #[test]
    fn latin_hypercube_holds_one_point_per_stratum_in_every_dimension() {
        for (n, d) in [(1, 3), (10, 4), (97, 6)] {
            let pts = latin_hypercube(n, d, 3);
            assert_eq!(pts.len(), n);
            for j in 0..d {
                let mut cells: Vec<usize> = pts
                    .iter()
                    .map(|p| (p[j] * n as f64).floor() as usize)
                    .collect();
                cells.sort_unstable();
                assert_eq!(cells, (0..n).collect::<Vec<_>>(), "dimension {j}");
            }
        }
        assert_eq!(latin_hypercube(20, 3, 9), latin_hypercube(20, 3, 9));
        assert_ne!(latin_hypercube(20, 3, 9), latin_hypercube(20, 3, 10));
    }

    /// A product test integrand with integral exactly 1 over the unit cube.
    fn g(x: &[f64]) -> f64 {
        x.iter()
            .map(|&xi| (4.0 * xi - 2.0).abs() * 0.5 + 0.5)
            .product()
    }

    fn random_points(n: usize, d: usize, seed: u64) -> Vec<Vec<f64>> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..n)
            .map(|_| (0..d).map(|_| rng.random()).collect())
            .collect()
    }

    fn sobol_points(n: usize, d: usize, seed: u64) -> Vec<Vec<f64>> {
        let s = Sobol::scrambled(d, seed).unwrap();
        (0..n as u64).map(|i| s.point(i).unwrap()).collect()
    }

    fn mse(designs: impl Fn(u64) -> Vec<Vec<f64>>) -> f64 {
        let reps = 20;
        (0..reps)
            .map(|seed| {
                let pts = designs(seed);
                let est = pts.iter().map(|p| g(p)).sum::<f64>() / pts.len() as f64;
                (est - 1.0).powi(2)
            })
            .sum::<f64>()
            / reps as f64
    }

    #[test]
    fn space_filling_designs_integrate_with_smaller_error_than_random_points() {
        let (n, d) = (1024, 4);
        let random = mse(|s| random_points(n, d, 1000 + s));
        let sobol = mse(|s| sobol_points(n, d, s));
        let lhs = mse(|s| latin_hypercube(n, d, s));
        // Scrambled Sobol: error variance O(n^-3 (log n)^(d-1)) against O(1/n) for random.
        assert!(sobol * 20.0 < random, "sobol {sobol:e} random {random:e}");
        // LHS removes the additive part of the variance (Stein 1987).
        assert!(lhs < random, "lhs {lhs:e} random {random:e}");
    }

    #[test]
    fn sobol_points_have_lower_discrepancy_than_random_points() {
        let (n, d) = (256, 4);
        let sobol = centred_l2_discrepancy(&sobol_points(n, d, 1));
        let lhs = centred_l2_discrepancy(&latin_hypercube(n, d, 1));
        let random = centred_l2_discrepancy(&random_points(n, d, 1));
        assert!(
            sobol < lhs && lhs < random,
            "sobol {sobol} lhs {lhs} random {random}"
        );
    }
}
