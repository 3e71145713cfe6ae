// The console in a real browser (headless Chromium): every page as an operator and as a
// platform admin, at desktop (1280 px) and phone (390 px) widths. Each visit must raise no
// console error and no failed request, and is screenshotted under target/console-shots/.
// scripts/console.sh starts `nno-obs serve` over a small simulated store and sets the env.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { session as browserSession, visit as browserVisit } from './browser.mjs';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (run scripts/console.sh)`);
  return value;
};
const base = env('NNO_CONSOLE_URL');
const shots = env('NNO_CONSOLE_SHOTS');
const platform = env('NNO_PLATFORM');
const other = env('NNO_OTHER_PLATFORM');
mkdirSync(shots, { recursive: true });

let browser;
before(async () => {
  browser = await chromium.launch({ executablePath: env('NNO_CHROMIUM'), args: ['--no-sandbox'] });
});
after(async () => browser?.close());

const session = (token, width) => browserSession(browser, base, token, width);
const visit = (s, path, status, name) => browserVisit(s, path, status, shots, name);

/// scripts/console.sh's alert state: the platform's auth Worker down (paged), its analytics
/// spike inhibited by it, its reports spike silenced until 13:58:30 UTC. What on-call reads:
/// which two paged nobody and why, the inhibitor one click away.
async function heldAlertsSayWhy(page) {
  const held = page.locator('ul.alerts li.is-held');
  assert.equal(await held.count(), 2, 'two firing alerts paged nobody');
  assert.match(await page.locator('section[aria-labelledby="a-h"] p.lead').innerText(),
    /^3 firing; 2 paged nobody \(1 silenced, 1 inhibited\)/);
  const silenced = held.filter({ hasText: 'Silenced' });
  assert.match(await silenced.locator('p.held').innerText(),
    /^Silenced not paged: silence s-[0-9a-f]{12} until 2026-02-22 13:58:30 UTC$/);
  assert.match(await silenced.locator('summary').innerText(), /reports Worker error rate/);
  const inhibited = held.filter({ hasText: 'Inhibited' });
  const link = inhibited.locator('p.held a');
  assert.equal(await link.innerText(), `auth-worker-down/${platform}/auth`);
  // The link lands on the inhibitor, which paged (not held).
  await link.click();
  const target = page.locator(':target');
  assert.equal(await target.count(), 1, 'the inhibitor is the link\'s target');
  assert.match(await target.locator('summary').innerText(), /auth Worker down/);
  assert.equal(await target.evaluate((li) => li.classList.contains('is-held')), false);
}

for (const width of [1280, 390]) {
  test(`operator pages at ${width}px`, async () => {
    const s = await session(env('NNO_OPERATOR_TOKEN'), width);
    const fleet = await visit(s, '/internal/observability', 200, `operator-fleet-${width}`);
    assert.ok(await fleet.locator('table.heatmap td a').count() > 0, 'heatmap cells');
    if (width < 700) {
      // On a phone the heatmap opens on its latest hours, the platform names still in view.
      const inView = async (locator) => {
        const box = await locator.boundingBox();
        return box.x >= 0 && box.x + box.width <= width;
      };
      assert.ok(await inView(fleet.locator('table.heatmap thead th').last()), 'the latest bucket is in view');
      assert.ok(await inView(fleet.locator('table.heatmap tbody th').first()), 'the platform name is in view');
    }
    await visit(s, '/internal/observability?range=7d', 200, `operator-fleet-7d-${width}`);
    await visit(s, '/internal/observability?range=1h', 200, `operator-fleet-1h-${width}`);
    // A heatmap cell opens that platform's errors in that hour.
    const cell = await fleet.goto(`${base}/internal/observability`).then(() =>
      fleet.locator('table.heatmap td a').first().getAttribute('href'));
    await visit(s, cell, 200, `operator-cell-logs-${width}`);
    await visit(s, `/platforms/${platform}/observability`, 200, `operator-overview-${width}`);
    const logs = await visit(s, `/platforms/${platform}/logs`, 200, `operator-logs-${width}`);
    const trace = await logs.locator('table.logs td a').first().getAttribute('href');
    assert.ok(trace, 'a trace link on the logs page');
    await visit(s, trace, 200, `operator-platform-trace-${width}`);
    const id = trace.split('/').pop();
    const explorer = await visit(s, `/internal/observability/traces/${id}`, 200, `operator-trace-${width}`);
    assert.ok(await explorer.locator('svg.waterfall g.span').count() > 0, 'waterfall rows');
    await visit(s, '/internal/observability/traces', 200, `operator-trace-search-${width}`);
    await visit(s, '/internal/observability/logs', 200, `operator-internal-logs-${width}`);
    await visit(s, `/platforms/${platform}/logs?download=1`, 200, `operator-download-${width}`);
    const jobs = await visit(s, '/internal/observability/provisioning', 200, `operator-provisioning-${width}`);
    // A provisioning job's trace crosses NNO's services: the waterfall with nesting.
    const job = await jobs.locator('table.data a').first().getAttribute('href');
    if (job) await visit(s, job, 200, `operator-job-trace-${width}`);
    const alerts = await visit(s, '/internal/observability/alerts', 200, `operator-alerts-${width}`);
    await heldAlertsSayWhy(alerts);
    await visit(s, '/internal/observability/registry', 200, `operator-registry-${width}`);
    await visit(s, '/internal/observability/nothing', 404, `operator-404-${width}`);
    await s.context.close();
  });

  test(`platform admin pages at ${width}px`, async () => {
    const s = await session(env('NNO_ADMIN_TOKEN'), width);
    const overview = await visit(s, `/platforms/${platform}/observability`, 200, `admin-overview-${width}`);
    assert.ok(await overview.locator('rect.bar').count() >= 24, 'a bar per hour');
    if (width < 700) {
      // On a phone the charts open on the latest hours (the range's end), not its start.
      const last = await overview.locator('rect.bar').last().boundingBox();
      assert.ok(last.x + last.width <= width && last.x >= 0, 'the latest hour\'s bar is in view');
    }
    const logs = await visit(s, `/platforms/${platform}/logs`, 200, `admin-logs-${width}`);
    const trace = await logs.locator('table.logs td a').first().getAttribute('href');
    await visit(s, trace, 200, `admin-trace-${width}`);
    await visit(s, `/platforms/${platform}/logs?traceId=tr_abc123`, 200, `admin-alert-link-${width}`);
    await visit(s, `/platforms/${platform}/observability/features`, 200, `admin-features-${width}`);
    await heldAlertsSayWhy(await visit(s, `/platforms/${platform}/observability/alerts`, 200, `admin-alerts-${width}`));
    await visit(s, `/platforms/${platform}/observability/audit`, 200, `admin-audit-${width}`);
    const refused = await visit(s, `/platforms/${other}/observability`, 403, `admin-403-${width}`);
    assert.ok(!(await refused.content()).includes(other), 'the 403 page does not name the platform');
    await visit(s, '/internal/observability', 403, `admin-fleet-403-${width}`);
    // Keyboard: the first Tab reaches the skip link, Enter moves to the content.
    await s.page.goto(`${base}/platforms/${platform}/observability`);
    await s.page.keyboard.press('Tab');
    assert.equal(await s.page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
    await s.context.close();
  });
}
