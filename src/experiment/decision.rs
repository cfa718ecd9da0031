//! Decision statistics over an ensemble of runs under uncertainty, in the spirit of robust
//! decision making (Lempert, Popper & Bankes 2003; Lempert et al. 2006): rather than the
//! strategy with the best average, report how often each is best and how much is lost, run
//! by run, against the best strategy for that run (its regret, Savage 1951).
//!
//! With outcome o_{r,s} of strategy s in run r (every strategy of run r shares its
//! parameters and seed) and best_r = max_s o_{r,s} (min when lower is better):
//!
//!   regret_{r,s}  = |best_r − o_{r,s}|
//!   P(best)_s     = (1/R) Σ_r [o_{r,s} = best_r] / #{s' : o_{r,s'} = best_r}   (ties split)
//!   E[regret]_s   = (1/R) Σ_r regret_{r,s},   max regret_s = max_r regret_{r,s}
//!   minimax-regret choice = argmin_s max regret_s (ties: lower expected regret, then first).

use thiserror::Error;

/// Whether a larger outcome is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    Higher,
    Lower,
}

#[derive(Debug, Error, PartialEq)]
pub enum DecisionError {
    #[error("no runs to decide over")]
    NoRuns,
    #[error("no strategies to decide between")]
    NoStrategies,
    #[error(
        "run {run} has {got} outcomes but run 0 has {expected}; every run must score every strategy"
    )]
    Ragged {
        run: usize,
        expected: usize,
        got: usize,
    },
    #[error("run {run}, strategy {strategy}: outcome is {value}; outcomes must be finite numbers")]
    NotFinite {
        run: usize,
        strategy: usize,
        value: f64,
    },
}

/// Decision statistics of one strategy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StrategyDecision {
    pub p_best: f64,
    pub expected_regret: f64,
    pub max_regret: f64,
}

/// Decision statistics of every strategy and the minimax-regret choice.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub strategies: Vec<StrategyDecision>,
    /// Index of the strategy whose worst-case regret is smallest.
    pub minimax_regret: usize,
}

/// Decision statistics from `outcomes[run][strategy]`.
pub fn decide<R: AsRef<[f64]>>(outcomes: &[R], better: Better) -> Result<Decision, DecisionError> {
    let runs = outcomes.len();
    if runs == 0 {
        return Err(DecisionError::NoRuns);
    }
    let k = outcomes[0].as_ref().len();
    if k == 0 {
        return Err(DecisionError::NoStrategies);
    }
    let mut p_best = vec![0.0; k];
    let mut sum_regret = vec![0.0; k];
    let mut max_regret = vec![0.0f64; k];
    for (run, row) in outcomes.iter().enumerate() {
        let row = row.as_ref();
        if row.len() != k {
            return Err(DecisionError::Ragged {
                run,
                expected: k,
                got: row.len(),
            });
        }
        if let Some((strategy, &value)) = row.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(DecisionError::NotFinite {
                run,
                strategy,
                value,
            });
        }
        let best = match better {
            Better::Higher => row.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            Better::Lower => row.iter().copied().fold(f64::INFINITY, f64::min),
        };
        let winners = row.iter().filter(|&&v| v == best).count() as f64;
        for (s, &v) in row.iter().enumerate() {
            if v == best {
                p_best[s] += 1.0 / winners;
            }
            let regret = (best - v).abs();
            sum_regret[s] += regret;
            max_regret[s] = max_regret[s].max(regret);
        }
    }
    let strategies: Vec<StrategyDecision> = (0..k)
        .map(|s| StrategyDecision {
            p_best: p_best[s] / runs as f64,
            expected_regret: sum_regret[s] / runs as f64,
            max_regret: max_regret[s],
        })
        .collect();
    let minimax_regret = (0..k)
        .min_by(|&a, &b| {
            let (x, y) = (&strategies[a], &strategies[b]);
            x.max_regret
                .total_cmp(&y.max_regret)
                .then(x.expected_regret.total_cmp(&y.expected_regret))
                .then(a.cmp(&b))
        })
        .expect("at least one strategy");
    Ok(Decision {
        strategies,
        minimax_regret,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hand_computed_three_run_case() {
        // Strategies: steady, gamble, middling.
        let o = [[5.0, 9.0, 6.0], [5.0, 1.0, 6.0], [5.0, 8.0, 4.0]];
        let d = decide(&o, Better::Higher).unwrap();
        // Best per run: 9 (gamble), 6 (middling), 8 (gamble).
        let p: Vec<f64> = d.strategies.iter().map(|s| s.p_best).collect();
        assert_eq!(p, vec![0.0, 2.0 / 3.0, 1.0 / 3.0]);
        // Regrets: steady 4,1,3; gamble 0,5,0; middling 3,0,4.
        let e: Vec<f64> = d.strategies.iter().map(|s| s.expected_regret).collect();
        assert_eq!(e, vec![8.0 / 3.0, 5.0 / 3.0, 7.0 / 3.0]);
        let m: Vec<f64> = d.strategies.iter().map(|s| s.max_regret).collect();
        assert_eq!(m, vec![4.0, 5.0, 4.0]);
        // Steady and middling tie on max regret 4; middling has lower expected regret.
        assert_eq!(d.minimax_regret, 2);
    }

    #[test]
    fn ties_split_the_probability_of_being_best() {
        let o = vec![vec![1.0, 1.0, 0.0], vec![2.0, 2.0, 2.0]];
        let d = decide(&o, Better::Higher).unwrap();
        let p: Vec<f64> = d.strategies.iter().map(|s| s.p_best).collect();
        assert!((p[0] - (0.5 + 1.0 / 3.0) / 2.0).abs() < 1e-15);
        assert_eq!(p[0], p[1]);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-15);
    }

    #[test]
    fn lower_is_better_measures_regret_from_the_minimum() {
        let o = [[0.10, 0.20], [0.30, 0.25]];
        let d = decide(&o, Better::Lower).unwrap();
        assert_eq!(d.strategies[0].p_best, 0.5);
        assert!((d.strategies[0].max_regret - 0.05).abs() < 1e-12);
        assert!((d.strategies[1].max_regret - 0.10).abs() < 1e-12);
        assert_eq!(d.minimax_regret, 0);
    }

    #[test]
    fn malformed_matrices_are_refused_with_the_place() {
        let empty: [[f64; 2]; 0] = [];
        assert_eq!(
            decide(&empty, Better::Higher).unwrap_err(),
            DecisionError::NoRuns
        );
        let ragged = vec![vec![1.0, 2.0], vec![1.0]];
        assert_eq!(
            decide(&ragged, Better::Higher).unwrap_err(),
            DecisionError::Ragged {
                run: 1,
                expected: 2,
                got: 1
            }
        );
        let nan = [[1.0, f64::NAN]];
        assert!(matches!(
            decide(&nan, Better::Higher).unwrap_err(),
            DecisionError::NotFinite {
                run: 0,
                strategy: 1,
                ..
            }
        ));
    }
}
