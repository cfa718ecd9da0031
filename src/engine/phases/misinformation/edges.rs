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
//! The cost per tick is that of the infected people's ties: the infected, who is still
//! susceptible and the people per compartment are kept from one tick to the next
//! (`Frontier`), so no tick scans every person; they are rebuilt from the counts by one
//! scan when they are not known for the tick (a fresh engine, or a tick the phase did not
//! run this way). The draws come from one stream per tick, in a fixed order (infected
//! increasing, each row in its order; then the infected person's recovery), so the result
//! is the same for any thread count. The random stream differs from the competing-risks
//! draw of `classic.rs`, so runs are equal in distribution, not in bits (tested by a
//! two-sample test below and by the theory tests).

use super::draws::hazard;
use crate::model::{ContagionModel, Instrument};
use crate::rng::{Purpose, stream};
use crate::world::World;
use rand::Rng;

/// Stream entity of the per-tie draws: above every block index of `classic.rs`.
const EDGE_STREAM: u64 = (1 << 56) - 1;

/// What the per-tie draws keep between ticks, describing `w.stories.counts` at the start
/// of tick `at` (nothing known when `at` is `None`).
#[derive(Debug, Clone, Default)]
pub struct Frontier {
    at: Option<u32>,
    /// Infected (population, story) pairs as p·q + j, increasing.
    infected: Vec<u32>,
    /// Per p·q + j: whether that person is susceptible to that story.
    susceptible: Vec<bool>,
    /// Tie entries in the infected people's rows.
    ties: usize,
    /// Per story: people believing (infected), fact-checked (recovered), prebunked.
    totals: Vec<[u64; 3]>,
    /// Scratch of a tick: the infected who stay infected, and the newly infected.
    staying: Vec<u32>,
    fresh: Vec<u32>,
    /// Per tie entry r→p: p, and the weight p's hazard reads, that of p→r (W, or raw for
    /// per-contact SIR), side by side so a source's row is one sequential read.
    reached: Vec<(u32, f32)>,
    /// Whether `reached` holds the current tie weights.
    weights_known: bool,
}

impl Frontier {
    /// People per compartment and story when they are known for the start of tick `t`.
    pub fn totals_at(&self, t: u32) -> Option<&[[u64; 3]]> {
        (self.at == Some(t)).then_some(&self.totals[..])
    }

    /// Forgets what is kept: the next tick rebuilds it from the counts and ties.
    pub fn forget(&mut self) {
        self.at = None;
        self.weights_known = false;
    }

    /// The tie weights have changed: the next tick reads them again.
    pub fn ties_changed(&mut self) {
        self.weights_known = false;
    }
}

/// Whether tick `t` can use the per-tie draws: SIR, no campaign acting on a story, every
/// population a single person and nobody prebunked. Then `f` describes the counts at the
/// start of tick `t` (rebuilt by one scan unless already known); returns the tie entries of
/// the infected people's rows.
pub(super) fn applies(w: &World, f: &mut Frontier, mirror: &[u32], t: u32) -> Option<usize> {
    if w.params.contagion != ContagionModel::Sir
        || w.campaigns.iter().any(|c| {
            matches!(
                c.instrument,
                Instrument::Misinformation | Instrument::FactCheck | Instrument::Prebunk
            )
        })
    {
        f.at = None;
        return None;
    }
    if f.at != Some(t) {
        f.at = None;
        if !rebuild(w, f) {
            return None;
        }
        f.at = Some(t);
    }
    if !f.weights_known {
        let weights = if w.params.sir_per_contact {
            &w.ties.raw
        } else {
            &w.ties.w
        };
        f.reached.clear();
        let nbr = &w.ties.nbr;
        f.reached.extend(
            nbr.iter()
                .zip(mirror)
                .map(|(&p, &m)| (p, weights[m as usize])),
        );
        f.weights_known = true;
    }
    Some(f.ties)
}

/// Lists the infected, the susceptible and the totals from the counts; false when the
/// per-tie draws do not apply (a group of more than one person, or someone prebunked).
fn rebuild(w: &World, f: &mut Frontier) -> bool {
    if w.pops.size.iter().any(|&n| n != 1.0) {
        return false;
    }
    let q = w.stories.len();
    let counts = &w.stories.counts;
    if counts.iter().any(|c| c.v > 0) {
        return false;
    }
    f.infected.clear();
    f.susceptible.clear();
    f.susceptible.extend(counts.iter().map(|c| c.s > 0));
    f.totals.clear();
    f.totals.resize(q, [0; 3]);
    f.ties = 0;
    for (i, c) in counts.iter().enumerate() {
        let tot = &mut f.totals[i % q];
        tot[0] += c.b;
        tot[1] += c.c;
        if c.b > 0 {
            f.infected.push(i as u32);
            f.ties += w.ties.row(i / q).len();
        }
    }
    true
}

