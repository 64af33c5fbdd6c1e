/**
 * Browser test of the dashboard pages: headless Chromium (Debian's, driven
 * by playwright-core) against a real backend (primary + streaming standby)
 * and two web instances. History is stored through pem.ingest_batch
 * (testing/synthetic-history.ts). Logs in, opens the overview (HA cluster
 * panel, alert counts), the server analysis (charts that hold data points,
 * "no data yet" for probes the agent does not collect, top tables), the
 * alerts and the probe log; changes preferences through the UI and sees them
 * kept by the backend; under the "system" theme follows the system's dark
 * mode (page, cards, table heads); checks that an automatic refresh keeps a zoomed chart
 * and the page's nodes; carries the session to the other instance; stops the
 * primary and sees the page say "backend is failing over", then recover
 * after the standby's promotion without a new login. No console error and no
 * CSP violation is tolerated. Screenshots go to /work/main/test-artifacts/.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ARTIFACTS, launchChromium, watchPageProblems } from '@pharos/testkit/browser/browser';
import { waitFor } from '@pharos/testkit/wait/wait-for';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { SESSION_COOKIE } from './auth/cookie.js';
import { PASSWORDS, startTestBackend, type TestBackend } from './testing/backend-fixture.js';
import { historySql } from './testing/synthetic-history.js';
import { startTestInstance, type TestInstance } from './testing/web-instance.js';

const PRIMARY = '127.0.4.70';
const STANDBY = '127.0.4.71';
const WEB_A = '127.0.4.72';
const WEB_B = '127.0.4.73';
const HARNESS = '127.0.4.74';

/** Charts that have synthetic data, and charts whose probes the agent does not collect. */
const WITH_DATA = [
  'tps',
  'connections',
  'cache_hit',
  'replication_lag',
  'replication_lag_s',
  'database_size',
];
const WITHOUT_DATA = ['checkpoints', 'bgwriter', 'wal', 'locks', 'blocked'];

