//! Statistics for ensembles: means, standard deviations, Student-t confidence intervals,
//! quantiles, paired differences, and a mergeable histogram for per-tick bands.

use statrs::distribution::{ContinuousCDF, StudentsT};

/// Summary of one sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub n: usize,
    pub mean: f64,
    /// Sample standard deviation (n − 1 in the denominator); NaN for n < 2 (undefined).
    pub sd: f64,
    /// 95% confidence interval of the mean: mean ± t(0.975, n − 1)·sd/√n; NaN for n < 2:
    /// one run gives no interval (never a zero-width one).
    pub ci_low: f64,
    pub ci_high: f64,
    pub median: f64,
    pub q05: f64,
    pub q95: f64,
}

/// Two-sided 95% Student-t critical value with n − 1 degrees of freedom.
pub fn t95(n: usize) -> f64 {
    if n < 2 {
        return f64::NAN;
    }
    StudentsT::new(0.0, 1.0, (n - 1) as f64).map_or(f64::NAN, |t| t.inverse_cdf(0.975))
}

/// Quantile of sorted data, linear interpolation between order statistics
/// (Hyndman & Fan 1996, type 7; the default of R and NumPy).
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let h = (n - 1) as f64 * q;
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
        }
    }
}

/// Summarises a sample (order of `xs` does not matter for quantiles; sums run in the given order).
pub fn summarise(xs: &[f64]) -> Summary {
    let n = xs.len();
    let mean = if n == 0 {
        f64::NAN
    } else {
        xs.iter().sum::<f64>() / n as f64
    };
    let sd = if n < 2 {
        f64::NAN
    } else {
        (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
    };
    let half = if n < 2 {
        f64::NAN
    } else {
        t95(n) * sd / (n as f64).sqrt()
    };
    let mut sorted = xs.to_vec();
    sorted.sort_by(f64::total_cmp);
    Summary {
        n,
        mean,
        sd,
        ci_low: mean - half,
        ci_high: mean + half,
        median: quantile_sorted(&sorted, 0.5),
        q05: quantile_sorted(&sorted, 0.05),
        q95: quantile_sorted(&sorted, 0.95),
    }
}

/// Paired comparison of a strategy against the baseline over the same runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Paired {
    pub diff: Summary,
    /// Share of runs where the strategy did better (strictly); NaN for fewer than two
    /// runs, where a share says nothing.
    pub share_better: f64,
}

/// `higher_is_better` decides what "better" means for the metric.
pub fn paired(strategy: &[f64], baseline: &[f64], higher_is_better: bool) -> Paired {
    let d: Vec<f64> = strategy.iter().zip(baseline).map(|(s, b)| s - b).collect();
    let better = d
        .iter()
        .filter(|&&x| if higher_is_better { x > 0.0 } else { x < 0.0 })
        .count();
    Paired {
        diff: summarise(&d),
        share_better: if d.len() < 2 {
            f64::NAN
        } else {
            better as f64 / d.len() as f64
        },
    }
}

/// A ratio of paired means R = mean(g) / mean(s) (a gain per unit of extra spend) with
/// a 95% interval by the delta method: with z_r = g_r − R s_r,
/// se(R) = sd(z) / (√n · |mean(s)|), interval R ± t(0.975, n − 1)·se. Exact (the paired
/// t interval of g divided by s) when s is the same in every run. None when mean(s) is
/// not positive (no extra spend: no ratio); the interval is NaN for n < 2.
pub fn ratio_of_means(g: &[f64], s: &[f64]) -> Option<(f64, f64, f64)> {
    let n = g.len().min(s.len());
    if n == 0 {
        return None;
    }
    let ms = s[..n].iter().sum::<f64>() / n as f64;
    if ms.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
        return None;
    }
    let r = g[..n].iter().sum::<f64>() / n as f64 / ms;
    let z: Vec<f64> = g[..n].iter().zip(&s[..n]).map(|(g, s)| g - r * s).collect();
    let sz = summarise(&z).sd;
    let half = t95(n) * sz / ((n as f64).sqrt() * ms);
    Some((r, r - half, r + half))
}

