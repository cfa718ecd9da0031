//! SIR on individuals by per-tie draws: work only on the infected people's ties.
//!
//! When every population is one person (N_p = 1) and no campaign acts on a story, the SIR
//! hazard of a susceptible p is h_p = β Σ_{r infected, r ∈ row p} w_pr (w = W, or the raw
//! tie weight for per-contact SIR; the own-group term vanishes since N_p − 1 = 0), and p is
//! infected this tick with probability 1 − e^{−h_p}. Since
//!   1 − e^{−h_p} = 1 − Π_r e^{−β w_pr},
//! drawing one Bernoulli(1 − e^{−β w_pr}) per tie from an infected r into a susceptible p,
//! independently, and infecting p if any succeeds, is the same law (a susceptible hit twice
//! is infected once). Each infected person then recovers with probability
//! 1 − e^{−h_IR}, h_IR = −ln(1 − γ), as in `classic.rs`. Everyone reads the state at the
//! start of the tick: the sources are listed first, newly infected people are not sources
//! until the next tick, and recovering people still transmit this tick.
//!
//! The cost per tick is one scan for the sources and their ties, instead of a draw for every
//! population next to one. The draws come from one stream per tick, in a fixed order
//! (sources increasing, each row in its order, stories in order; then the source's
//! recovery), so the result is the same for any thread count. The random stream differs from
//! the competing-risks draw of `classic.rs`, so runs are equal in distribution, not in bits
//! (tested by a two-sample test below and by the theory tests).

use super::draws::hazard;
use crate::engine::Scratch;
use crate::model::{ContagionModel, Instrument};
use crate::rng::{Purpose, stream};
use crate::world::World;
use rand::Rng;

/// Stream entity of the per-tie draws: above every block index of `classic.rs`.
const EDGE_STREAM: u64 = (1 << 56) - 1;

/// Whether this tick can use the per-tie draws: SIR, no campaign acting on a story, every
/// population a single person and nobody prebunked. Also lists the infected (population,
/// story) pairs in `sources` as p·q + j (increasing) and returns the tie entries their rows
/// hold.
pub(super) fn applies(w: &World, sources: &mut Vec<u32>) -> Option<usize> {
    if w.params.contagion != ContagionModel::Sir
        || w.campaigns.iter().any(|c| {
            matches!(
                c.instrument,
                Instrument::Misinformation | Instrument::FactCheck | Instrument::Prebunk
            )
        })
        || w.pops.size.iter().any(|&n| n != 1.0)
    {
        return None;
    }
    let q = w.stories.len();
    sources.clear();
    let mut ties = 0;
    for (i, c) in w.stories.counts.iter().enumerate() {
        if c.v > 0 {
            return None;
        }
        if c.b > 0 {
            sources.push(i as u32);
            ties += w.ties.row(i / q).len();
        }
    }
    Some(ties)
}

