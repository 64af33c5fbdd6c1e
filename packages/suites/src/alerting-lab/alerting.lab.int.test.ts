/**
 * Issue 8's acceptance against the real lab (startTestLab, prefix 127.0.12:
 * etcd, Patroni, PostgreSQL, six agents, three web instances, and the lab's
 * fleet: three more hosts with enrolled agents) with a real
 * webhook receiver on 127.0.12.60. The backend agents evaluate and notify.
 *
 * - Stop an agent (by its PID in lab.json): Agent Down fires (low, medium,
 *   high); start it again with lab.json's command: it clears. Each
 *   notification arrives once.
 * - Pause Patroni: "Patroni: cluster paused" fires; resume: it clears.
 * - Exhaust a standby's connections to ~90 %: "Total connections" fires at
 *   Medium and clears when they close. Hold a standby's replay back
 *   (recovery_min_apply_delay) and write 80+ MiB of WAL: "Replica lag (bytes)"
 *   fires at Medium; release it: it clears.
 * - A switchover in the middle of a stream of notifications (alerts that
 *   flip every 16 s, evaluated every 8 s, every evaluation logged): every
 *   outbox row is delivered, each key exactly once (none lost, none
 *   doubled), and every alert's evaluation log has one row per 5-s slot with
 *   no gap and no repeat across the switchover.
 *
 */
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HaConnection } from '@pharos/core/ha/connection';
import * as patroni from '@pharos/ops/lab/patroni-api';
import * as processes from '@pharos/ops/lab/processes';
import { startTestLab, type TestLab } from '@pharos/ops/testing/test-lab';
import { startWebhookReceiver, type WebhookReceiver } from '@pharos/testkit/receivers/webhook-receiver';
import { waitFor } from '@pharos/testkit/wait/wait-for';

type Lab = TestLab;

