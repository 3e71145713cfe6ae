// Starts the example Workers in workerd through miniflare's Node API and collects what they
// print and write. Shared by the end-to-end test (e2e.test.mjs) and the latency measurement
// (bench.mjs).
//
// The Workers' configuration is read from their own wrangler.toml (wrangler's readConfig), so
// the test runs what `wrangler deploy` would deploy: vars, Analytics Engine datasets, the
// gateway's service binding. Only the Analytics Engine bindings are replaced, by the recorder
// in ae-recorder.mjs (miniflare's local binding is a no-op that cannot be observed).

import { Miniflare } from "miniflare";
import { unstable_readConfig } from "wrangler";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
export const WORKERS_DIR = path.resolve(here, "../examples/workers");
const RECORDER = "ae-recorder";

/** Everything workerd printed, parsed. */
export class Capture {
  constructor() {
    /** Structured logs as miniflare hands them: {timestamp, level, message}. */
    this.logs = [];
    /** Raw stdout / stderr text of the workerd process. */
    this.stdout = "";
    this.stderr = "";
    this.waiters = new Set();
  }

  onLog(log) {
    this.logs.push(log);
    for (const waiter of this.waiters) waiter();
  }

  /** nno-obs lines: {level (console level), text, entry (parsed JSON)}. */
  lines() {
    const out = [];
    for (const log of this.logs) {
      for (const text of splitLines(log.message)) {
        const entry = tryJson(text);
        if (entry && typeof entry.message === "string" && "service" in entry) {
          out.push({ consoleLevel: log.level, text, entry });
        }
      }
    }
    return out;
  }

  /** Recorded data points: {aeDataset, blobs, doubles, indexes}. */
  points(dataset) {
    const out = [];
    for (const log of this.logs) {
      for (const text of splitLines(log.message)) {
        const point = tryJson(text);
        if (point && typeof point.aeDataset === "string") {
          if (dataset === undefined || point.aeDataset === dataset) out.push(point);
        }
      }
    }
    return out;
  }

  /** Recorded data points with the time they were written: [{point, ms}]. */
  timedPoints() {
    const out = [];
    for (const log of this.logs) {
      for (const text of splitLines(log.message)) {
        const point = tryJson(text);
        if (point && typeof point.aeDataset === "string") {
          out.push({ point, ms: Number(log.timestamp ?? log.time ?? Date.now()) });
        }
      }
    }
    return out;
  }

  /** All text workerd printed, structured or not. */
  allText() {
    return [this.stdout, this.stderr, ...this.logs.map((l) => l.message)].join("\n");
  }

  /** Resolves when `predicate()` holds (checked on every new log), or rejects after `ms`. */
  until(predicate, what, ms = 10_000) {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = () => {
        if (predicate()) {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve();
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
      }, ms);
      this.waiters.add(waiter);
    });
  }
}

function splitLines(message) {
  return String(message)
    .split("\n")
    .filter((line) => line.trim() !== "");
}

function tryJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** The miniflare options of one Worker of examples/workers, from its wrangler.toml. */
export function workerOptions(
  dir,
  { name, recordAnalytics = true, secrets, outboundService, overrides } = {},
) {
  const configPath = path.join(WORKERS_DIR, dir, "wrangler.toml");
  const config = unstable_readConfig({ config: configPath });
  const buildDir = path.dirname(config.main);
  if (!existsSync(config.main)) {
    throw new Error(`${config.main} is missing: build the Workers first (scripts/e2e.sh)`);
  }
  const options = {
    name: name ?? config.name,
    modules: true,
    modulesRoot: buildDir,
    scriptPath: config.main,
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: config.compatibility_date,
    compatibilityFlags: config.compatibility_flags ?? [],
    // Secrets are plain text bindings in workerd, as `wrangler secret put` makes them.
    bindings: { ...(config.vars ?? {}), ...(secrets ?? {}) },
    ...(outboundService ? { outboundService } : {}),
    unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
  };
  // R2 buckets and KV namespaces: miniflare's local ones, named as in wrangler.toml.
  const buckets = config.r2_buckets ?? [];
  if (buckets.length > 0) {
    options.r2Buckets = Object.fromEntries(buckets.map((b) => [b.binding, b.bucket_name]));
  }
  const namespaces = config.kv_namespaces ?? [];
  if (namespaces.length > 0) {
    options.kvNamespaces = Object.fromEntries(namespaces.map((n) => [n.binding, n.id]));
  }
  const consumers = config.queues?.consumers ?? [];
  if (consumers.length > 0) {
    options.queueConsumers = Object.fromEntries(
      consumers.map((c) => [
        c.queue,
        { maxBatchSize: c.max_batch_size, maxBatchTimeout: c.max_batch_timeout },
      ]),
    );
  }
  const services = config.services ?? [];
  if (services.length > 0) {
    options.serviceBindings = Object.fromEntries(services.map((s) => [s.binding, s.service]));
  }
  const datasets = config.analytics_engine_datasets ?? [];
  if (recordAnalytics) {
    options.wrappedBindings = Object.fromEntries(
      datasets.map((d) => [
        d.binding,
        { scriptName: RECORDER, bindings: { dataset: d.dataset ?? d.binding } },
      ]),
    );
  } else {
    // miniflare's own local binding: accepts writes, records nothing.
    options.analyticsEngineDatasets = Object.fromEntries(
      datasets.map((d) => [d.binding, { dataset: d.dataset ?? d.binding }]),
    );
  }
  // What a test sets beyond wrangler.toml (e.g. a queue producer standing in for R2's event
  // notifications, a shorter batch timeout).
  return { options: { ...options, ...(overrides ?? {}) }, config };
}

/**
 * Starts the Workers named in `workers` (array of {dir, name?, recordAnalytics?}); with
 * `logpush` (a LogpushStandIn of logpush.mjs), each of them also sends its trace events there.
 * Returns {mf, capture, url(name), dispose()}.
 */
export async function start(workers, { logpush } = {}) {
  const capture = new Capture();
  const workerList = workers.map((w) => workerOptions(w.dir, w).options);
  const tested = workerList.map((w) => w.name);
  if (logpush) workerList.push(...workerList.map((w) => logpush.attach(w)));
  workerList.push({
    name: RECORDER,
    modules: true,
    scriptPath: path.join(here, "ae-recorder.mjs"),
  });
  const mf = new Miniflare({
    cf: false,
    // Must return nothing (miniflare validates the callback's type).
    handleStructuredLogs: (log) => {
      capture.onLog(log);
    },
    handleRuntimeStdio: (stdout, stderr) => {
      stdout.on("data", (chunk) => {
        capture.stdout += chunk;
      });
      stderr.on("data", (chunk) => {
        capture.stderr += chunk;
      });
    },
    workers: workerList,
  });
  await mf.ready;
  const urls = new Map();
  for (const name of tested) urls.set(name, await mf.unsafeGetDirectURL(name));
  return {
    mf,
    capture,
    url: (name, pathname = "/") => new URL(pathname, urls.get(name)).toString(),
    base: (name) => urls.get(name),
    dispose: () => mf.dispose(),
  };
}
