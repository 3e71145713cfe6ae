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
// Used by hosts.test.mjs (the same request table against both), console/worker.test.mjs (the
// console in Chromium against the Worker) and console/load-bench.mjs (page weights and load
// times on both). logging.test.mjs keeps its own setup (it also drives the queue consumer).

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
const ACCOUNT = "0123456789abcdef0123456789abcdef";
const READ_TOKEN = "e2e-analytics-read-token";
/**
 * The datasets a statement may name, which the emulator makes exist (empty when nothing was
 * written to them): the Workers' own, the Pages builds and auth events (nothing writes them
 * here), and the other platform's (it has no Worker here).
 */
const DATASETS = [
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
const BINDING = { "nno-logs-internal": "INTERNAL_LOGS", [`nno-logs-${PLATFORM}`]: `LOGS_${PLATFORM}` };

const here = path.dirname(fileURLToPath(import.meta.url));
/** The nno-obs CLI of the root workspace, built by scripts/e2e.sh. */
const NNO_OBS = process.env.NNO_OBS_BIN ?? path.resolve(here, "../target/debug/nno-obs");

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
function freePort() {
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
function writePoints(store, points) {
  for (const { point, ms } of points) {
    const row = toRow(point, ms);
    const [date, time] = row.timestamp.split(" ");
    const folder = path.join(store, "analytics-engine", point.aeDataset, date, time.slice(0, 2));
    mkdirSync(folder, { recursive: true });
    appendFileSync(path.join(folder, "points-e2e.json"), JSON.stringify(row) + "\n");
  }
}

/** Starts `nno-obs serve` over `store`; resolves to {url, stop()} once it answers. */
async function serve(store, alertState) {
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
 * Starts both hosts over the same data. `out`: a scratch folder (emptied). Resolves to
 * {h (the harness), sql, traceId, keys (the R2 keys by bucket), worker (its base URL), local
 * (nno-obs serve's base URL), serve ({pid}), dispose()}.
 */
export async function twoHosts(out) {
  rmSync(out, { recursive: true, force: true });
  const logpush = new LogpushStandIn(path.join(out, "logpush"));
  const sql = new SqlApiEmulator({ dir: path.join(out, "sql"), accountId: ACCOUNT, token: READ_TOKEN });
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
        },
        outboundService: sql.fetch,
      },
    ],
    { logpush },
  );
  let local = null;
  try {
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
    // The objects, into R2 and into the local store under the same keys.
    const store = path.join(out, "store");
    const buckets = {};
    for (const name of Object.keys(BINDING)) buckets[name] = await h.mf.getR2Bucket(BINDING[name], LOGGING);
    const bodies = {};
    const keys = await logpush.deliverToR2((name) => ({
      put: async (key, body) => {
        bodies[`${name}/${key}`] = body;
        return buckets[name].put(key, body);
      },
    }));
    for (const [file, body] of Object.entries(bodies)) {
      mkdirSync(path.dirname(path.join(store, file)), { recursive: true });
      writeFileSync(path.join(store, file), body);
    }
    // The points: recorded so far (the test's own requests to the read API write more, to
    // nno-core-ops, after this; neither host sees those).
    const points = h.capture.timedPoints();
    sql.load(points, DATASETS);
    writePoints(store, points);
    // The platforms with metrics: the local store knows them from its dataset folders, the
    // Worker from KV (src/records.rs).
    const kv = await h.mf.getKVNamespace("OBSERVABILITY_STATE", LOGGING);
    await kv.put("platforms-with-data", JSON.stringify([PLATFORM]));
    local = await serve(store, path.join(out, "alerts.json"));
    return {
      h,
      sql,
      traceId,
      keys,
      worker: h.base(LOGGING).toString().replace(/\/$/, ""),
      local: local.url,
      serve: local,
      dispose: async () => {
        local?.stop();
        await h.dispose();
      },
    };
  } catch (error) {
    local?.stop();
    await h.dispose();
    throw error;
  }
}
