"""Peer race: softpower against NDlib and Mesa on the same graphs and the same models.

What is measured
----------------
For each size n (Barabási–Albert, m = 5, written once by networkx and loaded by both
sides) and each model, both tools run the same model and we time only the model's
iterations:

* NDlib: `model.iteration()` calls (graph building, configuration and the first call,
  which only returns the initial state, are not timed). Slow cases are timed for a wall
  budget (at least one iteration) and the rate per iteration is taken from the
  iterations done; the table says how many.
* Mesa: `model.step()` calls (agent creation is not timed; Mesa fills each cell's
  neighbourhood cache on first use, so the caches are filled before timing).
* softpower: the engine phase of the model from `timing.json` (`phase_seconds`:
  `social_influence` for HK, Deffuant and voter, `misinformation` for SIR), with
  `--threads 2` (the peers are single-threaded Python). Two more conservative ratios sit
  beside it: the whole-simulation time (`simulate_seconds`: every phase plus metric
  recording) and the same phase on `--threads 1` (the per-core comparison).

Work is counted from what one iteration of each tool really does:

* edge visits: neighbour entries a tool reads. NDlib HK and Deffuant pick n random nodes
  per iteration and read all neighbours of each (expected 2m entries per iteration);
  NDlib SIR reads every neighbour of every infected node (counted exactly between
  iterations); NDlib voter and Mesa voter build the neighbour list of the updated node
  (expected 2m/n per update for NDlib's uniform pick, exactly 2m per Mesa sweep).
  softpower reads all 2m directed tie entries per tick (HK, voter); in Deffuant one tie
  entry per population and matching round (each population proposes to one neighbour;
  `pair_rounds` rounds per tick); in SIR only the rows of infected people and their
  neighbours (the others' sums are zero), counted exactly in timing.json
  (`contagion_tie_visits`).
* node updates: node states a tool computes. NDlib HK: 1 per iteration (see the bug
  below); NDlib Deffuant: 2 per pair interaction, n interactions per iteration; NDlib
  SIR: n per iteration (it builds a new status for every node); NDlib voter: 1 per
  iteration; Mesa voter: n per step. softpower: n per tick (HK, voter, SIR); Deffuant:
  the nodes matched in each round, estimated with an independent numpy replica of its
  proposal matching on the same graph.

For Deffuant, SIR and voter, "x per node update" is therefore also the ratio of wall
time for the same simulation (same pair interactions per node, same ticks, same sweeps).
"x per edge visit" is not: where the two tools read different numbers of entries for the
same simulation (SIR: softpower several times more, though it skips the rows of people
with no infected contact; Deffuant: softpower fewer, one entry per proposal) the
per-edge-visit ratio differs from the wall-time advantage.

Equal terms
-----------
The second table compares the same simulated work only, following the
ABMFrameworksComparison protocol (several seeded runs per tool, medians, on 2 threads and
on 1): Deffuant pair attempts per second (NDlib: n per iteration; softpower: the matched
pairs of each round), SIR wall time per epidemic (the same 150 ticks from the same seeded
share; softpower's phase and whole simulation), and voter node updates per second against
a lean Mesa model (agents hold precomputed neighbour lists; still Mesa's scheduler,
`shuffle_do`). Each run gives one rate (or one wall time); the table shows the median
over runs of each tool and the ratio of the medians. HK and voter against NDlib are
listed with the reason they are not comparable.

How to read the table
---------------------
One row per (model, size). "x per edge visit" = softpower's edge visits per second
divided by the peer's; "x per node update" likewise; "(whole sim)" uses softpower's
whole-simulation seconds instead of its phase seconds, "(1 thread)" its phase seconds on
one thread. Rates are totals of work over totals of timed seconds. Targets (issue 20)
sit in the equal-terms table: at 100k on 2 threads, Deffuant 500x NDlib per pair attempt,
SIR 100x NDlib wall time per epidemic (whole simulation), voter 100x lean Mesa per node
update. The statistic column compares what both tools compute:
cluster counts for bounded confidence, final epidemic size for SIR, the degree-weighted
+1 share (a martingale of the voter model) and the discordant-edge density for voter.

Clusters: opinions mapped to [0, 1], sorted, split wherever two neighbours in sorted
order are more than 0.01 apart; a major cluster holds at least 5% of the nodes (the
extremist groups near 0 and 1 hold about 1-2% each, right at a 1% threshold, which made
the count flip between seeds); the share outside major clusters is reported beside it.

Known NDlib 6.0.1 HK bug: in `ndlib/models/opinions/HKModel.py`, `iteration()` computes
a new opinion for n random nodes but the assignment `actual_status[n1] = new_op` sits
after the loop (line 137), so one node changes per iteration while all the neighbour
reads are still done. NDlib's HK statistics therefore cannot agree with HK; softpower's
HK clusters are checked against an independent numpy synchronous HK instead.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import platform
import random
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

import mesa
import networkx as nx
import numpy as np
from mesa.discrete_space import FixedAgent, Network
from scipy import stats

import ndlib.models.ModelConfig as ndlib_config
import ndlib.models.epidemics as ndlib_epidemics
import ndlib.models.opinions as ndlib_opinions

HERE = Path(__file__).resolve().parent
M = 5  # Barabási–Albert links per new node
GRAPH_SEED = 1
CLUSTER_GAP = 0.01  # on [0, 1]
MAJOR_SHARE = 0.05  # extremist groups (about 1-2% each) stay below it

# Model parameters, in the peers' units (opinions on [0, 1]); softpower's attitudes span
# [-1, 1], so its confidence is twice a bound on [0, 1].
HK_EPS = 0.15
HK_TICKS = 100  # softpower and the numpy reference (network HK converges slowly at bridges)
DEFFUANT_EPS, DEFFUANT_MU, PAIR_ROUNDS = 0.2, 0.5, 8
SIR_BETA, SIR_GAMMA, SIR_SEED_SHARE, SIR_TICKS = 0.03, 0.2, 0.002, 150
VOTER_SWEEPS = 10

# Equal-terms targets (issue 20), at 100k on 2 threads: model -> (what, factor).
TARGETS = {
    "deffuant": ("NDlib per pair attempt", 500),
    "sir": ("NDlib wall time per epidemic, whole simulation", 100),
    "voter_mesa_lean": ("lean Mesa per node update", 100),
}
TARGET_SIZE = 100_000


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- settings


@dataclass
class Settings:
    sizes: list[int]
    quick: bool
    stats_size: int  # statistics of the slow peers are compared at this size only
    hk_seeds: int  # softpower and reference runs for the HK statistics
    deffuant_seeds: int  # runs per tool for the Deffuant statistics
    sir_runs: dict[int, int]
    voter_runs: dict[int, int]
    voter_sweeps: dict[int, int]
    deffuant_iterations: int  # NDlib iterations per statistics run
    budget: float  # wall seconds for a budget-timed peer run
    sp_repeats: int
    sp_work: float  # edge visits per softpower timing run
    peer_runs_big: int  # seeded peer runs where one run is budget-timed (Deffuant > 10k)

    @classmethod
    def from_args(cls, a: argparse.Namespace) -> Settings:
        sizes = [10_000] if a.quick else [int(s) for s in a.sizes.split(",")]
        small = min(sizes) if a.stats_size is None else a.stats_size
        runs = lambda full, big: {n: (full if n <= 10_000 else big) for n in sizes}
        if a.quick:
            return cls(sizes, True, small, 4, 2, {small: 4}, {small: 5}, {small: 10},
                       40, 5.0, 2, 1e8, 2)
        return cls(sizes, False, small, 20, 8, runs(20, 7), runs(20, 7),
                   runs(VOTER_SWEEPS, 3), 60, 30.0, 7, 3e8, 7)


# ---------------------------------------------------------------- the graph


@dataclass
class Graph:
    n: int
    G: nx.Graph
    eu: np.ndarray  # undirected edges u < v
    ev: np.ndarray
    deg: np.ndarray
    file: Path

    @property
    def m(self) -> int:
        return len(self.eu)

    @property
    def entries(self) -> int:
        """Directed tie entries (2m): what one full pass over adjacency reads."""
        return 2 * self.m

    @classmethod
    def build(cls, n: int, work: Path) -> Graph:
        G = nx.barabasi_albert_graph(n, M, seed=GRAPH_SEED)
        path = work / f"ba_{n}.edges"
        nx.write_edgelist(G, path, data=False)
        e = np.array(G.edges(), dtype=np.int64)
        eu, ev = e.min(axis=1), e.max(axis=1)
        deg = np.bincount(np.concatenate([eu, ev]), minlength=n)
        return cls(n, G, eu, ev, deg, path)

    def discordant(self, x: np.ndarray) -> float:
        """Share of edges whose ends disagree."""
        return float(np.mean(x[self.eu] != x[self.ev]))

    def degree_weighted_share(self, x: np.ndarray) -> float:
        """Σ deg over nodes at +1 / Σ deg: the voter model's conserved quantity."""
        return float(self.deg[x > 0].sum() / self.deg.sum())


