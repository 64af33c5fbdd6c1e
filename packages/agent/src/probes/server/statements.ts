/**
 * `statements` probe: the top statements of pg_stat_statements (docs/reference/metrics.md
 * family 12), when the extension is installed in the maintenance database.
 *
 * Source: pgstatstatements.html. The columns follow the installed extension
 * version, not the server major (an extension not updated after pg_upgrade
 * keeps its old view), so the SQL is chosen by `extversion`:
 * - 1.4-1.7 (PostgreSQL 9.6-12): `total_time` (reported as exec time), no plan time, no WAL;
 * - 1.8 (13): `total_plan_time` + `total_exec_time`, `plans`, `wal_records`, `wal_fpi`, `wal_bytes`;
 * - 1.9 (14): `toplevel`;
 * - 1.10 (15): `temp_blk_read_time`, `temp_blk_write_time`;
 * - 1.11 (17): `blk_read_time`/`blk_write_time` renamed `shared_blk_read_time`/
 *   `shared_blk_write_time`, `local_blk_read_time`/`local_blk_write_time`, `stats_since`.
 * Columns a version lacks are NULL. The function form
 * `pg_stat_statements(false)` is used so query texts are not read.
 * `queryid` is visible to `pg_read_all_stats` (in `pg_monitor`). The top 100
 * by total execution time are kept; their counters are cumulative (rates on
 * the read side; `stats_since` (1.11) marks an entry's reset).
 * Object = `database/role/queryid` (+ `/nested` for non-top-level, 1.9+).
 */
import { bool, counter, counterMs, gauge, text, timestamp } from '../columns.js';
import type { Probe } from '../types.js';

interface Variant {
  toplevel: string;
  plans: string;
  execTime: string;
  planTime: string;
  meanExec: string;
  sharedRead: string;
  sharedWrite: string;
  localRead: string;
  localWrite: string;
  tempRead: string;
  tempWrite: string;
  wal: string;
  statsSince: string;
}

const sql = (v: Variant) => `
SELECT coalesce(d.datname, s.dbid::text) || '/' || coalesce(r.rolname, s.userid::text) || '/'
         || coalesce(s.queryid::text, 'hidden') || CASE WHEN ${v.toplevel} IS FALSE THEN '/nested' ELSE '' END
         AS statement_key,
       s.queryid::text AS queryid, d.datname AS database, r.rolname AS role_name, ${v.toplevel} AS toplevel,
       s.calls, ${v.plans} AS plans, ${v.execTime} AS total_exec_time_ms, ${v.planTime} AS total_plan_time_ms,
       ${v.meanExec} AS mean_exec_time_ms, s.rows,
       s.shared_blks_hit, s.shared_blks_read, s.shared_blks_dirtied, s.shared_blks_written,
       s.local_blks_hit, s.local_blks_read, s.local_blks_written, s.temp_blks_read, s.temp_blks_written,
       ${v.sharedRead} AS shared_blk_read_time_ms, ${v.sharedWrite} AS shared_blk_write_time_ms,
       ${v.localRead} AS local_blk_read_time_ms, ${v.localWrite} AS local_blk_write_time_ms,
       ${v.tempRead} AS temp_blk_read_time_ms, ${v.tempWrite} AS temp_blk_write_time_ms,
       ${v.wal},
       ${v.statsSince} AS stats_since
  FROM {{schema}}.pg_stat_statements(false) s
  LEFT JOIN pg_database d ON d.oid = s.dbid
  LEFT JOIN pg_roles r ON r.oid = s.userid
 ORDER BY ${v.execTime} DESC NULLS LAST, s.queryid
 LIMIT 100`;

const NONE = 'NULL::float8';
const V14: Variant = {
  toplevel: 'NULL::boolean',
  plans: 'NULL::bigint',
  execTime: 's.total_time::float8',
  planTime: NONE,
  meanExec: 's.mean_time::float8',
  sharedRead: 's.blk_read_time::float8',
  sharedWrite: 's.blk_write_time::float8',
  localRead: NONE,
  localWrite: NONE,
  tempRead: NONE,
  tempWrite: NONE,
  wal: 'NULL::bigint AS wal_records, NULL::bigint AS wal_fpi, NULL::bigint AS wal_bytes',
  statsSince: 'NULL::timestamptz',
};
const V18: Variant = {
  ...V14,
  plans: 's.plans',
  execTime: 's.total_exec_time::float8',
  planTime: 's.total_plan_time::float8',
  meanExec: 's.mean_exec_time::float8',
  wal: 's.wal_records, s.wal_fpi, s.wal_bytes::bigint AS wal_bytes',
};
const V19: Variant = { ...V18, toplevel: 's.toplevel' };
const V110: Variant = {
  ...V19,
  tempRead: 's.temp_blk_read_time::float8',
  tempWrite: 's.temp_blk_write_time::float8',
};
const V111: Variant = {
  ...V110,
  sharedRead: 's.shared_blk_read_time::float8',
  sharedWrite: 's.shared_blk_write_time::float8',
  localRead: 's.local_blk_read_time::float8',
  localWrite: 's.local_blk_write_time::float8',
  statsSince: 's.stats_since',
};

/** The `statements` probe: top 100 statements (object = `database/role/queryid[/nested]`). */
export const statementsProbe: Probe = {
  name: 'statements',
  level: 'server',
  runsOn: 'both',
  intervalS: 60,
  timeoutMs: 10000,
  retentionDays: 30,
  description: 'Top 100 statements by total execution time (pg_stat_statements, when installed)',
  extensionSql: {
    extension: 'pg_stat_statements',
    byVersion: { '1.4': sql(V14), '1.8': sql(V18), '1.9': sql(V19), '1.10': sql(V110), '1.11': sql(V111) },
  },
  objectColumn: 'statement_key',
  columns: [
    text('queryid'),
    text('database'),
    text('role_name'),
    bool('toplevel'),
    counter('calls'),
    counter('plans'),
    counterMs('total_exec_time_ms'),
    counterMs('total_plan_time_ms'),
    gauge('mean_exec_time_ms', 'double', 'ms'),
    counter('rows', 'rows'),
    counter('shared_blks_hit', 'blocks'),
    counter('shared_blks_read', 'blocks'),
    counter('shared_blks_dirtied', 'blocks'),
    counter('shared_blks_written', 'blocks'),
    counter('local_blks_hit', 'blocks'),
    counter('local_blks_read', 'blocks'),
    counter('local_blks_written', 'blocks'),
    counter('temp_blks_read', 'blocks'),
    counter('temp_blks_written', 'blocks'),
    counterMs('shared_blk_read_time_ms'),
    counterMs('shared_blk_write_time_ms'),
    counterMs('local_blk_read_time_ms'),
    counterMs('local_blk_write_time_ms'),
    counterMs('temp_blk_read_time_ms'),
    counterMs('temp_blk_write_time_ms'),
    counter('wal_records'),
    counter('wal_fpi'),
    counter('wal_bytes', 'bytes'),
    timestamp('stats_since'),
  ],
};
