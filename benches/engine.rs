//! Engine benchmarks: the social-influence phase alone and one full tick, on generated
//! Barabási–Albert scenarios (m = 5) of 10k and 100k populations with 1 and 5 actors.
//!
//!     cargo bench --bench engine                       # all cores
//!     RAYON_NUM_THREADS=2 cargo bench --bench engine -- social
//!
//! Throughput is reported in elements = edge visits (one population's values updated
//! from one neighbour, i.e. one directed CSR entry) per iteration.

mod common;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use softpower::engine::{Engine, Phase};
use softpower::scenario::{Overrides, parse_checked};
use softpower::world::{World, build};
use std::hint::black_box;
use std::path::Path;

/// A generated scenario with every instrument active, so a full tick exercises all phases.
pub fn scenario(populations: u64, actors: usize) -> String {
    let mut s = format!(
        "[scenario]\nname = \"bench\"\nseed = 1\nticks = 10\n\n[[generate]]\nprefix = \"n\"\ncount = {populations}\ngraph = {{ model = \"barabasi_albert\", m = 5 }}\nsize = {{ dist = \"log_normal\", median = 5000, sigma = 1 }}\ninternet = {{ dist = \"uniform\", min = 0.3, max = 1 }}\n"
    );
    for a in 0..actors {
        s += &format!(
            "\n[[actor]]\nid = \"a{a}\"\nbudget = 100\n[[campaign]]\nid = \"m{a}\"\nactor = \"a{a}\"\ninstrument = \"messaging\"\ntargets = [\"all\"]\nspend = 20\n[[campaign]]\nid = \"x{a}\"\nactor = \"a{a}\"\ninstrument = \"exchange\"\ntargets = [\"n_{a}\", \"n_{}\"]\nspend = 1\n",
            a + 10
        );
    }
    s += "\n[[story]]\nid = \"hoax\"\nabout = \"a0\"\ninitial_share = 0.01\n[[campaign]]\nid = \"fc\"\nactor = \"a0\"\ninstrument = \"fact_check\"\nstory = \"hoax\"\ntargets = [\"all\"]\nspend = 10\n";
    s
}

pub fn world(populations: u64, actors: usize) -> World {
    let (_, sc) = parse_checked(
        &scenario(populations, actors),
        Path::new("bench.toml"),
        &Overrides::default(),
    )
    .expect("valid bench scenario");
    build(&sc)
}

fn social(c: &mut Criterion) {
    let mut g = c.benchmark_group("social_influence");
    g.sample_size(20);
    for n in [10_000u64, 100_000] {
        for actors in [1usize, 5] {
            let mut e = Engine::new(world(n, actors));
            g.throughput(Throughput::Elements(e.world.ties.entries() as u64));
            g.bench_with_input(BenchmarkId::new(format!("{actors}actor"), n), &n, |b, _| {
                b.iter(|| {
                    e.run_phase(Phase::SocialInfluence, 0);
                    black_box(&e.world.opinions.x);
                })
            });
            if actors == 1 {
                // The same kernel without the AVX2 build: the ratio shows what it buys.
                softpower::engine::simd::set_enabled(false);
                g.bench_with_input(BenchmarkId::new("1actor_baseline_build", n), &n, |b, _| {
                    b.iter(|| {
                        e.run_phase(Phase::SocialInfluence, 0);
                        black_box(&e.world.opinions.x);
                    })
                });
                softpower::engine::simd::set_enabled(true);
            }
        }
    }
    g.finish();
}

/// Reference: a plain CSR weighted average over four f32 values per node, on the same
/// graph and thread pool, so the social phase can be reported as a ratio to it.
fn plain_reference(c: &mut Criterion) {
    use rayon::prelude::*;
    let mut g = c.benchmark_group("plain_csr_reference");
    g.sample_size(20);
    for (n, rcm) in [(10_000u64, false), (100_000, false), (100_000, true)] {
        let w = world(n, 1);
        let renumbered;
        let csr = if rcm {
            let order = softpower::world::renumber::rcm_order(&w.ties);
            let inv = softpower::world::renumber::inverse(&order);
            renumbered = softpower::world::renumber::permute_csr(&w.ties, &order, &inv, 1.0);
            &renumbered
        } else {
            &w.ties
        };
        let x: Vec<[f32; 4]> = (0..w.pops.len()).map(|i| [i as f32 * 1e-6; 4]).collect();
        let mut out = vec![[0.0f32; 4]; w.pops.len()];
        g.throughput(Throughput::Elements(csr.entries() as u64));
        if !rcm {
            g.bench_with_input(BenchmarkId::new("4values_unroll4", n), &n, |b, _| {
                b.iter(|| {
                    out.par_iter_mut()
                        .enumerate()
                        .with_min_len(512)
                        .for_each(|(p, o)| {
                            let mut acc = [[0.0f32; 4]; 4];
                            let (lo, hi) = (csr.offsets[p], csr.offsets[p + 1]);
                            let nb = &csr.nbr[lo..hi];
                            let ws = &csr.w[lo..hi];
                            let mut it = nb.chunks_exact(4).zip(ws.chunks_exact(4));
                            for (qs, wq) in &mut it {
                                for u in 0..4 {
                                    let xq = &x[qs[u] as usize];
                                    for i in 0..4 {
                                        acc[u][i] += wq[u] * xq[i];
                                    }
                                }
                            }
                            let r = nb.len() / 4 * 4;
                            for (q, wq) in nb[r..].iter().zip(&ws[r..]) {
                                let xq = &x[*q as usize];
                                for i in 0..4 {
                                    acc[0][i] += wq * xq[i];
                                }
                            }
                            for i in 0..4 {
                                o[i] = (acc[0][i] + acc[1][i]) + (acc[2][i] + acc[3][i]);
                            }
                        });
                    black_box(&out);
                })
            });
        }
        g.bench_with_input(
            BenchmarkId::new(if rcm { "4values_rcm" } else { "4values" }, n),
            &n,
            |b, _| {
                b.iter(|| {
                    common::plain_kernel(csr, &x, &mut out);
                    black_box(&out);
                })
            },
        );
    }
    g.finish();
}

fn full_tick(c: &mut Criterion) {
    let mut g = c.benchmark_group("full_tick");
    g.sample_size(10);
    for n in [10_000u64, 100_000] {
        for actors in [1usize, 5] {
            let mut e = Engine::new(world(n, actors));
            g.throughput(Throughput::Elements(e.world.ties.entries() as u64));
            g.bench_with_input(BenchmarkId::new(format!("{actors}actor"), n), &n, |b, _| {
                b.iter(|| {
                    e.step();
                    black_box(e.tick);
                })
            });
        }
    }
    g.finish();
}

/// Each phase alone at 100k populations, 1 actor: where a full tick spends its time.
fn per_phase(c: &mut Criterion) {
    let mut g = c.benchmark_group("phase_100k");
    g.sample_size(10);
    let mut e = Engine::new(world(100_000, 1));
    e.step();
    for phase in Phase::ORDER {
        g.bench_function(phase.name(), |b| {
            b.iter(|| {
                e.run_phase(Phase::Budget, 1);
                e.run_phase(phase, 1);
                black_box(&e.world.opinions.x);
            })
        });
    }
    g.finish();
}

criterion_group!(benches, social, plain_reference, full_tick, per_phase);
criterion_main!(benches);
