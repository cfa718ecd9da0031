//! Every selectable model, one tick of its phase, on generated Barabási–Albert graphs
//! (m = 5) of 100k and 1M individuals, next to a plain CSR weighted-average kernel on the
//! same graph (the ceiling of a kernel bound by random neighbour reads).
//!
//!     RAYON_NUM_THREADS=2 cargo bench --bench models
//!     RAYON_NUM_THREADS=2 cargo bench --bench models -- 1000000
//!     RAYON_NUM_THREADS=2 cargo bench --bench models -- scaling   # time per tick vs size
//!     RAYON_NUM_THREADS=2 cargo bench --bench models -- deffuant_phase   # only this group
//!     RAYON_NUM_THREADS=2 cargo bench --bench models -- sir_epidemic     # only this group
//!
//! Throughput is in elements = edge visits (directed CSR entries) per tick. Each iteration
//! starts from the same state (restored outside the timed region), so an epidemic dying
//! out or opinions freezing during the run cannot make later iterations cheaper.

mod common;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use softpower::engine::{Engine, Phase};
use softpower::scenario::{ContagionModel, Overrides, parse_checked};
use softpower::world::{Csr, SocialRule, World, build};
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

const SIZES: [u64; 2] = [100_000, 1_000_000];

/// Individuals on a BA graph (m ties per newcomer), one actor, uniform attitudes, one
/// story with 5% believers.
fn world(n: u64, m: u32) -> World {
    let text = format!(
        "[scenario]\nname = \"bench\"\nseed = 1\nticks = 10\n[model]\nattitude_decay = 0\nself_weight = 0.5\n\
         [[actor]]\nid = \"a\"\n[[generate]]\nprefix = \"n\"\ncount = {n}\n\
         graph = {{ model = \"barabasi_albert\", m = {m} }}\nstubbornness = 0.1\n\
         [generate.opinion.a]\nattitude = [{{ dist = \"uniform\", min = -1, max = 1 }}]\n\
         [[story]]\nid = \"s\"\nabout = \"a\"\ntransmissibility = 0.5\ninitial_share = 0.05\n"
    );
    let (_, sc) = parse_checked(&text, Path::new("bench.toml"), &Overrides::default()).unwrap();
    build(&sc)
}

/// Times `phase` on `e`, restoring the opinions and compartments before every call.
fn timed(e: &mut Engine, phase: Phase, iters: u64) -> Duration {
    let (x, counts) = (e.world.opinions.x.clone(), e.world.stories.counts.clone());
    let mut total = Duration::ZERO;
    for i in 0..iters {
        e.world.opinions.x.copy_from_slice(&x);
        e.world.stories.counts.copy_from_slice(&counts);
        let t = Instant::now();
        e.run_phase(phase, 5 + i as u32);
        total += t.elapsed();
        black_box(&e.world.opinions.x);
    }
    total
}

fn models(c: &mut Criterion) {
    if only_deffuant() {
        return;
    }
    let social = [
        ("friedkin_johnsen", SocialRule::FriedkinJohnsen),
        ("hegselmann_krause", SocialRule::HegselmannKrause(0.4)),
        (
            "deffuant_1round",
            SocialRule::Deffuant {
                eps: 0.4,
                mu: 0.5,
                rounds: 1,
            },
        ),
        ("voter", SocialRule::Voter),
    ];
    let contagion = [
        ("sir", ContagionModel::Sir),
        ("maki_thompson", ContagionModel::MakiThompson),
        ("daley_kendall", ContagionModel::DaleyKendall),
        ("hoax", ContagionModel::Hoax),
        ("softpower_misinformation", ContagionModel::Softpower),
    ];
    for n in SIZES {
        let base = world(n, 5);
        let mut g = c.benchmark_group(format!("models_{n}"));
        g.sample_size(10).warm_up_time(Duration::from_secs(1));
        g.throughput(Throughput::Elements(base.ties.entries() as u64));
        plain(&mut g, &base.ties, n, "plain_csr_kernel");
        {
            // The same kernel after reverse Cuthill–McKee renumbering (src/world/renumber.rs),
            // to measure what locality alone would buy on this graph.
            use softpower::world::renumber::{inverse, permute_csr, rcm_order};
            let order = rcm_order(&base.ties);
            let rcm = permute_csr(&base.ties, &order, &inverse(&order), 0.5);
            plain(&mut g, &rcm, n, "plain_csr_kernel_rcm");
        }
        for (name, rule) in social {
            let mut w = base.clone();
            w.params.social = rule;
            let mut e = Engine::new(w);
            g.bench_function(BenchmarkId::new(name, n), |b| {
                b.iter_custom(|it| timed(&mut e, Phase::SocialInfluence, it))
            });
        }
        for (name, model) in contagion {
            let mut w = base.clone();
            w.params.contagion = model;
            let mut e = Engine::new(w);
            // A few ticks in, so the contagion is under way.
            for t in 0..4 {
                e.run_phase(Phase::Misinformation, t);
            }
            g.bench_function(BenchmarkId::new(name, n), |b| {
                b.iter_custom(|it| timed(&mut e, Phase::Misinformation, it))
            });
        }
        g.finish();
    }
}

