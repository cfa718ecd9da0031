//! The preflight's memory estimate is an upper bound of what `softpower run` really uses:
//! the peak resident memory of the real binary (getrusage of its children) is compared to
//! the estimate on bundled scenarios and on three made large on purpose: in populations
//! and ties, in ticks, in the ties an exchange opens, and in the survey series of every
//! population (`run --population-series`). One test in its own binary, so that the children measured are
//! only these runs.

use softpower::metrics::SurveySeries;
use softpower::scenario::preflight::{estimate_memory_series, state_memory};
use softpower::scenario::{Overrides, load};
use std::path::{Path, PathBuf};

/// Largest resident set of any child waited for so far, in bytes.
fn children_peak() -> u64 {
    // SAFETY: getrusage only writes the struct it is given.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    assert_eq!(unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut u) }, 0);
    u.ru_maxrss as u64 * 1024
}

const THREADS: usize = 2;

/// What `run --threads 2` is allowed to use: one recorded run, and the template and one
/// counterfactual world per thread for the attribution.
fn allowed(path: &Path, series: SurveySeries) -> u64 {
    let l = load(path, &Overrides::default()).unwrap();
    estimate_memory_series(&l.checked, series) + (THREADS as u64 + 1) * state_memory(&l.checked)
}

/// `run`'s option for the survey series `series`.
fn series_flag(series: SurveySeries) -> &'static [&'static str] {
    match series {
        SurveySeries::Default => &[],
        SurveySeries::Populations => &["--population-series"],
        SurveySeries::Off => &["--no-survey-series"],
    }
}

const WIDE: &str = r#"[scenario]
name = "wide"
seed = 1
ticks = 10

[[actor]]
id = "a"
budget = 5
[[actor]]
id = "b"
budget = 5

[[generate]]
prefix = "n"
count = 300000
graph = { model = "barabasi_albert", m = 3 }
size = 1000
home = "b"

[[campaign]]
id = "c"
actor = "a"
instrument = "messaging"
targets = ["all"]
spend = 1
"#;

const LONG: &str = r#"[scenario]
name = "long"
seed = 1
ticks = 20000

[[actor]]
id = "a"
budget = 5
[[actor]]
id = "b"
budget = 5

[[generate]]
prefix = "n"
count = 1000
graph = { model = "watts_strogatz", k = 4, p = 0.1 }
size = 1000
home = "b"

[[campaign]]
id = "c"
actor = "a"
instrument = "messaging"
targets = ["all"]
spend = 1
"#;

/// An exchange from an actor with many home populations: each of the 250,000 targets is
/// tied to 8 of them (`world::exchange_ties`), 2 million ties the generators do not draw.
const EXCHANGE: &str = r#"[scenario]
name = "exchange"
seed = 1
ticks = 10

[[actor]]
id = "a"
budget = 5
[[actor]]
id = "b"
budget = 5

[[generate]]
prefix = "h"
count = 50000
graph = { model = "watts_strogatz", k = 2, p = 0.1 }
size = 1000
home = "a"

[[generate]]
prefix = "n"
count = 250000
graph = { model = "barabasi_albert", m = 2 }
size = 1000
home = "b"

[[campaign]]
id = "x"
actor = "a"
instrument = "exchange"
targets = ["group:n"]
spend = 1
"#;

/// Every population's survey series at every tick: WIDE at 3,000 populations and 60 ticks,
/// 3,000 × 2 actors × 3 measures × 61 ticks, about 1.1 million lines of timeseries.csv.
fn series() -> String {
    let s = WIDE
        .replace("name = \"wide\"", "name = \"series\"")
        .replace("ticks = 10", "ticks = 60")
        .replace("count = 300000", "count = 3000");
    assert!(
        s.contains("ticks = 60\n") && s.contains("count = 3000\n"),
        "{s}"
    );
    s
}

#[test]
fn a_run_never_uses_more_memory_than_its_preflight_estimate() {
    let d = tempfile::tempdir().unwrap();
    let mut files: Vec<PathBuf> = [
        "scenarios/war_of_ideas.toml",
        "scenarios/classic/hegselmann_krause.toml",
        "scenarios/classic/voter.toml",
    ]
    .iter()
    .map(PathBuf::from)
    .collect();
    for (name, text) in [
        ("wide.toml", WIDE),
        ("long.toml", LONG),
        ("exchange.toml", EXCHANGE),
        ("series.toml", &series()),
    ] {
        let p = d.path().join(name);
        std::fs::write(&p, text).unwrap();
        files.push(p);
    }
    let mut runs: Vec<(u64, PathBuf, SurveySeries)> = files
        .into_iter()
        .map(|f| {
            let series = if f.ends_with("series.toml") {
                SurveySeries::Populations
            } else {
                SurveySeries::Default
            };
            (allowed(&f, series), f, series)
        })
        .collect();
    // In increasing order of the estimate: the peak so far is each run's or an earlier one's.
    runs.sort_by_key(|r| r.0);
    for (i, (limit, file, series)) in runs.iter().enumerate() {
        assert_cmd::Command::cargo_bin("softpower")
            .unwrap()
            .arg("run")
            .arg(file)
            .args(series_flag(*series))
            .args(["--threads", "2", "-q", "--out"])
            .arg(d.path().join(format!("out{i}")))
            .assert()
            .success();
        let peak = children_peak();
        println!(
            "{}: peak {} MiB, estimate {} MiB",
            file.display(),
            peak >> 20,
            limit >> 20
        );
        assert!(
            peak <= *limit,
            "{}: the run peaked at {} MiB, above its estimate of {} MiB",
            file.display(),
            peak >> 20,
            limit >> 20
        );
    }
}
