//! Budget reallocation: splits of a fixed total between an actor's campaigns, and the
//! Pareto front of spend against effect.
//!
//! Splits lie on the simplex lattice {(c₁, …, c_k)/m : cᵢ ∈ ℕ, Σ cᵢ = m} (Scheffé 1958):
//! every share a multiple of 1/m, C(m + k − 1, k − 1) points, the corners (all on one
//! campaign) included. Campaign i's `spend` (per tick while active) becomes T · cᵢ/m for a
//! total T, so the spends of the split campaigns sum to T at every point; each point is
//! checked like any scenario, so it keeps within the actor's budget at every tick (the
//! budget check of `scenario::check`).
//!
//! Pareto front: point p (spend s_p, effect e_p, better = higher) is dominated when some
//! q has s_q ≤ s_p and e_q ≥ e_p with one of them strict; the front is every point no
//! point dominates. Found by sorting on spend (O(n log n)).

use crate::model::checked::CheckedScenario;
use crate::scenario::Scenario;
use std::path::Path;

/// Compositions of `steps` into `parts` non-negative integers, in lexicographic order
/// (the first campaign's share falling from all to none).
pub fn simplex_lattice(parts: usize, steps: usize) -> Vec<Vec<usize>> {
    fn go(parts: usize, left: usize, cur: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        if parts == 1 {
            cur.push(left);
            out.push(cur.clone());
            cur.pop();
            return;
        }
        for c in (0..=left).rev() {
            cur.push(c);
            go(parts - 1, left - c, cur, out);
            cur.pop();
        }
    }
    let mut out = Vec::new();
    if parts > 0 {
        go(parts, steps, &mut Vec::with_capacity(parts), &mut out);
    }
    out
}

/// Spends of every lattice point for a total: T · cᵢ/m, the last campaign taking what the
/// others leave so that the spends add up to T.
pub fn splits(total: f64, parts: usize, steps: usize) -> Vec<Vec<f64>> {
    simplex_lattice(parts, steps)
        .into_iter()
        .map(|c| {
            let mut w: Vec<f64> = c
                .iter()
                .map(|&ci| total * ci as f64 / steps as f64)
                .collect();
            if let Some((last, rest)) = w.split_last_mut() {
                let others: f64 = rest.iter().sum();
                // Exact corners stay exact; elsewhere the remainder closes the sum.
                if *c.last().unwrap() != 0 {
                    *last = (total - others).max(0.0);
                }
            }
            w
        })
        .collect()
}

/// Which points are on the Pareto front of spend (lower is better) against effect
/// (higher is better). Points with a non-finite coordinate are never on it.
pub fn pareto_front(points: &[(f64, f64)]) -> Vec<bool> {
    let mut order: Vec<usize> = (0..points.len())
        .filter(|&i| points[i].0.is_finite() && points[i].1.is_finite())
        .collect();
    order.sort_by(|&a, &b| {
        points[a]
            .0
            .total_cmp(&points[b].0)
            .then(points[b].1.total_cmp(&points[a].1))
    });
    let mut front = vec![false; points.len()];
    // The best effect among points that spend strictly less.
    let mut best_cheaper = f64::NEG_INFINITY;
    let mut i = 0;
    while i < order.len() {
        let spend = points[order[i]].0;
        let group_best = points[order[i]].1;
        let mut j = i;
        while j < order.len() && points[order[j]].0 == spend {
            let e = points[order[j]].1;
            front[order[j]] = e == group_best && e > best_cheaper;
            j += 1;
        }
        best_cheaper = best_cheaper.max(group_best);
        i = j;
    }
    front
}

/// `ACTOR:CAMPAIGN,CAMPAIGN[,...]`, checked against the scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct SplitSpec {
    pub actor: String,
    pub campaigns: Vec<String>,
}

impl SplitSpec {
    pub fn parse(text: &str, sc: &Scenario) -> Result<SplitSpec, String> {
        let usage =
            "expected ACTOR:CAMPAIGN,CAMPAIGN[,...], e.g. norland:norland_digital,norland_exchange";
        let (actor, list) = text
            .split_once(':')
            .ok_or_else(|| format!("no \":\" after the actor; {usage}"))?;
        let actor = actor.trim().to_string();
        if !sc.actors.iter().any(|a| a.id == actor) {
            return Err(format!(
                "unknown actor \"{actor}\"{}",
                super::prior::did_you_mean(&actor, sc.actors.iter().map(|a| a.id.as_str()))
            ));
        }
        let campaigns: Vec<String> = list.split(',').map(|c| c.trim().to_string()).collect();
        let own: Vec<&str> = sc
            .campaigns
            .iter()
            .filter(|c| c.actor == actor)
            .map(|c| c.id.as_str())
            .collect();
        for c in &campaigns {
            if !own.contains(&c.as_str()) {
                let other = sc.campaigns.iter().find(|k| &k.id == c);
                return Err(match other {
                    Some(k) => format!(
                        "campaign \"{c}\" belongs to \"{}\", not \"{actor}\"",
                        k.actor
                    ),
                    None => format!(
                        "\"{actor}\" has no campaign \"{c}\"{}; its campaigns: {}",
                        super::prior::did_you_mean(c, own.iter().copied()),
                        own.join(", ")
                    ),
                });
            }
        }
        if campaigns.len() < 2 {
            return Err(format!("a split needs two campaigns or more; {usage}"));
        }
        if let Some(c) = campaigns
            .iter()
            .enumerate()
            .find_map(|(i, c)| campaigns[..i].contains(c).then_some(c))
        {
            return Err(format!("campaign \"{c}\" is named twice"));
        }
        Ok(SplitSpec { actor, campaigns })
    }
}

