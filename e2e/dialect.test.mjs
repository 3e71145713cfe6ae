// The nno-logging Worker on an account whose SQL API refuses a form (docs/metrics.md, "SQL
// dialects"): the SQL API stand-in refuses double-quoted dataset names (every statement the
// renderer writes by default has one); `nno-obs cfae check --write` is run against that same
// stand-in and writes the account's dialect; the Worker, given it as its `CFAE_DIALECT` var,
// answers `/features` exactly as the default spelling answers on an accepting engine (`nno-obs
// serve`'s local evaluation of the same points), and the stand-in refused none of its
// statements.
//
// Run by scripts/e2e.sh after it built the Workers:
//   node --test --test-concurrency=1 dialect.test.mjs

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { SqlApiEmulator } from "./sql-api.mjs";
import { ACCOUNT, DATASETS, NNO_OBS, PLATFORM, READ_TOKEN, operator, twoHosts } from "./two-hosts.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const OUT = path.join(here, ".out", "dialect");
/** The form refused (scripts/ae_dialect.py's name): `FROM "dataset"`; its fallback is backticks. */
const REFUSED = "dataset-double-quotes";

let hosts;
let dialect;

/** `nno-obs cfae check --write` against a stand-in refusing `refuse`; resolves to the file's text. */
async function cfaeCheck(refuse) {
  const probe = new SqlApiEmulator({ dir: path.join(OUT, "probe"), accountId: ACCOUNT, token: READ_TOKEN, refuse });
  probe.load([], DATASETS);
  // The CLI speaks HTTP: a loopback server hands its requests to the stand-in as the Worker's
  // outbound fetch would.
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", async () => {
      const url = new URL(req.url, "https://api.cloudflare.com");
      const answer = await probe.fetch(
        new Request(`https://api.cloudflare.com${url.pathname}${url.search}`, {
          method: req.method,
          headers: { authorization: req.headers.authorization ?? "" },
          body: req.method === "POST" ? Buffer.concat(chunks) : undefined,
        }),
      );
      res.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "text/plain" });
      res.end(Buffer.from(await answer.arrayBuffer()));
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const file = path.join(OUT, "dialect.json");
  try {
    const endpoint = `http://127.0.0.1:${server.address().port}/client/v4`;
    const env = { ...process.env, CF_ACCOUNT_ID: ACCOUNT, CF_ANALYTICS_READ_TOKEN: READ_TOKEN };
    const { stdout } = await promisify(execFile)(NNO_OBS, ["cfae", "check", "--endpoint", endpoint, "--write", file], {
      env,
    });
    assert.match(stdout, new RegExp(REFUSED), stdout);
    return readFileSync(file, "utf8");
  } finally {
    probe.close();
    await new Promise((resolve) => server.close(resolve));
  }
}

before(async () => {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  dialect = await cfaeCheck([REFUSED]);
  hosts = await twoHosts(path.join(OUT, "hosts"), { refuse: [REFUSED], secrets: { CFAE_DIALECT: dialect.trim() } });
});

after(async () => {
  await hosts?.dispose();
});

test("cfae check writes a dialect without the refused form", () => {
  assert.equal(JSON.parse(dialect).dataset, "backticks", dialect);
});

test("/features with CFAE_DIALECT on a refusing SQL API equals the default answer", async () => {
  const until = new Date(Math.ceil(Date.now() / 60_000) * 60_000).toISOString().replace(".000Z", "Z");
  const target = `/api/observability/features?platformId=${PLATFORM}&range=1h&until=${until}`;
  const headers = { authorization: `Bearer ${operator()}` };
  const asked = hosts.sql.statements.length;
  const [worker, local] = await Promise.all([
    fetch(`${hosts.worker}${target}`, { headers }),
    fetch(`${hosts.local}${target}`, { headers }),
  ]);
  const [got, want] = [await worker.text(), await local.text()];
  assert.equal(local.status, 200, want);
  assert.equal(worker.status, 200, got);
  assert.ok(JSON.parse(got).features.some((f) => f.requests >= 10), got);
  assert.equal(got, want);
  const statements = hosts.sql.statements.slice(asked);
  assert.ok(statements.length > 0, "the Worker asked the SQL API");
  assert.ok(statements.every((sql) => sql.includes("`") && !sql.includes('"')), statements.join("\n"));
  assert.deepEqual(hosts.sql.failed, []);
});