# ---------------------------------------------------------------- measurements


@dataclass
class Throughput:
    """Work and time of the timed iterations of one tool on one (model, size)."""

    tool: str
    per_iteration: str  # what one iteration counts
    seconds: float = 0.0
    iterations: int = 0
    runs: int = 0
    edge_visits: float = 0.0
    node_updates: float = 0.0
    whole_seconds: float = 0.0  # softpower: simulate_seconds
    note: str = ""
    # One entry per run: [seconds, whole seconds, edge visits, node updates].
    samples: list = field(default_factory=list)

    def _totals(self) -> list[float]:
        return [self.seconds, self.whole_seconds, self.edge_visits, self.node_updates]

    def begin(self) -> None:
        self._mark = self._totals()

    def end(self) -> None:
        """Closes one run started by `begin`: its work and time become one sample."""
        self.runs += 1
        self.samples.append([a - b for a, b in zip(self._totals(), self._mark)])

    def median_seconds(self, whole: bool = False) -> float:
        return float(np.median([x[1 if whole else 0] for x in self.samples]))

    def median_node_rate(self, whole: bool = False) -> float:
        return float(np.median([x[3] / x[1 if whole else 0] for x in self.samples]))

    def add(self, seconds: float, iterations: int, edges: float, nodes: float) -> None:
        self.seconds += seconds
        self.iterations += iterations
        self.edge_visits += edges
        self.node_updates += nodes

    @property
    def edge_rate(self) -> float:
        return self.edge_visits / self.seconds

    @property
    def node_rate(self) -> float:
        return self.node_updates / self.seconds

    def summary(self) -> dict:
        d = asdict(self)
        if self.seconds > 0:
            d["edge_visits_per_second"] = self.edge_rate
            d["node_updates_per_second"] = self.node_rate
        if self.whole_seconds > 0:
            d["edge_visits_per_second_whole"] = self.edge_visits / self.whole_seconds
            d["node_updates_per_second_whole"] = self.node_updates / self.whole_seconds
        return d


@dataclass
class Row:
    model: str  # key into TARGETS and a label
    label: str
    n: int
    peer: Throughput
    softpower: Throughput | None
    softpower_1t: Throughput | None = None  # the same runs on one thread
    statistic: str = ""
    peer_value: str = ""
    softpower_value: str = ""
    verdict: str = ""
    raw: dict = field(default_factory=dict)

    def ratio(self, unit: str, whole: bool = False, single: bool = False) -> float | None:
        sp = self.softpower_1t if single else self.softpower
        if sp is None or sp.seconds <= 0:
            return None
        secs = sp.whole_seconds if whole else sp.seconds
        if unit == "edge":
            return (sp.edge_visits / secs) / self.peer.edge_rate
        return (sp.node_updates / secs) / self.peer.node_rate

    def equal(self, single: bool = False, whole: bool = False) -> float | None:
        """Ratio of the same simulated work, medians over runs: wall time per epidemic
        (SIR), else node updates per second (Deffuant: 2 per pair attempt on both sides,
        so this is also the ratio per pair attempt)."""
        sp = self.softpower_1t if single else self.softpower
        if sp is None or not sp.samples or not self.peer.samples:
            return None
        if self.model == "sir":
            return self.peer.median_seconds() / sp.median_seconds(whole)
        return sp.median_node_rate(whole) / self.peer.median_node_rate()

    def target(self) -> tuple[str, bool | None] | None:
        if self.model not in TARGETS or self.n != TARGET_SIZE:
            return None
        what, factor = TARGETS[self.model]
        r = self.equal(whole=self.model == "sir")
        return f">= {factor}x {what}", (None if r is None else r >= factor)


# ---------------------------------------------------------------- statistics


def clusters(x01: np.ndarray) -> dict:
    """Major clusters (>= 5% of nodes) after splitting sorted opinions at gaps > 0.01."""
    xs = np.sort(x01)
    cuts = np.flatnonzero(np.diff(xs) > CLUSTER_GAP) + 1
    starts = np.concatenate([[0], cuts])
    ends = np.concatenate([cuts, [len(xs)]])
    sizes = ends - starts
    big = sizes >= MAJOR_SHARE * len(xs)
    top = int(np.argmax(sizes))
    return {
        "major": int(big.sum()),
        "all": int(len(sizes)),
        "largest_share": float(sizes[top] / len(xs)),
        "outside_major": float(1 - sizes[big].sum() / len(xs)),
        "largest_width": float(xs[ends[top] - 1] - xs[starts[top]]),
        "major_centres": [float(np.mean(xs[s:e])) for s, e in zip(starts[big], ends[big])],
    }


def mean_ci(xs: list[float]) -> tuple[float, float]:
    """Mean and half-width of its 95% confidence interval (t distribution)."""
    a = np.asarray(xs, dtype=float)
    if len(a) < 2:
        return float(a.mean()), float("nan")
    half = stats.t.ppf(0.975, len(a) - 1) * a.std(ddof=1) / math.sqrt(len(a))
    return float(a.mean()), float(half)


