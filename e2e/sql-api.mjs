// A local emulator of Analytics Engine's SQL API (POST /client/v4/accounts/{id}/
// analytics_engine/sql, the statement as text, Bearer token), for the nno-logging Worker's
// outbound fetch (miniflare's `outboundService`): nothing leaves the machine. Each statement
// runs on chdb (scripts/chdb_sql_api.py) over the data points the Workers under test wrote, as
// Analytics Engine would store them, and the answer is chdb's JSON format — the SQL API's.
//
// One resident python process (`chdb_sql_api.py --resident`, started at the first statement)
// answers every statement in turn, one JSON line each way, with the datasets loaded into its
// session once per `load()`: a request costs its query, not chdb's start-up (about a second
// per statement when each statement had a process of its own), so the Worker's wall times
// are the Worker's and the SQL's.

import { mkdirSync, writeFileSync } from "node:fs";
import { spawn, spawnSync } from "node:child_process";
import { createInterface } from "node:readline";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, "..");

/** nno-obs-store's CLICKHOUSE_STRUCTURE: an Analytics Engine dataset's columns. */
const COLUMNS = [
  "timestamp DateTime('UTC')",
  "index1 String",
  ...Array.from({ length: 20 }, (_, i) => `blob${i + 1} String`),
  ...Array.from({ length: 20 }, (_, i) => `double${i + 1} Float64`),
  "_sample_interval UInt32",
];

/** A recorded point ({aeDataset, blobs, doubles, indexes}) written at `ms`, as a stored row. */
export function toRow(point, ms) {
  const row = {
    timestamp: new Date(ms).toISOString().slice(0, 19).replace("T", " "),
    index1: point.indexes?.[0] ?? "",
  };
  for (let i = 0; i < 20; i++) row[`blob${i + 1}`] = point.blobs?.[i] ?? "";
  for (let i = 0; i < 20; i++) row[`double${i + 1}`] = point.doubles?.[i] ?? 0;
  row._sample_interval = 1;
  return row;
}

/** The python of chdb (scripts/chdb.sh installs it once). */
export function chdbPython() {
  const found = spawnSync(path.join(ROOT, "scripts/chdb.sh"), { encoding: "utf8" });
  if (found.status !== 0) throw new Error(`scripts/chdb.sh failed: ${found.stderr}`);
  return found.stdout.trim();
}

export class SqlApiEmulator {
  /**
   * `dir`: where the datasets' rows are written; `accountId`, `token`: what a request must
   * carry (anything else is refused as the SQL API refuses it); `refuse`: SQL forms to refuse
   * as an account whose SQL API lacks them would (names of nno_obs_query::probe::Form, e.g.
   * `["quantileExactWeighted"]`; see scripts/ae_dialect.py).
   */
  constructor({ dir, accountId, token, refuse = [] }) {
    this.dir = dir;
    this.accountId = accountId;
    this.token = token;
    this.refuse = refuse;
    this.python = chdbPython();
    /** Every statement received, in order; and those answered with an error ({sql, error}). */
    this.statements = [];
    this.failed = [];
    /** The bytes of every answer sent (what the Worker parsed). */
    this.answeredBytes = 0;
    this.tables = {};
    /** Bumped by every load(): the resident process reloads its datasets when it changes. */
    this.generation = 0;
    /** The resident process, once started; and the answers it owes, in order. */
    this.child = null;
    this.pending = [];
    mkdirSync(dir, { recursive: true });
  }

  /** The resident process, started on first use. */
  resident() {
    if (this.child) return this.child;
    const child = spawn(this.python, [path.join(ROOT, "scripts/chdb_sql_api.py"), "--resident"], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr = (stderr + chunk).slice(-4000)));
    // python answers in the order it was asked: each line settles the oldest request.
    createInterface({ input: child.stdout }).on("line", (line) => {
      const waiting = this.pending.shift();
      if (!waiting) return;
      try {
        waiting.resolve(JSON.parse(line));
      } catch (error) {
        waiting.reject(new Error(`sql-api emulator: not an answer: ${line.slice(0, 200)}`));
      }
      this.idle();
    });
    child.on("exit", (code, signal) => {
      this.child = null;
      const error = new Error(`sql-api emulator: chdb_sql_api.py ended (${code ?? signal}): ${stderr}`);
      for (const waiting of this.pending.splice(0)) waiting.reject(error);
    });
    child.stdin.on("error", () => {
      // the exit handler rejects what was pending
    });
    this.child = child;
    return child;
  }

  /** With nothing pending, the process keeps neither node nor a test file alive. */
  idle() {
    const child = this.child;
    if (!child) return;
    const hold = this.pending.length > 0 ? "ref" : "unref";
    child[hold]();
    for (const pipe of [child.stdin, child.stdout, child.stderr]) pipe[hold]?.();
  }

  /** Sends one request to the resident process; resolves to {code, out, err}. */
  ask(request) {
    const child = this.resident();
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.idle();
      child.stdin.write(JSON.stringify(request) + "\n");
    });
  }

  /** Stops the resident process (a later statement starts another). */
  close() {
    this.child?.kill();
    this.child = null;
  }

  /**
   * Stores `points` ([{point, ms}]) as the datasets' rows, and `datasets` (names) empty if
   * nothing was written to them (replacing what was loaded). Any other dataset does not exist,
   * as in Analytics Engine before a Worker first writes to it: a statement naming it is refused
   * (422, the engine's message) and `SHOW TABLES` does not list it (docs/metrics.md, "A dataset
   * never written").
   */
  load(points, datasets = []) {
    // The datasets named exist, empty when nothing was written to them.
    const byDataset = new Map(datasets.map((d) => [d, []]));
    for (const { point, ms } of points) {
      const rows = byDataset.get(point.aeDataset) ?? [];
      rows.push(JSON.stringify(toRow(point, ms)));
      byDataset.set(point.aeDataset, rows);
    }
    this.tables = {};
    for (const [dataset, rows] of byDataset) {
      const file = path.join(this.dir, `${dataset}.jsonl`);
      writeFileSync(file, rows.map((row) => row + "\n").join(""));
      this.tables[dataset] = [file];
    }
    this.generation += 1;
  }

  /** miniflare's outboundService: every outbound fetch of the Worker comes here. */
  fetch = async (request) => {
    const url = new URL(request.url);
    const want = `/client/v4/accounts/${this.accountId}/analytics_engine/sql`;
    if (url.hostname !== "api.cloudflare.com" || url.pathname !== want) {
      return new Response("not the SQL API", { status: 404 });
    }
    if (request.method !== "POST" || request.headers.get("authorization") !== `Bearer ${this.token}`) {
      return Response.json(
        { success: false, errors: [{ code: 10000, message: "Authentication error" }] },
        { status: 401 },
      );
    }
    const sql = await request.text();
    this.statements.push(sql);
    const run = await this.ask({
      structure: COLUMNS.join(", "),
      tables: this.tables,
      generation: this.generation,
      sql,
      refuse: this.refuse,
    });
    // 3: the test asked to refuse a form that does not exist — its mistake, not the engine's.
    if (run.code === 3) throw new Error(`sql-api emulator: ${run.err}`);
    if (run.code !== 0) {
      this.failed.push({ sql, error: run.err });
      return new Response(run.err || "query failed", { status: 422 });
    }
    this.answeredBytes += Buffer.byteLength(run.out);
    return new Response(run.out, { headers: { "content-type": "application/json" } });
  };
}
