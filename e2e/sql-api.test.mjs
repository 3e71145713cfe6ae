// The SQL API emulator's `refuse` option (no workerd needed): a statement using a refused SQL
// form is answered as the SQL API answers a statement it cannot run (422, plain text), the
// same question in a fallback spelling is answered, and the answer is the one the refused
// spelling gets from an emulator that accepts it. The renderer's side is tested in Rust
// (nno-obs-query/tests/clickhouse.rs, nno-obs-cli/tests/cfae.rs); this holds the emulator the
// nno-logging Worker's end-to-end test uses to the same behaviour.

import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { SqlApiEmulator } from "./sql-api.mjs";

const ACCOUNT = "0123456789abcdef0123456789abcdef";
const TOKEN = "read-token";
const T0 = Date.UTC(2026, 1, 22, 10, 0, 0);

const POINTS = [
  ["GET /platforms/:id", 12, 0],
  ["GET /platforms/:id", 30, 0],
  ["PUT /platforms/:id", 200, 1],
].map(([operation, ms, error], i) => ({
  point: {
    aeDataset: "nno-core-ops",
    blobs: ["registry", operation, error ? "error" : "success", "k3m9p2xw7q"],
    doubles: [1, ms, error],
    indexes: ["registry"],
  },
  ms: T0 + i * 1000,
}));

function emulator(refuse) {
  const sql = new SqlApiEmulator({
    dir: mkdtempSync(path.join(tmpdir(), "sql-api-")),
    accountId: ACCOUNT,
    token: TOKEN,
    refuse,
  });
  sql.load(POINTS, ["nno-core-ops"]);
  return sql;
}

function ask(sql, statement) {
  return sql.fetch(
    new Request(`https://api.cloudflare.com/client/v4/accounts/${ACCOUNT}/analytics_engine/sql`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
      body: `${statement} FORMAT JSON`,
    }),
  );
}

const classify = (test) =>
  `SELECT if(${test}, 'read', 'write') AS kind, SUM(_sample_interval) AS n FROM "nno-core-ops" ` +
  `WHERE timestamp >= toDateTime(${T0 / 1000}) AND timestamp < toDateTime(${T0 / 1000 + 60}) ` +
  `GROUP BY kind ORDER BY kind ASC`;

test("a refused form is a 422, its fallback answers the same", async () => {
  const refusing = emulator(["like"]);
  const refused = await ask(refusing, classify("blob2 LIKE 'GET %'"));
  assert.equal(refused.status, 422);
  assert.match(await refused.text(), /'like'/);
  const fallback = await ask(refusing, classify("position('GET ' IN blob2) = 1"));
  assert.equal(fallback.status, 200);
  const accepting = await ask(emulator([]), classify("blob2 LIKE 'GET %'"));
  assert.equal(accepting.status, 200);
  const rows = (await fallback.json()).data;
  assert.deepEqual(rows, (await accepting.json()).data);
  assert.deepEqual(
    rows.map((r) => [r.kind, Number(r.n)]),
    [
      ["read", 2],
      ["write", 1],
    ],
  );
});

test("a value that contains a form's word is data, not the form", async () => {
  const refusing = emulator(["like"]);
  const answer = await ask(
    refusing,
    `SELECT SUM(_sample_interval) AS n FROM "nno-core-ops" WHERE blob2 = 'i LIKE it'`,
  );
  assert.equal(answer.status, 200);
});

test("refusing a form that does not exist is the test's mistake", async () => {
  await assert.rejects(ask(emulator(["joins"]), "SELECT 1 AS n"), /no such form to refuse/);
});

test("one resident process answers concurrent statements, each its own, and sees every load()", async () => {
  const sql = emulator([]);
  const count = (operation) =>
    `SELECT SUM(_sample_interval) AS n FROM "nno-core-ops" WHERE blob2 = '${operation}'`;
  const asked = ["GET /platforms/:id", "PUT /platforms/:id", "DELETE /platforms/:id"];
  const answers = await Promise.all(asked.map((op) => ask(sql, count(op)).then((r) => r.json())));
  assert.deepEqual(
    answers.map((a) => Number(a.data[0].n)),
    [2, 1, 0],
  );
  const pid = sql.child?.pid;
  assert.ok(pid, "a resident process answered");
  // New points: the same process answers over them, not over what it loaded first.
  sql.load([...POINTS, ...POINTS], ["nno-core-ops"]);
  const again = await (await ask(sql, count("GET /platforms/:id"))).json();
  assert.equal(Number(again.data[0].n), 4);
  assert.equal(sql.child?.pid, pid, "the same process");
  // A refused statement between two answers does not shift them.
  const refusing = emulator(["like"]);
  const [a, b, c] = await Promise.all([
    ask(refusing, count("GET /platforms/:id")),
    ask(refusing, `${count("x")} AND blob2 LIKE 'x%'`),
    ask(refusing, count("PUT /platforms/:id")),
  ]);
  assert.deepEqual([a.status, b.status, c.status], [200, 422, 200]);
  assert.equal(Number((await a.json()).data[0].n), 2);
  assert.equal(Number((await c.json()).data[0].n), 1);
  sql.close();
  refusing.close();
});