def fmt_ci(xs: list[float], digits: int = 3) -> str:
    m, h = mean_ci(xs)
    if math.isnan(h):
        return f"{m:.{digits}f} (1 run)"
    return f"{m:.{digits}f} ± {h:.{digits}f} ({len(xs)} runs)"


def welch_p(a: list[float], b: list[float]) -> float:
    if len(a) < 2 or len(b) < 2:
        return float("nan")
    if np.std(a) == 0 and np.std(b) == 0:
        return 1.0 if np.mean(a) == np.mean(b) else 0.0
    return float(stats.ttest_ind(a, b, equal_var=False).pvalue)


def verdict_means(a: list[float], b: list[float]) -> str:
    p = welch_p(a, b)
    if math.isnan(p):
        return "n/a (too few runs)"
    return f"{'agree' if p >= 0.01 else 'DIFFER'} (Welch p = {p:.2g})"


def modal(xs: list[int]) -> int:
    return max(set(xs), key=xs.count)


def compare_clusters(a: list[dict], b: list[dict]) -> str:
    """Modal major-cluster count, then Welch tests on the largest and the outside shares."""
    ma, mb = modal([c["major"] for c in a]), modal([c["major"] for c in b])
    test = lambda key: verdict_means([c[key] for c in a], [c[key] for c in b])
    return (f"{'agree' if ma == mb else 'DIFFER'} (modal major clusters {ma} vs {mb}); "
            f"largest share: {test('largest_share')}; outside: {test('outside_major')}")


def cluster_text(cs: list[dict]) -> str:
    counts = [c["major"] for c in cs]
    majors = ", ".join(f"{k} in {counts.count(k)}/{len(cs)} runs"
                       for k in sorted(set(counts), key=counts.count, reverse=True))
    share = np.mean([c["largest_share"] for c in cs])
    outside = np.mean([c["outside_major"] for c in cs])
    return (f"major clusters: {majors}; largest share {share:.2f}, "
            f"outside major clusters {outside:.3f}")


# ---------------------------------------------------------------- softpower


SCENARIO = """# generated by benches/peers/race.py
[scenario]
name = "{name}"
seed = 1
ticks = 1
{dimensions}
[model]
{model}
[[actor]]
id = "{actor}"
name = "{actor}"

[[generate]]
prefix = "person"
count = {n}
graph = {{ model = "edge_list", file = "{edges}" }}
{body}
"""

OPINION_BODY = """stubbornness = 0
[generate.opinion.issue]
attitude = [{attitude}]
"""

STORY_BODY = """
[[story]]
id = "epidemic"
about = "target"
harm = 0
transmissibility = {beta}
recovery = {gamma}
initial_share = {share}
"""

UNIFORM = '{ dist = "uniform", min = -1, max = 1 }'
PLUS_MINUS_ONE = '{ dist = "normal", mean = 0, sd = 1e6 }'  # clamped to -1 or +1


def toml_lines(d: dict) -> str:
    return "".join(f"{k} = {json.dumps(v)}\n" for k, v in d.items())


def opinion_scenario(name: str, g: Graph, model: dict, attitude: str) -> str:
    # The peers' nodes hold one opinion and no trust. With every trust value at 0, the
    # Friedkin-Johnsen trust update provably leaves it at 0, so the voter and Deffuant
    # leave their trust pass out (src/engine/phases/social.rs, `trust_is_zero`).
    model = {**model, "default_trust": 0, "attitude_decay": 0, "familiarity_decay": 0}
    return SCENARIO.format(
        name=name, dimensions='dimensions = ["opinion"]\n', model=toml_lines(model),
        actor="issue", n=g.n, edges=g.file.name,
        body=OPINION_BODY.format(attitude=attitude))


def sir_scenario(name: str, g: Graph) -> str:
    # NDlib's SIR has no opinions: with trust at 0 every opinion is +0, so the opinion
    # phases provably change nothing and are skipped (src/engine/phases/skip.rs).
    model = {"contagion_model": "sir", "sir_transmission": "per_contact", "self_weight": 0,
             "default_trust": 0}
    story = STORY_BODY.format(beta=-math.log(1 - SIR_BETA), gamma=SIR_GAMMA,
                              share=SIR_SEED_SHARE)
    return SCENARIO.format(name=name, dimensions="", model=toml_lines(model),
                           actor="target", n=g.n, edges=g.file.name, body=story)


class Softpower:
    def __init__(self, binary: Path, work: Path):
        self.binary = binary
        self.work = work

    def run(self, tag: str, scenario: str, seed: int, ticks: int, threads: int = 2) -> Path:
        """Runs one scenario; returns its output folder."""
        path = self.work / f"{tag}.toml"
        path.write_text(scenario)
        out = self.work / "out" / tag
        # --no-survey-series: the peers compute no survey measures, so neither does softpower.
        cmd = [str(self.binary), "run", str(path), "--out", str(out), "--force",
               "--no-plots", "--no-attribution", "--no-survey-series",
               "--threads", str(threads), "--quiet",
               "--seed", str(seed), "--ticks", str(ticks)]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stderr}")
        return out

    @staticmethod
    def timing(out: Path, phase: str) -> tuple[float, float]:
        t = json.loads((out / "timing.json").read_text())
        return float(t["phase_seconds"][phase]), float(t["simulate_seconds"])

    @staticmethod
    def attitudes(out: Path, n: int) -> np.ndarray:
        """Final attitude of person_i, indexed by node i."""
        x = np.full(n, np.nan)
        with open(out / "populations.csv", newline="") as f:
            for r in csv.DictReader(f):
                x[int(r["population"].rsplit("_", 1)[1])] = float(r["attitude_opinion"])
        assert not np.isnan(x).any(), "populations.csv misses people"
        return x

    @staticmethod
    def final_size(out: Path) -> float:
        """1 − S at the last tick: infected + recovered shares of the epidemic story."""
        last: dict[str, tuple[int, float]] = {}
        with open(out / "timeseries.csv", newline="") as f:
            for r in csv.DictReader(f):
                if r["entity_type"] == "story" and r["metric"] in ("believing", "fact_checked"):
                    t = int(r["tick"])
                    if t >= last.get(r["metric"], (-1, 0))[0]:
                        last[r["metric"]] = (t, float(r["value"]))
        return last["believing"][1] + last["fact_checked"][1]

    def timed(self, tp: Throughput, tag: str, scenario: str, seed: int, ticks: int,
              phase: str, edges_per_tick: float | None, nodes_per_tick: float,
              threads: int = 2) -> Path:
        """One timed run; `edges_per_tick=None` takes the exact count of tie entries read
        from timing.json (`contagion_tie_visits`: the classic contagion models skip the
        rows of people who see no infected contact)."""
        out = self.run(tag, scenario, seed, ticks, threads)
        secs, whole = self.timing(out, phase)
        tp.begin()
        if edges_per_tick is None:
            t = json.loads((out / "timing.json").read_text())
            edges = float(t["contagion_tie_visits"])
        else:
            edges = edges_per_tick * ticks
        tp.add(secs, ticks, edges, nodes_per_tick * ticks)
        tp.whole_seconds += whole
        tp.end()
        return out

    def throughput(self, s: Settings, tag: str, scenario: str, phase: str,
                   edges_per_tick: float, nodes_per_tick: float,
                   what: str) -> tuple[Throughput, Throughput]:
        """Dedicated timing runs of about `s.sp_work` edge visits, `s.sp_repeats` times,
        with 2 threads (the result) and with 1 (for the per-core comparison)."""
        ticks = max(20, round(s.sp_work / edges_per_tick))
        pair = []
        for threads in (2, 1):
            tp = Throughput("softpower", what)
            for r in range(s.sp_repeats):
                self.timed(tp, tag, scenario, 1000 + r, ticks, phase, edges_per_tick,
                           nodes_per_tick, threads)
            tp.note = f"{plural(tp.runs, 'run')} x {ticks} ticks, --threads {threads}"
            pair.append(tp)
        return pair[0], pair[1]


