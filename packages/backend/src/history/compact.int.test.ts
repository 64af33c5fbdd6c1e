/**
 * History compaction (migration 019) on a real PostgreSQL: pem.compact_history_day and the job
 * 'history_compact' move a closed day of pemhistory.sample into per-source and per-field blocks;
 * pem.history_samples gives back every sample exactly (agent_id, sample_id, collected_at to the
 * microsecond, value as the same jsonb text) before and after; a late sample of a compacted day
 * is visible at once and folded in by the next run; two compactions of one day at once compact
 * it once; retention drops the compacted days' partitions whole.
 *
 * Address: 127.0.11.247.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HaConnection } from '@pharos/core/ha/connection';
import { startPostgres, type TestPostgres } from '@pharos/testkit/postgres/postgres-server';
import { migrate } from '../migrations/run.js';

let pg: TestPostgres;
let admin: HaConnection;
const q = async <R = Record<string, unknown>>(sql: string, params?: unknown[]) =>
  (await admin.query<R>(sql, params)).rows;

/** Every sample of a range through the reader, as comparable text rows. */
const READ = (from: string, to: string) => `
  SELECT agent_id, sample_id, server_id, probe, object, collected_at, value::text AS value
    FROM pem.history_samples(NULL, NULL, '${from}', '${to}')`;
const RAW = `SELECT agent_id, sample_id, server_id, probe, object, collected_at, value::text AS value FROM raw_copy`;
/** Rows in one and not the other, both ways. */
const diff = async (a: string, b: string) =>
  Number(
    (
      await q<{ n: string }>(
        `SELECT ((SELECT count(*) FROM (${a} EXCEPT ALL ${b}) x) + (SELECT count(*) FROM (${b} EXCEPT ALL ${a}) y))::text AS n`,
      )
    )[0]!.n,
  );
const hot = async (part: string) =>
  Number((await q<{ n: string }>(`SELECT count(*)::text AS n FROM pemhistory.${part}`))[0]!.n);

const DAY = '2026-11-01';
const PART = 'sample_20261101';

