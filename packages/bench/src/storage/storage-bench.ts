/**
 * The storage benchmark (issue 19, "Storage" and "Ingest"): the same replayed
 * fleet history (storage/replay.ts: the lab's recorded samples, looped, never
 * invented) loaded into each candidate layout (storage/layouts.ts: A today's
 * jsonb rows + rollup, B narrow typed rows + hourly rollup, C per-series
 * arrays per hour block and per day block, TOAST-compressed) in one
 * throw-away PostgreSQL, and per layout:
 *
 * - bytes per stored value: every table of the layout (partitions, indexes,
 *   TOAST: pg_total_relation_size, PostgreSQL docs §9.27.7; the series
 *   dictionary and the rollups the layout's 7-day chart reads) ÷ the values
 *   of the samples (a field of a sample's value; a non-object value is one);
 * - ingest: the layout's write statement from the raw samples staged in an
 *   unlogged table (A: INSERT ... SELECT, as pem.ingest_batch appends
 *   history; B: the dictionary, the points; C: the dictionary, the blocks)
 *   vs a plain COPY of the layout's own rows (dumped to a server-side file,
 *   the table emptied and checkpointed, COPY FROM the file), in values/s;
 *   the extra work around it (A's rollup job, B's rollup, B/C's non-numeric
 *   changes) is timed apart;
 * - the 7-day chart: rate of database_stats' xact_commit and xact_rollback
 *   of one server, all its databases, 3600-s buckets (A: the web's own
 *   rateSql over pemhistory.rollup; B and C: their hourly rollups; C also
 *   from the blocks alone, decoding every point), p50/p95 of `chartRuns`
 *   runs, and the answer compared across layouts;
 * - dropping the oldest day: DROP TABLE of the day's partitions (A also the
 *   DELETE of the day's rollup rows, a table not partitioned today);
 * - for C, that decoding gives back every numeric value at its timestamp
 *   (EXCEPT ALL both ways against the staged samples): a lossless layout.
 *
 * Scale: `servers` servers (and their agents' hosts) for `hours` hours, plus
 * server 1's database_stats for the 7 days before (the chart's range). The
 * history ends 5 minutes ago (the rollup job rolls up to 2 minutes ago).
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
import {
  days,
  type LayoutName,
  layoutBDdl,
  layoutBWrite,
  layoutCDdl,
  layoutCDecodeFunction,
  layoutCWrite,
  rateChartDecodeSql,
  rateChartSql,
} from './layouts.js';
import { fleetStreams, readRecording, replayStreams } from './replay.js';

/** Options of {@link runStorageBench}. */
export interface StorageBenchOptions {
  address: string;
  servers: number;
  hours: number;
  chartRuns: number;
  log: (line: string) => void;
}

/** One layout's figures. */
export interface LayoutFigures {
  layout: LayoutName;
  description: string;
  bytes: number;
  /** Of which rollup tables. */
  rollupBytes: number;
  bytesPerValue: number;
  /** The layout's write statement for its main table, values/s (module note). */
  writeValuesPerS: number;
  /** Plain COPY of the same rows into the same table, values/s. */
  copyValuesPerS: number;
  /** writeValuesPerS / copyValuesPerS. */
  writeCopyRatio: number;
  /** Seconds of the layout's other work: rollups, dictionary, non-numeric changes. */
  extraS: number;
  extraWhat: string;
  chart: Summary;
  /** C only: the same chart from the blocks alone (every point of the 7 days decoded), and its answer's rows / Σrate. */
  chartFromBlocks?: Summary;
  chartFromBlocksRows?: number;
  chartFromBlocksRateSum?: number;
  /** (object, field, bucket) rows of the chart's answer, and the sum of its rates (to compare layouts). */
  chartRows: number;
  chartRateSum: number;
  dropDayMs: number;
  /** C only: numeric values decoding did not give back, and decoded values the samples lack (both 0 = lossless). */
  decodeMismatches?: number;
}

/** What {@link runStorageBench} measured. */
export interface StorageFigures {
  servers: number;
  hours: number;
  samples: number;
  values: number;
  numericValues: number;
  postgresVersion: string;
  defaultToastCompression: string;
  compression: string;
  layouts: LayoutFigures[];
}

