/**
 * Maintenance windows against a real PostgreSQL (127.0.27.50): schedule
 * evaluation (one-off, expiry, stop, weekly across both DST changes of
 * Europe/Paris and America/New_York, a start time that does not exist or
 * exists twice), what each scope covers, the checks of
 * pem.maintenance_start (each error names its field), and the notification
 * rule of evaluation: changes recorded but not notified during a window, a
 * withheld notification never sent later, one notification at the end for
 * an alert still raised, exactly once across repeated evaluations and a
 * lost commit.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { HaConnection } from '@pharos/core/ha/connection';
import { evaluateDueAlerts } from '../alerts/evaluate.js';
import { type AlertBackend, startAlertBackend } from '../testing/backend.js';
import { alertOf, makeDue, setLatest } from '../testing/probe-data.js';
import {
  getMaintenance,
  listMaintenance,
  maintenanceNow,
  startMaintenance,
  stopMaintenance,
} from './windows.js';

describe('maintenance windows (real PostgreSQL)', { timeout: 180_000 }, () => {
  let b: AlertBackend;
  let a1: HaConnection;
  let db2: number;
  let db3: number;

  /** Inserts a window row directly (any times, past ones included) and returns its id. */
  const insertWindow = async (w: Record<string, unknown>) => {
    const cols = Object.keys(w);
    const [r] = await b.sql<{ id: number }>(
      `INSERT INTO pem.maintenance_window (${cols.join(', ')}, reason, created_by)
       VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')}, 'test', 'tester') RETURNING id`,
      Object.values(w),
    );
    return r!.id;
  };
  /** pem.maintenance_occurrence of window `id` at `at`: [startsAt, endsAt] ISO, or null. */
  const occurrence = async (id: number, at: string) => {
    const [r] = await b.sql<{ s: Date; e: Date }>(
      `SELECT o.starts_at AS s, o.ends_at AS e FROM pem.maintenance_window w,
              pem.maintenance_occurrence(w, $2::timestamptz) o WHERE w.id = $1`,
      [id, at],
    );
    return r ? [r.s.toISOString(), r.e.toISOString()] : null;
  };
  const covers = async (id: number, at: string) => {
    const o = await occurrence(id, at);
    return o !== null && o[0]! <= new Date(at).toISOString();
  };

  before(async () => {
    b = await startAlertBackend({ address: '127.0.27.50' });
    await b.addAgent(1, { backend: true });
    await b.addAgent(2);
    await b.addAgent(3);
    db2 = await b.addServer('db2', 2);
    db3 = await b.addServer('db3', 3);
    await b.sql("UPDATE pem.server SET tags = '{payments}' WHERE id = $1", [db3]);
    await b.sql('UPDATE pem.alert SET enabled = false');
    await b.sql("INSERT INTO pem.webhook (name, url) VALUES ('sink', 'http://127.0.27.50:9/none')");
    a1 = b.agentConn(1);
  });
  after(async () => {
    await b?.stop();
  });

  it('a one-off window covers [start, end), ends, and is cut by a stop', async () => {
    const id = await insertWindow({
      scope: 'fleet',
      schedule: 'once',
      starts_at: '2026-03-01T10:00:00Z',
      ends_at: '2026-03-01T12:00:00Z',
    });
    assert.equal(await covers(id, '2026-03-01T09:59:59Z'), false);
    assert.deepEqual(await occurrence(id, '2026-03-01T09:00:00Z'), [
      '2026-03-01T10:00:00.000Z',
      '2026-03-01T12:00:00.000Z',
    ]);
    assert.equal(await covers(id, '2026-03-01T10:00:00Z'), true);
    assert.equal(await covers(id, '2026-03-01T11:59:59Z'), true);
    assert.equal(await covers(id, '2026-03-01T12:00:00Z'), false, 'the end is not covered');
    assert.equal(await occurrence(id, '2026-03-01T12:00:00Z'), null, 'expired: no occurrence');
    await b.sql("UPDATE pem.maintenance_window SET stopped_at = '2026-03-01T11:00:00Z' WHERE id = $1", [id]);
    assert.deepEqual(await occurrence(id, '2026-03-01T10:30:00Z'), [
      '2026-03-01T10:00:00.000Z',
      '2026-03-01T11:00:00.000Z',
    ]);
    assert.equal(await covers(id, '2026-03-01T11:00:00Z'), false, 'stopped');
    await b.sql('DELETE FROM pem.maintenance_window WHERE id = $1', [id]);
  });

  it('a weekly window keeps its local start time across both DST changes (Europe/Paris)', async () => {
    // Sundays 01:00 local for 3 h; DST starts Sun 2026-03-29 02:00 (CET -> CEST), ends Sun 2026-10-25 03:00
    const id = await insertWindow({
      scope: 'fleet',
      schedule: 'weekly',
      starts_at: '2026-01-01T00:00:00Z',
      weekdays: [7],
      start_time: '01:00',
      duration_s: 3 * 3600,
      time_zone: 'Europe/Paris',
    });
    // the Sunday before: CET (+01): 00:00Z .. 03:00Z
    assert.deepEqual(await occurrence(id, '2026-03-22T00:30:00Z'), [
      '2026-03-22T00:00:00.000Z',
      '2026-03-22T03:00:00.000Z',
    ]);
    // the change day: starts 01:00 CET = 00:00Z, lasts 3 h of elapsed time (ends 04:00 CEST local)
    assert.deepEqual(await occurrence(id, '2026-03-28T12:00:00Z'), [
      '2026-03-29T00:00:00.000Z',
      '2026-03-29T03:00:00.000Z',
    ]);
    // the Sunday after: 01:00 CEST = 23:00Z on Saturday
    assert.deepEqual(await occurrence(id, '2026-04-04T12:00:00Z'), [
      '2026-04-04T23:00:00.000Z',
      '2026-04-05T02:00:00.000Z',
    ]);
    assert.equal(await covers(id, '2026-04-04T23:30:00Z'), true, 'Saturday evening UTC is Sunday in Paris');
    assert.equal(await covers(id, '2026-04-05T02:00:00Z'), false);
    // autumn: Sun 2026-10-25 01:00 is still CEST (the change is at 03:00): 23:00Z on the 24th
    assert.deepEqual(await occurrence(id, '2026-10-24T12:00:00Z'), [
      '2026-10-24T23:00:00.000Z',
      '2026-10-25T02:00:00.000Z',
    ]);
    // the Sunday after: CET again: 00:00Z
    assert.deepEqual(await occurrence(id, '2026-10-26T12:00:00Z'), [
      '2026-11-01T00:00:00.000Z',
      '2026-11-01T03:00:00.000Z',
    ]);
    // not on other days
    assert.equal(await covers(id, '2026-03-25T00:30:00Z'), false, 'a Wednesday');
    await b.sql('DELETE FROM pem.maintenance_window WHERE id = $1', [id]);
  });

  it('a start time that does not exist, or exists twice, follows PostgreSQL’s rule (America/New_York)', async () => {
    // daily 02:30; 2026-03-08 02:00 -> 03:00 EDT (02:30 does not exist); 2026-11-01 02:00 EDT -> 01:00 EST
    const id = await insertWindow({
      scope: 'fleet',
      schedule: 'weekly',
      starts_at: '2026-01-01T00:00:00Z',
      weekdays: [1, 2, 3, 4, 5, 6, 7],
      start_time: '02:30',
      duration_s: 1800,
      time_zone: 'America/New_York',
    });
    assert.deepEqual(
      await occurrence(id, '2026-03-07T12:00:00Z'),
      ['2026-03-08T07:30:00.000Z', '2026-03-08T08:00:00.000Z'],
      '02:30 EST offset (-05): 03:30 EDT local',
    );
    assert.deepEqual(await occurrence(id, '2026-03-08T12:00:00Z'), [
      '2026-03-09T06:30:00.000Z',
      '2026-03-09T07:00:00.000Z',
    ]);
    // 02:30 on 2026-11-01 is after the fall-back (01:00-02:00 repeats; 02:30 exists once, EST)
    assert.deepEqual(await occurrence(id, '2026-10-31T12:00:00Z'), [
      '2026-11-01T07:30:00.000Z',
      '2026-11-01T08:00:00.000Z',
    ]);
    await b.sql('DELETE FROM pem.maintenance_window WHERE id = $1', [id]);
  });

  it('a weekly window honours its recurrence bounds and a stop', async () => {
    const id = await insertWindow({
      scope: 'fleet',
      schedule: 'weekly',
      starts_at: '2026-06-02T22:30:00Z', // a Tuesday, in the middle of that day's occurrence
      ends_at: '2026-06-10T00:00:00Z',
      weekdays: [2],
      start_time: '22:00',
      duration_s: 7200,
      time_zone: 'UTC',
    });
    assert.deepEqual(
      await occurrence(id, '2026-06-02T22:40:00Z'),
      ['2026-06-02T22:30:00.000Z', '2026-06-03T00:00:00.000Z'],
      'cut to start at starts_at',
    );
    assert.deepEqual(await occurrence(id, '2026-06-03T00:00:00Z'), [
      '2026-06-09T22:00:00.000Z',
      '2026-06-10T00:00:00.000Z',
    ]);
    assert.equal(await occurrence(id, '2026-06-10T00:00:00Z'), null, 'no occurrence starts after ends_at');
    await b.sql("UPDATE pem.maintenance_window SET stopped_at = '2026-06-09T23:00:00Z' WHERE id = $1", [id]);
    assert.deepEqual(await occurrence(id, '2026-06-09T22:30:00Z'), [
      '2026-06-09T22:00:00.000Z',
      '2026-06-09T23:00:00.000Z',
    ]);
    await b.sql('DELETE FROM pem.maintenance_window WHERE id = $1', [id]);
  });

  it('checks what starts a window: each refusal names its field, nothing is stored', async () => {
    const refused = async (spec: Record<string, unknown>, code: string, field: string) => {
      await assert.rejects(
        startMaintenance(b.admin, 'tester', spec as never),
        (e: { code?: string; field?: string; message: string }) => {
          assert.equal(e.code, code, e.message);
          assert.equal(e.field, field, e.message);
          return true;
        },
      );
    };
    const now = Date.now();
    await refused({ scope: 'planet', reason: 'x', durationS: 600 }, 'PHAROS_MAINTENANCE_INVALID', 'scope');
    await refused({ scope: 'fleet', reason: ' ', durationS: 600 }, 'PHAROS_MAINTENANCE_INVALID', 'reason');
    await refused({ scope: 'fleet', reason: 'x' }, 'PHAROS_MAINTENANCE_INVALID', 'durationS');
    await refused(
      { scope: 'fleet', reason: 'x', durationS: 600, endsAt: new Date(now + 3600e3).toISOString() },
      'PHAROS_MAINTENANCE_INVALID',
      'endsAt',
    );
    await refused(
      { scope: 'fleet', reason: 'x', endsAt: new Date(now - 60e3).toISOString() },
      'PHAROS_MAINTENANCE_INVALID',
      'endsAt',
    );
    await refused({ scope: 'fleet', reason: 'x', durationS: 30 }, 'PHAROS_MAINTENANCE_INVALID', 'durationS');
    await refused({ scope: 'server', reason: 'x', durationS: 600 }, 'PHAROS_MAINTENANCE_INVALID', 'serverId');
    await refused(
      { scope: 'server', serverId: 9999, reason: 'x', durationS: 600 },
      'PHAROS_SERVER_NOT_FOUND',
      'serverId',
    );
    await refused(
      { scope: 'agent', agentId: 9999, reason: 'x', durationS: 600 },
      'PHAROS_AGENT_NOT_FOUND',
      'agentId',
    );
    await refused(
      { scope: 'fleet', serverId: db2, reason: 'x', durationS: 600 },
      'PHAROS_MAINTENANCE_INVALID',
      'serverId',
    );
    await refused(
      { scope: 'group', group: '', reason: 'x', durationS: 600 },
      'PHAROS_MAINTENANCE_INVALID',
      'group',
    );
    await refused(
      { scope: 'fleet', reason: 'x', durationS: 600, weekdays: [1] },
      'PHAROS_MAINTENANCE_INVALID',
      'weekdays',
    );
    const weekly = {
      scope: 'fleet',
      schedule: 'weekly',
      reason: 'x',
      durationS: 3600,
      weekdays: [7],
      startTime: '02:00',
      timeZone: 'Europe/Paris',
    };
    await refused({ ...weekly, timeZone: 'Mars/Olympus' }, 'PHAROS_MAINTENANCE_INVALID', 'timeZone');
    await refused({ ...weekly, timeZone: undefined }, 'PHAROS_MAINTENANCE_INVALID', 'timeZone');
    await refused({ ...weekly, startTime: '25:00' }, 'PHAROS_MAINTENANCE_INVALID', 'startTime');
    await refused({ ...weekly, weekdays: [0] }, 'PHAROS_MAINTENANCE_INVALID', 'weekdays');
    await refused({ ...weekly, weekdays: [] }, 'PHAROS_MAINTENANCE_INVALID', 'weekdays');
    await refused({ ...weekly, durationS: undefined }, 'PHAROS_MAINTENANCE_INVALID', 'durationS');
    assert.equal(
      (await b.sql<{ n: number }>('SELECT count(*)::int AS n FROM pem.maintenance_window'))[0]!.n,
      0,
    );
    const w = await startMaintenance(b.admin, 'tester', weekly as never);
    assert.equal(w.status, 'scheduled');
    assert.equal(w.startTime, '02:00');
    assert.deepEqual(w.weekdays, [7]);
    assert.equal(w.createdBy, 'tester');
    const stopped = await stopMaintenance(b.admin, 'boss', w.id);
    assert.equal(stopped.window.status, 'stopped');
    assert.equal(stopped.window.stoppedBy, 'boss');
    await assert.rejects(stopMaintenance(b.admin, 'boss', w.id), { code: 'PHAROS_MAINTENANCE_STATE' });
    await assert.rejects(stopMaintenance(b.admin, 'boss', 9999), { code: 'PHAROS_MAINTENANCE_NOT_FOUND' });
    assert.deepEqual(await listMaintenance(b.admin), [], 'stopped windows are listed only with all');
    assert.equal((await listMaintenance(b.admin, { all: true })).length, 1);
    await b.sql('DELETE FROM pem.maintenance_window');
  });

  it('covers by server, by agent (its own alerts and its servers), by tag, and the whole fleet', async () => {
    const covered = async () => {
      const now = await maintenanceNow(b.admin);
      return { servers: [...now.servers.keys()].sort(), agents: [...now.agents.keys()].sort() };
    };
    const w1 = await startMaintenance(b.admin, 'tester', {
      scope: 'server',
      serverId: db2,
      durationS: 600,
      reason: 'r',
    });
    assert.deepEqual(await covered(), { servers: [db2], agents: [] });
    await stopMaintenance(b.admin, 'tester', w1.id);
    const w2 = await startMaintenance(b.admin, 'tester', {
      scope: 'agent',
      agentId: 3,
      durationS: 600,
      reason: 'r',
    });
    assert.deepEqual(await covered(), { servers: [db3], agents: [3] });
    await stopMaintenance(b.admin, 'tester', w2.id);
    const w3 = await startMaintenance(b.admin, 'tester', {
      scope: 'group',
      group: 'payments',
      durationS: 600,
      reason: 'r',
    });
    assert.deepEqual(await covered(), { servers: [db3], agents: [] });
    const now = await maintenanceNow(b.admin);
    assert.equal(now.servers.get(db3)!.setBy, 'tester');
    assert.equal(now.servers.get(db3)!.reason, 'r');
    assert.ok(Math.abs(Date.parse(now.servers.get(db3)!.until!) - (Date.parse(w3.startsAt) + 600e3)) < 1000);
    await stopMaintenance(b.admin, 'tester', w3.id);
    const w4 = await startMaintenance(b.admin, 'tester', { scope: 'fleet', durationS: 600, reason: 'r' });
    const all = await covered();
    assert.equal(all.servers.length, 3);
    assert.deepEqual(all.agents, [1, 2, 3]);
    await stopMaintenance(b.admin, 'tester', w4.id);
    assert.deepEqual(await covered(), { servers: [], agents: [] });
  });

  it('records but does not notify during a window; never sends a withheld one later; one notification after it for an alert still raised', async () => {
    const al = await alertOf(b.admin, 'Memory used', { agentId: 2 });
    await b.sql('UPDATE pem.alert SET enabled = true, flap_detection = false WHERE id = $1', [al.id]);
    const outbox = async () =>
      (
        await b.sql<{ event: string; state: string; prev: string }>(
          `SELECT event, context->>'current_state' AS state, context->>'previous_state' AS prev
             FROM pem.notification_outbox WHERE alert_id = $1 ORDER BY id`,
          [al.id],
        )
      ).map((r) => `${r.event}:${r.prev}->${r.state}`);
    const step = async (pct: number) => {
      await setLatest(b.admin, { agentId: 2, probe: 'memory', value: { used_pct: pct } });
      await makeDue(b.admin, { ids: [al.id] });
      await evaluateDueAlerts(a1, 1);
    };
    // a window on agent 2 (its host)
    const w = await startMaintenance(b.admin, 'dba', {
      scope: 'agent',
      agentId: 2,
      durationS: 3600,
      reason: 'kernel update',
    });
    await step(99); // raised high: recorded, withheld
    await step(10); // cleared: recorded, withheld (never sent later)
    await step(92); // raised medium: withheld
    const hist = await b.sql<{ event: string; notified: boolean; maintenance_id: number | null }>(
      'SELECT event, notified, maintenance_id FROM pem.alert_history WHERE alert_id = $1 ORDER BY id',
      [al.id],
    );
    assert.deepEqual(
      hist.map((h) => [h.event, h.notified, h.maintenance_id]),
      [
        ['raised', false, w.id],
        ['cleared', false, w.id],
        ['raised', false, w.id],
      ],
      'every change recorded, none notified, each naming the window',
    );
    assert.deepEqual(await outbox(), [], 'nothing notified during the window');
    // the window ends (stopped) with the alert raised: one notification, at the next evaluation
    await stopMaintenance(b.admin, 'dba', w.id);
    // an evaluation whose commit is lost (rolled back: a crash, a failover) changes nothing; the next
    // one makes the same notification, with the same idempotency key
    await setLatest(b.admin, { agentId: 2, probe: 'memory', value: { used_pct: 92 } });
    await makeDue(b.admin, { ids: [al.id] });
    const seqOf = async () =>
      Number(
        (await b.sql<{ s: string }>('SELECT event_seq AS s FROM pem.alert WHERE id = $1', [al.id]))[0]!.s,
      );
    const seq = await seqOf();
    await assert.rejects(
      a1.transaction(async (tx) => {
        const r = await tx.query<{ notifications: number }>(
          'SELECT * FROM pem.evaluate_due_alerts(1, 10, $1)',
          [al.id],
        );
        assert.equal(r.rows[0]!.notifications, 1, 'the lost attempt made the notification');
        throw new Error('the commit is lost');
      }),
      /the commit is lost/,
    );
    assert.deepEqual(await outbox(), []);
    assert.equal(await seqOf(), seq, 'the event number is as before: the next attempt makes the same key');
    await step(92);
    assert.deepEqual(await outbox(), ['raised:none->medium']);
    const [{ k }] = (await b.sql<{ k: string }>(
      'SELECT idempotency_key AS k FROM pem.notification_outbox WHERE alert_id = $1',
      [al.id],
    )) as [{ k: string }];
    assert.match(k, new RegExp(`^pharos-a${al.id}-e${seq + 1}-raised-medium-w\\d+$`));
    // and only one: later evaluations add none
    await step(92);
    await step(93);
    assert.deepEqual(await outbox(), ['raised:none->medium']);
    const [row] = await b.sql<{ maintenance_held: boolean; last_notified_state: string }>(
      'SELECT maintenance_held, last_notified_state FROM pem.alert WHERE id = $1',
      [al.id],
    );
    assert.equal(row!.maintenance_held, false);
    assert.equal(row!.last_notified_state, 'medium');
    // after the window, changes notify as usual
    await step(10);
    assert.deepEqual(await outbox(), ['raised:none->medium', 'cleared:medium->none']);
  });

  it('an alert cleared by the end of its window sends nothing; one raised before it and changed during it sends its change', async () => {
    const al = await alertOf(b.admin, 'Memory used', { agentId: 3 });
    await b.sql('UPDATE pem.alert SET enabled = true, flap_detection = false WHERE id = $1', [al.id]);
    const events = async () =>
      (
        await b.sql<{ e: string }>(
          `SELECT event || ':' || (context->>'previous_state') || '->' || (context->>'current_state') AS e
             FROM pem.notification_outbox WHERE alert_id = $1 ORDER BY id`,
          [al.id],
        )
      ).map((r) => r.e);
    const step = async (pct: number) => {
      await setLatest(b.admin, { agentId: 3, probe: 'memory', value: { used_pct: pct } });
      await makeDue(b.admin, { ids: [al.id] });
      await evaluateDueAlerts(a1, 1);
    };
    const w1 = await startMaintenance(b.admin, 'dba', {
      scope: 'group',
      group: 'payments',
      durationS: 600,
      reason: 'r',
    });
    // a group window covers the tagged servers, not the agent's own alerts
    await step(99);
    assert.deepEqual(await events(), ['raised:none->high']);
    await stopMaintenance(b.admin, 'dba', w1.id);
    const w2 = await startMaintenance(b.admin, 'dba', { scope: 'fleet', durationS: 600, reason: 'r' });
    await step(87); // high -> low: withheld
    await stopMaintenance(b.admin, 'dba', w2.id);
    await step(87);
    assert.deepEqual(
      await events(),
      ['raised:none->high', 'changed:high->low'],
      'the change, against the last one sent',
    );
    const w3 = await startMaintenance(b.admin, 'dba', { scope: 'fleet', durationS: 600, reason: 'r' });
    await step(10); // cleared during the window: withheld, never sent
    await stopMaintenance(b.admin, 'dba', w3.id);
    await step(10);
    await step(10);
    assert.deepEqual(await events(), ['raised:none->high', 'changed:high->low']);
    assert.equal((await getMaintenance(b.admin, w3.id)).status, 'stopped');
  });
});
