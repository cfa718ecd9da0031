#!/usr/bin/env bash
# The scaling benchmark of the whole model (README "Performance"): for each size N, runs
# the generated scenario with every instrument on and the Friedkin-Johnsen-only scenario on
# the same graph, and prints build time, time per tick by phase and peak memory.
#     cargo build --release
#     benches/whole_model/run.sh 10000 100000 1000000       # THREADS=2 TICKS=20 by default
# Each size runs once per mode; repeat the command to get several samples. Peak memory is
# the maximum resident set size of the whole `softpower run` process (GNU time); "load" is
# the 1-minute load average when the run ended (the machine may be shared: compare the
# two modes of one size, run back to back, rather than absolute times).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${BIN:-$here/../../target/release/softpower}
threads=${THREADS:-2}
ticks=${TICKS:-20}
# The survey series of timeseries.csv are recording, not model work: left out of both modes
# (binaries older than the flag have none to leave out).
series=()
if "$bin" run --help | grep -q -- --no-survey-series; then series=(--no-survey-series); fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
phases="budget events listening messaging exchanges propaganda misinformation social_influence diplomacy forgetting"
printf "| N | mode | build s | tick ms |"
for p in $phases; do printf " %s |" "$p"; done
printf " peak MB | load |\n"
for n in "$@"; do
  for mode in all fj; do
    "$here/scenario.sh" "$n" "$mode" > "$work/s.toml"
    /usr/bin/time -f "%M" -o "$work/rss" "$bin" run "$work/s.toml" --out "$work/out" --force \
      --threads "$threads" --ticks "$ticks" --no-plots --no-attribution "${series[@]}" -q
    t="$work/out/timing.json"
    printf "| %s | %s | %.2f | %.1f |" "$n" "$mode" "$(jq .build_seconds "$t")" \
      "$(jq ".simulate_seconds * 1000 / $ticks" "$t")"
    for p in $phases; do printf " %.2f |" "$(jq ".phase_seconds.$p * 1000 / $ticks" "$t")"; done
    printf " %d | %s |\n" "$(( $(cat "$work/rss") / 1024 ))" "$(cut -d' ' -f1 /proc/loadavg)"
  done
done
