#!/usr/bin/env bash
# The sensitivity benchmark (issue 14): a Sobol analysis of scenarios/middle_power_uncertain.toml
# (10 uncertain parameters since the persistence priors; 8 before) with N base samples,
# i.e. N(10 + 2) simulations, on THREADS threads.
# Target: N = 1024 (12,288 simulations; the target was set for 10,240) in under 10 s on 2 threads.
#     cargo build --release
#     benches/sensitivity/run.sh                 # N = 1024, 5 repetitions, THREADS=2
#     REPS=1 benches/sensitivity/run.sh 256 4096 # peak memory against N
# Prints the seconds of each repetition (timing.json: the design's runs and the estimators,
# not loading), their median, the median CPU seconds (user + system, GNU time) divided by
# the threads (what the wall time would be on idle cores: compare the two to see how busy
# the machine was), and the peak resident memory of the process.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$here/../..
bin=${BIN:-$root/target/release/softpower}
threads=${THREADS:-2}
reps=${REPS:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ $# -eq 0 ] && set -- 1024
printf "| N | simulations | threads | seconds (each) | median s | median CPU s / threads | peak MB |\n|---|---|---|---|---|---|---|\n"
for n in "$@"; do
  secs=()
  cpus=()
  peak=0
  for _ in $(seq "$reps"); do
    /usr/bin/time -f "%M %U %S" -o "$work/rss" "$bin" sensitivity "$root/scenarios/middle_power_uncertain.toml" \
      --samples "$n" --threads "$threads" --out "$work/out" --force --no-plots -q
    secs+=("$(jq .seconds "$work/out/timing.json")")
    sims=$(jq .simulations "$work/out/timing.json")
    read -r rss user sys < "$work/rss"
    cpus+=("$(echo "($user + $sys) / $threads" | bc -l)")
    [ "$rss" -gt "$peak" ] && peak=$rss
  done
  med() { printf "%s\n" "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
  printf "| %s | %.0f | %s | %s | %.2f | %.2f | %d |\n" "$n" "$sims" "$threads" \
    "$(printf "%.2f " "${secs[@]}")" "$(med "${secs[@]}")" "$(med "${cpus[@]}")" "$((peak / 1024))"
done
