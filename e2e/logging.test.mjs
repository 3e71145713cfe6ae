// End-to-end test of the nno-logging Worker (seed §10) in workerd: the gateway and analytics
// Workers serve requests; the Logpush stand-in delivers their trace events into miniflare's R2
// in Logpush's real layout; their Analytics Engine points are answered by the SQL API emulator
// (chdb, through the Worker's outbound fetch: nothing leaves the machine); the Worker answers the
// read API over them.
//
// Run by scripts/e2e.sh after it built the Workers:
//   node --test --test-concurrency=1 logging.test.mjs

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import { appendFileSync, mkdirSync, rmSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { start } from "./harness.mjs";
import { LogpushStandIn, logpushStamp } from "./logpush.mjs";
import { SqlApiEmulator, toRow } from "./sql-api.mjs";

const GATEWAY = "nno-gateway-prod";
const ANALYTICS = "k3m9p2xw7q-r8n4t6y1z5-analytics-prod";
const LOGGING = "nno-logging-prod";
const PLATFORM = "k3m9p2xw7q";
const OTHER_PLATFORM = "zz9zz9zz9z";
const SECRET = "e2e secret of the read API";
const ACCOUNT = "0123456789abcdef0123456789abcdef";
const READ_TOKEN = "e2e-analytics-read-token";
const DATASETS = ["nno-core-ops", "nno-core-ops-spans", "nno_metrics", `${PLATFORM}-perf`, `${PLATFORM}-usage`];
/** The R2 binding of each bucket (nno-logging's wrangler.toml). */
const BINDING = { "nno-logs-internal": "INTERNAL_LOGS", [`nno-logs-${PLATFORM}`]: `LOGS_${PLATFORM}` };

const here = path.dirname(fileURLToPath(import.meta.url));
/** The nno-obs CLI of the root workspace, built by scripts/e2e.sh. */
const NNO_OBS = process.env.NNO_OBS_BIN ?? path.resolve(here, "../target/debug/nno-obs");
const OUT = path.join(here, ".out", "logging");

let h;
let logpush;
let sql;
let traceId;
let corruptKey;

// -- tokens, minted as nno-obs-api's jwt::mint does (HS256, base64url, no padding) ----------

const b64 = (value) => Buffer.from(value).toString("base64url");

function mint(claims, secret = SECRET) {
  const input = `${b64(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${b64(JSON.stringify(claims))}`;
  return `${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`;
}

const exp = () => Math.floor(Date.now() / 1000) + 3600;
const operator = () => mint({ sub: "e2e", role: "operator", exp: exp() });
const admin = (platformId) => mint({ sub: "e2e", role: "platform-admin", platformId, exp: exp() });

async function api(target, token) {
  const headers = token === undefined ? {} : { authorization: `Bearer ${token}` };
  const res = await fetch(h.url(LOGGING, target), { headers });
  const text = await res.text();
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: left null, the test says so
  }
  return { status: res.status, body, text };
}

before(async () => {
  logpush = new LogpushStandIn(path.join(OUT, "store"));
  sql = new SqlApiEmulator({ dir: path.join(OUT, "sql"), accountId: ACCOUNT, token: READ_TOKEN });
  h = await start(
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
        // R2's event notifications, sent by the test through a producer of the same queue;
        // a batch is delivered after 1 s instead of wrangler.toml's 30.
        overrides: {
          queueProducers: { NOTIFY: "nno-logs-objects" },
          queueConsumers: { "nno-logs-objects": { maxBatchSize: 100, maxBatchTimeout: 1 } },
        },
      },
    ],
    { logpush },
  );
  // A trace started at the gateway, crossing into the analytics Worker.
  traceId = randomUUID();
  const res = await fetch(h.url(GATEWAY, "/api/report/7"), { headers: { "x-trace-id": traceId } });
  assert.equal(res.status, 200, await res.text());
  // More traffic for the metrics: successes of two endpoints and a failing export (500).
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
    () =>
      [GATEWAY, ANALYTICS].every((script) =>
        logpush.records.some(({ record }) => record.ScriptName === script),
      ),
    "both Workers' trace events",
  );
  await h.capture.until(
    () => h.capture.timedPoints().filter(({ point }) => point.aeDataset === "nno-core-ops-spans").length >= 2,
    "both Workers' span points",
  );
});

after(async () => {
  await h?.dispose();
});

