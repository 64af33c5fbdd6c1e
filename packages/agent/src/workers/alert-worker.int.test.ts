/**
 * The agent's alert worker against a real backend (127.0.12.56) and a real
 * webhook receiver (127.0.12.63): a backend agent starts evaluating and
 * sending by itself (pem.alert_worker_settings), another agent does not;
 * a raised alert reaches the receiver; stop() ends everything.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type AlertBackend, startAlertBackend, TEST_AGENT_PASSWORD } from '@pharos/backend/testing/backend';
import { alertOf, setLatest } from '@pharos/backend/testing/probe-data';
import { createLogger } from '@pharos/core/log';
import { startWebhookReceiver, type WebhookReceiver } from '@pharos/testkit/receivers/webhook-receiver';
import { waitFor } from '@pharos/testkit/wait/wait-for';
import { parseAgentConfig } from '../config.js';
import { startAlertWorker } from './alert-worker.js';

describe('agent alert worker (real PostgreSQL, webhook receiver)', { timeout: 90_000 }, () => {
  let b: AlertBackend;
  let hook: WebhookReceiver;
  const config = (id: number) =>
    parseAgentConfig({
      agent_id: id,
      agent_user: `agent${id}`,
      backend: `host=127.0.12.56 port=5432 dbname=pem password=${TEST_AGENT_PASSWORD} sslmode=disable target_session_attrs=read-write`,
      spool_dir: '/nonexistent',
      short_wait_s: 1,
      log_level: 'silent',
      webhook_allow: ['127.0.12.63'], // the receiver is on loopback
    });

  before(async () => {
    b = await startAlertBackend({ address: '127.0.12.56' });
    await b.addAgent(1, { backend: true });
    await b.addAgent(2);
    hook = await startWebhookReceiver('127.0.12.63');
    await b.sql('UPDATE pem.alert SET enabled = false');
    await b.sql('INSERT INTO pem.webhook (name, url) VALUES ($1, $2)', ['r', hook.url]);
  });
  after(async () => {
    await hook?.close();
    await b?.stop();
  });

  it('evaluates and notifies on a backend agent only, and stops cleanly', async () => {
    const logger = createLogger('agent', { level: 'silent' });
    const w1 = startAlertWorker({ config: config(1), logger, version: 'test', pollMs: 200 });
    const w2 = startAlertWorker({ config: config(2), logger, version: 'test', pollMs: 200 });
    try {
      await w1.refresh();
      await w2.refresh();
      assert.deepEqual([w1.status().evaluating, w1.status().notifying], [true, true]);
      assert.deepEqual([w2.status().evaluating, w2.status().notifying], [false, false]);
      await setLatest(b.admin, { agentId: 2, probe: 'memory', value: { used_pct: 99 } });
      const id = (await alertOf(b.admin, 'Memory used', { agentId: 2 })).id;
      await b.sql('UPDATE pem.alert SET enabled = true WHERE id = $1', [id]);
      await hook.waitFor((r) => r.length >= 1, 15_000, 'the raised alert');
      assert.equal(hook.received[0]!.body.state, 'high');
      assert.match(String(hook.received[0]!.headers['user-agent']), /^pharos-agent\/test$/);
      await waitFor('the worker to record the delivery', () => w1.status().delivered >= 1, {
        deadlineMs: 5000,
      });
      assert.ok(w1.status().evaluated >= 1);
      assert.equal(w1.status().delivered, 1, 'recorded as delivered (after the receiver answered)');
    } finally {
      await Promise.all([w1.stop(), w2.stop()]);
    }
    const conns = await b.sql<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE 'pharos-agent-%'",
    );
    assert.equal(conns[0]!.n, 0, 'connections closed');
  });
});
