// The console served by the nno-logging Worker, in headless Chromium (Debian's): the Worker in
// workerd over miniflare's R2 and KV and the SQL API emulator on chdb, with the gateway's and
// analytics Worker's real traffic as its data (../two-hosts.mjs). Every page as an operator
// and as the platform's admin loads with no console error and no failed request; the overview's
// and the features page's numbers are the Worker's API answers; a log search finds the known
// trace and its link opens the waterfall with every span; the admin reaches no other platform.
// Screenshots under target/console-shots/worker/.
//
// Run by scripts/e2e.sh after the Workers are built (NNO_CHROMIUM: the browser).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { session as browserSession, visit } from './browser.mjs';
import { OTHER_PLATFORM, PLATFORM, admin, operator, twoHosts } from '../two-hosts.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const shots = path.resolve(here, '../../target/console-shots/worker');
mkdirSync(shots, { recursive: true });
const executablePath = process.env.NNO_CHROMIUM;

let hosts;
let browser;
before(async () => {
  if (!executablePath) throw new Error('NNO_CHROMIUM is not set (run scripts/e2e.sh)');
  hosts = await twoHosts(path.join(here, '..', '.out', 'console-worker'));
  browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
});
after(async () => {
  await browser?.close();
  await hosts?.dispose();
});

/// A page of the SLO and alerts views asks the SQL API emulator a dozen statements, each a
/// chdb process: seconds apiece on a loaded machine, so pages get 3 minutes rather than 30 s.
const session = (b, base, token, width) => browserSession(b, base, token, width, 180_000);

