//! Scenario discovery with PRIM, the Patient Rule Induction Method (Friedman & Fisher 1999;
//! used for scenario discovery by Bryant & Lempert 2010): find a box in parameter space
//! where a case of interest (e.g. "strategy A beats B", "the story exceeds 10%") is dense.
//!
//! Peeling: starting from the box holding every run, each step considers, for every input,
//! cutting off the α share of the box's runs with the lowest or the highest values, and
//! keeps the cut that leaves the highest density of cases. It stops when no cut can leave
//! at least `min_mass` of all runs in the box. For box B, with n runs of which c are cases:
//!
//!   mass     = n_B / n,   density = c_B / n_B,   coverage = c_B / c.
//!
//! Peeling trades coverage for density; the analyst picks a box on that trajectory. Bounds
//! are strict (a peeled-off tie value leaves with all its ties), so a box reads exactly as
//! its description: "spillover < 0.12 and exchange_cost > 3.1". (Pasting, the optional
//! second phase of PRIM, is not implemented.)

use thiserror::Error;

#[derive(Debug, Error, PartialEq)]
pub enum DiscoveryError {
    #[error("no runs to analyse")]
    NoRuns,
    #[error("{names} input names for {dims} inputs per run")]
    NamesMismatch { names: usize, dims: usize },
    #[error("{runs} runs but {flags} case flags; give one flag per run")]
    FlagsMismatch { runs: usize, flags: usize },
    #[error("run {run} has {got} inputs, expected {expected}")]
    Ragged {
        run: usize,
        expected: usize,
        got: usize,
    },
    #[error("run {run}, input \"{name}\" is {value}; inputs must be finite")]
    NotFinite {
        run: usize,
        name: String,
        value: f64,
    },
    #[error("no run is a case of interest, so there is nothing to discover")]
    NoCases,
    #[error("alpha must lie in (0, 0.5] (got {0}); 0.05–0.1 is usual")]
    BadAlpha(f64),
    #[error("min_mass must lie in (0, 1] (got {0})")]
    BadMinMass(f64),
}

/// Peeling parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PrimOptions {
    /// Share of the box's runs removed per peel.
    pub alpha: f64,
    /// Smallest share of all runs a box may hold.
    pub min_mass: f64,
}

impl Default for PrimOptions {
    fn default() -> Self {
        PrimOptions {
            alpha: 0.05,
            min_mass: 0.05,
        }
    }
}

/// One box of the peeling trajectory: low_j < x_j < high_j for every input j (infinite
/// bounds where the input is not restricted).
#[derive(Debug, Clone, PartialEq)]
pub struct PrimBox {
    pub low: Vec<f64>,
    pub high: Vec<f64>,
    pub mass: f64,
    pub density: f64,
    pub coverage: f64,
}

/// The peeling trajectory, from the full box to the smallest.
#[derive(Debug, Clone, PartialEq)]
pub struct PrimTrajectory {
    pub names: Vec<String>,
    pub boxes: Vec<PrimBox>,
}

impl PrimTrajectory {
    /// The box of largest coverage among those with density ≥ `min_density` (the first
    /// such on the trajectory), if any.
    pub fn select(&self, min_density: f64) -> Option<usize> {
        self.boxes.iter().position(|b| b.density >= min_density)
    }

    /// Box `i` in words, e.g. "spillover < 0.12 and exchange_cost > 3.1"; "any value of
    /// every input" for the full box.
    pub fn describe(&self, i: usize) -> String {
        let b = &self.boxes[i];
        let parts: Vec<String> = self
            .names
            .iter()
            .enumerate()
            .filter_map(
                |(j, name)| match (b.low[j].is_finite(), b.high[j].is_finite()) {
                    (true, true) => {
                        Some(format!("{} < {name} < {}", sig(b.low[j]), sig(b.high[j])))
                    }
                    (true, false) => Some(format!("{name} > {}", sig(b.low[j]))),
                    (false, true) => Some(format!("{name} < {}", sig(b.high[j]))),
                    (false, false) => None,
                },
            )
            .collect();
        if parts.is_empty() {
            "any value of every input".to_string()
        } else {
            parts.join(" and ")
        }
    }
}

