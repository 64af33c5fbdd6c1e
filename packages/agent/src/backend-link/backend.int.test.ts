/**
 * The agent's probe contract with a real backend (migration 004, the
 * machine's PostgreSQL): the catalog and per-object settings, ingest that
 * stores change points for slowly changing probes, counter rates that never
 * go negative, the probe log; and a running agent that picks a settings
 * change up within one short wait, logs a missing privilege as a probe
 * failure, stores an unchanged server_info once, and runs the backend jobs.
 *
 * Addresses: 127.0.11.241 backend (pem), 127.0.11.242 monitored server.
 */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { migrate } from '@pharos/backend/migrations/run';
import { HaConnection } from '@pharos/core/ha/connection';
import { createLogger } from '@pharos/core/log';
import { startPostgres, type TestPostgres } from '@pharos/testkit/postgres/postgres-server';
import { waitFor } from '@pharos/testkit/wait/wait-for';
import { parseAgentConfig } from '../config.js';
import { ProbeSettings } from '../monitor/probe-settings.js';
import { ALL_PROBES } from '../probes/catalog.js';
import { runAgent } from '../run.js';
import type { Sample } from '../sample.js';
import { shipBatch } from '../ship/ship-batch.js';
import { checkCatalog, ProbeLogQueue, readProbeConfig } from './backend-sync.js';

const BACKEND = '127.0.11.241';
/** A year gone by: fixed times on a UTC day boundary for the samples below (the backend refuses samples stamped ahead of its clock). */
const PAST_YEAR = new Date().getUTCFullYear() - 1;
const MONITORED = '127.0.11.242';

let backend: TestPostgres;
let monitored: TestPostgres;
let admin: HaConnection;
let agent: HaConnection;
let dir: string;
let nextId = 1;

const q = async <R = Record<string, unknown>>(sql: string, params?: unknown[]) =>
  (await admin.query<R>(sql, params)).rows;
const agentString = () =>
  `host=${BACKEND} port=5432 dbname=pem user=agent1 password=agent-pw target_session_attrs=read-write`;

async function ship(samples: Omit<Sample, 'sampleId'>[]): Promise<void> {
  const withIds = samples.map((s) => ({ ...s, sampleId: nextId++ }));
  await shipBatch(
    agent,
    1,
    {
      batchId: crypto.randomUUID(),
      firstSampleId: withIds[0]!.sampleId,
      lastSampleId: withIds.at(-1)!.sampleId,
      samples: withIds,
    },
    10_000,
  );
}

const at = (base: Date, seconds: number) => new Date(base.getTime() + seconds * 1000).toISOString();

