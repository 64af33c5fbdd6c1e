/**
 * Top SQL of a server over a time range (issue 17), from the `statements`
 * probe's history (pemhistory.sample and its compacted days, read through
 * pem.history_samples: the top 100 entries of
 * pg_stat_statements with cumulative counters, one sample per entry per
 * run) and the `statement_texts` probe's latest text per entry
 * (pemdata.server_latest).
 *
 * Each entry's activity over [from, to) is the sum of its increases between
 * consecutive samples whose later sample is in the range, the sample before
 * `from` (within {@link LOOKBACK_S}) taken as the start. Reset-safe: when
 * `calls` went down (pg_stat_statements_reset, a restart, the entry
 * deallocated and made again) the later sample's counters count whole, as
 * everything since the reset. An entry with no earlier sample (it entered
 * the top 100, or monitoring began, in the range) counts whole too, unless
 * its `stats_since` (extension 1.11+) is before `from`: then only what it
 * did after its first sample counts. Mean time = total time / calls over
 * the range.
 */
import type { Queryable } from '@pharos/core/query';
import { type LogSink, withFailoverRetry } from '../backend.js';
import { SERIES_DEADLINE_MS } from './series-query.js';
import {
  MAX_TOP_SQL,
  TOP_SQL_ORDERS,
  type TopSqlAnswer,
  type TopSqlOrder,
  type TopSqlRow,
} from './shapes/top-sql.js';

/** How far before `from` the starting sample of an entry is looked for, seconds (a few intervals of a 60 s probe). */
export const LOOKBACK_S = 900;

export type { TopSqlAnswer, TopSqlRow };
export { MAX_TOP_SQL, TOP_SQL_ORDERS, type TopSqlOrder };

const FIELDS = [
  'calls',
  'total_exec_time_ms',
  'rows',
  'shared_blks_hit',
  'shared_blks_read',
  'temp_blks_written',
] as const;

const f = (v: string, field: string) => `coalesce(pem.jsonb_float8(${v} -> '${field}'), 0)`;
/** The increase of `field` from `p` to `s`: whole after a reset or with no start. */
const delta = (field: string) =>
  `sum(CASE WHEN x.whole THEN ${f('x.value', field)} ELSE greatest(0, ${f('x.value', field)} - ${f('x.prev', field)}) END)`;

/** $1 server, $2 from, $3 to, $4 order column, $5 limit. */
const TOP_SQL = `
WITH s AS (
  SELECT h.object, h.collected_at, h.value,
         lag(h.value) OVER (PARTITION BY h.object ORDER BY h.collected_at, h.sample_id) AS prev
    FROM pem.history_samples($1, 'statements', $2::timestamptz - make_interval(secs => ${LOOKBACK_S}),
                             $3::timestamptz) h
), x AS (
  SELECT s.object, s.value, s.prev,
         s.prev IS NOT NULL AND ${f('s.value', 'calls')} < ${f('s.prev', 'calls')} AS reset,
         CASE WHEN s.prev IS NULL
              THEN coalesce((s.value ->> 'stats_since')::timestamptz >= $2::timestamptz, true)
              ELSE ${f('s.value', 'calls')} < ${f('s.prev', 'calls')} END AS whole
    FROM s WHERE s.collected_at >= $2::timestamptz
), agg AS (
  SELECT x.object, (array_agg(x.value))[1] AS value, count(*) FILTER (WHERE x.reset)::int AS resets,
         ${FIELDS.map((k) => `${delta(k)} AS ${k}`).join(',\n         ')}
    FROM x GROUP BY x.object
), ranked AS (
  SELECT a.*, a.total_exec_time_ms / nullif(a.calls, 0) AS mean_exec_time_ms FROM agg a
)
SELECT r.object AS key, r.value ->> 'queryid' AS queryid, r.value ->> 'database' AS database,
       r.value ->> 'role_name' AS role, (r.value ->> 'toplevel')::boolean AS toplevel,
       r.calls, r.total_exec_time_ms, r.mean_exec_time_ms, r.rows, r.shared_blks_hit, r.shared_blks_read,
       r.temp_blks_written, r.resets, t.value ->> 'query' AS query
  FROM ranked r
  LEFT JOIN pemdata.server_latest t ON t.server_id = $1 AND t.probe = 'statement_texts' AND t.object = r.object
 WHERE r.calls > 0 OR r.total_exec_time_ms > 0
 ORDER BY CASE $4::text WHEN 'calls' THEN r.calls WHEN 'mean_exec_time_ms' THEN r.mean_exec_time_ms
                        WHEN 'rows' THEN r.rows WHEN 'shared_blks_read' THEN r.shared_blks_read
                        ELSE r.total_exec_time_ms END DESC NULLS LAST, r.object
 LIMIT $5`;

const META_SQL = `
SELECT (SELECT count(*) FROM pem.history_samples($1, 'statements', $2::timestamptz, $3::timestamptz, '{}'))::int
         AS samples,
       (SELECT max(collected_at) FROM pemdata.server_latest l WHERE l.server_id = $1 AND l.probe = 'statements') AS last`;

/** Reads Top SQL (see the module note). Throws BackendFailingOverError. */
export async function readTopSql(
  db: Queryable,
  req: { serverId: number; fromS: number; toS: number; order: TopSqlOrder; limit: number },
  logger?: LogSink,
): Promise<TopSqlAnswer> {
  const from = new Date(req.fromS * 1000).toISOString();
  const to = new Date(req.toS * 1000).toISOString();
  const params = [req.serverId, from, to];
  const [rows, meta] = await withFailoverRetry(
    async () =>
      Promise.all([
        db.query<Record<string, unknown>>(TOP_SQL, [...params, TOP_SQL_ORDERS[req.order], req.limit], {
          deadlineMs: SERIES_DEADLINE_MS,
        }),
        db.query<{ samples: number; last: Date | null }>(META_SQL, params, {
          deadlineMs: SERIES_DEADLINE_MS,
        }),
      ]),
    { logger, what: 'read top SQL' },
  );
  const n = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
  const m = meta.rows[0];
  return {
    serverId: req.serverId,
    from,
    to,
    order: req.order,
    samples: m?.samples ?? 0,
    lastCollectedAt: m?.last ? new Date(m.last).toISOString() : null,
    statements: rows.rows.map((r) => ({
      key: String(r.key),
      queryid: (r.queryid as string | null) ?? null,
      database: (r.database as string | null) ?? null,
      role: (r.role as string | null) ?? null,
      toplevel: (r.toplevel as boolean | null) ?? null,
      calls: n(r.calls),
      totalExecTimeMs: n(r.total_exec_time_ms),
      meanExecTimeMs: r.mean_exec_time_ms === null ? null : Number(r.mean_exec_time_ms),
      rows: n(r.rows),
      sharedBlksHit: n(r.shared_blks_hit),
      sharedBlksRead: n(r.shared_blks_read),
      tempBlksWritten: n(r.temp_blks_written),
      query: (r.query as string | null) ?? null,
      resets: n(r.resets),
    })),
  };
}
