//! Push formulation of the classic models' tie sums (`classic.rs`).
//!
//! Pull: every exposed population p reads its whole row for
//!   pull_X(p) = Σ_{q ∈ row p} W_pq X_q/N_q   and   push_X(p) = Σ_{q ∈ row p} W_qp X_q
//! (X = B or C), so with few sources (populations holding X) most entries read are zeros.
//! Push: every source q walks its own row once and adds its terms to each neighbour p,
//! reading W_pq through the mirror entry; only the sources' rows are read. Sources are
//! visited in increasing order, the order of p's sorted row, so each p adds the same
//! non-zero terms in the same order from the same zero: the sums, and so every draw, are
//! bit for bit those of the pull, whichever formulation runs and on any thread count.
//! Sources: SIR reads only infected (I = B); the other models read B and C.
//! The scatter is sequential (a fixed order needs no merging): it is chosen when the
//! sources' rows hold at most a quarter of the entries the pull would read (`choose`).

use super::classic::{TieCtx, TieSums};
use crate::engine::Scratch;
use crate::model::ContagionModel;
use crate::world::{Compartments, World};
use rayon::prelude::*;

/// Whether a population's compartments for one story make it a source of tie terms.
#[inline]
pub fn is_source(model: ContagionModel, c: &Compartments) -> bool {
    c.b > 0 || (model != ContagionModel::Sir && c.c > 0)
}

/// Push when the sources' rows (`source_ties`) are at most a quarter of the exposed rows the
/// pull reads (`exposed_ties`): each pushed entry costs a scattered write on one thread,
/// each pulled entry a read shared among threads. Results do not depend on the choice.
pub fn choose(exposed_ties: usize, source_ties: usize) -> bool {
    4 * source_ties <= exposed_ties
}

