/**
 * `wal` probe: WAL position and generation (docs/reference/metrics.md family 5).
 *
 * Sources: functions-admin.html#FUNCTIONS-ADMIN-BACKUP `pg_current_wal_lsn()`
 * (fails during recovery, so it is evaluated only on a primary),
 * `pg_wal_lsn_diff()`; functions-admin.html#FUNCTIONS-RECOVERY-INFO-TABLE
 * `pg_last_wal_receive_lsn()`, `pg_last_wal_replay_lsn()` (NULL on a
 * primary); monitoring-stats.html#MONITORING-PG-STAT-WAL-VIEW (14+:
 * `wal_records`, `wal_fpi`, `wal_bytes`, `wal_buffers_full`, `wal_write`,
 * `wal_sync`, `wal_write_time`, `wal_sync_time`; NULL on 13). PostgreSQL 18
 * moved the write and sync counters out of pg_stat_wal into pg_stat_io
 * (release notes 18, E.2.3.1.5; monitoring-stats.html#MONITORING-PG-STAT-IO-VIEW,
 * object `wal`): on 18+ `wal_write`/`wal_sync` and their times are the
 * `writes`/`fsyncs` of pg_stat_io's `wal` rows in context `normal`, summed
 * over backend types (the context `init` rows are new segments' creation,
 * which pg_stat_wal never counted).
 *
 * `position_bytes` is the WAL position as a byte offset (current LSN on a
 * primary, replay LSN on a standby): a counter whose rate is the WAL rate on
 * every major, role and stats reset.
 */
import { counter, counterMs, lsn, timestamp } from '../columns.js';
import type { Probe } from '../types.js';

const POSITION = `
SELECT CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_current_wal_lsn()::text END AS current_lsn,
       pg_last_wal_receive_lsn()::text AS receive_lsn,
       pg_last_wal_replay_lsn()::text AS replay_lsn,
       pg_wal_lsn_diff(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END,
                       '0/0')::bigint AS position_bytes`;

const SQL_13 = `${POSITION},
       NULL::bigint AS wal_records, NULL::bigint AS wal_fpi, NULL::bigint AS wal_bytes,
       NULL::bigint AS wal_buffers_full, NULL::bigint AS wal_write, NULL::bigint AS wal_sync,
       NULL::float8 AS wal_write_time_ms, NULL::float8 AS wal_sync_time_ms, NULL::timestamptz AS stats_reset`;

const SQL_14 = `${POSITION},
       w.wal_records, w.wal_fpi, w.wal_bytes::bigint AS wal_bytes, w.wal_buffers_full, w.wal_write, w.wal_sync,
       w.wal_write_time::float8 AS wal_write_time_ms, w.wal_sync_time::float8 AS wal_sync_time_ms, w.stats_reset
  FROM pg_stat_wal w`;

const SQL_18 = `${POSITION},
       w.wal_records, w.wal_fpi, w.wal_bytes::bigint AS wal_bytes, w.wal_buffers_full,
       io.writes AS wal_write, io.fsyncs AS wal_sync,
       io.write_time_ms AS wal_write_time_ms, io.fsync_time_ms AS wal_sync_time_ms, w.stats_reset
  FROM pg_stat_wal w,
       (SELECT sum(writes)::bigint AS writes, sum(fsyncs)::bigint AS fsyncs,
               sum(write_time)::float8 AS write_time_ms, sum(fsync_time)::float8 AS fsync_time_ms
          FROM pg_stat_io WHERE object = 'wal' AND context = 'normal') io`;

/** The `wal` probe: one row. */
export const walProbe: Probe = {
  name: 'wal',
  level: 'server',
  runsOn: 'both',
  intervalS: 10,
  timeoutMs: 5000,
  description: 'WAL position (current, received, replayed) and WAL generation statistics (pg_stat_wal, 14+)',
  sql: { 13: SQL_13, 14: SQL_14, 18: SQL_18 },
  columns: [
    lsn('current_lsn'),
    lsn('receive_lsn'),
    lsn('replay_lsn'),
    counter('position_bytes', 'bytes'),
    counter('wal_records'),
    counter('wal_fpi'),
    counter('wal_bytes', 'bytes'),
    counter('wal_buffers_full'),
    counter('wal_write'),
    counter('wal_sync'),
    counterMs('wal_write_time_ms'),
    counterMs('wal_sync_time_ms'),
    timestamp('stats_reset'),
  ],
};
