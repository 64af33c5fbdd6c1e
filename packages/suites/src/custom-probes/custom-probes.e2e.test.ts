/**
 * Custom probes end to end (issue 18 acceptance), in headless Chromium
 * against real parts: the `pem` backend (PostgreSQL with TLS, 127.0.31.10),
 * a web instance (127.0.31.11) and a real agent (runAgent, 127.0.31.13)
 * monitoring the backend's own PostgreSQL as server 10 with a pg_monitor
 * role (the monitoring role of a real deployment).
 *
 * An administrator defines a database-level custom probe through the UI:
 * first with a misspelt SQL, refused with PostgreSQL's error and a caret at
 * its position (nothing stored); then corrected, checked (its rows shown)
 * and saved. Within two of its intervals the agent has run it (NOTIFY: the
 * agent's short wait is long, 60 s, so only the notification can make it in
 * time): its samples are in the backend and its chart on the server page
 * draws them, and its failure in the database that lacks the table is in
 * the probe log page. A pem_user sees the list without edit controls; the
 * administrator removes the probe. An alert's form says that email is not
 * configured while no SMTP server is (issue 18: "email the default group"
 * was ticked with nothing to send it). No console error or CSP violation.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseAgentConfig } from '@pharos/agent/config';
import { type AgentHandle, runAgent } from '@pharos/agent/run';
import { createLogger } from '@pharos/core/log';
import { ARTIFACTS, launchChromium, watchPageProblems } from '@pharos/testkit/browser/browser';
import { waitFor } from '@pharos/testkit/wait/wait-for';
import { PASSWORDS, startTestBackend, type TestBackend } from '@pharos/web/testing/backend-fixture';
import { startTestInstance, type TestInstance } from '@pharos/web/testing/web-instance';

const BACKEND = '127.0.31.10';
const WEB = '127.0.31.11';
const HARNESS = '127.0.31.12';
const AGENT = '127.0.31.13';
const PROBE = 'custom_orders_queue';
/** The probe's interval, seconds: its data must be there within two. */
const INTERVAL_S = 3;
const GOOD_SQL = `SELECT state, count(*) AS orders
  FROM public.orders_queue
 GROUP BY state`;
/** The misspelt FROM: PostgreSQL points at it (syntax error at or near "FORM"). */
const BAD_SQL = `SELECT state, count(*) AS orders
  FORM public.orders_queue
 GROUP BY state`;

type Browser = Awaited<ReturnType<typeof launchChromium>>;
type Page = Awaited<ReturnType<Awaited<ReturnType<Browser['newContext']>>['newPage']>>;

