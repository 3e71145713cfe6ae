#!/usr/bin/env bash
# Prints the path of Debian's Chromium, installing it (apt-get) when missing, and makes sure
# npm's playwright-core (e2e/console, pinned in its lock) is there: what the console's browser
# tests need (scripts/console.sh against `nno-obs serve`, scripts/e2e.sh against the Worker).
set -euo pipefail
cd "$(dirname "$0")/.."

chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
  echo "installing Debian's chromium (apt-get)" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  chromium=$(command -v chromium)
fi
if [ ! -d e2e/console/node_modules/playwright-core ]; then
  (cd e2e/console && npm ci --no-audit --no-fund --silent) >&2
fi
echo "$chromium"
