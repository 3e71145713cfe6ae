// End-to-end test of the nno-logging Worker reading a platform bucket it has no binding for,
// through R2's S3 API (docs/nno-logging.md, "Reaching per-platform buckets"): the platform is in
// the Registry copy (KV) but not in wrangler.toml; the Worker's fetches to
// https://{account}.r2.cloudflarestorage.com are routed by miniflare's outboundService to moto's
// S3 server on loopback (scripts/moto.sh), with moto's authentication on, so every request's
// SigV4 signature (over the R2 host it was signed for) and its key's permission are checked.
//
// Run by scripts/e2e.sh after it built the Workers:
//   node --test --test-concurrency=1 logging-s3.test.mjs

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { start } from "./harness.mjs";
import { logpushStamp } from "./logpush.mjs";

const LOGGING = "nno-logging-prod";
/** A platform with no R2 binding in nno-logging's wrangler.toml. */
const PLATFORM = "s3r2p9q4w8";
const SCRIPT = `${PLATFORM}-r8n4t6y1z5-analytics-prod`;
const SECRET = "e2e secret of the read API";
const ACCOUNT = "0123456789abcdef0123456789abcdef";
const R2_HOST = `${ACCOUNT}.r2.cloudflarestorage.com`;

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, "..");
const OUT = path.join(here, ".out", "logging-s3");

let h;
let moto;
let motoPort;
let objectKey;
let objectBytes;
const traceId = randomUUID();
/** What the Worker asked of R2's S3 endpoint: "METHOD /path?query". */
const s3Calls = [];

const b64 = (value) => Buffer.from(value).toString("base64url");
function mint(claims) {
  const input = `${b64(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${b64(JSON.stringify(claims))}`;
  return `${input}.${createHmac("sha256", SECRET).update(input).digest("base64url")}`;
}
const exp = () => Math.floor(Date.now() / 1000) + 3600;
const operator = () => mint({ sub: "e2e", role: "operator", exp: exp() });
const admin = (platformId) => mint({ sub: "e2e", role: "platform-admin", platformId, exp: exp() });

