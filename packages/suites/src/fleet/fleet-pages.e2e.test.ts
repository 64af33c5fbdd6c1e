/**
 * The fleet pages in headless Chromium (issue 14 acceptance: "A Chromium
 * test adds a server through the form; each failing test connection (wrong
 * password, no HBA rule, wrong certificate name, role without pg_monitor,
 * unreachable) is shown as a sentence naming the cause, and nothing is
 * registered"), with real parts: a pem backend (PostgreSQL, TLS), a web
 * instance, a running agent (certificate login, its own address, a
 * passfile) and monitored PostgreSQL servers with their own TLS and HBA
 * rules. "Test connection" and "Add server" run on that agent.
 *
 * Also: the added server is listed with its kind and agent and its data
 * arrives; an edit that breaks the connection is refused with its cause and
 * changes nothing; an enrolment token is shown once, listed and revoked;
 * the agents list shows the agent's heartbeat; a Patroni cluster whose REST
 * API does not answer is refused by name and nothing is registered; a
 * pem_user member sees the lists but no form or button, and no secret; the
 * removal asks to confirm, says that the history stays until retention,
 * and keeps it. No console error and no CSP violation is tolerated.
 * Screenshots go to test-artifacts/.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runAgent } from '@pharos/agent';
import { parseAgentConfig } from '@pharos/agent/config';
import { ARTIFACTS, launchChromium, watchPageProblems } from '@pharos/testkit/browser/browser';
import { startPostgres, type TestPostgres } from '@pharos/testkit/postgres/postgres-server';
import { waitFor } from '@pharos/testkit/wait/wait-for';
import { PASSWORDS, startTestBackend, type TestBackend } from '@pharos/web/testing/backend-fixture';
import { startTestInstance, type TestInstance } from '@pharos/web/testing/web-instance';
import type { Browser, BrowserContext, Page } from 'playwright-core';

const BACKEND = '127.0.7.40';
const WEB = '127.0.7.41';
const HARNESS = '127.0.7.42';
const AGENT = '127.0.7.43'; // the agent's host: its source address
const MONITORED = '127.0.7.44'; // PostgreSQL with a certificate naming it
const WRONG_NAME = '127.0.7.45'; // PostgreSQL serving 127.0.7.44's certificate
const NOBODY = '127.0.7.46'; // nothing listens

/** One failing test connection: what the form is given, and what the page must say. */
interface FailingCase {
  what: string;
  host: string;
  user: string;
  cause: string;
  title: RegExp;
  sentence: RegExp;
  /** The input the answer marks. */
  field: string;
}

const FAILING: FailingCase[] = [
  {
    what: 'wrong password',
    host: MONITORED,
    user: 'wrongpw',
    cause: 'authentication',
    title: /^Authentication failed/,
    sentence:
      /^Password authentication failed for wrongpw on 127\.0\.7\.44:5432: the password in .*agent\.pgpass/,
    field: 'user',
  },
  {
    what: 'no HBA rule',
    host: MONITORED,
    user: 'nohba',
    cause: 'no-hba-rule',
    title: /^No pg_hba\.conf rule for the agent/,
    sentence:
      /^127\.0\.7\.44:5432 has no pg_hba\.conf rule for the agent \(host 127\.0\.7\.43, user nohba, database postgres\): add hostssl postgres nohba 127\.0\.7\.43\/32 scram-sha-256/,
    field: 'host',
  },
  {
    what: 'wrong certificate name',
    host: WRONG_NAME,
    user: 'monitor',
    cause: 'tls',
    title: /^TLS: the server did not prove its identity/,
    sentence:
      /^The certificate of 127\.0\.7\.45:5432 does not name 127\.0\.7\.45 \(sslmode=verify-full checks the name\)/,
    field: 'sslmode',
  },
  {
    what: 'role without pg_monitor',
    host: MONITORED,
    user: 'nomon',
    cause: 'no-pg-monitor',
    title: /^The role is not a member of pg_monitor/,
    sentence: /nomon is not a member of pg_monitor.*GRANT pg_monitor TO nomon;/,
    field: 'user',
  },
  {
    what: 'unreachable',
    host: NOBODY,
    user: 'monitor',
    cause: 'refused',
    title: /^Connection refused/,
    sentence: /^Connection refused at 127\.0\.7\.46:5432 from 127\.0\.7\.43: nothing listens there/,
    field: 'host',
  },
];

