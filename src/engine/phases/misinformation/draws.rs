//! Exact draws of how many people leave a compartment.
//!
//! Competing hazards h_i leave a compartment of n people with n_out ~ Bin(n, 1 − e^{−Σh}),
//! split among the exits by sequential binomials: exit i takes Bin(left, h_i / Σ_{k≥i} h_k).
//! Probabilities p_i of leaving by exit i become hazards h_i = p_i/Σp · (−ln(1 − Σp)),
//! which the draw turns back into exactly those probabilities.

use rand::Rng;
use rand_distr::{Binomial, Distribution};

/// Trials up to which a binomial is drawn as that many Bernoulli trials: below this, one
/// uniform per trial costs less than any sampler's set-up.
const BERNOULLI_MAX_N: u64 = 8;

/// Bin(n, p), exact. Few trials: a Bernoulli draw each. Small mean (n·min(p, 1−p) < 10):
/// inversion from zero (BINV, Kachitvichyanukul & Schmeiser 1988) with qⁿ taken as
/// exp(n·ln(1−p)), which costs less than the `powf` rand_distr uses. Otherwise rand_distr's
/// BTPE. The two inversions consume the stream exactly as rand_distr's BINV would apart
/// from the rounding of qⁿ, so the draw is exact in distribution.
#[inline]
pub fn binom<R: Rng>(n: u64, p: f64, r: &mut R) -> u64 {
    if n == 0 || p <= 0.0 {
        return 0;
    }
    if p >= 1.0 {
        return n;
    }
    if n <= BERNOULLI_MAX_N {
        // n = 1 is the classic models' one person.
        return (0..n).map(|_| u64::from(r.random::<f64>() < p)).sum();
    }
    let flipped = p > 0.5;
    let pm = if flipped { 1.0 - p } else { p };
    if n as f64 * pm >= 10.0 {
        return Binomial::new(n, p).map_or(0, |d| d.sample(r));
    }
    let x = binv(n, pm, r);
    if flipped { n - x } else { x }
}

/// Inversion for Bin(n, p), p ≤ 1/2 and n·p < 10: walks the probabilities
/// f(x+1) = f(x)·((n+1)·s/(x+1) − s), s = p/(1−p), from f(0) = (1−p)ⁿ until the uniform is
/// used up. A walk past 110 (probability below 10⁻⁵⁰ at these means, reachable only
/// through rounding) starts again with a fresh uniform, as BINV does.
fn binv<R: Rng>(n: u64, p: f64, r: &mut R) -> u64 {
    let f0 = (n as f64 * (-p).ln_1p()).exp();
    let s = p / (1.0 - p);
    let a = (n as f64 + 1.0) * s;
    'draw: loop {
        let mut u: f64 = r.random();
        let mut f = f0;
        let mut x = 0u64;
        while u > f {
            u -= f;
            x += 1;
            if x > 110 || x > n {
                continue 'draw;
            }
            f *= a / x as f64 - s;
        }
        return x;
    }
}

/// Splits `n` people among competing hazards; returns how many take each exit.
#[inline]
pub fn competing<R: Rng, const E: usize>(n: u64, h: [f64; E], r: &mut R) -> [u64; E] {
    let mut out = [0u64; E];
    let total: f64 = h.iter().sum();
    if n == 0 || total <= 0.0 {
        return out;
    }
    let mut left = binom(n, 1.0 - (-total).exp(), r);
    let mut rest = total;
    for i in 0..E {
        if left == 0 {
            break;
        }
        if i + 1 == E {
            out[i] = left;
            break;
        }
        let take = binom(left, h[i] / rest, r);
        out[i] = take;
        left -= take;
        rest -= h[i];
    }
    out
}

pub fn hazard(prob: f32) -> f64 {
    -(1.0 - (prob as f64).min(1.0 - 1e-12)).ln()
}

/// Hazards whose competing-risks draw leaves by exit i with exactly probability p_i.
pub fn hazards_of<const E: usize>(p: [f64; E]) -> [f64; E] {
    let total: f64 = p.iter().sum();
    if total <= 0.0 {
        return [0.0; E];
    }
    let h = -(1.0 - total.min(1.0 - 1e-12)).ln();
    p.map(|x| h * x / total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn competing_conserves_and_matches_expectation() {
        let mut r = ChaCha8Rng::seed_from_u64(9);
        let (n, h) = (100_000u64, [0.2, 0.1, 0.0]);
        let mut sums = [0f64; 3];
        let reps = 200;
        for _ in 0..reps {
            let out = competing(n, h, &mut r);
            assert!(out.iter().sum::<u64>() <= n);
            assert_eq!(out[2], 0);
            for i in 0..3 {
                sums[i] += out[i] as f64;
            }
        }
        let leave = 1.0 - (-0.3f64).exp();
        let expect0 = n as f64 * leave * 2.0 / 3.0;
        let mean0 = sums[0] / reps as f64;
        // sd of one draw ~ sqrt(n p q) ~ 115; of the mean over 200 draws ~ 8.2; allow 6 sd.
        assert!((mean0 - expect0).abs() < 50.0, "{mean0} vs {expect0}");
    }

    /// Each of the sampler's regimes (Bernoulli trials, inversion, inversion of the
    /// complement, BTPE) against the binomial probabilities: Pearson's chi-square over
    /// 20,000 draws, cells pooled until each expects at least 5, at α = 0.001.
    #[test]
    fn binomial_draws_follow_the_binomial_law_in_every_regime() {
        use statrs::distribution::{Binomial as Law, ChiSquared, ContinuousCDF, Discrete};
        let mut r = ChaCha8Rng::seed_from_u64(4);
        for (n, p) in [
            (6u64, 0.3),
            (200, 0.02),
            (40, 0.9),
            (15_000, 1e-4),
            (1_000, 0.3),
        ] {
            let law = Law::new(p, n).unwrap();
            let reps = 20_000;
            let mut seen = vec![0u64; n as usize + 1];
            for _ in 0..reps {
                seen[binom(n, p, &mut r) as usize] += 1;
            }
            let (mut chi2, mut cells) = (0.0, 0);
            let (mut obs, mut exp) = (0.0, 0.0);
            for (k, &o) in seen.iter().enumerate() {
                obs += o as f64;
                exp += reps as f64 * law.pmf(k as u64);
                if exp >= 5.0 || k == n as usize {
                    chi2 += (obs - exp) * (obs - exp) / exp.max(1e-300);
                    cells += 1;
                    (obs, exp) = (0.0, 0.0);
                }
            }
            let crit = ChiSquared::new((cells - 1) as f64)
                .unwrap()
                .inverse_cdf(0.999);
            assert!(
                chi2 < crit,
                "Bin({n}, {p}): chi2 {chi2} over {cells} cells, critical {crit}"
            );
        }
    }
}
