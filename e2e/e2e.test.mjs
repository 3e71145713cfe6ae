// End-to-end test: the gateway and analytics Workers, compiled to wasm by worker-build, run in
// workerd (miniflare's Node API) and are hit by real HTTP requests on their own sockets. The
// test reads what they printed (console lines) and wrote (Analytics Engine points, through the
// recorder of ae-recorder.mjs).
//
// Run by scripts/e2e.sh, which builds the Workers first:
//   node --test --test-concurrency=1 e2e.test.mjs

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { start } from "./harness.mjs";
import { LogpushStandIn } from "./logpush.mjs";

// From the Workers' wrangler.toml: the gateway is a core service (nno-{service}-{env}, no
// platform), the analytics Worker a platform feature Worker (seed §2.4's ScriptName).
const GATEWAY = "nno-gateway-prod";
const ANALYTICS = "k3m9p2xw7q-r8n4t6y1z5-analytics-prod";
const PLATFORM = "k3m9p2xw7q";
const ENTITY = "r8n4t6y1z5";
const PERF = `${PLATFORM}-perf`;
const CORE_OPS = "nno-core-ops";
const SPANS = "nno-core-ops-spans";
const NNO_INTERNAL = "nno-internal";

/** What each Worker appends to `→ request` / `← response` (seed §1.5 "Request handled"). */
const CONTEXT = {
  gateway: {},
  analytics: { featureId: "analytics", platformId: PLATFORM, entityId: ENTITY },
};
/** The platform each Worker's span points name (blob7). */
const SPAN_PLATFORM = { gateway: NNO_INTERNAL, analytics: PLATFORM };

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const CORE_KEYS = ["timestamp", "level", "service", "traceId", "requestId", "message"];
const JOB_STEPS = ["create-dataset", "publish-report", "reserve-quota", "rollback", "run-job"];
/** What the malformed export's handler returns as its Err (workers-rs' JSON error text). */
const EXPORT_ERROR = "malformed export body: failed to get JSON for body value";

const here = path.dirname(fileURLToPath(import.meta.url));
/** The Logpush stand-in's store (git-ignored, emptied at the start of each run). */
const STORE = path.join(here, ".out", "store");
/** The nno-obs CLI of the root workspace, built by scripts/e2e.sh. */
const NNO_OBS = process.env.NNO_OBS_BIN ?? path.resolve(here, "../target/debug/nno-obs");

let h;
let capture;
let logpush;

before(async () => {
  logpush = new LogpushStandIn(STORE);
  h = await start([{ dir: "gateway" }, { dir: "analytics" }], { logpush });
  capture = h.capture;
});

after(async () => {
  await h?.dispose();
});

// -- helpers ---------------------------------------------------------------------------------

function lines(filter = {}) {
  return capture.lines().filter(({ entry }) =>
    Object.entries(filter).every(([key, value]) => entry[key] === value),
  );
}

/** The span points of `traceId` (index and blob1). */
function spansOf(traceId) {
  return capture.points(SPANS).filter((p) => p.indexes[0] === traceId);
}

/** A request's own span: the one whose operation is an endpoint (`METHOD …`). */
function isRequestSpan(point) {
  return /^[A-Z]+ /.test(point.blobs[4]);
}

/**
 * Waits until every Worker of `services` has printed the `← response` line of `traceId` and
 * written its request span (the handler writes the perf or core-ops point right after it, in
 * the same call), then a little longer: anything written later would be a bug.
 */
async function settled(traceId, services) {
  await capture.until(
    () =>
      services.every(
        (service) =>
          lines({ traceId, service, message: "← response" }).length >= 1 &&
          spansOf(traceId).some((p) => p.blobs[3] === service && isRequestSpan(p)),
      ),
    `the ← response lines and request spans of ${traceId} from ${services.join(", ")}`,
  );
  await new Promise((resolve) => setTimeout(resolve, 50));
}

/** How many points each dataset has so far; `newPoints` returns those written since. */
function mark() {
  return {
    [PERF]: capture.points(PERF).length,
    [CORE_OPS]: capture.points(CORE_OPS).length,
    [SPANS]: capture.points(SPANS).length,
  };
}

function newPoints(since, dataset) {
  return capture.points(dataset).slice(since[dataset]);
}

/** The one line matching `filter`; fails if there are none or several. */
function one(filter) {
  const found = lines(filter);
  assert.equal(found.length, 1, `exactly one line ${JSON.stringify(filter)}, got ${found.length}`);
  return found[0];
}

/**
 * Checks the request's pair of lines, byte for byte against `JSON.stringify`: `→ request`
 * {method, path, …context} and `← response` {method, path, status, duration, …context}, where
 * the context is the Worker's featureId, platformId, entityId when it has them; info level, on
 * stdout (console.log). Returns the duration.
 */
function assertRequestLines({ service, traceId, requestId, method, path, status }) {
  const context = CONTEXT[service];
  const request = one({ service, traceId, message: "→ request" });
  const e = request.entry;
  assert.match(e.timestamp, ISO_MS);
  assert.equal(
    request.text,
    JSON.stringify({
      timestamp: e.timestamp,
      level: "info",
      service,
      traceId,
      requestId,
      message: "→ request",
      method,
      path,
      ...context,
    }),
  );
  assert.equal(request.consoleLevel, "log");

  const response = one({ service, traceId, message: "← response" });
  const r = response.entry;
  assert.match(r.timestamp, ISO_MS);
  assert.ok(Number.isInteger(r.duration) && r.duration >= 0, `duration ${r.duration}`);
  assert.equal(
    response.text,
    JSON.stringify({
      timestamp: r.timestamp,
      level: "info",
      service,
      traceId,
      requestId,
      message: "← response",
      method,
      path,
      status,
      duration: r.duration,
      ...context,
    }),
  );
  assert.equal(response.consoleLevel, "log");
  assert.ok(Date.parse(r.timestamp) >= Date.parse(e.timestamp));
  return r.duration;
}

/** Checks a seed §3.2 `{platformId}-perf` point. */
function assertPerfPoint(point, { feature, endpoint, status, duration }) {
  assert.equal(point.aeDataset, PERF);
  assert.deepEqual(point.blobs, [feature, endpoint, String(status), ENTITY]);
  assert.equal(point.doubles.length, 3);
  assert.equal(point.doubles[0], 1);
  assert.ok(Number.isInteger(point.doubles[1]) && point.doubles[1] >= 0);
  // The same clock reading as the `← response` line.
  if (duration !== undefined) assert.equal(point.doubles[1], duration);
  assert.equal(point.doubles[2], status >= 500 ? 1 : 0);
  assert.deepEqual(point.indexes, [feature]);
}

/** Checks a seed §3.2 `nno-core-ops` point of the gateway (no platform: `nno-internal`). */
function assertCoreOpPoint(point, { endpoint, outcome, duration }) {
  assert.equal(point.aeDataset, CORE_OPS);
  assert.deepEqual(point.blobs, ["gateway", endpoint, outcome, NNO_INTERNAL]);
  assert.equal(point.doubles.length, 3);
  assert.equal(point.doubles[0], 1);
  assert.ok(Number.isInteger(point.doubles[1]) && point.doubles[1] >= 0);
  if (duration !== undefined) assert.equal(point.doubles[1], duration);
  assert.equal(point.doubles[2], outcome === "error" ? 1 : 0);
  assert.deepEqual(point.indexes, ["gateway"]);
}

