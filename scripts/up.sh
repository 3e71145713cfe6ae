#!/usr/bin/env bash
# The README's first command: the observability console on simulated data, served locally.
#
# Builds the `nno-obs` tool and the demo (release), writes the demo's trace (tr_demo0001)
# and a simulated fleet — 10 platforms, the last 12 hours up to now, with their scheduled
# incidents — into a store of its own, then runs `nno-obs serve` over it on loopback. Open the
# operator login link it prints. Nothing leaves the machine; no account is needed.
#
#   scripts/up.sh                        the console on http://127.0.0.1:8080
#   scripts/up.sh --listen 127.0.0.1:9000   any other `nno-obs serve` option
#
# The store (target/nno-obs-console-store) is written afresh each run, so the simulated day
# always ends now and the console's 1 h / 24 h ranges show it.
set -euo pipefail
cd "$(dirname "$0")/.."

store=target/nno-obs-console-store
cargo build --release -q -p nno-obs-cli -p nno-obs-demo
rm -rf "$store"
target/release/nno-obs-demo --store "$store"
echo
target/release/nno-obs simulate --platforms 10 --hours 12 --store "$store"
echo
exec target/release/nno-obs serve --store "$store" "$@"
