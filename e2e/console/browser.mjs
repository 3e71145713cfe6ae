// The console's browser session and page visit, shared by the browser tests against
// `nno-obs serve` (console.test.mjs) and against the nno-logging Worker (worker.test.mjs):
// a signed-in Chromium context that records every console error, page error, failed request
// and failing sub-resource, and a visit that checks the page's status, that nothing of that
// happened, and screenshots it.
import assert from 'node:assert/strict';

/// A signed-in browser context on `base` for `token`, at `width`; `timeoutMs`: how long a page
/// may take to load (playwright's default, 30 s, unless given).
export async function session(browser, base, token, width, timeoutMs) {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  if (timeoutMs) context.setDefaultNavigationTimeout(timeoutMs);
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => {
    // A page's own refusal (403, 404) is the expected answer; any other failing fetch is not.
    if (r.status() >= 400 && r.request().resourceType() !== 'document') {
      problems.push(`${r.status()}: ${r.url()}`);
    }
  });
  const login = await page.goto(`${base}/login?token=${token}`);
  assert.equal(login.status(), 200, 'login lands on the home page');
  return { base, context, page, problems };
}

/// Visits `path` in session `s`, expects `status`, checks for problems, screenshots it as
/// `{shots}/{name}.png`; returns the page.
export async function visit(s, path, status, shots, name) {
  s.problems.length = 0;
  const response = await s.page.goto(`${s.base}${path}`);
  assert.equal(response.status(), status, `${path}: status`);
  if (status >= 400) {
    // Chromium logs a document's own refusal as an error; that one is the expected answer.
    const own = s.problems.findIndex((p) => p.endsWith(`status of ${status} (${response.statusText()})`));
    if (own >= 0) s.problems.splice(own, 1);
  }
  assert.deepEqual(s.problems, [], `${path}: no console error, no failed request`);
  // Whole pages, cut at 2400 px (a phone's long log list adds nothing past that).
  const height = await s.page.evaluate(() => document.documentElement.scrollHeight);
  const width = s.page.viewportSize().width;
  await s.page.screenshot({
    path: `${shots}/${name}.png`,
    fullPage: true,
    clip: { x: 0, y: 0, width, height: Math.min(height, 2400) },
  });
  return s.page;
}
