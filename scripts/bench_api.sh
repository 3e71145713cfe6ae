#!/usr/bin/env bash
# The read API under load (BENCHMARKS.md §7): simulates 24 h × 20 platforms into
# target/bench-store-api once (release), then runs 64 concurrent clients for 30 s against
# `nno-obs serve` on loopback (nno-obs-cli/benches/serve_load.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
store="${NNO_BENCH_STORE:-target/bench-store-api}"
if [ ! -d "$store/analytics-engine" ]; then
  cargo run --release -p nno-obs-cli -- simulate --platforms 20 --hours 24 --seed 1 \
    --until 2026-11-28T00:00:00Z --store "$store"
fi
NNO_BENCH_STORE="$(realpath "$store")" cargo bench -p nno-obs-cli --bench serve_load