function perfOf(points, feature) {
  const found = points.filter((p) => p.blobs[0] === feature);
  assert.equal(found.length, 1, `one ${feature} perf point, got ${found.length}`);
  return found[0];
}

/**
 * Checks the span points of `traceId` (seed §4.2 layout) and how they link: distinct span ids,
 * every parent an existing span of the trace (no dangling parent), and one root per trace. A
 * request the gateway forwarded is one tree, gateway request → forward → the feature Worker's
 * request span, whatever the trace id: a UUID is sent as the `traceparent`'s trace-id, and an
 * id like `tr_abc123` as the W3C trace-id nno-obs derives from it. `services`: the Workers the
 * request went through. Returns {spans, byId, requestSpan(service), children(span)}.
 */
function assertSpanForest(traceId, { services }) {
  const points = spansOf(traceId);
  for (const p of points) {
    assert.equal(p.aeDataset, SPANS);
    // A job's own span (nno_obs::job) appends its id and operation: blob8, blob9.
    assert.equal(p.blobs.length, p.blobs[4] === "run-job" ? 9 : 7, `blobs of ${p.blobs[4]}`);
    assert.equal(p.blobs[0], traceId);
    assert.match(p.blobs[1], SPAN_ID);
    assert.ok(p.blobs[2] === "" || SPAN_ID.test(p.blobs[2]), `parent ${p.blobs[2]}`);
    assert.ok(services.includes(p.blobs[3]), `service ${p.blobs[3]}`);
    assert.ok(["ok", "error"].includes(p.blobs[5]) || (p.blobs.length === 9 && p.blobs[5] === "started"));
    assert.equal(p.blobs[6], SPAN_PLATFORM[p.blobs[3]]);
    assert.deepEqual(p.indexes, [traceId]);
    assert.equal(p.doubles.length, 2);
    assert.ok(Number.isInteger(p.doubles[0]) && p.doubles[0] >= 0);
    assert.equal(p.doubles[1], p.blobs[5] === "error" ? 1 : 0);
  }
  // A job writes its span point when it starts (outcome `started`, duration 0) and again when
  // it ends, with the same span id: the tree is made of the ends.
  const started = points.filter((p) => p.blobs[5] === "started");
  const spans = points.filter((p) => p.blobs[5] !== "started");
  const byId = new Map(spans.map((p) => [p.blobs[1], p]));
  for (const p of started) {
    assert.equal(p.doubles[0], 0, "a job's started point has no duration yet");
    const end = byId.get(p.blobs[1]);
    assert.ok(end, `the started job ${p.blobs[7]} ended`);
    assert.deepEqual(end.blobs.slice(7), p.blobs.slice(7), "the same job at its start and end");
  }
  assert.equal(byId.size, spans.length, "span ids are distinct");
  for (const p of spans) {
    if (p.blobs[2] !== "") assert.ok(byId.has(p.blobs[2]), `dangling parent of ${p.blobs[4]}`);
  }
  const requestSpan = (service) => {
    const found = spans.filter((p) => p.blobs[3] === service && isRequestSpan(p));
    assert.equal(found.length, 1, `one request span of ${service}`);
    return found[0];
  };
  const roots = spans.filter((p) => p.blobs[2] === "");
  const [first] = services;
  assert.deepEqual(roots, [requestSpan(first)], `one tree: the ${first} request span is its root`);
  if (services.includes("gateway") && services.includes("analytics")) {
    // gateway request → forward → the feature Worker's request span.
    const forward = spans.filter((p) => p.blobs[4] === "forward");
    assert.equal(forward.length, 1, "one forward span per outgoing call");
    assert.equal(forward[0].blobs[3], "gateway");
    assert.equal(forward[0].blobs[2], requestSpan("gateway").blobs[1]);
    assert.equal(requestSpan("analytics").blobs[2], forward[0].blobs[1]);
  }
  const children = (span) => spans.filter((p) => p.blobs[2] === span.blobs[1]);
  return { spans, started, byId, requestSpan, children };
}

/** Checks the job's spans under the analytics request span; returns them by operation. */
function assertJobSpans(forest) {
  const request = forest.requestSpan("analytics");
  assert.equal(request.blobs[4], "POST /api/jobs");
  assert.equal(request.blobs[5], "error", "a 500 is an error outcome");
  const steps = forest.spans.filter((p) => JOB_STEPS.includes(p.blobs[4]));
  assert.deepEqual(steps.map((p) => p.blobs[4]).sort(), JOB_STEPS);
  const byOp = Object.fromEntries(steps.map((p) => [p.blobs[4], p]));
  assert.equal(byOp["run-job"].blobs[2], request.blobs[1], "run-job is a child of the request");
  for (const op of ["reserve-quota", "create-dataset", "publish-report", "rollback"]) {
    assert.equal(byOp[op].blobs[2], byOp["run-job"].blobs[1], `${op} is a child of run-job`);
  }
  assert.equal(byOp["publish-report"].blobs[5], "error");
  assert.equal(byOp["run-job"].blobs[5], "error");
  for (const op of ["reserve-quota", "create-dataset", "rollback"]) {
    assert.equal(byOp[op].blobs[5], "ok", op);
  }
  // run-job is the job's own span (`#[nno_instrument(span, job, …)]`): its points name the
  // job (blob8) and its operation (blob9), the failed-jobs question's way of finding it, and it
  // wrote one `started` point first.
  assert.match(byOp["run-job"].blobs[7], UUID_V4);
  assert.equal(byOp["run-job"].blobs[8], "GENERATE_REPORT");
  assert.deepEqual(
    forest.started.map((p) => p.blobs[1]),
    [byOp["run-job"].blobs[1]],
    "one started point: the job's",
  );
  return byOp;
}

