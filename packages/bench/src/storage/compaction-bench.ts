/**
 * The product's history compaction measured (issue 19, migration 019): the lab's recorded
 * samples (storage/replay.ts, looped, nothing invented) replayed as `servers` servers and their
 * agents' hosts for `hours` hours ending an hour before today's UTC midnight (closed days),
 * written into pemhistory.sample by INSERT (as pem.ingest_batch appends history), rolled up by
 * the real pem.rollup_history(), then compacted day by day by the real job
 * (pem.job_history_compact(), one transaction per day, as pem.run_due_jobs runs it).
 *
 * Figures: bytes per value of everything under the pemhistory schema (pg_total_relation_size:
 * tables, indexes, TOAST; the rollup included and also given apart) before and after,
 * compaction speed (values/s), that pem.history_samples gives back every sample exactly (EXCEPT
 * ALL both ways, value as jsonb text), and the series API's raw 1-hour chart (rateSql, no rollup)
 * of a compacted day vs the same read of hot rows (p50/p95).
 */
import { chmodSync, closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate } from '@pharos/backend/migrations/run';
import { HaConnection } from '@pharos/core/ha/connection';
import { startPostgres } from '@pharos/testkit/postgres/postgres-server';
import { rateSql } from '@pharos/web/api/series-sql';
import { type Summary, summarize } from '../stats.js';
import { days } from './layouts.js';
import { fleetStreams, readRecording, replayStreams } from './replay.js';

/** What {@link runCompactionBench} measured. */
export interface CompactionFigures {
  servers: number;
  hours: number;
  samples: number;
  values: number;
  /** pemhistory schema, bytes, before / after compaction; of which the rollup. */
  bytesBefore: number;
  bytesAfter: number;
  rollupBytes: number;
  bytesPerValueBefore: number;
  bytesPerValueAfter: number;
  /** Without the rollup (the samples alone). */
  bytesPerValueAfterWithoutRollup: number;
  compactS: number;
  compactValuesPerS: number;
  /** Runs of the job until it had nothing left (each at most 20,000 samples). */
  jobRuns: number;
  /** Samples pem.history_samples does not give back exactly, plus those it gives that were not stored (0 = lossless). */
  mismatches: number;
  chartHot: Summary;
  chartCompacted: Summary;
  loadAvg: number[];
}