/// A bound with four significant digits: short, and a point on the right side of a bound
/// stays there unless it lies within 0.05% of it.
fn sig(x: f64) -> String {
    if x == 0.0 {
        return "0".to_string();
    }
    let digits = (3 - x.abs().log10().floor() as i32).max(0) as usize;
    let s = format!("{x:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Runs PRIM on inputs `x[run][input]` (named by `names`) and case flags `cases[run]`.
#[allow(clippy::needless_range_loop)] // inputs are columns of a row-major table
pub fn prim(
    names: &[String],
    x: &[Vec<f64>],
    cases: &[bool],
    options: PrimOptions,
) -> Result<PrimTrajectory, DiscoveryError> {
    let n = x.len();
    if n == 0 {
        return Err(DiscoveryError::NoRuns);
    }
    let d = x[0].len();
    if names.len() != d {
        return Err(DiscoveryError::NamesMismatch {
            names: names.len(),
            dims: d,
        });
    }
    if cases.len() != n {
        return Err(DiscoveryError::FlagsMismatch {
            runs: n,
            flags: cases.len(),
        });
    }
    for (run, row) in x.iter().enumerate() {
        if row.len() != d {
            return Err(DiscoveryError::Ragged {
                run,
                expected: d,
                got: row.len(),
            });
        }
        if let Some((j, &value)) = row.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(DiscoveryError::NotFinite {
                run,
                name: names[j].clone(),
                value,
            });
        }
    }
    let total_cases = cases.iter().filter(|&&c| c).count();
    if total_cases == 0 {
        return Err(DiscoveryError::NoCases);
    }
    if !(options.alpha > 0.0 && options.alpha <= 0.5) {
        return Err(DiscoveryError::BadAlpha(options.alpha));
    }
    if !(options.min_mass > 0.0 && options.min_mass <= 1.0) {
        return Err(DiscoveryError::BadMinMass(options.min_mass));
    }
    let min_count = (options.min_mass * n as f64).ceil().max(1.0) as usize;
    let summarise = |inside: &[usize], low: &[f64], high: &[f64]| {
        let c = inside.iter().filter(|&&r| cases[r]).count();
        PrimBox {
            low: low.to_vec(),
            high: high.to_vec(),
            mass: inside.len() as f64 / n as f64,
            density: c as f64 / inside.len() as f64,
            coverage: c as f64 / total_cases as f64,
        }
    };
    let mut inside: Vec<usize> = (0..n).collect();
    let mut low = vec![f64::NEG_INFINITY; d];
    let mut high = vec![f64::INFINITY; d];
    let mut boxes = vec![summarise(&inside, &low, &high)];
    let mut values = Vec::with_capacity(n);
    loop {
        let k = ((options.alpha * inside.len() as f64).ceil() as usize).max(1);
        // Best peel so far: (density, input, is_top, cut).
        let mut best: Option<(f64, usize, bool, f64)> = None;
        for j in 0..d {
            values.clear();
            values.extend(inside.iter().map(|&r| x[r][j]));
            values.sort_by(f64::total_cmp);
            let m = values.len();
            if k >= m {
                continue;
            }
            for top in [false, true] {
                // Bottom: keep x > cut; top: keep x < cut. Ties at the cut leave together.
                let cut = if top { values[m - k] } else { values[k - 1] };
                let keep = |v: f64| if top { v < cut } else { v > cut };
                let (mut kept, mut c) = (0usize, 0usize);
                for &r in &inside {
                    if keep(x[r][j]) {
                        kept += 1;
                        c += usize::from(cases[r]);
                    }
                }
                if kept < min_count || kept == m {
                    continue;
                }
                let density = c as f64 / kept as f64;
                if best.is_none_or(|b| density > b.0) {
                    best = Some((density, j, top, cut));
                }
            }
        }
        let Some((_, j, top, cut)) = best else { break };
        if top {
            high[j] = cut;
            inside.retain(|&r| x[r][j] < cut);
        } else {
            low[j] = cut;
            inside.retain(|&r| x[r][j] > cut);
        }
        boxes.push(summarise(&inside, &low, &high));
    }
    Ok(PrimTrajectory {
        names: names.to_vec(),
        boxes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn names() -> Vec<String> {
        ["spillover", "exchange_cost", "decay"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    fn data(n: usize, seed: u64) -> (Vec<Vec<f64>>, Vec<bool>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let x: Vec<Vec<f64>> = (0..n)
            .map(|_| (0..3).map(|_| rng.random::<f64>()).collect())
            .collect();
        // The true box: spillover < 0.3 and exchange_cost > 0.6 (decay irrelevant).
        let y = x.iter().map(|r| r[0] < 0.3 && r[1] > 0.6).collect();
        (x, y)
    }

    #[test]
    fn peeling_recovers_a_known_box() {
        let (x, y) = data(4000, 1);
        let t = prim(&names(), &x, &y, PrimOptions::default()).unwrap();
        let i = t.select(0.95).expect("a dense box exists");
        let b = &t.boxes[i];
        assert!(
            (b.high[0] - 0.3).abs() < 0.04,
            "spillover bound {}",
            b.high[0]
        );
        assert!(
            (b.low[1] - 0.6).abs() < 0.04,
            "exchange cost bound {}",
            b.low[1]
        );
        assert!(
            b.low[0] < 0.05 && b.high[1] > 0.95,
            "the far sides are barely touched"
        );
        assert!(
            b.low[2] < 0.1 && b.high[2] > 0.9,
            "the irrelevant input stays (nearly) free"
        );
        assert!(b.density >= 0.95 && b.coverage > 0.85, "{b:?}");
        let words = t.describe(i);
        assert!(
            words.contains("spillover <") && words.contains("exchange_cost >"),
            "{words}"
        );
    }

    #[test]
    fn the_trajectory_starts_full_and_trades_coverage_for_density() {
        let (x, y) = data(1000, 2);
        let t = prim(
            &names(),
            &x,
            &y,
            PrimOptions {
                alpha: 0.1,
                min_mass: 0.05,
            },
        )
        .unwrap();
        let first = &t.boxes[0];
        assert_eq!((first.mass, first.coverage), (1.0, 1.0));
        assert_eq!(
            first.density,
            y.iter().filter(|&&c| c).count() as f64 / 1000.0
        );
        assert_eq!(t.describe(0), "any value of every input");
        for w in t.boxes.windows(2) {
            assert!(w[1].mass < w[0].mass && w[1].coverage <= w[0].coverage);
        }
        assert!(t.boxes.last().unwrap().mass >= 0.05);
        // Each box's statistics agree with a direct count under its stated bounds.
        for b in &t.boxes {
            let inside: Vec<usize> = (0..x.len())
                .filter(|&r| (0..3).all(|j| x[r][j] > b.low[j] && x[r][j] < b.high[j]))
                .collect();
            assert_eq!(b.mass, inside.len() as f64 / 1000.0);
        }
    }

    #[test]
    fn descriptions_round_bounds_to_four_significant_digits() {
        assert_eq!(sig(0.123456), "0.1235");
        assert_eq!(sig(3.1), "3.1");
        assert_eq!(sig(1234.6), "1235");
        assert_eq!(sig(-0.5), "-0.5");
    }

    #[test]
    fn bad_inputs_are_refused() {
        let (x, y) = data(10, 3);
        assert_eq!(
            prim(&names(), &x, &y[..5], PrimOptions::default()).unwrap_err(),
            DiscoveryError::FlagsMismatch { runs: 10, flags: 5 }
        );
        assert_eq!(
            prim(&names(), &x, &[false; 10], PrimOptions::default()).unwrap_err(),
            DiscoveryError::NoCases
        );
        let e = prim(
            &names(),
            &x,
            &y,
            PrimOptions {
                alpha: 0.7,
                min_mass: 0.05,
            },
        )
        .unwrap_err();
        assert_eq!(e, DiscoveryError::BadAlpha(0.7));
        assert!(prim(&names()[..2], &x, &y, PrimOptions::default()).is_err());
    }
}