/** Sends raw bytes as an HTTP/1.1 request; resolves with {status, headers} of the answer. */
function rawRequest(base, head) {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname, () => socket.write(head, "latin1"));
    let data = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer to ${JSON.stringify(head)}`));
    }, 10_000);
    socket.on("data", (chunk) => {
      data += chunk.toString("latin1");
      const end = data.indexOf("\r\n\r\n");
      if (end < 0) return;
      const [statusLine, ...headerLines] = data.slice(0, end).split("\r\n");
      const headers = {};
      for (const line of headerLines) {
        const colon = line.indexOf(":");
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const length = Number(headers["content-length"] ?? 0);
      if (data.length - end - 4 < length) return;
      clearTimeout(timer);
      socket.destroy();
      resolve({ status: Number(statusLine.split(" ")[1]), headers, raw: data });
    });
    socket.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

// -- tests -----------------------------------------------------------------------------------

test("gateway /health: ids generated and echoed, exact lines, one core-ops point, no perf", async () => {
  const since = mark();
  const res = await fetch(h.url(GATEWAY, "/health"));
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { status: "ok", service: "gateway" });
  const traceId = res.headers.get("x-trace-id");
  const requestId = res.headers.get("x-request-id");
  assert.match(traceId, UUID_V4);
  assert.match(requestId, UUID_V4);
  assert.notEqual(traceId, requestId);

  await settled(traceId, ["gateway"]);
  const duration = assertRequestLines({
    service: "gateway",
    traceId,
    requestId,
    method: "GET",
    path: "/health",
    status: 200,
  });
  // A core service: one nno-core-ops point, and nothing in a platform's perf dataset.
  const ops = newPoints(since, CORE_OPS);
  assert.equal(ops.length, 1);
  assertCoreOpPoint(ops[0], { endpoint: "GET /health", outcome: "success", duration });
  assert.equal(newPoints(since, PERF).length, 0, "a core service writes no perf point");
  // Its request span is the trace's one root.
  const forest = assertSpanForest(traceId, { services: ["gateway"] });
  assert.equal(forest.spans.length, 1);
  const span = forest.requestSpan("gateway");
  assert.deepEqual(span.blobs, [traceId, span.blobs[1], "", "gateway", "GET /health", "ok", NNO_INTERNAL]);
  assert.deepEqual(span.doubles, [duration, 0]);
});

test("a client x-trace-id is kept end to end; both Workers log it; ids echoed", async () => {
  const traceId = "tr_e2e_keep_1";
  const requestId = "req-e2e-keep-1";
  const since = mark();
  const res = await fetch(h.url(GATEWAY, "/api/data"), {
    headers: { "x-trace-id": traceId, "x-request-id": requestId },
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("x-trace-id"), traceId);
  assert.equal(res.headers.get("x-request-id"), requestId);
  const body = await res.json();
  assert.equal(body.feature, "analytics");

  await settled(traceId, ["gateway", "analytics"]);
  const feature = assertRequestLines({
    service: "analytics",
    traceId,
    requestId,
    method: "GET",
    path: "/api/data",
    status: 200,
  });
  const gateway = assertRequestLines({
    service: "gateway",
    traceId,
    requestId,
    method: "GET",
    path: "/api/data",
    status: 200,
  });
  // The gateway's request encloses the feature Worker's.
  const g = (m) => Date.parse(one({ service: "gateway", traceId, message: m }).entry.timestamp);
  const a = (m) => Date.parse(one({ service: "analytics", traceId, message: m }).entry.timestamp);
  assert.ok(g("→ request") <= a("→ request") && a("← response") <= g("← response"));

  const perf = newPoints(since, PERF);
  assert.equal(perf.length, 1, "one perf point: the feature Worker's");
  assertPerfPoint(perf[0], {
    feature: "analytics",
    endpoint: "GET /api/data",
    status: 200,
    duration: feature,
  });
  const ops = newPoints(since, CORE_OPS);
  assert.equal(ops.length, 1, "one core-ops point: the gateway's");
  assertCoreOpPoint(ops[0], { endpoint: "GET /api/*rest", outcome: "success", duration: gateway });
  // `tr_e2e_keep_1` has no hex form, yet the hop is one tree (its W3C trace-id is derived).
  assertSpanForest(traceId, { services: ["gateway", "analytics"] });
});

test("without x-trace-id, UUIDs are generated at the gateway and shared downstream", async () => {
  const since = mark();
  const res = await fetch(h.url(GATEWAY, "/api/report/12345"));
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { id: "12345", status: "ready", rows: 3 });
  const traceId = res.headers.get("x-trace-id");
  const requestId = res.headers.get("x-request-id");
  assert.match(traceId, UUID_V4);
  assert.match(requestId, UUID_V4);

  await settled(traceId, ["gateway", "analytics"]);
  for (const service of ["gateway", "analytics"]) {
    assertRequestLines({
      service,
      traceId,
      requestId,
      method: "GET",
      path: "/api/report/12345",
      status: 200,
    });
  }
  const built = one({ service: "analytics", traceId, message: "report built" });
  assert.equal(built.entry.requestId, requestId);
  assert.deepEqual(Object.keys(built.entry), [...CORE_KEYS, "reportId", "rows"]);
  assert.equal(built.entry.reportId, "12345");

  // Endpoints are declared routes, never paths.
  const perf = newPoints(since, PERF);
  assert.equal(perf.length, 1);
  assertPerfPoint(perf[0], { feature: "analytics", endpoint: "GET /api/report/:id", status: 200 });
  const ops = newPoints(since, CORE_OPS);
  assert.equal(ops.length, 1);
  assertCoreOpPoint(ops[0], { endpoint: "GET /api/*rest", outcome: "success" });
});

test("one span tree across the gateway hop: request → forward → the feature's request span", async () => {
  // A UUID trace id can be written in a traceparent, so the gateway's forward span is the
  // feature Worker's parent.
  const traceId = randomUUID();
  const res = await fetch(h.url(GATEWAY, "/api/report/77"), { headers: { "x-trace-id": traceId } });
  assert.equal(res.status, 200);
  await res.arrayBuffer();
  await settled(traceId, ["gateway", "analytics"]);
  const forest = assertSpanForest(traceId, { services: ["gateway", "analytics"] });
  assert.equal(forest.spans.length, 3);
  const gateway = forest.requestSpan("gateway");
  const [forward] = forest.children(gateway);
  const feature = forest.requestSpan("analytics");
  assert.deepEqual(gateway.blobs, [traceId, gateway.blobs[1], "", "gateway", "GET /api/*rest", "ok", NNO_INTERNAL]);
  assert.deepEqual(forward.blobs, [traceId, forward.blobs[1], gateway.blobs[1], "gateway", "forward", "ok", NNO_INTERNAL]);
  assert.deepEqual(feature.blobs, [traceId, feature.blobs[1], forward.blobs[1], "analytics", "GET /api/report/:id", "ok", PLATFORM]);
  // The request spans last as long as their ← response lines say.
  const duration = (service) => one({ traceId, service, message: "← response" }).entry.duration;
  assert.equal(gateway.doubles[0], duration("gateway"));
  assert.equal(feature.doubles[0], duration("analytics"));
  // The forward span runs inside the gateway's request (one isolate, one clock).
  assert.ok(forward.doubles[0] <= gateway.doubles[0]);
});

test("the feature Worker called directly: its own ids, exact lines, route endpoint, root span", async () => {
  const since = mark();
  const res = await fetch(h.url(ANALYTICS, "/api/report/q3-2026"), {
    headers: { "x-request-id": "req_direct_1" },
  });
  assert.equal(res.status, 200);
  const traceId = res.headers.get("x-trace-id");
  assert.match(traceId, UUID_V4);
  assert.equal(res.headers.get("x-request-id"), "req_direct_1");
  await settled(traceId, ["analytics"]);
  const duration = assertRequestLines({
    service: "analytics",
    traceId,
    requestId: "req_direct_1",
    method: "GET",
    path: "/api/report/q3-2026",
    status: 200,
  });
  assert.equal(lines({ traceId, service: "gateway" }).length, 0);
  const perf = newPoints(since, PERF);
  assert.equal(perf.length, 1);
  assertPerfPoint(perf[0], { feature: "analytics", endpoint: "GET /api/report/:id", status: 200, duration });
  assert.equal(newPoints(since, CORE_OPS).length, 0, "a platform feature writes no core-ops point");
  const forest = assertSpanForest(traceId, { services: ["analytics"] });
  const span = forest.requestSpan("analytics");
  assert.deepEqual(span.blobs, [traceId, span.blobs[1], "", "analytics", "GET /api/report/:id", "ok", PLATFORM]);
  assert.deepEqual(span.doubles, [duration, 0]);
});

test("POST /api/data/export: the body is forwarded; a malformed one is an unhandled error, 500", async () => {
  // A well-formed export through the gateway (proves the POST body crossed the binding).
  let since = mark();
  let res = await fetch(h.url(GATEWAY, "/api/data/export"), {
    method: "POST",
    headers: { "content-type": "application/json", "x-trace-id": "tr_export_ok" },
    body: JSON.stringify({ format: "csv", rows: [{ a: 1 }, { a: 2 }] }),
  });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { exported: 2, format: "csv" });
  await settled("tr_export_ok", ["gateway", "analytics"]);
  assertPerfPoint(perfOf(newPoints(since, PERF), "analytics"), {
    feature: "analytics",
    endpoint: "POST /api/data/export",
    status: 200,
  });
  assert.equal(one({ traceId: "tr_export_ok", message: "export written" }).entry.rows, 2);
  assert.equal(lines({ traceId: "tr_export_ok", message: "unhandled error" }).length, 0);

  // A malformed body: the handler returns Err, which counts as 500.
  since = mark();
  res = await fetch(h.url(GATEWAY, "/api/data/export"), {
    method: "POST",
    headers: { "content-type": "application/json", "x-trace-id": "tr_export_bad" },
    body: '{"format": "csv", "rows": [',
  });
  assert.equal(res.status, 500);
  await res.arrayBuffer();
  // The feature Worker's Err carries no headers; the gateway still echoes the ids.
  assert.equal(res.headers.get("x-trace-id"), "tr_export_bad");
  const requestId = res.headers.get("x-request-id");
  assert.match(requestId, UUID_V4);
  await settled("tr_export_bad", ["gateway", "analytics"]);
  const featureDuration = assertRequestLines({
    service: "analytics",
    traceId: "tr_export_bad",
    requestId,
    method: "POST",
    path: "/api/data/export",
    status: 500,
  });
  const warned = one({ traceId: "tr_export_bad", message: "malformed export body" });
  assert.equal(warned.entry.level, "warn");
  assert.ok(!warned.text.includes('"rows": ['), "the body's content is not logged");

  // Seed §1.5 "Unhandled error": one error line with the ids, featureId and the error's text,
  // on stderr, before the ← response line.
  const unhandled = one({ traceId: "tr_export_bad", message: "unhandled error" });
  assert.equal(
    unhandled.text,
    JSON.stringify({
      timestamp: unhandled.entry.timestamp,
      level: "error",
      service: "analytics",
      traceId: "tr_export_bad",
      requestId,
      message: "unhandled error",
      featureId: "analytics",
      error: EXPORT_ERROR,
    }),
  );
  assert.equal(unhandled.consoleLevel, "error");
  const order = lines({ traceId: "tr_export_bad", service: "analytics" }).map((l) => l.entry.message);
  assert.deepEqual(order, ["→ request", "malformed export body", "unhandled error", "← response"]);

  const perf = newPoints(since, PERF);
  assert.equal(perf.length, 1);
  assertPerfPoint(perf[0], {
    feature: "analytics",
    endpoint: "POST /api/data/export",
    status: 500,
    duration: featureDuration,
  });
  // The gateway answered the feature Worker's 500: an error outcome in nno-core-ops.
  const ops = newPoints(since, CORE_OPS);
  assert.equal(ops.length, 1);
  assertCoreOpPoint(ops[0], { endpoint: "POST /api/*rest", outcome: "error" });
  assert.equal(one({ traceId: "tr_export_bad", message: "feature worker failed" }).entry.status, 500);
  // The gateway returned the 500 as a response, not an Err: no unhandled error of its own.
  assert.equal(lines({ traceId: "tr_export_bad", service: "gateway", message: "unhandled error" }).length, 0);
  const forest = assertSpanForest("tr_export_bad", { services: ["gateway", "analytics"] });
  assert.equal(forest.requestSpan("analytics").blobs[5], "error");
  assert.equal(forest.requestSpan("gateway").blobs[5], "error");
});

test("POST /api/jobs: three steps, the third fails and rolls back; one span tree per trace", async () => {
  const traceId = randomUUID();
  const since = mark();
  const res = await fetch(h.url(GATEWAY, "/api/jobs"), {
    method: "POST",
    headers: { "x-trace-id": traceId },
  });
  assert.equal(res.status, 500);
  const body = await res.json();
  assert.equal(body.status, "rolled-back");
  assert.equal(body.error, "publish failed: report destination unavailable");
  assert.match(body.jobId, UUID_V4);
  assert.equal(res.headers.get("x-trace-id"), traceId);

  await settled(traceId, ["gateway", "analytics"]);
  // gateway request → forward → analytics request → run-job → its four steps: eight spans,
  // one root.
  const forest = assertSpanForest(traceId, { services: ["gateway", "analytics"] });
  assert.equal(forest.spans.length, 8);
  const spans = assertJobSpans(forest);
  assert.equal(spans["run-job"].blobs[7], body.jobId, "the job's points carry the id it answered");

  // Step lines: started/completed (info), failed (error, on stderr), each with step and jobId.
  const steps = lines({ traceId, service: "analytics" }).filter((l) => "step" in l.entry);
  for (const l of steps) {
    assert.equal(l.entry.jobId, body.jobId);
    assert.equal(l.consoleLevel, l.entry.level === "error" ? "error" : "log");
  }
  const failed = steps.filter((l) => l.entry.message === "step failed");
  assert.deepEqual(failed.map((l) => l.entry.step), ["publish-report", "run-job"]);
  for (const l of failed) {
    assert.equal(l.entry.level, "error");
    assert.equal(l.entry.error, "publish failed: report destination unavailable");
    assert.ok(Number.isInteger(l.entry.durationMs));
  }
  const completed = steps.filter((l) => l.entry.message === "step completed").map((l) => l.entry.step);
  assert.deepEqual(completed, ["reserve-quota", "create-dataset", "rollback"]);
  const order = steps.map((l) => `${l.entry.message}:${l.entry.step}`);
  assert.ok(
    order.indexOf("step failed:publish-report") < order.indexOf("step started:rollback"),
    "rollback runs after the failure",
  );
  assert.equal(spans["publish-report"].doubles[1], 1);
  // A 500 response (not an Err): no unhandled error line.
  assert.equal(lines({ traceId, message: "unhandled error" }).length, 0);

  assertPerfPoint(perfOf(newPoints(since, PERF), "analytics"), {
    feature: "analytics",
    endpoint: "POST /api/jobs",
    status: 500,
  });
});

test("a 404 on each Worker is observed under the endpoint `GET (unmatched)`", async () => {
  // The gateway: a path outside its routes.
  let since = mark();
  let res = await fetch(h.url(GATEWAY, "/wp-login.php"));
  assert.equal(res.status, 404);
  await res.arrayBuffer();
  let traceId = res.headers.get("x-trace-id");
  assert.match(traceId, UUID_V4);
  await settled(traceId, ["gateway"]);
  let duration = assertRequestLines({
    service: "gateway",
    traceId,
    requestId: res.headers.get("x-request-id"),
    method: "GET",
    path: "/wp-login.php",
    status: 404,
  });
  let ops = newPoints(since, CORE_OPS);
  assert.equal(ops.length, 1);
  assertCoreOpPoint(ops[0], { endpoint: "GET (unmatched)", outcome: "success", duration });
  assert.equal(assertSpanForest(traceId, { services: ["gateway"] }).requestSpan("gateway").blobs[4], "GET (unmatched)");

  // The feature Worker called directly: the router's 404, observed by the one handler.
  since = mark();
  res = await fetch(h.url(ANALYTICS, "/api/nothing/here"));
  assert.equal(res.status, 404);
  await res.arrayBuffer();
  traceId = res.headers.get("x-trace-id");
  assert.match(traceId, UUID_V4, "ids echoed on the router's 404");
  await settled(traceId, ["analytics"]);
  duration = assertRequestLines({
    service: "analytics",
    traceId,
    requestId: res.headers.get("x-request-id"),
    method: "GET",
    path: "/api/nothing/here",
    status: 404,
  });
  let perf = newPoints(since, PERF);
  assert.equal(perf.length, 1);
  assertPerfPoint(perf[0], { feature: "analytics", endpoint: "GET (unmatched)", status: 404, duration });
  assert.equal(assertSpanForest(traceId, { services: ["analytics"] }).requestSpan("analytics").blobs[4], "GET (unmatched)");

  // Through the gateway: forwarded under its /api/*rest route, a 404 in the feature Worker.
  since = mark();
  traceId = randomUUID();
  res = await fetch(h.url(GATEWAY, "/api/unknown"), { headers: { "x-trace-id": traceId } });
  assert.equal(res.status, 404);
  await res.arrayBuffer();
  await settled(traceId, ["gateway", "analytics"]);
  assertCoreOpPoint(newPoints(since, CORE_OPS)[0], { endpoint: "GET /api/*rest", outcome: "success" });
  perf = newPoints(since, PERF);
  assert.equal(perf.length, 1);
  assertPerfPoint(perf[0], { feature: "analytics", endpoint: "GET (unmatched)", status: 404 });
  const forest = assertSpanForest(traceId, { services: ["gateway", "analytics"] });
  assert.equal(forest.requestSpan("analytics").blobs[4], "GET (unmatched)");
});

test("200 requests to random paths write exactly one endpoint value per Worker", async () => {
  const random = () => Math.random().toString(36).slice(2);
  const paths = Array.from({ length: 200 }, (_, i) =>
    [
      `/${random()}`,
      `/users/${random()}@example.com`,
      `/api/report/${random()}/rows/${i}`,
      `/${randomUUID()}/${random()}`,
    ][i % 4],
  );
  for (const [worker, pathsOf, dataset] of [
    [ANALYTICS, (p) => p, PERF],
    // Outside the gateway's /api/*rest (which it forwards).
    [GATEWAY, (p) => `/x${p}`, CORE_OPS],
  ]) {
    const since = mark();
    const traceIds = [];
    for (let at = 0; at < paths.length; at += 20) {
      const batch = await Promise.all(
        paths.slice(at, at + 20).map(async (p) => {
          const res = await fetch(h.url(worker, pathsOf(p)));
          await res.arrayBuffer();
          assert.equal(res.status, 404, pathsOf(p));
          return res.headers.get("x-trace-id");
        }),
      );
      traceIds.push(...batch);
    }
    await capture.until(
      () => capture.points(dataset).length >= since[dataset] + paths.length,
      `${paths.length} points in ${dataset}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const points = newPoints(since, dataset);
    assert.equal(points.length, paths.length);
    assert.deepEqual([...new Set(points.map((p) => p.blobs[1]))], ["GET (unmatched)"], worker);
    const ids = new Set(traceIds);
    const operations = newPoints(since, SPANS)
      .filter((p) => ids.has(p.indexes[0]))
      .map((p) => p.blobs[4]);
    assert.equal(operations.length, paths.length);
    assert.deepEqual([...new Set(operations)], ["GET (unmatched)"], worker);
  }
  // No path reached Analytics Engine.
  const written = JSON.stringify([capture.points(PERF), capture.points(CORE_OPS), capture.points(SPANS)]);
  assert.ok(!written.includes("@example.com"));
});