describe('probes and the backend (migration 004)', { timeout: 120_000 }, () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pharos-backend-probes-'));
    [backend, monitored] = await Promise.all([
      startPostgres({ address: BACKEND }),
      startPostgres({ address: MONITORED }),
    ]);
    await backend.psql('CREATE DATABASE pem');
    admin = new HaConnection({ conninfo: backend.conninfo('postgres', 'pem') });
    await migrate((fn) => admin.transaction(fn));
    await backend.psql(`CREATE ROLE agent1 LOGIN PASSWORD 'agent-pw' IN ROLE pem_agent;
                        CREATE ROLE agent2 LOGIN PASSWORD 'agent-pw' IN ROLE pem_agent;`);
    await monitored.psql("CREATE ROLE monitor LOGIN PASSWORD 'monitor-pw' IN ROLE pg_monitor");
    await q(`INSERT INTO pem.agent (id, user_name, display_name) VALUES (1, 'agent1', 'one'), (2, 'agent2', 'two');
             INSERT INTO pem.server (id, display_name, host, port, is_pem_backend) VALUES
               (1, 'monitored', '${MONITORED}', 5432, false), (2, 'backend', '${BACKEND}', 5432, true);
             INSERT INTO pem.server_binding (server_id, agent_id, host, port, user_name, sslmode) VALUES
               (1, 1, '${MONITORED}', 5432, 'monitor', 'disable'), (2, 1, '${BACKEND}', 5432, 'monitor', 'disable')`);
    agent = new HaConnection({ conninfo: agentString() });
  });

  after(async () => {
    await agent?.close();
    await admin?.close();
    await Promise.all([monitored?.stop(), backend?.stop()]);
    await rm(dir, { recursive: true, force: true });
  });

  it('finds the catalogue shipped with the backend, and cannot change it', async () => {
    // the migration runner merged the release's catalogue (packages/backend/sql/catalogue/probes.sql)
    assert.equal(await checkCatalog(agent, 1, ALL_PROBES), 0);
    const [p] = await q<{
      history_mode: string;
      counter_columns: string[];
      runs_on: string;
      columns: unknown[];
    }>("SELECT history_mode, counter_columns, runs_on, columns FROM pem.probe WHERE name = 'server_info'");
    assert.equal(p!.history_mode, 'changes');
    assert.equal(p!.columns.length, 10);
    const [d] = await q<{ counter_columns: string[] }>(
      "SELECT counter_columns FROM pem.probe WHERE name = 'database_stats'",
    );
    assert.ok(d!.counter_columns.includes('xact_commit'));
    assert.equal(
      (await q<{ r: string }>("SELECT runs_on AS r FROM pem.probe WHERE name = 'replication_conflicts'"))[0]!
        .r,
      'standby',
    );
    const before = await q('SELECT * FROM pem.probe ORDER BY name');
    const changed = ALL_PROBES.map((x) => ({
      ...x,
      description: 'rewritten by an agent',
      defaultOn: 'pem_backends' as const,
    }));
    const extra = { ...ALL_PROBES[0]!, name: 'agent_made_probe' };
    assert.equal(await checkCatalog(agent, 1, [...changed, extra]), 1, 'one probe the backend lacks');
    assert.deepEqual(await q('SELECT * FROM pem.probe ORDER BY name'), before, 'pem.probe unchanged');
    await assert.rejects(checkCatalog(admin, 1, ALL_PROBES), /may not define probes/);
  });

  it('gives each agent its settings: defaults, overrides per agent/server/database, Patroni on PEM backends', async () => {
    await q(`INSERT INTO pem.probe_override (probe, agent_id, interval_s) VALUES ('cpu', 1, 5);
             INSERT INTO pem.probe_override (probe, server_id, enabled) VALUES ('locks', 1, false);
             INSERT INTO pem.probe_override (probe, server_id, database, interval_s) VALUES ('table_stats', 1, 'app', 60);
             INSERT INTO pem.probe_override (probe, agent_id, enabled) VALUES ('locks', 2, false)`);
    const s = new ProbeSettings();
    s.update(await readProbeConfig(agent, 1));
    const get = (name: string, server: number, db?: string) =>
      s.get(ALL_PROBES.find((p) => p.name === name)!, server, db);
    assert.deepEqual(get('cpu', 0), { enabled: true, intervalS: 5 });
    assert.equal(get('locks', 1).enabled, false);
    assert.equal(get('locks', 2).enabled, true, "agent 2's override is not agent 1's");
    assert.equal(get('table_stats', 1, 'app').intervalS, 60);
    assert.equal(get('table_stats', 1, 'other').intervalS, 300);
    assert.equal(get('patroni_node', 2).enabled, true, 'server 2 is a PEM backend');
    assert.equal(get('patroni_node', 1).enabled, false);
    assert.equal(get('hba_rules', 1).enabled, false);
    const other = new HaConnection({ conninfo: agentString().replace('user=agent1', 'user=agent2') });
    try {
      assert.deepEqual(await readProbeConfig(other, 1), [], 'agent 2 cannot read agent 1');
    } finally {
      await other.close();
    }
    await q('DELETE FROM pem.probe_override');
  });

  it('stores change points of slowly changing probes, always moves the latest value, accounts for every sample', async () => {
    const t = new Date(Date.UTC(PAST_YEAR, 0, 1, 23, 59, 0));
    const info = { role: 'primary', timeline: 1 };
    const s = (sec: number, value: Record<string, unknown>) => ({
      probe: 'server_info',
      serverId: 1,
      object: '',
      collectedAt: at(t, sec),
      value: value as Sample['value'],
    });
    await ship([s(0, info), s(10, info), s(20, info), s(30, { ...info, timeline: 2 })]);
    await ship([
      s(40, { ...info, timeline: 2 }),
      s(50, { ...info, timeline: 2 }),
      s(70, { ...info, timeline: 2 }),
    ]);
    const h = await q<{ t: Date; tl: number }>(
      "SELECT collected_at AS t, (value->>'timeline')::int AS tl FROM pemhistory.sample WHERE probe = 'server_info' ORDER BY 1",
    );
    assert.deepEqual(
      h.map((r) => [(r.t.getTime() - t.getTime()) / 1000, r.tl]),
      [
        [0, 1],
        [30, 2],
        [70, 2], // the first sample of the next UTC day is kept, so every daily partition has the value in force
      ],
    );
    const [l] = await q<{ c: Date; p: Date }>(
      "SELECT collected_at AS c, prev_collected_at AS p FROM pemdata.latest WHERE probe = 'server_info'",
    );
    assert.equal((l!.c.getTime() - t.getTime()) / 1000, 70);
    assert.equal((l!.p.getTime() - t.getTime()) / 1000, 50);
    const b = await q<{ n: number; s: number }>(
      'SELECT sample_count AS n, stored_count AS s FROM pem.ship_batch WHERE agent_id = 1 ORDER BY first_sample_id',
    );
    assert.deepEqual(
      b.map((r) => [r.n, r.s]),
      [
        [4, 2],
        [3, 1],
      ],
    );
  });

  it('gives counter rates that never go negative across a reset', async () => {
    const t = new Date(Date.UTC(PAST_YEAR, 0, 2, 12, 0, 0));
    const db = (sec: number, commits: number, reset = `${PAST_YEAR}-01-01T00:00:00.000Z`) => ({
      probe: 'database_stats',
      serverId: 1,
      object: '',
      collectedAt: at(t, sec),
      value: {
        xact_commit: commits,
        blks_read: '90071992547409930',
        stats_reset: reset,
        hit_ratio_pct: null,
      },
    });
    const rate = async () =>
      (
        await q<{ rates: Record<string, number | null> | null; reset: boolean }>(
          "SELECT rates, reset FROM pemdata.latest_rate WHERE agent_id = 1 AND server_id = 1 AND probe = 'database_stats'",
        )
      )[0]!;
    await ship([db(0, 100)]);
    assert.equal((await rate()).rates, null, 'one sample: no rate yet');
    await ship([db(10, 150)]);
    assert.equal((await rate()).rates!.xact_commit, 5);
    assert.equal((await rate()).rates!.blks_read, 0, 'bigints beyond 2^53 travel as strings and still count');
    await ship([db(20, 30)]);
    assert.equal(
      (await rate()).rates!.xact_commit,
      null,
      'went down (restart or reset): a gap, not a negative rate',
    );
    await ship([db(30, 5000, `${PAST_YEAR}-01-02T12:00:25.000Z`)]);
    const r = await rate();
    assert.equal(r.rates!.xact_commit, null, 'stats_reset changed: not comparable even though it went up');
    assert.equal(r.reset, true);
    await ship([db(40, 5100, `${PAST_YEAR}-01-02T12:00:25.000Z`)]);
    assert.equal((await rate()).rates!.xact_commit, 10);
    const h = await q<{ rates: Record<string, number | null> | null }>(
      `SELECT rates FROM pem.history_rates(1, 'database_stats', '${PAST_YEAR}-01-02', '${PAST_YEAR}-01-03')`,
    );
    assert.deepEqual(
      h.map((x) => x.rates?.xact_commit ?? null),
      [null, 5, null, null, 10],
    );
  });

  it('writes probe failures to the probe log in batches, as the agent only', async () => {
    const log = new ProbeLogQueue();
    log.push({
      serverId: 1,
      probe: 'hba_rules',
      object: '',
      error: 'permission denied for view pg_hba_file_rules',
      code: '42501',
      failedAt: new Date().toISOString(),
    });
    log.push({
      serverId: 0,
      probe: 'disk_space',
      object: '',
      error: 'EACCES',
      failedAt: new Date().toISOString(),
    });
    assert.equal(await log.flush(agent, 1), 2);
    const rows = await q<{ probe: string; code: string | null; server_id: number }>(
      'SELECT probe, code, server_id FROM pem.probe_log ORDER BY id',
    );
    assert.deepEqual(rows, [
      { probe: 'hba_rules', code: '42501', server_id: 1 },
      { probe: 'disk_space', code: null, server_id: 0 },
    ]);
    log.push({ serverId: 1, probe: 'x', object: '', error: 'e', failedAt: new Date().toISOString() });
    await assert.rejects(log.flush(agent, 2), /may not log probe failures for agent 2/);
  });

  it('runs as an agent: picks settings up within one short wait, logs a missing privilege, stores unchanged values once, runs the jobs', async () => {
    await q('DELETE FROM pemhistory.sample; DELETE FROM pemdata.latest; DELETE FROM pem.probe_log');
    await q('DELETE FROM pem.server_binding WHERE server_id = 2; UPDATE pem.job SET last_run_at = NULL');
    await q(`INSERT INTO pem.probe_override (probe, server_id, interval_s) VALUES ('server_info', 1, 1), ('locks', 1, 1);
             INSERT INTO pem.probe_override (probe, server_id, enabled) VALUES ('hba_rules', 1, true);
             INSERT INTO pem.probe_override (probe, agent_id, interval_s) VALUES ('probe_stats', 1, 1)`);
    const passfile = join(dir, 'pgpass');
    await writeFile(passfile, '*:*:*:monitor:monitor-pw\n');
    await chmod(passfile, 0o600);
    const handle = await runAgent(
      parseAgentConfig({
        agent_id: 1,
        agent_user: 'agent1',
        backend: agentString(),
        spool_dir: join(dir, 'spool'),
        probe_interval_s: 1,
        short_wait_s: 1,
        long_wait_s: 2,
        passfile,
      }),
      { logger: createLogger('agent', { level: process.env.PHAROS_LOG_LEVEL ?? 'silent' }), batchSize: 500 },
    );
    const count = async (probe: string) =>
      Number(
        (
          await q<{ n: string }>(
            'SELECT count(*) AS n FROM pemhistory.sample WHERE server_id = 1 AND probe = $1',
            [probe],
          )
        )[0]!.n,
      );
    try {
      await waitFor('four runs of locks (9 modes per run)', async () => (await count('locks')) >= 9 * 4, {
        deadlineMs: 20_000,
      });
      // a missing privilege: a per-probe error in the probe log, the rest goes on
      const [f] = await q<{ code: string; error: string }>(
        "SELECT code, error FROM pem.probe_log WHERE probe = 'hba_rules' AND server_id = 1 LIMIT 1",
      );
      assert.equal(f?.code, '42501', JSON.stringify(f));
      // server_info did not change: one history row, the latest value keeps moving
      assert.equal(await count('server_info'), 1);
      const [b] = await q<{ n: string; s: string }>(
        'SELECT sum(sample_count) AS n, sum(stored_count) AS s FROM pem.ship_batch WHERE agent_id = 1 AND stored_count IS NOT NULL',
      );
      assert.ok(Number(b!.n) > Number(b!.s), 'some samples took no history space');
      const [l] = await q<{ age: number }>(
        "SELECT extract(epoch FROM now() - collected_at) AS age FROM pemdata.latest WHERE server_id = 1 AND probe = 'server_info'",
      );
      assert.ok(l!.age < 3, `latest server_info ${l!.age} s old`);
      // switch locks off for this server: no new runs after one short wait
      await q(
        "UPDATE pem.probe_override SET interval_s = NULL, enabled = false WHERE probe = 'locks' AND server_id = 1",
      );
      // switched off at t0: once the agent has monitored 5 s more (server_info's latest value, every
      // second, collected after t0 + 5 s), no locks run started after t0 + 2.5 s (one short wait, one tick)
      const t0 = (await q<{ t0: Date }>('SELECT clock_timestamp() AS t0'))[0]!.t0;
      await waitFor('server_info collected 5 s after locks was switched off', async () => {
        const [r] = await q<{ later: boolean }>(
          "SELECT collected_at > $1::timestamptz + interval '5 s' AS later FROM pemdata.latest WHERE server_id = 1 AND probe = 'server_info'",
          [t0],
        );
        return r?.later === true;
      });
      const [late] = await q<{ n: string }>(
        "SELECT count(*) AS n FROM pemhistory.sample WHERE server_id = 1 AND probe = 'locks' AND collected_at > $1::timestamptz + interval '2.5 s'",
        [t0],
      );
      assert.equal(late!.n, '0', 'disabled within one short wait');
      // the backend's jobs ran, through the agent
      // (alert_housekeeping runs in the alert worker, not here)
      const jobsSql =
        "SELECT name, last_status, last_error FROM pem.job WHERE name <> 'alert_housekeeping' ORDER BY name";
      const allOk = (rows: { last_status: string }[]) => rows.every((j) => j.last_status === 'ok');
      await waitFor(
        'every backend job to have run ok',
        async () => allOk(await q<{ last_status: string }>(jobsSql)),
        {
          deadlineMs: 10_000,
        },
      ).catch(() => undefined); // the assertion below names the job that did not
      const jobs = await q<{ name: string; last_status: string; last_error: string | null }>(jobsSql);
      assert.deepEqual(
        jobs.map((j) => [j.name, j.last_status]),
        [
          ['agent_task_retention', 'ok'],
          ['history_compact', 'ok'],
          ['history_partitions', 'ok'],
          ['history_retention', 'ok'],
          ['history_rollup', 'ok'],
          ['ship_batch_retention', 'ok'],
        ],
        JSON.stringify(jobs),
      );
      const st = await handle.status();
      assert.ok(st.probeErrors >= 1);
      const [ps] = await q<{ v: { runs: number; failures: number } }>(
        "SELECT value AS v FROM pemdata.latest WHERE server_id = 0 AND probe = 'probe_stats' AND object = 'hba_rules'",
      );
      assert.ok(
        ps && ps.v.failures >= 1 && ps.v.runs >= ps.v.failures,
        `probe_stats counts the failures: ${JSON.stringify(ps)}`,
      );
    } finally {
      await handle.stop();
    }
  });
});