/** The Worker's API answer to `target`, as `token`. */
async function apiJson(target, token) {
  const res = await fetch(`${hosts.worker}${target}`, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  assert.equal(res.status, 200, `${target}: ${text}`);
  return JSON.parse(text);
}

// The console's number formats (nno-obs-console/src/format.rs), for comparing what a page shows.
const count = (n) => Math.max(0, Math.round(n)).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
const percent = (r) => (r === null || r === undefined ? '–' : r * 100 >= 10 ? `${(r * 100).toFixed(1)} %` : `${(r * 100).toFixed(2)} %`);

/** The range's end both the page and the API are asked for: the next whole minute. */
const until = () => new Date(Math.ceil(Date.now() / 60_000) * 60_000).toISOString().replace('.000Z', 'Z');

/** Every href of the page. */
const hrefs = (page) => page.locator('a[href]').evaluateAll((links) => links.map((a) => a.getAttribute('href')));

test('the operator\'s pages, served by the Worker', async () => {
  const s = await session(browser, hosts.worker, operator(), 1280);
  const v = (p, status, name) => visit(s, p, status, shots, `operator-${name}`);
  await v('/internal/observability', 200, 'fleet');
  await v('/internal/observability?range=7d', 200, 'fleet-7d');
  await v('/internal/observability/provisioning', 200, 'provisioning');
  await v('/internal/observability/alerts', 200, 'alerts');
  await v('/internal/observability/registry', 200, 'registry');
  await v('/internal/observability/traces', 200, 'trace-search');
  await v('/internal/observability/logs', 200, 'internal-logs');
  await v(`/platforms/${PLATFORM}/observability`, 200, 'overview');
  await v(`/platforms/${PLATFORM}/observability/features`, 200, 'features');
  await v(`/platforms/${PLATFORM}/logs`, 200, 'logs');
  await v(`/platforms/${PLATFORM}/logs?download=1`, 200, 'download');
  await v(`/platforms/${PLATFORM}/observability/alerts`, 200, 'platform-alerts');
  await v(`/platforms/${PLATFORM}/observability/audit`, 200, 'audit');
  await v('/internal/observability/nothing', 404, '404');
  // The trace explorer: the whole trace, every span of the API's answer in the waterfall.
  const trace = await apiJson(`/api/observability/traces/${hosts.traceId}`, operator());
  const explorer = await v(`/internal/observability/traces/${hosts.traceId}`, 200, 'trace');
  assert.ok(trace.spans.length >= 2, JSON.stringify(trace.spans));
  assert.equal(await explorer.locator('svg.waterfall g.span').count(), trace.spans.length);
  // The signed download links are the Worker's and open.
  const download = await s.page.goto(`${hosts.worker}/platforms/${PLATFORM}/logs?download=1`);
  assert.equal(download.status(), 200);
  const link = await s.page.locator('ul.links a').first().getAttribute('href');
  assert.ok(link, 'a download link');
  const object = await fetch(new URL(link, hosts.worker));
  assert.equal(object.status, 200);
  assert.equal(object.headers.get('content-type'), 'application/gzip');
  await s.context.close();
});

test('the overview and features pages show the Worker\'s API answers', async () => {
  const s = await session(browser, hosts.worker, admin(PLATFORM), 1280);
  const end = until();
  const q = `platformId=${PLATFORM}&range=24h&until=${end}`;
  const overview = await apiJson(`/api/observability/overview?${q}`, admin(PLATFORM));
  const page = await visit(s, `/platforms/${PLATFORM}/observability?range=24h&until=${end}`, 200, shots, 'admin-overview');
  // A light per Worker, with its requests and 5xx rate.
  const lights = await page.locator('ul.lights li').allTextContents();
  assert.ok(overview.workers.length > 0, JSON.stringify(overview));
  assert.equal(lights.length, overview.workers.length);
  for (const [i, w] of overview.workers.entries()) {
    assert.ok(lights[i].includes(`${count(w.requests)} requests · 5xx ${percent(w.errorRate)}`), `${lights[i]} vs ${JSON.stringify(w)}`);
  }
  // A bar per hour, each titled with its hour's requests.
  const bars = await page.locator('rect.bar title').allTextContents();
  assert.equal(bars.length, overview.requestsPerHour.length);
  for (const [i, h] of overview.requestsPerHour.entries()) {
    assert.match(bars[i], new RegExp(`: ${count(h.requests)} `), `${bars[i]} vs ${JSON.stringify(h)}`);
  }
  assert.ok(overview.requestsPerHour.some((h) => h.requests > 0));
  // The features table: a row per feature with its requests, 5xx and 5xx rate.
  const features = await apiJson(`/api/observability/features?${q}`, admin(PLATFORM));
  const fpage = await visit(s, `/platforms/${PLATFORM}/observability/features?range=24h&until=${end}`, 200, shots, 'admin-features');
  const rows = await fpage.locator('table').first().locator('tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [...tr.querySelectorAll('th, td')].map((c) => c.textContent.trim())));
  assert.ok(features.features.length > 0, JSON.stringify(features));
  assert.deepEqual(
    rows.map((r) => [r[0], r[1], r[3], r[4]]),
    features.features.map((f) => [f.feature, count(f.requests), count(f.errors), percent(f.errorRate)]),
  );
  assert.ok(features.features.some((f) => f.errors > 0), 'the failing export is counted');
  await s.context.close();
});

test('a log search finds the trace and its link opens the waterfall with every span', async () => {
  const s = await session(browser, hosts.worker, admin(PLATFORM), 1280);
  // The alert message's two links (seed §6.3) land: the overview, and the logs of the trace.
  await visit(s, `/platforms/${PLATFORM}/observability`, 200, shots, 'admin-alert-overview');
  const logs = await visit(s, `/platforms/${PLATFORM}/logs?traceId=${hosts.traceId}`, 200, shots, 'admin-logs-trace');
  const answer = await apiJson(`/api/observability/logs?platformId=${PLATFORM}&traceId=${hosts.traceId}&since=24h`, admin(PLATFORM));
  assert.ok(answer.entries.length > 0, JSON.stringify(answer));
  assert.equal(await logs.locator('table.logs tbody tr').count(), answer.entries.length);
  const link = await logs.locator('table.logs td a').first().getAttribute('href');
  assert.equal(link, `/platforms/${PLATFORM}/observability/traces/${hosts.traceId}`);
  const trace = await apiJson(`/api/observability/traces/${hosts.traceId}?platformId=${PLATFORM}`, admin(PLATFORM));
  const waterfall = await visit(s, link, 200, shots, 'admin-trace');
  assert.ok(trace.spans.length > 0, JSON.stringify(trace));
  assert.equal(await waterfall.locator('svg.waterfall g.span').count(), trace.spans.length);
  // Its part only: no core service's span.
  assert.ok(trace.spans.every((span) => span.platformId === PLATFORM), JSON.stringify(trace.spans));
  // Back on the logs page, its range picker keeps the trace filter.
  await visit(s, `/platforms/${PLATFORM}/logs?traceId=${hosts.traceId}`, 200, shots, 'admin-logs-trace-again');
  const week = await s.page.locator('nav.range a', { hasText: '7 d' }).getAttribute('href');
  assert.equal(week, `/platforms/${PLATFORM}/logs?range=7d&traceId=${hosts.traceId}`);
  await s.context.close();
});

test('the platform admin reaches no other platform and none of the operator\'s pages', async () => {
  const s = await session(browser, hosts.worker, admin(PLATFORM), 1280);
  const mine = [
    `/platforms/${PLATFORM}/observability`,
    `/platforms/${PLATFORM}/observability/features`,
    `/platforms/${PLATFORM}/logs`,
    `/platforms/${PLATFORM}/logs?download=1`,
    `/platforms/${PLATFORM}/observability/alerts`,
    `/platforms/${PLATFORM}/observability/audit`,
  ];
  for (const [i, p] of mine.entries()) {
    const page = await visit(s, p, 200, shots, `admin-page-${i}`);
    for (const href of await hrefs(page)) {
      assert.ok(!href.includes(OTHER_PLATFORM) && !href.startsWith('/internal'), `${p} links to ${href}`);
    }
    assert.ok(!(await page.content()).includes('nno-logs-internal'), `${p} names the internal bucket`);
  }
  const refused = [
    `/platforms/${OTHER_PLATFORM}/observability`,
    `/platforms/${OTHER_PLATFORM}/observability/features`,
    `/platforms/${OTHER_PLATFORM}/logs`,
    `/platforms/${OTHER_PLATFORM}/observability/alerts`,
    `/platforms/${OTHER_PLATFORM}/observability/audit`,
    `/platforms/${OTHER_PLATFORM}/observability/traces/${hosts.traceId}`,
    '/internal/observability',
    '/internal/observability/provisioning',
    `/internal/observability/traces/${hosts.traceId}`,
    '/internal/observability/logs',
  ];
  for (const [i, p] of refused.entries()) {
    const page = await visit(s, p, 403, shots, `admin-403-${i}`);
    assert.ok(!(await page.content()).includes(OTHER_PLATFORM), `${p}: the 403 page names no platform`);
  }
  // A trace with no part in another platform is the 404 page, exactly as an unknown one.
  await visit(s, `/platforms/${PLATFORM}/observability/traces/00000000-0000-4000-8000-000000000000`, 404, shots, 'admin-404');
  await s.context.close();
});
