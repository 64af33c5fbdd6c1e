/**
 * Notification delivery against a real PostgreSQL (127.0.12.51), a real
 * webhook receiver (node:http on 127.0.12.61) and a real SMTP server
 * (smtp-server with STARTTLS and authentication on 127.0.12.62): payload
 * templates and headers, levels, retries with backoff, a refusing and a
 * hanging receiver holding nothing up, an outbox row surviving a sender that
 * crashed after sending (delivered again with the same key, which the
 * receiver drops), duplicates refused at the source, email.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { HaConnection } from '@pharos/core/ha/connection';
import { type SmtpReceiver, startSmtpReceiver } from '@pharos/testkit/receivers/smtp-receiver';
import { startWebhookReceiver, type WebhookReceiver } from '@pharos/testkit/receivers/webhook-receiver';
import { waitFor } from '@pharos/testkit/wait/wait-for';
import { evaluateDueAlerts } from '../alerts/evaluate.js';
import { type AlertBackend, startAlertBackend } from '../testing/backend.js';
import { alertOf, makeDue, setLatest } from '../testing/probe-data.js';
import { deliverNotification } from './deliver.js';
import { NotificationDispatcher } from './dispatcher.js';
import { WebhookTargetPolicy } from './target-policy.js';

const FAST = { baseS: 0.2, maxS: 0.5, jitter: 0 };

/** The receivers' addresses are loopback: webhook_allow admits them (target-policy.ts). */
const RECEIVERS = new WebhookTargetPolicy({ allow: ['127.0.12.61'] });

