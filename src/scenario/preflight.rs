//! Checks that depend on the machine rather than the file: run once by the commands that
//! simulate (`run`, `compare`, `sweep`), never by `check`, so a scenario is valid or not
//! wherever it is checked.

use super::diagnostic::{Diagnostic, ScenarioError, TomlPath};
use super::load::{Loaded, located};
use crate::model::checked::{CheckedScenario, Graph, Homes};
use crate::model::survey::{POPULATION_SERIES_MAX, SurveySeries};
use crate::model::{EXCHANGE_HOME_LINKS, Instrument, TRACE_MAX_POPULATIONS};
use std::path::Path;

/// Whether the machine has the memory the scenario needs (at most 80% of what is available
/// to this process: free memory, the cgroup's limit and the address-space rlimit): one
/// recorded run, and `extra_states` more copies of the world alongside (the counterfactual
/// runs of `run`'s attribution, one per thread, and the template they copy).
pub fn preflight(loaded: &Loaded, extra_states: usize) -> Result<(), ScenarioError> {
    preflight_series(loaded, extra_states, SurveySeries::Default)
}

/// `preflight` for a run that records the survey series `series` (`run`'s options).
pub fn preflight_series(
    loaded: &Loaded,
    extra_states: usize,
    series: SurveySeries,
) -> Result<(), ScenarioError> {
    let sc = &loaded.checked;
    let need = estimate_memory_series(sc, series)
        .saturating_add(state_memory(sc).saturating_mul(extra_states as u64));
    if let Err(msg) = fits(need) {
        let d = Diagnostic::new(
            TomlPath::root().key("generate"),
            format!("this scenario{}", &msg[4..]),
        )
        .help(if series == SurveySeries::Populations {
            "leave out --population-series (every population's survey series, every tick), or use fewer populations, actors or ticks"
        } else {
            "use fewer populations, actors, stories, ties or ticks"
        });
        return Err(located(&loaded.text, &loaded.path, vec![d]));
    }
    Ok(())
}

/// Peak memory of one recorded run of this scenario, in bytes: the world and engine
/// (with the graph's build copy), the time series, and the program itself.
pub fn estimate_memory(sc: &CheckedScenario) -> u64 {
    estimate_memory_series(sc, SurveySeries::Default)
}

/// `estimate_memory` for a run that records the survey series `series`.
pub fn estimate_memory_series(sc: &CheckedScenario, series: SurveySeries) -> u64 {
    state_memory(sc)
        .saturating_add(edge_count(sc).saturating_mul(24))
        .saturating_add(recorder_memory(sc))
        .saturating_add(series_memory(sc, series))
        .saturating_add(BASE_MEMORY)
}

/// Memory of one world and its engine: per-population state (with its place in its
/// home's list), the CSR of ties (neighbour, raw and normalised weight), every campaign's
/// targets (in the checked scenario, the world and the per-population index), the tie
/// slots of exchanges and the actor × actor stances and interests.
pub fn state_memory(sc: &CheckedScenario) -> u64 {
    let populations = sc.total_populations as u64;
    let a = sc.actors.len() as u64;
    let d = sc.dimensions.len() as u64;
    let k = 1 + d;
    // Starting anchors and background familiarity are kept only when durable gains decay.
    let starts = if sc.params.durable_decay > 0.0 {
        k + 1
    } else {
        0
    };
    let per_pop = a * (k * 3 + 2 + starts) * 4
        + (d * 3 + 12) * 4
        + sc.stories.len() as u64 * (4 * 8 + 8)
        + 21;
    let targets: u64 = sc.campaigns.iter().map(|c| c.targets.len() as u64).sum();
    populations
        .saturating_mul(per_pop)
        .saturating_add(edge_count(sc).saturating_mul(12))
        .saturating_add(targets.saturating_mul(12))
        .saturating_add(exchange_links(sc).saturating_mul(16))
        .saturating_add(a.saturating_mul(a).saturating_mul(8))
}