/// Fills `s.tie_sums` from the sources listed in `s.sources` (increasing).
pub(super) fn scatter(w: &World, s: &mut Scratch, key: &[u8; 32], t: u32) {
    let ctx = TieCtx::new(w, &s.frac, key, t);
    let (q, ties, old) = (ctx.q, &w.ties, &w.stories.counts);
    let mirror = &s.mirror;
    let sums = &mut s.tie_sums;
    sums.par_iter_mut().for_each(|x| *x = TieSums::default());
    for &src in &s.sources {
        let r = src as usize;
        for j in 0..q {
            if !is_source(ctx.model, &old[r * q + j]) {
                continue;
            }
            for e in ties.row(r) {
                let p = ties.nbr[e] as usize;
                // Entry e is r→p; the pull's entry p→r is its mirror.
                let e_pr = mirror[e] as usize;
                ctx.add(&mut sums[p * q + j], p, r, e_pr, || e, j);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::classic::{classic, mark_exposed};
    use super::super::shares;
    use crate::engine::Engine;
    use crate::world::testkit::{RICH, world};

    fn scenario(model: &str, seed: u64, share: f64) -> String {
        let extra = match model {
            "sir" => "recovery = 0.2\n",
            "sir_per_contact" => "recovery = 0.5\n",
            _ => "",
        };
        let (model, per_contact) = match model {
            "sir_per_contact" => ("sir", "sir_transmission = \"per_contact\"\n"),
            m => (m, ""),
        };
        let beta = if per_contact.is_empty() { 0.6 } else { 0.3 };
        format!(
            "[scenario]\nname = \"t\"\nseed = {seed}\nticks = 1\n[model]\ncontagion_model = \"{model}\"\n{per_contact}\
             self_weight = 0.5\n[[actor]]\nid = \"a\"\n[[population]]\nid = \"crowd\"\nsize = 300\n\
             [[generate]]\nprefix = \"n\"\ncount = 1500\ngraph = {{ model = \"barabasi_albert\", m = 3 }}\n\
             size = {{ dist = \"uniform\", min = 1, max = 4 }}\n\
             [[tie]]\nbetween = [\"crowd\", \"n_0\"]\n\
             [[story]]\nid = \"s\"\nabout = \"a\"\ntransmissibility = {beta}\ninitial_share = {share}\n{extra}"
        )
    }

    /// Runs `ticks` ticks of the contagion alone, pushing (`Some(true)`), pulling
    /// (`Some(false)`) or choosing per tick (`None`); returns the counts after every tick and
    /// how many ticks pushed.
    fn run(
        text: &str,
        ticks: u32,
        force: Option<bool>,
    ) -> (Vec<Vec<crate::world::Compartments>>, u32) {
        let mut e = Engine::new(world(text));
        let (mut out, mut pushed) = (Vec::new(), 0);
        for t in 0..ticks {
            let (w, s) = (&e.world, &mut e.scratch);
            super::super::classic::ready(w, s);
            shares(w, s);
            let (exposed, sources) = mark_exposed(w, &mut s.exposed, &mut s.sources);
            let push = force.unwrap_or(super::choose(exposed, sources));
            if push {
                super::scatter(w, s, &e.key, t);
                pushed += 1;
            }
            classic(w, s, &e.key, t, push);
            std::mem::swap(&mut e.world.stories.counts, &mut e.scratch.counts_next);
            out.push(e.world.stories.counts.clone());
        }
        (out, pushed)
    }

    /// Pushing from the sources and pulling into every exposed population give the same
    /// counts after every tick, for every classic model, on a scale-free graph of groups of
    /// one to four people (so within-group and across-tie terms both act).
    #[test]
    fn push_and_pull_give_identical_counts_every_tick() {
        for model in [
            "sir",
            "sir_per_contact",
            "maki_thompson",
            "daley_kendall",
            "hoax",
        ] {
            let text = scenario(model, 3, 0.01);
            let (push, _) = run(&text, 40, Some(true));
            let (pull, _) = run(&text, 40, Some(false));
            assert_eq!(push, pull, "{model}");
            let last = push.last().unwrap();
            let moved: u64 = last.iter().map(|c| c.b + c.c).sum();
            assert!(moved > 100, "{model}: the story should spread ({moved})");
        }
    }

    /// With a small share holding the story the scatter is chosen; once the story is
    /// everywhere the pull is (its rows are then mostly non-zero).
    #[test]
    fn push_is_chosen_while_few_hold_the_story() {
        let (_, pushed) = run(&scenario("sir", 3, 0.002), 1, None);
        assert_eq!(pushed, 1, "one infected group in a hundred: push");
        let (_, pushed) = run(&scenario("hoax", 3, 0.5), 1, None);
        assert_eq!(pushed, 0, "half the groups believe: pull");
    }

    /// Final sizes over many seeds: the push and the pull runs are two samples of the same
    /// distribution. Two-sample Kolmogorov–Smirnov at α = 0.001 (critical D = 1.95·√(2/m)).
    #[test]
    fn push_and_pull_final_sizes_pass_a_two_sample_test() {
        let m = 60;
        let finals = |force| {
            let mut v: Vec<u64> = (0..m)
                .map(|seed| {
                    let (out, _) = run(&scenario("sir", 100 + seed, 0.002), 30, Some(force));
                    out.last().unwrap().iter().map(|c| c.c + c.b).sum()
                })
                .collect();
            v.sort_unstable();
            v
        };
        let (a, b) = (finals(true), finals(false));
        let cdf = |v: &[u64], x: u64| v.partition_point(|&y| y <= x) as f64 / m as f64;
        let d = a
            .iter()
            .chain(&b)
            .map(|&x| (cdf(&a, x) - cdf(&b, x)).abs())
            .fold(0.0, f64::max);
        let spread = a.last().unwrap() - a.first().unwrap();
        assert!(spread > 0, "final sizes must vary across seeds");
        assert!(d < 1.95 * (2.0 / m as f64).sqrt(), "KS D = {d}");
    }

    /// With every instrument on (seeding, fact-checking and prebunking campaigns, one-way
    /// and asymmetric ties) on 3,000 groups, pushing every tick and pulling every tick
    /// leave the same world after 10 ticks.
    #[test]
    fn forced_push_and_pull_agree_with_every_instrument_on() {
        for model in ["sir", "maki_thompson", "daley_kendall", "hoax"] {
            let text = RICH
                .replacen(
                    "[[actor]]",
                    &format!("[model]\ncontagion_model = \"{model}\"\n\n[[actor]]"),
                    1,
                )
                .replacen("count = 40", "count = 3000", 1)
                .replace("transmissibility = 2.0", "transmissibility = 0.9");
            let w = world(&text);
            let run = |push| {
                let mut e = Engine::new(w.clone());
                e.scratch.contagion_push = Some(push);
                for _ in 0..10 {
                    e.step();
                }
                e
            };
            let (a, b) = (run(true), run(false));
            assert_eq!(a.world.stories.counts, b.world.stories.counts, "{model}");
            assert_eq!(a.world.opinions.x, b.world.opinions.x, "{model}");
            assert_ne!(
                a.world.stories.counts, w.stories.counts,
                "{model} moved nothing"
            );
        }
    }
}
