// Sizes of the built Workers and per-request latency through workerd, instrumented vs not,
// measured in one run. Used for the figures in docs/workers.md; run by `scripts/e2e.sh --bench`
// (after the build), or `node bench.mjs [rounds]` once the Workers are built.
//
// Latency: `GET /api/data` on each Worker's own socket, sequentially, with the targets
// interleaved in a shuffled order every round so that drift (other load on the machine, JIT
// warm-up) hits all of them alike. Targets:
//   hello              the uninstrumented Worker (same response bytes, no nno-obs)
//   hello-obs          hello with its one handler under #[nno_handler]: the difference from
//                      hello is exactly what nno-obs adds
//   analytics          instrumented; points go to miniflare's own local Analytics Engine
//                      binding (accepts and drops them, as the production binding costs a
//                      call and no I/O)
//   analytics+recorder instrumented; points go to the e2e recorder (prints each as a line)
// Every target's console output is consumed by the same structured-log callback.

import { gzipSync } from "node:zlib";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { start, workerOptions, WORKERS_DIR } from "./harness.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const ROUNDS = Number(process.argv[2] ?? 2000);
const WARMUP = 200;

function sizes(dir) {
  const { config } = workerOptions(dir);
  const wasm = readFileSync(path.join(path.dirname(config.main), "index_bg.wasm"));
  const js = readFileSync(config.main);
  return {
    wasm: wasm.length,
    wasmGzip: gzipSync(wasm, { level: 9 }).length,
    js: js.length,
    jsGzip: gzipSync(js, { level: 9 }).length,
  };
}

function quantile(sorted, q) {
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

function shuffle(items) {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

const size = {
  hello: sizes("hello"),
  "hello-obs": sizes("hello-obs"),
  analytics: sizes("analytics"),
  gateway: sizes("gateway"),
};

const h = await start([
  { dir: "hello" },
  { dir: "hello-obs", recordAnalytics: false },
  { dir: "analytics", name: "analytics-local-ae", recordAnalytics: false },
  { dir: "analytics", name: "analytics-recorder" },
]);
const targets = {
  hello: h.url(workerOptions("hello").config.name, "/api/data"),
  "hello-obs": h.url(workerOptions("hello-obs").config.name, "/api/data"),
  analytics: h.url("analytics-local-ae", "/api/data"),
  "analytics+recorder": h.url("analytics-recorder", "/api/data"),
};
const samples = Object.fromEntries(Object.keys(targets).map((k) => [k, []]));

async function once(url) {
  const t0 = performance.now();
  const res = await fetch(url);
  await res.arrayBuffer();
  const ms = performance.now() - t0;
  if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
  return ms;
}

try {
  for (let i = 0; i < WARMUP; i++) {
    for (const url of Object.values(targets)) await once(url);
  }
  for (let i = 0; i < ROUNDS; i++) {
    for (const name of shuffle(Object.keys(targets))) {
      samples[name].push(await once(targets[name]));
    }
  }
} finally {
  await h.dispose();
}

const latency = {};
for (const [name, values] of Object.entries(samples)) {
  const sorted = [...values].sort((a, b) => a - b);
  latency[name] = {
    n: sorted.length,
    medianMs: quantile(sorted, 0.5),
    p90Ms: quantile(sorted, 0.9),
  };
}
// Sanity: the instrumented Worker really printed its lines during the run.
const printed = h.capture.lines().filter((l) => l.entry.message === "← response").length;

const result = {
  date: new Date().toISOString(),
  machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? "?"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}`,
  node: process.version,
  rounds: ROUNDS,
  responseLinesPrinted: printed,
  size,
  latency,
};
mkdirSync(path.join(here, ".out"), { recursive: true });
writeFileSync(path.join(here, ".out", "bench.json"), JSON.stringify(result, null, 2) + "\n");

const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`date: ${result.date}\nmachine: ${result.machine}\nnode: ${result.node}`);
console.log(`\n| Worker | .wasm | .wasm gzip -9 | index.js | index.js gzip -9 |`);
console.log(`|---|---:|---:|---:|---:|`);
for (const [name, s] of Object.entries(size)) {
  console.log(`| ${name} | ${kb(s.wasm)} (${s.wasm} B) | ${kb(s.wasmGzip)} (${s.wasmGzip} B) | ${kb(s.js)} | ${kb(s.jsGzip)} |`);
}
console.log(`\nGET /api/data, ${ROUNDS} requests per target after ${WARMUP} warm-up rounds:`);
console.log(`| target | median | p90 |`);
console.log(`|---|---:|---:|`);
for (const [name, l] of Object.entries(latency)) {
  console.log(`| ${name} | ${l.medianMs.toFixed(3)} ms | ${l.p90Ms.toFixed(3)} ms |`);
}
const delta = latency.analytics.medianMs - latency.hello.medianMs;
console.log(`\ninstrumentation cost (median analytics - median hello): ${(delta * 1000).toFixed(0)} µs`);
const added = latency["hello-obs"].medianMs - latency.hello.medianMs;
const addedSize = size["hello-obs"].wasmGzip - size.hello.wasmGzip;
console.log(`nno-obs alone (hello-obs - hello): ${(added * 1000).toFixed(0)} µs median, ${addedSize} B of .wasm gzip -9`);
console.log(`(${printed} "← response" lines printed during the run; JSON in e2e/.out/bench.json)`);
if (printed < 3 * (ROUNDS + WARMUP)) {
  console.error("bench: the instrumented Workers printed fewer lines than requests");
  process.exit(1);
}
