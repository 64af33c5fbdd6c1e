/**
 * Reads one downsampled series set of a server: one probe, a few fields,
 * every object (or one), at most `points` buckets, aggregated in SQL
 * (series-sql.ts) and returned on one shared time axis with NULL where a
 * bucket has no data (a gap, which charts draw as a gap).
 *
 * Source of facts: pemhistory.sample as pem.ingest_batch writes it, and for
 * long ranges pemhistory.rollup as pem.rollup_history keeps it; field
 * names are the probe's columns (packages/agent/src/probes/**): e.g.
 * database_stats.xact_commit (counter), connections_by_state.connections per
 * state (gauge), replication_lag.lag_bytes per standby (gauge).
 */
import type { Queryable, Transactional } from '@pharos/core/query';
import { type LogSink, withFailoverRetry } from '../backend.js';
import type { SeriesPlan } from './series-range.js';
import { gaugeSql, rateSql } from './series-sql.js';
import type { Series, SeriesAnswer, SeriesMode } from './shapes/series.js';

export type { Series, SeriesAnswer, SeriesMode };

/** Most series (objects x fields) one answer carries; the rest are cut (`truncated`). */
export const MAX_SERIES = 64;

/**
 * Deadline of one series statement, milliseconds: longer than other
 * statements' (a 7-day chart of a probe with many objects reads hundreds of
 * thousands of samples), so a slow chart is slow, not "failing over".
 */
export const SERIES_DEADLINE_MS = 15_000;

/** What to read. */
export interface SeriesRequest {
  /** The monitored server, or 0 for an agent's host (then `agentId` names the agent). */
  serverId: number;
  /** The agent whose host's series these are (server 0); undefined for a server's series. */
  agentId?: number | undefined;
  probe: string;
  fields: string[];
  mode: SeriesMode;
  /** Only this object (e.g. one standby), or every object. */
  object?: string | undefined;
  plan: SeriesPlan;
}

/** One (object, field) with data (series-sql.ts). */
interface Row {
  object: string;
  /** Position of the field in the request's fields, from 1. */
  k: number;
  /**
   * Buckets with data, in time order: gauges [start (s since the epoch), avg, min, max],
   * rates [start, rate per second, resets].
   */
  pts: [number, number | null, number | null, (number | null)?][];
}

const iso = (s: number) => new Date(s * 1000).toISOString();

/** Rounds to 6 significant digits (charts need no more; answers shrink by half). */
function round(x: number | null | undefined): number | null {
  if (x === null || x === undefined || !Number.isFinite(x)) return null;
  return x === 0 ? 0 : Number(x.toPrecision(6));
}

/**
 * The statement of a request (series-sql.ts: the gauge or the rate SQL) and its nine
 * parameters, as {@link readSeries} runs it.
 */
export function seriesStatement(req: SeriesRequest): { text: string; params: unknown[] } {
  const { plan } = req;
  const params: unknown[] = [
    req.serverId,
    req.probe,
    iso(plan.fromS),
    iso(plan.toS),
    plan.bucketS,
    req.fields,
    req.object ?? null,
    // a host's series (server 0) read samples only: the rollup is kept per server, not per agent
    req.agentId === undefined ? plan.rollupS : 0,
    req.agentId ?? null,
  ];
  return { text: req.mode === 'rate' ? rateSql(req.fields.length) : gaugeSql(req.fields.length), params };
}

/**
 * Runs the gauge or rate statement in a transaction that turns JIT compilation off for it
 * (`SET LOCAL jit = off`: the planner cannot know at plan time which days the samples' part
 * reads, as it starts where the rollup ends, so it estimates every day partition's rows, the
 * statement passes jit_above_cost, and compiling took 250-320 ms of a 7-day chart that runs
 * in 15-40 ms without it: docs/benchmarks.md "History compaction"; readFleetJson does the
 * same), retried once on a failover-class error, and lays the rows out on the plan's buckets.
 * Throws BackendFailingOverError when the backend stays unavailable.
 */
export async function readSeries(
  db: Queryable & Transactional,
  req: SeriesRequest,
  logger?: LogSink,
): Promise<SeriesAnswer> {
  const { plan } = req;
  const { text, params } = seriesStatement(req);
  const rows = await withFailoverRetry(
    async () =>
      db.transaction(
        async (tx) => {
          await tx.query('SET LOCAL jit = off');
          return (await tx.query<Row>(text, params)).rows;
        },
        { deadlineMs: SERIES_DEADLINE_MS },
      ),
    { logger, what: 'read series' },
  );
  const index = new Map(plan.starts.map((t, i) => [t, i]));
  const series: Series[] = [];
  const byObject = new Map<string, Series[]>();
  let truncated = false;
  for (const r of rows) {
    let list = byObject.get(r.object);
    if (!list) {
      if (series.length + req.fields.length > MAX_SERIES) {
        truncated = true;
        continue;
      }
      const empty = () => plan.starts.map(() => null);
      list = req.fields.map((field) => {
        const s: Series = { object: r.object, field, values: empty() };
        if (req.mode === 'gauge') {
          s.min = empty();
          s.max = empty();
        } else s.resets = 0;
        return s;
      });
      byObject.set(r.object, list);
      series.push(...list);
    }
    const s = list[r.k - 1];
    if (!s) continue;
    for (const [b, v, x, y] of r.pts) {
      const i = index.get(b);
      if (i === undefined) continue;
      s.values[i] = round(v);
      if (req.mode === 'gauge') {
        s.min![i] = round(x);
        s.max![i] = round(y);
      } else s.resets! += x ?? 0;
    }
  }
  // A field without a single value in range is no series (e.g. a field the probe does not have).
  const withData = series.filter((s) => s.values.some((x) => x !== null) || (s.resets ?? 0) > 0);
  return {
    serverId: req.serverId,
    probe: req.probe,
    mode: req.mode,
    from: iso(plan.fromS),
    to: iso(plan.toS),
    bucketS: plan.bucketS,
    t: plan.starts,
    series: withData,
    truncated,
  };
}
