#!/usr/bin/env bash
# End-to-end test of the nno-obs Workers in workerd.
#
#   scripts/e2e.sh            install what is missing, build the Workers (release), run the test
#   scripts/e2e.sh --bench    the same, then measure sizes and latency (figures in docs/workers.md)
#
# Tools are installed into .tools/ (git-ignored) and e2e/node_modules/, from crates.io and the
# npm registry only: worker-build would download wasm-bindgen and wasm-opt from GitHub, so it is
# given WASM_BINDGEN_BIN (wasm-bindgen-cli from crates.io, at the version in
# examples/workers/Cargo.lock), WASM_OPT_BIN (npm `binaryen`) and ESBUILD_BIN (npm `esbuild`).
# A second run with everything installed only rebuilds what changed and runs the test.
#
# Exit code: 0 when the test passed, non-zero otherwise.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORKERS="$ROOT/examples/workers"
E2E="$ROOT/e2e"
TOOLS="$ROOT/.tools"
BENCH=0
for arg in "$@"; do
  case "$arg" in
    --bench) BENCH=1 ;;
    *) echo "usage: scripts/e2e.sh [--bench]" >&2; exit 2 ;;
  esac
done

log() { printf '\n== %s (%ss)\n' "$*" "$SECONDS"; }

# The version of crate $1 in the Workers' Cargo.lock.
locked_version() {
  awk -v name="$1" '
    $0 == "[[package]]" { in_pkg = 1; found = 0; next }
    in_pkg && $0 == "name = \"" name "\"" { found = 1; next }
    in_pkg && found && $1 == "version" { gsub(/"/, "", $3); print $3; exit }
  ' "$WORKERS/Cargo.lock"
}

for tool in cargo rustup node npm; do
  command -v "$tool" >/dev/null || { echo "e2e: $tool is required" >&2; exit 1; }
done
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" -lt 20 ]; then
  echo "e2e: Node.js >= 20 is required (found $(node --version))" >&2
  exit 1
fi

log "toolchain: wasm32 target"
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi

# -- cargo tools, pinned to the versions the Workers are built with --------------------------
WASM_BINDGEN_VERSION="$(locked_version wasm-bindgen)"
WORKER_VERSION="$(locked_version worker)"
[ -n "$WASM_BINDGEN_VERSION" ] && [ -n "$WORKER_VERSION" ] || {
  echo "e2e: cannot read wasm-bindgen / worker versions from $WORKERS/Cargo.lock" >&2
  exit 1
}
CARGO_TOOLS="$TOOLS/cargo"
mkdir -p "$CARGO_TOOLS"

# Installs crate $1 at version $2 (binary $3) unless $CARGO_TOOLS/bin/$3 --version prints it.
# - not --locked: the crates' own lock files pin versions that no longer build
#   with this toolchain (see docs/workers.md);
# - --no-default-features: drops their TLS stack (rustls), which only serves the GitHub
#   downloads this script replaces;
# - opt-level 1 and one shared target dir: about half the build time of the defaults on 2
#   cores; the wasm they produce is byte-identical (checked: same md5 of the analytics .wasm).
cargo_tool() {
  local crate="$1" version="$2" bin="$3"
  if "$CARGO_TOOLS/bin/$bin" --version 2>/dev/null | grep -qF "$version"; then
    echo "$crate $version: installed"
  else
    log "installing $crate $version (crates.io)"
    CARGO_TARGET_DIR="$TOOLS/cargo-target" \
      CARGO_PROFILE_RELEASE_OPT_LEVEL=1 \
      CARGO_PROFILE_RELEASE_DEBUG=false \
      cargo install --quiet --force --no-default-features \
      "$crate" --version "=$version" --bin "$bin" --root "$CARGO_TOOLS"
  fi
}
log "cargo tools"
cargo_tool wasm-bindgen-cli "$WASM_BINDGEN_VERSION" wasm-bindgen
cargo_tool worker-build "$WORKER_VERSION" worker-build
# The build cache of the two installs is only needed to install them.
rm -rf "$TOOLS/cargo-target"

# -- npm tools: miniflare/workerd, wrangler, esbuild, binaryen (package-lock.json) --------------
log "npm packages (e2e/package-lock.json)"
lock_sum="$(sha256sum "$E2E/package-lock.json" | cut -d' ' -f1)"
if [ "$(cat "$TOOLS/npm-lock.sha256" 2>/dev/null)" = "$lock_sum" ] && [ -d "$E2E/node_modules" ]; then
  echo "node_modules: up to date"
else
  (cd "$E2E" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$lock_sum" >"$TOOLS/npm-lock.sha256"
fi

export WASM_BINDGEN_BIN="$CARGO_TOOLS/bin/wasm-bindgen"
export WASM_OPT_BIN="$E2E/node_modules/.bin/wasm-opt"
export ESBUILD_BIN="$E2E/node_modules/.bin/esbuild"
export CARGO_TARGET_DIR="$WORKERS/target"

# -- lint: the root workspace's fmt/clippy do not cover this excluded workspace -------------
log "cargo fmt --check, clippy -D warnings (examples/workers, wasm32)"
# The Workers' own crates only: `--all` would also check their path dependencies (nno-obs and
# whatever the root workspace holds), which the root workspace's own fmt check covers.
(cd "$WORKERS" && cargo fmt -- --check)
(cd "$WORKERS" && cargo clippy --quiet --target wasm32-unknown-unknown -- -D warnings)

# -- build ----------------------------------------------------------------------------------
for worker in hello hello-obs analytics gateway nno-logging; do
  log "building $worker (worker-build --release)"
  (cd "$WORKERS/$worker" && "$CARGO_TOOLS/bin/worker-build" --release)
done

# -- wrangler.toml as `wrangler deploy` reads it ------------------------------------------------
# A dry run of each Worker's deploy, from a copy whose [build] command is replaced by `true`
# (the real one, `cargo install worker-build && worker-build --release`, is what ran above with
# the local tools): wrangler must accept the file, bundle build/ and list the bindings.
log "wrangler deploy --dry-run"
DRY="$(mktemp -d)"
trap 'rm -rf "$DRY"' EXIT
for worker in hello hello-obs analytics gateway nno-logging; do
  mkdir -p "$DRY/$worker"
  cp -r "$WORKERS/$worker/build" "$DRY/$worker/"
  sed 's/^command = .*/command = "true"/' "$WORKERS/$worker/wrangler.toml" >"$DRY/$worker/wrangler.toml"
  if ! (cd "$DRY/$worker" && WRANGLER_SEND_METRICS=false \
    "$E2E/node_modules/.bin/wrangler" deploy --dry-run --outdir "$DRY/$worker/out" \
    >"$DRY/$worker.log" 2>&1); then
    cat "$DRY/$worker.log" >&2
    echo "e2e: wrangler rejects examples/workers/$worker/wrangler.toml" >&2
    exit 1
  fi
  # Platform Workers (named {platformId}-{entityId}-{feature}-{env}, seed §2.4) have their
  # platform's datasets and vars; the gateway, a core service (nno-{service}-{env}), has
  # nno-core-ops and must have nothing of a platform's.
  case "$worker" in
    hello) expected=""; forbidden="" ;;
    hello-obs | analytics)
      expected="SPANS PERF USAGE NNO_METRICS PLATFORM_ID ENTITY_ID"
      forbidden="ANALYTICS METRICS"
      ;;
    gateway)
      expected="ANALYTICS SPANS NNO_METRICS ANALYTICS_FEATURE"
      forbidden="PERF USAGE PLATFORM_ID ENTITY_ID METRICS"
      ;;
    # The read API (seed §10): the Logpush buckets, its KV records, its platform list; a core
    # service's datasets only. Its secrets are not in wrangler.toml.
    nno-logging)
      expected="INTERNAL_LOGS LOGS_k3m9p2xw7q OBSERVABILITY_STATE LOG_PLATFORMS ANALYTICS SPANS NNO_METRICS"
      forbidden="PERF USAGE PLATFORM_ID ENTITY_ID METRICS CF_API_TOKEN"
      ;;
  esac
  for binding in $expected; do
    grep -q "env\.$binding " "$DRY/$worker.log" || {
      cat "$DRY/$worker.log" >&2
      echo "e2e: $worker: wrangler does not list the binding $binding" >&2
      exit 1
    }
  done
  for binding in $forbidden; do
    if grep -q "env\.$binding " "$DRY/$worker.log"; then
      cat "$DRY/$worker.log" >&2
      echo "e2e: $worker: wrangler lists the binding $binding, which this Worker must not have" >&2
      exit 1
    fi
  done
  # Workers Trace Events Logpush collects nothing from a Worker without `logpush = true`.
  grep -qx 'logpush = true' "$WORKERS/$worker/wrangler.toml" || {
    echo "e2e: examples/workers/$worker/wrangler.toml does not set logpush = true" >&2
    exit 1
  }
  name="$(sed -n 's/^name = "\(.*\)"$/\1/p' "$WORKERS/$worker/wrangler.toml")"
  case "$worker" in
    gateway) want="nno-gateway-prod" ;;              # nno-{service}-{env}
    nno-logging) want="nno-logging-prod" ;;          # nno-{service}-{env} (seed §10)
    *) want="k3m9p2xw7q-r8n4t6y1z5-$worker-prod" ;; # {platformId}-{entityId}-{feature}-{env}
  esac
  [ "$name" = "$want" ] || {
    echo "e2e: examples/workers/$worker/wrangler.toml: name \"$name\", expected \"$want\"" >&2
    exit 1
  }
  echo "$worker: $(grep -m1 'Total Upload' "$DRY/$worker.log")"