/** Delivers the records to R2 and loads the points into the SQL emulator (once). */
let delivered = null;
async function deliver() {
  if (delivered) return delivered;
  const bucket = async (name) => h.mf.getR2Bucket(BINDING[name], LOGGING);
  const buckets = {};
  for (const name of Object.keys(BINDING)) buckets[name] = await bucket(name);
  const keys = await logpush.deliverToR2((name) => buckets[name]);
  // A damaged object beside them: a gzip member cut in half, named as Logpush names objects.
  const now = Date.now();
  const stamp = logpushStamp(now);
  corruptKey = `${stamp.slice(0, 8)}/${stamp}_${stamp}_deadbeef.log.gz`;
  const whole = gzipSync(
    JSON.stringify({ ScriptName: GATEWAY, Outcome: "ok", EventTimestampMs: now, Logs: [] }).repeat(50),
  );
  const half = new Uint8Array(whole.subarray(0, Math.floor(whole.length / 2)));
  await buckets["nno-logs-internal"].put(corruptKey, half);
  sql.load(h.capture.timedPoints(), DATASETS);
  delivered = keys;
  return keys;
}

test("the Logpush stand-in delivers Logpush's real layout into R2", async () => {
  const keys = await deliver();
  const layout = /^\d{8}\/\d{8}T\d{6}Z_\d{8}T\d{6}Z_[0-9a-f]{8}\.log\.gz$/;
  assert.ok(keys["nno-logs-internal"]?.length > 0, JSON.stringify(keys));
  assert.ok(keys[`nno-logs-${PLATFORM}`]?.length > 0, JSON.stringify(keys));
  for (const key of Object.values(keys).flat()) assert.match(key, layout);
});

test("a trace started at the gateway: all its spans, one root, and every Worker's lines", async () => {
  await deliver();
  const { status, body, text } = await api(`/api/observability/traces/${traceId}`, operator());
  assert.equal(status, 200, text);
  assert.ok(sql.statements.length > 0, "the Worker asked the SQL API emulator");
  const spans = body.spans;
  const services = new Set(spans.map((s) => s.service));
  assert.ok(services.has("gateway") && services.has("analytics"), text);
  const ids = new Set(spans.map((s) => s.spanId));
  const roots = spans.filter((s) => !s.parentSpanId);
  assert.equal(roots.length, 1, `one root: ${text}`);
  for (const span of spans) {
    if (span.parentSpanId) assert.ok(ids.has(span.parentSpanId), `dangling parent: ${text}`);
  }
  const scripts = new Set(body.logs.map((line) => line.script));
  assert.ok(scripts.has(GATEWAY) && scripts.has(ANALYTICS), `lines of both Workers: ${text}`);
  assert.ok(body.logs.every((line) => line.traceId === traceId));
  // The platform's admin sees its part only: its Worker's lines, no internal object.
  const mine = await api(`/api/observability/traces/${traceId}?platformId=${PLATFORM}`, admin(PLATFORM));
  assert.equal(mine.status, 200, mine.text);
  assert.ok(mine.body.logs.length > 0);
  assert.ok(mine.body.logs.every((line) => line.script === ANALYTICS), mine.text);
  assert.ok(!mine.text.includes("nno-logs-internal"), mine.text);
});

test("the access table's refusals hold in the Worker", async () => {
  await deliver();
  const tampered = operator().replace(/\.[^.]+$/, ".AAAA");
  const foreign = mint({ sub: "x", role: "operator", exp: exp() }, "another secret");
  const expired = mint({ sub: "x", role: "operator", exp: Math.floor(Date.now() / 1000) - 120 });
  const refused = [
    ["/api/observability/logs", undefined, 401],
    ["/api/observability/logs", tampered, 401],
    ["/api/observability/logs", foreign, 401],
    ["/api/observability/logs", expired, 401],
    [`/api/observability/logs?platformId=${OTHER_PLATFORM}`, admin(PLATFORM), 403],
    [`/api/observability/traces/${traceId}?platformId=${OTHER_PLATFORM}`, admin(PLATFORM), 403],
    [`/api/observability/logs/download?platformId=${OTHER_PLATFORM}`, admin(PLATFORM), 403],
    ["/api/observability/fleet?range=1h", admin(PLATFORM), 403],
    ["/api/observability/provisioning?range=1h", admin(PLATFORM), 403],
    [
      `/api/observability/logs/object?bucket=nno-logs-internal&key=${encodeURIComponent(corruptKey)}&expires=${exp()}&sig=AAAA`,
      undefined,
      403,
    ],
  ];
  for (const [target, token, want] of refused) {
    const { status, text } = await api(target, token);
    assert.equal(status, want, `${target}: ${text}`);
  }
  // And what the operator may read, it reads.
  assert.equal((await api("/api/observability/logs", operator())).status, 200);
});

test("a damaged object is reported in problems and the rest is answered", async () => {
  await deliver();
  const { status, body, text } = await api("/api/observability/logs?limit=1000", operator());
  assert.equal(status, 200, text);
  assert.ok(body.problems.some((p) => p.key === `nno-logs-internal/${corruptKey}`), text);
  assert.ok(body.entries.some((e) => e.script === GATEWAY && e.traceId === traceId), text);
});

