// End-to-end test: the gateway and analytics Workers, compiled to wasm by worker-build, run in
// workerd (miniflare's Node API) and are hit by real HTTP requests on their own sockets. The
// test reads what they printed (console lines) and wrote (Analytics Engine points, through the
// recorder of ae-recorder.mjs).
//
// Run by scripts/e2e.sh, which builds the Workers first:
//   node --test --test-concurrency=1 e2e.test.mjs

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { start } from "./harness.mjs";

const GATEWAY = "nno-gateway";
const ANALYTICS = "nno-analytics";
// From the Workers' wrangler.toml.
const PLATFORM = "k3m9p2xw7q";
const ENTITY = "acme-corp";
const PERF = `${PLATFORM}-perf`;
const SPANS = "nno-core-ops-spans";

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const CORE_KEYS = ["timestamp", "level", "service", "traceId", "requestId", "message"];

let h;
let capture;

before(async () => {
  h = await start([{ dir: "gateway" }, { dir: "analytics" }]);
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

/** Waits until the `← response` lines of `traceId` from `services` are all printed. */
async function settled(traceId, services, pointsBefore, pointsExpected) {
  await capture.until(
    () =>
      services.every(
        (service) => lines({ traceId, service, message: "← response" }).length >= 1,
      ) &&
      (pointsExpected === undefined ||
        capture.points(PERF).length >= pointsBefore + pointsExpected),
    `the ← response lines of ${traceId} from ${services.join(", ")}`,
  );
  // Anything written after the response would be a bug; give it a moment to show up.
  await new Promise((resolve) => setTimeout(resolve, 50));
}

/** The one line matching `filter`; fails if there are none or several. */
function one(filter) {
  const found = lines(filter);
  assert.equal(found.length, 1, `exactly one line ${JSON.stringify(filter)}, got ${found.length}`);
  return found[0];
}

/**
 * Checks the seed §1.3 pair of lines, byte for byte: `→ request` {method, path} and
 * `← response` {method, path, status, duration}, info level, on stdout (console.log).
 * Returns the duration.
 */
function assertRequestLines({ service, traceId, requestId, method, path, status }) {
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
  if (duration !== undefined) {
    // The same measurement as the `← response` line (1 ms of slack for a second clock read).
    assert.ok(Math.abs(point.doubles[1] - duration) <= 1, `${point.doubles[1]} vs ${duration}`);
  }
  assert.equal(point.doubles[2], status >= 500 ? 1 : 0);
  assert.deepEqual(point.indexes, [feature]);
}

function newPerfPoints(before) {
  return capture.points(PERF).slice(before);
}

function perfOf(points, feature) {
  const found = points.filter((p) => p.blobs[0] === feature);
  assert.equal(found.length, 1, `one ${feature} perf point, got ${found.length}`);
  return found[0];
}

/** Asserts that the span points of `traceId` form one tree, and returns it by operation. */
function assertSpanTree(traceId) {
  const spans = capture.points(SPANS).filter((p) => p.indexes[0] === traceId);
  const byOp = Object.fromEntries(spans.map((p) => [p.blobs[4], p]));
  assert.deepEqual(
    spans.map((p) => p.blobs[4]).sort(),
    ["create-dataset", "publish-report", "reserve-quota", "rollback", "run-job"],
  );
  for (const p of spans) {
    assert.equal(p.blobs.length, 7);
    assert.equal(p.blobs[0], traceId);
    assert.match(p.blobs[1], SPAN_ID);
    assert.equal(p.blobs[3], "analytics");
    assert.equal(p.blobs[6], PLATFORM);
    assert.deepEqual(p.indexes, [traceId]);
    assert.equal(p.doubles.length, 2);
    assert.ok(p.doubles[0] >= 0);
    assert.equal(p.doubles[1], p.blobs[5] === "error" ? 1 : 0);
  }
  const ids = new Set(spans.map((p) => p.blobs[1]));
  assert.equal(ids.size, spans.length, "span ids are distinct");
  // One root (its parent, the request's span, wrote no span point); every other span hangs
  // under it.
  const roots = spans.filter((p) => !ids.has(p.blobs[2]));
  assert.equal(roots.length, 1, "one root span");
  assert.equal(roots[0].blobs[4], "run-job");
  assert.match(roots[0].blobs[2], SPAN_ID, "the root's parent is the request's span");
  for (const op of ["reserve-quota", "create-dataset", "publish-report", "rollback"]) {
    assert.equal(byOp[op].blobs[2], byOp["run-job"].blobs[1], `${op} is a child of run-job`);
  }
  assert.equal(byOp["publish-report"].blobs[5], "error");
  assert.equal(byOp["run-job"].blobs[5], "error");
  for (const op of ["reserve-quota", "create-dataset", "rollback"]) {
    assert.equal(byOp[op].blobs[5], "ok", op);
  }
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

test("gateway /health: ids generated and echoed, exact lines, one perf point", async () => {
  const before = capture.points(PERF).length;
  const res = await fetch(h.url(GATEWAY, "/health"));
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { status: "ok", service: "gateway" });
  const traceId = res.headers.get("x-trace-id");
  const requestId = res.headers.get("x-request-id");
  assert.match(traceId, UUID_V4);
  assert.match(requestId, UUID_V4);
  assert.notEqual(traceId, requestId);

  await settled(traceId, ["gateway"], before, 1);
  const duration = assertRequestLines({
    service: "gateway",
    traceId,
    requestId,
    method: "GET",
    path: "/health",
    status: 200,
  });
  const points = newPerfPoints(before);
  assert.equal(points.length, 1);
  assertPerfPoint(points[0], { feature: "gateway", endpoint: "GET /health", status: 200, duration });
});

test("a client x-trace-id is kept end to end; both Workers log it; ids echoed", async () => {
  const traceId = "tr_e2e_keep_1";
  const requestId = "req-e2e-keep-1";
  const before = capture.points(PERF).length;
  const res = await fetch(h.url(GATEWAY, "/api/data"), {
    headers: { "x-trace-id": traceId, "x-request-id": requestId },
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("x-trace-id"), traceId);
  assert.equal(res.headers.get("x-request-id"), requestId);
  const body = await res.json();
  assert.equal(body.feature, "analytics");

  await settled(traceId, ["gateway", "analytics"], before, 2);
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

  const points = newPerfPoints(before);
  assert.equal(points.length, 2, "one perf point per Worker per request");
  assertPerfPoint(perfOf(points, "analytics"), {
    feature: "analytics",
    endpoint: "GET /api/data",
    status: 200,
    duration: feature,
  });
  assertPerfPoint(perfOf(points, "gateway"), {
    feature: "gateway",
    endpoint: "GET /api/data",
    status: 200,
    duration: gateway,
  });
});

test("without x-trace-id, UUIDs are generated at the gateway and shared downstream", async () => {
  const before = capture.points(PERF).length;
  const res = await fetch(h.url(GATEWAY, "/api/report/12345"));
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { id: "12345", status: "ready", rows: 3 });
  const traceId = res.headers.get("x-trace-id");
  const requestId = res.headers.get("x-request-id");
  assert.match(traceId, UUID_V4);
  assert.match(requestId, UUID_V4);

  await settled(traceId, ["gateway", "analytics"], before, 2);
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

  const points = newPerfPoints(before);
  assert.equal(points.length, 2);
  // The feature Worker names its route; the gateway (no route) normalizes the id segment.
  assertPerfPoint(perfOf(points, "analytics"), {
    feature: "analytics",
    endpoint: "GET /api/report/:id",
    status: 200,
  });
  assertPerfPoint(perfOf(points, "gateway"), {
    feature: "gateway",
    endpoint: "GET /api/report/:id",
    status: 200,
  });
});

test("the feature Worker called directly: its own ids, exact lines, route endpoint", async () => {
  const before = capture.points(PERF).length;
  const res = await fetch(h.url(ANALYTICS, "/api/report/q3-2026"), {
    headers: { "x-request-id": "req_direct_1" },
  });
  assert.equal(res.status, 200);
  const traceId = res.headers.get("x-trace-id");
  assert.match(traceId, UUID_V4);
  assert.equal(res.headers.get("x-request-id"), "req_direct_1");
  await settled(traceId, ["analytics"], before, 1);
  const duration = assertRequestLines({
    service: "analytics",
    traceId,
    requestId: "req_direct_1",
    method: "GET",
    path: "/api/report/q3-2026",
    status: 200,
  });
  assert.equal(lines({ traceId, service: "gateway" }).length, 0);
  const points = newPerfPoints(before);
  assert.equal(points.length, 1);
  assertPerfPoint(points[0], {
    feature: "analytics",
    endpoint: "GET /api/report/:id",
    status: 200,
    duration,
  });
});

test("POST /api/data/export: the body is forwarded; a malformed one is a 500 with a 5xx flag", async () => {
  // A well-formed export through the gateway (proves the POST body crossed the binding).
  let before = capture.points(PERF).length;
  let res = await fetch(h.url(GATEWAY, "/api/data/export"), {
    method: "POST",
    headers: { "content-type": "application/json", "x-trace-id": "tr_export_ok" },
    body: JSON.stringify({ format: "csv", rows: [{ a: 1 }, { a: 2 }] }),
  });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { exported: 2, format: "csv" });
  await settled("tr_export_ok", ["gateway", "analytics"], before, 2);
  let points = newPerfPoints(before);
  assertPerfPoint(perfOf(points, "analytics"), {
    feature: "analytics",
    endpoint: "POST /api/data/export",
    status: 200,
  });
  assert.equal(one({ traceId: "tr_export_ok", message: "export written" }).entry.rows, 2);

  // A malformed body: the handler returns Err, which counts as 500.
  before = capture.points(PERF).length;
  res = await fetch(h.url(GATEWAY, "/api/data/export"), {
    method: "POST",
    headers: { "content-type": "application/json", "x-trace-id": "tr_export_bad" },
    body: '{"format": "csv", "rows": [',
  });
  assert.equal(res.status, 500);
  await res.arrayBuffer();
  // The feature Worker's Err carries no headers; the gateway still echoes the ids.
  assert.equal(res.headers.get("x-trace-id"), "tr_export_bad");
  const badRequestId = res.headers.get("x-request-id");
  assert.match(badRequestId, UUID_V4);
  await settled("tr_export_bad", ["gateway", "analytics"], before, 2);
  const featureDuration = assertRequestLines({
    service: "analytics",
    traceId: "tr_export_bad",
    requestId: badRequestId,
    method: "POST",
    path: "/api/data/export",
    status: 500,
  });
  const warned = one({ traceId: "tr_export_bad", message: "malformed export body" });
  assert.equal(warned.entry.level, "warn");
  assert.ok(!warned.text.includes('"rows": ['), "the body's content is not logged");
  points = newPerfPoints(before);
  assert.equal(points.length, 2);
  assertPerfPoint(perfOf(points, "analytics"), {
    feature: "analytics",
    endpoint: "POST /api/data/export",
    status: 500,
    duration: featureDuration,
  });
  // The gateway answered the feature Worker's 500 and flags it too.
  assertPerfPoint(perfOf(points, "gateway"), {
    feature: "gateway",
    endpoint: "POST /api/data/export",
    status: 500,
  });
  assert.equal(one({ traceId: "tr_export_bad", message: "feature worker failed" }).entry.status, 500);
});

test("POST /api/jobs: three steps, the third fails and rolls back; the spans form one tree", async () => {
  const traceId = "tr_e2e_job";
  const before = capture.points(PERF).length;
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

  await settled(traceId, ["gateway", "analytics"], before, 2);
  const spans = assertSpanTree(traceId);

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

  const points = newPerfPoints(before);
  assertPerfPoint(perfOf(points, "analytics"), {
    feature: "analytics",
    endpoint: "POST /api/jobs",
    status: 500,
  });
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
  const before = capture.points(PERF).length;
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
    () => capture.points(PERF).length >= before + 100,
    "100 perf points (gateway + analytics per request)",
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
    if (r.job) {
      assert.equal(r.status, 500);
      assertSpanTree(r.traceId);
      const jobIds = new Set(mine.filter((l) => "jobId" in l.entry).map((l) => l.entry.jobId));
      assert.deepEqual([...jobIds], [r.body.jobId], `request ${r.i}: its own job only`);
    } else {
      assert.equal(r.status, 200);
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
  // And every span point of these traces is in its own trace's tree (checked above); none
  // is orphaned in another trace.
  const spanTraces = capture.points(SPANS).filter((p) => traceIds.has(p.indexes[0]));
  assert.equal(spanTraces.length, 25 * 5);

  const points = newPerfPoints(before);
  assert.equal(points.length, 100);
  const count = (feature, endpoint, status) =>
    points.filter(
      (p) => p.blobs[0] === feature && p.blobs[1] === endpoint && p.blobs[2] === String(status),
    ).length;
  assert.equal(count("analytics", "GET /api/report/:id", 200), 25);
  assert.equal(count("analytics", "POST /api/jobs", 500), 25);
  assert.equal(count("gateway", "GET /api/report/:id", 200), 25);
  assert.equal(count("gateway", "POST /api/jobs", 500), 25);
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
  // workers-rs' #[event(fetch)] prints when a handler returns Err (the malformed export of
  // test 5, returned unchanged by #[nno_handler] as it must be).
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
  assert.deepEqual(other, [
    { level: "error", text: "malformed export body: failed to get JSON for body value" },
  ]);
  assert.equal(capture.stderr.trim(), "", "workerd's own stderr");
});

test("no Rust panic and no module reinitialization on stderr", () => {
  const text = capture.allText();
  for (const bad of ["panicked at", "Reinitializing", "RuntimeError", "unreachable"]) {
    assert.ok(!text.includes(bad), `workerd printed ${JSON.stringify(bad)}`);
  }
});
