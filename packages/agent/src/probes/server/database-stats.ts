/**
 * `database_stats` probe: server-wide sums over `pg_stat_database` (docs/reference/metrics.md
 * family 2).
 *
 * Source: PostgreSQL 15 documentation §28.2.13 "pg_stat_database". Since 12 the
 * view has a row with `datid = 0` and NULL `datname` (shared objects): `sum()`
 * skips NULLs and `count(datname)` counts real databases only, so that row
 * never fails the probe. The hit ratio is NULL when nothing was read or hit
 * (no division by zero). Counters are cumulative since `stats_reset`.
 * Works unchanged on 13-17.
 */
import type { Probe } from '../types.js';

const SQL_13 = `
SELECT count(datname)::int AS databases,
       coalesce(sum(numbackends), 0)::bigint AS backends,
       coalesce(sum(xact_commit), 0)::bigint AS xact_commit,
       coalesce(sum(xact_rollback), 0)::bigint AS xact_rollback,
       coalesce(sum(blks_read), 0)::bigint AS blks_read,
       coalesce(sum(blks_hit), 0)::bigint AS blks_hit,
       coalesce(sum(tup_returned), 0)::bigint AS tup_returned,
       coalesce(sum(tup_fetched), 0)::bigint AS tup_fetched,
       coalesce(sum(tup_inserted), 0)::bigint AS tup_inserted,
       coalesce(sum(tup_updated), 0)::bigint AS tup_updated,
       coalesce(sum(tup_deleted), 0)::bigint AS tup_deleted,
       coalesce(sum(deadlocks), 0)::bigint AS deadlocks,
       coalesce(sum(temp_bytes), 0)::bigint AS temp_bytes,
       CASE WHEN coalesce(sum(blks_hit), 0) + coalesce(sum(blks_read), 0) > 0
            THEN (100.0 * coalesce(sum(blks_hit), 0) / (coalesce(sum(blks_hit), 0) + coalesce(sum(blks_read), 0)))::float8
       END AS hit_ratio_pct,
       max(stats_reset) AS stats_reset
  FROM pg_stat_database`;

/** The `database_stats` probe: one row. */
export const databaseStatsProbe: Probe = {
  name: 'database_stats',
  level: 'server',
  runsOn: 'both',
  intervalS: 10,
  timeoutMs: 5000,
  description: 'Transactions, block reads/hits and tuples summed over all databases (pg_stat_database)',
  sql: { 13: SQL_13 },
  columns: [
    { name: 'databases', type: 'integer', unit: 'count' },
    { name: 'backends', type: 'bigint', unit: 'count' },
    { name: 'xact_commit', type: 'bigint', unit: 'transactions', counter: true },
    { name: 'xact_rollback', type: 'bigint', unit: 'transactions', counter: true },
    { name: 'blks_read', type: 'bigint', unit: 'blocks', counter: true },
    { name: 'blks_hit', type: 'bigint', unit: 'blocks', counter: true },
    { name: 'tup_returned', type: 'bigint', unit: 'rows', counter: true },
    { name: 'tup_fetched', type: 'bigint', unit: 'rows', counter: true },
    { name: 'tup_inserted', type: 'bigint', unit: 'rows', counter: true },
    { name: 'tup_updated', type: 'bigint', unit: 'rows', counter: true },
    { name: 'tup_deleted', type: 'bigint', unit: 'rows', counter: true },
    { name: 'deadlocks', type: 'bigint', unit: 'count', counter: true },
    { name: 'temp_bytes', type: 'bigint', unit: 'bytes', counter: true },
    { name: 'hit_ratio_pct', type: 'double', unit: 'percent' },
    { name: 'stats_reset', type: 'timestamptz', unit: 'timestamp' },
  ],
};