# ---------------------------------------------------------------- NDlib


def ndlib_model(cls, g: Graph, seed: int, params: dict):
    """A configured NDlib model whose no-op first iteration (initial state) is done."""
    random.seed(seed)  # AlgorithmicBias picks nodes with the `random` module
    model = cls(g.G)
    np.random.seed(seed)  # HKModel takes no seed; the others seed np.random in __init__
    config = ndlib_config.Configuration()
    for k, v in params.items():
        config.add_model_parameter(k, v)
    model.set_initial_status(config)
    model.iteration(node_status=False)
    return model


def ndlib_iterate(model, tp: Throughput, count, max_iterations: int,
                  budget: float | None = None) -> None:
    """Times `model.iteration()` one call at a time; `count(model)` (untimed, before each
    call) gives the (edge visits, node updates) of the iteration about to run."""
    spent, k = 0.0, 0
    tp.begin()
    while k < max_iterations and (budget is None or spent < budget):
        edges, nodes = count(model)
        t0 = time.perf_counter()
        model.iteration(node_status=False)
        dt = time.perf_counter() - t0
        spent += dt
        k += 1
        tp.add(dt, 1, edges, nodes)
    tp.end()


def ndlib_state(model, n: int) -> np.ndarray:
    return np.array([model.status[i] for i in range(n)], dtype=float)


def budget_note(tp: Throughput, budget: float) -> str:
    return (f"{plural(tp.iterations, 'iteration')} timed ({tp.seconds:.1f} s, budget "
            f"{budget:.0f} s); "
            "rate per iteration extrapolated")


# ---------------------------------------------------------------- Mesa


class VoterAgent(FixedAgent):
    """Copies the opinion of a uniformly random neighbour."""

    def __init__(self, model: mesa.Model, cell, opinion: int):
        super().__init__(model)
        self.cell = cell
        self.opinion = opinion

    def step(self) -> None:
        self.opinion = self.cell.neighborhood.select_random_agent().opinion


class MesaVoter(mesa.Model):
    """Asynchronous voter model: each step every agent updates once, in random order."""

    def __init__(self, G: nx.Graph, seed: int):
        super().__init__(seed=seed)
        self.grid = Network(G, capacity=1, random=self.random)
        for node in G.nodes:
            VoterAgent(self, self.grid[node], self.random.choice((-1, 1)))
        for cell in self.grid.all_cells:  # Mesa fills these caches lazily: not timed
            _ = cell.neighborhood

    def step(self) -> None:
        self.agents.shuffle_do("step")

    def opinions(self, n: int) -> np.ndarray:
        x = np.zeros(n)
        for a in self.agents:
            x[a.cell.coordinate] = a.opinion
        return x


class LeanVoterAgent(mesa.Agent):
    """Copies the opinion of a uniformly random neighbour from a precomputed list."""

    def __init__(self, model: mesa.Model, node: int, opinion: int):
        super().__init__(model)
        self.node = node
        self.opinion = opinion
        self.neighbours: list[LeanVoterAgent] = []

    def step(self) -> None:
        self.opinion = self.random.choice(self.neighbours).opinion


class LeanMesaVoter(mesa.Model):
    """The voter model as a careful Mesa user writes it: no grid, each agent holds its
    neighbours' agent objects; still Mesa's scheduler (`shuffle_do`)."""

    def __init__(self, G: nx.Graph, seed: int):
        super().__init__(seed=seed)
        by_node = {v: LeanVoterAgent(self, v, self.random.choice((-1, 1))) for v in G.nodes}
        for v, a in by_node.items():
            a.neighbours = [by_node[u] for u in G.neighbors(v)]

    def step(self) -> None:
        self.agents.shuffle_do("step")

    def opinions(self, n: int) -> np.ndarray:
        x = np.zeros(n)
        for a in self.agents:
            x[a.node] = a.opinion
        return x


# ---------------------------------------------------------------- the benchmarks


