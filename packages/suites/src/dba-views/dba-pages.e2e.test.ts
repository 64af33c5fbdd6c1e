/**
 * The Sessions and Top SQL pages (issue 17) with real parts, in headless Chromium at
 * 1440 px: a pem backend (real PostgreSQL, TLS), a web instance, a
 * monitored PostgreSQL and a real agent (runAgent) bound to it; the page
 * reads the sessions through the agent (an agent task, never a connection
 * from the web tier).
 *
 * Checked, each on values the test makes happen:
 * - a pgbench session (a script sleeping in pg_sleep) appears with its
 *   query text and its wait event (Timeout: PgSleep);
 * - a lock held by one session blocks another: the blocking tree shows
 *   the holder with the waiter under it, and the waiter's "blocked by"
 *   names the holder;
 * - cancel by an administrator (alice, pem_admin) ends the waiting query
 *   (the client gets SQLSTATE 57014) and is recorded with who and why
 *   (page and pem.backend_signal); a read-only user (bob, pem_user) has
 *   no cancel controls and the API answers 403, recording nothing;
 * - a query run 1,000 times tops Top SQL ordered by calls, with 1,000
 *   calls and its normalised text; its own page shows the text and charts;
 * - a table that receives 10,000 deletes shows them as dead rows on its
 *   page and in its database's table list;
 * - the host page's disk space of `/` equals statfs(2) of `/`;
 * - with the agent stopped, the Sessions page says the agent did not answer.
 *
 * Screenshots (test-artifacts/): sessions-1440.png, sessions-dark-1440.png,
 * top-sql-1440.png, top-sql-dark-1440.png, statement-1440.png,
 * database-1440.png, table-1440.png, table-dark-1440.png, host-1440.png,
 * host-dark-1440.png,
 * sessions-agent-down.png.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseAgentConfig } from '@pharos/agent/config';
import { type AgentHandle, runAgent } from '@pharos/agent/run';
import { HaConnection } from '@pharos/core/ha/connection';
import { createLogger } from '@pharos/core/log';
import { ARTIFACTS, launchChromium, watchPageProblems } from '@pharos/testkit/browser/browser';
import { postgresBinDir, startPostgres, type TestPostgres } from '@pharos/testkit/postgres/postgres-server';
import { waitFor } from '@pharos/testkit/wait/wait-for';
import { PASSWORDS, startTestBackend, type TestBackend } from '@pharos/web/testing/backend-fixture';
import { startTestInstance, type TestInstance } from '@pharos/web/testing/web-instance';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';

/** The text of `l` as shown: its text content with runs of white space made one space. */
const textOf = async (l: Locator) => ((await l.textContent()) ?? '').replace(/\s+/g, ' ').trim();

const BACKEND = '127.0.26.10';
const WEB = '127.0.26.11';
const HARNESS = '127.0.26.12';
const AGENT = '127.0.26.13'; // the agent's host address
const MONITORED = '127.0.26.14';

const MONITOR_PW = 'mon-pw';
const AGENT_PW = 'agent-pw';
const APP_PW = 'app-pw';