test("the gateway's forwarded (fetched) response carries the echoed ids and keeps its headers", async () => {
  // The feature Worker's response, fetched through the service binding, has immutable headers
  // in JavaScript; #[nno_handler] echoes the ids on a copy of them.
  for (const headers of [{}, { "x-trace-id": "tr_echo_1", "x-request-id": "req_echo_1" }]) {
    const res = await fetch(h.url(GATEWAY, "/api/data"), { headers });
    assert.equal(res.status, 200);
    const body = await res.text();
    assert.equal(JSON.parse(body).feature, "analytics");
    assert.equal(res.headers.get("content-type"), "application/json", "the feature's header kept");
    const traceId = res.headers.get("x-trace-id");
    const requestId = res.headers.get("x-request-id");
    if (headers["x-trace-id"]) {
      assert.equal(traceId, "tr_echo_1");
      assert.equal(requestId, "req_echo_1");
    } else {
      assert.match(traceId, UUID_V4);
      assert.match(requestId, UUID_V4);
    }
    await settled(traceId, ["gateway", "analytics"]);
    // Both Workers logged the ids the client got back (set once, not appended twice).
    for (const service of ["gateway", "analytics"]) {
      assert.equal(one({ traceId, service, message: "← response" }).entry.requestId, requestId);
    }
  }
});