describe('dashboard pages in headless Chromium, through a failover', () => {
  let backend: TestBackend;
  let a: TestInstance;
  let b: TestInstance;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];
  const nowS = Math.floor(Date.now() / 1000);

  const watch = (p: Page) => watchPageProblems(p, problems);
  const points = async (p: Page, chart: string) =>
    Number(await p.locator(`[data-chart="${chart}"]`).getAttribute('data-points'));

  before(async () => {
    backend = await startTestBackend({
      primaryAddress: PRIMARY,
      standbyAddress: STANDBY,
      clientAddresses: [WEB_A, WEB_B, HARNESS],
      harnessAddress: HARNESS,
    });
    await backend.psql(`CREATE ROLE agent1 IN ROLE pem_agent;
      SET SESSION AUTHORIZATION agent1;
      ${historySql({ agentId: 1, serverIds: [1], fromS: nowS - 7200, toS: nowS, stepS: 15, firstSampleId: 100, resetAt: 300, tableStats: true })}
      SELECT pem.log_probe_failure(1, 1, 'table_stats', 'app', now() - interval '30 s', 'permission denied for table payroll');
      RESET SESSION AUTHORIZATION;
      INSERT INTO pem.alert_template (name, level, sql, operator, low, medium, high) VALUES
        ('Test connections', 'server', 'SELECT 1', '>', 50, 75, 90), ('Test agent', 'agent', 'SELECT 1', '>', 0, 0, 1);
      INSERT INTO pem.alert (template, server_id, state, changed_at, operator, low, medium, high, interval_s) VALUES
        ('Test connections', 1, 'high', now() - interval '3 min', '>', 50, 75, 90, 60),
        ('Test connections', 2, 'none', now(), '>', 50, 75, 90, 60);
      INSERT INTO pem.alert (template, agent_id, state, operator, low, medium, high, interval_s)
        VALUES ('Test agent', 2, 'medium', '>', 0, 0, 1, 60);
      INSERT INTO pem.alert_history (alert_id, at, event, old_state, new_state, value, flapping, notified)
        SELECT id, now() - interval '3 min', 'raised', 'none', 'high', 93, false, true FROM pem.alert
         WHERE template = 'Test connections' AND server_id = 1;`);
    a = await startTestInstance(backend, WEB_A);
    b = await startTestInstance(backend, WEB_B);
    browser = await launchChromium();
    context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1400, height: 900 } });
    page = await context.newPage();
    watch(page);
  });

  after(async () => {
    await browser?.close();
    await a?.close();
    await b?.close();
    await backend?.stop();
  });

  it('logs in and shows the overview: totals, alert counts, the HA cluster panel', async () => {
    await page.goto(a.url);
    await page.fill('#login-user', 'bob');
    await page.fill('#login-password', PASSWORDS.bob);
    await page.click('#login-submit');
    await page.locator('#servers tbody tr[data-id="1"]').waitFor();
    assert.match((await page.locator('#alert-totals').textContent()) ?? '', /1 high.*1 medium/);
    assert.match((await page.locator('#servers tbody tr[data-id="1"]').textContent()) ?? '', /1 high/);
    await page.locator('#cluster #patroni-empty').waitFor();
    assert.match((await page.locator('#cluster').textContent()) ?? '', /No Patroni REST API answered/);
    await page.screenshot({ path: `${ARTIFACTS}web-overview.png`, fullPage: true });
  });

  it('sets preferences through the UI; the backend keeps them', async () => {
    await page.selectOption('#refresh-interval', '5');
    await page.selectOption('#theme', 'light');
    await waitFor('the preferences to be saved', async () => {
      const saved = await backend.psql(
        `SELECT prefs->>'refreshIntervalS' || ' ' || (prefs->>'theme') FROM pem.user_preference WHERE role_name = 'bob'`,
      );
      return saved === '5 light' || undefined;
    });
    assert.equal(await page.locator('html').getAttribute('data-theme'), 'light');
  });

  it('opens the server analysis: charts with data points, "no data yet" for missing probes, top tables', async () => {
    await page.click('#servers tbody tr[data-id="1"] a');
    await page.locator('#server-view [data-chart="tps"] canvas').waitFor();
    assert.match((await page.locator('#server-title').textContent()) ?? '', /pem-backend-1/);
    for (const id of WITH_DATA) {
      await page.locator(`[data-chart="${id}"] canvas`).waitFor();
      const n = await points(page, id);
      assert.ok(n >= 100, `${id}: ${n} points`);
    }
    for (const id of WITHOUT_DATA) {
      assert.match(
        (await page.locator(`[data-chart="${id}"]`).textContent()) ?? '',
        /No data yet for this probe/,
        id,
      );
      assert.equal(await points(page, id), 0);
    }
    assert.match((await page.locator('[data-chart="tps"] h3').textContent()) ?? '', /1 reset/);
    assert.match((await page.locator('#top-size tbody tr').first().textContent()) ?? '', /public\.t20/);
    assert.match((await page.locator('#top-dead').textContent()) ?? '', /public\.t/);
    await page.screenshot({ path: `${ARTIFACTS}web-server.png`, fullPage: true });
  });

  it('follows the system\'s dark mode under the "system" theme: dark page, table heads and chart legends', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.selectOption('#theme', 'system');
    await page.locator('html[data-theme="system"]').waitFor({ state: 'attached' });
    const colours = await page.evaluate(() => {
      const bg = (el: Element | null) => (el ? getComputedStyle(el).backgroundColor : 'missing');
      return {
        body: bg(document.body),
        card: bg(document.querySelector('.chart-card')),
        legendHead: bg(document.querySelector('[data-chart="tps"] .u-legend th')),
      };
    });
    // styles/tokens.css: --bg #11161d, --card and --head-bg #1a212b in the dark theme
    assert.deepEqual(colours, {
      body: 'rgb(17, 22, 29)',
      card: 'rgb(26, 33, 43)',
      legendHead: 'rgb(26, 33, 43)',
    });
    await page.screenshot({ path: `${ARTIFACTS}web-server-dark.png`, fullPage: true });
    await page.selectOption('#theme', 'light');
    await page.locator('html[data-theme="light"]').waitFor({ state: 'attached' });
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('keeps the place through automatic refreshes: same nodes, zoom kept', async () => {
    const card = page.locator('[data-chart="connections"]');
    await card.evaluate((el) => el.setAttribute('data-marked', 'yes'));
    const plot = card.locator('.u-over');
    const box = (await plot.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    const before = await page.locator('#refresh-state').textContent();
    const zoomed = await card.locator('.u-axis').first().textContent();
    await page.waitForFunction(
      (text) => document.getElementById('refresh-state')?.textContent !== text,
      before,
      { timeout: 15_000 },
    );
    assert.equal(await page.locator('[data-chart="connections"][data-marked="yes"]').count(), 1, 'same node');
    assert.equal(await card.locator('.u-axis').first().textContent(), zoomed, 'zoom kept');
  });

  it('changes the time range and the chosen charts, kept in the backend', async () => {
    await page.selectOption('#time-range', '6h');
    await page.click('#choose-charts');
    await page.locator('#chart-chooser input[data-chart-id="locks"]').uncheck();
    await page.locator('[data-chart="locks"]').waitFor({ state: 'detached' });
    await page.click('#choose-charts');
    assert.equal(
      await backend.psql(
        `SELECT prefs->>'timeRange' || ' ' || jsonb_array_length(prefs->'dashboards') FROM pem.user_preference WHERE role_name = 'bob'`,
      ),
      '6h 10',
    );
    await page.locator('[data-chart="tps"] canvas').waitFor();
    assert.ok((await points(page, 'tps')) > 50);
  });

  it('lists alerts by level with their history, and the probe log', async () => {
    await page.click('#nav-alerts');
    await page.locator('#current-alerts tbody tr').nth(1).waitFor();
    const rows = await page.locator('#current-alerts tbody tr').allTextContents();
    assert.match(rows[0]!, /high.*Test connections.*pem-backend-1/);
    assert.match(rows[1]!, /medium.*Test agent/);
    assert.match((await page.locator('#alert-history').textContent()) ?? '', /raised.*cleared.*high.*93/);
    await page.screenshot({ path: `${ARTIFACTS}web-alerts.png`, fullPage: true });
    await page.click('#nav-probe-log');
    await page.locator('#probe-log tbody tr').first().waitFor();
    assert.match(
      (await page.locator('#probe-log tbody tr').first().textContent()) ?? '',
      /pem-backend-1.*table_stats.*app.*permission denied for table payroll/,
    );
    await page.screenshot({ path: `${ARTIFACTS}web-probe-log.png`, fullPage: true });
  });

  it('the same session and preferences work on the other instance', async () => {
    const session = (await context.cookies(a.url)).find((c) => c.name === SESSION_COOKIE)!;
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
    await pageB.goto(`${b.url}#/server/1`);
    await pageB.locator('[data-chart="tps"] canvas').waitFor();
    assert.ok((await points(pageB, 'tps')) > 50);
    assert.equal(await pageB.locator('#time-range').inputValue(), '6h');
    assert.equal(await pageB.locator('[data-chart="locks"]').count(), 0);
    await pageB.screenshot({ path: `${ARTIFACTS}web-server-instance-b.png`, fullPage: true });
    await pageB.close();
  });

  it('says "backend is failing over" while there is no primary and recovers without a new login', async () => {
    await page.click('#nav-overview');
    await page.locator('#servers tbody tr[data-id="1"]').waitFor();
    await page.goto(`${a.url}#/server/1`);
    await page.locator('[data-chart="tps"] canvas').waitFor();
    await waitFor(
      'the session row to reach the standby',
      async () => (await backend.psql('SELECT count(*) FROM pem.web_session', backend.standby!)) !== '0',
    );
    await backend.primary.stop();
    await page
      .locator('#backend-state', { hasText: 'The backend is failing over' })
      .waitFor({ timeout: 30_000 });
    assert.ok((await points(page, 'tps')) > 50, 'the last data stays on screen');
    await page.screenshot({ path: `${ARTIFACTS}web-server-failover.png`, fullPage: true });
    await backend.psql('SELECT pg_promote()', backend.standby!);
    await page.locator('#backend-state').waitFor({ state: 'hidden', timeout: 40_000 });
    assert.equal(await page.locator('#login-form').count(), 0, 'no new login');
    assert.ok((await points(page, 'tps')) > 50);
    await page.click('#nav-alerts');
    await page.locator('#current-alerts tbody tr').first().waitFor();
  });

  it('had no console errors and no CSP violations', () => {
    // The 401 of the first GET /api/session and the 503 answers during the failover are expected.
    const real = problems.filter((p) => !/status of (401|503)/.test(p));
    assert.deepEqual(real, []);
  });
});
