// Both hosts of the read API and the console over the same data, for the tests and benches that
// compare them: the nno-logging Worker in workerd (miniflare's R2 and KV, the SQL API emulator
// on chdb) and `nno-obs serve` over a local store holding the very same Logpush objects (same
// keys, same bytes: the local store is laid out as the buckets are) and the same Analytics
// Engine points.
//
// The data: the gateway and analytics Workers serve a trace started at the gateway and some
// more traffic (successes of two endpoints and a failing export); their trace events are
// delivered into R2 as Logpush names its objects, their points are recorded.
//
// The one setup of the nno-logging Worker's end-to-end tests, in layers each test takes what
// it needs of:
//
// - startWorkers: the gateway, analytics and nno-logging Workers in one workerd, the Logpush
//   stand-in and the SQL API stand-in (sql-api.mjs) behind the Worker's outbound fetch —
//   cron.test.mjs stops here (its own traffic, its points stamped at chosen minutes);
// - serveTraffic, deliverObjects, loadPoints: the standard traffic (a trace started at the
//   gateway, more requests, a failing export), its Logpush objects into R2 (and a local store),
//   its points into the SQL stand-in (and the local store);
// - twoHosts: all of it, plus `nno-obs serve` over the local store — used by logging.test.mjs,
//   hosts.test.mjs (the same request table against both), dialect.test.mjs, logging-cpu.mjs,
//   console/worker.test.mjs and console/load-bench.mjs.

import { spawn } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { start } from "./harness.mjs";
import { LogpushStandIn } from "./logpush.mjs";
import { SqlApiEmulator, toRow } from "./sql-api.mjs";

export const GATEWAY = "nno-gateway-prod";
export const ANALYTICS = "k3m9p2xw7q-r8n4t6y1z5-analytics-prod";
export const LOGGING = "nno-logging-prod";
export const PLATFORM = "k3m9p2xw7q";
export const OTHER_PLATFORM = "zz9zz9zz9z";
export const SECRET = "e2e secret of the read API";
export const ACCOUNT = "0123456789abcdef0123456789abcdef";
export const READ_TOKEN = "e2e-analytics-read-token";
/**
 * The datasets a statement may name, which the emulator makes exist (empty when nothing was
 * written to them): the Workers' own, the Pages builds and auth events (nothing writes them
 * here), and the other platform's (it has no Worker here).
 */
export const DATASETS = [
  "nno-core-ops",
  "nno-core-ops-spans",
  "nno_metrics",
  "nno-builds",
  "nno-auth-events",
  `${PLATFORM}-perf`,
  `${PLATFORM}-usage`,
  `${OTHER_PLATFORM}-perf`,
  `${OTHER_PLATFORM}-usage`,
];
/** The R2 binding of each bucket (nno-logging's wrangler.toml). */
export const BINDING = { "nno-logs-internal": "INTERNAL_LOGS", [`nno-logs-${PLATFORM}`]: `LOGS_${PLATFORM}` };

const here = path.dirname(fileURLToPath(import.meta.url));
/** The nno-obs CLI of the root workspace, built by scripts/e2e.sh. */
export const NNO_OBS = process.env.NNO_OBS_BIN ?? path.resolve(here, "../target/debug/nno-obs");

// -- tokens, minted as nno-obs-api's jwt::mint does (HS256, base64url, no padding) ----------

const b64 = (value) => Buffer.from(value).toString("base64url");

/** A compact HS256 JWS of `claims`. */
export function mint(claims, secret = SECRET) {
  const input = `${b64(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${b64(JSON.stringify(claims))}`;
  return `${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`;
}

export const exp = () => Math.floor(Date.now() / 1000) + 3600;
export const operator = () => mint({ sub: "e2e", role: "operator", exp: exp() });
export const admin = (platformId) => mint({ sub: "e2e", role: "platform-admin", platformId, exp: exp() });

/** A free loopback port. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Writes `points` ([{point, ms}]) into the local store as the local evaluator reads them. */
export function writePoints(store, points) {
  for (const { point, ms } of points) {
    const row = toRow(point, ms);
    const [date, time] = row.timestamp.split(" ");
    const folder = path.join(store, "analytics-engine", point.aeDataset, date, time.slice(0, 2));
    mkdirSync(folder, { recursive: true });
    appendFileSync(path.join(folder, "points-e2e.json"), JSON.stringify(row) + "\n");
  }
}