/// One tick of SIR on individuals from the sources `applies` listed; updates the counts in
/// place (every decision reads the state at the start of the tick, see the module docs).
pub(super) fn sir_tick(w: &mut World, s: &Scratch, key: &[u8; 32], t: u32) {
    let q = w.stories.len();
    let per_contact = w.params.sir_per_contact;
    let ties = &w.ties;
    let weights = if per_contact { &ties.raw } else { &ties.w };
    let (beta, recovery) = (&w.stories.beta, &w.stories.recovery);
    let counts = &mut w.stories.counts;
    let mut rng = stream(key, t, Purpose::Misinformation, EDGE_STREAM);
    for &src in &s.sources {
        let (r, j) = (src as usize / q, src as usize % q);
        // Listed before any draw: people infected below are not sources this tick, and a
        // source cannot be infected again (it is not susceptible).
        let beta = beta[j] as f64;
        for e in ties.row(r) {
            let p = ties.nbr[e] as usize;
            let target = &mut counts[p * q + j];
            if target.s == 0 {
                continue;
            }
            // Entry e is r→p; p's hazard reads its own entry p→r, the mirror.
            let h = beta * weights[s.mirror[e] as usize] as f64;
            if h > 0.0 && rng.random::<f64>() < 1.0 - (-h).exp() {
                target.s = 0;
                target.b = 1;
            }
        }
        let leave = 1.0 - (-hazard(recovery[j])).exp();
        if rng.random::<f64>() < leave {
            let c = &mut counts[src as usize];
            c.b = 0;
            c.c = 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::classic::{classic, mark_exposed};
    use super::super::shares;
    use super::*;
    use crate::engine::Engine;
    use crate::world::testkit::world;

    /// SIR on `n` individuals of a scale-free graph, 0.5 % infected at the start.
    fn individuals(n: usize, seed: u64, per_contact: bool) -> String {
        let (transmission, beta) = if per_contact {
            ("sir_transmission = \"per_contact\"\n", 0.12)
        } else {
            ("", 0.6)
        };
        format!(
            "[scenario]\nname = \"t\"\nseed = {seed}\nticks = 1\n[model]\ncontagion_model = \"sir\"\n\
             {transmission}self_weight = 0\n[[actor]]\nid = \"a\"\n\
             [[generate]]\nprefix = \"n\"\ncount = {n}\ngraph = {{ model = \"barabasi_albert\", m = 3 }}\n\
             [[story]]\nid = \"s\"\nabout = \"a\"\ntransmissibility = {beta}\nrecovery = 0.3\n\
             initial_share = 0.005\n"
        )
    }

    /// Infected after tick 8 and ever infected after tick 40, by per-tie draws
    /// (`edges = true`) or by the competing-risks draw per exposed person of `classic.rs`.
    fn outcome(text: &str, edges: bool) -> (u64, u64) {
        let mut e = Engine::new(world(text));
        let mut early = 0;
        for t in 0..40 {
            if edges {
                let sc = &mut e.scratch;
                assert!(applies(&e.world, &mut sc.sources).is_some());
                sir_tick(&mut e.world, &e.scratch, &e.key, t);
            } else {
                shares(&e.world, &mut e.scratch);
                let sc = &mut e.scratch;
                mark_exposed(&e.world, &mut sc.exposed, &mut sc.sources);
                classic(&e.world, &mut e.scratch, &e.key, t, false);
                std::mem::swap(&mut e.world.stories.counts, &mut e.scratch.counts_next);
            }
            if t == 8 {
                early = e.world.stories.counts.iter().map(|c| c.b).sum();
            }
        }
        let ever = e.world.stories.counts.iter().map(|c| c.b + c.c).sum();
        (early, ever)
    }

    /// Two-sample Kolmogorov–Smirnov statistic D of two samples of equal size.
    fn ks(mut a: Vec<u64>, mut b: Vec<u64>) -> f64 {
        a.sort_unstable();
        b.sort_unstable();
        let m = a.len() as f64;
        let cdf = |v: &[u64], x: u64| v.partition_point(|&y| y <= x) as f64 / m;
        a.iter()
            .chain(&b)
            .map(|&x| (cdf(&a, x) - cdf(&b, x)).abs())
            .fold(0.0, f64::max)
    }

    /// Over many seeds, the per-tie draws and the per-person competing-risks draw give two
    /// samples of one law: the infected count early in the epidemic and the final size
    /// pass a two-sample Kolmogorov–Smirnov test at α = 0.001 (critical D = 1.95·√(2/m)),
    /// for SIR by shares of contacts and per contact.
    #[test]
    fn per_tie_draws_and_per_person_draws_give_the_same_epidemics() {
        let m = 80;
        for per_contact in [false, true] {
            let runs = |edges| -> (Vec<u64>, Vec<u64>) {
                (0..m)
                    .map(|seed| outcome(&individuals(1500, 200 + seed, per_contact), edges))
                    .unzip()
            };
            let ((early_e, ever_e), (early_c, ever_c)) = (runs(true), runs(false));
            let spread = ever_e.iter().max().unwrap() - ever_e.iter().min().unwrap();
            assert!(spread > 0, "final sizes must vary across seeds");
            assert!(
                ever_e.iter().sum::<u64>() > 300 * m,
                "the epidemic should take off"
            );
            let crit = 1.95 * (2.0 / m as f64).sqrt();
            let d = ks(early_e, early_c);
            assert!(
                d < crit,
                "per_contact {per_contact}: infected at tick 8, KS D = {d}"
            );
            let d = ks(ever_e, ever_c);
            assert!(
                d < crit,
                "per_contact {per_contact}: final size, KS D = {d}"
            );
        }
    }

    /// The test above can fail: a per-tie probability of β·w instead of 1 − e^{−β·w} (too
    /// high) is told apart from the per-person draw on the same seeds.
    #[test]
    fn the_two_sample_test_tells_a_wrong_rate_apart() {
        let m = 80;
        let finals = |beta: &str| -> Vec<u64> {
            (0..m)
                .map(|seed| {
                    let text = individuals(1500, 200 + seed, false)
                        .replace("transmissibility = 0.6", beta);
                    outcome(&text, false).1
                })
                .collect()
        };
        let d = ks(
            finals("transmissibility = 0.6"),
            finals("transmissibility = 0.9"),
        );
        assert!(d >= 1.95 * (2.0 / m as f64).sqrt(), "KS D = {d}");
    }

    /// SIR on individuals takes the per-tie draws; groups of two, or another model, keep
    /// the per-population draw.
    #[test]
    fn per_tie_draws_apply_only_to_individuals_without_story_campaigns() {
        let mut sources = Vec::new();
        let text = individuals(300, 1, false);
        assert!(applies(&world(&text), &mut sources).is_some());
        assert!(!sources.is_empty(), "0.5 % of 300 people start infected");
        let pairs = text.replace("count = 300\n", "count = 300\nsize = 2\n");
        assert!(applies(&world(&pairs), &mut sources).is_none());
        let maki = text
            .replace("\"sir\"", "\"maki_thompson\"")
            .replace("recovery = 0.3\n", "");
        assert!(applies(&world(&maki), &mut sources).is_none());
    }

    /// At 20,000 people, where every other phase splits its work among threads, a run on
    /// one thread and on four leaves the same counts and opinions.
    #[test]
    fn per_tie_sir_is_the_same_on_one_and_four_threads() {
        let w = world(&individuals(20_000, 7, true));
        let run = |threads| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| {
                let mut e = Engine::new(w.clone());
                for _ in 0..30 {
                    e.step();
                }
                e.world
            })
        };
        let (one, four) = (run(1), run(4));
        assert_eq!(one.stories.counts, four.stories.counts);
        assert_eq!(one.opinions.x, four.opinions.x);
        assert_ne!(one.stories.counts, w.stories.counts, "nothing moved");
    }
}
