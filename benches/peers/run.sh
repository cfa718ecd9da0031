#!/usr/bin/env bash
# Peer race: softpower against NDlib and Mesa on the same Barabási–Albert graphs.
# Not part of `cargo test`. Creates benches/peers/.venv, installs the pinned Python
# packages, builds softpower in release mode and runs race.py, which writes
# benches/peers/results.md and results.json (what is measured: race.py's docstring),
# with a table of the same simulated work (medians over seeded runs) first.
#
#   bash benches/peers/run.sh                    # 10k and 100k nodes, about 11 min
#   bash benches/peers/run.sh --quick            # 10k only, short runs, about 1 min
#   bash benches/peers/run.sh --sizes 10000 --models sir,voter_mesa
#   bash benches/peers/run.sh --sizes 100000 --stats-size 10000 \
#       --models deffuant,sir,voter_mesa_lean,voter_mesa,voter_ndlib   # the equal-terms targets
#   SOFTPOWER_BIN=target/release/softpower bash benches/peers/run.sh   # skip the build
#
# Run it on an otherwise idle machine: both sides are timed by wall clock.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$here/.venv"

if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"

if [[ -z "${SOFTPOWER_BIN:-}" ]]; then
    (cd "$root" && cargo build --release --quiet)
    SOFTPOWER_BIN="$root/target/release/softpower"
fi

exec "$venv/bin/python" "$here/race.py" --softpower "$SOFTPOWER_BIN" "$@"