async function api(target, token) {
  const res = await fetch(h.url(LOGGING, target), { headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: left null, the test says so
  }
  return { status: res.status, body, text };
}

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

async function listening(port) {
  for (let tries = 0; tries < 240; tries++) {
    const ok = await new Promise((resolve) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => (socket.end(), resolve(true)));
      socket.once("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`moto did not listen on ${port}`);
}

/**
 * miniflare's outboundService: a fetch to R2's S3 endpoint goes to moto as sent — same method,
 * path, query, headers (the Host it was signed for) and body; anything else is refused.
 */
async function outbound(request) {
  const url = new URL(request.url);
  if (url.protocol !== "https:" || url.host !== R2_HOST) {
    return new Response("not R2's S3 endpoint", { status: 404 });
  }
  s3Calls.push(`${request.method} ${url.pathname}${url.search}`);
  const headers = Object.fromEntries(request.headers);
  headers.host = R2_HOST;
  const body = ["GET", "HEAD"].includes(request.method) ? undefined : Buffer.from(await request.arrayBuffer());
  if (body) headers["content-length"] = String(body.length);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port: motoPort, method: request.method, path: url.pathname + url.search, headers },
      (res) => {
        const chunks = [];
        res.on("data", (chunk) => chunks.push(chunk));
        res.on("end", () => {
          const answer = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            if (!["connection", "transfer-encoding", "keep-alive"].includes(name)) answer.set(name, String(value));
          }
          const empty = request.method === "HEAD" || res.statusCode === 204 || res.statusCode === 304;
          resolve(new Response(empty ? null : Buffer.concat(chunks), { status: res.statusCode, headers: answer }));
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

before(async () => {
  mkdirSync(OUT, { recursive: true });
  const python = execFileSync("bash", [path.join(ROOT, "scripts/moto.sh")], { encoding: "utf8" }).trim();
  motoPort = await freePort();
  moto = spawn(python, ["-m", "moto.server", "-H", "127.0.0.1", "-p", String(motoPort)], {
    // R2's host is path-style, as the Worker addresses it.
    env: { ...process.env, MOTO_S3_CUSTOM_ENDPOINTS: `https://${R2_HOST}` },
    stdio: "ignore",
  });
  await listening(motoPort);

  // One Logpush object of the platform's Worker, named as Logpush names objects.
  const now = Date.now();
  const stamp = logpushStamp(now);
  objectKey = `${stamp.slice(0, 8)}/${stamp}_${stamp}_5e3a0b1c.log.gz`;
  const line = JSON.stringify({ timestamp: new Date(now).toISOString(), level: "info", service: "analytics", traceId, message: "read over S3" });
  const record = { ScriptName: SCRIPT, Outcome: "ok", EventTimestampMs: now, Logs: [{ Level: "log", Message: [line], TimestampMs: now }] };
  objectBytes = gzipSync(JSON.stringify(record) + "\n");
  const file = path.join(OUT, "object.log.gz");
  writeFileSync(file, objectBytes);
  const keys = JSON.parse(
    execFileSync(
      python,
      [path.join(ROOT, "scripts/moto_s3_seed.py"), `http://127.0.0.1:${motoPort}`, `nno-logs-${PLATFORM}`, "--put", `${objectKey}=${file}`],
      { encoding: "utf8" },
    ),
  );

  h = await start([
    {
      dir: "nno-logging",
      secrets: {
        OBSERVABILITY_JWT_SECRET: SECRET,
        CF_ACCOUNT_ID: ACCOUNT,
        CF_ANALYTICS_READ_TOKEN: "unused",
        R2_ACCESS_KEY_ID: keys.writer.id,
        R2_SECRET_ACCESS_KEY: keys.writer.secret,
      },
      outboundService: outbound,
    },
  ]);
  // Provisioning registered the platform after the Worker was deployed: the Registry copy has it.
  const kv = await h.mf.getKVNamespace("OBSERVABILITY_STATE", LOGGING);
  await kv.put("registry", JSON.stringify({ platforms: [{ platformId: "k3m9p2xw7q", name: "AcmeCorp" }, { platformId: PLATFORM, name: "S3Corp" }] }));
});

after(async () => {
  await h?.dispose();
  moto?.kill();
});

test("a log search over a platform bucket without a binding answers through R2's S3 API", async () => {
  const { status, body, text } = await api(`/api/observability/logs?platformId=${PLATFORM}&traceId=${traceId}`, admin(PLATFORM));
  assert.equal(status, 200, text);
  assert.deepEqual(body.entries.map((e) => [e.message, e.script]), [["read over S3", SCRIPT]], text);
  assert.deepEqual(body.problems, [], text);
  // Listed with ListObjectsV2 (path-style, 1000 keys a page) and read over the S3 API.
  assert.ok(
    s3Calls.some((call) => call.startsWith(`GET /nno-logs-${PLATFORM}?`) && call.includes("list-type=2") && call.includes("max-keys=1000")),
    s3Calls.join("\n"),
  );
  assert.ok(s3Calls.includes(`GET /nno-logs-${PLATFORM}/${objectKey}`), s3Calls.join("\n"));
  // The operator reads it too.
  const all = await api(`/api/observability/logs?platformId=${PLATFORM}&traceId=${traceId}`, operator());
  assert.equal(all.status, 200, all.text);
  assert.equal(all.body.entries.length, 1, all.text);
});

test("a download link streams an object read over the S3 API, as stored", async () => {
  const listing = await api(`/api/observability/logs/download?platformId=${PLATFORM}`, admin(PLATFORM));
  assert.equal(listing.status, 200, listing.text);
  const file = listing.body.files.find((f) => f.key === objectKey);
  assert.ok(file, listing.text);
  const res = await fetch(h.url(LOGGING, file.url));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "application/gzip");
  assert.deepEqual(Buffer.from(await res.arrayBuffer()), Buffer.from(objectBytes));
});
