#!/usr/bin/env bash
# Runs every test of the project: unit, integration, property, UI (trybuild) and doc tests of
# the workspace; the differential tests of the log search's and the metrics questions'
# ClickHouse SQL on chdb (installed from PyPI into .tools/ on first use); the alert
# evaluator's replay of a simulated day (release); the W3C Trace Context suite (scripts/w3c.sh: it runs
# where a copy of the suite is in .tools/, and otherwise says it skipped — a skip named in the
# summary; tests/w3c_trace_context.rs pins the same behaviour in the cargo tests, and
# tests/w3c_service.rs drives the suite's test service on loopback); then the end-to-end
# test of the real Workers in workerd (scripts/e2e.sh, which installs its own tools from
# crates.io and npm on first use); then the console in headless Chromium (scripts/console.sh,
# which installs Debian's chromium and npm's playwright-core on first use).
# This is the README's test command; .ci/run calls it too.
#
#   scripts/test.sh            everything
#   NNO_SKIP_E2E=1 scripts/test.sh   without the end-to-end test (no Node.js needed)
#   NNO_SKIP_W3C=1 scripts/test.sh   without the W3C suite
#   NNO_SKIP_CONSOLE=1 scripts/test.sh   without the console's browser test
#
# It ends with a summary: one line of totals per step, skipped steps named, then the steps'
# own totals alone on the last line, `N passed, N failed, N skipped`. A failing step stops the
# run (set -e); the summary of what ran is printed all the same, and the exit status is the
# failing step's.
set -euo pipefail
cd "$(dirname "$0")/.."

# Goldens and UI snapshots are compared here, never rewritten.
unset NNO_BLESS TRYBUILD

summary=()
steps_passed=0
steps_failed=0
steps_skipped=0
# The step in progress and the file its output goes to (for the summary if it fails).
running=
running_kind=
running_log=
logs=$(mktemp -d)

# The totals in a step's output: cargo's `test result:` lines, node's spec reporter, or the
# W3C suite's unittest summary.
totals() {
  local kind=$1 log=$2
  case "$kind" in
    cargo)
      awk '/^test result: /{
             for (i = 1; i <= NF; i++) {
               if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i;
               if ($(i+1) ~ /^ignored/) g += $i
             }
             n++
           }
           END { printf "%d passed, %d failed, %d ignored (%d test runs)", p, f, g, n }' "$log"
      ;;
    node)
      awk '/^ℹ pass /{p += $3} /^ℹ fail /{f += $3} /^ℹ skipped /{s += $3}
           END { printf "%d passed, %d failed, %d skipped", p, f, s }' "$log"
      ;;
    w3c)
      awk '/^Ran [0-9]+ test/{n = $2} /^FAILED/{ if (match($0, /failures=[0-9]+/)) f += substr($0, RSTART + 9, RLENGTH - 9);
                                               if (match($0, /errors=[0-9]+/)) f += substr($0, RSTART + 7, RLENGTH - 7) }
           END { printf "%d passed, %d failed", n - f, f }' "$log"
      ;;
    *) echo "see its message above" ;;
  esac
}

finish() {
  local status=$?
  if [ -n "$running" ]; then
    summary+=("$running: FAILED (exit $status): $(totals "$running_kind" "$running_log")")
    steps_failed=$((steps_failed + 1))
  fi
  rm -rf "$logs"
  echo
  echo "== scripts/test.sh summary =="
  local line
  for line in "${summary[@]}"; do
    echo "$line"
  done
  echo "$steps_passed passed, $steps_failed failed, $steps_skipped skipped"
  exit "$status"
}
trap finish EXIT

# step NAME KIND COMMAND...: runs COMMAND, its output shown and kept for the totals.
step() {
  running=$1
  running_kind=$2
  shift 2
  running_log="$logs/$steps_passed.log"
  echo "== $running =="
  "$@" 2>&1 | tee "$running_log"
  summary+=("$running: ok: $(totals "$running_kind" "$running_log")")
  steps_passed=$((steps_passed + 1))
  running=
}

skipped() {
  summary+=("$1: SKIPPED: $2")
  steps_skipped=$((steps_skipped + 1))
}

step "cargo tests" cargo cargo test --workspace

# The ClickHouse rendering of the log query against the Rust search, on chdb (the embedded
# ClickHouse from PyPI, installed once into the git-ignored .tools/chdb by scripts/chdb.sh).
# On its own line: a failed install stops the run here, with chdb.sh's own message.
running="chdb install (scripts/chdb.sh)"
running_kind=none
running_log=/dev/null
NNO_CHDB_PYTHON="$(./scripts/chdb.sh)"
export NNO_CHDB_PYTHON
running=

differential() {
  cargo test -p nno-obs-logs --test clickhouse -- --ignored
  # The Analytics Engine SQL of every metrics question against the local evaluator, on chdb
  # over tables with Analytics Engine's schema (generated points and the fleet simulator's).
  cargo test -p nno-obs-query --test clickhouse -- --ignored
  # The SQL API client against the SQL API's stand-in, a dataset never written included.
  cargo test -p nno-obs-query --test sql_api -- --ignored
  # `nno-obs cfae check` against the SQL API emulator refusing each SQL form in turn.
  cargo test -p nno-obs-cli --test cfae -- --ignored
}
step "differential tests (chdb)" cargo differential

# The alerts' proof on a simulated day (seed §5, §6.2): the simulator writes 24 h of 20 platforms through the
# instrumented Workers, the alert evaluator replays it minute by minute through the query
# layer, and every incident must fire its alert, resolve, and nothing else fire (release: a
# simulated day is too slow for a debug build; the 2-hour version runs in `cargo test`).
step "replay (a simulated day)" cargo \
  cargo test --release -p nno-obs-alerts --test simulator_replay -- --ignored

if [ "${NNO_SKIP_W3C:-0}" = 1 ]; then
  skipped "W3C Trace Context suite" "NNO_SKIP_W3C=1"
elif [ ! -f .tools/w3c-trace-context/test/test.py ]; then
  # scripts/w3c.sh says why and how to run it; the summary names the skip.
  ./scripts/w3c.sh
  skipped "W3C Trace Context suite" "not in .tools/w3c-trace-context (no registry ships it; see docs/w3c.md)"
else
  step "W3C Trace Context suite" w3c ./scripts/w3c.sh
fi

if [ "${NNO_SKIP_E2E:-0}" = 1 ]; then
  skipped "e2e (workerd)" "NNO_SKIP_E2E=1"
else
  step "e2e (workerd)" node ./scripts/e2e.sh
fi

if [ "${NNO_SKIP_CONSOLE:-0}" = 1 ]; then
  skipped "console (headless Chromium)" "NNO_SKIP_CONSOLE=1"
else
  step "console (headless Chromium)" node ./scripts/console.sh
fi