@dataclass
class Bench:
    g: Graph
    s: Settings
    sp: Softpower | None
    sp_voter: dict = field(default_factory=dict)  # n -> softpower voter throughput

    @property
    def stats_here(self) -> bool:
        return self.g.n == self.s.stats_size

    def expected_picks(self, picks: float) -> float:
        """Expected neighbour entries read for `picks` uniformly random nodes."""
        return picks * self.g.entries / self.g.n

    # ------------------------------------------------ Hegselmann–Krause

    def hk(self) -> Row:
        g, s = self.g, self.s
        peer = Throughput("NDlib", "n random nodes, all neighbours of each read "
                          "(expected 2m entries); 1 node updated (HKModel.py:137 bug)")
        count = lambda _: (self.expected_picks(g.n), 1.0)
        model = ndlib_model(ndlib_opinions.HKModel, g, 1, {"epsilon": HK_EPS})
        ndlib_iterate(model, peer, count, 10**9, s.budget)
        peer.note = budget_note(peer, s.budget)
        row = Row("hk", "HK bounded confidence", g.n, peer, None)
        nd_clusters = clusters(ndlib_state(model, g.n))
        row.raw["ndlib_clusters"] = nd_clusters
        if self.sp is not None:
            scen = opinion_scenario(f"peers_hk_{g.n}", g, {
                "social_model": "hegselmann_krause", "confidence": 2 * HK_EPS}, UNIFORM)
            row.softpower, row.softpower_1t = self.sp.throughput(
                s, f"hk_{g.n}", scen, "social_influence", g.entries, g.n,
                "all 2m tie entries, n nodes updated (synchronous)")
        if self.stats_here:
            ref = [clusters(hk_reference(g, seed)) for seed in range(s.hk_seeds)]
            row.raw["reference_clusters"] = ref
            row.statistic = f"clusters, ε = {HK_EPS} on [0,1]"
            row.peer_value = (f"{nd_clusters['major']} major (after {peer.iterations} "
                              f"iterations at most {peer.iterations} nodes moved; largest "
                              f"cluster spans {nd_clusters['largest_width']:.2f})")
            row.verdict = (f"NDlib not comparable (HK bug); numpy synchronous HK "
                           f"reference ({HK_TICKS} steps): {cluster_text(ref)}")
            if self.sp is not None:
                got = [clusters((Softpower.attitudes(self.sp.run(
                    f"hk_stats_{g.n}", scen, seed, HK_TICKS), g.n) + 1) / 2)
                    for seed in range(s.hk_seeds)]
                row.raw["softpower_clusters"] = got
                row.softpower_value = cluster_text(got) + f" ({HK_TICKS} ticks)"
                row.verdict += "; softpower vs reference: " + compare_clusters(ref, got)
        return row

    # ------------------------------------------------ Deffuant

    def deffuant(self) -> Row:
        g, s = self.g, self.s
        peer = Throughput("NDlib", "n pair interactions: a random node reads all its "
                          "neighbours (expected 2m entries), 2 node updates each")
        count = lambda _: (self.expected_picks(g.n), 2.0 * g.n)
        params = {"epsilon": DEFFUANT_EPS, "gamma": 0}
        row = Row("deffuant", "Deffuant (AlgorithmicBias, γ = 0)", g.n, peer, None)
        nd = []
        if self.stats_here:
            for seed in range(s.deffuant_seeds):
                model = ndlib_model(ndlib_opinions.AlgorithmicBiasModel, g, seed, params)
                ndlib_iterate(model, peer, count, s.deffuant_iterations)
                nd.append(clusters(ndlib_state(model, g.n)))
            peer.note = f"{plural(peer.runs, 'run')} x {s.deffuant_iterations} iterations"
        else:
            # Seeded runs, each timed for its share of the budget (at least 1 iteration).
            for seed in range(s.peer_runs_big):
                model = ndlib_model(ndlib_opinions.AlgorithmicBiasModel, g, seed, params)
                ndlib_iterate(model, peer, count, 10**9, s.budget / s.peer_runs_big)
            peer.note = (f"{plural(peer.runs, 'seeded run')}, {peer.iterations} iterations "
                         f"timed in all ({peer.seconds:.1f} s, budget {s.budget:.0f} s)")
        matched = proposal_matched_share(g)
        row.raw["softpower_matched_share_per_round"] = matched
        if self.sp is not None:
            scen = opinion_scenario(f"peers_deffuant_{g.n}", g, {
                "social_model": "deffuant", "confidence": 2 * DEFFUANT_EPS,
                "convergence": DEFFUANT_MU, "pair_rounds": PAIR_ROUNDS}, UNIFORM)
            row.softpower, row.softpower_1t = self.sp.throughput(
                s, f"deffuant_{g.n}", scen, "social_influence",
                PAIR_ROUNDS * g.n, PAIR_ROUNDS * matched * g.n,
                f"{PAIR_ROUNDS} matching rounds, each with n proposals (one tie entry "
                f"read each) and updating the matched nodes ({matched:.3f} n per round, "
                f"estimated)")
        if nd:
            row.statistic = f"clusters, ε = {DEFFUANT_EPS} on [0,1], μ = {DEFFUANT_MU}"
            row.raw["ndlib_clusters"] = nd
            row.peer_value = cluster_text(nd) + f" ({s.deffuant_iterations} iterations)"
            if self.sp is not None:
                # Same number of pair interactions per node: NDlib's iteration gives each
                # node 2 on average, a softpower tick PAIR_ROUNDS × matched share.
                ticks = math.ceil(2 * s.deffuant_iterations / (PAIR_ROUNDS * matched))
                got = [clusters((Softpower.attitudes(
                    self.sp.run(f"deffuant_stats_{g.n}", scen, seed, ticks), g.n) + 1) / 2)
                    for seed in range(s.deffuant_seeds)]
                row.raw["softpower_clusters"] = got
                row.softpower_value = cluster_text(got) + f" ({ticks} ticks)"
                row.verdict = compare_clusters(nd, got)
        return row

    # ------------------------------------------------ SIR

    def sir(self) -> Row:
        g, s = self.g, self.s
        runs = s.sir_runs[g.n]
        peer = Throughput("NDlib", "every neighbour of every infected node read (exact); "
                          "n node updates (a new status for every node: dict copy and "
                          "status_delta over all n)")

        def count(model):
            infected = np.array([model.status[i] == 1 for i in range(g.n)])
            return float(g.deg[infected].sum()), float(g.n)

        params = {"beta": SIR_BETA, "gamma": SIR_GAMMA, "fraction_infected": SIR_SEED_SHARE}
        nd = []
        for seed in range(runs):
            model = ndlib_model(ndlib_epidemics.SIRModel, g, seed, params)
            ndlib_iterate(model, peer, count, SIR_TICKS)
            st = np.array(list(model.status.values()))
            nd.append(float(np.mean(st != 0)))
        peer.note = f"{plural(runs, 'full run')} x {SIR_TICKS} iterations"
        row = Row("sir", "SIR", g.n, peer, None,
                  statistic=f"final size, β = {SIR_BETA}, γ = {SIR_GAMMA}, "
                            f"{SIR_SEED_SHARE:g} seeded")
        row.raw["ndlib_final_sizes"] = nd
        row.peer_value = fmt_ci(nd)
        if self.sp is not None:
            scen = sir_scenario(f"peers_sir_{g.n}", g)
            for threads in (2, 1):
                tp = Throughput("softpower", "the tie entries of infected people and their "
                                "neighbours (exact, from timing.json), n nodes drawn per tick")
                got = [Softpower.final_size(self.sp.timed(
                    tp, f"sir_{g.n}", scen, seed, SIR_TICKS, "misinformation",
                    None, g.n, threads)) for seed in range(runs)]
                tp.note = (f"{plural(runs, 'full run')} x {SIR_TICKS} ticks (the statistics "
                           f"runs), --threads {threads}")
                if threads == 2:
                    row.softpower = tp
                else:
                    row.softpower_1t = tp
            row.raw["softpower_final_sizes"] = got
            row.softpower_value = fmt_ci(got)
            row.verdict = verdict_means(nd, got)
        return row

    # ------------------------------------------------ voter

    def softpower_voter(self) -> tuple[str, tuple[Throughput, Throughput] | None]:
        """The voter scenario and softpower's (2-thread, 1-thread) throughput, measured
        once per size for both voter rows."""
        g = self.g
        scen = opinion_scenario(f"peers_voter_{g.n}", g, {"social_model": "voter",
                                "self_weight": 0}, PLUS_MINUS_ONE)
        if self.sp is None:
            return scen, None
        if g.n not in self.sp_voter:
            self.sp_voter[g.n] = self.sp.throughput(
                self.s, f"voter_{g.n}", scen, "social_influence", g.entries, g.n,
                "all 2m tie entries, n nodes updated (synchronous, self_weight 0)")
        return scen, self.sp_voter[g.n]

    def softpower_voter_stats(self, scen: str, runs: int, sweeps: int) -> tuple[list, list]:
        rho, share = [], []
        for seed in range(runs):
            x = Softpower.attitudes(self.sp.run(f"voter_stats_{self.g.n}", scen, seed,
                                                sweeps), self.g.n)
            rho.append(self.g.discordant(x))
            share.append(self.g.degree_weighted_share(x))
        return rho, share

    def voter_text(self, rho: list, share: list) -> str:
        return f"dw +1 share {fmt_ci(share)}; ρ {fmt_ci(rho)}"

    def voter_verdict(self, rho_a, share_a, rho_b, share_b) -> str:
        return (f"dw share: {verdict_means(share_a, share_b)} (conserved, E = 0.5); "
                f"ρ: {np.mean(rho_a):.3f} vs {np.mean(rho_b):.3f} "
                "(asynchronous vs synchronous: only approximate agreement expected)")

    def voter_ndlib(self) -> Row:
        g, s = self.g, self.s
        peer = Throughput("NDlib", "1 node updated; its neighbour list built "
                          "(expected 2m/n entries) plus O(n) bookkeeping")
        count = lambda _: (self.expected_picks(1), 1.0)
        model = ndlib_model(ndlib_opinions.VoterModel, g, 1, {"fraction_infected": 0.5})
        sweep = self.stats_here and not s.quick
        if sweep:  # exactly one sweep: n single updates
            ndlib_iterate(model, peer, count, g.n)
            peer.note = f"1 run x {g.n} iterations (one sweep)"
        else:
            ndlib_iterate(model, peer, count, 10**9, s.budget)
            peer.note = budget_note(peer, s.budget)
        scen, sp = self.softpower_voter()
        row = Row("voter_ndlib", "voter (NDlib)", g.n, peer, *(sp or (None, None)))
        if sweep:
            x = 2 * ndlib_state(model, g.n) - 1
            rho, share = [g.discordant(x)], [g.degree_weighted_share(x)]
            row.statistic = "after 1 sweep: degree-weighted +1 share, discordant edges ρ"
            row.peer_value = self.voter_text(rho, share)
            row.raw.update(ndlib_rho=rho, ndlib_share=share)
            if self.sp is not None:
                rho_b, share_b = self.softpower_voter_stats(scen, s.voter_runs[g.n], 1)
                row.softpower_value = self.voter_text(rho_b, share_b)
                row.raw.update(softpower_rho=rho_b, softpower_share=share_b)
                z = (share[0] - np.mean(share_b)) / np.std(share_b, ddof=1)
                row.verdict = (f"dw share: NDlib's one run is {z:+.1f} sd from softpower's "
                               f"mean ({'agree' if abs(z) <= 3 else 'DIFFER'}); ρ: "
                               f"{rho[0]:.3f} vs {np.mean(rho_b):.3f} (asynchronous vs "
                               "synchronous: only approximate agreement expected)")
        return row

    def voter_mesa(self, lean: bool = False) -> Row:
        g, s = self.g, self.s
        runs, sweeps = s.voter_runs[g.n], s.voter_sweeps[g.n]
        peer = Throughput(
            "Mesa (lean)" if lean else "Mesa",
            "n agents updated, each drawing from its precomputed neighbour list"
            if lean else "n agents updated, each building its neighbour list "
                         "(2m entries per step, exact)")
        rho, share = [], []
        for seed in range(runs):
            model = (LeanMesaVoter if lean else MesaVoter)(g.G, seed)
            peer.begin()
            t0 = time.perf_counter()
            for _ in range(sweeps):
                model.step()
            peer.add(time.perf_counter() - t0, sweeps, sweeps * g.entries, sweeps * g.n)
            peer.end()
            x = model.opinions(g.n)
            rho.append(g.discordant(x))
            share.append(g.degree_weighted_share(x))
        peer.note = f"{plural(runs, 'run')} x {sweeps} steps"
        scen, sp = self.softpower_voter()
        row = Row("voter_mesa_lean" if lean else "voter_mesa",
                  "voter (lean Mesa)" if lean else "voter (Mesa)",
                  g.n, peer, *(sp or (None, None)),
                  statistic=f"after {sweeps} sweeps: degree-weighted +1 share, "
                            "discordant edges ρ")
        row.peer_value = self.voter_text(rho, share)
        row.raw.update(mesa_rho=rho, mesa_share=share)
        if self.sp is not None:
            rho_b, share_b = self.softpower_voter_stats(scen, runs, sweeps)
            row.softpower_value = self.voter_text(rho_b, share_b)
            row.raw.update(softpower_rho=rho_b, softpower_share=share_b)
            row.verdict = self.voter_verdict(rho, share, rho_b, share_b)
        return row

    def voter_mesa_lean(self) -> Row:
        return self.voter_mesa(lean=True)