describe('Sessions (through the agent) and Top SQL of a monitored server, in headless Chromium at 1440 px', {
  timeout: 300_000,
}, () => {
  let dir: string;
  let backend: TestBackend;
  let web: TestInstance;
  let monitored: TestPostgres;
  let agent: AgentHandle | undefined;
  let pgbench: ChildProcess | undefined;
  let holder: HaConnection;
  let waiter: HaConnection;
  let releaseLock: () => void = () => {};
  let held: Promise<unknown> = Promise.resolve();
  let blockedQuery: Promise<unknown> = Promise.resolve();
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];

  const appConn = (name: string) =>
    new HaConnection({
      conninfo: `host=${MONITORED} port=5432 dbname=appdb user=app password=${APP_PW} application_name=${name} sslmode=disable`,
      sourceAddress: HARNESS,
    });

  /** The pid of the first session of `application` (as the server sees it). */
  const pidOf = async (application: string) =>
    Number(
      await monitored.psql(
        `SELECT pid FROM pg_stat_activity WHERE application_name = '${application}' ORDER BY pid LIMIT 1`,
      ),
    );

  const login = async (p: Page, user: 'alice' | 'bob') => {
    await p.goto(web.url);
    await p.fill('#login-user', user);
    await p.fill('#login-password', PASSWORDS[user]);
    await p.click('#login-submit');
    await p.locator('#servers').waitFor();
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pharos-sessions-'));
    backend = await startTestBackend({
      primaryAddress: BACKEND,
      clientAddresses: [WEB, HARNESS, AGENT],
      harnessAddress: HARNESS,
      fleet: false,
    });
    monitored = await startPostgres({
      address: MONITORED,
      settings: { shared_preload_libraries: 'pg_stat_statements' },
    });
    await monitored.psql(`
      CREATE EXTENSION pg_stat_statements;
      CREATE ROLE pem_monitor LOGIN PASSWORD '${MONITOR_PW}' IN ROLE pg_monitor, pg_signal_backend;
      CREATE ROLE app LOGIN PASSWORD '${APP_PW}';
      CREATE DATABASE appdb OWNER app;`);
    await monitored.psql('CREATE TABLE queue (id int); INSERT INTO queue VALUES (1);', 'appdb');
    await monitored.psql('ALTER TABLE queue OWNER TO app', 'appdb');

    // The agent: its pem role (password through its passfile), its row, the server and binding.
    await backend.psql(`
      CREATE ROLE agent1 LOGIN PASSWORD '${AGENT_PW}' IN ROLE pem_agent;
      INSERT INTO pem.agent (id, user_name, display_name, host_address) VALUES (1, 'agent1', 'db-host-1', '${AGENT}');
      INSERT INTO pem.server (id, display_name, host, port) VALUES (1, 'db-1', '${MONITORED}', 5432);
      INSERT INTO pem.server_binding (server_id, agent_id, host, port, user_name, sslmode)
        VALUES (1, 1, '${MONITORED}', 5432, 'pem_monitor', 'disable');
      -- statements and their texts every 2 s instead of 60 s and 300 s, for the test's pace
      UPDATE pem.probe SET interval_s = 2
       WHERE name IN ('statements', 'statement_texts', 'table_stats', 'database_activity', 'database_size', 'disk_space');`);
    const passfile = join(dir, 'pgpass');
    writeFileSync(
      passfile,
      `${BACKEND}:5432:pem:agent1:${AGENT_PW}\n${MONITORED}:5432:*:pem_monitor:${MONITOR_PW}\n`,
      { mode: 0o600 },
    );
    chmodSync(passfile, 0o600);
    agent = await runAgent(
      parseAgentConfig({
        agent_id: 1,
        agent_user: 'agent1',
        backend: `host=${BACKEND} port=5432 dbname=pem user=agent1 sslmode=verify-full sslrootcert=${backend.pki.caCert} passfile=${passfile} target_session_attrs=read-write connect_timeout=2`,
        source_address: AGENT,
        spool_dir: join(dir, 'spool'),
        probe_interval_s: 2,
        short_wait_s: 1,
        long_wait_s: 2,
        passfile,
        log_file: join(dir, 'agent.log'),
      }),
      { logger: createLogger('agent', { level: 'silent' }) },
    );
    await waitFor(
      'the agent to monitor server 1',
      async () => (await agent!.status()).monitoredServers.includes(1),
      { deadlineMs: 30_000 },
    );

    // pgbench: two clients running a script that sleeps, so they are seen active and waiting.
    const bin = postgresBinDir();
    const env = { ...process.env, PGPASSWORD: APP_PW, PGSSLMODE: 'disable' };
    await new Promise<void>((resolve, reject) => {
      const p = spawn(join(bin, 'pgbench'), ['-i', '-s', '1', '-q', '-h', MONITORED, '-U', 'app', 'appdb'], {
        env,
        stdio: 'ignore',
      });
      p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`pgbench -i exited ${code}`))));
    });
    const script = join(dir, 'sleepy.sql');
    writeFileSync(script, 'SELECT abalance, pg_sleep(0.5) FROM pgbench_accounts WHERE aid = 1;\n');
    pgbench = spawn(
      join(bin, 'pgbench'),
      ['-n', '-c', '2', '-T', '600', '-f', script, '-h', MONITORED, '-U', 'app', 'appdb'],
      { env: { ...env, PGAPPNAME: 'pgbench' }, stdio: 'ignore' },
    );

    // A lock held by one session, waited for by another.
    holder = appConn('lock-holder');
    waiter = appConn('lock-waiter');
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => {
      locked = r;
    });
    const gate = new Promise<void>((r) => {
      releaseLock = r;
    });
    held = holder
      .transaction(
        async (tx) => {
          await tx.query('LOCK TABLE queue IN ACCESS EXCLUSIVE MODE');
          locked();
          await gate;
        },
        { deadlineMs: 280_000 },
      )
      .catch((err: unknown) => err);
    await isLocked;
    blockedQuery = waiter.query('SELECT count(*) FROM queue', [], { deadlineMs: 280_000 }).then(
      () => undefined,
      (err: unknown) => err,
    );

    web = await startTestInstance(backend, WEB);
    browser = await launchChromium();
    context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1440, height: 900 } });
    page = await context.newPage();
    watchPageProblems(page, problems);
    page.on('response', (r) => {
      if (r.status() >= 400)
        problems.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`);
    });
    await login(page, 'alice');
  });

  after(async () => {
    releaseLock();
    pgbench?.kill('SIGINT');
    await Promise.allSettled([held, blockedQuery]);
    await holder?.close().catch(() => {});
    await waiter?.close().catch(() => {});
    await browser?.close();
    await agent?.stop();
    await web?.close();
    await monitored?.stop();
    await backend?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows a pgbench session with its query text and its wait event', async () => {
    await page.goto(new URL('#/server/1/sessions', web.url).href);
    const row = page.locator('#sessions-table tbody tr', { hasText: 'pg_sleep(0.5)' }).first();
    await row.waitFor({ timeout: 20_000 });
    assert.match(
      await textOf(row.locator('code.query')),
      /SELECT abalance, pg_sleep\(0\.5\) FROM pgbench_accounts/,
    );
    assert.match(await textOf(row.locator('td').nth(3)), /^pgbench$/);
    // active in pg_sleep: the wait event says so (it may be between two statements at one read: wait for it)
    await page
      .locator('#sessions-table tbody tr[data-state="active"] td.wait', { hasText: 'Timeout: PgSleep' })
      .first()
      .waitFor({ timeout: 20_000 });
  });

  it('shows who blocks whom: the lock holder with the waiting session under it', async () => {
    const holderPid = await pidOf('lock-holder');
    const waiterPid = await pidOf('lock-waiter');
    const nested = page.locator(
      `#blocking-tree > li[data-pid="${holderPid}"] > ul > li[data-pid="${waiterPid}"]`,
    );
    await nested.waitFor({ timeout: 20_000 });
    assert.match(await textOf(nested), /waits on Lock: relation/);
    assert.match(await textOf(nested), /SELECT count\(\*\) FROM queue/);
    const waiterRow = page.locator(`#sessions-table tbody tr[data-pid="${waiterPid}"]`);
    assert.equal((await textOf(waiterRow.locator('td.blocked-by'))).trim(), String(holderPid));
    await page.screenshot({ path: join(ARTIFACTS, 'sessions-1440.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: join(ARTIFACTS, 'sessions-dark-1440.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('lets a read-only user see the sessions but not cancel them (403, nothing recorded)', async () => {
    const waiterPid = await pidOf('lock-waiter');
    const bobContext = await browser.newContext({
      ignoreHTTPSErrors: true,
      viewport: { width: 1440, height: 900 },
    });
    try {
      const bobPage = await bobContext.newPage();
      await login(bobPage, 'bob');
      await bobPage.goto(new URL('#/server/1/sessions', web.url).href);
      const row = bobPage.locator(`#sessions-table tbody tr[data-pid="${waiterPid}"]`);
      await row.waitFor({ timeout: 20_000 });
      assert.equal(await bobPage.locator('#sessions-table button[data-action]').count(), 0);
      const answer = await bobPage.evaluate(async (pid) => {
        const session = await (await fetch('/api/session')).json();
        const r = await fetch(`/api/servers/1/sessions/${pid}/cancel`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken },
          body: JSON.stringify({ reason: 'not mine to cancel' }),
        });
        return { status: r.status, body: await r.json() };
      }, waiterPid);
      assert.equal(answer.status, 403, JSON.stringify(answer.body));
      assert.equal(await backend.psql('SELECT count(*) FROM pem.backend_signal'), '0');
    } finally {
      await bobContext.close();
    }
  });

  it('refuses a cancel without a reason (400 naming reason), then an administrator cancels the waiting query: it ends and is recorded', async () => {
    const waiterPid = await pidOf('lock-waiter');
    const empty = await page.evaluate(async (pid) => {
      const session = await (await fetch('/api/session')).json();
      const r = await fetch(`/api/servers/1/sessions/${pid}/cancel`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken },
        body: JSON.stringify({ reason: '   ' }),
      });
      return { status: r.status, body: await r.json() };
    }, waiterPid);
    assert.equal(empty.status, 400);
    assert.equal(empty.body.field, 'reason');

    const row = page.locator(`#sessions-table tbody tr[data-pid="${waiterPid}"]`);
    await row.locator('button[data-action="cancel"]').click();
    await row.locator('input[name="reason"]').fill('stuck behind the nightly lock');
    await row.locator('form.signal-form button[type="submit"]').click();
    await page
      .locator('#signal-notice', { hasText: `Cancelled the query of backend ${waiterPid}` })
      .waitFor();
    const err = (await blockedQuery) as { code?: string } | undefined;
    assert.equal(err?.code, '57014', `the waiting query ended with ${String(err)}`);
    const recorded = page.locator(`#session-signals tbody tr[data-pid="${waiterPid}"]`);
    await recorded.waitFor();
    const text = await textOf(recorded);
    assert.match(text, /alice/);
    assert.match(text, /cancel/);
    assert.match(text, /stuck behind the nightly lock/);
    assert.equal(await recorded.getAttribute('data-outcome'), 'signalled');
    assert.equal(
      await backend.psql(
        `SELECT requested_by || '|' || action || '|' || pid || '|' || reason || '|' || outcome FROM pem.backend_signal`,
      ),
      `alice|cancel|${waiterPid}|stuck behind the nightly lock|signalled`,
    );
    // the holder still holds its lock: only the waiter's query was cancelled
    assert.equal((await pidOf('lock-holder')) > 0, true);
  });

  it('puts a query run 1,000 times at the top of Top SQL by calls, with 1,000 calls and its text', async () => {
    // pgbench's statements stop counting; the query of the test runs 1,000 times
    pgbench?.kill('SIGINT');
    const runner = appConn('thousand-runner');
    try {
      for (let i = 0; i < 1000; i++) await runner.query('SELECT $1::int AS thousand_runs', [i]);
    } finally {
      await runner.close();
    }
    await page.goto(new URL('#/server/1/top-sql', web.url).href);
    await page.locator('#top-sql-order').selectOption('calls');
    const first = page.locator('#top-sql tbody tr').first();
    await waitFor(
      'the query run 1,000 times to top Top SQL by calls with 1,000 calls',
      async () => {
        if (!(await first.isVisible())) return false;
        const text = await textOf(first);
        return /thousand_runs/.test(text) && (await first.getAttribute('data-calls')) === '1000';
      },
      { deadlineMs: 60_000, intervalMs: 500 },
    );
    assert.match(await textOf(first.locator('code.query')), /SELECT \$1::int AS thousand_runs/);
    assert.equal((await textOf(first.locator('td.calls'))).replace(/\D/g, ''), '1000');
    await page.screenshot({ path: join(ARTIFACTS, 'top-sql-1440.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: join(ARTIFACTS, 'top-sql-dark-1440.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });
    await first.locator('a').click();
    await page.locator('#statement-text', { hasText: 'thousand_runs' }).waitFor();
    await page.locator('#statement-view .chart-card[data-chart="statement_calls"]').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'statement-1440.png'), fullPage: true });
  });

  it('shows 10,000 deleted rows of a table as dead rows, on the table page and in its database', async () => {
    await monitored.psql(
      `SET ROLE app; CREATE TABLE churn (id int) WITH (autovacuum_enabled = off);
       INSERT INTO churn SELECT generate_series(1, 10000); DELETE FROM churn;`,
      'appdb',
    );
    await page.goto(new URL('#/server/1/table/appdb/public.churn', web.url).href);
    await waitFor(
      'the table page to show 10,000 dead rows of public.churn',
      async () =>
        (await page.locator('#table-dead').isVisible()) &&
        (await textOf(page.locator('#table-dead'))) === '10,000',
      { deadlineMs: 60_000, intervalMs: 500 },
    );
    assert.equal(await textOf(page.locator('#table-deleted')), '10,000');
    await page.screenshot({ path: join(ARTIFACTS, 'table-1440.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: join(ARTIFACTS, 'table-dark-1440.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(new URL('#/server/1/database/appdb', web.url).href);
    const row = page.locator('#db-tables tbody tr[data-table="public.churn"]');
    await row.waitFor({ timeout: 30_000 });
    assert.equal(await textOf(row.locator('td').nth(3)), '10,000');
    await page.locator('#db-size').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'database-1440.png'), fullPage: true });
  });

  it("shows the host's disk space of / as statfs(2) reads it", async () => {
    const st = statfsSync('/');
    await page.goto(new URL('#/host/1', web.url).href);
    const size = page.locator('#disk-space tbody tr[data-mount="/"] td').nth(3);
    await size.waitFor({ timeout: 30_000 });
    assert.equal(Number(await size.getAttribute('data-bytes')), st.blocks * st.bsize);
    await page.screenshot({ path: join(ARTIFACTS, 'host-1440.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: join(ARTIFACTS, 'host-dark-1440.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('says the agent did not answer when it is stopped', async () => {
    await agent!.stop();
    agent = undefined;
    await page.goto(new URL('#/server/1/sessions', web.url).href);
    const banner = page.locator('#sessions-unavailable');
    await banner.waitFor({ timeout: 20_000 });
    assert.match(await textOf(banner), /agent 1 did not answer within 2 s|agent 1 has not sent a heartbeat/);
    await page.screenshot({ path: join(ARTIFACTS, 'sessions-agent-down.png'), fullPage: true });
  });

  it('had no console errors and no CSP violations', () => {
    assert.deepEqual(
      problems.filter((p) => !/status of (400|401|403)|^(400|401|403) /.test(p)),
      [],
    );
  });
});
