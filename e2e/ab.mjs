// Side-by-side latency of builds of the same Worker, in ONE run (for a noisy machine: every
// round hits every target in a shuffled order, so load drifts hit all of them alike).
//
//   node ab.mjs NAME=BUILD_DIR [NAME=BUILD_DIR ...] [--rounds N]
//
// BUILD_DIR is a Worker's build/ folder (index.js + index_bg.wasm) next to its wrangler.toml;
// each target gets the bindings and vars of that wrangler.toml (miniflare's local Analytics
// Engine, as bench.mjs's hello-obs). Requests: GET /api/data without ids.

import { Miniflare } from "miniflare";
import { unstable_readConfig } from "wrangler";
import path from "node:path";

const args = process.argv.slice(2);
let rounds = 2000;
const targets = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--rounds") rounds = Number(args[++i]);
  else {
    const [name, dir] = args[i].split("=");
    targets.push({ name, dir: path.resolve(dir) });
  }
}
const WARMUP = 200;

const workers = targets.map(({ name, dir }) => {
  const config = unstable_readConfig({ config: path.join(dir, "..", "wrangler.toml") });
  return {
    name,
    modules: true,
    modulesRoot: dir,
    scriptPath: path.join(dir, "index.js"),
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: config.compatibility_date,
    bindings: { ...(config.vars ?? {}) },
    analyticsEngineDatasets: Object.fromEntries(
      (config.analytics_engine_datasets ?? []).map((d) => [d.binding, { dataset: d.dataset }]),
    ),
    unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
  };
});
let lines = 0;
const mf = new Miniflare({ cf: false, handleStructuredLogs: () => void lines++, workers });
const quantile = (sorted, q) => {
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  return sorted[lo] + (sorted[Math.ceil(at)] - sorted[lo]) * (at - lo);
};
try {
  await mf.ready;
  const urls = {};
  for (const { name } of targets) urls[name] = new URL("/api/data", await mf.unsafeGetDirectURL(name));
  const samples = Object.fromEntries(targets.map(({ name }) => [name, []]));
  const once = async (url) => {
    const t0 = performance.now();
    const res = await fetch(url);
    await res.arrayBuffer();
    return performance.now() - t0;
  };
  for (let i = 0; i < WARMUP; i++) for (const url of Object.values(urls)) await once(url);
  for (let i = 0; i < rounds; i++) {
    const order = Object.keys(urls).sort(() => Math.random() - 0.5);
    for (const name of order) samples[name].push(await once(urls[name]));
  }
  console.log(`GET /api/data, ${rounds} rounds after ${WARMUP} warm-up, ${new Date().toISOString()}`);
  console.log("| target | median | p25 | p90 |\n|---|---:|---:|---:|");
  const medians = {};
  for (const [name, values] of Object.entries(samples)) {
    const sorted = values.sort((a, b) => a - b);
    medians[name] = quantile(sorted, 0.5);
    console.log(
      `| ${name} | ${medians[name].toFixed(3)} ms | ${quantile(sorted, 0.25).toFixed(3)} ms | ${quantile(sorted, 0.9).toFixed(3)} ms |`,
    );
  }
  const [base, ...rest] = Object.keys(medians);
  for (const name of rest) {
    console.log(`${name} - ${base}: ${((medians[name] - medians[base]) * 1000).toFixed(0)} µs (medians)`);
  }
} finally {
  await mf.dispose();
}