const FIXTURE = fileURLToPath(new URL('../../fixtures/lab-samples.jsonl.gz', import.meta.url));
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Starts PostgreSQL (lz4 TOAST as Debian's build has it), measures (module note), stops it. */
export async function runCompactionBench(opts: {
  address: string;
  servers: number;
  hours: number;
  chartRuns: number;
  loadAvg: () => number[];
  log: (line: string) => void;
}): Promise<CompactionFigures> {
  const endMs = Math.floor(Date.now() / DAY_MS) * DAY_MS - HOUR_MS;
  const fromMs = endMs - opts.hours * HOUR_MS;
  const rec = readRecording(FIXTURE);
  const dir = mkdtempSync(join(tmpdir(), 'pharos-compaction-'));
  chmodSync(dir, 0o777);
  const file = join(dir, 'samples.copy');
  const fd = openSync(file, 'w', 0o644);
  const counts = replayStreams(rec, fleetStreams(rec, opts.servers, fromMs, endMs), new Map(), (c) =>
    writeSync(fd, c),
  );
  closeSync(fd);
  opts.log(`compaction: ${counts.samples} samples, ${counts.values} values replayed`);
  const pg = await startPostgres({
    address: opts.address,
    settings: {
      shared_buffers: '256MB',
      work_mem: '64MB',
      max_wal_size: '4GB',
      default_toast_compression: 'lz4',
    },
  });
  let db: HaConnection | undefined;
  try {
    await pg.psql('CREATE DATABASE pem');
    db = new HaConnection({ conninfo: pg.conninfo('postgres', 'pem'), queryTimeoutMs: 3_600_000 });
    const q = db;
    const one = async (sql: string) => (await q.query<{ x: string }>(sql)).rows[0]!.x;
    const size = async () =>
      Number(
        await one(`SELECT sum(pg_total_relation_size(c.oid))::text AS x FROM pg_class c
                    WHERE c.relnamespace = 'pemhistory'::regnamespace AND c.relkind = 'r'`),
      );
    await migrate((fn) => q.transaction(fn));
    const ds = days(fromMs, endMs);
    for (const d of ds)
      await q.query(
        `CREATE TABLE pemhistory.sample_${d.suffix} PARTITION OF pemhistory.sample FOR VALUES FROM ('${d.from}') TO ('${d.to}')`,
      );
    await q.query('CREATE UNLOGGED TABLE public.stage (LIKE pemhistory.sample)');
    await q.query(`COPY public.stage FROM '${file}'`);
    await q.query('INSERT INTO pemhistory.sample SELECT * FROM public.stage');
    for (let i = 0; i < 1000; i++) {
      const r = JSON.parse(await one("SELECT pem.rollup_history(interval '6 hours')::text AS x")) as {
        caught_up: boolean;
      };
      if (r.caught_up) break;
    }
    await q.query('VACUUM ANALYZE pemhistory.sample, pemhistory.rollup');
    const bytesBefore = await size();
    const rollupBytes = Number(await one(`SELECT pg_total_relation_size('pemhistory.rollup')::text AS x`));
    const chartHour = new Date(endMs - 2 * HOUR_MS).toISOString();
    const chartTo = new Date(endMs - HOUR_MS).toISOString();
    const chart = async () => {
      const ms: number[] = [];
      for (let i = 0; i < opts.chartRuns; i++) {
        const t0 = performance.now();
        await q.query(rateSql(2), [
          1,
          'database_stats',
          chartHour,
          chartTo,
          10,
          ['xact_commit', 'xact_rollback'],
          null,
          0,
          null,
        ]);
        ms.push(performance.now() - t0);
      }
      return summarize(ms, 'ms');
    };
    const chartHot = await chart();
    const t0 = performance.now();
    let jobRuns = 0;
    for (;;) {
      const r = await q.transaction(
        async (tx) => (await tx.query<{ x: string }>('SELECT pem.job_history_compact() AS x')).rows[0]!.x,
      );
      if (jobRuns % 10 === 0) opts.log(`compaction: ${r}`);
      if (r === 'nothing to compact') break;
      jobRuns++;
    }
    const compactS = (performance.now() - t0) / 1000;
    await q.query(
      'VACUUM ANALYZE pemhistory.sample, pemhistory.sample_block, pemhistory.field_block, pemhistory.source',
    );
    const bytesAfter = await size();
    const chartCompacted = await chart();
    const cols = 'agent_id, sample_id, server_id, probe, object, collected_at, value::text';
    const mismatches = Number(
      await one(`WITH a AS (SELECT ${cols} FROM public.stage),
                      b AS (SELECT ${cols} FROM pem.history_samples(NULL, NULL, '-infinity', 'infinity'))
                 SELECT ((SELECT count(*) FROM (TABLE a EXCEPT ALL TABLE b) x)
                       + (SELECT count(*) FROM (TABLE b EXCEPT ALL TABLE a) y))::text AS x`),
    );
    return {
      servers: opts.servers,
      hours: opts.hours,
      samples: counts.samples,
      values: counts.values,
      bytesBefore,
      bytesAfter,
      rollupBytes,
      bytesPerValueBefore: bytesBefore / counts.values,
      bytesPerValueAfter: bytesAfter / counts.values,
      bytesPerValueAfterWithoutRollup: (bytesAfter - rollupBytes) / counts.values,
      compactS,
      compactValuesPerS: counts.values / compactS,
      jobRuns,
      mismatches,
      chartHot,
      chartCompacted,
      loadAvg: opts.loadAvg(),
    };
  } finally {
    await db?.close();
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