/// Per-tick sums of paired differences (strategy minus baseline of the same run), for the
/// mean difference over time with its 95% interval. Runs are added in run order, so the
/// sums are the same however the work was split.
#[derive(Debug, Clone, Default)]
pub struct PairedBand {
    pub n: usize,
    sum: Vec<f64>,
    sumsq: Vec<f64>,
}

impl PairedBand {
    pub fn new(ticks: usize) -> Self {
        PairedBand {
            n: 0,
            sum: vec![0.0; ticks],
            sumsq: vec![0.0; ticks],
        }
    }

    pub fn add(&mut self, strategy: &[f64], baseline: &[f64]) {
        for (t, (s, b)) in strategy
            .iter()
            .zip(baseline)
            .enumerate()
            .take(self.sum.len())
        {
            let d = s - b;
            self.sum[t] += d;
            self.sumsq[t] += d * d;
        }
        self.n += 1;
    }

    /// Mean difference at tick t and its 95% interval (NaN for fewer than two runs).
    pub fn at(&self, t: usize) -> (f64, f64, f64) {
        let n = self.n as f64;
        if self.n == 0 {
            return (f64::NAN, f64::NAN, f64::NAN);
        }
        let mean = self.sum[t] / n;
        if self.n < 2 {
            return (mean, f64::NAN, f64::NAN);
        }
        // Rounding can leave a tiny negative variance when every run agrees.
        let var = ((self.sumsq[t] - n * mean * mean) / (n - 1.0)).max(0.0);
        let half = t95(self.n) * (var / n).sqrt();
        (mean, mean - half, mean + half)
    }

    pub fn ticks(&self) -> usize {
        self.sum.len()
    }
}

/// A fixed-bin histogram per tick on an asinh scale, so both small and large values keep
/// relative resolution. Adding runs is order-independent (integer counts), so bands are
/// identical whatever the thread count, batch order or sharding; memory does not grow with
/// the number of runs.
#[derive(Debug, Clone)]
pub struct BandSketch {
    pub ticks: usize,
    counts: Vec<u32>,
}

const BINS: usize = 4096;
/// Memory of one tick of a `BandSketch` (its histogram row).
pub const BAND_BYTES_PER_TICK: u64 = (BINS * std::mem::size_of::<u32>()) as u64;
/// Values are clamped to [−1, 1] (every ensemble metric lives there).
const SCALE: f64 = 1e-5;

fn to_unit(v: f64) -> f64 {
    ((v.clamp(-1.0, 1.0) / SCALE).asinh() / (1.0 / SCALE).asinh() + 1.0) / 2.0
}

fn from_unit(u: f64) -> f64 {
    ((u * 2.0 - 1.0) * (1.0 / SCALE).asinh()).sinh() * SCALE
}

impl BandSketch {
    pub fn new(ticks: usize) -> Self {
        BandSketch {
            ticks,
            counts: vec![0; ticks * BINS],
        }
    }

    pub fn add(&mut self, series: &[f64]) {
        for (t, &v) in series.iter().enumerate().take(self.ticks) {
            if v.is_finite() {
                let b = ((to_unit(v) * BINS as f64) as usize).min(BINS - 1);
                self.counts[t * BINS + b] += 1;
            }
        }
    }