def hk_reference(g: Graph, seed: int) -> np.ndarray:
    """Synchronous HK on the graph in float64 numpy: x_p ← mean{x_q : q ∈ {p} ∪ N(p),
    |x_q − x_p| ≤ ε}, from uniform opinions on [0, 1], for HK_TICKS steps."""
    src = np.concatenate([g.eu, g.ev])
    dst = np.concatenate([g.ev, g.eu])
    x = np.random.default_rng(seed).random(g.n)
    for _ in range(HK_TICKS):
        keep = np.abs(x[dst] - x[src]) <= HK_EPS
        total = np.bincount(src, weights=np.where(keep, x[dst], 0.0), minlength=g.n) + x
        x = total / (np.bincount(src, weights=keep, minlength=g.n) + 1.0)
    return x


def proposal_matched_share(g: Graph, draws: int = 8) -> float:
    """Expected share of nodes matched by one round of softpower's Deffuant matching
    (docs/MODEL.md 3.6): every node proposes to a uniformly random neighbour with a random
    priority; a proposal is accepted when its priority is the lowest among the proposals
    made by or to either end."""
    rng = np.random.default_rng(12345)
    src = np.concatenate([g.eu, g.ev])
    dst = np.concatenate([g.ev, g.eu])
    order = np.argsort(src, kind="stable")
    src, dst = src[order], dst[order]
    start = np.concatenate([[0], np.cumsum(g.deg)[:-1]])
    p = np.flatnonzero(g.deg > 0)
    shares = []
    for _ in range(draws):
        prio = rng.permutation(g.n)  # distinct priorities
        target = dst[start[p] + (rng.random(len(p)) * g.deg[p]).astype(np.int64)]
        best = np.full(g.n, g.n)
        best[p] = prio[p]
        np.minimum.at(best, target, prio[p])
        won = (best[p] == prio[p]) & (best[target] == prio[p])
        shares.append(2 * won.sum() / g.n)
    return float(np.mean(shares))


# ---------------------------------------------------------------- the report


def plural(k: int, word: str) -> str:
    return f"{k} {word}{'' if k == 1 else 's'}"


def si(x: float | None) -> str:
    if x is None:
        return "TODO"
    for unit, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(x) >= scale:
            return f"{x / scale:.3g}{unit}"
    return f"{x:.3g}"


def times(x: float | None) -> str:
    return "TODO" if x is None else f"{x:,.0f}x" if x >= 10 else f"{x:.2g}x"


NOT_COMPARABLE = {
    "hk": "not comparable: NDlib 6.0.1 HK moves one node per iteration (HKModel.py:137) "
          "and copies the node list per pick (O(n^2) per iteration)",
    "voter_ndlib": "not comparable: NDlib's voter pays O(n) bookkeeping per single-node "
                   "update",
}


