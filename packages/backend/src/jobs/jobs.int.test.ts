/**
 * The history jobs of migration 004 on a real backend (the machine's
 * PostgreSQL) with a streaming standby: partitions created ahead (UTC days)
 * and late rows moved out of the default partition; retention per probe,
 * whole partitions dropped past the longest retention, the probe log kept
 * 30 days; jobs run only when due, only on the primary, by one caller at a
 * time. (The rollup job of migration 006 runs here too; what it computes is
 * tested in packages/web/src/api/series-rollup.int.test.ts.)
 *
 * Addresses: 127.0.11.245 primary, 127.0.11.246 standby.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HaConnection } from '@pharos/core/ha/connection';
import { startPostgres, startStandby, type TestPostgres } from '@pharos/testkit/postgres/postgres-server';
import { waitFor } from '@pharos/testkit/wait/wait-for';
import { migrate } from '../migrations/run.js';
import { type JobResult, runDueJobs, startJobLoop } from './run-jobs.js';

let primary: TestPostgres;
let standby: TestPostgres;
let admin: HaConnection;

const q = async <R = Record<string, unknown>>(sql: string, params?: unknown[]) =>
  (await admin.query<R>(sql, params)).rows;
const partitions = async () =>
  (
    await q<{ relname: string }>(
      `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'pemhistory.sample'::regclass ORDER BY 1`,
    )
  ).map((r) => r.relname);
const day = (offset: number) => {
  const d = new Date();
  d.setUTCHours(0, 0, 0, 0);
  d.setUTCDate(d.getUTCDate() + offset);
  return d;
};
const partName = (offset: number) => `sample_${day(offset).toISOString().slice(0, 10).replaceAll('-', '')}`;

/** Inserts one history row per (probe, day offset) directly (as the owner; ingest is tested elsewhere). */
async function history(rows: [string, number][]): Promise<void> {
  for (const [i, [probe, offset]] of rows.entries()) {
    await q(
      `INSERT INTO pemhistory.sample (agent_id, sample_id, server_id, probe, object, collected_at, value)
       VALUES (1, $1, 1, $2, '', $3, '{}')`,
      [1000 + i, probe, new Date(day(offset).getTime() + 3_600_000)],
    );
  }
}