describe('alerts in the lab: agent down, Patroni paused, connections, replica lag, switchover', {
  timeout: 600_000,
}, () => {
  let lab: Lab;
  let hook: WebhookReceiver;
  let db: HaConnection;
  // Patroni's REST API of a secured lab: https, and the REST password for unsafe methods.
  const ops = {
    ...processes,
    getCluster: (addr: string) => patroni.getCluster(addr, lab.access.patroni),
    switchover: (addr: string, leader: string, candidate: string) =>
      patroni.switchover(addr, leader, candidate, lab.access.patroni),
    patchConfig: (addr: string, change: unknown) => patroni.patchConfig(addr, change, lab.access.patroni),
  };
  const restarted: { pid: number; startTicks: number }[] = [];
  const sql = async <R = Record<string, unknown>>(text: string, params: unknown[] = []) =>
    (await db.query<R>(text, params, { deadlineMs: 20_000 })).rows;
  const got = (name: string, object: string, state: string, event?: string) =>
    hook.received.find(
      (r) =>
        (r.body.alert as { name: string }).name === name &&
        (r.body.object as { name: string }).name === object &&
        r.body.state === state &&
        (event === undefined || r.body.event === event),
    );

  before(async () => {
    const t0 = Date.now();
    // the receiver is on loopback: only webhook_allow in the agents' agent.yml admits it
    lab = await startTestLab({
      name: 'alerts',
      prefix: '127.0.12',
      probeIntervalS: 2,
      webhookAllow: ['127.0.12.60'],
    });
    console.log(`# lab up in ${Date.now() - t0} ms`);
    hook = await startWebhookReceiver('127.0.12.60');
    const hosts = lab.topo.backends.map((b) => b.address).join(',');
    db = new HaConnection({
      conninfo: `host=${hosts} port=${lab.topo.postgres.port} dbname=pem user=patroni_super sslmode=prefer connect_timeout=3 target_session_attrs=read-write application_name=pharos-alert-lab-test`,
      env: { PGPASSWORD: lab.secrets.patroni_super },
      queryTimeoutMs: 20_000,
    });
    // only the alerts under test, fast; one webhook to the receiver
    await sql('UPDATE pem.alert SET enabled = false');
    await sql(
      "UPDATE pem.alert SET enabled = true, interval_s = 2, low = 6, medium = 10, high = 15, flap_detection = false WHERE template = 'Agent Down'",
    );
    await sql(
      "INSERT INTO pem.webhook (name, url, timeout_ms, max_retries) VALUES ('lab receiver', $1, 3000, 20)",
      [hook.url],
    );
  });

  after(async () => {
    for (const p of restarted) await ops?.stopProcess(p, 10_000).catch(() => {});
    await db?.close().catch(() => {});
    await hook?.close();
    await lab?.down();
  });

  it('Agent Down fires when an agent stops, level by level, and clears when it runs again', async () => {
    const proc = lab.state.processes.find((p) => p.kind === 'agent' && p.host === 'pem-web-1')!;
    const [agent] = await sql<{ id: number }>('SELECT id FROM pem.agent WHERE display_name = $1', [
      'pem-web-1',
    ]);
    assert.ok(agent, 'the pem-web-1 agent is registered');
    await waitFor(
      'the backend agents evaluating',
      async () =>
        (
          await sql<{ n: number }>(
            "SELECT count(*)::int AS n FROM pem.alert WHERE template = 'Agent Down' AND evaluations > 0",
          )
        )[0]!.n >= 6,
      { deadlineMs: 30_000 },
    );
    assert.equal(hook.received.length, 0, 'nothing fires while every agent runs');
    const t0 = Date.now();
    assert.ok(await ops.stopProcess(proc, 10_000), 'agent stopped');
    await waitFor('Agent Down high', async () => got('Agent Down', 'pem-web-1', 'high'), {
      deadlineMs: 40_000,
    });
    const fired = Date.now() - t0;
    assert.ok(got('Agent Down', 'pem-web-1', 'low', 'raised'));
    assert.ok(got('Agent Down', 'pem-web-1', 'medium', 'changed'));
    const [cmd, ...args] = proc.command;
    const cfg = args[args.indexOf('--config') + 1]!;
    const p = await ops.spawnDetached([cmd!, ...args], {
      env: process.env,
      cwd: dirname(cfg),
      logFile: proc.logFile,
    });
    restarted.push(p);
    await waitFor('Agent Down cleared', async () => got('Agent Down', 'pem-web-1', 'none', 'cleared'), {
      deadlineMs: 40_000,
    });
    console.log(
      `# Agent Down high ${fired} ms after the stop; cleared ${Date.now() - t0 - fired} ms after the restart`,
    );
    const mine = hook.received.filter((r) => (r.body.object as { name: string }).name === 'pem-web-1');
    assert.deepEqual(
      mine.map((r) => `${r.body.event}:${r.body.state}`),
      ['raised:low', 'changed:medium', 'changed:high', 'cleared:none'],
    );
    assert.equal(hook.duplicates().length, 0);
    const others = hook.received.filter((r) => (r.body.object as { name: string }).name !== 'pem-web-1');
    assert.deepEqual(
      others.map((r) => (r.body.object as { name: string }).name),
      [],
      'no other agent looked down',
    );
  });

  it('"Patroni: cluster paused" fires when Patroni is paused and clears on resume', async () => {
    const fresh = async () =>
      (
        await sql<{ n: number }>(
          "SELECT count(*)::int AS n FROM pemdata.latest WHERE probe = 'patroni_cluster' AND collected_at > now() - interval '30 seconds'",
        )
      )[0]!.n > 0;
    await waitFor('patroni_cluster samples from the backend agents', fresh, { deadlineMs: 30_000 });
    await sql(
      "UPDATE pem.alert SET enabled = true, interval_s = 2 WHERE template = 'Patroni: cluster paused'",
    );
    const leaderAddr = lab.topo.backends[0]!.address;
    await ops.patchConfig(leaderAddr, { pause: true });
    try {
      await waitFor(
        'cluster paused alert',
        async () => got('Patroni: cluster paused', 'pem-backend-1', 'medium', 'raised') ?? false,
        { deadlineMs: 40_000 },
      );
    } finally {
      await ops.patchConfig(leaderAddr, { pause: false });
    }
    await waitFor(
      'cluster paused cleared',
      async () => got('Patroni: cluster paused', 'pem-backend-1', 'none', 'cleared') ?? false,
      { deadlineMs: 40_000 },
    );
    await sql("UPDATE pem.alert SET enabled = false WHERE template = 'Patroni: cluster paused'");
  });

  /** A session on one backend directly (not through the multi-host string). */
  const direct = (address: string, app: string) =>
    new HaConnection({
      conninfo: `host=${address} port=${lab.topo.postgres.port} dbname=postgres user=patroni_super sslmode=prefer connect_timeout=3 application_name=${app}`,
      env: { PGPASSWORD: lab.secrets.patroni_super },
      queryTimeoutMs: 60_000,
    });

  it('"Total connections" fires at Medium when a standby\'s connections are exhausted to ~90 %, and clears', async () => {
    const standby = lab.topo.backends[1]!;
    const probeConn = direct(standby.address, 'pharos-alert-lab-count');
    const held: HaConnection[] = [];
    try {
      const [m] = (
        await probeConn.query<{ max: number; used: number }>(
          "SELECT current_setting('max_connections')::int AS max, (SELECT count(*)::int FROM pg_stat_activity WHERE backend_type = 'client backend') AS used",
        )
      ).rows;
      // Thresholds 75/85/95 %: aim at 90 %, five connections from either edge.
      const open = Math.floor(0.9 * m!.max) - m!.used;
      assert.ok(open > 0, `room for ${open} more connections (max ${m!.max}, used ${m!.used})`);
      await sql(
        "UPDATE pem.alert SET enabled = true, interval_s = 2, flap_detection = false WHERE template = 'Total connections'",
      );
      for (let i = 0; i < open; i++) {
        const c = direct(standby.address, `pharos-alert-lab-hold-${i}`);
        held.push(c);
        await c.query('SELECT 1');
      }
      await waitFor(
        'Total connections medium',
        async () => got('Total connections', standby.name, 'medium'),
        { deadlineMs: 60_000 },
      );
      assert.equal(got('Total connections', standby.name, 'high'), undefined, 'not High at ~90 %');
    } finally {
      for (const c of held) await c.close().catch(() => {});
      await probeConn.close();
    }
    await waitFor(
      'Total connections cleared',
      async () => got('Total connections', standby.name, 'none', 'cleared'),
      { deadlineMs: 60_000 },
    );
    await sql("UPDATE pem.alert SET enabled = false WHERE template = 'Total connections'");
    assert.equal(hook.duplicates().length, 0);
  });

  it('"Replica lag (bytes)" fires at Medium when a standby\'s replay is held back, and clears when it catches up', async () => {
    // Patroni resumes a replay paused with pg_wal_replay_pause() (not in
    // maintenance mode), so replay is held back the way an operator would:
    // recovery_min_apply_delay through Patroni's dynamic configuration.
    const standby = lab.topo.backends[2]!;
    const leaderAddr = lab.topo.backends[0]!.address;
    const onStandby = direct(standby.address, 'pharos-alert-lab-lag');
    const lagBytes = async () => {
      const [r] = (
        await onStandby.query<{ lag: string | null; delay: string }>(
          "SELECT pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()) AS lag, current_setting('recovery_min_apply_delay') AS delay",
        )
      ).rows;
      return { lag: r!.lag === null ? null : Number(r!.lag), delay: r!.delay };
    };
    await sql(
      "UPDATE pem.alert SET enabled = true, interval_s = 2, flap_detection = false WHERE template = 'Replica lag (bytes)'",
    );
    try {
      await ops.patchConfig(leaderAddr, { postgresql: { parameters: { recovery_min_apply_delay: '1h' } } });
      await waitFor(
        'recovery_min_apply_delay on the standby',
        async () => (await lagBytes()).delay === '1h',
        { deadlineMs: 40_000 },
      );
      await sql('CREATE TABLE IF NOT EXISTS public.alert_lab_wal (g int, pad text)');
      // Thresholds 16/64/256 MiB: write WAL (about 10 MiB a round) until the standby is 80+ MiB behind.
      let lag = 0;
      for (let round = 0; round < 30 && lag < 80 * 1048576; round++) {
        await sql(
          "INSERT INTO public.alert_lab_wal SELECT g, repeat('x', 500) FROM generate_series(1, 20000) g",
        );
        lag = (await lagBytes()).lag ?? 0;
      }
      assert.ok(
        lag >= 80 * 1048576 && lag < 200 * 1048576,
        `standby ${lag} bytes behind: between Medium and High`,
      );
      await waitFor(
        'Replica lag (bytes) medium',
        async () => got('Replica lag (bytes)', standby.name, 'medium'),
        { deadlineMs: 60_000 },
      );
    } finally {
      await ops.patchConfig(leaderAddr, { postgresql: { parameters: { recovery_min_apply_delay: null } } });
      await sql('DROP TABLE IF EXISTS public.alert_lab_wal').catch(() => {});
    }
    await waitFor(
      'Replica lag (bytes) cleared',
      async () => got('Replica lag (bytes)', standby.name, 'none', 'cleared'),
      { deadlineMs: 90_000 },
    );
    await onStandby.close();
    await sql("UPDATE pem.alert SET enabled = false WHERE template = 'Replica lag (bytes)'");
    assert.equal(hook.duplicates().length, 0);
  });

  it('carries on through a switchover: every notification delivered once, every slot evaluated once', async () => {
    await sql(
      `INSERT INTO pem.alert_template (name, level, sql, operator, low, medium, high, interval_s, auto_bind)
       VALUES ('Lab toggle', 'agent', 'SELECT (floor(extract(epoch FROM now()) / 16)::int % 2)::float8 AS value', '>', 0, 0, 0, 8, false)`,
    );
    await sql(
      `INSERT INTO pem.alert (template, agent_id, object, operator, low, medium, high, interval_s, flap_detection, log_evaluations, next_due)
       SELECT 'Lab toggle', a.id, 'o' || i, '>', 0, 0, 0, 8, false, true, date_trunc('second', now()) + interval '2 seconds'
         FROM pem.agent a, generate_series(1, 3) i`,
    );
    // three per agent: the deployment's six and the lab fleet's enrolled agents
    const [{ n: toggles }] = (await sql<{ n: number }>(
      "SELECT count(*)::int AS n FROM pem.alert WHERE template = 'Lab toggle'",
    )) as [{ n: number }];
    const [{ n: agentCount }] = (await sql<{ n: number }>('SELECT count(*)::int AS n FROM pem.agent')) as [
      { n: number },
    ];
    assert.equal(toggles, 3 * agentCount);
    assert.ok(agentCount >= 6, `${agentCount} agents`);
    const leader = await waitFor(
      'leader',
      async () => {
        for (const b of lab.topo.backends) {
          const c = await ops.getCluster(b.address).catch(() => undefined);
          const l = c?.members.find((m) => m.role === 'leader');
          if (l) return { name: l.name, address: lab.topo.backends.find((x) => x.name === l.name)!.address };
        }
        return undefined;
      },
      { deadlineMs: 10_000 },
    );
    const candidate = lab.topo.backends.find((b) => b.name !== leader.name)!.name;
    /** Waits until each of the toggle alerts has `n` logged evaluations due after `since` (and `also`). */
    const evaluated = (n: number, since: Date, also: () => boolean = () => true) =>
      waitFor(
        `${n} logged evaluations of each of the ${toggles} toggle alerts due after ${since.toISOString()}`,
        async () => {
          const [r] = await sql<{ n: number }>(
            `SELECT count(*)::int AS n FROM pem.alert al WHERE al.template = 'Lab toggle'
                AND (SELECT count(*) FROM pem.alert_evaluation_log l WHERE l.alert_id = al.id AND l.due_at > $1) >= $2`,
            [since, n],
          );
          return r!.n === toggles && also();
        },
        { deadlineMs: 120_000, intervalMs: 1000 },
      );
    // the stream runs before the switchover: three slots evaluated, notifications arriving
    await evaluated(3, new Date(0), () =>
      hook.received.some((r) => (r.body.alert as { name: string }).name === 'Lab toggle'),
    );
    const before = hook.received.length;
    const t0 = Date.now();
    await ops.switchover(leader.address, leader.name, candidate);
    await waitFor(
      'the new leader',
      async () => {
        const c = await ops.getCluster(lab.topo.backends.find((b) => b.name === candidate)!.address);
        return c.members.some((m) => m.name === candidate && m.role === 'leader');
      },
      { deadlineMs: 60_000 },
    );
    console.log(`# switchover ${leader.name} -> ${candidate} took ${Date.now() - t0} ms`);
    // and after it: three more slots each (16 s and more), and a flip's worth of notifications
    await evaluated(3, new Date(), () => hook.received.length - before >= toggles);
    await sql("UPDATE pem.alert SET enabled = false WHERE template = 'Lab toggle'");
    await waitFor(
      'every outbox row delivered',
      async () =>
        (
          await sql<{ n: number }>(
            "SELECT count(*)::int AS n FROM pem.notification_outbox WHERE status <> 'delivered'",
          )
        )[0]!.n === 0,
      { deadlineMs: 60_000 },
    );
    const keys = (
      await sql<{ k: string }>('SELECT idempotency_key AS k FROM pem.notification_outbox ORDER BY id')
    ).map((r) => r.k);
    const receivedKeys = hook.received.map((r) => r.key);
    assert.ok(
      hook.received.length - before >= toggles,
      `notifications flowed around the switchover (${hook.received.length - before})`,
    );
    assert.deepEqual(
      [...new Set(receivedKeys)].sort(),
      [...keys].sort(),
      'every outbox row arrived (none lost)',
    );
    assert.equal(hook.duplicates().length, 0, 'none arrived twice');
    assert.equal(receivedKeys.length, keys.length);
    const logs = await sql<{
      id: number;
      n: number;
      gaps: number;
      missed: string;
      agents: number;
      first: Date;
      last: Date;
    }>(
      `SELECT al.id, count(*)::int AS n, count(*) FILTER (WHERE l.due_at - l.prev <> interval '8 seconds')::int AS gaps,
              al.missed_slots AS missed, count(DISTINCT l.agent_id)::int AS agents, min(l.due_at) AS first, max(l.due_at) AS last
         FROM pem.alert al
         JOIN (SELECT *, lag(due_at) OVER (PARTITION BY alert_id ORDER BY due_at) AS prev FROM pem.alert_evaluation_log) l
           ON l.alert_id = al.id
        WHERE al.template = 'Lab toggle' GROUP BY al.id, al.missed_slots`,
    );
    assert.equal(logs.length, toggles);
    for (const l of logs) {
      assert.equal(l.gaps, 0, `alert ${l.id}: one evaluation per 8-s slot, none skipped`);
      assert.equal(l.missed, '0');
      assert.ok(l.first.getTime() < t0 && l.last.getTime() > t0 + 10_000, 'the log spans the switchover');
    }
    console.log(
      `# switchover: ${keys.length} notifications, ${logs.reduce((n, l) => n + l.n, 0)} logged evaluations, evaluating agents per alert: ${[...new Set(logs.map((l) => l.agents))].join(',')}`,
    );
  });
});