    /// Quantile q at tick t (bin centre).
    pub fn quantile(&self, t: usize, q: f64) -> f64 {
        let row = &self.counts[t * BINS..(t + 1) * BINS];
        let total: u64 = row.iter().map(|&c| c as u64).sum();
        if total == 0 {
            return f64::NAN;
        }
        let target = q * (total - 1) as f64;
        let mut seen = 0u64;
        for (b, &c) in row.iter().enumerate() {
            seen += c as u64;
            if seen as f64 > target {
                return from_unit((b as f64 + 0.5) / BINS as f64);
            }
        }
        from_unit(1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_tables() {
        // Standard table values: t(0.975; 1) = 12.706, t(0.975; 9) = 2.262, large n -> 1.96.
        assert!((t95(2) - 12.706).abs() < 1e-3);
        assert!((t95(10) - 2.262).abs() < 1e-3);
        assert!((t95(100_000) - 1.960).abs() < 1e-3);
    }

    #[test]
    fn summary_of_known_sample() {
        let s = summarise(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(s.mean, 3.0);
        assert!((s.sd - 2.5f64.sqrt()).abs() < 1e-12);
        assert_eq!(s.median, 3.0);
        assert!((s.q05 - 1.2).abs() < 1e-12);
        let half = 2.776 * 2.5f64.sqrt() / 5f64.sqrt();
        assert!((s.ci_high - 3.0 - half).abs() < 1e-3);
    }

    #[test]
    fn one_run_has_no_interval_and_no_share_better() {
        let s = summarise(&[0.4]);
        assert_eq!(s.mean, 0.4);
        assert!(s.sd.is_nan() && s.ci_low.is_nan() && s.ci_high.is_nan());
        let p = paired(&[0.5], &[0.4], true);
        assert!(p.share_better.is_nan() && p.diff.ci_low.is_nan());
        let mut band = PairedBand::new(2);
        band.add(&[0.5, 0.6], &[0.4, 0.4]);
        let (m, lo, hi) = band.at(1);
        assert!((m - 0.2).abs() < 1e-15 && lo.is_nan() && hi.is_nan());
    }

    #[test]
    fn a_ratio_of_means_with_constant_spend_is_the_paired_interval_scaled() {
        let g = [0.1, 0.3, 0.2, 0.6];
        let s = [2.0; 4];
        let (r, lo, hi) = ratio_of_means(&g, &s).unwrap();
        let p = summarise(&g);
        assert!((r - p.mean / 2.0).abs() < 1e-15);
        assert!((lo - p.ci_low / 2.0).abs() < 1e-12 && (hi - p.ci_high / 2.0).abs() < 1e-12);
        assert!(
            ratio_of_means(&g, &[0.0; 4]).is_none(),
            "no extra spend, no ratio"
        );
        assert!(
            ratio_of_means(&g, &[-1.0; 4]).is_none(),
            "a saving is not a cost"
        );
    }

    #[test]
    fn the_band_of_paired_differences_matches_the_paired_summary_at_every_tick() {
        let base = [[0.1, 0.2], [0.3, 0.1], [0.2, 0.5]];
        let strat = [[0.2, 0.1], [0.5, 0.4], [0.1, 0.9]];
        let mut band = PairedBand::new(2);
        for (s, b) in strat.iter().zip(&base) {
            band.add(s, b);
        }
        for t in 0..2 {
            let col = |x: &[[f64; 2]; 3]| x.iter().map(|r| r[t]).collect::<Vec<_>>();
            let p = paired(&col(&strat), &col(&base), true).diff;
            let (m, lo, hi) = band.at(t);
            assert!(
                (m - p.mean).abs() < 1e-12
                    && (lo - p.ci_low).abs() < 1e-12
                    && (hi - p.ci_high).abs() < 1e-12
            );
        }
    }

    #[test]
    fn identical_samples_have_zero_paired_difference() {
        let x = [0.1, 0.5, -0.2, 0.3];
        let p = paired(&x, &x, true);
        assert_eq!(
            (p.diff.mean, p.diff.ci_low, p.diff.ci_high, p.share_better),
            (0.0, 0.0, 0.0, 0.0)
        );
    }

    #[test]
    fn paired_ci_covers_a_known_shift() {
        let b = [0.1, 0.4, 0.2, 0.9, 0.5, 0.3];
        let s: Vec<f64> = b.iter().map(|x| x + 0.05).collect();
        let p = paired(&s, &b, true);
        assert!((p.diff.mean - 0.05).abs() < 1e-12 && p.diff.sd < 1e-12 && p.share_better == 1.0);
    }

    #[test]
    fn sketch_quantiles_are_close_and_order_free() {
        let values: Vec<f64> = (0..1000).map(|i| 0.001 + i as f64 * 1e-5).collect();
        let mut a = BandSketch::new(1);
        let mut b = BandSketch::new(1);
        for v in &values {
            a.add(&[*v]);
        }
        for v in values.iter().rev() {
            b.add(&[*v]);
        }
        assert_eq!(a.counts, b.counts);
        let m = a.quantile(0, 0.5);
        // True median 0.006; asinh bins keep about 0.5% relative resolution here.
        assert!((m - 0.006).abs() / 0.006 < 0.01, "{m}");
    }
}
