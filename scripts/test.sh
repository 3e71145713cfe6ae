#!/usr/bin/env bash
# Runs every test of the project: unit, integration, property, UI (trybuild) and doc tests of
# the workspace, then the W3C Trace Context suite (scripts/w3c.sh: it runs where a copy of the
# suite is in .tools/, and otherwise says it skipped; tests/w3c_trace_context.rs pins the same
# behaviour in the cargo tests), then the end-to-end test of the real Workers in workerd
# (scripts/e2e.sh, which installs its own tools from crates.io and npm on first use).
# This is the README's test command; .ci/run calls it too.
#
#   scripts/test.sh            everything
#   NNO_SKIP_E2E=1 scripts/test.sh   without the end-to-end test (no Node.js needed)
#   NNO_SKIP_W3C=1 scripts/test.sh   without the W3C suite
set -euo pipefail
cd "$(dirname "$0")/.."

cargo test --workspace

if [ "${NNO_SKIP_W3C:-0}" != 1 ]; then
  ./scripts/w3c.sh
fi

if [ "${NNO_SKIP_E2E:-0}" != 1 ]; then
  ./scripts/e2e.sh
fi
