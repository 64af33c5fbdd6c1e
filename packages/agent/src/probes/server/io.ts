/**
 * `io` probe: I/O by backend type, object and context (docs/reference/metrics.md family 6).
 *
 * Source: monitoring-stats.html#MONITORING-PG-STAT-IO-VIEW, 16+ (there is no
 * SQL for 13-15: the probe does not exist there). Combinations PostgreSQL
 * never tracks have NULL counters and are left out; `*_time` columns need
 * `track_io_timing` (0 otherwise). Object = `backend_type/object/context`.
 * PostgreSQL 18 dropped `op_bytes` for `read_bytes`, `write_bytes` and
 * `extend_bytes` (and tracks the `wal` object): there `op_bytes` is the
 * block size for relations, as 16-17 reported it, and NULL for WAL (its
 * operations have no one size).
 */
import { counter, counterMs, gauge, text, timestamp } from '../columns.js';
import type { Probe } from '../types.js';

const SQL_16 = `
SELECT s.backend_type || '/' || s.object || '/' || s.context AS io_key,
       s.backend_type, s.object AS io_object, s.context,
       s.reads, s.read_time::float8 AS read_time_ms, s.writes, s.write_time::float8 AS write_time_ms,
       s.writebacks, s.writeback_time::float8 AS writeback_time_ms, s.extends,
       s.extend_time::float8 AS extend_time_ms, s.op_bytes, s.hits, s.evictions, s.reuses, s.fsyncs,
       s.fsync_time::float8 AS fsync_time_ms, s.stats_reset
  FROM pg_stat_io s
 WHERE coalesce(s.reads, s.writes, s.extends, s.hits, s.evictions, s.fsyncs, s.writebacks) IS NOT NULL
 ORDER BY 1`;

const SQL_18 = SQL_16.replace(
  's.op_bytes',
  `CASE WHEN s.object <> 'wal' THEN current_setting('block_size')::bigint END AS op_bytes`,
);

/** The `io` probe (16+): one row per tracked combination (object = `backend_type/object/context`). */
export const ioProbe: Probe = {
  name: 'io',
  level: 'server',
  runsOn: 'both',
  intervalS: 60,
  timeoutMs: 5000,
  description: 'I/O operations by backend type, object and context (pg_stat_io, 16+)',
  sql: { 16: SQL_16, 18: SQL_18 },
  objectColumn: 'io_key',
  columns: [
    text('backend_type'),
    text('io_object'),
    text('context'),
    counter('reads'),
    counterMs('read_time_ms'),
    counter('writes'),
    counterMs('write_time_ms'),
    counter('writebacks'),
    counterMs('writeback_time_ms'),
    counter('extends'),
    counterMs('extend_time_ms'),
    gauge('op_bytes', 'bigint', 'bytes'),
    counter('hits'),
    counter('evictions'),
    counter('reuses'),
    counter('fsyncs'),
    counterMs('fsync_time_ms'),
    timestamp('stats_reset'),
  ],
};
