// Page weights and load times of the console in Chromium (Debian's), on both hosts over the
// same data (../two-hosts.mjs): `nno-obs serve` over the local store and the nno-logging Worker
// in workerd. Each page is loaded N times, each time in a fresh browser context (a cold cache:
// the stylesheet is fetched every time), signed in by a bearer header. A bench, not a test:
// it prints a Markdown table (docs/console.md): medians, and the slowest of the N loads.
//
//   NNO_CHROMIUM=$(command -v chromium) node e2e/console/load-bench.mjs [N]   (default 20)
//
// after scripts/e2e.sh built the Workers and the CLI.
import { chromium } from 'playwright-core';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PLATFORM, admin, operator, twoHosts } from '../two-hosts.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const N = Number(process.argv[2] ?? 20);
const executablePath = process.env.NNO_CHROMIUM;
if (!executablePath) throw new Error('NNO_CHROMIUM is not set: NNO_CHROMIUM=$(command -v chromium)');

function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

/** One load of `url`: bytes over the wire (headers and bodies of every response) and timings. */
async function load(browser, url, token) {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    extraHTTPHeaders: { authorization: `Bearer ${token}` },
  });
  const page = await context.newPage();
  const responses = [];
  page.on('requestfinished', (request) => responses.push(request));
  // The Worker's alerts page asks the SQL stand-in a dozen statements: past playwright's 30 s
  // default on a loaded machine.
  const response = await page.goto(url, { waitUntil: 'load', timeout: 180_000 });
  if (response.status() !== 200) throw new Error(`${url}: ${response.status()}`);
  let bytes = 0;
  for (const request of responses) {
    const sizes = await request.sizes();
    bytes += sizes.responseHeadersSize + sizes.responseBodySize;
  }
  const timing = await page.evaluate(() => {
    const [nav] = performance.getEntriesByType('navigation');
    return { dcl: nav.domContentLoadedEventEnd - nav.startTime, load: nav.loadEventEnd - nav.startTime, requests: performance.getEntriesByType('resource').length + 1 };
  });
  await context.close();
  return { bytes, requests: timing.requests, ...timing };
}

const hosts = await twoHosts(path.join(here, '..', '.out', 'load-bench'));
const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
const pages = [
  ['Fleet and heatmap', '/internal/observability', operator],
  ['Fleet, 7 d', '/internal/observability?range=7d', operator],
  ['Provisioning', '/internal/observability/provisioning', operator],
  ['Alerts and SLOs', '/internal/observability/alerts', operator],
  ['Trace explorer', `/internal/observability/traces/${hosts.traceId}`, operator],
  ['NNO logs', '/internal/observability/logs', operator],
  ['Overview', `/platforms/${PLATFORM}/observability`, () => admin(PLATFORM)],
  ['Features', `/platforms/${PLATFORM}/observability/features`, () => admin(PLATFORM)],
  ['Logs', `/platforms/${PLATFORM}/logs`, () => admin(PLATFORM)],
  ['Logs of a trace', `/platforms/${PLATFORM}/logs?traceId=${hosts.traceId}`, () => admin(PLATFORM)],
  ['A platform\'s trace', `/platforms/${PLATFORM}/observability/traces/${hosts.traceId}`, () => admin(PLATFORM)],
  ['Platform alerts', `/platforms/${PLATFORM}/observability/alerts`, () => admin(PLATFORM)],
];
const rows = [];
try {
  for (const [name, target, token] of pages) {
    const samples = { serve: [], worker: [] };
    // Interleaved, so that drift (other load on the machine) hits both hosts alike; one
    // warm-up load each (JIT, the Worker's isolate).
    for (let i = -1; i < N; i++) {
      for (const [host, base] of [['serve', hosts.local], ['worker', hosts.worker]]) {
        const sample = await load(browser, `${base}${target}`, token());
        if (i >= 0) samples[host].push(sample);
      }
    }
    for (const host of ['serve', 'worker']) {
      const s = samples[host];
      rows.push({
        name,
        host: host === 'serve' ? '`nno-obs serve`' : 'Worker',
        requests: s[0].requests,
        bytes: quantile(s.map((x) => x.bytes), 0.5),
        dcl: quantile(s.map((x) => x.dcl), 0.5),
        load: quantile(s.map((x) => x.load), 0.5),
        loadMax: Math.max(...s.map((x) => x.load)),
      });
    }
  }
} finally {
  await browser.close();
  await hosts.dispose();
}
console.log(`date: ${new Date().toISOString()}; ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log(`${N} loads per page and host, each in a fresh context (cold cache), 1280 px; median and max.\n`);
console.log('| page | host | requests | bytes transferred | DOMContentLoaded median | load median | load max |');
console.log('|---|---|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(`| ${r.name} | ${r.host} | ${r.requests} | ${Math.round(r.bytes).toLocaleString('en').replaceAll(',', ' ')} B | ${r.dcl.toFixed(1)} ms | ${r.load.toFixed(1)} ms | ${r.loadMax.toFixed(1)} ms |`);
}
