/**
 * The product's history storage measured (issue 19, migrations 019 and 024): the lab's recorded
 * samples (storage/replay.ts, looped, nothing invented) replayed as `servers` servers and their
 * agents' hosts for `hours` hours, plus server 1's database_stats for the 7 days before (the
 * 7-day chart's range), all ending 5 minutes before the end of the newest UTC day that closed
 * more than 7 hours ago (so every day is past the job's 6-h grace whatever the time of the run),
 * written into pemhistory.sample by INSERT (as pem.ingest_batch appends history), rolled up by
 * the real pem.rollup_history(), then compacted by the real job (pem.job_history_compact(), one
 * transaction per run, as pem.run_due_jobs runs it) until it has nothing left.
 *
 * Figures: bytes per value of everything under the pemhistory schema (pg_total_relation_size:
 * tables, indexes, TOAST) before (hot rows) and after (compacted), the rollup apart; the
 * whole-history figure of a fleet in steady state at a retention window of R days, which holds
 * `hotDays` days of hot rows (today, yesterday until the 6-h grace ends: 1.25 days) and R − 1.25
 * compacted days, plus the rollup of all R days: (hot × 1.25 + compacted × (R − 1.25)) / R +
 * rollup, bytes per value each as measured here; compaction speed (values/s over the job's runs)
 * beside what a 600- and a 5,000-server fleet write per day (the same recording, one day); that
 * pem.history_samples gives back every sample exactly (EXCEPT ALL both ways, value as jsonb
 * text); the series API's raw 1-hour chart (rateSql, no rollup) of hot rows and of a compacted
 * day, and the 7-day chart (3600-s buckets, the rollup) after compaction (p50/p95); and that
 * retention drops whole partitions (pem.expire_history with the retention cut to drop the
 * oldest day: partitions dropped, no row or block deleted one by one, the other days intact).
 */
import { chmodSync, closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate } from '@pharos/backend/migrations/run';
import { HaConnection } from '@pharos/core/ha/connection';
import { startPostgres } from '@pharos/testkit/postgres/postgres-server';
import { readSeries } from '@pharos/web/api/series-query';
import { planBuckets, planSeries, type SeriesPlan } from '@pharos/web/api/series-range';
import { type Summary, summarize } from '../stats.js';
import { days } from './layouts.js';
import { fleetStreams, type Recording, readRecording, replayStreams } from './replay.js';

/** What a fleet of `servers` servers (each with its agent's host) writes per day, and the compaction's share of it. */
export interface FleetDemand {
  servers: number;
  samplesPerDay: number;
  valuesPerDay: number;
  /** valuesPerDay / 86,400. */
  valuesPerS: number;
  /** valuesPerS / the measured compaction speed: the share of one core's time compaction needs (< 1: it keeps up). */
  compactionCoreShare: number;
  /** The job's runs' share of the time it needs (runs of at most `jobBudgetS` each minute): share × 60 / budget. */
  jobDutyNeeded: number;
}

