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
import { randomUUID } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { logpushStamp } from "./logpush.mjs";
import {
  ACCOUNT,
  ANALYTICS,
  BINDING,
  GATEWAY,
  LOGGING,
  OTHER_PLATFORM,
  PLATFORM,
  admin,
  exp,
  mint,
  operator,
  twoHosts,
} from "./two-hosts.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const OUT = path.join(here, ".out", "logging");

let hosts;
let h;
let sql;
let traceId;
let corruptKey;

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
  // The shared setup (two-hosts.mjs): the trace, more traffic, the objects in R2, the points
  // in the SQL stand-in, and `nno-obs serve` over the same data. R2's event notifications are
  // sent by the test through a producer of the same queue; a batch is delivered after 1 s
  // instead of wrangler.toml's 30.
  hosts = await twoHosts(OUT, {
    overrides: {
      queueProducers: { NOTIFY: "nno-logs-objects" },
      queueConsumers: { "nno-logs-objects": { maxBatchSize: 100, maxBatchTimeout: 1 } },
    },
  });
  ({ h, sql, traceId } = hosts);
  // A damaged object beside them: a gzip member cut in half, named as Logpush names objects.
  const now = Date.now();
  const stamp = logpushStamp(now);
  corruptKey = `${stamp.slice(0, 8)}/${stamp}_${stamp}_deadbeef.log.gz`;
  const whole = gzipSync(
    JSON.stringify({ ScriptName: GATEWAY, Outcome: "ok", EventTimestampMs: now, Logs: [] }).repeat(50),
  );
  const half = new Uint8Array(whole.subarray(0, Math.floor(whole.length / 2)));
  const internal = await h.mf.getR2Bucket(BINDING["nno-logs-internal"], LOGGING);
  await internal.put(corruptKey, half);
});

after(async () => {
  await hosts?.dispose();
});

/** The objects' keys by bucket (delivered in the setup). */
async function deliver() {
  return hosts.keys;
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

test("/features equals the local evaluation of the same points (nno-obs serve)", async () => {
  // The next whole minute: the same window for both, whatever their clocks say.
  const until = new Date(Math.ceil(Date.now() / 60_000) * 60_000).toISOString().replace(".000Z", "Z");
  const target = `/api/observability/features?platformId=${PLATFORM}&range=1h&until=${until}`;
  const token = operator();
  const worker = await api(target, token);
  const res = await fetch(`${hosts.local}${target}`, { headers: { authorization: `Bearer ${token}` } });
  const want = await res.text();
  assert.equal(res.status, 200, want);
  assert.equal(worker.status, 200, worker.text);
  assert.ok(worker.body.features.length > 0, worker.text);
  assert.ok(worker.body.features.some((f) => f.errors > 0 && f.requests >= 10), worker.text);
  assert.equal(worker.text, want);
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
