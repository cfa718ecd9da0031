//! Worlds for unit tests, built from scenario text through the real loader.

use super::{World, build};
use crate::scenario::{Overrides, parse_checked};
use std::path::Path;

pub fn world(toml: &str) -> World {
    match parse_checked(toml, Path::new("test.toml"), &Overrides::default()) {
        Ok((_, sc)) => build(&sc),
        Err(e) => panic!("test scenario invalid:\n{e}"),
    }
}

/// A small scenario that uses every instrument, an event of each kind and a generator.
pub const RICH: &str = r#"
[scenario]
name = "rich"
seed = 3
ticks = 30

[[actor]]
id = "a"
budget = 10
values = [0.5, 0.2, -0.3]
[[actor]]
id = "b"
budget = 10
credibility = 0.3
kind = "extremist"
[[actor]]
id = "c"
budget = 0

[[population]]
id = "p1"
size = 1000
home = "c"
[[population]]
id = "p2"
size = 1
media_literacy = 0.9
self_weight = 3
[[population]]
id = "p3"
size = 500000
internet = 0.95
stubbornness = 0.3
values = [0.1, 0.9, -1]

[[generate]]
prefix = "g"
count = 40
graph = { model = "watts_strogatz", k = 4, p = 0.2 }
size = { dist = "log_normal", median = 2000, sigma = 1.0 }
home = "c"
internet = { dist = "uniform", min = 0.2, max = 1.0 }
media_literacy = { dist = "beta", alpha = 2, beta = 3 }
[generate.opinion.a]
trust = { dist = "normal", mean = 0.5, sd = 0.3 }
attitude = [{ dist = "uniform", min = -0.5, max = 0.5 }]

[[tie]]
between = ["p1", "p2"]
[[tie]]
between = ["p2", "p3"]
weight = 2
weight_back = 0.5
[[tie]]
between = ["p3", "g_0"]
direction = "one_way"

[[reach]]
actor = "a"
populations = ["all"]
channel = "broadcast"
weight = 0.8

[[story]]
id = "hoax"
about = "a"
initial_share = 0.05
transmissibility = 2.0

[[campaign]]
id = "m"
actor = "a"
instrument = "messaging"
channel = "broadcast"
targets = ["all"]
spend = 3
[[campaign]]
id = "x"
actor = "a"
instrument = "exchange"
targets = ["p3", "group:g"]
spend = 2
[[campaign]]
id = "fc"
actor = "a"
instrument = "fact_check"
story = "hoax"
targets = ["all"]
spend = 2
start = 5
[[campaign]]
id = "pb"
actor = "a"
instrument = "prebunk"
story = "hoax"
targets = ["home:c"]
spend = 2
[[campaign]]
id = "pr"
actor = "b"
instrument = "propaganda"
against = "a"
targets = ["all"]
spend = 5
[[campaign]]
id = "mi"
actor = "b"
instrument = "misinformation"
story = "hoax"
targets = ["all"]
spend = 5

[[event]]
kind = "scandal"
tick = 10
actor = "a"
severity = 0.5
[[event]]
kind = "crisis"
tick = 12
dimension = "foreign_policy"
boost = 2
duration = 5
"#;

/// Panics unless every state variable is finite and within its range, compartments add
/// up to population sizes and influence weights are row-stochastic.
pub fn assert_valid(w: &World) {
    let o = &w.opinions;
    for (i, f) in o.familiarity.iter().chain(&o.familiarity_base).enumerate() {
        assert!((0.0..=1.0).contains(f), "familiarity[{i}] = {f}");
    }
    for (i, v) in o.x.iter().chain(&o.anchor).enumerate() {
        let lo = if i % o.k == 0 { 0.0 } else { -1.0 };
        assert!((lo..=1.0).contains(v), "opinion value {i} = {v}");
    }
    for c in &w.actors.credibility {
        assert!((0.0..=1.0).contains(c), "credibility {c}");
    }
    for r in &w.relations {
        assert!((-1.0..=1.0).contains(r), "relation {r}");
    }
    let q = w.stories.len();
    for (i, c) in w.stories.counts.iter().enumerate() {
        assert_eq!(
            c.total() as f64,
            w.pops.size[i / q.max(1)],
            "compartments of pop {} story {}",
            i / q.max(1),
            i % q.max(1)
        );
    }
    for p in 0..w.pops.len() {
        let s: f32 = w.ties.self_w[p] + w.ties.w[w.ties.row(p)].iter().sum::<f32>();
        assert!((s - 1.0).abs() < 1e-4, "row {p} of W sums to {s}");
        let d = w.dims();
        let sal: f32 = w.pops.salience[p * d..(p + 1) * d].iter().sum();
        assert!((sal - 1.0).abs() < 1e-4, "salience of {p} sums to {sal}");
    }
}