// Each value carries the marker EVIL so that "never printed" can be checked in everything
// workerd wrote.
const HOSTILE_VIA_FETCH = [
  ["quotes", 'EVIL"quoted"'],
  ["JSON breaker", 'EVIL","level":"error","service":"forged'],
  ["4 KB", "EVIL" + "a".repeat(4092)],
  ["encoded CR/LF", "EVIL%0d%0ax-forged:%201"],
  ["space", "EVIL forged"],
];
// CR/LF cannot be sent with fetch (undici refuses them), so these go over a raw socket.
const HOSTILE_RAW = [
  ["bare CR", 'EVIL"cr\rx-forged: EVILCR'],
  ["obs-fold CRLF", 'EVIL"fold\r\n EVILFOLD'],
  ["bare LF", 'EVIL"lf\nx-forged: EVILLF'],
  ["latin-1 bytes", "EVIL\xff\xfe"],
];

test("hostile x-trace-id values are replaced, reported by length, and never printed", async () => {
  const seen = [];
  for (const [name, value] of HOSTILE_VIA_FETCH) {
    const res = await fetch(h.url(GATEWAY, "/api/data"), { headers: { "x-trace-id": value } });
    assert.equal(res.status, 200, name);
    await res.arrayBuffer();
    seen.push({ name, res: { headers: Object.fromEntries(res.headers) }, length: Buffer.byteLength(value) });
  }
  for (const [name, value] of HOSTILE_RAW) {
    const res = await rawRequest(
      h.base(GATEWAY),
      `GET /api/data HTTP/1.1\r\nHost: localhost\r\nx-trace-id: ${value}\r\n\r\n`,
    );
    assert.equal(res.status, 200, `${name}: ${res.raw.slice(0, 200)}`);
    seen.push({ name, res, length: undefined });
  }
  for (const { name, res, length } of seen) {
    const traceId = res.headers["x-trace-id"];
    assert.match(traceId, UUID_V4, `${name}: a fresh id is echoed`);
    await settled(traceId, ["gateway", "analytics"]);
    const warn = one({ traceId, service: "gateway", message: "invalid incoming id replaced" });
    assert.equal(warn.entry.level, "warn");
    assert.equal(warn.entry.header, "x-trace-id");
    assert.ok(Number.isInteger(warn.entry.length) && warn.entry.length > 0);
    if (length !== undefined) assert.equal(warn.entry.length, length, name);
    // Downstream, the fresh id is valid and kept: no second replacement.
    assert.equal(lines({ traceId, service: "analytics", message: "→ request" }).length, 1);
    assert.equal(lines({ traceId, message: "invalid incoming id replaced" }).length, 1);
    for (const header of Object.values(res.headers)) {
      assert.ok(!header.includes("EVIL"), `${name}: not in a response header`);
    }
    // The fresh id is a UUID: the hop is one span tree.
    assertSpanForest(traceId, { services: ["gateway", "analytics"] });
  }
  // A hostile x-request-id is replaced the same way.
  const res = await fetch(h.url(GATEWAY, "/health"), {
    headers: { "x-request-id": 'EVIL"request' },
  });
  await res.arrayBuffer();
  assert.match(res.headers.get("x-request-id"), UUID_V4);
  const traceId = res.headers.get("x-trace-id");
  await settled(traceId, ["gateway"]);
  assert.equal(one({ traceId, message: "invalid incoming id replaced" }).entry.header, "x-request-id");

  assert.ok(!capture.allText().includes("EVIL"), "no hostile value in anything workerd printed");
});