/// (target, home population) links the exchanges open (`world::exchange_ties`): each
/// target to at most `EXCHANGE_HOME_LINKS` of the actor's home populations.
fn exchange_links(sc: &CheckedScenario) -> u64 {
    let mut homes = vec![0u64; sc.actors.len()];
    for h in sc.populations.iter().filter_map(|p| p.home) {
        homes[h as usize] += 1;
    }
    for g in &sc.generators {
        match (&g.home, &g.graph) {
            (Homes::All(Some(h)), _) => homes[*h as usize] += g.count as u64,
            (Homes::PerBlock(hs), Graph::StochasticBlock { blocks, .. }) => {
                for (h, b) in hs.iter().zip(blocks) {
                    homes[*h as usize] += *b as u64;
                }
            }
            _ => {}
        }
    }
    sc.campaigns
        .iter()
        .filter(|c| c.instrument == Instrument::Exchange)
        .map(|c| {
            let h = homes.get(c.actor as usize).copied().unwrap_or(0);
            (c.targets.len() as u64).saturating_mul(h.min(EXCHANGE_HOME_LINKS as u64))
        })
        .fold(0, u64::saturating_add)
}

/// Directed ties of the world: declared, the expected number each generator draws, and
/// both directions of every link an exchange opens.
fn edge_count(sc: &CheckedScenario) -> u64 {
    let mut edges: u64 =
        (sc.ties.len() as u64 * 2).saturating_add(exchange_links(sc).saturating_mul(2));
    for g in &sc.generators {
        let count = g.count as u64;
        edges = edges.saturating_add(match &g.graph {
            Graph::BarabasiAlbert { m } => 2 * *m as u64 * count,
            Graph::WattsStrogatz { k, .. } => *k as u64 * count,
            Graph::StochasticBlock {
                blocks,
                p_in,
                p_out,
            } => {
                let n = count as f64;
                let within: f64 = blocks.iter().map(|&b| (b as f64).powi(2)).sum();
                (p_in * within + p_out * (n * n - within)) as u64
            }
            Graph::ErdosRenyi { p } => (p * (count as f64).powi(2)) as u64,
            Graph::Complete => count.saturating_mul(count),
            Graph::EdgeList(e) => 2 * e.len() as u64,
        });
    }
    edges
}

/// What the program needs whatever the scenario (code, thread stacks, fonts for plots).
const BASE_MEMORY: u64 = 64 << 20;

/// The time series of one run: a record per tick (6 metrics per actor, 3 per story, a
/// stance per actor pair; for small worlds each population's view, drawn as one line per
/// population). Each recorded value costs 8 bytes, up to 96 more as a line of
/// `timeseries.csv` (about 45 bytes, in a buffer that grows by doubling); each traced view
/// 4 bytes and a 16-byte point of its line in the figure, with the same room for growth.
/// This grows with `ticks`: `--ticks 4294967295` must be refused here, not run out of memory.
pub fn recorder_memory(sc: &CheckedScenario) -> u64 {
    let a = sc.actors.len() as u64;
    let s = sc.stories.len() as u64;
    let pops = sc.total_populations as u64;
    let traced = if pops <= TRACE_MAX_POPULATIONS as u64 {
        pops
    } else {
        0
    };
    let per_tick = 256 + (a * 6 + s * 3 + a * a) * (8 + 96) + traced * (4 + 16) * 2;
    (sc.ticks as u64 + 1).saturating_mul(per_tick)
}

/// The survey series of `timeseries.csv` (docs/CALIBRATION.md §1): per tick, three values
/// per actor for each group unit (each generator group and each population without one)
/// and, when recorded, each population. A value costs 8 bytes and its line (about 60
/// bytes: tick, unit, `favourable_pct:<actor>`, value) up to 128 in a buffer that grows by
/// doubling. `--population-series` on a million populations must be refused here.
pub fn series_memory(sc: &CheckedScenario, series: SurveySeries) -> u64 {
    let pops = sc.total_populations as u64;
    let units = sc.generators.len() as u64 + sc.populations.len() as u64;
    let (units, own) = match series {
        SurveySeries::Off => (0, 0),
        SurveySeries::Populations => (units, pops),
        SurveySeries::Default if pops <= POPULATION_SERIES_MAX as u64 => (units, pops),
        SurveySeries::Default => (units, 0),
    };
    let per_tick = (units + own).saturating_mul(sc.actors.len() as u64 * 3 * (8 + 128));
    (sc.ticks as u64 + 1).saturating_mul(per_tick)
}