const SETTINGS = {
  fsync: 'on',
  synchronous_commit: 'on',
  full_page_writes: 'on',
  shared_buffers: '256MB',
  work_mem: '64MB',
  maintenance_work_mem: '256MB',
  max_wal_size: '4GB',
  default_toast_compression: 'lz4',
};

const FIXTURE = fileURLToPath(new URL('../../fixtures/lab-samples.jsonl.gz', import.meta.url));
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Starts PostgreSQL, loads and measures every layout (module note), stops it. */
export async function runStorageBench(opts: StorageBenchOptions): Promise<StorageFigures> {
  const { log } = opts;
  const endMs = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 5 * 60_000;
  const fleetFromMs = endMs - opts.hours * HOUR_MS;
  const chartFromMs = Math.floor((endMs - 7 * DAY_MS) / HOUR_MS) * HOUR_MS;
  const rec = readRecording(FIXTURE);
  const dir = mkdtempSync(join(tmpdir(), 'pharos-storage-'));
  chmodSync(dir, 0o777); // the server (user postgres) writes its COPY files here
  const file = join(dir, 'samples.copy');
  const fd = openSync(file, 'w', 0o644);
  const ids = new Map<number, number>();
  const chartServer = 1;
  const counts = replayStreams(
    rec,
    [
      {
        source: rec.databases[chartServer % rec.databases.length]!,
        agentId: chartServer,
        serverId: chartServer,
        fromMs: chartFromMs,
        toMs: fleetFromMs,
        phaseS: 0,
        probes: new Set(['database_stats']),
      },
      ...fleetStreams(rec, opts.servers, fleetFromMs, endMs),
    ],
    ids,
    (chunk) => writeSync(fd, chunk),
  );
  closeSync(fd);
  log(
    `storage: ${counts.samples} samples, ${counts.values} values replayed (${opts.servers} servers, ${opts.hours} h)`,
  );

  const pg = await startPostgres({ address: opts.address, settings: SETTINGS });
  let db: HaConnection | undefined;
  try {
    await pg.psql('CREATE DATABASE pem');
    db = new HaConnection({ conninfo: pg.conninfo('postgres', 'pem'), queryTimeoutMs: 3_600_000 });
    const q = db;
    const one = async <T>(sql: string, params?: unknown[]) =>
      (await q.query<{ x: T }>(sql, params)).rows[0]!.x;
    const timed = async (sql: string | string[]) => {
      const t0 = performance.now();
      for (const s of Array.isArray(sql) ? sql : [sql]) await q.query(s);
      return (performance.now() - t0) / 1000;
    };
    const copyTimed = async (table: string) => {
      const f = join(dir, `${table}.copy`);
      await q.query(`COPY (SELECT * FROM ${table}) TO '${f}'`);
      await q.query(`TRUNCATE ${table}`);
      await q.query('CHECKPOINT');
      const s = await timed(`COPY ${table} FROM '${f}'`);
      rmSync(f, { force: true });
      return s;
    };
    const size = async (schemas: string[], like = '%') =>
      Number(
        await one<string>(
          `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::text AS x FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = ANY ($1) AND c.relkind = 'r' AND c.relname LIKE $2`,
          [schemas, like],
        ),
      );
    await migrate((fn) => q.transaction(fn));
    const version = await one<string>("SELECT current_setting('server_version') AS x");
    const ds = days(chartFromMs, endMs);
    for (const d of ds)
      await q.query(
        `CREATE TABLE pemhistory.sample_${d.suffix} PARTITION OF pemhistory.sample FOR VALUES FROM ('${d.from}') TO ('${d.to}')`,
      );
    await q.query('CREATE SCHEMA stage');
    await q.query('CREATE UNLOGGED TABLE stage.sample (LIKE pemhistory.sample)');
    await q.query(`COPY stage.sample FROM '${file}'`);
    await q.query('ANALYZE stage.sample');
    const numericValues = Number(
      await one<string>(
        `SELECT count(*)::text AS x FROM stage.sample, jsonb_each(CASE WHEN jsonb_typeof(value) = 'object' THEN value
                ELSE jsonb_build_object('value', value) END) f WHERE jsonb_typeof(f.value) = 'number'`,
      ),
    );
    const values = counts.values;
    const layouts: LayoutFigures[] = [];
    const fromIso = new Date(chartFromMs).toISOString();
    const toIso = new Date(endMs).toISOString();
    const fields = ['xact_commit', 'xact_rollback'];
    const chart = async (sql: string, params: unknown[]) => {
      const ms: number[] = [];
      let rows = 0;
      let sum = 0;
      for (let i = 0; i < opts.chartRuns; i++) {
        const t0 = performance.now();
        const r = await q.query<Record<string, unknown>>(sql, params);
        ms.push(performance.now() - t0);
        rows = 0;
        sum = 0;
        for (const row of r.rows) {
          if ('pts' in row) {
            for (const p of row.pts as [number, number | null, number][]) {
              rows++;
              sum += p[1] ?? 0;
            }
          } else {
            rows++;
            sum += Number(row.rate ?? 0);
          }
        }
      }
      return { chart: summarize(ms, 'ms'), chartRows: rows, chartRateSum: sum };
    };
    const firstDay = ds[0]!;

    // ---- A: today's layout ----
    log('storage: A (pemhistory.sample + rollup) ...');
    const aWrite = await timed('INSERT INTO pemhistory.sample SELECT * FROM stage.sample');
    const aCopy = await copyTimed('pemhistory.sample');
    const aRollup = await (async () => {
      const t0 = performance.now();
      for (let i = 0; i < 1000; i++) {
        const r = await one<{ rolled_through: string }>("SELECT pem.rollup_history(interval '6 hours') AS x");
        if (Date.parse(r.rolled_through) >= endMs) break;
      }
      return (performance.now() - t0) / 1000;
    })();
    await q.query('VACUUM ANALYZE pemhistory.sample, pemhistory.rollup');
    const aBytes = await size(['pemhistory']);
    const aRollupBytes = await size(['pemhistory'], 'rollup%');
    const aChart = await chart(rateSql(2), [
      chartServer,
      'database_stats',
      fromIso,
      toIso,
      3600,
      fields,
      null,
      3600,
      null,
    ]);
    const aDrop = await timed([
      `DROP TABLE pemhistory.sample_${firstDay.suffix}`,
      `DELETE FROM pemhistory.rollup WHERE bucket < '${firstDay.to}'`,
    ]);
    layouts.push({
      layout: 'A',
      description:
        'today: one jsonb row per sample (pemhistory.sample, 2 btree + BRIN) + pemhistory.rollup 60/300/3600 s',
      bytes: aBytes,
      rollupBytes: aRollupBytes,
      bytesPerValue: aBytes / values,
      writeValuesPerS: values / aWrite,
      copyValuesPerS: values / aCopy,
      writeCopyRatio: aCopy / aWrite,
      extraS: aRollup,
      extraWhat: 'pem.rollup_history() until caught up',
      ...aChart,
      dropDayMs: aDrop * 1000,
    });
    await q.query('TRUNCATE pemhistory.sample, pemhistory.rollup');

    // ---- B: narrow typed rows ----
    log('storage: B (narrow typed rows) ...');
    await q.query(layoutBDdl(ds));
    const bw = layoutBWrite();
    const bDict = await timed(bw.slice(0, 2));
    const bWrite = await timed(bw[2]!);
    const bRollup = await timed(bw[3]!);
    const bCopy = await copyTimed('lb.point');
    await q.query('VACUUM ANALYZE lb.point, lb.rollup, lb.series, lb.change');
    const bBytes = await size(['lb']);
    const bRollupBytes = await size(['lb'], 'rollup%');
    const bChart = await chart(rateChartSql('B'), [
      chartServer,
      'database_stats',
      fromIso,
      toIso,
      3600,
      fields,
    ]);
    const bDrop = await timed(
      ['point', 'rollup', 'change'].map((t) => `DROP TABLE lb.${t}_${firstDay.suffix}`),
    );
    const bPoints = Number(await one<string>('SELECT count(*)::text AS x FROM lb.point'));
    layouts.push({
      layout: 'B',
      description:
        'narrow typed rows lb.point (series_id, at, v float8) + (series_id, at) index, series dictionary, hourly rollup, non-numeric once per change',
      bytes: bBytes,
      rollupBytes: bRollupBytes,
      bytesPerValue: bBytes / values,
      writeValuesPerS: bPoints / bWrite,
      copyValuesPerS: bPoints / bCopy,
      writeCopyRatio: bCopy / bWrite,
      extraS: bDict + bRollup,
      extraWhat: 'dictionary + non-numeric changes + hourly rollup',
      ...bChart,
      dropDayMs: bDrop * 1000,
    });
    await q.query('DROP SCHEMA lb CASCADE');

    // ---- C: per-series arrays per block ----
    for (const [name, s, blockS] of [
      ['C-hour', 'lc', 3600],
      ['C-day', 'lc_day', 86_400],
    ] as const) {
      log(`storage: ${name} (per-series arrays per ${blockS} s block, lz4) ...`);
      await q.query(layoutCDdl(s, ds, 'lz4'));
      await q.query(layoutCDecodeFunction(s));
      const cw = layoutCWrite(s, blockS);
      const cDict = await timed(cw.slice(0, 2));
      const cWrite = await timed(cw[2]!);
      const cRollup = await timed(cw[3]!);
      const cCopy = await copyTimed(`${s}.block`);
      await q.query(`VACUUM ANALYZE ${s}.block, ${s}.series, ${s}.change, ${s}.rollup`);
      const cBytes = await size([s]);
      const cParams = [chartServer, 'database_stats', fromIso, toIso, 3600, fields];
      const cChart = await chart(rateChartSql(name), cParams);
      const cDecode = await chart(rateChartDecodeSql(name), cParams);
      const cRollupBytes = await size([s], 'rollup%');
      const mismatches = Number(
        await one<string>(
          `WITH dec AS (SELECT series_id, at, v FROM ${s}.points((SELECT array_agg(id) FROM ${s}.series), '-infinity', 'infinity')),
                raw AS (SELECT s.id AS series_id, e.collected_at AS at, (e.j)::float8 AS v
                          FROM (SELECT x.agent_id, x.server_id, x.probe, x.object, f.key AS field, x.collected_at, f.value AS j
                                  FROM stage.sample x CROSS JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(x.value) = 'object'
                                       THEN x.value ELSE jsonb_build_object('value', x.value) END) f) e
                          JOIN ${s}.series s USING (agent_id, server_id, probe, object, field)
                         WHERE jsonb_typeof(e.j) = 'number')
           SELECT ((SELECT count(*) FROM (TABLE dec EXCEPT ALL TABLE raw) a)
                 + (SELECT count(*) FROM (TABLE raw EXCEPT ALL TABLE dec) b))::text AS x`,
        ),
      );
      const cDrop = await timed(
        ['block', 'change', 'rollup'].map((t) => `DROP TABLE ${s}.${t}_${firstDay.suffix}`),
      );
      layouts.push({
        layout: name,
        description: `${s}.block: one row per (series, ${blockS === 3600 ? 'hour' : 'day'}): int4[] ms deltas + float8[] scaled value deltas, lz4 (toast_tuple_target 128); series dictionary; non-numeric once per change; hourly rollup of the charted fields`,
        bytes: cBytes,
        rollupBytes: cRollupBytes,
        bytesPerValue: cBytes / values,
        writeValuesPerS: numericValues / cWrite,
        copyValuesPerS: numericValues / cCopy,
        writeCopyRatio: cCopy / cWrite,
        extraS: cDict + cRollup,
        extraWhat: 'dictionary + non-numeric changes + hourly rollup of the charted fields',
        ...cChart,
        chartFromBlocks: cDecode.chart,
        chartFromBlocksRows: cDecode.chartRows,
        chartFromBlocksRateSum: cDecode.chartRateSum,
        dropDayMs: cDrop * 1000,
        decodeMismatches: mismatches,
      });
      log(`storage: ${name}: ${(cBytes / values).toFixed(2)} B/value, decode mismatches ${mismatches}`);
      await q.query(`DROP SCHEMA ${s} CASCADE`);
    }
    return {
      servers: opts.servers,
      hours: opts.hours,
      samples: counts.samples,
      values,
      numericValues,
      postgresVersion: version,
      defaultToastCompression: 'lz4 (server setting of this benchmark; PostgreSQL 15 default: pglz)',
      compression: 'lz4',
      layouts,
    };
  } finally {
    await db?.close();
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
