/**
 * `wal_files` probe: number and size of WAL segment files in pg_wal
 * (docs/reference/pem-facts.md §4 "number of WAL files"; docs/reference/metrics.md family 5).
 *
 * Source: functions-admin.html#FUNCTIONS-ADMIN-GENFILE `pg_ls_waldir()`
 * (granted to `pg_monitor`); only names of 24 hex digits are segments.
 * `wal_segment_size` from the preset option. 13-17, primary and standby.
 */
import { bytes, count } from '../columns.js';
import type { Probe } from '../types.js';

const SQL_13 = `
SELECT count(*)::int AS wal_files,
       coalesce(sum(w.size), 0)::bigint AS wal_size_bytes,
       pg_size_bytes(current_setting('wal_segment_size'))::bigint AS segment_size_bytes
  FROM pg_ls_waldir() AS w
 WHERE w.name ~ '^[0-9A-F]{24}$'`;

/** The `wal_files` probe: one row. */
export const walFilesProbe: Probe = {
  name: 'wal_files',
  level: 'server',
  runsOn: 'both',
  intervalS: 60,
  timeoutMs: 10000,
  description: 'WAL segment files in pg_wal: count and total size',
  sql: { 13: SQL_13 },
  columns: [count('wal_files'), bytes('wal_size_bytes'), bytes('segment_size_bytes')],
};
