#!/usr/bin/env bash
# BENCHMARKS.md §5: the local evaluation of the §7.2 questions against chdb running their
# rendered SQL over the same simulated points, in one run.
#
#   scripts/bench_query.sh [PLATFORMS] [HOURS]     (default 20 24)
#
# The questions ask about the first platform (k3m9p2xw7q) over the whole simulated period
# (the HOURS before the fixed end), so `20 24` and `1 240` read 24 and 240 hours of its points.
# Steps: simulate (release, once per store); the local evaluator cold (every columnar sidecar
# removed, then one `nno-obs query` builds them) and warm (the CLI, for wall time and peak RSS;
# divan, for the evaluator itself, from the sidecars and from the JSON only); then chdb on the
# same statements, from a MergeTree table loaded once and from the same gzip files.
set -euo pipefail
cd "$(dirname "$0")/.."
PLATFORMS="${1:-20}"
HOURS="${2:-24}"
UNTIL=2026-11-28T09:00:00Z
UNTIL_S=1795856400
STORE="$PWD/target/bench-store-$PLATFORMS-$HOURS"
PYTHON="$(./scripts/chdb.sh)"
BIN=./target/release/nno-obs

cargo build --release -p nno-obs-cli
if [ ! -d "$STORE" ]; then
  "$BIN" simulate --platforms "$PLATFORMS" --hours "$HOURS" --seed 1 \
    --until "$UNTIL" --store "$STORE" > /dev/null
fi
DATASET=k3m9p2xw7q-perf
FOLDER="$STORE/analytics-engine/$DATASET"
echo "points in $DATASET: $(zcat "$FOLDER"/*/*/*.json.gz | wc -l)" \
  "in $(ls "$FOLDER"/*/*/*.json.gz | wc -l) files, $(du -ch "$FOLDER"/*/*/*.json.gz | tail -1 | cut -f1) gzip"
echo "load: $(uptime)"

query() {
  "$BIN" query "$1" --platform k3m9p2xw7q --range "${HOURS}h" --until "$UNTIL" --store "$STORE" "${@:2}"
}
TIME_FORMAT="%e s wall, %M KB peak RSS"

# Cold: no sidecar; the first question builds every sidecar it reads (from the .json.gz).
find "$FOLDER" -name '*.json.gz.cols' -delete
echo -n "cold   features (builds the sidecars): "
/usr/bin/time -f "$TIME_FORMAT" "$BIN" query features --platform k3m9p2xw7q --range "${HOURS}h" \
  --until "$UNTIL" --store "$STORE" 2>&1 > /dev/null
echo "sidecars: $(ls "$FOLDER"/*/*/*.json.gz.cols | wc -l) files, $(du -ch "$FOLDER"/*/*/*.json.gz.cols | tail -1 | cut -f1)"
# Warm, the whole CLI (process start to answer).
for question in features slowest-endpoints erroring-endpoints; do
  echo -n "warm   $question: "
  /usr/bin/time -f "$TIME_FORMAT" "$BIN" query "$question" --platform k3m9p2xw7q --range "${HOURS}h" \
    --until "$UNTIL" --store "$STORE" 2>&1 > /dev/null
done

# The local evaluator (divan, warm): from the sidecars, and from the JSON only.
NNO_BENCH_STORE="$STORE" NNO_BENCH_PLATFORM=k3m9p2xw7q NNO_BENCH_UNTIL=$UNTIL_S NNO_BENCH_RANGE="${HOURS}h" \
  cargo bench -p nno-obs-query --bench local_vs_clickhouse -- --sample-count 10 --sample-size 1

# chdb: the same statements (feature stats, slowest, most-erroring), median of 10 runs each.
STRUCTURE_FILE="$(mktemp)"
cargo run -q --release -p nno-obs-query --example structure > "$STRUCTURE_FILE"
for question in features slowest-endpoints erroring-endpoints; do
  query "$question" --sql | sed 's/;$//'
done | "$PYTHON" scripts/chdb_bench.py "$STORE" "$DATASET" 10 "$STRUCTURE_FILE"
rm -f "$STRUCTURE_FILE"
echo "load: $(uptime)"