describe('history jobs (partitions, retention) on the primary only', { timeout: 120_000 }, () => {
  before(async () => {
    primary = await startPostgres({ address: '127.0.11.245' });
    await primary.psql('CREATE DATABASE pem');
    admin = new HaConnection({ conninfo: primary.conninfo('postgres', 'pem') });
    await migrate((fn) => admin.transaction(fn));
    standby = await startStandby(primary, { address: '127.0.11.246' });
  });

  after(async () => {
    await admin?.close();
    await standby?.stop();
    await primary?.stop();
  });

  it('creates the partitions of today and 7 days ahead, and moves late rows out of the default partition', async () => {
    await q(
      "UPDATE pem.job SET last_run_at = NULL WHERE name IN ('history_compact', 'history_partitions', 'history_retention', 'history_rollup', 'ship_batch_retention')",
    );
    await history([
      ['cpu', -3],
      ['cpu', -3],
      ['cpu', -40],
    ]);
    assert.equal((await q<{ n: string }>('SELECT count(*) AS n FROM pemhistory.sample_default'))[0]!.n, '3');
    const r = await runDueJobs(admin);
    assert.deepEqual(
      r.map((x) => [x.job, x.status]),
      [
        ['agent_task_retention', 'ok'],
        ['history_compact', 'ok'],
        ['history_partitions', 'ok'],
        ['history_retention', 'ok'],
        ['history_rollup', 'ok'],
        ['ship_batch_retention', 'ok'],
      ],
    );
    const parts = await partitions();
    for (let i = 0; i <= 7; i++)
      assert.ok(parts.includes(partName(i)), `${partName(i)} in ${parts.join(', ')}`);
    assert.ok(parts.includes(partName(-3)), 'the late rows got their day');
    assert.equal((await q<{ n: string }>('SELECT count(*) AS n FROM pemhistory.sample_default'))[0]!.n, '0');
    assert.equal(
      (await q<{ n: string }>(`SELECT count(*) AS n FROM pemhistory.${partName(-3)}`))[0]!.n,
      '2',
      'moved, not lost',
    );
    // the partitions are readable by the web role like the others (default privileges)
    const [g] = await q<{ ok: boolean }>(
      `SELECT has_table_privilege('pem_web', 'pemhistory.${partName(-3)}', 'SELECT') AS ok`,
    );
    assert.equal(g!.ok, true);
  });

  it('runs a job only when it is due', async () => {
    const r = await runDueJobs(admin);
    assert.deepEqual(r, []);
    const forced = await runDueJobs(admin, { force: true });
    assert.deepEqual(
      forced.map((x) => x.job),
      [
        'agent_task_retention',
        'history_compact',
        'history_partitions',
        'history_retention',
        'history_rollup',
        'ship_batch_retention',
      ],
    );
  });

  it('runs a failed job again after 60 s, not after its whole interval', async () => {
    // history_partitions is hourly; 61 s ago it failed (as when it lost a deadlock with ingest)
    await q(
      `UPDATE pem.job SET last_run_at = now() - interval '61 seconds', last_status = 'failed',
              last_error = 'deadlock detected' WHERE name = 'history_partitions'`,
    );
    const r = await runDueJobs(admin);
    assert.deepEqual(
      r.map((x) => `${x.job} ${x.status}`),
      ['history_partitions ok'],
    );
    // the same 61 s after a success: not due
    await q(
      `UPDATE pem.job SET last_run_at = now() - interval '61 seconds' WHERE name = 'history_partitions'`,
    );
    assert.deepEqual(await runDueJobs(admin), []);
  });

  it('deletes ship_batch rows past 7 days except the newest of each agent (the only one a retry can match)', async () => {
    await q(
      `INSERT INTO pem.agent (id, user_name, display_name) VALUES (1, 'agent1', 'a1'), (2, 'agent2', 'a2') ON CONFLICT DO NOTHING`,
    );
    await q('DELETE FROM pem.ship_batch');
    // agent 1: two old batches and a recent one; agent 2: only old batches
    await q(`INSERT INTO pem.ship_batch (agent_id, batch_id, first_sample_id, last_sample_id, sample_count, received_at) VALUES
               (1, gen_random_uuid(), 1, 10, 10, now() - interval '9 days'),
               (1, gen_random_uuid(), 11, 20, 10, now() - interval '8 days'),
               (1, gen_random_uuid(), 21, 30, 10, now() - interval '1 day'),
               (2, gen_random_uuid(), 1, 10, 10, now() - interval '30 days'),
               (2, gen_random_uuid(), 11, 20, 10, now() - interval '20 days')`);
    const [r] = (await runDueJobs(admin, { force: true })).filter((x) => x.job === 'ship_batch_retention');
    assert.deepEqual([r!.status, r!.detail], ['ok', '3 ship_batch rows deleted']);
    const left = await q<{ agent_id: number; last_sample_id: string }>(
      'SELECT agent_id, last_sample_id FROM pem.ship_batch ORDER BY agent_id, last_sample_id',
    );
    assert.deepEqual(
      left.map((x) => [x.agent_id, Number(x.last_sample_id)]),
      [
        [1, 30],
        [2, 20],
      ],
    );
  });

  it('applies retention per probe and drops partitions past the longest retention', async () => {
    // the longest retention is 30 days: every probe of the shipped catalogue keeps 30, statements 2
    await q(`UPDATE pem.probe SET retention_days = 30;
             INSERT INTO pem.probe (name, level, interval_s, retention_days) VALUES
               ('cpu', 'agent', 10, 30), ('statements', 'server', 60, 2)
             ON CONFLICT (name) DO UPDATE SET retention_days = excluded.retention_days`);
    await history([
      ['statements', -5],
      ['statements', 0],
      ['cpu', -5],
    ]);
    await q(
      `INSERT INTO pem.agent (id, user_name, display_name) VALUES (1, 'agent1', 'a1') ON CONFLICT DO NOTHING`,
    );
    await q(`INSERT INTO pem.probe_log (agent_id, server_id, probe, object, failed_at, error) VALUES
               (1, 1, 'x', '', now() - interval '31 days', 'old'), (1, 1, 'x', '', now(), 'new')`);
    await runDueJobs(admin, { force: true }); // partitions for the rows just written
    const [r] = (await runDueJobs(admin, { force: true })).filter((x) => x.job === 'history_retention');
    const detail = JSON.parse(r!.detail) as Record<string, number>;
    assert.equal(detail.longest_retention_days, 30);
    const parts = await partitions();
    assert.ok(!parts.includes(partName(-40)), 'older than every retention: dropped');
    assert.ok(parts.includes(partName(-5)));
    const left = await q<{ probe: string; d: string }>(
      `SELECT probe, (collected_at AT TIME ZONE 'UTC')::date::text AS d FROM pem.history_samples(NULL, NULL, '-infinity', 'infinity') WHERE sample_id >= 1000 ORDER BY 1, 2`,
    );
    assert.deepEqual(
      left.map((x) => x.probe),
      ['cpu', 'cpu', 'cpu', 'statements'],
      'statements kept 2 days: the 5-day-old row is gone, cpu kept 30 days',
    );
    assert.deepEqual(
      (await q<{ error: string }>('SELECT error FROM pem.probe_log ORDER BY id')).map((x) => x.error),
      ['new'],
    );
  });

  it('skips on a standby and when another caller holds the job lock', async () => {
    const s = new HaConnection({ conninfo: standby.conninfo('postgres', 'pem') });
    const other = new HaConnection({ conninfo: primary.conninfo('postgres', 'pem') });
    try {
      await waitFor(
        'the standby to replay the pem schema',
        async () =>
          (await standby.psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'pem'", 'pem')) !== '0',
      );
      const onStandby = await runDueJobs(s, { force: true });
      assert.deepEqual(onStandby, [
        { job: 'all', status: 'skipped', detail: 'standby: jobs run on the primary only' },
      ]);
      const held = await other.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock(7301004)');
        return runDueJobs(admin, { force: true });
      });
      assert.equal(held[0]!.status, 'skipped');
      assert.match(held[0]!.detail, /another caller/);
    } finally {
      await s.close();
      await other.close();
    }
  });

  it('loops, reporting results and errors without throwing', async () => {
    const seen: JobResult[][] = [];
    let calls = 0;
    const loop = startJobLoop({
      intervalMs: 50,
      run: async () => {
        calls++;
        if (calls === 2) throw new Error('backend away');
        return runDueJobs(admin);
      },
      onResult: (r) => seen.push(r),
      onError: () => seen.push([]),
    });
    await waitFor('three runs of the job loop', () => seen.length >= 3);
    await loop.stop();
    assert.ok(calls >= 3 && seen.length === calls, `calls ${calls}, results ${seen.length}`);
    assert.deepEqual(seen[1], [], 'the failed run is reported as an error');
  });
});