/** What {@link runCompactionBench} measured. */
export interface CompactionFigures {
  servers: number;
  hours: number;
  /** Days of server 1's database_stats before the fleet's hours (the 7-day chart's range). */
  chartDays: number;
  samples: number;
  values: number;
  /** pemhistory schema, bytes, before (hot rows) / after compaction; of which the rollup. */
  bytesBefore: number;
  bytesAfter: number;
  rollupBytes: number;
  bytesPerValueBefore: number;
  bytesPerValueAfter: number;
  /** Without the rollup (the samples alone): hot rows, compacted. */
  bytesPerValueHot: number;
  bytesPerValueAfterWithoutRollup: number;
  bytesPerValueRollup: number;
  /** Days of hot rows a fleet keeps in steady state (today, and yesterday until the grace ends). */
  hotDays: number;
  /** The steady-state whole-history figure (module note) per retention window, days -> bytes per value. */
  wholeHistory: { retentionDays: number; bytesPerValue: number }[];
  /** The catalogue's longest retention (pem.probe.retention_days), the window the target is judged at. */
  longestRetentionDays: number;
  compactS: number;
  /** Values in the rows the job compacted ÷ the job's time. */
  compactValuesPerS: number;
  /**
   * CPU seconds (user + system) the PostgreSQL backend that ran the job spent on it, from
   * /proc/<pid>/stat (proc(5)); NaN when the session changed. Wall time depends on the load of
   * the shared machine, this less so.
   */
  compactCpuS: number;
  /** compactCpuS per million values compacted (NaN when something was left hot). */
  compactCpuSPerMValues: number;
  /** Runs of the job until it had nothing left, and the most seconds one took. */
  jobRuns: number;
  jobMaxS: number;
  /** The job's time budget per run (pem.job_history_compact), seconds. */
  jobBudgetS: number;
  /** Hot rows left after the job said "nothing to compact" (0: everything compacted). */
  hotRowsLeft: number;
  demand: FleetDemand[];
  /** Samples pem.history_samples does not give back exactly, plus those it gives that were not stored (0 = lossless). */
  mismatches: number;
  chartHot: Summary;
  chartCompacted: Summary;
  /** The 7-day chart (server 1's database_stats rates, 3600-s buckets from the rollup) on the compacted history. */
  chart7d: Summary;
  /** Points with a value in its answer (both series). */
  chart7dPoints: number;
  /** The same 7 days as the UI asks for them on a 1,200-px page ({@link UI_POINTS} points: 1200-s buckets of the 300-s rollup). */
  chart7dUi: Summary;
  chart7dUiPoints: number;
  /** pem.expire_history with the retention cut to drop the oldest day (module note). */
  retention: {
    droppedDay: string;
    partitionsDropped: number;
    blockPartitionsDropped: number;
    rowsDeleted: number;
    blockSamplesDeleted: number;
    /** Samples left ÷ samples of the days kept (1: nothing else lost). */
    samplesLeft: number;
    samplesExpected: number;
    wholePartitions: boolean;
  };
  loadAvg: { start: number[]; end: number[] };
}

const FIXTURE = fileURLToPath(new URL('../../fixtures/lab-samples.jsonl.gz', import.meta.url));
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** pem.job_history_compact's time budget per run (sql/functions/jobs/08_job_history_compact.sql). */
export const JOB_BUDGET_S = 6;
/** Points the UI asks a chart for on a 1,200-px page (packages/web/ui/components/chart-grid.js pointsForScreen). */
export const UI_POINTS = 510;
/** Hot days in steady state: today and the 6-h grace of yesterday (08_job_history_compact.sql). */
export const HOT_DAYS = 1.25;

/** User + system CPU seconds of process `pid` so far (fields 14 and 15 of /proc/<pid>/stat, proc(5)). */
function backendCpuS(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLOCK_TICKS_PER_S;
}

/** USER_HZ, the unit of /proc/<pid>/stat's times: 100 on Linux (proc(5); `getconf CLK_TCK`). */
const CLOCK_TICKS_PER_S = 100;

/** What `servers` servers write in one day of the recording (replayed, nothing stored). */
function dayOfFleet(rec: Recording, servers: number): { samples: number; values: number } {
  const end = Math.floor(Date.now() / DAY_MS) * DAY_MS;
  return replayStreams(rec, fleetStreams(rec, servers, end - DAY_MS, end), new Map(), () => {});
}

/** The steady-state whole-history bytes per value at `retentionDays` (module note). */
export function wholeHistoryBytesPerValue(
  hot: number,
  compacted: number,
  rollup: number,
  retentionDays: number,
  hotDays = HOT_DAYS,
): number {
  const h = Math.min(hotDays, retentionDays);
  return (hot * h + compacted * (retentionDays - h)) / retentionDays + rollup;
}