test("50 concurrent requests: 50 distinct trace ids, no id leaks between requests", async () => {
  const since = mark();
  const requests = Array.from({ length: 50 }, (_, i) => {
    const job = i % 2 === 1;
    const path = job ? "/api/jobs" : `/api/report/${1000 + i}`;
    // Half bring their own ids, half get generated ones.
    const headers = i % 4 < 2 ? { "x-trace-id": `tr_conc_${i}`, "x-request-id": `req_conc_${i}` } : {};
    return { i, job, path, headers };
  });
  const responses = await Promise.all(
    requests.map(async (r) => {
      const res = await fetch(h.url(GATEWAY, r.path), {
        method: r.job ? "POST" : "GET",
        headers: r.headers,
      });
      return {
        ...r,
        status: res.status,
        body: await res.json(),
        traceId: res.headers.get("x-trace-id"),
        requestId: res.headers.get("x-request-id"),
      };
    }),
  );
  const traceIds = new Set(responses.map((r) => r.traceId));
  const requestIds = new Set(responses.map((r) => r.requestId));
  assert.equal(traceIds.size, 50, "50 distinct trace ids");
  assert.equal(requestIds.size, 50, "50 distinct request ids");

  await capture.until(
    () =>
      capture.points(PERF).length >= since[PERF] + 50 &&
      capture.points(CORE_OPS).length >= since[CORE_OPS] + 50,
    "50 perf points (analytics) and 50 core-ops points (gateway)",
  );
  for (const r of responses) {
    await settled(r.traceId, ["gateway", "analytics"]);
  }

  for (const r of responses) {
    if (r.headers["x-trace-id"]) {
      assert.equal(r.traceId, r.headers["x-trace-id"]);
      assert.equal(r.requestId, r.headers["x-request-id"]);
    } else {
      assert.match(r.traceId, UUID_V4);
    }
    const mine = lines({ traceId: r.traceId });
    for (const l of mine) {
      assert.equal(l.entry.requestId, r.requestId, `request ${r.i}: ${l.text}`);
      if ("path" in l.entry) assert.equal(l.entry.path, r.path, `request ${r.i}: ${l.text}`);
    }
    for (const service of ["gateway", "analytics"]) {
      assertRequestLines({
        service,
        traceId: r.traceId,
        requestId: r.requestId,
        method: r.job ? "POST" : "GET",
        path: r.path,
        status: r.job ? 500 : 200,
      });
    }
    // One tree per trace, for the generated (UUID) ids and the `tr_conc_*` ones alike.
    const forest = assertSpanForest(r.traceId, { services: ["gateway", "analytics"] });
    if (r.job) {
      assert.equal(r.status, 500);
      assertJobSpans(forest);
      assert.equal(forest.spans.length, 8);
      const jobIds = new Set(mine.filter((l) => "jobId" in l.entry).map((l) => l.entry.jobId));
      assert.deepEqual([...jobIds], [r.body.jobId], `request ${r.i}: its own job only`);
    } else {
      assert.equal(r.status, 200);
      assert.equal(forest.spans.length, 3);
      assert.equal(r.body.id, String(1000 + r.i));
      assert.equal(one({ traceId: r.traceId, message: "report built" }).entry.reportId, r.body.id);
    }
  }
  // Every line that carries one of these request ids carries its own trace id.
  const traceOf = new Map(responses.map((r) => [r.requestId, r.traceId]));
  for (const l of capture.lines()) {
    if (traceOf.has(l.entry.requestId)) {
      assert.equal(l.entry.traceId, traceOf.get(l.entry.requestId), l.text);
    }
  }
  // And every span point of these traces is in its own trace's forest (checked above): 8 per
  // job and the job's `started` point, 3 per report, none orphaned in another trace.
  const spanTraces = capture.points(SPANS).filter((p) => traceIds.has(p.indexes[0]));
  assert.equal(spanTraces.length, 25 * 9 + 25 * 3);

  const perf = newPoints(since, PERF);
  assert.equal(perf.length, 50);
  const ops = newPoints(since, CORE_OPS);
  assert.equal(ops.length, 50);
  const count = (points, endpoint, third) =>
    points.filter((p) => p.blobs[1] === endpoint && p.blobs[2] === third).length;
  assert.equal(count(perf, "GET /api/report/:id", "200"), 25);
  assert.equal(count(perf, "POST /api/jobs", "500"), 25);
  assert.equal(count(ops, "GET /api/*rest", "success"), 25);
  assert.equal(count(ops, "POST /api/*rest", "error"), 25);
});

test("every line is one NDJSON object with the seed's key order, error lines on stderr", () => {
  const all = capture.lines();
  assert.ok(all.length > 200, `${all.length} lines`);
  for (const { entry, text, consoleLevel } of all) {
    const keys = Object.keys(entry);
    const core = CORE_KEYS.filter((k) => k in entry);
    assert.deepEqual(keys.slice(0, core.length), core, text);
    assert.ok(["info", "warn", "error", "debug"].includes(entry.level), text);
    assert.equal(consoleLevel === "error", entry.level === "error", text);
    assert.ok(!text.includes("\n"));
  }
});

test("workerd printed nothing else but workers-rs' line for each Err", () => {
  // Every console message is an nno-obs line, a recorder point, or the plain-text line
  // workers-rs' #[event(fetch)] prints when a handler returns Err (the malformed export,
  // returned unchanged by #[nno_handler] as it must be, after its `unhandled error` line).
  const other = [];
  for (const log of capture.logs) {
    for (const text of String(log.message).split("\n")) {
      if (text.trim() === "") continue;
      let parsed = null;
      try {
        parsed = JSON.parse(text);
      } catch {}
      const known =
        parsed !== null &&
        ((typeof parsed.message === "string" && "service" in parsed) ||
          typeof parsed.aeDataset === "string");
      if (!known) other.push({ level: log.level, text });
    }
  }
  assert.deepEqual(other, [{ level: "error", text: EXPORT_ERROR }]);
  assert.equal(capture.stderr.trim(), "", "workerd's own stderr");
});

