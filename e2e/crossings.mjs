// Counts the calls across the wasm/JavaScript boundary that one request makes, per import
// (Rust calling JavaScript: console.log, Headers.get, Date.now, writeDataPoint, …) and per
// export (JavaScript calling Rust: the allocator wasm-bindgen uses to hand a JS string to Rust),
// plus the UTF-8 decodes (a Rust &str becoming a JS string) and encodes (the other way), and
// the time spent in each import and in the whole request inside the isolate (local workerd's
// clock is coarse but advances during CPU work, so the sums over many requests are unbiased).
//
//   node crossings.mjs [worker-dir ...]      (default: hello hello-obs)
//
// Works on a copy of each built Worker (build/ under examples/workers) whose wasm-bindgen glue
// is wrapped with counters; the Workers themselves are not touched. Requests are the bench's:
// GET /api/data without ids, so both UUIDs are generated. The answer is the mean per request
// over 2000 requests (REQUESTS=…) after 20 warm-up ones.

import { Miniflare } from "miniflare";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { workerOptions } from "./harness.mjs";

const dirs = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ["hello", "hello-obs"];
const REQUESTS = Number(process.env.REQUESTS ?? 2000);
const WARMUP = 20;

// Wraps every import of the "./index_bg.js" module and every exported function, and the
// decoder/encoder objects, counting calls in globalThis.__crossings.
const PRELUDE = `
globalThis.__crossings = Object.create(null);
globalThis.__time = Object.create(null);
const __count = (name) => { globalThis.__crossings[name] = (globalThis.__crossings[name] ?? 0) + 1; };
const __timed = (name, t0) => { globalThis.__time[name] = (globalThis.__time[name] ?? 0) + (performance.now() - t0); };
const __wrapImports = (imports) => {
  const module = imports["./index_bg.js"];
  for (const [name, value] of Object.entries(module)) {
    if (typeof value === "function") {
      // The name without its hash, and what the glue function does (its body, shortened).
      const body = String(value).replace(/^function\s*\([^)]*\)\s*\{/, "").replace(/\}$/, "");
      const short = "import " + name.replace(/^__wbg_/, "").replace(/_[0-9a-f]{16}$/, "") + ": " + body.slice(0, 70);
      module[name] = function (...args) {
        __count(short);
        const t0 = performance.now();
        try { return value.apply(this, args); } finally { __timed(short, t0); }
      };
    }
  }
  return imports;
};
const __wrapExports = (exports) => {
  const out = {};
  for (const [name, value] of Object.entries(exports)) {
    out[name] = typeof value === "function"
      ? function (...args) { __count("export " + name); return value.apply(this, args); }
      : value;
  }
  return out;
};
{
  const decode = TextDecoder.prototype.decode;
  TextDecoder.prototype.decode = function (...args) { if (args.length) __count("utf-8 decode (Rust str -> JS)"); return decode.apply(this, args); };
  const encode = TextEncoder.prototype.encode;
  TextEncoder.prototype.encode = function (...args) { __count("utf-8 encode (JS str -> Rust)"); return encode.apply(this, args); };
  const encodeInto = TextEncoder.prototype.encodeInto;
  TextEncoder.prototype.encodeInto = function (...args) { __count("utf-8 encodeInto (JS str -> Rust)"); return encodeInto.apply(this, args); };
}
`;

function instrument(source) {
  let patched = source.replace(/new WebAssembly\.Instance\((\w+),(\w+)\(\)\)/g, "new WebAssembly.Instance($1,__wrapImports($2()))");
  patched = patched.replace(/(\w+)=(\w+)\.exports([,;])/g, "$1=__wrapExports($2.exports)$3");
  // A route that answers the counters, one that resets them, and the time every other
  // request spends in the isolate until its handler's promise settles.
  patched = patched.replace(
    /(\w+)\.prototype\.fetch=function\((\w+)\)\{return (\w+)\.call\(this,\2,this\.env,this\.ctx\)\}/,
    (all, cls, req, call) =>
      `${cls}.prototype.fetch=function(${req}){const p=new URL(${req}.url).pathname;` +
      `if(p==="/__crossings")return new Response(JSON.stringify({counts:globalThis.__crossings,time:globalThis.__time}));` +
      `if(p==="/__reset"){globalThis.__crossings=Object.create(null);globalThis.__time=Object.create(null);return new Response("ok")}` +
      `const t0=performance.now();return Promise.resolve(${call}.call(this,${req},this.env,this.ctx)).finally(()=>__timed("request (in the isolate)",t0))}`,
  );
  // The imports come after the module's own `import` statements.
  const lastImport = patched.lastIndexOf('from"./index_bg.wasm";');
  if (lastImport < 0 || patched === source) throw new Error("unexpected glue layout");
  const at = lastImport + 'from"./index_bg.wasm";'.length;
  return patched.slice(0, at) + PRELUDE + patched.slice(at);
}

const scratch = mkdtempSync(path.join(os.tmpdir(), "nno-crossings-"));
const workers = dirs.map((dir) => {
  const { options, config } = workerOptions(dir, { recordAnalytics: false });
  const build = path.join(scratch, dir);
  cpSync(path.dirname(config.main), build, { recursive: true });
  const main = path.join(build, path.basename(config.main));
  writeFileSync(main, instrument(readFileSync(main, "utf8")));
  return { ...options, modulesRoot: build, scriptPath: main };
});
const mf = new Miniflare({ cf: false, handleStructuredLogs: () => {}, workers });
try {
  await mf.ready;
  for (const w of workers) {
    const base = await mf.unsafeGetDirectURL(w.name);
    const get = async (p) => {
      const res = await fetch(new URL(p, base));
      return res.text();
    };
    for (let i = 0; i < WARMUP; i++) await get("/api/data");
    await get("/__reset");
    for (let i = 0; i < REQUESTS; i++) await get("/api/data");
    const { counts, time } = JSON.parse(await get("/__crossings"));
    const rows = Object.entries(counts)
      .map(([name, n]) => [name, n / REQUESTS, ((time[name] ?? 0) * 1000) / REQUESTS])
      .sort((a, b) => b[1] - a[1]);
    const total = (pred) => rows.filter(([n]) => pred(n)).reduce((s, [, c]) => s + c, 0);
    const inImports = rows.filter(([n]) => n.startsWith("import ")).reduce((s, [, , t]) => s + t, 0);
    const whole = ((time["request (in the isolate)"] ?? 0) * 1000) / REQUESTS;
    console.log(`\n${w.name}: per request (mean of ${REQUESTS}); calls, then µs (workerd's coarse clock, meaningful summed)`);
    for (const [name, n, us] of rows) console.log(`  ${n.toFixed(2).padStart(7)}  ${us.toFixed(1).padStart(6)} µs  ${name}`);
    console.log(
      `  imports ${total((n) => n.startsWith("import ")).toFixed(1)}, exports ${total((n) => n.startsWith("export ")).toFixed(1)}, ` +
        `utf-8 ${total((n) => n.startsWith("utf-8")).toFixed(1)}; ` +
        `in the isolate ${whole.toFixed(1)} µs, of which in imports ${inImports.toFixed(1)} µs`,
    );
  }
} finally {
  await mf.dispose();
  rmSync(scratch, { recursive: true, force: true });
}