describe('custom probes through the UI, run by a real agent', { timeout: 300_000 }, () => {
  let backend: TestBackend;
  let web: TestInstance;
  let agent: AgentHandle;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  const sql = (text: string) => backend.psql(text);

  const loginPage = async (user: keyof typeof PASSWORDS) => {
    const context = await browser.newContext({
      ignoreHTTPSErrors: true,
      viewport: { width: 1500, height: 1000 },
    });
    const p = await context.newPage();
    watchPageProblems(p, problems);
    await p.goto(web.url);
    await p.fill('#login-user', user);
    await p.fill('#login-password', PASSWORDS[user]);
    await p.click('#login-submit');
    await p.locator('#who-name', { hasText: user }).waitFor();
    return p;
  };

  before(async () => {
    backend = await startTestBackend({
      primaryAddress: BACKEND,
      clientAddresses: [WEB, HARNESS, AGENT],
      harnessAddress: HARNESS,
    });
    // agent 1 monitors the backend's own PostgreSQL (server 10) as a pg_monitor role; the
    // fixture's other bindings point at nothing and are left out
    await sql(`CREATE ROLE agent1 LOGIN PASSWORD 'agent1-pw' IN ROLE pem_agent;
      CREATE ROLE monitor LOGIN PASSWORD 'monitor-pw' IN ROLE pg_monitor;
      DELETE FROM pem.server_binding;
      INSERT INTO pem.server (id, display_name, host, port, maintenance_db, user_name, sslmode)
        VALUES (10, 'orders-db', '${BACKEND}', 5432, 'postgres', 'monitor', 'verify-full');
      INSERT INTO pem.server_binding (server_id, agent_id, host, port, user_name, sslmode)
        VALUES (10, 1, '${BACKEND}', 5432, 'monitor', 'verify-full');`);
    await backend.primary.psql(
      `CREATE TABLE public.orders_queue (id int PRIMARY KEY, state text);
       INSERT INTO public.orders_queue SELECT g, CASE WHEN g % 4 = 0 THEN 'done' ELSE 'waiting' END FROM generate_series(1, 8) g;
       GRANT SELECT ON public.orders_queue TO monitor;`,
      'postgres',
    );
    const passfile = join(backend.dir, 'agent.pgpass');
    writeFileSync(passfile, `${BACKEND}:5432:*:monitor:monitor-pw\n`, { mode: 0o600 });
    agent = await runAgent(
      parseAgentConfig({
        agent_id: 1,
        agent_user: 'agent1',
        backend: `host=${BACKEND} port=5432 dbname=pem user=agent1 password=agent1-pw sslmode=verify-full sslrootcert=${backend.pki.caCert} target_session_attrs=read-write connect_timeout=2`,
        source_address: AGENT,
        spool_dir: join(backend.dir, 'spool'),
        probe_interval_s: 1,
        short_wait_s: 60,
        long_wait_s: 1,
        passfile,
        server_sslrootcert: backend.pki.caCert,
      }),
      { logger: createLogger('agent', { level: 'silent' }) },
    );
    await waitFor('the agent monitors server 10', async () =>
      (await agent.status()).monitoredServers.includes(10),
    );
    web = await startTestInstance(backend, WEB);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await agent?.stop();
    await web?.close();
    await backend?.stop();
  });

  const fillProbe = async (text: string) => {
    await page.fill('#probe-name', PROBE);
    await page.selectOption('#probe-level', 'database');
    await page.fill('#probe-description', 'orders waiting and done');
    await page.fill('#probe-sql-13', text);
    await page.fill('#probe-columns', 'state text text\norders bigint count');
    await page.fill('#probe-objectColumn', 'state');
    await page.fill('#probe-intervalS', String(INTERVAL_S));
    await page.selectOption('#probe-checkServerId', '10');
  };

  it("refuses an invalid probe with PostgreSQL's error and its position, storing nothing", async () => {
    page = await loginPage('alice');
    await page.click('#nav-probes');
    await page.locator('#no-custom-probes').waitFor();
    await page.click('#probe-new');
    await fillProbe(BAD_SQL);
    await page.click('#probe-save');
    const error = page.locator('#probe-check-error');
    await error.waitFor();
    assert.match((await error.textContent()) ?? '', /syntax error at or near "FORM"/);
    const caret = page.locator('#probe-sql-position-13');
    const position = Number(await caret.getAttribute('data-position'));
    assert.equal(
      BAD_SQL.slice(position - 1, position - 1 + 'FORM'.length),
      'FORM',
      'the position points at the token',
    );
    assert.match(
      (await caret.textContent()) ?? '',
      /line 2, character 3:\n {2}FORM public\.orders_queue\n {2}\^/,
    );
    await page.screenshot({ path: `${ARTIFACTS}custom-probe-refused.png`, fullPage: true });
    assert.equal(await sql(`SELECT count(*) FROM pem.probe WHERE custom`), '0', 'nothing stored');
  });

  it('checks and saves a good probe; within two intervals it is charted and its failures are in the probe log', async () => {
    await page.fill('#probe-sql-13', GOOD_SQL);
    await page.click('#probe-check');
    await page.locator('#probe-check-ok').waitFor();
    assert.match((await page.textContent('#probe-check-sample')) ?? '', /"state":"done","orders":2/);
    await page.click('#probe-save');
    await page.locator(`#probes tbody tr[data-name="${PROBE}"]`).waitFor();
    const savedAt = Number(
      await sql(`SELECT extract(epoch FROM defined_at) FROM pem.probe WHERE name = '${PROBE}'`),
    );
    // the agent collected it within two intervals of the save (told by NOTIFY: its short wait is 60 s)
    const firstAt = await waitFor(
      'the first sample of the custom probe',
      async () =>
        Number(
          await sql(
            `SELECT extract(epoch FROM min(collected_at)) FROM pemhistory.sample WHERE probe = '${PROBE}'`,
          ),
        ) || undefined,
      { deadlineMs: 4 * INTERVAL_S * 1000 },
    );
    assert.ok(
      firstAt - savedAt <= 2 * INTERVAL_S,
      `first sample ${(firstAt - savedAt).toFixed(1)} s after the save`,
    );
    assert.equal(
      await sql(
        `SELECT value->>'orders' FROM pemdata.latest WHERE probe = '${PROBE}' AND object = 'postgres/waiting'`,
      ),
      '6',
    );
    // the table exists only in postgres: in pem, the probe fails (42P01) and the probe log says so
    await page.click('#nav-probe-log');
    await waitFor(
      'the failure of the custom probe in the probe log page',
      async () => {
        await page.reload();
        // the page has loaded its answer (a table or "no failure") before its rows are counted
        await page.locator('#probe-log, #no-failures').first().waitFor();
        return (await page.locator('#probe-log tbody tr', { hasText: PROBE }).count()) > 0;
      },
      { deadlineMs: 4 * INTERVAL_S * 1000, intervalMs: 1000 },
    );
    assert.match(
      (await page.locator('#probe-log tbody tr', { hasText: PROBE }).first().textContent()) ?? '',
      /pem.*does not exist/,
    );
    await page.goto(`${web.url}#/server/10`);
    const chart = page.locator(`[data-chart="custom-${PROBE}-gauge"]`);
    await waitFor(
      'the custom probe chart with points',
      async () => Number((await chart.getAttribute('data-points').catch(() => null)) ?? 0) > 0,
      { deadlineMs: 20_000, intervalMs: 500 },
    );
    assert.match((await chart.textContent()) ?? '', new RegExp(PROBE));
    await page.screenshot({ path: `${ARTIFACTS}custom-probe-chart.png`, fullPage: true });
  });

  it('a pem_user sees the list only; the administrator removes the probe', async () => {
    const reader = await loginPage('bob');
    await reader.click('#nav-probes');
    await reader.locator(`#probes tbody tr[data-name="${PROBE}"]`).waitFor();
    assert.equal(await reader.locator('#probe-new').count(), 0);
    assert.equal(await reader.locator('.probe-remove').count(), 0);
    await page.click('#nav-probes');
    const remove = page.locator(`#probes tbody tr[data-name="${PROBE}"] .probe-remove`);
    await remove.click();
    await remove.click();
    await page.locator('#no-custom-probes').waitFor();
    assert.equal(await sql(`SELECT count(*) FROM pem.probe WHERE custom`), '0');
  });

  it("an alert's form says email is not configured while no SMTP server is set up, instead of pretending", async () => {
    const alertId = await sql('SELECT min(id) FROM pem.alert WHERE server_id = 10');
    await page.goto(`${web.url}#/alerts/${alertId}`);
    await page.locator('#alert-form').waitFor();
    const note = page.locator('#alert-email-unconfigured');
    await note.waitFor();
    assert.match((await note.textContent()) ?? '', /Email is not configured: no SMTP server is set up/);
    await sql(`INSERT INTO pem.smtp_settings (enabled, host, port, security, from_address)
      VALUES (true, 'smtp.example.invalid', 587, 'starttls', 'pharos@example.com')`);
    await page.reload();
    await page.locator('#alert-form').waitFor();
    await page.locator('#alert-notifyEmail').waitFor();
    assert.equal(await note.count(), 0, 'no note once SMTP is configured');
    // the 401 of the session check before login and the 422 of the refused probe are answers the pages expect
    const real = problems.filter((p) => !/status of (401|422)/.test(p));
    assert.deepEqual(real, [], 'no console error or CSP violation');
  });
});