/// One point of a split sweep, checked.
#[derive(Debug, Clone)]
pub struct SplitPoint {
    pub name: String,
    pub total: f64,
    /// Spend per tick of each campaign of the split, in its order.
    pub spends: Vec<f64>,
    pub scenario: CheckedScenario,
}

/// Every split of every total (totals in the order given, lattice order within), each
/// scenario checked: a point the actor cannot afford at some tick, or any other problem,
/// is an error naming the point.
pub fn points(
    sc: &Scenario,
    base_dir: &Path,
    spec: &SplitSpec,
    totals: &[f64],
    steps: usize,
) -> Result<Vec<SplitPoint>, String> {
    let idx: Vec<usize> = spec
        .campaigns
        .iter()
        .map(|c| {
            sc.campaigns
                .iter()
                .position(|k| &k.id == c)
                .expect("parsed")
        })
        .collect();
    let mut base = sc.clone();
    base.strategies.clear();
    base.uncertain.clear();
    let mut out = Vec::new();
    for &total in totals {
        for spends in splits(total, idx.len(), steps) {
            let mut s = base.clone();
            for (&i, &v) in idx.iter().zip(&spends) {
                s.campaigns[i].spend = v;
            }
            let name = spec
                .campaigns
                .iter()
                .zip(&spends)
                .map(|(c, v)| format!("{c}={}", short(*v)))
                .collect::<Vec<_>>()
                .join(" ");
            let scenario = crate::scenario::check(&s, base_dir).map_err(|d| {
                let first = &d[0];
                format!(
                    "at the split {name} (total {}): {}: {}{}",
                    short(total),
                    first.path,
                    first.message,
                    first
                        .help
                        .as_ref()
                        .map_or(String::new(), |h| format!("\n  help: {h}"))
                )
            })?;
            out.push(SplitPoint {
                name,
                total,
                spends,
                scenario,
            });
        }
    }
    Ok(out)
}

/// Every `[[strategy]]` the scenario declares, checked, with its description: each is
/// one more point of the cost–effect frontier, paired with the splits over the same seeds.
pub fn strategy_points(
    sc: &Scenario,
    checked: &CheckedScenario,
    base_dir: &Path,
) -> Result<Vec<(String, String, CheckedScenario)>, String> {
    let all = crate::scenario::check::strategies::variants(sc, checked, base_dir, None)?;
    Ok(all
        .into_iter()
        .skip(1) // the baseline, which the sweep runs first anyway
        .map(|(name, s)| {
            let d = sc
                .strategies
                .iter()
                .find(|x| x.name == name)
                .map_or(String::new(), |x| x.description.clone());
            (name, d, s)
        })
        .collect())
}

/// A spend for a name: up to 6 significant digits, no trailing zeros.
fn short(v: f64) -> String {
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() || s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn binom(n: usize, k: usize) -> usize {
        (0..k).fold(1, |acc, i| acc * (n - i) / (i + 1))
    }

    #[test]
    fn the_lattice_of_two_campaigns_in_quarters_runs_from_one_corner_to_the_other() {
        assert_eq!(
            simplex_lattice(2, 4),
            vec![vec![4, 0], vec![3, 1], vec![2, 2], vec![1, 3], vec![0, 4]]
        );
        let s = splits(0.4, 2, 4);
        assert_eq!(
            (s[0].clone(), s[2].clone(), s[4].clone()),
            (vec![0.4, 0.0], vec![0.2, 0.2], vec![0.0, 0.4])
        );
        assert!((s[1][0] - 0.3).abs() < 1e-15 && s[1][0] + s[1][1] == 0.4);
    }

    #[test]
    fn a_point_cheaper_and_better_dominates_and_ties_share_the_front() {
        let p = [
            (1.0, 1.0),
            (2.0, 0.5),
            (2.0, 3.0),
            (2.0, 3.0),
            (0.5, 1.0),
            (3.0, 2.0),
        ];
        assert_eq!(
            pareto_front(&p),
            vec![false, false, true, true, true, false]
        );
        assert_eq!(pareto_front(&[(1.0, f64::NAN)]), vec![false]);
    }

    proptest! {
        #[test]
        fn every_split_sums_to_the_total_with_no_negative_share(
            parts in 2usize..6, steps in 1usize..9, total in 0.0f64..1e4
        ) {
            let s = splits(total, parts, steps);
            prop_assert_eq!(s.len(), binom(steps + parts - 1, parts - 1));
            for w in &s {
                prop_assert_eq!(w.len(), parts);
                prop_assert!(w.iter().all(|&x| x >= 0.0));
                let sum: f64 = w.iter().sum();
                prop_assert!((sum - total).abs() <= 1e-12 * total.max(1.0), "{w:?} sums to {sum}");
            }
            let lattice = simplex_lattice(parts, steps);
            let mut dedup = lattice.clone();
            dedup.sort();
            dedup.dedup();
            prop_assert_eq!(dedup.len(), lattice.len(), "no point twice");
        }

        #[test]
        fn the_front_holds_exactly_the_undominated_points(
            pts in proptest::collection::vec((0u8..12, 0u8..12), 0..60)
        ) {
            // A coarse grid makes ties and duplicates common.
            let p: Vec<(f64, f64)> = pts.iter().map(|&(s, e)| (s as f64 / 4.0, e as f64 / 3.0 - 1.0)).collect();
            let front = pareto_front(&p);
            let dominates = |q: (f64, f64), r: (f64, f64)| {
                q.0 <= r.0 && q.1 >= r.1 && (q.0 < r.0 || q.1 > r.1)
            };
            for (i, &r) in p.iter().enumerate() {
                let dominated = p.iter().any(|&q| dominates(q, r));
                prop_assert_eq!(front[i], !dominated, "point {:?}", r);
            }
        }
    }
}