done

# -- the nno-obs CLI, which the test runs over the Logpush stand-in's store -----------------
# Built in the root workspace's own target dir (not the Workers' one exported above); cargo
# decides whether target/debug/nno-obs is missing or stale, and does nothing when it is fresh.
log "cargo build -p nno-obs-cli (root workspace)"
(cd "$ROOT" && CARGO_TARGET_DIR="$ROOT/target" cargo build --quiet -p nno-obs-cli)
export NNO_OBS_BIN="$ROOT/target/debug/nno-obs"

# -- chdb: the SQL API emulator of the nno-logging test runs the Worker's SQL on it -----------
log "chdb (scripts/chdb.sh)"
"$ROOT/scripts/chdb.sh" >/dev/null

# -- test -----------------------------------------------------------------------------------
log "end-to-end test (node --test)"
cd "$E2E"
node --test --test-concurrency=1 --test-reporter=spec e2e.test.mjs logging.test.mjs logging-s3.test.mjs cron.test.mjs sql-api.test.mjs hosts.test.mjs dialect.test.mjs

# -- the console served by the Worker, in Chromium (docs/console.md) ---------------------------
log "the console in the nno-logging Worker (headless Chromium)"
NNO_CHROMIUM="$("$ROOT/scripts/chromium.sh")" \
  node --test --test-concurrency=1 --test-reporter=spec console/worker.test.mjs
echo "screenshots: target/console-shots/worker/"

if [ "$BENCH" = 1 ]; then
  log "sizes and latency"
  node bench.mjs
fi
log "done"
