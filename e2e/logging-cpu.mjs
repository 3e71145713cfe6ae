// CPU time per route of the nno-logging Worker in local workerd (a measurement, not a test).
//
//   node logging-cpu.mjs [N] [WARM]   N requests per route, one at a time (default 5), after
//                                     WARM unmeasured passes over every route (default 3)
//
// The data is two-hosts.mjs's (the gateway and analytics Workers' Logpush objects in R2 and
// their points in the SQL API stand-in). The figure is the CPU the workerd process spent per
// request — every thread of it, from /proc/{pid}/task/*/schedstat (nanoseconds) — so it counts
// the Worker AND what miniflare emulates inside workerd for it (R2, KV, the outbound service's
// glue): an upper bound of the Worker's own CPU. The SQL stand-in (chdb, one resident Python
// process, sql-api.mjs) is not counted in the CPU; the wall time includes its queries. Per
// route it also prints the SQL statements a request asks and the bytes of their answers (what
// the Worker parses).
//
// Needs the Workers built (scripts/e2e.sh builds them) and chdb (.tools/chdb).

import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PLATFORM, admin, operator, twoHosts } from "./two-hosts.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const N = Number(process.argv[2] ?? 5);
/** Warm-up passes over every route before measuring (`node logging-cpu.mjs N WARM`). */
const WARM = Number(process.argv[3] ?? 3);

/** The workerd processes under this one (miniflare starts one). */
function workerdPids() {
  const out = execFileSync("ps", ["-eo", "pid=,ppid=,comm="], { encoding: "utf8" });
  const rows = out
    .trim()
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .map(([pid, ppid, comm]) => ({ pid: Number(pid), ppid: Number(ppid), comm }));
  const mine = new Set([process.pid]);
  // Descendants of this process (miniflare may start workerd through a wrapper).
  for (let changed = true; changed; ) {
    changed = false;
    for (const row of rows) {
      if (mine.has(row.ppid) && !mine.has(row.pid)) {
        mine.add(row.pid);
        changed = true;
      }
    }
  }
  return rows.filter((r) => mine.has(r.pid) && r.comm.startsWith("workerd")).map((r) => r.pid);
}

/** CPU nanoseconds of every thread of `pids` so far. */
function cpuNs(pids) {
  let total = 0n;
  for (const pid of pids) {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        const [onCpu] = readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").split(" ");
        total += BigInt(onCpu);
      } catch {
        // a thread that ended between the listing and the read
      }
    }
  }
  return total;
}

const hosts = await twoHosts(path.join(here, ".out", "cpu"));
try {
  const pids = workerdPids();
  if (pids.length === 0) throw new Error("no workerd process found under this one");
  const until = new Date(Math.ceil(Date.now() / 60_000) * 60_000).toISOString().replace(".000Z", "Z");
  const m = `range=1h&until=${until}`;
  const p = `platformId=${PLATFORM}`;
  const op = operator();
  const ad = admin(PLATFORM);
  const routes = [
    ["/health", "/api/observability/health", undefined],
    ["/overview (admin)", `/api/observability/overview?${p}&${m}`, ad],
    ["/features (admin)", `/api/observability/features?${p}&${m}`, ad],
    ["/logs, 1 h (admin)", `/api/observability/logs?${p}&since=1h`, ad],
    ["/logs, by trace id (admin)", `/api/observability/logs?${p}&since=1h&traceId=${hosts.traceId}`, ad],
    ["/logs, text (admin)", `/api/observability/logs?${p}&since=1h&text=report`, ad],
    ["/logs/download (admin)", `/api/observability/logs/download?${p}&since=1h`, ad],
    ["/traces/{id} (operator)", `/api/observability/traces/${hosts.traceId}`, op],
    ["/fleet (operator)", `/api/observability/fleet?${m}`, op],
    ["/heatmap (operator)", `/api/observability/heatmap?${m}&bucket=1h`, op],
    ["/provisioning (operator)", `/api/observability/provisioning?range=7d&until=${until}`, op],
    ["/slo (operator)", `/api/observability/slo?until=${until}`, op],
    ["/alerts (operator)", "/api/observability/alerts", op],
    ["refused: no token", `/api/observability/fleet?${m}`, undefined],
    ["console: fleet page (operator)", "/internal/observability?range=1h", op],
    ["console: logs page (admin)", `/platforms/${PLATFORM}/logs?since=1h`, ad],
  ];
  const ask = async (target, token) => {
    const headers = token === undefined ? {} : { authorization: `Bearer ${token}` };
    const res = await fetch(`${hosts.worker}${target}`, { headers, redirect: "manual" });
    await res.arrayBuffer();
    return res.status;
  };
  // Warm-up, not measured: WARM passes over every route before any is measured. V8 compiles
  // the hot wasm functions again, optimised, on background threads (tier-up), which the
  // figure counts: warmed one route at a time, that compilation was charged to whichever route
  // first ran the shared code hot — /overview, the first metrics route, showed 6× /features.
  const statuses = new Map();
  for (let pass = 0; pass < WARM; pass++) {
    for (const [name, target, token] of routes) statuses.set(name, await ask(target, token));
  }
  const rows = [];
  for (const [name, target, token] of routes) {
    const status = statuses.get(name);
    const statements = hosts.sql.statements.length;
    const bytes = hosts.sql.answeredBytes;
    const before = cpuNs(pids);
    const t0 = performance.now();
    for (let i = 0; i < N; i++) await ask(target, token);
    const wallMs = (performance.now() - t0) / N;
    const cpuMs = Number(cpuNs(pids) - before) / 1e6 / N;
    const sql = (hosts.sql.statements.length - statements) / N;
    const sqlBytes = (hosts.sql.answeredBytes - bytes) / N;
    rows.push({ name, status, cpuMs, wallMs, sql, sqlBytes });
    process.stderr.write(`${name}: ${cpuMs.toFixed(2)} ms CPU\n`);
  }
  const width = Math.max(...rows.map((r) => r.name.length));
  console.log(`| route | status | workerd CPU per request (ms) | wall per request (ms) | SQL statements | SQL answer bytes |`);
  console.log(`|---|---:|---:|---:|---:|---:|`);
  for (const r of rows) {
    console.log(
      `| ${r.name.padEnd(width)} | ${r.status} | ${r.cpuMs.toFixed(2)} | ${r.wallMs.toFixed(0)} | ${r.sql} | ${r.sqlBytes.toFixed(0)} |`,
    );
  }
  console.log(`\nN = ${N} per route after ${WARM} warm-up passes over every route; workerd pids ${pids.join(", ")}`);
} finally {
  await hosts.dispose();
}