/// One tick of SIR on individuals from the infected `applies` listed; updates the counts in
/// place (every decision reads the state at the start of the tick, see the module docs) and
/// leaves `f` describing them at the start of tick `t + 1`.
pub(super) fn sir_tick(w: &mut World, f: &mut Frontier, key: &[u8; 32], t: u32) {
    debug_assert_eq!(f.at, Some(t), "applies() lists the infected first");
    debug_assert!(f.weights_known, "applies() reads the weights first");
    let q = w.stories.len();
    let ties = &w.ties;
    let (beta, recovery) = (&w.stories.beta, &w.stories.recovery);
    let counts = &mut w.stories.counts;
    let Frontier {
        infected,
        susceptible,
        totals,
        staying,
        fresh,
        ties: listed,
        reached,
        ..
    } = f;
    staying.clear();
    fresh.clear();
    // Read the start of every infected row first: loads independent of each other, which
    // the core overlaps, where the loop below would wait for each row in turn.
    let first = |&src: &u32| ties.offsets[src as usize / q];
    let touched = infected
        .iter()
        .map(first)
        .fold(0, |acc, e| acc ^ reached.get(e).map_or(0, |r| r.0));
    std::hint::black_box(touched);
    let mut rng = stream(key, t, Purpose::Misinformation, EDGE_STREAM);
    for &src in infected.iter() {
        let (r, j) = (src as usize / q, src as usize % q);
        // Listed before any draw: people infected below are not sources this tick, and a
        // source cannot be infected again (it is not susceptible).
        let beta = beta[j] as f64;
        // 1 − e^{−h} of the last weight seen: ties mostly share a few weights.
        let (mut last_w, mut last_p) = (None, 0.0);
        // Entry e is r→p; p's hazard reads its own entry p→r, the mirror.
        for &(p, wt) in &reached[ties.row(r)] {
            let i = p as usize * q + j;
            if !susceptible[i] {
                continue;
            }
            let h = beta * wt as f64;
            if h <= 0.0 {
                continue;
            }
            if last_w != Some(wt.to_bits()) {
                last_w = Some(wt.to_bits());
                last_p = 1.0 - (-h).exp();
            }
            if rng.random::<f64>() < last_p {
                susceptible[i] = false;
                counts[i].s = 0;
                counts[i].b = 1;
                totals[j][0] += 1;
                fresh.push(i as u32);
            }
        }
        let leave = 1.0 - (-hazard(recovery[j])).exp();
        if rng.random::<f64>() < leave {
            let c = &mut counts[src as usize];
            c.b = 0;
            c.c = 1;
            totals[j][0] -= 1;
            totals[j][1] += 1;
        } else {
            staying.push(src);
        }
    }
    // The infected at the start of tick t + 1, increasing: those staying (increasing) and
    // the newly infected (each infected once, so no duplicates), merged.
    fresh.sort_unstable();
    infected.clear();
    *listed = 0;
    let (mut a, mut b) = (staying.iter().peekable(), fresh.iter().peekable());
    loop {
        let next = match (a.peek(), b.peek()) {
            (Some(&&x), Some(&&y)) if x < y => a.next(),
            (Some(_), Some(_)) => b.next(),
            (Some(_), None) => a.next(),
            (None, Some(_)) => b.next(),
            (None, None) => break,
        };
        let i = *next.expect("peeked");
        infected.push(i);
        *listed += ties.row(i as usize / q).len();
    }
    f.at = Some(t + 1);
}

#[cfg(test)]
mod tests {
    use super::super::classic::{classic, mark_exposed, ready};
    use super::super::shares;
    use super::*;
    use crate::engine::{Engine, on_threads};
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
                assert!(applies(&e.world, &mut sc.frontier, &sc.mirror, t).is_some());
                sir_tick(&mut e.world, &mut sc.frontier, &e.key, t);
            } else {
                ready(&e.world, &mut e.scratch);
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
        let mut f = Frontier::default();
        let text = individuals(300, 1, false);
        let e = Engine::new(world(&text));
        assert!(applies(&e.world, &mut f, &e.scratch.mirror, 0).is_some());
        assert!(!f.infected.is_empty(), "0.5 % of 300 people start infected");
        let pairs = text.replace("count = 300\n", "count = 300\nsize = 2\n");
        let mut fresh = Frontier::default();
        assert!(applies(&world(&pairs), &mut fresh, &e.scratch.mirror, 0).is_none());
        let maki = text
            .replace("\"sir\"", "\"maki_thompson\"")
            .replace("recovery = 0.3\n", "");
        assert!(applies(&world(&maki), &mut fresh, &e.scratch.mirror, 0).is_none());
    }

    /// The infected and the totals kept from tick to tick give what rebuilding them from
    /// the counts every tick gives (the scan each tick of the first version), and the
    /// totals are the counts' sums, tick after tick, until the epidemic is over.
    #[test]
    fn the_kept_frontier_equals_a_rescan_every_tick() {
        for per_contact in [false, true] {
            let w = world(&individuals(3000, 11, per_contact));
            let (mut kept, mut rescanned) = (Engine::new(w.clone()), Engine::new(w));
            let mut rebuilt = Frontier::default();
            for t in 0..60 {
                kept.step();
                rescanned.scratch.frontier.forget();
                rescanned.step();
                let counts = &kept.world.stories.counts;
                assert_eq!(counts, &rescanned.world.stories.counts, "tick {t}");
                let mirror = &kept.scratch.mirror;
                assert!(applies(&kept.world, &mut rebuilt, mirror, t + 1).is_some());
                let f = &kept.scratch.frontier;
                assert_eq!(f.infected, rebuilt.infected, "tick {t}");
                assert_eq!(f.susceptible, rebuilt.susceptible, "tick {t}");
                assert_eq!(f.ties, rebuilt.ties, "tick {t}");
                assert_eq!(kept.story_totals(), Some(&rebuilt.totals[..]), "tick {t}");
            }
            let ever: u64 = kept.world.stories.counts.iter().map(|c| c.c).sum();
            assert!(ever > 300, "the epidemic should take off ({ever})");
        }
    }

    /// At 50,000 people, where every other phase splits its work among threads, a run on
    /// one thread and on four leaves the same counts and opinions.
    #[test]
    fn per_tie_sir_is_the_same_on_one_and_four_threads() {
        let w = world(&individuals(50_000, 7, true));
        let run = |threads| {
            on_threads(threads, None, || {
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
