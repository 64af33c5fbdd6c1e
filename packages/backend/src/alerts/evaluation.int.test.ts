/**
 * Alert evaluation against a real PostgreSQL (127.0.12.50): default
 * bindings, levels for both operators, fire and clear, flapping damped,
 * reminders and acknowledgement, bad input isolated (failing template SQL,
 * a template that runs too long, thresholds out of order), Agent Down and
 * the backend-gap rule, exactly one evaluation per slot with three agents
 * evaluating at once, privileges, retention.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { HaConnection } from '@pharos/core/ha/connection';
import { waitFor } from '@pharos/testkit/wait/wait-for';
import { type AlertBackend, startAlertBackend } from '../testing/backend.js';
import { alertOf, makeDue, setLatest } from '../testing/probe-data.js';
import { evaluateDueAlerts } from './evaluate.js';

describe('alert evaluation (real PostgreSQL)', { timeout: 180_000 }, () => {
  let b: AlertBackend;
  let a1: HaConnection;
  let serverId: number;

  const evaluate = async (opts = {}) => evaluateDueAlerts(a1, 1, opts);
  const enable = async (template: string, on: { agentId?: number; serverId?: number }) => {
    const al = await alertOf(b.admin, template, on);
    await b.sql('UPDATE pem.alert SET enabled = true WHERE id = $1', [al.id]);
    return al.id;
  };
  const stateOf = async (id: number) =>
    (await b.sql<{ state: string }>('SELECT state FROM pem.alert WHERE id = $1', [id]))[0]!.state;
  const events = async (id: number) =>
    (
      await b.sql<{ event: string }>(
        'SELECT event FROM pem.notification_outbox WHERE alert_id = $1 ORDER BY id',
        [id],
      )
    ).map((r) => r.event);

  before(async () => {
    b = await startAlertBackend({ address: '127.0.12.50' });
    await b.addAgent(1, { backend: true });
    await b.addAgent(2);
    await b.addAgent(3, { backend: true });
    await b.addAgent(4, { backend: true });
    serverId = await b.addServer('db2', 2);
    await b.sql('UPDATE pem.alert SET enabled = false');
    // a webhook so that events make outbox rows (nobody delivers them in this file)
    await b.sql("INSERT INTO pem.webhook (name, url) VALUES ('sink', 'http://127.0.12.50:9/none')");
    a1 = b.agentConn(1);
  });
  after(async () => {
    await b?.stop();
  });

  it('binds the default alerts when agents and servers register, once', async () => {
    const counts = await b.sql<{ level: string; n: number; templates: number }>(
      `SELECT t.level, count(*)::int AS n FROM pem.alert al JOIN pem.alert_template t ON t.name = al.template
        WHERE al.agent_id = 2 OR al.server_id = $1 GROUP BY t.level ORDER BY 1`,
      [serverId],
    );
    const tpl = await b.sql<{ level: string; n: number }>(
      'SELECT level, count(*)::int AS n FROM pem.alert_template WHERE auto_bind GROUP BY level ORDER BY 1',
    );
    assert.deepEqual(counts, tpl);
    assert.ok(
      tpl.find((t) => t.level === 'server')!.n >= 16,
      'the §5 server templates, Patroni ones included',
    );
    assert.ok(tpl.find((t) => t.level === 'agent')!.n >= 6);
    assert.ok(tpl.find((t) => t.level === 'database')!.n >= 3);
    assert.equal((await b.sql<{ n: number }>('SELECT pem.bind_default_alerts() AS n'))[0]!.n, 0);
  });

  it('fires at the right level, moves between levels and clears (operator >), with history and events', async () => {
    const id = await enable('Memory used', { agentId: 2 });
    const states: string[] = [];
    for (const pct of [50, 87, 92, 99, 10]) {
      await setLatest(b.admin, { agentId: 2, probe: 'memory', value: { used_pct: pct } });
      await makeDue(b.admin, { ids: [id] });
      const s = await evaluate();
      assert.equal(s.problems, 0);
      states.push(await stateOf(id));
    }
    assert.deepEqual(states, ['none', 'low', 'medium', 'high', 'none']);
    const hist = await b.sql<{
      event: string;
      old_state: string;
      new_state: string;
      value: number;
      threshold: number | null;
    }>(
      'SELECT event, old_state, new_state, value, threshold FROM pem.alert_history WHERE alert_id = $1 ORDER BY id',
      [id],
    );
    assert.deepEqual(
      hist.map((h) => [h.event, h.old_state, h.new_state, h.value, h.threshold]),
      [
        ['raised', 'none', 'low', 87, 85],
        ['changed', 'low', 'medium', 92, 90],
        ['changed', 'medium', 'high', 99, 95],
        ['cleared', 'high', 'none', 10, null],
      ],
    );
    assert.deepEqual(await events(id), ['raised', 'changed', 'changed', 'cleared']);
    const al = await alertOf(b.admin, 'Memory used', { agentId: 2 });
    assert.equal(al.previous_state, 'high');
    assert.ok(al.raised_at && al.cleared_at);
    assert.equal(al.evaluations, '5');
    const ctx = (
      await b.sql<{ context: Record<string, unknown> }>(
        "SELECT context FROM pem.notification_outbox WHERE alert_id = $1 AND context->>'current_state' = 'high'",
        [id],
      )
    )[0]!.context;
    assert.equal(ctx.alert_name, 'Memory used');
    assert.equal(ctx.object_name, 'host-2');
    assert.equal(ctx.agent_id, 2);
    assert.equal(ctx.current_value, 99);
    assert.equal(ctx.previous_state, 'medium');
    assert.equal(ctx.threshold, 95);
    await b.sql('UPDATE pem.alert SET enabled = false WHERE id = $1', [id]);
  });

  it('uses operator < (shared buffers hit ratio falls)', async () => {
    const id = await enable('Shared buffers hit ratio', { serverId });
    const states: string[] = [];
    for (const pct of [95, 85, 75, 60]) {
      await setLatest(b.admin, {
        agentId: 2,
        serverId,
        probe: 'database_stats',
        value: { hit_ratio_pct: pct },
      });
      await makeDue(b.admin, { ids: [id] });
      await evaluate();
      states.push(await stateOf(id));
    }
    assert.deepEqual(states, ['none', 'low', 'medium', 'high']);
  });

  it('detects flapping and damps its notifications, then says when it stopped', async () => {
    const id = await enable('CPU utilisation', { agentId: 2 });
    const seq = [99, 10, 99, 10, 99, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10];
    const flapping: boolean[] = [];
    for (const v of seq) {
      await setLatest(b.admin, { agentId: 2, probe: 'cpu', value: { busy_pct: v } });
      await makeDue(b.admin, { ids: [id] });
      await evaluate();
      flapping.push((await alertOf(b.admin, 'CPU utilisation', { agentId: 2 })).flapping as boolean);
    }
    assert.deepEqual(await events(id), [
      'raised',
      'cleared',
      'raised',
      'flapping_started',
      'flapping_stopped',
    ]);
    assert.equal(flapping.indexOf(true), 3, 'flapping from the 4th change in 10 evaluations');
    assert.equal(
      flapping.lastIndexOf(true),
      12,
      'until at most 2 of the last 10 evaluations changed the state',
    );
    const damped = await b.sql<{ n: number }>(
      'SELECT count(*)::int AS n FROM pem.alert_history WHERE alert_id = $1 AND NOT notified',
      [id],
    );
    assert.equal(damped[0]!.n, 2, 'the two changes while flapping are in the history, not notified');
    await b.sql('UPDATE pem.alert SET enabled = false WHERE id = $1', [id]);
  });

  it('sends reminders while raised, not after an acknowledgement', async () => {
    const id = await enable('Swap used', { agentId: 2 });
    await b.sql('UPDATE pem.alert SET reminder_s = 60 WHERE id = $1', [id]);
    await setLatest(b.admin, { agentId: 2, probe: 'swap', value: { used_pct: 90 } });
    await makeDue(b.admin, { ids: [id] });
    await evaluate();
    await makeDue(b.admin, { ids: [id] });
    await evaluate();
    assert.deepEqual(await events(id), ['raised'], 'no reminder before reminder_s');
    await b.sql("UPDATE pem.alert SET last_notified_at = now() - interval '61 seconds' WHERE id = $1", [id]);
    await makeDue(b.admin, { ids: [id] });
    await evaluate();
    assert.deepEqual(await events(id), ['raised', 'reminder']);
    await b.sql(
      "UPDATE pem.alert SET acknowledged_at = now(), acknowledged_by = 'admin', last_notified_at = now() - interval '61 seconds' WHERE id = $1",
      [id],
    );
    await makeDue(b.admin, { ids: [id] });
    await evaluate();
    assert.deepEqual(await events(id), ['raised', 'reminder'], 'acknowledged: no reminder');
    await setLatest(b.admin, { agentId: 2, probe: 'swap', value: { used_pct: 40 } });
    await makeDue(b.admin, { ids: [id] });
    await evaluate();
    const al = await alertOf(b.admin, 'Swap used', { agentId: 2 });
    assert.equal(al.state, 'low');
    assert.equal(al.acknowledged_at, null, 'a state change ends the acknowledgement');
    await b.sql('UPDATE pem.alert SET enabled = false WHERE id = $1', [id]);
  });

  it('records a failing template query, thresholds out of order and a timeout; the other alerts go on', async () => {
    await b.sql(`INSERT INTO pem.alert_template (name, level, sql, operator, low, medium, high, auto_bind) VALUES
      ('Broken', 'agent', 'SELECT 1/0 AS value', '>', 1, 2, 3, false),
      ('No value column', 'agent', 'SELECT 1 AS x', '>', 1, 2, 3, false),
      ('Writes', 'agent', 'UPDATE pem.agent SET display_name = ''x'' RETURNING 1 AS value', '>', 1, 2, 3, false),
      ('Reads secrets', 'agent', 'SELECT count(*) AS value FROM pem.smtp_settings', '>', 1, 2, 3, false),
      ('Slow', 'agent', 'SELECT 1::float8 AS value FROM pg_sleep(3)', '>', 1, 2, 3, false)`);
    const ids: Record<string, number> = {};
    for (const t of ['Broken', 'No value column', 'Writes', 'Reads secrets', 'Slow']) {
      ids[t] = (
        await b.sql<{ id: number }>(
          "INSERT INTO pem.alert (template, agent_id, operator, low, medium, high, interval_s) VALUES ($1, 2, '>', 1, 2, 3, 60) RETURNING id",
          [t],
        )
      )[0]!.id;
    }
    const good = await enable('Memory used', { agentId: 2 });
    const disorder = await enable('Load per core', { agentId: 2 });
    await b.sql('UPDATE pem.alert SET low = 4, medium = 2, high = 8 WHERE id = $1', [disorder]);
    await setLatest(b.admin, { agentId: 2, probe: 'memory', value: { used_pct: 99 } });
    await makeDue(b.admin, { ids: [...Object.values(ids), good, disorder] });
    const s = await evaluate({ statementTimeoutMs: 1000 });
    assert.equal(await stateOf(good), 'high', 'the good alert was evaluated');
    assert.equal(s.timeouts, 1);
    const rows = await b.sql<{
      template: string;
      last_error: string;
      next_due: Date;
      state: string;
      error_count: string;
    }>(
      'SELECT template, last_error, next_due, state, error_count FROM pem.alert WHERE id = ANY ($1) ORDER BY template',
      [[...Object.values(ids), disorder]],
    );
    const err = Object.fromEntries(rows.map((r) => [r.template, r.last_error]));
    assert.match(err.Broken!, /division by zero/);
    assert.match(err['No value column']!, /column named "value"/);
    assert.match(err.Writes!, /not allowed in a non-volatile function|permission denied/);
    assert.match(err['Reads secrets']!, /permission denied/);
    assert.match(err.Slow!, /did not finish within the statement timeout \(1000 ms\)/);
    assert.match(err['Load per core']!, /thresholds out of order for operator >: low 4, medium 2, high 8/);
    for (const r of rows) {
      assert.equal(r.state, 'none');
      assert.ok(r.next_due.getTime() > Date.now(), `${r.template} moved on to its next interval`);
    }
    assert.equal(
      (await b.sql<{ d: string }>('SELECT display_name AS d FROM pem.agent WHERE id = 2'))[0]!.d,
      'host-2',
    );
    const problems = await b.sql<{ kind: string; subject: string }>(
      "SELECT kind, subject FROM pem.alerting_problems WHERE source = 'alert' ORDER BY subject",
    );
    assert.deepEqual(
      problems.map((p) => `${p.subject}:${p.kind}`),
      [
        'Broken:template_error',
        'Load per core:thresholds',
        'No value column:template_error',
        'Reads secrets:template_error',
        'Slow:timeout',
        'Writes:template_error',
      ],
    );
    // the same problem again is counted on the alert, not logged again
    await makeDue(b.admin, { ids: [ids.Broken!] });
    await evaluate();
    assert.equal(
      (
        await b.sql<{ n: number }>(
          "SELECT count(*)::int AS n FROM pem.alert_problem WHERE template = 'Broken'",
        )
      )[0]!.n,
      1,
    );
    assert.equal(
      (await b.sql<{ c: string }>('SELECT error_count AS c FROM pem.alert WHERE id = $1', [ids.Broken]))[0]!
        .c,
      '2',
    );
    assert.equal(
      (
        await b.sql<{ p: string }>('SELECT thresholds_problem AS p FROM pem.alert_overview WHERE id = $1', [
          disorder,
        ])
      )[0]!.p !== null,
      true,
    );
    await b.sql('UPDATE pem.alert SET enabled = false WHERE agent_id = 2');
  });

  it('raises Agent Down from the heartbeat age, clears on a heartbeat, and ignores a backend gap', async () => {
    const id = await enable('Agent Down', { agentId: 2 });
    await b.sql("UPDATE pem.alerting_state SET last_tick_at = now(), resumed_at = now() - interval '1 hour'");
    await b.sql("UPDATE pem.agent SET last_heartbeat = now() - interval '90 seconds' WHERE id = 2");
    await makeDue(b.admin, { ids: [id] });
    await evaluate();
    assert.equal(await stateOf(id), 'medium');
    await b.sql('UPDATE pem.agent SET last_heartbeat = now() WHERE id = 2');
    await makeDue(b.admin, { ids: [id] });
    await evaluate();
    assert.equal(await stateOf(id), 'none');
    // nobody evaluated for 100 s (the backend was failing over): ages count from the resumption
    await b.sql("UPDATE pem.agent SET last_heartbeat = now() - interval '200 seconds' WHERE id = 2");
    await b.sql("UPDATE pem.alerting_state SET last_tick_at = now() - interval '100 seconds'");
    await makeDue(b.admin, { ids: [id] });
    await evaluate();
    assert.equal(await stateOf(id), 'none');
    assert.ok(((await alertOf(b.admin, 'Agent Down', { agentId: 2 })).last_value as number) < 5);
    await b.sql('UPDATE pem.alert SET enabled = false WHERE id = $1', [id]);
  });

  it('evaluates each alert exactly once per interval with three agents evaluating at once', async () => {
    await b.sql(
      "INSERT INTO pem.alert_template (name, level, sql, operator, low, medium, high, auto_bind) VALUES ('Constant', 'agent', 'SELECT 1::float8 AS value', '>', 5, 6, 7, false)",
    );
    await b.sql(
      `INSERT INTO pem.alert (template, agent_id, object, operator, low, medium, high, interval_s, log_evaluations, next_due)
       SELECT 'Constant', 2, 'o' || i, '>', 5, 6, 7, 1, true, date_trunc('second', now()) + interval '1 second'
         FROM generate_series(1, 40) i`,
    );
    const conns = [a1, b.agentConn(3), b.agentConn(4)];
    const ids = [1, 3, 4];
    let done = false;
    let failures = 0;
    const evaluators = conns.map(async (c, i) => {
      while (!done) {
        try {
          await evaluateDueAlerts(c, ids[i]!, { batchSize: 7 });
        } catch {
          failures++;
        }
        await delay(50); // fixed-wait: each evaluator polls every 50 ms (the workload under test)
      }
    });
    try {
      await waitFor(
        'six logged evaluations of each of the 40 alerts',
        async () => {
          const [r] = await b.sql<{ n: number }>(
            `SELECT count(*)::int AS n FROM pem.alert al WHERE al.template = 'Constant'
                AND (SELECT count(*) FROM pem.alert_evaluation_log l WHERE l.alert_id = al.id) >= 6`,
          );
          return r!.n === 40;
        },
        { deadlineMs: 30_000, intervalMs: 250 },
      );
    } finally {
      done = true;
      await Promise.all(evaluators);
    }
    assert.equal(failures, 0);
    const per = await b.sql<{ n: number; evaluations: string; missed: string; gaps: number; agents: number }>(
      `SELECT count(l.*)::int AS n, al.evaluations, al.missed_slots AS missed,
              count(*) FILTER (WHERE l.due_at - l.prev <> interval '1 second')::int AS gaps,
              count(DISTINCT l.agent_id)::int AS agents
         FROM pem.alert al
         JOIN (SELECT *, lag(due_at) OVER (PARTITION BY alert_id ORDER BY due_at) AS prev FROM pem.alert_evaluation_log) l
           ON l.alert_id = al.id
        WHERE al.template = 'Constant' GROUP BY al.id, al.evaluations, al.missed_slots`,
    );
    assert.equal(per.length, 40);
    for (const p of per) {
      assert.ok(p.n >= 6, `at least 6 evaluations at 1 s intervals, got ${p.n}`);
      assert.equal(
        String(p.n),
        p.evaluations,
        'every evaluation is logged once (the log key is alert + slot)',
      );
      assert.equal(p.missed, '0');
      assert.equal(p.gaps, 0, 'consecutive slots, none skipped');
    }
    const agents = await b.sql<{ n: number }>(
      'SELECT count(DISTINCT agent_id)::int AS n FROM pem.alert_evaluation_log',
    );
    assert.ok(agents[0]!.n >= 2, 'the work was shared between agents');
    await b.sql("UPDATE pem.alert SET enabled = false WHERE template = 'Constant'");
  });

  it('lets only backend agents evaluate, each only as itself; agents cannot read alert tables', async () => {
    const a2 = b.agentConn(2);
    await assert.rejects(
      a2.query('SELECT * FROM pem.evaluate_due_alerts(2, 10)'),
      /not configured to evaluate/,
    );
    await assert.rejects(
      a1.query('SELECT * FROM pem.evaluate_due_alerts(3, 10)'),
      /may not work for agent 3/,
    );
    await assert.rejects(a1.query('SELECT * FROM pem.alert'), /permission denied/);
    await b.sql('INSERT INTO pem.agent_alert_settings (agent_id, evaluate) VALUES (2, true)');
    await a2.query('SELECT * FROM pem.evaluate_due_alerts(2, 10)');
    await b.sql('DELETE FROM pem.agent_alert_settings WHERE agent_id = 2');
  });

  it('purges history past its retention, once per job interval', async () => {
    const id = (await alertOf(b.admin, 'Memory used', { agentId: 2 })).id;
    await b.sql(
      "INSERT INTO pem.alert_history (alert_id, at, event, old_state, new_state, flapping, notified) VALUES ($1, now() - interval '31 days', 'raised', 'none', 'low', false, true)",
      [id],
    );
    const before = (await b.sql<{ n: number }>('SELECT count(*)::int AS n FROM pem.alert_history'))[0]!.n;
    const r1 = (await a1.query<{ n: string | null }>('SELECT pem.alert_housekeeping(1) AS n')).rows[0]!.n;
    assert.ok(Number(r1) >= 1);
    assert.equal(
      (await b.sql<{ n: number }>('SELECT count(*)::int AS n FROM pem.alert_history'))[0]!.n,
      before - 1,
    );
    const r2 = (await a1.query<{ n: string | null }>('SELECT pem.alert_housekeeping(1) AS n')).rows[0]!.n;
    assert.equal(r2, null, 'not due again within its interval');
  });
});