/** Starts PostgreSQL (lz4 TOAST as Debian's build has it), measures (module note), stops it. */
export async function runCompactionBench(opts: {
  address: string;
  servers: number;
  hours: number;
  chartRuns: number;
  loadAvg: () => number[];
  log: (line: string) => void;
}): Promise<CompactionFigures> {
  const loadStart = opts.loadAvg();
  const chartDays = 7;
  const endMs = Math.floor((Date.now() - 7 * HOUR_MS) / DAY_MS) * DAY_MS - 5 * 60_000;
  const fromMs = endMs - opts.hours * HOUR_MS;
  const chartFromMs = Math.floor((fromMs - chartDays * DAY_MS) / DAY_MS) * DAY_MS;
  const rec = readRecording(FIXTURE);
  const dir = mkdtempSync(join(tmpdir(), 'pharos-compaction-'));
  chmodSync(dir, 0o777);
  const file = join(dir, 'samples.copy');
  const fd = openSync(file, 'w', 0o644);
  const counts = replayStreams(
    rec,
    [
      {
        source: rec.databases[1 % rec.databases.length]!,
        agentId: 1,
        serverId: 1,
        fromMs: chartFromMs,
        toMs: fromMs,
        phaseS: 0,
        probes: new Set(['database_stats']),
      },
      ...fleetStreams(rec, opts.servers, fromMs, endMs),
    ],
    new Map(),
    (c) => writeSync(fd, c),
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
    const ds = days(chartFromMs, endMs);
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
    const fields = ['xact_commit', 'xact_rollback'];
    /** The series API's own read (readSeries: the rate statement, JIT off) of server 1's rates, `runs` times. */
    const timedRuns = async (plan: SeriesPlan) => {
      const ms: number[] = [];
      let points = 0;
      for (let i = 0; i < opts.chartRuns; i++) {
        const t0 = performance.now();
        const a = await readSeries(q, { serverId: 1, probe: 'database_stats', fields, mode: 'rate', plan });
        ms.push(performance.now() - t0);
        points = a.series.reduce((n, s) => n + s.values.filter((v) => v !== null).length, 0);
      }
      return { summary: summarize(ms, 'ms'), points };
    };
    const hourS = (endMs - 2 * HOUR_MS) / 1000;
    // 10-s buckets of the samples (361 points: no rollup)
    const chart = async () =>
      (await timedRuns({ ...planBuckets(hourS, hourS + 3600, 361), rollupS: 0 })).summary;
    const chartHot = await chart();
    const backendPid = Number(await one('SELECT pg_backend_pid()::text AS x'));
    const cpu0 = backendCpuS(backendPid);
    const t0 = performance.now();
    let jobRuns = 0;
    let jobMaxS = 0;
    for (;;) {
      const r0 = performance.now();
      const r = await q.transaction(
        async (tx) => (await tx.query<{ x: string }>('SELECT pem.job_history_compact() AS x')).rows[0]!.x,
      );
      if (r === 'nothing to compact') break;
      jobMaxS = Math.max(jobMaxS, (performance.now() - r0) / 1000);
      if (jobRuns % 10 === 0) opts.log(`compaction: ${r}`);
      jobRuns++;
    }
    const compactS = (performance.now() - t0) / 1000;
    const samePid = Number(await one('SELECT pg_backend_pid()::text AS x')) === backendPid;
    const compactCpuS = samePid ? backendCpuS(backendPid) - cpu0 : Number.NaN;
    const hotRowsLeft = Number(await one('SELECT count(*)::text AS x FROM pemhistory.sample'));
    await q.query(
      'VACUUM ANALYZE pemhistory.sample, pemhistory.sample_block, pemhistory.field_block, pemhistory.source',
    );
    const bytesAfter = await size();
    const chartCompacted = await chart();
    const chart7dFromS = Math.floor((endMs - chartDays * DAY_MS) / HOUR_MS) * 3600;
    const chart7dToS = Math.floor(endMs / HOUR_MS) * 3600;
    // 3600-s buckets of the hourly rollup (as measured since session 7), and what the UI asks
    // for on a 1,200-px page (chart-grid.js pointsForScreen: 510 points, 1200-s buckets of the
    // 300-s rollup)
    const c7 = await timedRuns({
      ...planBuckets(chart7dFromS, chart7dToS, (chart7dToS - chart7dFromS) / 3600 + 1),
      rollupS: 3600,
    });
    const c7ui = await timedRuns(planSeries(chart7dFromS, chart7dToS, UI_POINTS));
    const cols = 'agent_id, sample_id, server_id, probe, object, collected_at, value::text';
    const mismatches = Number(
      await one(`WITH a AS (SELECT ${cols} FROM public.stage),
                      b AS (SELECT ${cols} FROM pem.history_samples(NULL, NULL, '-infinity', 'infinity'))
                 SELECT ((SELECT count(*) FROM (TABLE a EXCEPT ALL TABLE b) x)
                       + (SELECT count(*) FROM (TABLE b EXCEPT ALL TABLE a) y))::text AS x`),
    );
    // retention: cut every probe's retention so that the oldest day is past it, expire, count
    const longestRetentionDays = Number(await one('SELECT max(retention_days)::text AS x FROM pem.probe'));
    const first = ds[0]!;
    const keepDays = Math.floor((Date.now() - Date.parse(first.to)) / DAY_MS);
    await q.query('UPDATE pem.probe SET retention_days = $1', [keepDays]);
    const samplesExpected = Number(
      await one(`SELECT count(*)::text AS x FROM public.stage WHERE collected_at >= '${first.to}'`),
    );
    const ex = JSON.parse(await one('SELECT pem.expire_history()::text AS x')) as Record<string, number>;
    const samplesLeft = Number(
      await one(`SELECT count(*)::text AS x FROM pem.history_samples(NULL, NULL, '-infinity', 'infinity')`),
    );
    const retention = {
      droppedDay: first.from.slice(0, 10),
      partitionsDropped: ex.partitions_dropped ?? 0,
      blockPartitionsDropped: ex.block_partitions_dropped ?? 0,
      rowsDeleted: ex.rows_deleted ?? 0,
      blockSamplesDeleted: ex.block_samples_deleted ?? 0,
      samplesLeft,
      samplesExpected,
      wholePartitions: false,
    };
    retention.wholePartitions =
      retention.partitionsDropped >= 1 &&
      retention.blockPartitionsDropped >= 2 &&
      retention.rowsDeleted === 0 &&
      retention.blockSamplesDeleted === 0 &&
      samplesLeft === samplesExpected;
    const bytesPerValueHot = (bytesBefore - rollupBytes) / counts.values;
    const bytesPerValueAfterWithoutRollup = (bytesAfter - rollupBytes) / counts.values;
    const bytesPerValueRollup = rollupBytes / counts.values;
    const compactValuesPerS = hotRowsLeft === 0 ? counts.values / compactS : 0;
    const d = dayOfFleet(rec, 6);
    const demand = [600, 5000].map((servers) => {
      const valuesPerDay = (d.values / 6) * servers;
      const valuesPerS = valuesPerDay / 86_400;
      const share = compactValuesPerS > 0 ? valuesPerS / compactValuesPerS : Number.POSITIVE_INFINITY;
      return {
        servers,
        samplesPerDay: (d.samples / 6) * servers,
        valuesPerDay,
        valuesPerS,
        compactionCoreShare: share,
        jobDutyNeeded: (share * 60) / JOB_BUDGET_S,
      };
    });
    return {
      servers: opts.servers,
      hours: opts.hours,
      chartDays,
      samples: counts.samples,
      values: counts.values,
      bytesBefore,
      bytesAfter,
      rollupBytes,
      bytesPerValueBefore: bytesBefore / counts.values,
      bytesPerValueAfter: bytesAfter / counts.values,
      bytesPerValueHot,
      bytesPerValueAfterWithoutRollup,
      bytesPerValueRollup,
      hotDays: HOT_DAYS,
      wholeHistory: [7, 30, longestRetentionDays].map((retentionDays) => ({
        retentionDays,
        bytesPerValue: wholeHistoryBytesPerValue(
          bytesPerValueHot,
          bytesPerValueAfterWithoutRollup,
          bytesPerValueRollup,
          retentionDays,
        ),
      })),
      longestRetentionDays,
      compactS,
      compactValuesPerS,
      compactCpuS,
      compactCpuSPerMValues: hotRowsLeft === 0 ? compactCpuS / (counts.values / 1e6) : Number.NaN,
      jobRuns,
      jobMaxS,
      jobBudgetS: JOB_BUDGET_S,
      hotRowsLeft,
      demand,
      mismatches,
      chartHot,
      chartCompacted,
      chart7d: c7.summary,
      chart7dPoints: c7.points,
      chart7dUi: c7ui.summary,
      chart7dUiPoints: c7ui.points,
      retention,
      loadAvg: { start: loadStart, end: opts.loadAvg() },
    };
  } finally {
    await db?.close();
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
