/**
 * Browser test: headless Chromium (Debian's, driven by playwright-core)
 * against a real backend and two instances. Logs in through the form, sees
 * the fleet with a status per row, watches an automatic refresh update a
 * value in place, pages a fleet larger than a page and filters it, carries the session cookie to the other instance, logs out.
 * No console error and no CSP violation is tolerated. Screenshots go to
 * /work/main/test-artifacts/.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ARTIFACTS, launchChromium, watchPageProblems } from '@pharos/testkit/browser/browser';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { SESSION_COOKIE } from './auth/cookie.js';
import { PASSWORDS, startTestBackend, type TestBackend } from './testing/backend-fixture.js';
import { startTestInstance, type TestInstance } from './testing/web-instance.js';

const BACKEND = '127.0.4.20';
const WEB_A = '127.0.4.21';
const WEB_B = '127.0.4.22';
const HARNESS = '127.0.4.23';

describe('web UI in headless Chromium', () => {
  let backend: TestBackend;
  let a: TestInstance;
  let b: TestInstance;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];

  const watch = (p: Page) => watchPageProblems(p, problems);
  const rowText = (p: Page, table: string, id: number) =>
    p
      .locator(`#${table} tbody tr[data-id="${id}"]`)
      .evaluate((tr) => [...(tr as HTMLTableRowElement).cells].map((c) => c.textContent).join(' | '));

  before(async () => {
    backend = await startTestBackend({
      primaryAddress: BACKEND,
      clientAddresses: [WEB_A, WEB_B, HARNESS],
      harnessAddress: HARNESS,
    });
    a = await startTestInstance(backend, WEB_A);
    b = await startTestInstance(backend, WEB_B);
    browser = await launchChromium();
    context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1400, height: 800 } });
    page = await context.newPage();
    watch(page);
  });

  after(async () => {
    await browser?.close();
    await a?.close();
    await b?.close();
    await backend?.stop();
  });

  it('shows the login form, refuses a wrong password, then logs in and shows the fleet', async () => {
    await page.goto(a.url);
    await page.locator('#login-form').waitFor({ state: 'visible' });
    await page.screenshot({ path: `${ARTIFACTS}web-login.png` });
    await page.fill('#login-user', 'bob');
    await page.fill('#login-password', 'wrong');
    await page.click('#login-submit');
    await page.locator('#login-error', { hasText: 'Wrong user name or password' }).waitFor();

    await page.fill('#login-password', PASSWORDS.bob);
    await page.click('#login-submit');
    await page.locator('#fleet-view').waitFor({ state: 'visible' });
    await page.locator('#agents tbody tr').nth(2).waitFor();
    assert.equal(await page.locator('#who-name').textContent(), 'bob');
    assert.equal(await page.locator('#who-role').textContent(), 'user');
    assert.equal(await page.locator('#agents tbody tr').count(), 3);
    assert.equal(await page.locator('#servers tbody tr').count(), 2);

    const agent1 = await rowText(page, 'agents', 1);
    assert.match(agent1, /alive/);
    assert.match(agent1, /pem-backend-1/);
    assert.match(agent1, /12 %|13 %/);
    assert.match(agent1, /0\.50 0\.40 0\.30/);
    assert.match(agent1, /4\.0 GiB of 8\.0 GiB/);
    assert.match(await rowText(page, 'agents', 2), /down/);
    assert.match(await rowText(page, 'agents', 3), /never seen/);

    const server1 = await rowText(page, 'servers', 1);
    assert.match(server1, /\bup\b/);
    assert.match(server1, /primary/);
    assert.match(
      server1,
      /\b1 h \d+ min\b/,
      'Uptime: the server started an hour ago (server_info.started_at)',
    );
    assert.match(server1, /active 2 · idle 5/);
    // Commits/s and Cache hit are rates between the two newest database_stats samples (review C5);
    // the fixture has one, so both cells are empty and say why
    assert.equal(
      await page.locator('#servers tbody tr[data-id="1"] td[title="needs two samples"]').count(),
      2,
    );
    assert.match(await rowText(page, 'servers', 2), /agent down/);
    await page.screenshot({ path: `${ARTIFACTS}web-fleet.png`, fullPage: true });
  });

  it('refreshes on its own, updating rows in place', async () => {
    // Mark the row element: an in-place update keeps the same node (and the user's place).
    await page.locator('#agents tbody tr[data-id="1"]').evaluate((tr) => {
      tr.setAttribute('data-marked', 'yes');
    });
    await backend.psql(
      `UPDATE pemdata.latest SET value = '{"busy_pct": 42}', collected_at = now() WHERE agent_id = 1 AND probe = 'cpu'`,
    );
    await page
      .locator('#agents tbody tr[data-id="1"][data-marked="yes"]', { hasText: '42 %' })
      .waitFor({ timeout: 15_000 });
    assert.match((await page.locator('#refresh-state').textContent()) ?? '', /Updated/);
  });

  it('pages a fleet larger than a page, problems first, and filters it by name and status', async () => {
    // 150 more servers (never seen: "no data"), beside the fixture's server 1 (up) and 2 (agent down).
    // server 1 up and fresh, its agent alive for the whole test (the fixture's times have aged)
    await backend.psql(`UPDATE pem.agent SET last_heartbeat = now() + interval '1 min' WHERE id = 1;
      UPDATE pemdata.latest SET collected_at = now() WHERE server_id = 1;`);
    await backend.psql(`INSERT INTO pem.server (id, display_name, host, port)
      SELECT 1000 + i, 'bulk-' || lpad(i::text, 3, '0'), '10.9.0.' || i, 5432 FROM generate_series(1, 150) AS i;`);
    try {
      await page.goto(`${a.url}#/`);
      const range = page.locator('#servers-range');
      await range.filter({ hasText: '1–100 of 152' }).waitFor();
      assert.equal(await page.locator('#servers tbody tr').count(), 100);
      assert.equal(await page.locator('#servers-count').textContent(), '(152)');
      assert.match((await page.locator('#totals').textContent()) ?? '', /Servers up\s*1 \/ 152/);
      // problems first: agent down, then no data (by name), up last
      assert.equal(await page.locator('#servers tbody tr').first().getAttribute('data-id'), '2');
      assert.equal(await page.locator('#servers tbody tr').nth(1).getAttribute('data-id'), '1001');
      assert.ok(await page.locator('#servers-prev').isDisabled());

      await page.click('#servers-next');
      await range.filter({ hasText: '101–152 of 152' }).waitFor();
      assert.equal(await page.locator('#servers tbody tr').count(), 52);
      assert.equal(await page.locator('#servers tbody tr').last().getAttribute('data-id'), '1');
      assert.ok(await page.locator('#servers-next').isDisabled());

      // a filter starts from the first page; a match that fits one page has no pager
      await page.fill('#fleet-name', 'BULK-1');
      await page.locator('#servers-count', { hasText: '(51)' }).waitFor();
      assert.equal(await page.locator('#servers tbody tr').count(), 51);
      assert.equal(await page.locator('#servers-pager').count(), 0);
      await page.fill('#fleet-name', '');
      await page.selectOption('#fleet-status', 'up');
      await page.locator('#servers-count', { hasText: '(1)' }).waitFor();
      assert.equal(await page.locator('#servers tbody tr').first().getAttribute('data-id'), '1');
      await page.selectOption('#fleet-status', '');
      await page.locator('#servers-count', { hasText: '(152)' }).waitFor();
    } finally {
      await backend.psql('DELETE FROM pem.server WHERE id > 1000');
    }
    await page.locator('#servers-count', { hasText: '(2)' }).waitFor({ timeout: 15_000 });
  });

  it('the same session works on the other instance (cookie carried over)', async () => {
    const cookies = await context.cookies(a.url);
    const session = cookies.find((c) => c.name === SESSION_COOKIE);
    assert.ok(session, 'session cookie set');
    assert.equal(session.httpOnly, true);
    assert.equal(session.secure, true);
    assert.equal(session.sameSite, 'Strict');
    await context.addCookies([
      {
        name: SESSION_COOKIE,
        value: session.value,
        url: b.url,
        secure: true,
        httpOnly: true,
        sameSite: 'Strict',
      },
    ]);
    const pageB = await context.newPage();
    watch(pageB);
    await pageB.goto(b.url);
    await pageB.locator('#agents tbody tr').nth(2).waitFor();
    assert.equal(await pageB.locator('#who-name').textContent(), 'bob');
    await pageB.screenshot({ path: `${ARTIFACTS}web-fleet-instance-b.png`, fullPage: true });
    await pageB.close();
  });

  it('logs out: the form returns and the session is gone on every instance', async () => {
    await page.click('#logout');
    await page.locator('#login-form').waitFor({ state: 'visible' });
    const pageB = await context.newPage();
    watch(pageB);
    await pageB.goto(b.url);
    await pageB.locator('#login-form').waitFor({ state: 'visible' });
    await pageB.close();
    assert.equal(await backend.psql('SELECT count(*) FROM pem.web_session WHERE expires_at > now()'), '0');
  });

  it('had no console errors and no CSP violations', () => {
    // The 401 of the first GET /api/session and of the wrong password are expected network answers.
    const real = problems.filter((p) => !/status of 401/.test(p));
    assert.deepEqual(real, []);
  });
});