/// Whether `need` bytes fit in what this process may allocate (80% of it); the message
/// when not.
pub fn fits(need: u64) -> Result<(), String> {
    let have = available_memory();
    if need > have / 10 * 8 {
        return Err(format!(
            "this needs about {:.1} GiB of memory, but only {:.1} GiB is available",
            need as f64 / (1u64 << 30) as f64,
            have as f64 / (1u64 << 30) as f64
        ));
    }
    Ok(())
}

/// Bytes this process may still allocate: the least of the host's available memory, the
/// headroom under its cgroup's limit (v2 `memory.max`, v1 `memory.limit_in_bytes`) and
/// under its address-space rlimit (`ulimit -v`). 8 GiB when none can be read.
pub fn available_memory() -> u64 {
    let read = |p: &str| std::fs::read_to_string(p).ok();
    let mut have = read("/proc/meminfo")
        .and_then(|s| meminfo_available(&s))
        .unwrap_or(8 << 30);
    if let Some(h) = read("/proc/self/cgroup").and_then(|cg| cgroup_headroom(&cg, read)) {
        have = have.min(h);
    }
    if let (Some(limits), Some(status)) = (read("/proc/self/limits"), read("/proc/self/status"))
        && let Some(h) = rlimit_headroom(&limits, &status)
    {
        have = have.min(h);
    }
    have
}

fn meminfo_available(meminfo: &str) -> Option<u64> {
    kib_field(meminfo, "MemAvailable:")
}

/// A `Name:   1234 kB` line of /proc, in bytes.
fn kib_field(text: &str, name: &str) -> Option<u64> {
    text.lines()
        .find(|l| l.starts_with(name))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<u64>().ok())
        .map(|kb| kb * 1024)
}

/// Limit minus usage of this process's cgroup (and of the root one mounted in a container).
fn cgroup_headroom(cgroup: &str, read: impl Fn(&str) -> Option<String>) -> Option<u64> {
    let base = Path::new("/sys/fs/cgroup");
    let mut dirs = Vec::new();
    for line in cgroup.lines() {
        // v2: "0::/path"; v1: "N:memory:/path" (or a list with memory in it).
        let mut it = line.splitn(3, ':');
        let (_, ctrl, path) = (it.next()?, it.next()?, it.next()?);
        let rel = path.trim_start_matches('/');
        if ctrl.is_empty() {
            dirs.push((base.join(rel), "memory.max", "memory.current"));
        } else if ctrl.split(',').any(|c| c == "memory") {
            dirs.push((
                base.join("memory").join(rel),
                "memory.limit_in_bytes",
                "memory.usage_in_bytes",
            ));
        }
    }
    dirs.push((base.to_path_buf(), "memory.max", "memory.current"));
    dirs.push((
        base.join("memory"),
        "memory.limit_in_bytes",
        "memory.usage_in_bytes",
    ));
    dirs.iter()
        .filter_map(|(dir, max, cur)| {
            let limit = limit_value(&read(dir.join(max).to_str()?)?)?;
            let used = read(dir.join(cur).to_str()?)
                .and_then(|s| s.trim().parse::<u64>().ok())
                .unwrap_or(0);
            Some(limit.saturating_sub(used))
        })
        .min()
}

/// A cgroup limit file: "max" (or v1's huge sentinel) means none.
fn limit_value(text: &str) -> Option<u64> {
    let v: u64 = text.trim().parse().ok()?;
    (v < 1 << 60).then_some(v)
}

