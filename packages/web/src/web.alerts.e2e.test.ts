/**
 * Browser test of the alert administration pages: headless Chromium
 * (Debian's, driven by playwright-core) against a real backend, a web
 * instance, a real webhook receiver (node:http) and the backend agents'
 * notification sender (NotificationDispatcher, running here as agent 1, as
 * the agent on a backend host would). Everything listens on 127.0.6.x.
 *
 * As an administrator: sees every alert with its problem (a template whose
 * SQL fails, thresholds stored out of order); configures an alert and sees
 * the server's refusal of out-of-order thresholds and of a zero interval
 * next to the field, then saves good values; acknowledges alerts from the
 * alert's page and from the list; creates a webhook to the receiver, presses
 * "Send test" and sees it delivered (and the receiver got it, with the
 * header); sees bad webhook input refused next to the field; a webhook to a
 * port that refuses and one to a receiver that never answers show their
 * errors; edits a webhook; opens the delivery history with attempts and the
 * problems list. An administrator demoted during the session gets the API's
 * 403 shown plainly. A pem_user sees the same pages without edit controls.
 * No console error and no CSP violation is tolerated. Screenshots go to
 * /work/main/test-artifacts/.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { NotificationDispatcher } from '@pharos/backend/notify/dispatcher';
import { WebhookTargetPolicy } from '@pharos/backend/notify/target-policy';
import { HaConnection } from '@pharos/core/ha/connection';
import { ARTIFACTS, launchChromium, watchPageProblems } from '@pharos/testkit/browser/browser';
import { startWebhookReceiver, type WebhookReceiver } from '@pharos/testkit/receivers/webhook-receiver';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { PASSWORDS, startTestBackend, type TestBackend } from './testing/backend-fixture.js';
import { startTestInstance, type TestInstance } from './testing/web-instance.js';

const BACKEND = '127.0.6.10';
const WEB = '127.0.6.11';
const HARNESS = '127.0.6.12';
const RECEIVER = '127.0.6.13';
/** Nothing listens here: connections are refused (admitted by webhook_allow, so the refusal is the network's). */
const REFUSING = '127.0.6.14';
const REFUSING_URL = `http://${REFUSING}:9/hook`;
const AGENT_PASSWORD = 'agent1-pw';
const DAVE_PASSWORD = 'dave-pw';

/** Alerts made for the test (ids looked up in before()). */
const FIXTURE_SQL = `
  CREATE ROLE agent1 LOGIN PASSWORD '${AGENT_PASSWORD}' IN ROLE pem_agent;
  CREATE ROLE dave LOGIN PASSWORD '${DAVE_PASSWORD}' IN ROLE pem_admin, pem_user;
  INSERT INTO pem.alert_template (name, level, sql, operator, low, medium, high, interval_s, unit, auto_bind) VALUES
    ('Test connections', 'server', 'SELECT 93::float8 AS value', '>', 50, 75, 90, 60, '%', false),
    ('Test agent', 'agent', 'SELECT 1::float8 AS value', '>', 0, 0, 1, 60, '', false),
    ('Broken SQL', 'agent', 'SELECT 1/0 AS value', '>', 1, 2, 3, 60, '', false);
  INSERT INTO pem.alert (template, server_id, state, changed_at, raised_at, last_value, operator, low, medium, high,
                         interval_s, next_due) VALUES
    ('Test connections', 1, 'high', now() - interval '3 min', now() - interval '3 min', 93, '>', 50, 75, 90, 60, 'infinity'),
    ('Test connections', 2, 'none', now(), NULL, NULL, '>', 90, 75, 50, 60, 'infinity');
  INSERT INTO pem.alert (template, agent_id, state, changed_at, raised_at, operator, low, medium, high, interval_s, next_due) VALUES
    ('Test agent', 2, 'medium', now(), now(), '>', 0, 0, 1, 60, 'infinity'),
    ('Broken SQL', 1, 'none', now(), NULL, '>', 1, 2, 3, 60, now());
  INSERT INTO pem.alert_history (alert_id, at, event, old_state, new_state, value, flapping, notified)
    SELECT id, now() - interval '3 min', 'raised', 'none', 'high', 93, false, true FROM pem.alert
     WHERE template = 'Test connections' AND server_id = 1;`;

