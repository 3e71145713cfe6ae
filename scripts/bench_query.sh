#!/usr/bin/env bash
# BENCHMARKS.md §5: the local evaluation of the §7.2 questions against chdb running their
# rendered SQL over the same simulated points, in one run.
#
#   scripts/bench_query.sh [PLATFORMS] [HOURS]     (default 20 24)
set -euo pipefail
cd "$(dirname "$0")/.."
PLATFORMS="${1:-20}"
HOURS="${2:-24}"
UNTIL=2026-11-28T09:00:00Z
UNTIL_S=1795856400
STORE="$PWD/target/bench-store-$PLATFORMS-$HOURS"
PYTHON="$(./scripts/chdb.sh)"

cargo build --release -p nno-obs-cli
if [ ! -d "$STORE" ]; then
  ./target/release/nno-obs simulate --platforms "$PLATFORMS" --hours "$HOURS" --seed 1 \
    --until "$UNTIL" --store "$STORE" > /dev/null
fi
DATASET=k3m9p2xw7q-perf
echo "points in $DATASET: $(zcat "$STORE"/analytics-engine/$DATASET/*/*/*.json.gz | wc -l)"

# The local evaluator (divan).
NNO_BENCH_STORE="$STORE" NNO_BENCH_PLATFORM=k3m9p2xw7q NNO_BENCH_UNTIL=$UNTIL_S \
  cargo bench -p nno-obs-query --bench local_vs_clickhouse -- --sample-count 10 --sample-size 1

# chdb: the same statements (feature stats, slowest, most-erroring), median of 10 runs each.
STRUCTURE_FILE="$(mktemp)"
cargo run -q --release -p nno-obs-query --example structure > "$STRUCTURE_FILE"
for question in features slowest-endpoints erroring-endpoints; do
  ./target/release/nno-obs query "$question" --platform k3m9p2xw7q --range 24h --until "$UNTIL" --sql \
    --store "$STORE" | sed 's/;$//'
done | "$PYTHON" scripts/chdb_bench.py "$STORE" "$DATASET" 10 "$STRUCTURE_FILE"
rm -f "$STRUCTURE_FILE"
