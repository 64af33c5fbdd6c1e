/**
 * Browser test of the UI defects the first-use review found
 * (../shared/reviews/first-use-review.md), each asserted in headless
 * Chromium at 1440 px against a real backend holding what the review saw:
 *
 * - B2: the Servers and All-alerts tables fit the page (long replication
 *   lag texts, long alert details and problems wrap instead of pushing
 *   columns off screen);
 * - B4: no number in the top-tables lists is cut ("2.9 MiE" for 2.9 MiB);
 * - B7: a down server's own page says so (banner with the error), and the
 *   overview greys out its last values;
 * - B10: the database-size axis of a database that grew by a few KiB never
 *   repeats a label;
 * - C5: "Commits/s" and "Cache hit" are rates over the last probe window;
 * - C6: alert values and thresholds carry their unit and no 16 decimals;
 * - C7: a standalone primary's replication-lag charts and a new agent's
 *   table statistics say what is normal, not that something is broken;
 * - C9: `#/server/999` says "not found" and stops asking; `#/nonsense` is
 *   no overview;
 * - C14: checkpoints and the buffers they write are on charts of their own;
 * - dark mode: chart legends, cards and tables dark (screenshot).
 *
 * Screenshots (test-artifacts/): review-overview-1440.png,
 * review-alerts-all-1440.png, review-server-down.png,
 * review-server-standalone.png, review-server-standalone-dark.png, review-overview-dark.png,
 * review-not-found.png.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ARTIFACTS, launchChromium, watchPageProblems } from '@pharos/testkit/browser/browser';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { PASSWORDS, startTestBackend, type TestBackend } from './testing/backend-fixture.js';
import { historySql } from './testing/synthetic-history.js';
import { startTestInstance, type TestInstance } from './testing/web-instance.js';

const BACKEND = '127.0.22.10';
const WEB = '127.0.22.11';
const HARNESS = '127.0.22.12';

/** SQL: the ISO 8601 text the agent writes for a timestamptz (normalize.ts). */
const iso = (ts: string) => `to_char((${ts}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * What the review saw, on top of the fixture's fleet (servers 1 and 2, agents 1-3):
 * server 1 a primary with two standbys of long names, long table names, alerts with long
 * details, byte thresholds and a failing template; server 3 a standalone primary of a new
 * agent (4, running for 40 s) with one small database that grew by a few KiB.
 */
function reviewSql(nowS: number): string {
  return `
  INSERT INTO pem.probe (name, level, interval_s) VALUES
    ('table_stats', 'database', 300), ('replication_lag', 'server', 10), ('database_size', 'server', 300),
    ('server_up', 'server', 10), ('checkpointer', 'server', 60), ('bgwriter', 'server', 60), ('wal', 'server', 10),
    ('locks', 'server', 10), ('blocked_sessions', 'server', 10), ('database_stats', 'server', 10),
    ('connections_by_state', 'server', 10)
  ON CONFLICT (name) DO NOTHING;
  INSERT INTO pem.agent (id, user_name, display_name, host_address, last_heartbeat, agent_version)
    VALUES (4, 'agent4', 'db-new-1', '127.0.22.20', now(), '0.1.0');
  INSERT INTO pem.server (id, display_name, host, port, is_pem_backend) VALUES (3, 'db-new-1', '127.0.22.20', 5432, false);
  INSERT INTO pem.server_binding (server_id, agent_id, host, port, user_name, sslmode)
    VALUES (3, 4, '127.0.22.20', 5432, 'agent4', 'require');
  CREATE ROLE agent1 IN ROLE pem_agent;
  CREATE ROLE agent4 IN ROLE pem_agent;
  SET SESSION AUTHORIZATION agent1;
  ${historySql({ agentId: 1, serverIds: [1], fromS: nowS - 3600, toS: nowS, stepS: 15, firstSampleId: 100, tableStats: true })}
  RESET SESSION AUTHORIZATION;
  SET SESSION AUTHORIZATION agent4;
  CREATE TEMP TABLE incoming_sample (sample_id bigint, server_id integer, probe text, object text,
    collected_at timestamptz, value jsonb);
  INSERT INTO pg_temp.incoming_sample
  SELECT 5000 + 4 * n, 3, 'server_up', '', to_timestamp(${nowS - 3600} + 15 * n), '{"up": 1}' FROM generate_series(0, 239) n
  UNION ALL SELECT 5001 + 4 * n, 3, 'server_info', '', to_timestamp(${nowS - 3600} + 15 * n),
    jsonb_build_object('role', 'primary', 'in_recovery', false, 'server_version', '17.2', 'server_version_num', 170002,
                       'started_at', ${iso(`now() - interval '2 days'`)})
    FROM generate_series(0, 239) n
  UNION ALL SELECT 5002 + 4 * n, 3, 'database_size', 'app', to_timestamp(${nowS - 3600} + 15 * n),
    jsonb_build_object('size_bytes', 7540000 + 500 * n) FROM generate_series(0, 239) n
  UNION ALL SELECT 5003 + 4 * n, 3, 'database_stats', '', to_timestamp(${nowS - 3600} + 15 * n),
    jsonb_build_object('xact_commit', 1000 + 30 * n, 'blks_hit', 90000 + 900 * n, 'blks_read', 100 + 100 * n)
    FROM generate_series(0, 239) n;
  INSERT INTO pg_temp.incoming_sample VALUES
    (6000, 0, 'agent_status', '', now(), '{"uptime_s": 40}');
  SELECT pem.ingest_batch(4, gen_random_uuid());
  DROP TABLE pg_temp.incoming_sample;
  RESET SESSION AUTHORIZATION;
  -- server 1: standbys with long names, tables with long names in the newest run
  UPDATE pemdata.latest SET object = 'pem-backend-2.datacentre-north.example.internal@10.120.33.5'
   WHERE server_id = 1 AND probe = 'replication_lag' AND object = 'standby1@127.0.1.5';
  UPDATE pemdata.latest SET object = 'pem-backend-3.datacentre-south.example.internal@10.120.34.6'
   WHERE server_id = 1 AND probe = 'replication_lag' AND object = 'standby2@127.0.1.6';
  UPDATE pemdata.latest SET object = 'app/public.customer_order_line_items_archive_' || object
   WHERE server_id = 1 AND probe = 'table_stats';
  -- alerts as an evaluation leaves them: a byte template, a detail of 16 decimals, a failing template
  INSERT INTO pem.alert_template (name, level, sql, operator, low, medium, high, description, unit) VALUES
    ('Review replication lag', 'server', 'SELECT 1', '>', 16777216, 67108864, 268435456, 'lag', 'bytes'),
    ('Review DCS', 'server', 'SELECT 1', '>', 0, 0, 0, 'dcs', 'boolean'),
    ('Review CPU', 'agent', 'SELECT 1', '>', 80, 90, 95, 'cpu', 'percent');
  INSERT INTO pem.alert (template, server_id, object, state, operator, low, medium, high, interval_s, last_value, last_detail, last_error)
  VALUES
    ('Review replication lag', 1, '', 'medium', '>', 16777216, 67108864, 268435456, 60, 123456789,
     'pem-backend-3.datacentre-south.example.internal@10.120.34.6 is the worst standby since the last switchover', NULL),
    ('Review DCS', 1, '', 'none', '>', 0, 0, 0, 30, 0, 'DCS last seen 0.9879999160766602 s ago', NULL),
    ('Review DCS', 2, 'a-rather-long-object-name-of-a-database-on-this-server', 'none', '>', 0, 0, 0, 30, NULL, NULL,
     'ERROR: relation "pemdata.latest_missing" does not exist (SQLSTATE 42P01) while evaluating the template SQL of this alert');
  INSERT INTO pem.alert (template, agent_id, state, operator, low, medium, high, interval_s, last_value)
    VALUES ('Review CPU', 1, 'low', '>', 80, 90, 95, 60, 88.2);`;
}

describe('the review defects, in headless Chromium at 1440 px', () => {
  let backend: TestBackend;
  let web: TestInstance;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];

  /** How far the table `id` is wider than its scrolling frame, in px (0 = it fits). */
  const overflowPx = (id: string) =>
    page
      .locator(`#${id}`)
      .evaluate((t) => (t as HTMLElement).scrollWidth - (t.parentElement as HTMLElement).clientWidth);

  before(async () => {
    backend = await startTestBackend({
      primaryAddress: BACKEND,
      clientAddresses: [WEB, HARNESS],
      harnessAddress: HARNESS,
    });
    await backend.psql(reviewSql(Math.floor(Date.now() / 1000)));
    web = await startTestInstance(backend, WEB);
    browser = await launchChromium();
    context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1440, height: 900 } });
    page = await context.newPage();
    watchPageProblems(page, problems);
    await page.goto(web.url);
    await page.fill('#login-user', 'bob');
    await page.fill('#login-password', PASSWORDS.bob);
    await page.click('#login-submit');
    await page.locator('#servers tbody tr[data-id="1"]').waitFor();
  });

  after(async () => {
    await browser?.close();
    await web?.close();
    await backend?.stop();
  });

  it('fits the Servers table in the page at 1440 px, one line per standby (B2)', async () => {
    await page.locator('#servers tbody tr[data-id="1"] td.lag div').nth(1).waitFor();
    assert.equal(await overflowPx('servers'), 0, 'servers table wider than its frame');
    assert.ok(await page.locator('#servers th', { hasText: 'Last sample' }).isVisible());
    await page.screenshot({ path: `${ARTIFACTS}review-overview-1440.png`, fullPage: true });
  });

  it('shows commits and cache hits as rates over the last window, not since the stats reset (C5)', async () => {
    const cells = await page
      .locator('#servers tbody tr[data-id="3"] td')
      .evaluateAll((tds) => tds.map((td) => [td.textContent ?? '', td.getAttribute('title') ?? '']));
    const head = await page.locator('#servers thead th').allTextContents();
    const commits = cells[head.indexOf('Commits/s')]!;
    const hit = cells[head.indexOf('Cache hit')]!;
    // server 3: 30 commits, 900 hits and 100 reads every 15 s
    assert.equal(commits[0], '2/s');
    assert.match(commits[1]!, /over the 15 s between the two newest samples/);
    assert.equal(hit[0], '90 %');
  });

  it("greys out a down server's last values on the overview, and its own page says it is down (B7)", async () => {
    assert.equal(await page.locator('#servers tbody tr[data-id="2"].not-current').count(), 1);
    // The fixture's agent 2 last beat 10 min ago: the server's last sample (down) is not news,
    // its state is unknown, and the page says why.
    await page.goto(`${web.url}#/server/2`);
    const banner = page.locator('#server-state');
    await banner.waitFor();
    assert.equal(await banner.getAttribute('data-state'), 'agent down');
    assert.match(
      (await banner.textContent()) ?? '',
      /Its agent \(pem-web-1\) has stopped sending heartbeats \(last 10 min ago\): the server's state is unknown/,
    );
    // The review's case: the agent beats, and its newest sample says the server is down.
    await backend.psql(`
      UPDATE pem.agent SET last_heartbeat = now() WHERE id = 2;
      UPDATE pemdata.latest SET collected_at = now() - interval '20 s' WHERE server_id = 2 AND probe = 'server_up';`);
    await page.goto(`${web.url}#/`);
    await page.locator('#servers tbody tr[data-id="2"]').waitFor();
    await page.goto(`${web.url}#/server/2`);
    await page.locator('#server-state[data-state="down"]').waitFor();
    assert.match(
      (await banner.textContent()) ?? '',
      /The server is down: connection refused\. Last checked 2\d s ago/,
    );
    await page.screenshot({ path: `${ARTIFACTS}review-server-down.png`, fullPage: true });
  });

  it('keeps numbers whole in the top-tables lists (B4: "2.9 MiE")', async () => {
    await page.goto(`${web.url}#/server/1`);
    await page.locator('#top-size tbody tr').nth(9).waitFor();
    const cut = await page.locator('.top-list').evaluateAll((lists) =>
      lists.flatMap((list) => {
        const frame = (list.querySelector('.table-wrap') as HTMLElement).getBoundingClientRect();
        return [...list.querySelectorAll('td.num')]
          .filter((td) => {
            const r = td.getBoundingClientRect();
            return r.right > frame.right + 0.5 || td.scrollWidth > td.clientWidth;
          })
          .map((td) => td.textContent);
      }),
    );
    assert.deepEqual(cut, []);
    assert.match((await page.locator('#top-size tbody tr').first().textContent()) ?? '', /38\.1 MiB$/);
  });

  it('puts checkpoints and the buffers they write on charts of their own (C14)', async () => {
    assert.match(
      (await page.locator('[data-chart="checkpoints"] h3').textContent()) ?? '',
      /Checkpoints per minute/,
    );
    assert.equal(await page.locator('[data-chart="checkpoint_buffers"]').count(), 1);
  });

  it('says what is normal on a standalone primary of a new agent, and repeats no axis label (C7, B10)', async () => {
    await page.goto(`${web.url}#/server/3`);
    await page.locator('[data-chart="database_size"] canvas').waitFor();
    for (const id of ['replication_lag', 'replication_lag_s'])
      assert.match(
        (await page.locator(`[data-chart="${id}"] .no-data`).textContent()) ?? '',
        /No standby streams from this server and it is no standby itself/,
        id,
      );
    assert.equal(
      await page.locator('#top-tables .no-data').textContent(),
      "Not collected yet: the table_stats probe runs every 5 min; its first values arrive within 5 min of the agent's start (40 s ago).",
    );
    assert.equal(await page.locator('#server-view .no-data', { hasText: 'does not collect' }).count(), 0);
    // uPlot draws the tick labels on the canvas; the chart writes them to its root's data-y-ticks too
    const labels = (
      (await page.locator('[data-chart="database_size"] .uplot').getAttribute('data-y-ticks')) ?? ''
    ).split('|');
    assert.ok(labels.length >= 3, labels.join(', '));
    assert.equal(new Set(labels).size, labels.length, `repeated axis labels: ${labels.join(', ')}`);
    // a ratio's axis ends at 100 %, not at uPlot's next round number (150 %)
    const hit = (
      (await page.locator('[data-chart="cache_hit"] .uplot').getAttribute('data-y-ticks')) ?? ''
    ).split('|');
    assert.ok(hit.length >= 2, hit.join(', '));
    assert.ok(
      hit.every((l) => Number.parseFloat(l) <= 100),
      `cache hit axis beyond 100 %: ${hit.join(', ')}`,
    );
    await page.screenshot({ path: `${ARTIFACTS}review-server-standalone.png`, fullPage: true });
  });

  it('draws chart legends, cards and tables dark in dark mode', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.locator('[data-chart="database_size"] .u-over').hover();
    const colours = await page.evaluate(() => {
      const bg = (sel: string) => {
        const el = document.querySelector(sel);
        return el ? getComputedStyle(el).backgroundColor : 'missing';
      };
      const fg = (sel: string) => {
        const el = document.querySelector(sel);
        return el ? getComputedStyle(el).color : 'missing';
      };
      return {
        card: bg('.chart-card'),
        legend: bg('[data-chart="database_size"] .u-legend th'),
        text: fg('.u-legend'),
      };
    });
    // styles/tokens.css, dark theme: --card and --head-bg #1a212b, --fg #e6e9ef
    assert.deepEqual(colours, {
      card: 'rgb(26, 33, 43)',
      legend: 'rgb(26, 33, 43)',
      text: 'rgb(230, 233, 239)',
    });
    // the charts are drawn again in the dark theme's colours (a canvas keeps the colours it was given):
    // --line #2c3542, not the light theme's #dde1e7
    await page.locator('[data-chart="database_size"] .uplot[data-grid="#2c3542"]').waitFor();
    await page.screenshot({ path: `${ARTIFACTS}review-server-standalone-dark.png`, fullPage: true });
    await page.goto(`${web.url}#/`);
    await page.locator('#servers tbody tr[data-id="1"]').waitFor();
    await page.screenshot({ path: `${ARTIFACTS}review-overview-dark.png`, fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('fits the All-alerts table at 1440 px, values in their unit without 16 decimals (B2, C6)', async () => {
    await page.goto(`${web.url}#/alerts/all`);
    await page.locator('#alert-configs tbody tr').nth(3).waitFor();
    assert.equal(await overflowPx('alert-configs'), 0, 'all-alerts table wider than its frame');
    const row = (template: string) =>
      page.locator('#alert-configs tbody tr', { hasText: template }).first().textContent();
    const lag = (await row('Review replication lag')) ?? '';
    assert.match(lag, /117\.7 MiB/);
    assert.match(lag, /> 16 MiB \/ 64 MiB \/ 256 MiB/);
    assert.match((await row('Review CPU')) ?? '', /88\.2 %.*> 80 % \/ 90 % \/ 95 %/);
    const dcs = (await row('Review DCS')) ?? '';
    assert.match(dcs, /DCS last seen 0\.988 s ago/);
    assert.doesNotMatch(dcs, /0\.98799/);
    await page.screenshot({ path: `${ARTIFACTS}review-alerts-all-1440.png`, fullPage: true });
  });

  it('says "not found" for a server that does not exist and stops asking; an unknown route is no overview (C9)', async () => {
    // A page of its own whose timers the test drives (Playwright's clock): the refresh
    // timers of a minute run at once, so "it never asks again" needs no waiting.
    const p = await context.newPage();
    watchPageProblems(p, problems);
    await p.clock.install();
    let asked = 0;
    p.on('request', (r) => {
      if (r.url().includes('/api/servers/999')) asked++;
    });
    await p.goto(`${web.url}#/server/999`);
    await p.locator('#not-found').waitFor();
    assert.match(
      (await p.locator('#not-found-what').textContent()) ?? '',
      /There is no server 999 \(no server 999\)/,
    );
    const seen = asked;
    await p.clock.runFor(60_000);
    await p.waitForLoadState('networkidle');
    assert.equal(asked, seen, 'asked again for a server that does not exist');
    await p.screenshot({ path: `${ARTIFACTS}review-not-found.png` });
    await p.goto(`${web.url}#/nonsense`);
    await p.locator('#not-found-what', { hasText: 'There is no page #/nonsense' }).waitFor();
    assert.equal(await p.locator('#fleet-view').count(), 0, 'the overview is not shown for an unknown route');
    await p.close();
  });

  it('had no console errors and no CSP violations', () => {
    // The 401 of the first GET /api/session and the 404 of server 999 are expected.
    assert.deepEqual(
      problems.filter((p) => !/status of (401|404)/.test(p)),
      [],
    );
  });
});
