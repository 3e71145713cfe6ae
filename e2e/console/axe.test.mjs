// WCAG 2 A and AA (contrast included) on every page, checked by axe-core in headless
// Chromium. A context of its own with the pages' CSP bypassed, so that axe's script can run;
// console.test.mjs checks the pages under their real CSP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (run scripts/console.sh)`);
  return value;
};
const base = env('NNO_CONSOLE_URL');
const platform = env('NNO_PLATFORM');

let browser;
before(async () => {
  browser = await chromium.launch({ executablePath: env('NNO_CHROMIUM'), args: ['--no-sandbox'] });
});
after(async () => browser?.close());

async function violations(page, path) {
  await page.goto(`${base}${path}`);
  await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }));
  return result.violations.map((v) => `${path}: ${v.id} (${v.nodes.length}): ${v.nodes[0]?.target}`);
}

for (const [who, token, paths] of [
  ['operator', 'NNO_OPERATOR_TOKEN', [
    '/internal/observability', '/internal/observability/provisioning', '/internal/observability/alerts',
    '/internal/observability/traces', '/internal/observability/logs', '/internal/observability/registry',
  ]],
  ['platform admin', 'NNO_ADMIN_TOKEN', [
    `/platforms/${platform}/observability`, `/platforms/${platform}/observability/features`,
    `/platforms/${platform}/logs`, `/platforms/${platform}/observability/alerts`,
    `/platforms/${platform}/observability/audit`, '/internal/observability',
  ]],
]) {
  test(`WCAG 2.1 A/AA: ${who} pages`, async () => {
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${base}/login?token=${env(token)}`);
    const found = [];
    for (const path of paths) found.push(...(await violations(page, path)));
    await context.close();
    assert.deepEqual(found, []);
  });
}