describe('notification delivery (real PostgreSQL, webhook receiver, SMTP server)', {
  timeout: 180_000,
}, () => {
  let b: AlertBackend;
  let a1: HaConnection;
  let hook: WebhookReceiver;
  let smtp: SmtpReceiver;
  let memoryAlert: number;
  const dispatchers: NotificationDispatcher[] = [];

  const dispatcher = (
    agentId = 1,
    extra: Partial<ConstructorParameters<typeof NotificationDispatcher>[0]> = {},
  ) => {
    const d = new NotificationDispatcher({
      db: agentId === 1 ? a1 : b.agentConn(agentId),
      agentId,
      backoff: FAST,
      pollMs: 100,
      targetPolicy: RECEIVERS,
      ...extra,
    });
    dispatchers.push(d);
    return d;
  };
  const raise = async (pct: number) => {
    await setLatest(b.admin, { agentId: 2, probe: 'memory', value: { used_pct: pct } });
    await makeDue(b.admin, { ids: [memoryAlert] });
    await evaluateDueAlerts(a1, 1);
  };
  const outbox = (where = 'true') =>
    b.sql<{
      id: string;
      status: string;
      attempts: number;
      webhook_id: number;
      last_error: string | null;
      idempotency_key: string;
    }>(`SELECT * FROM pem.notification_outbox WHERE ${where} ORDER BY id`);
  const waitStatus = async (ids: string[], status: string, timeoutMs = 15_000) => {
    let rows: { status: string }[] = [];
    await waitFor(
      `outbox ${ids} to be ${status}`,
      async () => {
        rows = await b.sql('SELECT status FROM pem.notification_outbox WHERE id = ANY ($1)', [ids]);
        return rows.every((r) => r.status === status);
      },
      { deadlineMs: timeoutMs, state: () => rows },
    );
  };

  before(async () => {
    b = await startAlertBackend({ address: '127.0.12.51' });
    await b.addAgent(1, { backend: true });
    await b.addAgent(2);
    await b.addAgent(3, { backend: true });
    await b.sql('UPDATE pem.alert SET enabled = false');
    memoryAlert = (await alertOf(b.admin, 'Memory used', { agentId: 2 })).id;
    await b.sql('UPDATE pem.alert SET enabled = true, flap_detection = false WHERE id = $1', [memoryAlert]);
    hook = await startWebhookReceiver('127.0.12.61');
    smtp = await startSmtpReceiver('127.0.12.62', 'pharos-mailer', 's3cret-mail-pw');
    a1 = b.agentConn(1);
  });
  beforeEach(async () => {
    for (const d of dispatchers.splice(0)) await d.stop();
    await b.sql('DELETE FROM pem.notification_outbox');
    await b.sql('DELETE FROM pem.webhook');
    await b.sql('DELETE FROM pem.smtp_settings');
    hook.received.length = 0;
    hook.respond(() => 200);
    await raise(10);
  });
  after(async () => {
    for (const d of dispatchers) await d.stop();
    await hook?.close();
    await smtp?.close();
    await b?.stop();
  });

  it('renders the payload template, sends the webhook headers and the Idempotency-Key, per level', async () => {
    await b.sql(
      `INSERT INTO pem.webhook (name, url, method, headers, payload_template, on_low) VALUES
        ('custom', $1, 'PUT', '{"Authorization": "Bearer hook-token"}',
         '{"text": "%AlertName% on %ObjectName% is %CurrentState% (was %PreviousState%)", "value": "%CurrentValue%",
           "thresholds": ["%LowThreshold%", "%MediumThreshold%", "%HighThreshold%"], "agent": {"id": "%AgentId%", "name": "%AgentName%"},
           "raised": "%AlertRaisedTime%", "unknown": "%NotAPlaceholder%"}', true),
        ('high only', $1, 'POST', '{}', NULL, false)`,
      [hook.url],
    );
    await raise(87);
    await raise(99);
    const d = dispatcher();
    d.start();
    await hook.waitFor((r) => r.length >= 3, 10_000);
    await d.stop();
    const rows = await outbox();
    assert.equal(rows.length, 3, 'low: custom only; high: both');
    assert.ok(rows.every((r) => r.status === 'delivered'));
    const put = hook.received.filter((r) => r.method === 'PUT');
    assert.equal(put.length, 2);
    const first = put.find((r) => (r.body.text as string).includes('is low'))!;
    assert.equal(first.body.text, 'Memory used on host-2 is low (was none)');
    assert.equal(first.body.value, 87);
    assert.deepEqual(first.body.thresholds, [85, 90, 95]);
    assert.deepEqual(first.body.agent, { id: 2, name: 'host-2' });
    assert.equal(first.body.unknown, '%NotAPlaceholder%');
    assert.equal(first.headers.authorization, 'Bearer hook-token');
    assert.equal(first.headers['content-type'], 'application/json');
    const row = rows.find((r) => r.idempotency_key === first.key);
    assert.ok(row, 'the Idempotency-Key is the outbox key');
    assert.match(first.key, /^pharos-a\d+-e\d+-raised-low-w\d+$/);
    const post = hook.received.find((r) => r.method === 'POST')!;
    assert.equal(post.body.state, 'high');
    assert.equal(post.body.previous_state, 'low');
    assert.deepEqual(post.body.thresholds, { low: 85, medium: 90, high: 95 });
    assert.equal(post.body.event, 'changed');
    const attempts = await b.sql<{ ok: boolean; status_code: number }>(
      'SELECT ok, status_code FROM pem.notification_attempt',
    );
    assert.ok(attempts.length >= 3 && attempts.every((a) => a.ok && a.status_code === 200));
  });

  it('records a refusing and a hanging receiver, retries with backoff, and delivers the rest meanwhile', async () => {
    const slow = await startWebhookReceiver('127.0.12.61');
    slow.respond(() => 'hang');
    try {
      await b.sql(
        `INSERT INTO pem.webhook (name, url, timeout_ms, max_retries) VALUES
          ('refuses', 'http://127.0.12.61:1/x?token=do-not-log', 1000, 2),
          ('hangs', $1, 1500, 1),
          ('good', $2, 5000, 3)`,
        [slow.url, hook.url],
      );
      const t0 = Date.now();
      await raise(99);
      const d = dispatcher(1, { concurrency: 4 });
      d.start();
      await hook.waitFor((r) => r.length >= 1, 5000, 'the good webhook');
      assert.ok(Date.now() - t0 < 1400, `the good webhook was not held up (${Date.now() - t0} ms)`);
      const byName = async (n: string) =>
        (
          await b.sql<{ id: string }>(
            'SELECT o.id FROM pem.notification_outbox o JOIN pem.webhook w ON w.id = o.webhook_id WHERE w.name = $1',
            [n],
          )
        )[0]!.id;
      await waitStatus([await byName('refuses'), await byName('hangs')], 'failed', 15_000);
      await d.stop();
      const att = await b.sql<{ name: string; attempt: number; ok: boolean; error: string }>(
        `SELECT w.name, a.attempt, a.ok, a.error FROM pem.notification_attempt a JOIN pem.notification_outbox o ON o.id = a.outbox_id
           JOIN pem.webhook w ON w.id = o.webhook_id ORDER BY w.name, a.attempt`,
      );
      const refused = att.filter((a) => a.name === 'refuses');
      assert.equal(refused.length, 3, 'first attempt + max_retries 2');
      assert.match(refused[0]!.error, /cannot reach http:\/\/127\.0\.12\.61:1: ECONNREFUSED/);
      assert.ok(
        refused.every((a) => !a.error.includes('do-not-log')),
        'no query string (token) in errors',
      );
      const hung = att.filter((a) => a.name === 'hangs');
      assert.equal(hung.length, 2);
      assert.match(hung[0]!.error, /no answer from http:\/\/127\.0\.12\.61:\d+ within 1500 ms/);
      const problems = await b.sql<{ kind: string; subject: string }>(
        "SELECT kind, subject FROM pem.alerting_problems WHERE source = 'delivery' ORDER BY subject, kind",
      );
      assert.deepEqual(
        [...new Set(problems.map((p) => `${p.subject}:${p.kind}`))],
        ['hangs:delivery_failed', 'refuses:delivery_failed'],
      );
    } finally {
      await slow.close();
    }
  });

  it('survives a sender that crashed after sending: delivered again with the same key, which the receiver drops', async () => {
    await b.sql('INSERT INTO pem.webhook (name, url) VALUES ($1, $2)', ['good', hook.url]);
    await raise(99);
    // agent 1 sends, then "crashes" before recording the attempt: its delivery never returns
    let sent = 0;
    const crashed = dispatcher(1, {
      leaseS: 2,
      deliver: async (n) => {
        await deliverNotification(n, { targetPolicy: RECEIVERS });
        sent++;
        return new Promise(() => {});
      },
    });
    assert.equal(await crashed.tick(), 1);
    await hook.waitFor((r) => r.length === 1, 5000);
    assert.equal(sent, 1);
    const [row] = await outbox();
    assert.equal(row!.status, 'pending', 'not recorded: the sender died');
    // another backend agent takes over once the lease has run out
    const other = dispatcher(3);
    assert.equal(await other.tick(), 0, 'leased: nobody else sends it meanwhile');
    const [lease] = await b.sql<{ until: Date }>('SELECT lease_until AS until FROM pem.notification_outbox');
    await waitFor('another backend agent to take the delivery over', async () => (await other.tick()) === 1, {
      deadlineMs: 10_000,
      intervalMs: 200,
    });
    const [now] = await b.sql<{ at: Date }>('SELECT now() AS at');
    assert.ok(now!.at >= lease!.until, 'taken over only after the lease ran out');
    await other.idle();
    const [after1] = await outbox();
    assert.equal(after1!.status, 'delivered');
    assert.equal(after1!.attempts, 2);
    assert.equal(hook.received.length, 2, 'sent twice (at least once)');
    assert.equal(hook.duplicates().length, 1);
    assert.equal(hook.distinct().length, 1, 'one notification for the receiver, by its key');
  });

  it('refuses duplicates at the source: an event enqueued twice makes one outbox row', async () => {
    await b.sql('INSERT INTO pem.webhook (name, url) VALUES ($1, $2)', ['good', hook.url]);
    const ctx = '{"alert_name": "x", "event": "raised"}';
    const n1 = await b.sql<{ n: number }>(
      "SELECT pem.enqueue_alert_event($1, 'raised', 'high', 'high', 999, $2) AS n",
      [memoryAlert, ctx],
    );
    const n2 = await b.sql<{ n: number }>(
      "SELECT pem.enqueue_alert_event($1, 'raised', 'high', 'high', 999, $2) AS n",
      [memoryAlert, ctx],
    );
    assert.deepEqual([n1[0]!.n, n2[0]!.n], [1, 0]);
  });

  it('sends email through SMTP with STARTTLS and authentication; a wrong password is recorded, not leaked', async () => {
    await b.sql(
      "INSERT INTO pem.email_group (name, recipients) VALUES ('dba', '{dba@example.com,oncall@example.com}')",
    );
    await b.sql(
      `INSERT INTO pem.smtp_settings (host, port, security, user_name, password, from_address, tls_ca_pem)
       VALUES ($1, $2, 'starttls', 'pharos-mailer', 's3cret-mail-pw', 'pharos@example.com', $3)`,
      [smtp.host, smtp.port, smtp.caPem],
    );
    await b.sql(
      "UPDATE pem.alert_settings SET default_email_group_id = (SELECT id FROM pem.email_group WHERE name = 'dba')",
    );
    await raise(99);
    const d = dispatcher();
    d.start();
    await smtp.waitFor(1, 10_000);
    const [mail] = smtp.received;
    assert.equal(mail!.secure, true, 'upgraded with STARTTLS before the message');
    assert.equal(mail!.user, 'pharos-mailer');
    assert.deepEqual(mail!.to, ['dba@example.com', 'oncall@example.com']);
    const [row] = await outbox("channel = 'email'");
    assert.match(mail!.raw, new RegExp(`Message-ID: <${row!.idempotency_key}@pharos>`, 'i'));
    assert.match(mail!.raw, /Subject: \[Pharos\] high: Memory used on host-2 \(raised\)/);
    assert.match(mail!.raw, /Current value:\s+99 percent/);
    await waitStatus([row!.id], 'delivered');
    await b.sql("UPDATE pem.smtp_settings SET password = 'wrong-password'");
    await raise(10);
    const att = await waitFor(
      'a failed attempt to be recorded',
      async () => {
        const rows = await b.sql<{ error: string }>(
          'SELECT error FROM pem.notification_attempt WHERE NOT ok',
        );
        return rows.length > 0 && rows;
      },
      { deadlineMs: 10_000 },
    );
    await d.stop();
    assert.ok(att.length > 0, 'the failed attempt is recorded');
    assert.match(att[0]!.error, /SMTP 127\.0\.12\.62:\d+: .*(Invalid login|535|invalid credentials)/i);
    assert.ok(!att[0]!.error.includes('wrong-password'));
    assert.ok(smtp.authFailures >= 1);
  });

  it('delivers a test notification queued for a webhook', async () => {
    const [w] = await b.sql<{ id: number }>(
      'INSERT INTO pem.webhook (name, url) VALUES ($1, $2) RETURNING id',
      ['good', hook.url],
    );
    const [t] = await b.sql<{ id: string }>("SELECT pem.enqueue_test_notification($1, NULL, 'admin') AS id", [
      w!.id,
    ]);
    const d = dispatcher();
    d.start();
    await waitStatus([t!.id], 'delivered');
    await d.stop();
    assert.equal(hook.received.at(-1)!.body.event, 'test');
    assert.equal(hook.received.at(-1)!.headers['x-pharos-event'], 'test');
  });
});
