#!/usr/bin/env bash
# The soak (crates/cli/benches/load/soak.rs): S2 for ten minutes (or SECONDS) at 80 % of the
# S2 peak measured while a fault load runs, on SQLite; prints errors, RSS at 1 minute and at
# the end, and S2's p99 with and without the fault load. The README records a run.
# Usage: scripts/soak.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
SWITCHBOARD_LOAD_SOAK_SECS="${1:-600}" exec cargo bench -p switchboard --bench load