test("no Rust panic and no module reinitialization on stderr", () => {
  const text = capture.allText();
  // Something to judge: workerd's output holds the Workers' lines (an empty capture would
  // pass the absence checks below).
  const lines = capture.lines();
  assert.ok(lines.length > 200, `${lines.length} lines captured`);
  assert.ok(lines.every((line) => text.includes(line.text)), "the text judged holds the Workers' lines");
  for (const bad of ["panicked at", "Reinitializing", "RuntimeError", "unreachable"]) {
    assert.ok(!text.includes(bad), `workerd printed ${JSON.stringify(bad)}`);
  }
});

// -- the Logpush stand-in and `nno-obs logs search` over it (seed §2.4) ------------------------
//
// logpush.mjs writes one Workers Trace Events record per invocation, from the Tail Worker's
// TraceItems, into STORE in the R2 layout. These tests read what the tests above made the
// Workers print, with the real nno-obs binary.

const SCRIPT_OF = { gateway: GATEWAY, analytics: ANALYTICS };
const RECORD_KEYS = ["ScriptName", "Outcome", "EventTimestampMs", "EventType", "Event", "Logs", "Exceptions"];
const RAY_ID = /^[0-9a-f]{16}$/;
const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const runFile = promisify(execFile);

/** Every console call of `script`'s records: {level, message, record}. */
function storedLogs(script) {
  return logpush.records
    .filter(({ record }) => record.ScriptName === script)
    .flatMap(({ record }) => record.Logs.map((log) => ({ level: log.Level, message: log.Message, record })));
}

/** The console messages of `service` as workerd printed them (recorder points excluded). */
function printedTexts(service) {
  return capture.lines().filter((l) => l.entry.service === service).map((l) => l.text);
}

/** Multiset equality of two lists of strings. */
function sameTexts(a, b) {
  return JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());
}

/**
 * Waits until the store holds every line the Workers printed: for each Worker, its records'
 * nno-obs lines are exactly those workerd printed for it (trace events arrive after each
 * invocation ends, so they may trail the console), and the analytics Worker's records hold
 * workers-rs' plain-text line.
 */
async function delivered() {
  const ourLines = (script) =>
    storedLogs(script)
      .map((l) => l.message[0])
      .filter((text) => text !== EXPORT_ERROR);
  await logpush.until(
    () =>
      sameTexts(ourLines(GATEWAY), printedTexts("gateway")) &&
      sameTexts(ourLines(ANALYTICS), printedTexts("analytics")) &&
      storedLogs(ANALYTICS).some((l) => l.message[0] === EXPORT_ERROR),
    "a trace event record of every invocation",
  );
}

/** The record that holds the console message `text`. */
function recordOf(text) {
  const found = logpush.records.filter(({ record }) => record.Logs.some((l) => l.Message[0] === text));
  assert.equal(found.length, 1, `one record holds ${text}`);
  return found[0].record;
}

/**
 * Runs `nno-obs logs search` over the store; returns the NDJSON lines, parsed. One page holds
 * everything (--limit), and stderr must be empty: no damaged file, no further page.
 */
async function search(...args) {
  const { stdout, stderr } = await runFile(
    NNO_OBS,
    ["logs", "search", "--store", STORE, "--format", "ndjson", "--limit", "100000", ...args],
    { maxBuffer: 256 << 20 },
  );
  assert.equal(stderr, "", `nno-obs logs search ${args.join(" ")}: stderr`);
  return stdout.split("\n").filter((line) => line !== "").map((line) => JSON.parse(line));
}

/**
 * A hit of our line without what --format ndjson adds (ScriptName, Outcome, Ray): the line as
 * the Worker printed it (its keys keep their order through JSON.parse and JSON.stringify).
 */
function printedText(hit) {
  const { ScriptName, Outcome, Ray, ...entry } = hit;
  return JSON.stringify(entry);
}

/** Checks that `hit` is the console message `text` with its record's ScriptName, Outcome, Ray. */
function assertHitOf(hit, text) {
  const record = recordOf(text);
  assert.equal(printedText(hit), text);
  assert.equal(hit.ScriptName, record.ScriptName);
  assert.equal(hit.Outcome, record.Outcome);
  assert.equal(hit.Ray, record.Event.RayID);
}

/**
 * Checks a record's URL against the path the Worker logged. workerd, like Cloudflare, redacts
 * what looks like an id in a trace event's URL (`/x/{uuid}/…` becomes `/x/REDACTED/…`), so a
 * `REDACTED` stands for one run of [A-Za-z0-9_-] of the logged path.
 */
function assertRedactedPath(url, path) {
  const pattern = new URL(url).pathname
    .split("REDACTED")
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join("[A-Za-z0-9_-]+");
  assert.match(path, new RegExp(`^${pattern}$`), url);
}

/** Every file under `dir`, relative to it. */
function filesUnder(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath ?? entry.path, entry.name)))
    .sort();
}

test("Logpush stand-in: one Workers Trace Events record per invocation, in the R2 layout", async () => {
  await delivered();
  assert.deepEqual(logpush.problems, []);
  for (const [service, script] of Object.entries(SCRIPT_OF)) {
    const records = logpush.records.filter(({ record }) => record.ScriptName === script);
    assert.equal(
      records.length,
      lines({ service, message: "→ request" }).length,
      `${script}: one record per invocation`,
    );
    for (const { record } of records) {
      assert.deepEqual(Object.keys(record), RECORD_KEYS);
      // workers-rs answers a handler's Err with a 500: no invocation threw.
      assert.equal(record.Outcome, "ok");
      assert.equal(record.EventType, "fetch");
      assert.deepEqual(Object.keys(record.Event), ["RayID", "Request", "Response"]);
      // No headers: Workers Trace Events carry none (and a hostile one must not be stored).
      assert.deepEqual(Object.keys(record.Event.Request), ["URL", "Method"]);
      assert.match(record.Event.RayID, RAY_ID);
      assert.deepEqual(record.Exceptions, []);
      for (const log of record.Logs) {
        assert.deepEqual(Object.keys(log), ["Level", "Message", "TimestampMs"]);
        assert.ok(["log", "error"].includes(log.Level), log.Level);
        assert.ok(log.TimestampMs >= record.EventTimestampMs);
      }
      // The runtime attributed the lines: one request's ids, its path, method and status.
      const ours = record.Logs.filter((l) => l.Message[0] !== EXPORT_ERROR).map((l) => JSON.parse(l.Message[0]));
      assert.ok(ours.every((e) => e.service === service), JSON.stringify(ours));
      assert.equal(new Set(ours.map((e) => e.traceId)).size, 1, "one trace per record");
      assert.equal(new Set(ours.map((e) => e.requestId)).size, 1, "one request per record");
      const [request, response] = ["→ request", "← response"].map((m) => ours.filter((e) => e.message === m));
      assert.equal(request.length, 1);
      assert.equal(response.length, 1);
      assertRedactedPath(record.Event.Request.URL, request[0].path);
      assert.equal(record.Event.Request.Method, request[0].method);
      assert.deepEqual(record.Event.Response, { Status: response[0].status });
    }
  }

  // On disk: exactly these records, one per line, each Worker in its bucket.
  const files = filesUnder(STORE);
  const byFile = new Map();
  for (const written of logpush.records) {
    byFile.set(written.file, [...(byFile.get(written.file) ?? []), written]);
  }
  assert.deepEqual(files, [...byFile.keys()].sort());
  for (const file of files) {
    const script = byFile.get(file)[0].record.ScriptName;
    const bucket = script === GATEWAY ? "nno-logs-internal" : `nno-logs-${PLATFORM}`;
    assert.match(file, new RegExp(`^${bucket}/\\d{4}-\\d{2}-\\d{2}/\\d{2}/${script}-${UUID}\\.json$`));
    const expected = byFile.get(file).map(({ record }) => JSON.stringify(record) + "\n").join("");
    assert.equal(readFileSync(path.join(STORE, file), "utf8"), expected, file);
  }
});

