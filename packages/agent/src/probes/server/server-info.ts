/**
 * `server_info` probe: identity and availability (metrics.md family 1).
 *
 * Sources (PostgreSQL 15 documentation): §9.26 "System Information Functions
 * and Operators": `version()`, `pg_postmaster_start_time()`, the control data
 * functions `pg_control_system()` (system_identifier) and
 * `pg_control_checkpoint()` (timeline_id of the last checkpoint/restartpoint);
 * §9.27.4 "Recovery Control Functions": `pg_is_in_recovery()`; §9.27.3 "Backup
 * Control Functions": `pg_current_wal_lsn()` and `pg_walfile_name()` (primary
 * only: the WAL file name starts with the current timeline in 8 hex digits);
 * §28.2.4 "pg_stat_wal_receiver": `received_tli` on a standby.
 * Works unchanged on 13-17.
 */
import type { Probe } from '../types.js';

const SQL_13 = `
SELECT version() AS version,
       current_setting('server_version_num')::int AS server_version_num,
       current_setting('server_version') AS server_version,
       pg_is_in_recovery() AS in_recovery,
       CASE WHEN pg_is_in_recovery() THEN 'standby' ELSE 'primary' END AS role,
       pg_postmaster_start_time() AS started_at,
       extract(epoch FROM clock_timestamp() - pg_postmaster_start_time())::float8 AS uptime_s,
       (SELECT system_identifier::text FROM pg_control_system()) AS system_identifier,
       CASE WHEN pg_is_in_recovery()
            THEN coalesce((SELECT received_tli FROM pg_stat_wal_receiver),
                          (SELECT timeline_id FROM pg_control_checkpoint()))
            ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int
       END AS timeline,
       current_setting('max_connections')::int AS max_connections`;

/** The `server_info` probe: one row. */
export const serverInfoProbe: Probe = {
  name: 'server_info',
  level: 'server',
  runsOn: 'both',
  intervalS: 10,
  timeoutMs: 5000,
  description: 'Version, role (primary/standby), uptime, system identifier, timeline',
  sql: { 13: SQL_13 },
  columns: [
    { name: 'version', type: 'text', unit: 'text' },
    { name: 'server_version_num', type: 'integer', unit: 'version' },
    { name: 'server_version', type: 'text', unit: 'text' },
    { name: 'in_recovery', type: 'boolean', unit: 'boolean' },
    { name: 'role', type: 'text', unit: 'text' },
    { name: 'started_at', type: 'timestamptz', unit: 'timestamp' },
    { name: 'uptime_s', type: 'double', unit: 's' },
    { name: 'system_identifier', type: 'text', unit: 'text' },
    { name: 'timeline', type: 'integer', unit: 'timeline' },
    { name: 'max_connections', type: 'integer', unit: 'count' },
  ],
};