/// Friedkin–Johnsen, one tick, against populations (m = 5) and against ties per
/// population (m at 100k): the scaling table in README.
fn scaling(c: &mut Criterion) {
    if only_deffuant() {
        return;
    }
    let mut g = c.benchmark_group("scaling_friedkin_johnsen");
    g.sample_size(10).warm_up_time(Duration::from_secs(1));
    for (n, m) in [
        (10_000, 5),
        (100_000, 5),
        (1_000_000, 5),
        (100_000, 2),
        (100_000, 10),
        (100_000, 20),
    ] {
        let w = world(n, m);
        g.throughput(Throughput::Elements(w.ties.entries() as u64));
        let mut e = Engine::new(w);
        g.bench_function(BenchmarkId::new(format!("m{m}"), n), |b| {
            b.iter_custom(|it| timed(&mut e, Phase::SocialInfluence, it))
        });
    }
    g.finish();
}

/// The filters `deffuant_phase` and `sir_epidemic` name only that group: the others'
/// graphs (a minute to build at 1M) are then not built.
fn only_deffuant() -> bool {
    std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .is_some_and(|f| f.contains("deffuant_phase") || f.contains("sir_epidemic"))
}

/// The peer race's SIR (benches/peers: per-contact β = −ln(1 − 0.03), γ = 0.2, 0.2 %
/// seeded, 100k individuals on a BA graph with m = 5, no opinion dimensions, trust 0 so
/// the opinion phases are skipped as there: `phases/skip.rs`): one whole
/// epidemic of 150 ticks per iteration, every phase included (the engine loop, not the
/// CLI's recording). Throughput in population ticks.
fn sir_epidemic(c: &mut Criterion) {
    let (n, ticks) = (100_000u64, 150);
    let mut g = c.benchmark_group("sir_epidemic");
    g.sample_size(10).warm_up_time(Duration::from_secs(1));
    g.throughput(Throughput::Elements(n * ticks));
    let mut base = None;
    g.bench_function(BenchmarkId::new("150ticks", n), |b| {
        let base = base.get_or_insert_with(|| {
            let text = format!(
                "[scenario]\nname = \"bench\"\nseed = 1\nticks = {ticks}\n[model]\n\
                 contagion_model = \"sir\"\nsir_transmission = \"per_contact\"\nself_weight = 0\ndefault_trust = 0\n\
                 [[actor]]\nid = \"target\"\n[[generate]]\nprefix = \"person\"\ncount = {n}\n\
                 graph = {{ model = \"barabasi_albert\", m = 5 }}\n[[story]]\nid = \"epidemic\"\n\
                 about = \"target\"\nharm = 0\ntransmissibility = {}\nrecovery = 0.2\n\
                 initial_share = 0.002\n",
                -(1.0f64 - 0.03).ln()
            );
            let (_, sc) =
                parse_checked(&text, Path::new("bench.toml"), &Overrides::default()).unwrap();
            build(&sc)
        });
        b.iter_custom(|it| {
            let mut total = Duration::ZERO;
            for _ in 0..it {
                let mut e = Engine::new(base.clone());
                let t = Instant::now();
                for _ in 0..ticks {
                    e.step();
                }
                total += t.elapsed();
                black_box(&e.world.stories.counts);
            }
            total
        })
    });
    g.finish();
}

/// The Deffuant phase as the peer race runs it (benches/peers: ε = 0.2 on [0, 1], μ = 0.5,
/// 8 matching rounds per tick) at 100k: one tick per iteration, trust pass included.
/// Throughput in populations per tick; pairs per round: docs/MODEL.md 3.6.
fn deffuant_phase(c: &mut Criterion) {
    let n = 100_000;
    let mut g = c.benchmark_group("deffuant_phase");
    g.sample_size(20).warm_up_time(Duration::from_secs(1));
    g.throughput(Throughput::Elements(n));
    let mut e = None;
    g.bench_function(BenchmarkId::new("8rounds", n), |b| {
        let e = e.get_or_insert_with(|| {
            let mut w = world(n, 5);
            w.params.social = SocialRule::Deffuant {
                eps: 0.4,
                mu: 0.5,
                rounds: 8,
            };
            Engine::new(w)
        });
        b.iter_custom(|it| timed(e, Phase::SocialInfluence, it))
    });
    g.finish();
}

/// The plain kernel: out_p = Σ_q w_pq x_q over four f32 values per node.
fn plain(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    csr: &Csr,
    n: u64,
    name: &str,
) {
    let x: Vec<[f32; 4]> = (0..csr.len()).map(|i| [i as f32 * 1e-6; 4]).collect();
    let mut out = vec![[0.0f32; 4]; csr.len()];
    g.bench_function(BenchmarkId::new(name, n), |b| {
        b.iter(|| {
            common::plain_kernel(csr, &x, &mut out);
            black_box(&out);
        })
    });
}

criterion_group!(benches, deffuant_phase, sir_epidemic, models, scaling);
criterion_main!(benches);