def seconds(x: float | None) -> str:
    return "TODO" if x is None else f"{x:.3g} s"


def equal_table(rows: list[Row], load: tuple) -> str:
    """The same simulated work: medians over seeded runs, ratios of medians."""
    head = ["model", "n", "peer", "measure (median over runs)", "peer", "softpower 2 threads: "
            "phase / whole sim", "x 2 threads: phase / whole sim",
            "x 1 thread: phase / whole sim", "runs (peer / softpower)", "target", "met?"]
    lines = ["### Equal terms: the same simulated work", "",
             f"Load average (1, 5, 15 min) before the run: "
             f"{tuple(round(x, 2) for x in load)} on {os.cpu_count()} cores.", "",
             "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        sp = r.softpower
        if r.model in NOT_COMPARABLE:
            lines.append(f"| {r.label} | {r.n:,} | {r.peer.tool} | "
                         f"{NOT_COMPARABLE[r.model]} |" + " |" * (len(head) - 4))
            continue
        if r.model == "sir":
            measure, fmt = "wall time per epidemic (150 ticks)", seconds
            peer_v = r.peer.median_seconds()
            sp_v = (sp.median_seconds(), sp.median_seconds(True)) if sp else (None, None)
        else:
            pairs = r.model == "deffuant"
            measure = "pair attempts/s" if pairs else "node updates/s"
            fmt, k = si, (0.5 if pairs else 1.0)  # a pair attempt updates 2 nodes
            peer_v = k * r.peer.median_node_rate()
            sp_v = ((k * sp.median_node_rate(), k * sp.median_node_rate(True)) if sp
                    else (None, None))
        target = r.target()
        met = "-" if target is None else ("TODO" if target[1] is None else
                                          "yes" if target[1] else "**NO**")
        runs = f"{r.peer.runs} / {sp.runs if sp else 0}"
        lines.append("| " + " | ".join([
            r.label, f"{r.n:,}", r.peer.tool, measure, fmt(peer_v),
            f"{fmt(sp_v[0])} / {fmt(sp_v[1])}",
            f"{times(r.equal())} / {times(r.equal(whole=True))}",
            f"{times(r.equal(single=True))} / {times(r.equal(single=True, whole=True))}",
            runs, "-" if target is None else target[0], met]) + " |")
    return "\n".join(lines) + "\n\n"


def table(rows: list[Row]) -> str:
    head = ["model", "n", "peer", "peer edge visits/s", "peer node updates/s",
            "softpower edge visits/s", "softpower node updates/s", "x per edge visit",
            "x per node update", "x whole sim (edge / node)", "x 1 thread (edge / node)"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        sp = r.softpower
        lines.append("| " + " | ".join([
            r.label, f"{r.n:,}", r.peer.tool, si(r.peer.edge_rate), si(r.peer.node_rate),
            si(sp.edge_rate if sp else None), si(sp.node_rate if sp else None),
            times(r.ratio("edge")), times(r.ratio("node")),
            f"{times(r.ratio('edge', whole=True))} / {times(r.ratio('node', whole=True))}",
            f"{times(r.ratio('edge', single=True))} / {times(r.ratio('node', single=True))}"
        ]) + " |")
    stat = ["", "### Statistics", "", "| model | n | statistic | peer | softpower | verdict |",
            "|---|---|---|---|---|---|"]
    for r in rows:
        if r.statistic:
            stat.append(f"| {r.label} | {r.n:,} | {r.statistic} | {r.peer_value} | "
                        f"{r.softpower_value or 'TODO'} | {r.verdict or 'TODO'} |")
    timing = ["", "### What was timed and counted", "",
              "| model | n | tool | timed | one iteration counts |", "|---|---|---|---|---|"]
    for r in rows:
        for tp in (r.peer, r.softpower, r.softpower_1t):
            if tp is not None:
                timing.append(f"| {r.label} | {r.n:,} | {tp.tool} | {tp.note} | "
                              f"{tp.per_iteration} |")
    same = [f"- SIR at n = {r.n:,}: for the same {r.peer.runs} runs softpower counted "
            f"{r.softpower.edge_visits / r.peer.edge_visits:.0f}x NDlib's edge visits; "
            f"wall time NDlib / softpower = {r.peer.seconds / r.softpower.seconds:.1f}x "
            f"(phase), {r.peer.seconds / r.softpower.whole_seconds:.1f}x (whole sim), "
            f"{r.peer.seconds / r.softpower_1t.seconds:.1f}x (1 thread)."
            for r in rows if r.model == "sir" and r.softpower and r.softpower_1t]
    if same:
        same = ["", "### Same runs, wall time", ""] + same
    return "\n".join(lines + stat + timing + same) + "\n"


NOTES = """
### Notes

- The peers are single-threaded Python; softpower runs on `--threads 2` (this machine's
  two cores). The "(1 thread)" column is the per-core comparison.
- NDlib 6.0.1 HK (`ndlib/models/opinions/HKModel.py`, line 137): the update
  `actual_status[n1] = new_op` is outside the loop over the n picked nodes, so one node
  moves per iteration while every neighbour read is still done. Each pick also copies the
  node list (`list(self.graph.nodes)`, line 111), O(n) per pick, so an iteration is
  O(n^2): one iteration at 100k nodes takes over a minute. NDlib's HK uses strict `<` and
  excludes self; softpower's HK (`<=`, self included) is checked against a numpy
  reference instead.
- NDlib's voter does one node update per iteration plus O(n) bookkeeping (a node list
  and a status count), hence its very low node rate; its edge visits are the updated
  node's neighbour list.
- The opinion scenarios start trust at 0, as the peers have none. softpower's
  social-influence phase still moves trust by Friedkin-Johnsen: HK in the same pass over
  the ties (that work is not counted, so its rates are conservative); voter and Deffuant
  prove trust stays at +0 by one scan and leave their separate trust pass out.
- Deffuant: NDlib's node-driven pairs (random node, random neighbour: hubs are picked
  as partners far more often) and softpower's matchings (each node proposes to one
  random neighbour, a proposal wins when its random priority is the lowest at both
  ends: at most one partner per node per round) spread the interactions differently
  over the nodes; both sides get the same number of pair interactions per node on
  average (softpower's matched share per round is estimated by an independent numpy
  replica of the matching on the same graph). A pair attempt is one interaction drawn,
  whether or not the two are within the bound.
- Lean Mesa voter: agents hold their neighbours' agent objects (built before timing) and
  draw with `random.choice`, no grid; the model still steps with Mesa's `shuffle_do`.
  The network-grid version (`voter (Mesa)`) is kept for comparison with earlier runs.
- SIR: softpower `sir_transmission = "per_contact"`, `transmissibility = -ln(1 - beta)`,
  `self_weight = 0`; its initial infected are Binomial(n, share), NDlib's exactly
  share x n. softpower reads the rows of infected people and of their neighbours (every
  susceptible pulls from its contacts), NDlib only the infected nodes' rows (infected
  nodes push): the per-edge-visit ratio credits softpower with reads NDlib skips. For the same runs (same ticks) the wall-time ratio is the
  per-node-update ratio (both count n per tick).
- For Deffuant, SIR and voter "x per node update" is the wall-time ratio for the same
  simulation (same pair interactions per node, same ticks, same sweeps); "x per edge
  visit" is larger wherever softpower reads more entries for the same simulation.
- Voter: softpower is synchronous (`self_weight = 0`), Mesa and NDlib asynchronous. The
  degree-weighted +1 share is a martingale in both, so its mean must agree; the
  discordant-edge density rho after the same number of sweeps is not expected to.
- Budget-timed rows (see "timed") extrapolate a per-iteration rate from the iterations
  done; rates are totals of counted work over totals of timed seconds.
"""


def write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def environment(binary: Path | None) -> dict:
    packages = {p: metadata.version(p) for p in
                ("ndlib", "networkx", "mesa", "numpy", "scipy")}
    env = {"python": platform.python_version(), "machine": platform.machine(),
           "cpus": os.cpu_count(), "packages": packages}
    if binary is not None:
        v = subprocess.run([str(binary), "--version"], capture_output=True, text=True)
        env["softpower"] = v.stdout.strip()
    return env


# ---------------------------------------------------------------- main


MODELS = ("hk", "deffuant", "sir", "voter_ndlib", "voter_mesa", "voter_mesa_lean")


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--softpower", type=Path,
                   help="softpower binary (omit to fill softpower's columns with TODO)")
    p.add_argument("--sizes", default="10000,100000", help="comma-separated graph sizes")
    p.add_argument("--stats-size", type=int, default=None,
                   help="size at which the slow peers' cluster statistics are compared "
                        "(default: the smallest size; one not in --sizes skips them)")
    p.add_argument("--quick", action="store_true",
                   help="smoke run: 10k only, fewer runs, short budgets")
    p.add_argument("--models", default=",".join(MODELS),
                   help=f"comma-separated subset of {','.join(MODELS)}")
    p.add_argument("--work", type=Path, default=HERE / "work",
                   help="folder for edge lists, scenarios and softpower outputs")
    p.add_argument("--results", type=Path, default=HERE / "results",
                   help="output prefix: writes PREFIX.md and PREFIX.json")
    return p.parse_args()


def main() -> None:
    a = parse_args()
    s = Settings.from_args(a)
    models = a.models.split(",")
    unknown = set(models) - set(MODELS)
    if unknown:
        sys.exit(f"unknown models {sorted(unknown)}; choose from {MODELS}")
    a.work.mkdir(parents=True, exist_ok=True)
    sp = None
    if a.softpower is not None:
        if not os.access(a.softpower, os.X_OK):
            sys.exit(f"{a.softpower}: not an executable softpower binary")
        sp = Softpower(a.softpower.resolve(), a.work.resolve())
    load_before = os.getloadavg()
    print(f"load average before (1, 5, 15 min): {load_before}", flush=True)
    if load_before[0] > 0.5:
        log("warning: 1-minute load average above 0.5: if something else is running, "
            "the timings of both sides are distorted")
    env = environment(sp.binary if sp else None)
    started = time.perf_counter()
    rows: list[Row] = []
    for n in s.sizes:
        log(f"graph: Barabási–Albert n = {n}, m = {M}")
        bench = Bench(Graph.build(n, a.work), s, sp)
        for name in models:
            log(f"{name} at n = {n}")
            r = getattr(bench, name)()
            r.raw["graph"] = {"n": n, "m": bench.g.m, "directed_entries": bench.g.entries,
                              "max_degree": int(bench.g.deg.max())}
            rows.append(r)
            log(f"  {r.peer.tool}: {si(r.peer.edge_rate)} edge visits/s, "
                f"{si(r.peer.node_rate)} node updates/s; x per edge visit "
                f"{times(r.ratio('edge'))}, per node update {times(r.ratio('node'))}")
    load_after = os.getloadavg()
    elapsed = time.perf_counter() - started
    md = (f"# Peer race: softpower vs NDlib and Mesa\n\n"
          f"Barabási–Albert graphs (m = {M}, networkx seed {GRAPH_SEED}); "
          f"{'quick' if s.quick else 'full'} run, {elapsed / 60:.1f} min; load average "
          f"before {tuple(round(x, 2) for x in load_before)}, after "
          f"{tuple(round(x, 2) for x in load_after)} on {os.cpu_count()} cores.\n"
          f"{env.get('softpower', 'softpower: not run')}; Python {env['python']}; "
          + ", ".join(f"{k} {v}" for k, v in env["packages"].items()) + ".\n"
          f"Read race.py's docstring for what each number means.\n\n"
          + equal_table(rows, load_before) + "### Per edge visit and per node update\n\n"
          + table(rows) + NOTES)
    result = {
        "settings": asdict(s),
        "environment": env,
        "load_average_before": load_before,
        "load_average_after": load_after,
        "elapsed_seconds": elapsed,
        "parameters": {"hk_eps_01": HK_EPS, "deffuant_eps_01": DEFFUANT_EPS,
                       "deffuant_mu": DEFFUANT_MU, "pair_rounds": PAIR_ROUNDS,
                       "sir_beta_ndlib": SIR_BETA,
                       "sir_transmissibility_softpower": -math.log(1 - SIR_BETA),
                       "sir_gamma": SIR_GAMMA, "sir_seed_share": SIR_SEED_SHARE,
                       "sir_ticks": SIR_TICKS, "cluster_gap": CLUSTER_GAP,
                       "major_share": MAJOR_SHARE},
        "rows": [{
            "model": r.model, "label": r.label, "n": r.n,
            "peer": r.peer.summary(),
            "softpower": r.softpower.summary() if r.softpower else None,
            "softpower_1_thread": r.softpower_1t.summary() if r.softpower_1t else None,
            "ratio_per_edge_visit": r.ratio("edge"),
            "ratio_per_node_update": r.ratio("node"),
            "ratio_per_edge_visit_whole_simulation": r.ratio("edge", whole=True),
            "ratio_per_edge_visit_1_thread": r.ratio("edge", single=True),
            "ratio_per_node_update_1_thread": r.ratio("node", single=True),
            "equal_terms_ratio": r.equal(),
            "equal_terms_ratio_whole_simulation": r.equal(whole=True),
            "equal_terms_ratio_1_thread": r.equal(single=True),
            "equal_terms_ratio_1_thread_whole_simulation": r.equal(single=True, whole=True),
            "target": r.target(),
            "statistic": r.statistic, "peer_value": r.peer_value,
            "softpower_value": r.softpower_value, "verdict": r.verdict, "raw": r.raw,
        } for r in rows],
    }
    a.results.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(a.results.with_suffix(".md"), md)
    write_atomic(a.results.with_suffix(".json"), json.dumps(result, indent=2) + "\n")
    print(md)
    print(f"load average after (1, 5, 15 min): {load_after}")


if __name__ == "__main__":
    main()