/// The address-space rlimit minus the process's current virtual size.
fn rlimit_headroom(limits: &str, status: &str) -> Option<u64> {
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max address space"))?;
    let soft = line
        .trim_start_matches("Max address space")
        .split_whitespace()
        .next()?;
    let limit: u64 = soft.parse().ok()?;
    let used = kib_field(status, "VmSize:").unwrap_or(0);
    Some(limit.saturating_sub(used))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checked(text: &str) -> CheckedScenario {
        let ov = crate::scenario::Overrides::default();
        super::super::load::parse_checked(text, Path::new("t.toml"), &ov)
            .unwrap()
            .1
    }

    /// One actor and `count` generated populations, all at home there, over `ticks` ticks.
    fn generated(count: u32, ticks: u32) -> CheckedScenario {
        checked(&format!(
            "[scenario]\nname = \"g\"\nticks = {ticks}\n[[actor]]\nid = \"a\"\n\
             [[generate]]\nprefix = \"p\"\ncount = {count}\n\
             graph = {{ model = \"barabasi_albert\", m = 2 }}\nsize = 1000\nhome = \"a\"\n"
        ))
    }

    #[test]
    fn every_populations_survey_series_is_counted_only_when_recorded() {
        // 200,000 populations, one actor, 2,001 recorded ticks.
        let sc = generated(200_000, 2000);
        let rows = 200_000 * 3 * 2001_u64;
        let all = series_memory(&sc, SurveySeries::Populations);
        assert!(all >= rows * 8, "{all} bytes for {rows} values");
        // One group unit: a few MB, whatever the populations.
        assert!(series_memory(&sc, SurveySeries::Default) < 1 << 20);
        assert_eq!(series_memory(&sc, SurveySeries::Off), 0);
        assert!(fits(estimate_memory_series(&sc, SurveySeries::Default)).is_ok());
        assert!(fits(estimate_memory_series(&sc, SurveySeries::Populations)).is_err());
    }

    #[test]
    fn a_small_world_records_each_populations_series_by_default() {
        let sc = generated(50, 10);
        assert_eq!(
            series_memory(&sc, SurveySeries::Default),
            series_memory(&sc, SurveySeries::Populations)
        );
    }

    #[test]
    fn free_memory_is_read_from_meminfo() {
        let m = "MemTotal:  16000000 kB\nMemAvailable:   2048 kB\n";
        assert_eq!(meminfo_available(m), Some(2048 * 1024));
    }

    #[test]
    fn a_cgroup_v2_limit_leaves_its_headroom() {
        let files = |p: &str| match p {
            "/sys/fs/cgroup/job/memory.max" => Some("1073741824\n".to_string()),
            "/sys/fs/cgroup/job/memory.current" => Some("73741824\n".to_string()),
            _ => None,
        };
        assert_eq!(cgroup_headroom("0::/job\n", files), Some(1_000_000_000));
    }

    #[test]
    fn an_unlimited_cgroup_sets_no_bound() {
        let files = |p: &str| match p {
            "/sys/fs/cgroup/memory.max" => Some("max\n".to_string()),
            "/sys/fs/cgroup/memory.current" => Some("5\n".to_string()),
            _ => None,
        };
        assert_eq!(cgroup_headroom("0::/\n", files), None);
    }

    #[test]
    fn a_cgroup_v1_memory_limit_counts_too() {
        let files = |p: &str| match p {
            "/sys/fs/cgroup/memory/k8s/memory.limit_in_bytes" => Some("2000\n".to_string()),
            "/sys/fs/cgroup/memory/k8s/memory.usage_in_bytes" => Some("500\n".to_string()),
            _ => None,
        };
        assert_eq!(
            cgroup_headroom("5:cpu:/k8s\n4:memory:/k8s\n", files),
            Some(1500)
        );
    }

    #[test]
    fn the_address_space_rlimit_leaves_limit_minus_virtual_size() {
        let limits = "Limit                     Soft Limit           Hard Limit           Units\nMax address space         1048576              unlimited            bytes\n";
        let status = "Name: x\nVmSize:      24 kB\n";
        assert_eq!(rlimit_headroom(limits, status), Some(1048576 - 24 * 1024));
        let unlimited = limits.replace("1048576 ", "unlimited");
        assert_eq!(rlimit_headroom(&unlimited, status), None);
    }
}