/** Starts `nno-obs serve` over `store`; resolves to {url, pid, stop()} once it answers. */
export async function serve(store, alertState) {
  const port = await freePort();
  const child = spawn(
    NNO_OBS,
    ["serve", "--store", store, "--listen", `127.0.0.1:${port}`, "--alert-state", alertState],
    { env: { ...process.env, OBSERVABILITY_JWT_SECRET: SECRET }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${port}`;
  for (let tries = 0; ; tries++) {
    try {
      if ((await fetch(`${url}/api/observability/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (tries >= 100 || child.exitCode !== null) {
      child.kill();
      throw new Error(`nno-obs serve did not start: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url, pid: child.pid, stop: () => child.kill() };
}

/**
 * Starts the gateway, analytics and nno-logging Workers with the Logpush stand-in (writing
 * under `out`) and the SQL API stand-in. Options: `secrets` (more of nno-logging's secrets and
 * plain-text vars, e.g. `CFAE_DIALECT`), `refuse` (SQL forms the stand-in refuses, see
 * sql-api.mjs), `outbound(sql)` (nno-logging's outbound fetch, given the SQL stand-in; by
 * default the stand-in alone), `overrides` (more miniflare options of nno-logging). Resolves
 * to {h (the harness), sql, logpush, dispose()}.
 */
export async function startWorkers(out, { secrets = {}, refuse = [], outbound, overrides } = {}) {
  const logpush = new LogpushStandIn(path.join(out, "logpush"));
  const sql = new SqlApiEmulator({ dir: path.join(out, "sql"), accountId: ACCOUNT, token: READ_TOKEN, refuse });
  const h = await start(
    [
      { dir: "gateway" },
      { dir: "analytics" },
      {
        dir: "nno-logging",
        secrets: {
          OBSERVABILITY_JWT_SECRET: SECRET,
          CF_ACCOUNT_ID: ACCOUNT,
          CF_ANALYTICS_READ_TOKEN: READ_TOKEN,
          ...secrets,
        },
        outboundService: outbound ? outbound(sql) : sql.fetch,
        ...(overrides ? { overrides } : {}),
      },
    ],
    { logpush },
  );
  return {
    h,
    sql,
    logpush,
    dispose: async () => {
      sql.close();
      await h.dispose();
    },
  };
}

/**
 * The standard traffic: a trace started at the gateway (crossing into the analytics Worker),
 * successes of two endpoints and a failing export (500); resolves to the trace id once both
 * Workers' points and trace events are in.
 */
export async function serveTraffic(h, logpush) {
  const traceId = randomUUID();
  const res = await fetch(h.url(GATEWAY, "/api/report/7"), { headers: { "x-trace-id": traceId } });
  if (res.status !== 200) throw new Error(`the gateway answered ${res.status}: ${await res.text()}`);
  const more = [];
  for (let i = 0; i < 4; i++) {
    more.push(fetch(h.url(GATEWAY, `/api/report/${i}`)), fetch(h.url(GATEWAY, "/api/data")));
  }
  more.push(fetch(h.url(GATEWAY, "/api/data/export"), { method: "POST", body: "not json" }));
  for (const response of await Promise.all(more)) await response.arrayBuffer();
  await h.capture.until(
    () => h.capture.timedPoints().filter(({ point }) => point.aeDataset === `${PLATFORM}-perf`).length >= 10,
    "the analytics Worker's perf points",
  );
  await logpush.until(
    () => [GATEWAY, ANALYTICS].every((script) => logpush.records.some(({ record }) => record.ScriptName === script)),
    "both Workers' trace events",
  );
  await h.capture.until(
    () => h.capture.timedPoints().filter(({ point }) => point.aeDataset === "nno-core-ops-spans").length >= 2,
    "both Workers' span points",
  );
  return traceId;
}

/**
 * The Logpush objects so far into nno-logging's R2 buckets and, when `store` is given, into
 * that local store under the same keys (same bytes). Resolves to the keys by bucket.
 */
export async function deliverObjects(h, logpush, store) {
  const buckets = {};
  for (const name of Object.keys(BINDING)) buckets[name] = await h.mf.getR2Bucket(BINDING[name], LOGGING);
  const bodies = {};
  const keys = await logpush.deliverToR2((name) => ({
    put: async (key, body) => {
      bodies[`${name}/${key}`] = body;
      return buckets[name].put(key, body);
    },
  }));
  if (store) {
    for (const [file, body] of Object.entries(bodies)) {
      mkdirSync(path.dirname(path.join(store, file)), { recursive: true });
      writeFileSync(path.join(store, file), body);
    }
  }
  return keys;
}

/** `points` ([{point, ms}]) into the SQL stand-in (every dataset of DATASETS exists) and the local store. */
export function loadPoints(sql, points, store) {
  sql.load(points, DATASETS);
  if (store) writePoints(store, points);
}

/**
 * Starts both hosts over the same data. `out`: a scratch folder (emptied); `options` as
 * startWorkers'. Resolves to {h (the harness), sql, logpush, traceId, keys (the R2 keys by
 * bucket), worker (its base URL), local (nno-obs serve's base URL), serve ({pid}), dispose()}.
 */
export async function twoHosts(out, options = {}) {
  rmSync(out, { recursive: true, force: true });
  const workers = await startWorkers(out, options);
  const { h, sql, logpush } = workers;
  let local = null;
  try {
    const traceId = await serveTraffic(h, logpush);
    const store = path.join(out, "store");
    const keys = await deliverObjects(h, logpush, store);
    // The points: recorded so far (the test's own requests to the read API write more, to
    // nno-core-ops, after this; neither host sees those).
    loadPoints(sql, h.capture.timedPoints(), store);
    // The platforms with metrics: the local store knows them from its dataset folders, the
    // Worker from KV (src/records.rs).
    const kv = await h.mf.getKVNamespace("OBSERVABILITY_STATE", LOGGING);
    await kv.put("platforms-with-data", JSON.stringify([PLATFORM]));
    local = await serve(store, path.join(out, "alerts.json"));
    return {
      h,
      sql,
      logpush,
      traceId,
      keys,
      worker: h.base(LOGGING).toString().replace(/\/$/, ""),
      local: local.url,
      serve: local,
      dispose: async () => {
        local?.stop();
        await workers.dispose();
      },
    };
  } catch (error) {
    local?.stop();
    await workers.dispose();
    throw error;
  }
}
