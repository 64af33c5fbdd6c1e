/**
 * `vacuum_progress` probe: VACUUMs running now (docs/reference/metrics.md family 11).
 *
 * Source: progress-reporting.html#VACUUM-PROGRESS-REPORTING
 * (pg_stat_progress_vacuum): `phase`, `heap_blks_total/scanned/vacuumed`,
 * `index_vacuum_count`; up to 16 `max_dead_tuples` and `num_dead_tuples`;
 * 17 renames them `max_dead_tuple_bytes` and `num_dead_item_ids` (with
 * `dead_tuple_bytes`, `indexes_total`, `indexes_processed`). Columns of the
 * other majors are NULL. `relation` is resolved only in the maintenance
 * database (the OID elsewhere). `scanned_pct` is NULL when the heap size is
 * not known yet. No rows when no VACUUM runs. Object = pid.
 */
import { count, gauge, pct, seconds, text } from '../columns.js';
import type { Probe } from '../types.js';

const common = (v16: string, v17: string) => `
SELECT p.pid::text AS pid_key, p.pid, p.datname AS database,
       coalesce(c.oid::regclass::text, p.relid::text) AS relation,
       p.phase, p.heap_blks_total, p.heap_blks_scanned, p.heap_blks_vacuumed, p.index_vacuum_count,
       ${v16}, ${v17},
       CASE WHEN p.heap_blks_total > 0 THEN (100.0 * p.heap_blks_scanned / p.heap_blks_total)::float8 END
         AS scanned_pct,
       greatest(0, extract(epoch FROM clock_timestamp() - a.xact_start))::float8 AS running_s
  FROM pg_stat_progress_vacuum p
  LEFT JOIN pg_class c ON c.oid = p.relid AND p.datid = (SELECT oid FROM pg_database WHERE datname = current_database())
  LEFT JOIN pg_stat_activity a ON a.pid = p.pid
 ORDER BY p.pid`;

const SQL_13 = common(
  'p.max_dead_tuples, p.num_dead_tuples',
  'NULL::bigint AS max_dead_tuple_bytes, NULL::bigint AS dead_tuple_bytes, NULL::bigint AS num_dead_item_ids, NULL::bigint AS indexes_total, NULL::bigint AS indexes_processed',
);
const SQL_17 = common(
  'NULL::bigint AS max_dead_tuples, NULL::bigint AS num_dead_tuples',
  'p.max_dead_tuple_bytes, p.dead_tuple_bytes, p.num_dead_item_ids, p.indexes_total, p.indexes_processed',
);

/** The `vacuum_progress` probe: one row per running VACUUM (object = pid). */
export const vacuumProgressProbe: Probe = {
  name: 'vacuum_progress',
  level: 'server',
  runsOn: 'both',
  intervalS: 30,
  timeoutMs: 5000,
  description:
    'VACUUMs in progress: phase, heap blocks scanned/vacuumed, dead tuples (pg_stat_progress_vacuum)',
  sql: { 13: SQL_13, 17: SQL_17 },
  objectColumn: 'pid_key',
  columns: [
    count('pid'),
    text('database'),
    text('relation'),
    text('phase'),
    gauge('heap_blks_total', 'bigint', 'blocks'),
    gauge('heap_blks_scanned', 'bigint', 'blocks'),
    gauge('heap_blks_vacuumed', 'bigint', 'blocks'),
    gauge('index_vacuum_count', 'bigint', 'count'),
    gauge('max_dead_tuples', 'bigint', 'rows'),
    gauge('num_dead_tuples', 'bigint', 'rows'),
    gauge('max_dead_tuple_bytes', 'bigint', 'bytes'),
    gauge('dead_tuple_bytes', 'bigint', 'bytes'),
    gauge('num_dead_item_ids', 'bigint', 'count'),
    gauge('indexes_total', 'bigint', 'count'),
    gauge('indexes_processed', 'bigint', 'count'),
    pct('scanned_pct'),
    seconds('running_s'),
  ],
};