test("nno-obs logs search --trace-id: the gateway's and the analytics Worker's lines, in order", async () => {
  await delivered();
  const traceId = "tr_e2e_keep_1";
  const hits = await search("--trace-id", traceId);
  const printed = lines({ traceId });
  assert.equal(hits.length, 4);
  assert.ok(sameTexts(hits.map(printedText), printed.map((l) => l.text)));
  for (const hit of hits) {
    assertHitOf(hit, printedText(hit));
    assert.equal(hit.ScriptName, SCRIPT_OF[hit.service]);
  }
  // Ordered by time; each Worker's lines in the order it printed them.
  const times = hits.map((hit) => Date.parse(hit.timestamp));
  assert.deepEqual(times, [...times].sort((a, b) => a - b));
  for (const service of ["gateway", "analytics"]) {
    assert.deepEqual(
      hits.filter((hit) => hit.ScriptName === SCRIPT_OF[service]).map((hit) => hit.message),
      ["→ request", "← response"],
      service,
    );
  }
  // The gateway's request encloses the analytics Worker's.
  const at = (service, message) => times[hits.findIndex((x) => x.service === service && x.message === message)];
  assert.ok(at("gateway", "→ request") <= at("analytics", "→ request"));
  assert.ok(at("analytics", "← response") <= at("gateway", "← response"));
});

test("nno-obs logs search --feature analytics --level error: the malformed export's unhandled error", async () => {
  await delivered();
  const hits = await search("--feature", "analytics", "--level", "error");
  assert.ok(hits.every((hit) => hit.level === "error" && hit.ScriptName === ANALYTICS));
  const unhandled = hits.filter((hit) => hit.message === "unhandled error");
  assert.equal(unhandled.length, 1);
  assert.equal(unhandled[0].traceId, "tr_export_bad");
  assertHitOf(unhandled[0], one({ traceId: "tr_export_bad", message: "unhandled error" }).text);
  // Every error line the analytics Worker printed (the jobs' `step failed` too), and nothing
  // else but workers-rs' plain-text line.
  const ours = hits.filter((hit) => hit.kind === undefined);
  const printed = lines({ service: "analytics", level: "error" }).map((l) => l.text);
  assert.ok(sameTexts(ours.map(printedText), printed));
  assert.deepEqual(
    hits.filter((hit) => hit.kind !== undefined).map((hit) => [hit.kind, hit.message]),
    [["text", EXPORT_ERROR]],
  );
});

test("nno-obs logs search --platform k3m9p2xw7q: the platform's Worker only, never the gateway", async () => {
  await delivered();
  const hits = await search("--platform", PLATFORM);
  assert.ok(hits.length > 400, `${hits.length} hits`);
  assert.deepEqual([...new Set(hits.map((hit) => hit.ScriptName))], [ANALYTICS]);
  const ours = hits.filter((hit) => hit.kind === undefined);
  assert.ok(sameTexts(ours.map(printedText), printedTexts("analytics")));
  // A trace through both Workers: only the platform's half.
  const trace = await search("--platform", PLATFORM, "--trace-id", "tr_e2e_keep_1");
  assert.deepEqual(
    trace.map((hit) => [hit.ScriptName, hit.message]),
    [
      [ANALYTICS, "→ request"],
      [ANALYTICS, "← response"],
    ],
  );
  // Only the platform's bucket was read (one page holds everything, so every file of it is;
  // --format json is the read API's /logs page, what was read under `scanned`).
  const { stdout } = await runFile(
    NNO_OBS,
    ["logs", "search", "--store", STORE, "--platform", PLATFORM, "--format", "json", "--limit", "100000"],
    { maxBuffer: 256 << 20 },
  );
  const platformFiles = filesUnder(path.join(STORE, `nno-logs-${PLATFORM}`));
  assert.equal(JSON.parse(stdout).scanned.files, platformFiles.length);
});

test("nno-obs logs search --text finds workers-rs' plain-text error line", async () => {
  await delivered();
  const hits = await search("--text", "FAILED TO GET JSON");
  const text = hits.filter((hit) => hit.kind === "text");
  assert.equal(text.length, 1);
  const record = recordOf(EXPORT_ERROR);
  const log = record.Logs.find((l) => l.Message[0] === EXPORT_ERROR);
  assert.deepEqual(text[0], {
    timestamp: new Date(log.TimestampMs).toISOString(),
    level: "error",
    message: EXPORT_ERROR,
    kind: "text",
    ScriptName: ANALYTICS,
    Outcome: "ok",
    Ray: record.Event.RayID,
  });
  // It has no trace id, but its record is the one of tr_export_bad's analytics lines.
  const unhandled = one({ traceId: "tr_export_bad", message: "unhandled error" }).text;
  assert.equal(recordOf(unhandled), record);
  // The matching lines of ours: the handler's warning and the unhandled error.
  assert.deepEqual(
    hits.filter((hit) => hit.kind === undefined).map((hit) => hit.message).sort(),
    ["malformed export body", "unhandled error"],
  );
});

test("the hostile-header test's rejected ids appear nowhere in the store", async () => {
  await delivered();
  for (const file of filesUnder(STORE)) {
    assert.ok(!readFileSync(path.join(STORE, file)).includes("EVIL"), file);
  }
  // --text is case-insensitive and the 200 random paths are lowercase words, which may hold
  // "evil": search for fragments of the hostile values that no path can hold instead.
  for (const fragment of ['EVIL"', "EVIL%0d", "forged", "a".repeat(64)]) {
    assert.deepEqual(await search("--text", fragment), [], fragment);
  }
  // The replacements are there, each with its fresh id, which finds the request in both Workers.
  const replaced = await search("--text", "invalid incoming id replaced");
  assert.equal(replaced.length, HOSTILE_VIA_FETCH.length + HOSTILE_RAW.length + 1);
  for (const hit of replaced) {
    assert.equal(hit.ScriptName, GATEWAY);
    assert.equal(hit.level, "warn");
    assert.match(hit.traceId, UUID_V4);
    const trace = await search("--trace-id", hit.traceId);
    const services = hit.header === "x-trace-id" ? ["gateway", "analytics"] : ["gateway"];
    assert.deepEqual([...new Set(trace.map((x) => x.service))].sort(), [...services].sort());
  }
});

test("closed (.json.gz) files answer the same searches as the open ones", async () => {
  await delivered();
  const queries = [["--trace-id", "tr_export_bad"], ["--platform", PLATFORM], ["--level", "warn"]];
  const before = await Promise.all(queries.map((q) => search(...q)));
  // Each search finds something while the files are open: `[] == []` would prove nothing.
  for (const [at, hits] of before.entries()) {
    assert.ok(hits.length > 0, `${queries[at].join(" ")}: no hits in the open files`);
  }
  logpush.rotate();
  const files = filesUnder(STORE);
  assert.ok(files.length > 0 && files.every((f) => f.endsWith(".json.gz")), files.join(" "));
  const after = await Promise.all(queries.map((q) => search(...q)));
  assert.deepEqual(after, before);
});
