//! Engine benchmarks: the social-influence phase alone and one full tick, on generated
//! Barabási–Albert scenarios (m = 5) of 10k and 100k populations with 1 and 5 actors.
//!
//!     cargo bench --bench engine                       # all cores
//!     RAYON_NUM_THREADS=2 cargo bench --bench engine -- social
//!
//! Throughput is reported in elements = edge visits (one population's values updated
//! from one neighbour, i.e. one directed CSR entry) per iteration.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use softpower::engine::{Engine, Phase};
use softpower::scenario::{Overrides, parse_str};
use softpower::world::{World, build_world};
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
    let sc = parse_str(
        &scenario(populations, actors),
        Path::new("bench.toml"),
        &Overrides::default(),
    )
    .expect("valid bench scenario");
    build_world(&sc)
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
        }
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

criterion_group!(benches, social, full_tick);
criterion_main!(benches);
