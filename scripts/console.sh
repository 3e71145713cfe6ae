#!/usr/bin/env bash
# The console in a real browser: simulates a small store (3 platforms, 6 hours), runs
# `nno-obs serve` over it on loopback, and visits every page as an operator and as a platform
# admin in headless Chromium (e2e/console/console.test.mjs): no console error, no failed
# request, screenshots under target/console-shots/. Installs what it needs on first use:
# Debian's `chromium` (apt-get) and npm's `playwright-core` (e2e/console, pinned in its lock).
#
#   scripts/console.sh          run it (called by scripts/test.sh as its own step)
set -euo pipefail
cd "$(dirname "$0")/.."

chromium=$(scripts/chromium.sh)

cargo build -q -p nno-obs-cli --bin nno-obs
bin=target/debug/nno-obs
work=target/console-run
shots=target/console-shots
rm -rf "$work"
mkdir -p "$work" "$shots"
# Its own screenshots only: target/console-shots/worker/ is the Worker's run's (scripts/e2e.sh).
find "$shots" -maxdepth 1 -name '*.png' -delete
# A fixed day, served as if ten minutes after it: the same pages every run.
until=2026-02-22T12:00:00Z
"$bin" simulate --platforms 3 --hours 6 --seed 3 --until "$until" --store "$work/store" \
  --format json >"$work/simulate.json"
printf 'console browser test secret\n' >"$work/secret"
mapfile -t platforms < <(ls "$work/store" | sed -n 's/^nno-logs-\([a-z0-9]\{10\}\)$/\1/p' | sort)
if [ "${#platforms[@]}" -lt 2 ]; then
  echo "console.sh: the simulated store has fewer than two platforms" >&2
  exit 1
fi
# The alert state the alerts pages show, made by the evaluator and `alerts silence` as an
# operator would: the first platform's auth Worker down while two of its features fail (from a
# measurements file: the 6-hour simulation has no such overlap), so its spikes are inhibited
# (docs/alerts.md "Inhibition"); then one spike silenced for 2 hours and evaluated again, so
# it reads silenced. `alerts silence` stamps the wall clock: the silence is moved to the
# simulated day (set 11:58:30, until 13:58:30) before the second evaluation.
node -e '
  const fs = require("node:fs");
  const [simulate, platform, out, at] = process.argv.slice(1);
  const name = JSON.parse(fs.readFileSync(simulate, "utf8")).schedule.platforms
    .find((p) => p.id === platform)?.name ?? platform;
  fs.writeFileSync(out, JSON.stringify({ atMs: Number(at), platforms: [{
    platformId: platform, platformName: name, authSilentMinutes: 3, authExpectedRequests: 30,
    features: [
      { feature: "analytics", errorRate: 0.124, windowMinutes: 5 },
      { feature: "reports", errorRate: 0.09, windowMinutes: 5 },
    ] }] }));
' "$work/simulate.json" "${platforms[0]}" "$work/measurements.json" 1771761480000
"$bin" alerts check --measurements "$work/measurements.json" --state "$work/alerts.json" >/dev/null
"$bin" alerts silence "worker-error-spike/${platforms[0]}/reports" --for 2h \
  --reason "a fix is deploying" --author console.sh --state "$work/alerts.json" >/dev/null
node -e '
  const fs = require("node:fs");
  const file = process.argv[1];
  const state = JSON.parse(fs.readFileSync(file, "utf8"));
  for (const s of state.silences) { s.createdMs = 1771761510000; s.untilMs = 1771768710000; }
  fs.writeFileSync(file, JSON.stringify(state));
' "$work/alerts.json"
sed -i 's/"atMs":1771761480000/"atMs":1771761540000/' "$work/measurements.json"
"$bin" alerts check --measurements "$work/measurements.json" --state "$work/alerts.json" >/dev/null
port=$((20000 + RANDOM % 20000))
"$bin" serve --store "$work/store" --listen "127.0.0.1:$port" --jwt-secret-file "$work/secret" \
  --alert-state "$work/alerts.json" --at 2026-02-22T12:10:00Z >"$work/serve.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$port/api/observability/health" >/dev/null 2>&1; then break; fi
  sleep 0.1
done

NNO_CONSOLE_URL="http://127.0.0.1:$port" \
NNO_CONSOLE_SHOTS="$PWD/$shots" \
NNO_CHROMIUM="$chromium" \
NNO_PLATFORM="${platforms[0]}" \
NNO_OTHER_PLATFORM="${platforms[1]}" \
NNO_OPERATOR_TOKEN="$("$bin" token --jwt-secret-file "$work/secret" --role operator --valid-for 1h)" \
NNO_ADMIN_TOKEN="$("$bin" token --jwt-secret-file "$work/secret" --role platform-admin --platform "${platforms[0]}" --valid-for 1h)" \
  node --test --test-concurrency=1 --test-reporter=spec e2e/console/console.test.mjs e2e/console/axe.test.mjs
echo "screenshots: $shots/"