describe('history compaction', { timeout: 300_000 }, () => {
  before(async () => {
    pg = await startPostgres({ address: '127.0.11.247' });
    await pg.psql('CREATE DATABASE pem');
    admin = new HaConnection({ conninfo: pg.conninfo('postgres', 'pem'), queryTimeoutMs: 120_000 });
    await migrate((fn) => admin.transaction(fn));
    await q(
      `CREATE TABLE pemhistory.${PART} PARTITION OF pemhistory.sample FOR VALUES FROM ('${DAY}') TO ('2026-11-02')`,
    );
    await q(`CREATE TABLE pemhistory.sample_20261102 PARTITION OF pemhistory.sample
               FOR VALUES FROM ('2026-11-02') TO ('2026-11-03')`);
    // counters, gauges with decimals, raw floats, a text that changes, a field that comes and
    // goes, microsecond timestamps, and the day after (stays hot)
    await q(`INSERT INTO pemhistory.sample (agent_id, sample_id, server_id, probe, object, collected_at, value)
      SELECT 1, g, 5, 'database_stats', 'db' || (g % 2), '${DAY}'::timestamptz + make_interval(secs => g * 9.512347),
             jsonb_build_object('xact_commit', 1000 + g * 7, 'busy_pct', ((g % 97) / 10.0)::float8,
                                'ratio', g / 7.0, 'f', (g / 7.0)::float8,
                                'state', CASE WHEN g < 3000 THEN 'idle' WHEN g < 6000 THEN 'active' ELSE 'idle' END)
             || CASE WHEN g % 5 = 0 THEN jsonb_build_object('sometimes', g) ELSE '{}' END
        FROM generate_series(1, 9000) g`);
    // values whose text a float8 would not keep, and shapes beyond flat numbers
    await q(`INSERT INTO pemhistory.sample (agent_id, sample_id, server_id, probe, object, collected_at, value)
      VALUES (2, 10, 0, 'odd', '', '${DAY} 01:00:00.000001+00', '{"a": 1.50, "b": 12345678901234567890, "c": null,
                "d": {"x": [1, "y"]}, "e": true, "g": -0.0, "h": 1e-7, "i": ""}'),
             (2, 11, 0, 'odd', '', '${DAY} 01:00:10+00', '{"a": 2, "b": 1, "c": 3, "e": false, "g": 0}'),
             (2, 12, 0, 'odd', '', '${DAY} 01:00:20+00', '{}'),
             (2, 13, 0, 'odd', 'scalar', '${DAY} 01:00:20+00', '42'),
             (2, 14, 0, 'odd', 'scalar', '${DAY} 01:00:30+00', '"text"'),
             (2, 15, 0, 'odd', 'scalar', '${DAY} 01:00:40+00', '{"k": 1}'),
             (2, 16, 0, 'odd', '', '${DAY} 01:00:20+00', '{"a": 3}'),
             (2, 17, 0, 'odd', '', '2026-11-02 00:00:01+00', '{"a": 4}')`);
    await q('CREATE TABLE raw_copy AS SELECT * FROM pemhistory.sample');
  });
  after(async () => {
    await admin?.close();
    await pg?.stop();
  });

  it('reads the same samples before and after, and empties the day', async () => {
    assert.equal(await diff(READ('2026-10-31', '2026-11-03'), RAW), 0);
    // in parts of at least one (server, probe) pair, in index order: server 0's 'odd', then server 5's
    const part1 = await q<{ n: string }>(
      'SELECT pem.compact_history_day($1::date, p_max_samples => 1)::text AS n',
      [DAY],
    );
    assert.equal(Number(part1[0]!.n), 7);
    assert.equal(await hot(PART), 9000);
    assert.equal(await diff(READ('2026-10-31', '2026-11-03'), RAW), 0);
    const n = await q<{ n: string }>('SELECT pem.compact_history_day($1::date)::text AS n', [DAY]);
    assert.equal(Number(n[0]!.n), 9000);
    assert.equal(await hot(PART), 0);
    assert.equal(await hot('sample_20261102'), 1);
    assert.equal(await diff(READ('2026-10-31', '2026-11-03'), RAW), 0);
    // ranges that start and end inside the day's blocks (the reader decodes only the places in
    // range, from the sums of the deltas before them): every sample of each range, exactly,
    // for fields that are integers, 3-decimal, raw float8, JSON, and one some samples lack
    const RANGE = (from: string, to: string) =>
      `${RAW} WHERE collected_at >= '${from}' AND collected_at < '${to}'`;
    for (const [from, to] of [
      [`${DAY} 00:00`, `${DAY} 00:00:00.000001`],
      [`${DAY} 00:00:09.512347`, `${DAY} 00:00:09.512348`],
      [`${DAY} 01:00:00.000001`, `${DAY} 01:00:20`],
      [`${DAY} 01:00:20`, `${DAY} 01:00:40.000001`],
      [`${DAY} 07:13:00`, `${DAY} 19:01:00`],
      [`${DAY} 23:50`, '2026-11-02 00:00:02'],
      [`${DAY} 12:00:00.5`, `${DAY} 12:00:00.6`],
    ]) {
      assert.equal(await diff(READ(from!, to!), RANGE(from!, to!)), 0, `${from} to ${to}`);
    }
    assert.ok(
      Number(
        (
          await q<{ n: string }>(
            `SELECT count(*)::text AS n FROM (${RANGE(`${DAY} 07:13:00`, `${DAY} 19:01:00`)}) x`,
          )
        )[0]!.n,
      ) > 4000,
    );
    // a range inside the day, fields asked for: only those fields, same samples
    const part = await q<{ v: string }>(
      `SELECT string_agg(value::text, ',' ORDER BY collected_at, sample_id) AS v
         FROM pem.history_samples(5, 'database_stats', '${DAY} 02:00', '${DAY} 03:00', '{xact_commit,state}')`,
    );
    const want = await q<{ v: string }>(
      `SELECT string_agg(jsonb_build_object('xact_commit', value -> 'xact_commit', 'state', value -> 'state')::text, ','
                         ORDER BY collected_at, sample_id) AS v
         FROM raw_copy WHERE server_id = 5 AND collected_at >= '${DAY} 02:00' AND collected_at < '${DAY} 03:00'`,
    );
    assert.ok(want[0]!.v);
    assert.equal(part[0]!.v, want[0]!.v);
    const blocks = await q<{ scale: number | null; field: string }>(
      `SELECT f.field, f.scale FROM pemhistory.field_block f JOIN pemhistory.source s ON s.id = f.source_id
        WHERE s.probe = 'database_stats' AND s.object = 'db0' ORDER BY f.field`,
    );
    assert.deepEqual(
      blocks.map((b) => [b.field, b.scale]),
      [
        ['busy_pct', 3],
        ['f', -1],
        ['ratio', null],
        ['sometimes', 0],
        ['state', null],
        ['xact_commit', 0],
      ],
    );
  });

  it('a late sample of a compacted day is read at once and folded in by the job', async () => {
    await q(`INSERT INTO pemhistory.sample (agent_id, sample_id, server_id, probe, object, collected_at, value)
      VALUES (1, 100000, 5, 'database_stats', 'db1', '${DAY} 23:59:59.5+00', '{"xact_commit": 5, "late": "yes"}')`);
    await q(`INSERT INTO raw_copy SELECT * FROM pemhistory.${PART}`);
    assert.equal(await hot(PART), 1);
    assert.equal(await diff(READ('2026-10-31', '2026-11-03'), RAW), 0);
    const runs = await q<{ job: string; status: string; detail: string }>(
      "SELECT * FROM pem.run_due_jobs(true) WHERE job = 'history_compact'",
    );
    // one run takes every closed day with hot rows, oldest first, within its time budget: the late
    // sample of 2026-11-01 and the day after (today is not closed), which has a partition of its own
    assert.deepEqual(runs, [
      {
        job: 'history_compact',
        status: 'ok',
        detail: '2026-11-01: 1 samples compacted; 2026-11-02: 1 samples compacted',
      },
    ]);
    assert.equal(await hot(PART), 0);
    assert.equal(await hot('sample_20261102'), 0);
    assert.equal(await diff(READ('2026-10-31', '2026-11-03'), RAW), 0);
    const idle = await q<{ detail: string }>(
      "SELECT detail FROM pem.run_due_jobs(true) WHERE job = 'history_compact'",
    );
    assert.equal(idle[0]!.detail, 'nothing to compact');
    assert.equal(await diff(READ('2026-10-31', '2026-11-03'), RAW), 0);
  });

  it('two compactions of one day at once compact it once', async () => {
    await q(`INSERT INTO pemhistory.sample (agent_id, sample_id, server_id, probe, object, collected_at, value)
      SELECT 1, 200000 + g, 5, 'database_stats', 'db0', '${DAY} 12:00:00.25+00'::timestamptz + make_interval(secs => g),
             jsonb_build_object('xact_commit', g) FROM generate_series(1, 50) g`);
    await q(`INSERT INTO raw_copy SELECT * FROM pemhistory.${PART}`);
    const other = new HaConnection({ conninfo: pg.conninfo('postgres', 'pem'), queryTimeoutMs: 120_000 });
    try {
      const run = (c: HaConnection) =>
        c.transaction(async (tx) =>
          Number(
            (await tx.query<{ n: string }>(`SELECT pem.compact_history_day('${DAY}')::text AS n`)).rows[0]!.n,
          ),
        );
      const counts = await Promise.all([run(admin), run(other)]);
      assert.deepEqual(
        counts.sort((a, b) => a - b),
        [0, 50],
      );
    } finally {
      await other.close();
    }
    assert.equal(await diff(READ('2026-10-31', '2026-11-03'), RAW), 0);
  });

  it('refuses a day that is still open to samples', async () => {
    await assert.rejects(q('SELECT pem.compact_history_day(current_date)'), /still open to samples/);
  });

  it('retention drops the compacted days whole', async () => {
    // a probe with a shorter retention: its day blocks go, the others stay
    await q("UPDATE pem.probe SET retention_days = 1 WHERE name = 'database_stats'");
    const r = await q<{ r: Record<string, number> }>('SELECT pem.expire_history() AS r');
    assert.ok(r[0]!.r.block_samples_deleted! > 9000, JSON.stringify(r[0]!.r));
    const count = async (probe: string) =>
      (
        await q<{ n: string }>(
          `SELECT count(*)::text AS n FROM pem.history_samples(NULL, '${probe}', '2026-10-31', '2026-11-03')`,
        )
      )[0]!.n;
    assert.equal(await count('database_stats'), '0');
    assert.equal(await count('odd'), '8');
    // the longest retention passes the days: their partitions are dropped, hot and compacted
    await q('UPDATE pem.probe SET retention_days = 30');
    const r2 = await q<{ r: Record<string, number> }>('SELECT pem.expire_history() AS r');
    assert.equal(r2[0]!.r.block_partitions_dropped, 4, JSON.stringify(r2[0]!.r));
    assert.equal(await count('odd'), '0');
    const left = await q<{ n: string }>(
      `SELECT count(*)::text AS n FROM pg_class WHERE relnamespace = 'pemhistory'::regnamespace
          AND relname ~ '(sample|field_block|sample_block)_2026110[12]$'`,
    );
    assert.equal(left[0]!.n, '0');
  });
});
