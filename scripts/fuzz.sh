#!/usr/bin/env bash
# Runs every fuzz target for a bounded time (default 600 s each) with cargo-fuzz on the
# nightly toolchain. Not part of CI: crashes it finds are fixed and kept as regression tests.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET…]
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds="${1:-600}"; shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(solution_reader odata_url json_value)
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
for t in "${targets[@]}"; do
  echo "== $t for ${seconds}s"
  cargo +nightly fuzz run "$t" -- -max_total_time="$seconds" -print_final_stats=1 2>&1 | tail -25
done
