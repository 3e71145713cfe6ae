// What the JavaScript operations nno-obs's Worker glue uses cost inside workerd, measured in
// one Worker by a loop (local workerd's clock advances during CPU work; 20 000 calls each, so
// its millisecond resolution is fine). Explains the per-request figures of docs/workers.md.
//
//   node workerd-costs.mjs          console.log with structured logs read by miniflare in this
//                                   process (as e2e.test.mjs and bench.mjs run the Workers)
//   node workerd-costs.mjs plain    console.log to workerd's stdout, discarded
//
// Prints microseconds per call.

import { Miniflare } from "miniflare";

const WORKER = `
export default {
  async fetch(request) {
    const N = 20000;
    const out = {};
    const time = (name, fn) => {
      for (let i = 0; i < 1000; i++) fn(i);
      const t0 = Date.now();
      for (let i = 0; i < N; i++) fn(i);
      out[name] = ((Date.now() - t0) * 1000) / N;
    };
    const dec = new TextDecoder("utf-8", { ignoreBOM: true });
    const mem = new Uint8Array(65536);
    const enc = new TextEncoder();
    enc.encodeInto("x-trace-id", mem.subarray(0, 10));
    const line = '{"timestamp":"2026-11-28T09:00:00.000Z","level":"info","service":"hello","traceId":"4bf92f35-77b3-4da6-a3ce-929d0e0e4736","requestId":"5bf92f35-77b3-4da6-a3ce-929d0e0e4736","message":"← response","method":"GET","path":"/api/data","status":200,"duration":0,"featureId":"hello-obs","platformId":"k3m9p2xw7q","entityId":"r8n4t6y1z5"}';
    enc.encodeInto(line, mem.subarray(100, 100 + 400));
    const lineLen = enc.encode(line).length;
    const point = '{"blobs":["4bf92f35-77b3-4da6-a3ce-929d0e0e4736","00f067aa0ba902b7","","hello","GET /api/data","ok","k3m9p2xw7q"],"doubles":[0,0],"indexes":["4bf92f35-77b3-4da6-a3ce-929d0e0e4736"]}';
    enc.encodeInto(point, mem.subarray(1000, 1400));
    const pointLen = enc.encode(point).length;
    const h = request.headers;
    const name = "x-trace-id";
    const resHeaders = new Headers();
    time("Date.now()", () => Date.now());
    time("TextDecoder.decode, 10 bytes (a header name)", () => dec.decode(mem.subarray(0, 10)));
    time("TextDecoder.decode, a 330-byte line", () => dec.decode(mem.subarray(100, 100 + lineLen)));
    time("request Headers.get, absent, name decoded", () => h.get(dec.decode(mem.subarray(0, 10))));
    time("request Headers.get, absent, name a JS string", () => h.get(name));
    time("response Headers.set, name a JS string", (i) => resHeaders.set(name, "4bf92f35-77b3-4da6-a3ce-929d0e0e4736"));
    time("JSON.parse(decode(a span point))", () => JSON.parse(dec.decode(mem.subarray(1000, 1000 + pointLen))));
    time("builder-style point (7 blobs: 3 arrays, 10 push, object, 3 sets)", () => {
      const idx = new Array(); idx.push("4bf92f35-77b3-4da6-a3ce-929d0e0e4736");
      const d = new Array(); d.push(0); d.push(0);
      const b = new Array(); for (const s of ["4bf92f35-77b3-4da6-a3ce-929d0e0e4736","00f067aa0ba902b7","","hello","GET /api/data","ok","k3m9p2xw7q"]) b.push(s);
      const o = new Object(); Reflect.set(o, "indexes", idx); Reflect.set(o, "doubles", d); Reflect.set(o, "blobs", b); return o;
    });
    const rnd = new Uint8Array(16);
    time("crypto.getRandomValues(16 bytes)", () => crypto.getRandomValues(rnd));
    const N2 = 2000;
    const t0 = Date.now();
    for (let i = 0; i < N2; i++) console.log(line);
    out["console.log(a 330-byte line)"] = ((Date.now() - t0) * 1000) / N2;
    const t1 = Date.now();
    for (let i = 0; i < N2; i++) console.log("x");
    out['console.log("x")'] = ((Date.now() - t1) * 1000) / N2;
    return new Response(JSON.stringify(out, null, 1));
  },
};
`;

const structured = process.argv[2] !== "plain";
const options = { cf: false, modules: true, script: WORKER, compatibilityDate: "2026-04-01" };
const mf = new Miniflare(
  structured
    ? { ...options, handleStructuredLogs: () => {} }
    : {
        ...options,
        structuredWorkerdLogs: false,
        handleRuntimeStdio: (stdout, stderr) => {
          stdout.resume();
          stderr.resume();
        },
      },
);
try {
  const res = await mf.dispatchFetch("http://localhost/");
  console.log(structured ? "console.log read back as structured logs (the e2e/bench harness)" : "console.log to stdout, discarded");
  for (const [what, us] of Object.entries(await res.json())) {
    console.log(`${us.toFixed(2).padStart(7)} µs  ${what}`);
  }
} finally {
  await mf.dispose();
}
