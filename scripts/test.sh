#!/usr/bin/env bash
# Runs every test of the project: unit, integration, property, UI (trybuild) and doc tests of
# the workspace; the differential tests of the log search's and the metrics questions'
# ClickHouse SQL on chdb (installed from PyPI into .tools/ on first use); the alert
# evaluator's replay of a simulated day (release); the W3C Trace Context suite (scripts/w3c.sh: it runs
# where a copy of the suite is in .tools/, and otherwise says it skipped;
# tests/w3c_trace_context.rs pins the same behaviour in the cargo tests); then the end-to-end
# test of the real Workers in workerd (scripts/e2e.sh, which installs its own tools from
# crates.io and npm on first use).
# This is the README's test command; .ci/run calls it too.
#
#   scripts/test.sh            everything
#   NNO_SKIP_E2E=1 scripts/test.sh   without the end-to-end test (no Node.js needed)
#   NNO_SKIP_W3C=1 scripts/test.sh   without the W3C suite
set -euo pipefail
cd "$(dirname "$0")/.."

cargo test --workspace

# The ClickHouse rendering of the log query against the Rust search, on chdb (the embedded
# ClickHouse from PyPI, installed once into the git-ignored .tools/chdb by scripts/chdb.sh).
NNO_CHDB_PYTHON="$(./scripts/chdb.sh)" \
  cargo test -p nno-obs-logs --test clickhouse -- --ignored

# The Analytics Engine SQL of every metrics question against the local evaluator, on chdb over
# tables with Analytics Engine's schema (generated points and the fleet simulator's).
NNO_CHDB_PYTHON="$(./scripts/chdb.sh)" \
  cargo test -p nno-obs-query --test clickhouse -- --ignored

# The alerts' proof on a simulated day (seed §6.2): the simulator writes 24 h of six platforms through the
# instrumented Workers, the alert evaluator replays it minute by minute through the query
# layer, and every incident must fire its alert, resolve, and nothing else fire (release: a
# simulated day is too slow for a debug build; the 2-hour version runs in `cargo test`).
cargo test --release -p nno-obs-alerts --test simulator_replay -- --ignored

if [ "${NNO_SKIP_W3C:-0}" != 1 ]; then
  ./scripts/w3c.sh
fi

if [ "${NNO_SKIP_E2E:-0}" != 1 ]; then
  ./scripts/e2e.sh
fi
