/**
 * Every reader of history gives the same answer before and after the compaction of closed days
 * (migration 019, pem.compact_history_day) on a real backend: the series API (gauges and
 * rates, from the samples and from the rollup), the changes of a field, Top SQL,
 * pem.history_rates, and the chart rollup rebuilt from the compacted days. History stored
 * through pem.ingest_batch (synthetic-history.ts) across a midnight, Top SQL and changes rows
 * as the agent's statements and table_stats probes write them; then a late batch for a
 * compacted day, through ingest_batch again, is visible at once and the same after the job
 * folds it in.
 *
 * Addresses: 127.0.5.50 backend, 127.0.5.53 harness.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HaConnection } from '@pharos/core/ha/connection';
import { PASSWORDS, startTestBackend, type TestBackend } from '../testing/backend-fixture.js';
import { historySql } from '../testing/synthetic-history.js';
import { readChanges } from './changes-query.js';
import { readSeries, type SeriesMode } from './series-query.js';
import { planSeries } from './series-range.js';
import { readTopSql } from './top-sql-query.js';

const BACKEND = '127.0.5.50';
const HARNESS = '127.0.5.53';
const HOUR = 3600;
const DAY = 86400;

const CHARTS: [string, string[], SeriesMode][] = [
  ['database_stats', ['xact_commit', 'xact_rollback'], 'rate'],
  ['database_stats', ['blks_hit', 'hit_ratio_pct'], 'gauge'],
  ['connections_by_state', ['connections'], 'gauge'],
  ['replication_lag', ['lag_bytes', 'replay_lag_s'], 'gauge'],
  ['database_size', ['size_bytes'], 'rate'],
];

describe('readers of history across compaction', { timeout: 600_000 }, () => {
  let backend: TestBackend;
  let web: HaConnection;
  // 3 days ago 21:00 to 2 days ago 03:00 UTC: two closed days
  const midnight = Math.floor(Date.now() / 1000 / DAY) * DAY - 2 * DAY;
  const fromS = midnight - 3 * HOUR;
  const toS = midnight + 3 * HOUR;
  const days = [new Date((midnight - DAY) * 1000), new Date(midnight * 1000)].map((d) =>
    d.toISOString().slice(0, 10),
  );

  const rollUp = async () => {
    for (let run = 1; run < 200; run++) {
      const r = JSON.parse(await backend.psql('SELECT pem.rollup_history()')) as { caught_up: boolean };
      if (r.caught_up) return;
    }
    assert.fail('the rollup catches up');
  };
  /**
   * Rollup rows that differ from the copy kept in public.rollup_before: another key, count, min,
   * max or resets, or sums further apart than float addition in another order gives (1e-12).
   */
  const rollupDifferences = async () =>
    Number(
      await backend.psql(`SELECT count(*) FROM pemhistory.rollup a
        FULL JOIN public.rollup_before b USING (server_id, probe, width_s, field, bucket, object)
       WHERE a.n IS DISTINCT FROM b.n OR a.min IS DISTINCT FROM b.min OR a.max IS DISTINCT FROM b.max
          OR a.resets IS DISTINCT FROM b.resets
          OR abs(a.sum - b.sum) > 1e-12 * greatest(abs(a.sum), abs(b.sum))
          OR abs(a.inc - b.inc) > 1e-12 * greatest(abs(a.inc), abs(b.inc))
          OR abs(a.inc_s - b.inc_s) > 1e-12 * greatest(abs(a.inc_s), abs(b.inc_s))`),
    );

  /** Every reader's answer, as one comparable value. */
  const answers = async () => {
    const out: Record<string, unknown> = {};
    const ranges: [string, number, number][] = [
      ['all', fromS, toS],
      ['first day', fromS + 600, midnight - 600],
      ['across midnight', midnight - 1800, midnight + 1800],
    ];
    for (const [name, a, b] of ranges) {
      for (const points of [2000, 150, 20]) {
        const plan = planSeries(a, b, points);
        for (const [probe, fields, mode] of CHARTS) {
          for (const p of plan.rollupS > 0 ? [plan, { ...plan, rollupS: 0 }] : [plan]) {
            out[`${name} ${points} ${probe} ${fields} ${mode} ${p.rollupS}`] = await readSeries(web, {
              serverId: 1,
              probe,
              fields,
              mode,
              plan: p,
            });
          }
        }
      }
      out[`changes ${name}`] = await readChanges(web, {
        serverId: 1,
        probe: 'table_stats',
        object: 'public.orders',
        fields: ['last_vacuum', 'last_autoanalyze', 'n_live_tup'],
        fromS: a,
        toS: b,
      });
      out[`top sql ${name}`] = await readTopSql(web, {
        serverId: 1,
        fromS: a,
        toS: b,
        order: 'calls',
        limit: 50,
      });
      out[`rates ${name}`] = await backend.psql(
        `SELECT md5(string_agg(format('%s', r), ',' ORDER BY object, collected_at))
           FROM pem.history_rates(1, 'database_stats', to_timestamp(${a}), to_timestamp(${b})) r`,
      );
    }
    return out;
  };
  const hotRows = async () =>
    Number(
      await backend.psql(
        `SELECT count(*) FROM pemhistory.sample WHERE collected_at >= to_timestamp(${fromS}) AND collected_at < to_timestamp(${toS})`,
      ),
    );

  before(async () => {
    backend = await startTestBackend({
      primaryAddress: BACKEND,
      clientAddresses: [HARNESS],
      harnessAddress: HARNESS,
    });
    web = new HaConnection({
      conninfo: `${backend.backendConninfo()} password=${PASSWORDS.pemweb}`,
      sourceAddress: HARNESS,
      queryTimeoutMs: 60_000,
    });
    await backend.psql(`SELECT pem.ensure_history_partitions(0)`);
    for (const d of days) {
      await backend.psql(`CREATE TABLE IF NOT EXISTS pemhistory.sample_${d.replaceAll('-', '')}
                            PARTITION OF pemhistory.sample FOR VALUES FROM ('${d}') TO ('${d}'::date + 1)`);
    }
    await backend.psql(`CREATE ROLE agent1 IN ROLE pem_agent; SET SESSION AUTHORIZATION agent1;
      ${historySql({ agentId: 1, serverIds: [1], fromS, toS, stepS: 30, firstSampleId: 1000, resetAt: 200, probes: ['database_stats', 'connections_by_state', 'replication_lag', 'server_info', 'database_size'] })}
      RESET SESSION AUTHORIZATION;`);
    // the statements probe (Top SQL) and table_stats (changes), as the agent's probes write them
    await backend.psql(`INSERT INTO pemhistory.sample (agent_id, sample_id, server_id, probe, object, collected_at, value)
      SELECT 1, 500000 + n * 10 + q, 1, 'statements', 'q' || q, to_timestamp(${fromS} + n * 60 + 0.123),
             jsonb_build_object('queryid', (1000 + q)::text, 'database', 'app', 'role_name', 'app', 'toplevel', true,
                                'calls', CASE WHEN n > 200 THEN (n - 200) * q ELSE n * q * 3 END,
                                'total_exec_time_ms', (n * q * 1.25)::float8, 'rows', n * 2,
                                'shared_blks_hit', n * 100, 'shared_blks_read', n, 'temp_blks_written', 0,
                                'stats_since', NULL)
        FROM generate_series(0, 359) n CROSS JOIN generate_series(1, 4) q;
      INSERT INTO pemhistory.sample (agent_id, sample_id, server_id, probe, object, collected_at, value)
      SELECT 1, 800000 + n, 1, 'table_stats', 'public.orders', to_timestamp(${fromS} + n * 300),
             jsonb_build_object('n_live_tup', 1000 + n / 7, 'last_vacuum',
                                to_char(to_timestamp(${fromS} + (n / 12) * 3600) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                                'last_autoanalyze', CASE WHEN n > 30 THEN '2026-01-01T00:00:00.000Z' END)
        FROM generate_series(0, 71) n`);
    await rollUp();
  });

  after(async () => {
    await web?.close();
    await backend?.stop();
  });

  it('gives every reader the same answer after compaction, and the rollup rebuilt from the blocks too', async () => {
    const before = await answers();
    await backend.psql('CREATE TABLE public.rollup_before AS SELECT * FROM pemhistory.rollup');
    assert.ok(Number(await backend.psql('SELECT count(*) FROM public.rollup_before')) > 1000);
    assert.ok(Object.keys(before).length > 50, `${Object.keys(before).length} answers`);
    assert.equal((before['top sql all'] as { statements: unknown[] }).statements.length, 4);
    assert.ok((before['changes all'] as unknown[]).length > 5);
    for (const d of days) {
      const n = Number(await backend.psql(`SELECT pem.compact_history_day('${d}')`));
      assert.ok(n > 1000, `${d}: ${n} samples compacted`);
    }
    assert.equal(await hotRows(), 0, 'the closed days are compacted');
    assert.deepEqual(await answers(), before);
    await backend.psql(
      'DELETE FROM pemhistory.rollup; UPDATE pemhistory.rollup_state SET rolled_through = NULL, claimed_through = NULL',
    );
    await rollUp();
    assert.equal(await rollupDifferences(), 0, 'the rollup rebuilt from the compacted days');
    assert.deepEqual(await answers(), before);
  });

  it('a late batch for a compacted day is read at once and the same after the job folds it in', async () => {
    const earlier = await answers();
    await backend.psql(`SET SESSION AUTHORIZATION agent1;
      ${historySql({ agentId: 1, serverIds: [1], fromS: midnight - 2 * HOUR + 5, toS: midnight - HOUR, stepS: 30, firstSampleId: 900_000, probes: ['database_stats', 'connections_by_state'] })}
      RESET SESSION AUTHORIZATION;`);
    assert.ok((await hotRows()) > 100, 'late samples are hot rows');
    await rollUp();
    const late = await answers();
    assert.notDeepEqual(late, earlier, 'the late samples are read');
    const job = await backend.psql("SELECT detail FROM pem.run_due_jobs(true) WHERE job = 'history_compact'");
    assert.match(job, new RegExp(`^${days[0]}: \\d+ samples compacted$`));
    assert.equal(await hotRows(), 0);
    assert.deepEqual(await answers(), late);
  });
});