describe('the fleet pages in headless Chromium (real backend, agent and monitored servers)', {
  timeout: 300_000,
}, () => {
  let dir: string;
  let backend: TestBackend;
  let web: TestInstance;
  let monitored: TestPostgres;
  let wrongName: TestPostgres;
  let agent: Awaited<ReturnType<typeof runAgent>> | undefined;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];
  const sql = (text: string) => backend.psql(text);
  const count = async (text: string) => Number(await sql(text));
  const text = async (selector: string, p: Page = page) => (await p.locator(selector).textContent()) ?? '';
  /** Nothing registered: no server, no binding. */
  const registered = () =>
    sql("SELECT (SELECT count(*) FROM pem.server) || '/' || (SELECT count(*) FROM pem.server_binding)");

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pharos-fleet-pages-'));
    backend = await startTestBackend({
      primaryAddress: BACKEND,
      clientAddresses: [WEB, HARNESS],
      harnessAddress: HARNESS,
      // the plan's rule for agents on monitored hosts: certificates only
      hba: [`hostssl pem +pem_agent ${AGENT}/32 cert`],
      fleet: false,
    });
    // the agent: its role and row as enrolment leaves them, a client certificate from the backend's CA
    await sql(`CREATE ROLE agent1 LOGIN IN ROLE pem_agent;
      INSERT INTO pem.agent (id, user_name, display_name, host_address) VALUES (1, 'agent1', 'pg-host-1', '${AGENT}')`);
    const ossl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    ossl(
      ...['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'],
      ...['-keyout', 'agent1.key', '-out', 'agent1.csr', '-subj', '/CN=agent1'],
    );
    writeFileSync(join(dir, 'agent1.ext'), 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n');
    ossl(
      ...['x509', '-req', '-in', 'agent1.csr', '-CA', backend.pki.caCert, '-CAkey', backend.pki.caKey],
      ...['-CAcreateserial', '-out', 'agent1.crt', '-days', '2', '-extfile', 'agent1.ext'],
    );
    chmodSync(join(dir, 'agent1.key'), 0o600);

    // the DBA's servers: TLS on, their own HBA rules; one serves the other's certificate
    const cert = backend.pki.issue('monitored', [MONITORED]);
    const ssl = { certFile: cert.cert, keyFile: cert.key };
    [monitored, wrongName] = await Promise.all([
      startPostgres({
        address: MONITORED,
        ssl,
        // no rule for the role nohba
        hba: [`hostssl all monitor,nomon,wrongpw ${AGENT}/32 scram-sha-256`],
      }),
      startPostgres({ address: WRONG_NAME, ssl, hba: [`hostssl all monitor ${AGENT}/32 scram-sha-256`] }),
    ]);
    await Promise.all([
      monitored.psql(`CREATE ROLE monitor LOGIN PASSWORD 'mon-pw' IN ROLE pg_monitor;
        CREATE ROLE nomon LOGIN PASSWORD 'nomon-pw';
        CREATE ROLE wrongpw LOGIN PASSWORD 'right-pw' IN ROLE pg_monitor;
        CREATE ROLE nohba LOGIN PASSWORD 'nohba-pw' IN ROLE pg_monitor;`),
      wrongName.psql("CREATE ROLE monitor LOGIN PASSWORD 'mon-pw' IN ROLE pg_monitor"),
    ]);
    // the agent's passfile: one line per host:port and role (docs/monitoring-a-server.md)
    const passfile = join(dir, 'agent.pgpass');
    writeFileSync(
      passfile,
      [
        `${MONITORED}:5432:*:monitor:mon-pw`,
        `${MONITORED}:5432:*:nomon:nomon-pw`,
        `${MONITORED}:5432:*:wrongpw:not-the-password`,
        `${MONITORED}:5432:*:nohba:nohba-pw`,
        `${WRONG_NAME}:5432:*:monitor:mon-pw`,
        `${NOBODY}:5432:*:monitor:mon-pw`,
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    agent = await runAgent(
      parseAgentConfig({
        agent_id: 1,
        agent_user: 'agent1',
        backend: `host=${BACKEND} port=5432 dbname=pem user=agent1 sslmode=verify-full sslrootcert=${backend.pki.caCert} sslcert=${join(dir, 'agent1.crt')} sslkey=${join(dir, 'agent1.key')} connect_timeout=2 target_session_attrs=read-write`,
        source_address: AGENT,
        host_address: AGENT,
        spool_dir: join(dir, 'spool'),
        probe_interval_s: 2,
        // longer than the test: the agent hears of tasks and new bindings by LISTEN, not by its short wait
        short_wait_s: 300,
        passfile,
        server_sslrootcert: backend.pki.caCert,
        log_file: join(dir, 'agent.log'),
        log_level: 'warn',
      }),
    );
    await waitFor(
      'the agent’s first heartbeat',
      async () => (await count('SELECT count(*) FROM pem.agent WHERE last_heartbeat IS NOT NULL')) === 1,
      { deadlineMs: 20_000 },
    );
    web = await startTestInstance(backend, WEB);
    browser = await launchChromium();
    context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1400, height: 1000 } });
    page = await context.newPage();
    watchPageProblems(page, problems);
  });

  after(async () => {
    await browser?.close();
    await agent?.stop();
    await web?.close();
    await monitored?.stop();
    await wrongName?.stop();
    await backend?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Logs `user` in on `p` and opens the fleet area. */
  const login = async (p: Page, user: 'alice' | 'bob') => {
    await p.goto(`${web.url}#/fleet`);
    try {
      await p.locator('#login-user').waitFor({ timeout: 20_000 });
    } catch (err) {
      await p.screenshot({ path: `${ARTIFACTS}fleet-login-missing.png`, fullPage: true });
      throw new Error(
        `no login form: ${(await p.content()).slice(0, 2000)}; problems: ${problems.join(' | ')}`,
        {
          cause: err,
        },
      );
    }
    await p.fill('#login-user', user);
    await p.fill('#login-password', PASSWORDS[user]);
    await p.click('#login-submit');
    await p.locator('#servers-view').waitFor();
  };

  /** Sets the form's host and user (the other fields keep their defaults: port 5432, verify-full). */
  const fill = async (host: string, user: string) => {
    await page.fill('#server-displayName', 'orders-db');
    await page.fill('#server-host', host);
    await page.fill('#server-user', user);
  };

  /** The test answer now shown: cause, title and sentence. */
  const answer = async () => {
    const box = page.locator('#server-test');
    await box.waitFor();
    return {
      ok: await box.getAttribute('data-ok'),
      cause: await box.getAttribute('data-cause'),
      title: await text('#server-test-title'),
      sentence: await text('#server-test-message'),
    };
  };

  /**
   * Waits for the form's answer `selector`; on timeout fails with what the
   * form shows instead (its text and test answer) and the page's problems.
   */
  const waitForAnswer = async (selector: string) => {
    try {
      await page.locator(selector).waitFor({ timeout: 15_000 });
    } catch (err) {
      const shown = await page
        .locator('#server-form')
        .textContent({ timeout: 1000 })
        .catch(() => '(no form)');
      throw new Error(`no ${selector}; the form shows: ${shown}; problems: ${problems.join(' | ')}`, {
        cause: err,
      });
    }
  };

  it('opens the Add server form: the agent that will monitor it, verify-full by default', async () => {
    await login(page, 'alice');
    assert.match(await text('#no-servers'), /No server is monitored yet/);
    await page.click('#server-add');
    await page.locator('#server-form').waitFor();
    assert.equal(await page.inputValue('#server-agentId'), '1', 'the only agent is chosen');
    assert.match(await text('#server-agentId option[value="1"]'), /^pg-host-1 \(agent1, 127\.0\.7\.43\)$/);
    assert.equal(await page.inputValue('#server-sslmode'), 'verify-full');
    assert.match(await text('#server-sslmode-text'), /signed by the CA and names the host/);
    assert.equal(await page.inputValue('#server-port'), '5432');
  });

  for (const c of FAILING) {
    it(`names the cause of a failing test connection in a sentence, and registers nothing: ${c.what}`, async () => {
      await fill(c.host, c.user);
      // "Test connection" runs on the agent and writes nothing
      await page.click('#server-test-button');
      await waitForAnswer(`#server-test[data-cause="${c.cause}"]`);
      let a = await answer();
      assert.equal(a.ok, 'false');
      assert.match(a.title, c.title);
      assert.match(a.title, /tested from pg-host-1/);
      assert.match(a.sentence, c.sentence);
      assert.equal(await page.getAttribute(`#server-${c.field}`, 'aria-invalid'), 'true', c.field);
      // "Add server" tests again first: the API refuses (422) with the same answer
      const [refused] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/api/servers') && r.request().method() === 'POST', {
          timeout: 15_000,
        }),
        page.click('#server-save'),
      ]);
      assert.equal(refused.status(), 422);
      assert.equal(((await refused.json()) as { test: { cause: string } }).test.cause, c.cause);
      await page.locator(`#server-test[data-cause="${c.cause}"]`).waitFor();
      a = await answer();
      assert.match(a.sentence, c.sentence);
      assert.equal(await registered(), '0/0', 'nothing registered');
      if (c.cause === 'no-hba-rule')
        await page.screenshot({ path: `${ARTIFACTS}fleet-add-server-failed.png`, fullPage: true });
    });
  }

  it('adds the server once the test passes: listed with its kind and agent; its data arrives', async () => {
    await fill(MONITORED, 'monitor');
    await page.fill('#server-tags', 'prod, orders');
    await page.click('#server-test-button');
    await waitForAnswer('#server-test[data-ok="true"]');
    assert.match(await text('#server-test-title'), /^Connected/);
    assert.match(
      await text('#server-test-message'),
      /^Connected to 127\.0\.7\.44:5432 as monitor \(PostgreSQL \d+, primary, TLS\)/,
    );
    assert.equal(await registered(), '0/0', 'a test registers nothing');
    await page.click('#server-save');
    await page.locator('#fleet-servers tr[data-name="orders-db"]').waitFor({ timeout: 15_000 });
    assert.match(await text('#servers-notice'), /Server orders-db added\./);
    const row = await text('#fleet-servers tr[data-name="orders-db"]');
    assert.match(
      row,
      /orders-db.*standalone.*127\.0\.7\.44:5432.*monitor.*verify-full.*pg-host-1.*prod.*orders/,
    );
    assert.equal(
      await sql(
        "SELECT s.display_name || ' ' || s.kind || ' ' || b.agent_id || ' ' || b.sslmode || ' ' || array_to_string(s.tags, ',') FROM pem.server s JOIN pem.server_binding b ON b.server_id = s.id",
      ),
      'orders-db standalone 1 verify-full prod,orders',
    );
    // the agent monitors it at once: the backend notifies it (its short wait is 5 min)
    await page
      .locator('#fleet-servers tr[data-name="orders-db"] .badge[data-tone="ok"]:text-is("up")')
      .waitFor({ timeout: 20_000 });
    assert.match(await text('#fleet-servers tr[data-name="orders-db"]'), /standalone.*primary/);
    await page.screenshot({ path: `${ARTIFACTS}fleet-servers.png`, fullPage: true });
  });

  it('edits the server: a change of how it connects is tested first, refused with its cause, and changes nothing', async () => {
    await page.click('#fleet-servers tr[data-name="orders-db"] .server-edit');
    await page.locator('#server-form').waitFor();
    assert.equal(await page.inputValue('#server-host'), MONITORED);
    assert.equal(await page.inputValue('#server-tags'), 'prod, orders');
    await page.fill('#server-user', 'nomon');
    await page.click('#server-save');
    await waitForAnswer('#server-test[data-cause="no-pg-monitor"]');
    assert.equal(await sql('SELECT user_name FROM pem.server_binding'), 'monitor');
    await page.fill('#server-user', 'monitor');
    await page.fill('#server-tags', 'prod');
    await page.click('#server-save');
    await page.locator('#servers-notice:has-text("Server orders-db saved.")').waitFor();
    assert.equal(await sql("SELECT array_to_string(tags, ',') FROM pem.server"), 'prod');
  });

  it('creates an enrolment token shown once, lists it, and revokes it', async () => {
    await page.click('#fleet-tab-tokens');
    await page.fill('#token-name', 'pg-host-2');
    await page.selectOption('#token-validity', '3600');
    await page.click('#token-create');
    const token = (await text('#token-value')).trim();
    assert.match(token, /^pht_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/);
    assert.equal(
      await count(`SELECT count(*) FROM pem.enrolment_token WHERE token_sha256 = sha256('${token}')`),
      1,
    );
    await page.click('#token-dismiss');
    await page.locator('#fleet-tokens tr[data-state="pending"]').waitFor();
    assert.ok(!(await page.content()).includes(token), 'the token is shown once');
    await page.reload();
    await page.locator('#fleet-tokens tr[data-state="pending"]').waitFor();
    assert.ok(!(await page.content()).includes(token), 'the token is not listed');
    await page.click('#fleet-tokens tr[data-state="pending"] .token-revoke');
    await page.click('#fleet-tokens tr[data-state="pending"] .token-revoke');
    await page.locator('#fleet-tokens tr[data-state="revoked"]').waitFor();
    assert.match(await text('#tokens-notice'), /revoked/);
    assert.equal(await sql('SELECT revoked_by FROM pem.enrolment_token'), 'alice');
  });

  it('lists the agents with their heartbeat and servers', async () => {
    await page.click('#fleet-tab-agents');
    const row = page.locator('#fleet-agents tr[data-name="pg-host-1"]');
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /pg-host-1.*agent1.*127\.0\.7\.43.*\d+ s ago.*1/);
    assert.equal(await row.locator('.agent-heartbeat .badge').getAttribute('data-tone'), 'ok');
  });

  it('refuses a Patroni cluster whose REST API does not answer, naming it, and registers nothing', async () => {
    await page.click('#fleet-tab-clusters');
    assert.match(await text('#no-clusters'), /No Patroni cluster is monitored yet/);
    await page.click('#cluster-add');
    await page.fill('#cluster-restEndpoints', `https://${NOBODY}:8008`);
    await page.fill('#cluster-user', 'monitor');
    await page.click('#cluster-read');
    const error = page.locator('#cluster-error-restEndpoints');
    await error.waitFor({ timeout: 15_000 });
    assert.match((await error.textContent()) ?? '', /127\.0\.7\.46:8008/);
    const [refused] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/clusters') && r.request().method() === 'POST', {
        timeout: 15_000,
      }),
      page.click('#cluster-save'),
    ]);
    assert.equal(refused.status(), 422);
    await page.locator('#cluster-error-restEndpoints:not([hidden])').waitFor();
    assert.match(await text('#cluster-error-restEndpoints'), /127\.0\.7\.46:8008/);
    assert.equal(await count('SELECT count(*) FROM pem.monitored_cluster'), 0);
    await page.click('#cluster-cancel');
  });

  it('shows a pem_user member the lists, never a form, a button or a secret', async () => {
    const ctx = await browser.newContext({ ignoreHTTPSErrors: true });
    const p = await ctx.newPage();
    watchPageProblems(p, problems);
    try {
      await login(p, 'bob');
      await p.locator('#fleet-servers tr[data-name="orders-db"]').waitFor();
      assert.match(await text('#fleet-read-only', p), /Read only/);
      for (const hidden of ['#server-add', '.server-edit', '.server-remove', '#fleet-tab-tokens'])
        assert.equal(await p.locator(hidden).count(), 0, hidden);
      // the forms' addresses show the list instead
      for (const hash of ['#/fleet/servers/add', '#/fleet/servers/1/edit', '#/fleet/tokens']) {
        await p.goto(`${web.url}${hash}`);
        await p.locator('#fleet-servers').waitFor();
        assert.equal(await p.locator('#server-form, #token-form').count(), 0, hash);
      }
      await p.click('#fleet-tab-clusters');
      await p.locator('#no-clusters').waitFor();
      assert.equal(await p.locator('#cluster-add').count(), 0);
      await p.click('#fleet-tab-agents');
      await p.locator('#fleet-agents tr[data-name="pg-host-1"]').waitFor();
      const html = await p.content();
      for (const secret of ['mon-pw', 'nomon-pw', 'right-pw', PASSWORDS.alice, PASSWORDS.pemweb])
        assert.ok(!html.includes(secret), `no secret on the page (${secret})`);
    } finally {
      await ctx.close();
    }
  });

  it('removes the server after a confirmation that says its history stays until retention', async () => {
    await page.click('#fleet-tab-servers');
    await page.locator('#fleet-servers tr[data-name="orders-db"]').waitFor();
    await waitFor(
      'history of orders-db',
      async () =>
        (await count('SELECT count(*) FROM pemhistory.sample WHERE server_id > 0')) > 0 || undefined,
      {
        deadlineMs: 30_000,
      },
    );
    await page.click('#fleet-servers tr[data-name="orders-db"] .server-remove');
    const confirm = page.locator('#fleet-servers tr[data-name="orders-db"] .confirm-remove');
    assert.match(
      (await confirm.textContent()) ?? '',
      /Remove server orders-db\? Its binding, alerts and latest values go at once.*Its history stays until retention removes it unless you delete it now\./,
    );
    assert.equal(await registered(), '1/1', 'nothing removed before the confirmation');
    await page.screenshot({ path: `${ARTIFACTS}fleet-remove-confirm.png`, fullPage: true });
    await page.click('#fleet-servers tr[data-name="orders-db"] .server-confirm');
    await page.locator('#no-servers').waitFor();
    assert.match(
      await text('#servers-notice'),
      /Server orders-db removed; its history stays until retention\./,
    );
    assert.equal(await registered(), '0/0');
    assert.ok(
      (await count('SELECT count(*) FROM pemhistory.sample WHERE server_id > 0')) > 0,
      'history kept',
    );
    // expected network answers: the 401 of the first GET /api/session, the 422 refusals shown above
    assert.deepEqual(
      problems.filter((p) => !/status of (401|422)/.test(p)),
      [],
    );
  });
});
