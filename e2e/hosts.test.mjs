// One request table against both hosts of the read API (../shared/API.md): `nno-obs serve`
// over the local store and the nno-logging Worker in workerd, over the same Logpush objects and
// Analytics Engine points (two-hosts.mjs). Every route × operator / its platform's admin /
// another platform's admin / no token, and bad input: the status and the JSON must be equal.
//
// Normalised before comparing, and only these, because they must differ:
// - a download list's `expiresAt` and each link's `expires` and `sig`: the link is signed over
//   its expiry, which is "15 minutes after the request", and the two requests are not made in
//   the same millisecond (the rest of the link — host-relative path, bucket, key — is compared);
// - a log page's `next` cursor: it carries the start of a `since` range, resolved against each
//   host's clock at its request, and is signed over it; the rest of its payload is compared;
// - `/login`'s `Set-Cookie` is not compared (its `Secure` flag follows the host's scheme);
//   its status and `Location` are.
//
// Run by scripts/e2e.sh: node --test hosts.test.mjs

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { OTHER_PLATFORM, PLATFORM, admin, mint, operator, twoHosts } from "./two-hosts.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
let hosts;

before(async () => {
  hosts = await twoHosts(path.join(here, ".out", "hosts"));
});

after(async () => {
  await hosts?.dispose();
});

/** The answer of `host` to `GET target` (`token` as a bearer; `method` another method). */
async function ask(host, target, token, method = "GET") {
  const headers = token === undefined ? {} : { authorization: `Bearer ${token}` };
  const res = await fetch(`${host}${target}`, { method, headers, redirect: "manual" });
  const text = await res.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: compared as text
  }
  return { status: res.status, json, text, location: res.headers.get("location"), type: res.headers.get("content-type") };
}

/** What must differ between two answers to the same request (see the file's comment). */
function normalise(json) {
  if (json && typeof json.next === "string") {
    // A log page's cursor carries the query's resolved start, `since` before each host's own
    // "now" (field `f`), and its signature covers it: compare the rest of what it carries.
    const [payload] = json.next.split(".");
    const carried = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    delete carried.f;
    json = { ...json, next: carried };
  }
  if (json && Array.isArray(json.files) && "expiresAt" in json) {
    return {
      ...json,
      expiresAt: "(signed expiry)",
      files: json.files.map((f) => ({
        ...f,
        url: f.url.replace(/([?&])expires=\d+/, "$1expires=(expiry)").replace(/([?&])sig=[^&]+/, "$1sig=(sig)"),
      })),
    };
  }
  return json;
}

test("the same request table gets the same answers from nno-obs serve and the Worker", async () => {
  const { traceId } = hosts;
  // The next whole minute: the same metrics window for both, whatever their clocks say.
  const until = new Date(Math.ceil(Date.now() / 60_000) * 60_000).toISOString().replace(".000Z", "Z");
  const m = `range=1h&until=${until}`;
  const p = `platformId=${PLATFORM}`;
  const o = `platformId=${OTHER_PLATFORM}`;
  const routes = [
    "/api/observability/health",
    `/api/observability/overview?${p}&${m}`,
    `/api/observability/overview?${o}&${m}`,
    `/api/observability/features?${p}&${m}`,
    `/api/observability/features?${o}&${m}`,
    `/api/observability/logs?${p}&since=1h`,
    `/api/observability/logs?${p}&since=1h&traceId=${traceId}`,
    `/api/observability/logs?${p}&since=1h&level=error`,
    `/api/observability/logs?${p}&since=1h&limit=2`,
    `/api/observability/logs?${p}&since=1h&text=report`,
    `/api/observability/logs?since=1h&traceId=${traceId}`,
    `/api/observability/logs?${o}&since=1h`,
    `/api/observability/logs/download?${p}&since=1h`,
    `/api/observability/logs/download?${o}&since=1h`,
    `/api/observability/traces/${traceId}`,
    `/api/observability/traces/${traceId}?${p}`,
    `/api/observability/traces/${traceId}?${o}`,
    "/api/observability/traces/00000000-0000-4000-8000-000000000000",
    `/api/observability/fleet?${m}`,
    `/api/observability/heatmap?${m}&bucket=1h`,
    `/api/observability/provisioning?range=7d&until=${until}`,
    `/api/observability/slo?until=${until}`,
    `/api/observability/slo?${p}&until=${until}`,
    "/api/observability/alerts",
    `/api/observability/alerts?${p}`,
    // Bad input: each names its parameter, the same way on both.
    `/api/observability/overview?platformId=NOT-AN-ID&${m}`,
    `/api/observability/overview?${p}&range=99y`,
    `/api/observability/overview?${p}&range=1h&until=yesterday`,
    `/api/observability/features`,
    `/api/observability/logs?${p}&limit=0`,
    `/api/observability/logs?${p}&limit=1001`,
    `/api/observability/logs?${p}&cursor=not-a-cursor`,
    `/api/observability/logs?${p}&level=loud`,
    `/api/observability/logs?${p}&from=2026-13-01T00:00:00Z`,
    `/api/observability/heatmap?${m}&bucket=7m`,
    "/api/observability/traces/not%20an%20id",
    "/api/observability/nothing",
    "/api/observability/logs/object?bucket=nno-logs-internal&key=x.log.gz&expires=1&sig=AAAA",
  ];
  const callers = {
    operator: operator(),
    admin: admin(PLATFORM),
    "other admin": admin(OTHER_PLATFORM),
    "no token": undefined,
    expired: mint({ sub: "e2e", role: "operator", exp: Math.floor(Date.now() / 1000) - 120 }),
  };
  const rows = [];
  for (const route of routes) {
    for (const [who, token] of Object.entries(callers)) rows.push({ route, who, token });
  }
  // Other methods, and the session.
  rows.push({ route: "/api/observability/fleet", who: "operator, POST", token: callers.operator, method: "POST" });
  rows.push({ route: "/api/observability/logs", who: "admin, DELETE", token: callers.admin, method: "DELETE" });
  for (const [who, token] of Object.entries(callers)) {
    if (token) rows.push({ route: `/login?token=${token}`, who: `login as ${who}` });
  }
  rows.push({ route: "/login?token=not.a.jwt", who: "login, bad token" });
  const differences = [];
  const statuses = new Map();
  for (const { route, who, token, method } of rows) {
    const local = await ask(hosts.local, route, token, method);
    const worker = await ask(hosts.worker, route, token, method);
    statuses.set(local.status, (statuses.get(local.status) ?? 0) + 1);
    const label = `${method ?? "GET"} ${route} as ${who}`;
    try {
      assert.equal(worker.status, local.status, "status");
      assert.equal(worker.location, local.location, "location");
      assert.equal(worker.type, local.type, "content-type");
      if (local.json === null) assert.equal(worker.text, local.text, "body");
      else assert.deepEqual(normalise(worker.json), normalise(local.json), "JSON");
    } catch (error) {
      differences.push(`${label}: ${error.message}\n  serve:  ${local.text.slice(0, 600)}\n  worker: ${worker.text.slice(0, 600)}`);
    }
  }
  assert.deepEqual(differences, [], `${differences.length} of ${rows.length} requests differ:\n${differences.join("\n")}`);
  // The table exercises what it claims: answers, each refusal, and bad input.
  for (const status of [200, 303, 400, 401, 403, 404, 405]) {
    assert.ok(statuses.has(status), `no request answered ${status}: ${[...statuses.keys()]}`);
  }
});
