/**
 * `server_info` probe: identity and availability (docs/reference/metrics.md family 1).
 *
 * Sources (PostgreSQL documentation): functions-info.html "Session
 * Information Functions" `version()`, `pg_postmaster_start_time()`;
 * functions-info.html#FUNCTIONS-CONTROLDATA `pg_control_system()`
 * (system_identifier) and `pg_control_checkpoint()` (timeline_id of the last
 * checkpoint/restartpoint); functions-admin.html#FUNCTIONS-RECOVERY-INFO-TABLE
 * `pg_is_in_recovery()`; functions-admin.html#FUNCTIONS-ADMIN-BACKUP
 * `pg_current_wal_lsn()` and `pg_walfile_name()` (primary only: the WAL file
 * name starts with the current timeline in 8 hex digits);
 * monitoring-stats.html#MONITORING-PG-STAT-WAL-RECEIVER-VIEW `received_tli`.
 *
 * Slowly changing: history keeps change points only. Uptime is not stored
 * (it changes every second); it is `now() - started_at`, and a new
 * `started_at` is a restart. Works unchanged on 13-17.
 */
import { bool, count, gauge, text, timestamp } from '../columns.js';
import type { Probe } from '../types.js';

const SQL_13 = `
SELECT version() AS version,
       current_setting('server_version_num')::int AS server_version_num,
       current_setting('server_version') AS server_version,
       pg_is_in_recovery() AS in_recovery,
       CASE WHEN pg_is_in_recovery() THEN 'standby' ELSE 'primary' END AS role,
       pg_postmaster_start_time() AS started_at,
       (SELECT system_identifier::text FROM pg_control_system()) AS system_identifier,
       CASE WHEN pg_is_in_recovery()
            THEN coalesce((SELECT received_tli FROM pg_stat_wal_receiver),
                          (SELECT timeline_id FROM pg_control_checkpoint()))
            ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int
       END AS timeline,
       current_setting('max_connections')::int AS max_connections,
       current_setting('data_checksums')::bool AS data_checksums`;

/** The `server_info` probe: one row. */
export const serverInfoProbe: Probe = {
  name: 'server_info',
  level: 'server',
  runsOn: 'both',
  intervalS: 10,
  timeoutMs: 5000,
  history: 'changes',
  description: 'Version, role (primary/standby), start time, system identifier, timeline',
  sql: { 13: SQL_13 },
  columns: [
    text('version'),
    gauge('server_version_num', 'integer', 'version'),
    text('server_version'),
    bool('in_recovery'),
    text('role'),
    timestamp('started_at'),
    text('system_identifier'),
    gauge('timeline', 'integer', 'timeline'),
    count('max_connections'),
    bool('data_checksums'),
  ],
};
