#!/usr/bin/env bash
# The voter model at 100k populations as the peer race runs it (benches/peers/race.py:
# Barabási–Albert m = 5, one actor, attitudes ±1, self_weight 0, no decay), timed side by
# side for two softpower binaries: runs alternate A, B, A, B, ... so machine load hits
# both alike. Prints per run and the medians of node updates per second in the social
# phase and over the whole simulation (from timing.json), and the ratios B / A.
#     cargo build --release
#     A=/path/to/old/softpower benches/voter/run.sh            # B = this tree's release
#     RUNS=7 THREADS=1 N=100000 TICKS=300 EDGES=ba_100000.edges A=... benches/voter/run.sh
# EDGES: an edge list (race.py writes networkx's BA graph as ba_<N>.edges in its work
# folder); without it softpower generates its own BA graph of the same law.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
a=${A:?set A to the binary to compare against}
b=${B:-$here/../../target/release/softpower}
runs=${RUNS:-5}
threads=${THREADS:-2}
n=${N:-100000}
ticks=${TICKS:-300}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [[ -n "${EDGES:-}" ]]; then
  cp "$EDGES" "$work/g.edges"
  graph='{ model = "edge_list", file = "g.edges" }'
else
  graph='{ model = "barabasi_albert", m = 5 }'
fi
cat > "$work/voter.toml" <<TOML
[scenario]
name = "voter_$n"
seed = 1
ticks = 1
dimensions = ["opinion"]
[model]
social_model = "voter"
self_weight = 0
attitude_decay = 0
familiarity_decay = 0
[[actor]]
id = "issue"
name = "issue"
[[generate]]
prefix = "person"
count = $n
graph = $graph
stubbornness = 0
[generate.opinion.issue]
attitude = [{ dist = "normal", mean = 0, sd = 1e6 }]
TOML
for r in $(seq 1 "$runs"); do
  for side in A B; do
    bin=$a; [[ $side == B ]] && bin=$b
    "$bin" run "$work/voter.toml" --out "$work/out" --force --no-plots --no-attribution \
      --threads "$threads" --quiet --seed $((1000 + r)) --ticks "$ticks"
    python3 -c 'import json,sys; t=json.load(open(sys.argv[1])); print(sys.argv[2], t["phase_seconds"]["social_influence"], t["simulate_seconds"])' \
      "$work/out/timing.json" "$side"
  done
done | python3 -c '
import sys, statistics as st
n, ticks = int(sys.argv[1]), int(sys.argv[2])
runs = {"A": [], "B": []}
for line in sys.stdin:
    side, phase, sim = line.split()
    runs[side].append((float(phase), float(sim)))
    print(f"run {side}: phase {float(phase):.3f} s, simulate {float(sim):.3f} s", flush=True)
med = {s: [st.median(v[i] for v in runs[s]) for i in (0, 1)] for s in runs}
for s in "AB":
    ph, sim = med[s]
    print(f"{s}: median phase {ph:.3f} s ({n * ticks / ph / 1e6:.1f}M updates/s), "
          f"simulate {sim:.3f} s ({n * ticks / sim / 1e6:.1f}M updates/s)")
(pa, sa), (pb, sb) = med["A"], med["B"]
print(f"B / A speed: phase {pa / pb:.2f}x, simulate {sa / sb:.2f}x")
' "$n" "$ticks"