test("a download link streams its object from R2, as stored", async () => {
  const keys = await deliver();
  const listing = await api(`/api/observability/logs/download?platformId=${PLATFORM}`, operator());
  assert.equal(listing.status, 200, listing.text);
  const file = listing.body.files.find((f) => f.key === keys[`nno-logs-${PLATFORM}`][0]);
  assert.ok(file, listing.text);
  const res = await fetch(h.url(LOGGING, file.url));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "application/gzip");
  const bytes = Buffer.from(await res.arrayBuffer());
  const stored = await (await h.mf.getR2Bucket(BINDING[`nno-logs-${PLATFORM}`], LOGGING)).get(file.key);
  assert.deepEqual(bytes, Buffer.from(await stored.arrayBuffer()));
  assert.equal(bytes.length, file.bytes);
});

/** Writes `points` ([{point, ms}]) into a local store as the local evaluator reads them. */
function writeLocalStore(store, points) {
  rmSync(store, { recursive: true, force: true });
  for (const { point, ms } of points) {
    const row = toRow(point, ms);
    const [date, time] = row.timestamp.split(" ");
    const folder = path.join(store, "analytics-engine", point.aeDataset, date, time.slice(0, 2));
    mkdirSync(folder, { recursive: true });
    appendFileSync(path.join(folder, "points-e2e.json"), JSON.stringify(row) + "\n");
  }
}

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

test("/features equals the local evaluation of the same points (nno-obs serve)", async () => {
  await deliver();
  const store = path.join(OUT, "local-store");
  writeLocalStore(store, h.capture.timedPoints());
  const port = await freePort();
  const serve = spawn(NNO_OBS, ["serve", "--store", store, "--listen", `127.0.0.1:${port}`], {
    env: { ...process.env, OBSERVABILITY_JWT_SECRET: SECRET },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  serve.stdout.on("data", (chunk) => (output += chunk));
  serve.stderr.on("data", (chunk) => (output += chunk));
  try {
    const local = `http://127.0.0.1:${port}`;
    for (let tries = 0; ; tries++) {
      try {
        if ((await fetch(`${local}/api/observability/health`)).ok) break;
      } catch {
        // not listening yet
      }
      assert.ok(tries < 100, `nno-obs serve did not start: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // The next whole minute: the same window for both, whatever their clocks say.
    const until = new Date(Math.ceil(Date.now() / 60_000) * 60_000).toISOString().replace(".000Z", "Z");
    const target = `/api/observability/features?platformId=${PLATFORM}&range=1h&until=${until}`;
    const token = operator();
    const worker = await api(target, token);
    const res = await fetch(`${local}${target}`, { headers: { authorization: `Bearer ${token}` } });
    const want = await res.text();
    assert.equal(res.status, 200, want);
    assert.equal(worker.status, 200, worker.text);
    assert.ok(worker.body.features.length > 0, worker.text);
    assert.ok(worker.body.features.some((f) => f.errors > 0 && f.requests >= 10), worker.text);
    assert.equal(worker.text, want);
  } finally {
    serve.kill();
  }
});

test("an R2 event notification of a new object gets its index sidecar written, once", async () => {
  await deliver();
  const bucket = await h.mf.getR2Bucket(BINDING[`nno-logs-${PLATFORM}`], LOGGING);
  const now = Date.now();
  const stamp = logpushStamp(now);
  const key = `${stamp.slice(0, 8)}/${stamp}_${stamp}_0a0b0c0d.log.gz`;
  const trace = randomUUID();
  const line = JSON.stringify({ timestamp: new Date(now).toISOString(), level: "info", service: "analytics", traceId: trace, message: "late" });
  const record = { ScriptName: ANALYTICS, Outcome: "ok", EventTimestampMs: now, Logs: [{ Level: "log", Message: [line], TimestampMs: now }] };
  const body = new Uint8Array(gzipSync(JSON.stringify(record) + "\n"));
  await bucket.put(key, body);
  assert.equal(await bucket.head(`${key}.idx`), null);
  const notify = await h.mf.getQueueProducer("NOTIFY", LOGGING);
  const notification = {
    account: ACCOUNT,
    action: "PutObject",
    bucket: `nno-logs-${PLATFORM}`,
    object: { key, size: body.length, eTag: "e2e" },
    eventTime: new Date(now).toISOString(),
  };
  // Delivered twice (at least once), beside messages that can never succeed.
  await notify.send(notification);
  await notify.send(notification);
  await notify.send({ not: "a notification" });
  await notify.send({ ...notification, bucket: "nno-logs-unknown00" });
  let sidecar = null;
  for (let tries = 0; tries < 100 && sidecar === null; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    sidecar = await bucket.get(`${key}.idx`);
  }
  assert.ok(sidecar, "the sidecar was written");
  const index = JSON.parse(await sidecar.text());
  assert.equal(index.dataBytes, body.length, JSON.stringify(index));
  // The object is found through it.
  const found = await api(`/api/observability/logs?platformId=${PLATFORM}&traceId=${trace}`, operator());
  assert.equal(found.status, 200, found.text);
  assert.deepEqual(found.body.entries.map((e) => e.message), ["late"]);
});
