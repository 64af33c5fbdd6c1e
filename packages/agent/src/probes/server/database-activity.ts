/**
 * `database_activity` probe: `pg_stat_database` per database (docs/reference/metrics.md
 * family 2; the server-wide sums are `database_stats`).
 *
 * Source: monitoring-stats.html#MONITORING-PG-STAT-DATABASE-VIEW. Since 12
 * the view has a row with `datid = 0` and NULL `datname` (shared objects),
 * reported as object `(shared)`; `checksum_failures` 12+; the session
 * statistics (`session_time`, `active_time`, `idle_in_transaction_time`,
 * `sessions`, `sessions_abandoned`, `sessions_fatal`, `sessions_killed`) 14+,
 * NULL on 13. The hit ratio is NULL when nothing was read or hit.
 */
import { count, counter, counterMs, pct, text, timestamp } from '../columns.js';
import type { Probe } from '../types.js';

const COMMON = `
SELECT coalesce(d.datname, '(shared)') AS database,
       d.numbackends AS backends,
       d.xact_commit, d.xact_rollback, d.blks_read, d.blks_hit,
       d.tup_returned, d.tup_fetched, d.tup_inserted, d.tup_updated, d.tup_deleted,
       d.conflicts, d.temp_files, d.temp_bytes, d.deadlocks,
       d.checksum_failures, d.checksum_last_failure,
       d.blk_read_time::float8 AS blk_read_time_ms, d.blk_write_time::float8 AS blk_write_time_ms,
       CASE WHEN d.blks_hit + d.blks_read > 0
            THEN (100.0 * d.blks_hit / (d.blks_hit + d.blks_read))::float8 END AS hit_ratio_pct,
       d.stats_reset`;

const SQL_13 = `${COMMON},
       NULL::float8 AS session_time_ms, NULL::float8 AS active_time_ms, NULL::float8 AS idle_in_transaction_time_ms,
       NULL::bigint AS sessions, NULL::bigint AS sessions_abandoned, NULL::bigint AS sessions_fatal,
       NULL::bigint AS sessions_killed
  FROM pg_stat_database d`;

const SQL_14 = `${COMMON},
       d.session_time::float8 AS session_time_ms, d.active_time::float8 AS active_time_ms,
       d.idle_in_transaction_time::float8 AS idle_in_transaction_time_ms,
       d.sessions, d.sessions_abandoned, d.sessions_fatal, d.sessions_killed
  FROM pg_stat_database d`;

/** The `database_activity` probe: one row per database (object = database name). */
export const databaseActivityProbe: Probe = {
  name: 'database_activity',
  level: 'server',
  runsOn: 'both',
  intervalS: 60,
  timeoutMs: 5000,
  description:
    'Per-database transactions, blocks, tuples, temp files, conflicts, sessions (pg_stat_database)',
  sql: { 13: SQL_13, 14: SQL_14 },
  objectColumn: 'database',
  columns: [
    text('database'),
    count('backends'),
    counter('xact_commit', 'transactions'),
    counter('xact_rollback', 'transactions'),
    counter('blks_read', 'blocks'),
    counter('blks_hit', 'blocks'),
    counter('tup_returned', 'rows'),
    counter('tup_fetched', 'rows'),
    counter('tup_inserted', 'rows'),
    counter('tup_updated', 'rows'),
    counter('tup_deleted', 'rows'),
    counter('conflicts'),
    counter('temp_files'),
    counter('temp_bytes', 'bytes'),
    counter('deadlocks'),
    counter('checksum_failures'),
    timestamp('checksum_last_failure'),
    counterMs('blk_read_time_ms'),
    counterMs('blk_write_time_ms'),
    pct('hit_ratio_pct'),
    timestamp('stats_reset'),
    counterMs('session_time_ms'),
    counterMs('active_time_ms'),
    counterMs('idle_in_transaction_time_ms'),
    counter('sessions'),
    counter('sessions_abandoned'),
    counter('sessions_fatal'),
    counter('sessions_killed'),
  ],
};
