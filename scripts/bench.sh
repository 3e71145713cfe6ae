#!/usr/bin/env bash
# Runs every benchmark of BENCHMARKS.md: divan tables for scenarios 1-3 (every comparison
# runs both sides in the same run), then the console sink's lines per second (scenario 4)
# with stdout sent to /dev/null.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo bench -p nno-obs-benches --bench step --bench handler --bench log_line -- \
  --sample-size 200 --sample-count 300
cargo bench -p nno-obs-benches --bench console > /dev/null