describe('alert administration in headless Chromium', { timeout: 300_000 }, () => {
  let backend: TestBackend;
  let web: TestInstance;
  let agent: HaConnection;
  let dispatcher: NotificationDispatcher;
  let hook: WebhookReceiver;
  let silent: WebhookReceiver;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let page: Page;
  const problems: string[] = [];
  const ids = { raised: 0, disordered: 0, medium: 0, broken: 0 };

  const watch = (p: Page) => watchPageProblems(p, problems);
  const loginPage = async (user: string, password: string) => {
    const context = await browser.newContext({
      ignoreHTTPSErrors: true,
      viewport: { width: 1500, height: 950 },
    });
    contexts.push(context);
    const p = await context.newPage();
    watch(p);
    await p.goto(web.url);
    await p.fill('#login-user', user);
    await p.fill('#login-password', password);
    await p.click('#login-submit');
    await p.locator('#who-name', { hasText: user }).waitFor();
    return p;
  };
  const sql = (text: string) => backend.psql(text);
  /** Waits until `selector` matches exactly `n` elements (a filtered list has reloaded). */
  const rowCount = (p: Page, selector: string, n: number) =>
    p.waitForFunction(([s, k]) => document.querySelectorAll(s as string).length === k, [
      selector,
      n,
    ] as const);
  /** A table row's cells' texts joined by " | ". */
  const cells = (row: Locator) =>
    row.evaluate((tr) => [...(tr as HTMLTableRowElement).cells].map((c) => c.textContent).join(' | '));
  const text = async (p: Page, selector: string) => (await p.locator(selector).textContent()) ?? '';
  const webhookRow = (p: Page, name: string) => p.locator(`#webhooks tbody tr[data-name="${name}"]`);
  const createWebhook = async (fields: Record<string, string>) => {
    await page.click('#webhook-new');
    for (const [k, v] of Object.entries(fields)) await page.fill(`#webhook-${k}`, v);
    await page.click('#webhook-save');
  };

  before(async () => {
    backend = await startTestBackend({
      primaryAddress: BACKEND,
      clientAddresses: [WEB, HARNESS],
      harnessAddress: HARNESS,
    });
    await sql(FIXTURE_SQL);
    const id = async (where: string) => Number(await sql(`SELECT id FROM pem.alert WHERE ${where}`));
    ids.raised = await id(`template = 'Test connections' AND server_id = 1`);
    ids.disordered = await id(`template = 'Test connections' AND server_id = 2`);
    ids.medium = await id(`template = 'Test agent'`);
    ids.broken = await id(`template = 'Broken SQL'`);
    // Agent 1 (bound to the backend server) evaluates and sends, as a backend agent does.
    agent = new HaConnection({
      conninfo: `host=${BACKEND} dbname=pem user=agent1 password=${AGENT_PASSWORD} sslmode=verify-full sslrootcert=${backend.pki.caCert}`,
      sourceAddress: HARNESS,
    });
    const evaluated = await agent.query<{ problems: number }>(
      'SELECT * FROM pem.evaluate_due_alerts(1, 10, $1)',
      [ids.broken],
    );
    assert.equal(evaluated.rows[0]!.problems, 1, 'the broken template is recorded as a problem');
    dispatcher = new NotificationDispatcher({
      db: agent,
      agentId: 1,
      pollMs: 200,
      backoff: { baseS: 1, maxS: 2, jitter: 0 },
      // the receivers are on loopback, which only webhook_allow admits
      targetPolicy: new WebhookTargetPolicy({ allow: [RECEIVER, REFUSING] }),
    });
    dispatcher.start();
    hook = await startWebhookReceiver(RECEIVER);
    silent = await startWebhookReceiver(RECEIVER);
    silent.respond(() => 'hang');
    web = await startTestInstance(backend, WEB);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await dispatcher?.stop(1000);
    await agent?.close();
    await hook?.close();
    await silent?.close();
    await web?.close();
    await backend?.stop();
  });

  it('an administrator sees every alert with its problem: a failing template, thresholds out of order', async () => {
    page = await loginPage('alice', PASSWORDS.alice);
    await page.click('#nav-alerts');
    const details = page.locator(`#current-alerts tbody tr[data-id="${ids.raised}"] a.alert-details`);
    assert.equal(
      await details.getAttribute('href'),
      `#/alerts/${ids.raised}`,
      'current alerts link to their page',
    );
    await page.click('#tab-all');
    await page.locator(`#alert-configs tbody tr[data-id="${ids.broken}"]`).waitFor();
    assert.match(
      await text(page, `#alert-configs tbody tr[data-id="${ids.broken}"] .problem`),
      /division by zero/,
    );
    assert.match(
      await text(page, `#alert-configs tbody tr[data-id="${ids.disordered}"] .problem`),
      /thresholds out of order/,
    );
    assert.match(
      await text(page, `#alert-configs tbody tr[data-id="${ids.raised}"]`),
      /high.*Test connections/,
    );
    assert.equal(await page.locator('#read-only-note').count(), 0);
    await page.screenshot({ path: `${ARTIFACTS}web-alert-list.png`, fullPage: true });

    await page.check('#filter-problems');
    await rowCount(page, '#alert-configs tbody tr', 2);
    assert.deepEqual(
      (
        await page.locator('#alert-configs tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.id))
      ).sort(),
      [String(ids.disordered), String(ids.broken)].sort(),
      'only the two with a problem',
    );
    await page.uncheck('#filter-problems');
  });

  it('configures an alert: out-of-order thresholds and a zero interval are refused next to the field', async () => {
    await page.click(`#alert-configs tbody tr[data-id="${ids.raised}"] a.configure`);
    await page.locator('#alert-form').waitFor();
    assert.match(await text(page, '#alert-title'), /Test connections.*pem-backend-1.*high/);
    await page.fill('#alert-low', '95');
    await page.fill('#alert-medium', '90');
    await page.click('#alert-save');
    const thresholdsError = page.locator('#alert-error-thresholds');
    await thresholdsError.waitFor({ state: 'visible' });
    assert.match(
      (await thresholdsError.textContent()) ?? '',
      /thresholds out of order for operator >: low 95, medium 90, high 90/,
    );
    assert.equal(await page.getAttribute('#alert-low', 'aria-invalid'), 'true');
    assert.equal(await sql(`SELECT low FROM pem.alert WHERE id = ${ids.raised}`), '50', 'nothing saved');
    await page.screenshot({ path: `${ARTIFACTS}web-alert-config-error.png`, fullPage: true });

    await page.fill('#alert-low', '60');
    await page.fill('#alert-medium', '80');
    await page.fill('#alert-high', '95');
    await page.fill('#alert-intervalS', '0');
    await page.click('#alert-save');
    await page.locator('#alert-error-intervalS', { hasText: /interval must be/ }).waitFor();
    assert.equal(await page.locator('#alert-error-thresholds').isVisible(), false, 'the old error is gone');

    await page.fill('#alert-intervalS', '120');
    await page.uncheck('#alert-notifyEmail');
    await page.fill('#alert-reminderS', '3600');
    await page.click('#alert-save');
    await page.locator('#alert-form-status', { hasText: 'Saved' }).waitFor();
    assert.equal(
      await sql(
        `SELECT concat_ws(' ', low, medium, high, interval_s, notify_email, reminder_s) FROM pem.alert WHERE id = ${ids.raised}`,
      ),
      '60 80 95 120 f 3600',
    );
  });

  it('acknowledges a raised alert on its page, with a note, and another from the list', async () => {
    await page.fill('#ack-note', 'looking into it');
    await page.click('#ack-submit');
    await page.locator('#ack-state', { hasText: 'acknowledged by alice' }).waitFor();
    assert.match(await text(page, '#ack-state'), /looking into it/);
    assert.equal(
      await sql(`SELECT acknowledged_by || ': ' || ack_note FROM pem.alert WHERE id = ${ids.raised}`),
      'alice: looking into it',
    );
    await page.screenshot({ path: `${ARTIFACTS}web-alert-detail.png`, fullPage: true });

    await page.click('#back-to-alerts');
    const row = page.locator(`#alert-configs tbody tr[data-id="${ids.medium}"]`);
    await row.locator('.ack-button').click();
    await row.locator('.badge', { hasText: 'acknowledged' }).waitFor();
    assert.equal(await row.locator('.ack-button').count(), 0);
    assert.equal(await sql(`SELECT acknowledged_by FROM pem.alert WHERE id = ${ids.medium}`), 'alice');
    assert.equal(
      await page.locator(`#alert-configs tbody tr[data-id="${ids.broken}"] .ack-button`).count(),
      0,
      'no acknowledge for an alert that is not raised',
    );
  });

  it('creates a webhook to a real receiver; "Send test" shows it delivered and the receiver got it', async () => {
    await page.click('#tab-webhooks');
    await page.locator('#no-webhooks').waitFor();
    await createWebhook({ name: 'ops', url: 'ftp://example.com/x' });
    await page.locator('#webhook-error-url', { hasText: 'url must be http or https' }).waitFor();
    assert.equal(await page.getAttribute('#webhook-url', 'aria-invalid'), 'true');
    await page.fill('#webhook-url', hook.url);
    await page.fill('#webhook-headers', 'Authorization: Bearer s3cret');
    await page.click('#webhook-save');
    await webhookRow(page, 'ops').waitFor();
    assert.match(await text(page, '#webhooks-notice'), /created/);
    assert.match(await cells(webhookRow(page, 'ops')), /\| Authorization \|/);
    assert.ok(!(await page.content()).includes('s3cret'), 'header values are never shown');

    await createWebhook({ name: 'ops', url: 'https://other.example.com/' });
    await page
      .locator('#webhook-error-name', { hasText: 'there is already a webhook named "ops"' })
      .waitFor();
    await page.click('#webhook-cancel');

    await webhookRow(page, 'ops').locator('.webhook-test').click();
    const result = webhookRow(page, 'ops').locator('.test-result');
    await result.and(page.locator('[data-state="delivered"]')).waitFor({ timeout: 30_000 });
    assert.match((await result.textContent()) ?? '', /delivered: HTTP 200 in \d+ ms/);
    await hook.waitFor((r) => r.length >= 1, 5000, 'the test notification');
    const got = hook.received[0]!;
    assert.equal(got.headers['x-pharos-event'], 'test');
    assert.equal(got.headers.authorization, 'Bearer s3cret');
    assert.match(got.key, /^pharos-test-/);
    await page.screenshot({ path: `${ARTIFACTS}web-webhook-delivered.png`, fullPage: true });
  });

  it('a webhook to a port that refuses and one that never answers show their errors', async () => {
    await createWebhook({ name: 'refused', url: REFUSING_URL, maxRetries: '1' });
    await webhookRow(page, 'refused').waitFor();
    await webhookRow(page, 'refused').locator('.webhook-test').click();
    const refused = webhookRow(page, 'refused').locator('.test-result');
    await refused
      .and(page.locator('[data-state="retrying"], [data-state="failed"]'))
      .waitFor({ timeout: 30_000 });
    assert.match((await refused.textContent()) ?? '', /cannot reach http:\/\/127\.0\.6\.14:9: ECONNREFUSED/);

    await createWebhook({ name: 'silent', url: silent.url, timeoutMs: '300', maxRetries: '0' });
    await webhookRow(page, 'silent').waitFor();
    await webhookRow(page, 'silent').locator('.webhook-test').click();
    const timedOut = webhookRow(page, 'silent').locator('.test-result');
    await timedOut.and(page.locator('[data-state="failed"]')).waitFor({ timeout: 30_000 });
    assert.match(
      (await timedOut.textContent()) ?? '',
      /failed for good.*no answer from http:\/\/127\.0\.6\.13:\d+ within 300 ms/,
    );
    await refused.and(page.locator('[data-state="failed"]')).waitFor({ timeout: 30_000 });
    await page.screenshot({ path: `${ARTIFACTS}web-webhook-errors.png`, fullPage: true });

    await webhookRow(page, 'ops').locator('.webhook-edit').click();
    assert.equal(await page.inputValue('#webhook-url'), hook.url);
    await page.fill('#webhook-timeoutMs', '5000');
    await page.uncheck('#webhook-onLow');
    await page.click('#webhook-save');
    await page.locator('#webhooks-notice', { hasText: 'saved' }).waitFor();
    assert.equal(
      await sql(
        `SELECT timeout_ms || ' ' || on_low || ' ' || (headers ? 'Authorization') FROM pem.webhook WHERE name = 'ops'`,
      ),
      '5000 false true',
      'saved, and the stored header kept',
    );
  });

  it('shows the delivery history: channel, target, attempts, last error, delivered time', async () => {
    await page.click('#tab-deliveries');
    await page.locator('#deliveries tbody tr[data-status]').nth(2).waitFor();
    const rows = page.locator('#deliveries tbody tr[data-status]');
    const texts = await Promise.all((await rows.all()).map(cells));
    const ofTarget = (name: string) => texts.find((t) => t.includes(`| ${name} |`)) ?? '';
    assert.match(
      ofTarget('ops'),
      /\| test \|.*\| webhook \| ops \| delivered \| 1 of 4 attempts \| HTTP 200 \| \d/,
    );
    assert.match(
      ofTarget('refused'),
      /webhook \| refused \| failed \| 2 of 2 attempts \| cannot reach .*ECONNREFUSED/,
    );
    assert.match(ofTarget('silent'), /failed \| 1 of 1 attempt \| no answer from .* within 300 ms/);
    const refusedRow = page.locator('#deliveries tbody tr[data-status="failed"]', { hasText: 'refused' });
    await refusedRow.locator('.attempts-toggle').click();
    const attempts = page.locator('#deliveries tr.attempts-row table.attempts tbody tr');
    await attempts.nth(1).waitFor();
    assert.match(await cells(attempts.nth(0)), /^1 \| .* \| 1 \| failed: cannot reach .*ECONNREFUSED/);
    await page.screenshot({ path: `${ARTIFACTS}web-deliveries.png`, fullPage: true });
    await page.selectOption('#filter-delivery-status', 'delivered');
    await rowCount(page, '#deliveries tbody tr[data-status]', 1);
    assert.equal(await page.locator('#deliveries tbody tr[data-status="delivered"]').count(), 1);
    await page.selectOption('#filter-delivery-status', '');
    await rowCount(page, '#deliveries tbody tr[data-status]', 3);

    await page.click('#tab-problems');
    await page.locator('#alerting-problems tbody tr[data-kind="template_error"]').waitFor();
    assert.match(
      await cells(page.locator('#alerting-problems tbody tr[data-kind="template_error"]')),
      /template SQL failed \| Broken SQL \| #\d+ \| .*division by zero/,
    );
    assert.ok((await page.locator('#alerting-problems tbody tr[data-kind="delivery_failed"]').count()) >= 2);
    await page.screenshot({ path: `${ARTIFACTS}web-alert-problems.png`, fullPage: true });
  });

  it("shows the API's 403 plainly when an administrator loses pem_admin during the session", async () => {
    const p = await loginPage('dave', DAVE_PASSWORD);
    await p.goto(`${web.url}#/alerts/${ids.disordered}`);
    await p.locator('#alert-save').waitFor();
    assert.match(await text(p, '#alert-problem'), /Not evaluated: thresholds out of order/);
    await sql('REVOKE pem_admin FROM dave');
    await p.fill('#alert-low', '10');
    await p.click('#alert-save');
    await p
      .locator('#alert-form-error', { hasText: 'Not allowed: administrators only (pem_admin)' })
      .waitFor();
    assert.equal(await sql(`SELECT low FROM pem.alert WHERE id = ${ids.disordered}`), '90');
    await p.screenshot({ path: `${ARTIFACTS}web-alert-403.png`, fullPage: true });
  });

  it('a pem_user sees alerts, webhooks and deliveries read-only, without edit controls', async () => {
    const p = await loginPage('bob', PASSWORDS.bob);
    await p.goto(`${web.url}#/alerts/all`);
    await p.locator(`#alert-configs tbody tr[data-id="${ids.raised}"]`).waitFor();
    await p.locator('#read-only-note').waitFor();
    assert.equal(await p.locator('.ack-button').count(), 0);
    assert.equal(await text(p, `#alert-configs tbody tr[data-id="${ids.raised}"] a.configure`), 'View');
    await p.goto(`${web.url}#/alerts/${ids.disordered}`);
    await p.locator('#alert-form').waitFor();
    assert.equal(await p.locator('#alert-save').count(), 0);
    const disabled = (selector: string) => p.locator(selector).evaluate((el) => el.matches(':disabled'));
    assert.equal(await disabled('#alert-form fieldset'), true);
    assert.equal(await disabled('#alert-low'), true, 'inputs disabled by their fieldset');
    assert.equal(await p.locator('#ack-form').count(), 0);
    await p.screenshot({ path: `${ARTIFACTS}web-alert-readonly.png`, fullPage: true });
    await p.click('#tab-webhooks');
    await webhookRow(p, 'ops').waitFor();
    for (const control of ['#webhook-new', '.webhook-edit', '.webhook-test', '.webhook-delete'])
      assert.equal(await p.locator(control).count(), 0, control);
    await p.screenshot({ path: `${ARTIFACTS}web-webhooks-readonly.png`, fullPage: true });
    await p.click('#tab-deliveries');
    await p.locator('#deliveries tbody tr[data-status="failed"]').first().waitFor();
    assert.equal(await p.locator('.requeue').count(), 0);
  });

  it('had no console errors and no CSP violations', () => {
    // Expected network answers: the 401 of the first GET /api/session, the 400 refusals of
    // bad input and the 403 of the demoted administrator (each shown on the page above).
    const real = problems.filter((p) => !/status of (400|401|403)/.test(p));
    assert.deepEqual(real, []);
  });
});
