/**
 * `replication_lag` probe (docs/reference/metrics.md family 7): on a standby, one row about
 * its own WAL receiver (object `upstream`); on any server with downstream
 * standbys, one row per `pg_stat_replication` entry (object
 * `<application_name>@<client address>`).
 *
 * Sources (PostgreSQL 15 documentation): §9.27.4 "Recovery Control Functions":
 * `pg_is_in_recovery()`, `pg_last_wal_receive_lsn()`, `pg_last_wal_replay_lsn()`,
 * `pg_last_xact_replay_timestamp()`; §9.27.3: `pg_current_wal_lsn()` (fails
 * during recovery, so a cascading standby measures against its replay LSN),
 * `pg_wal_lsn_diff()`; §28.2.4 "pg_stat_replication" (sent/write/flush/replay
 * LSNs, write/flush/replay_lag intervals, state, sync_state); §28.2.5
 * "pg_stat_wal_receiver" (status, sender_host; no row when no WAL receiver runs).
 *
 * Correctness: lag in seconds grows on an idle primary, so a standby that has
 * replayed everything it received while streaming reports 0 s; a standby whose
 * WAL receiver is not streaming (dead, restarting, or absent) is reported
 * `broken = true` with `lag_bytes` NULL (unknown), never as zero lag, and its
 * `replay_lag_s` is the age of the last replayed transaction. Needs
 * `pg_read_all_stats` (in `pg_monitor`). Works unchanged on 13-17.
 */
import type { Probe } from '../types.js';

const SQL_13 = `
SELECT 'upstream'::text AS object,
       'receiver'::text AS direction,
       (r.status IS DISTINCT FROM 'streaming') AS broken,
       r.status::text AS wal_receiver_status,
       r.sender_host::text AS upstream_host,
       NULL::text AS application_name,
       NULL::text AS client_addr,
       NULL::text AS state,
       NULL::text AS sync_state,
       NULL::text AS sent_lsn,
       NULL::text AS flush_lsn,
       pg_last_wal_receive_lsn()::text AS receive_lsn,
       pg_last_wal_replay_lsn()::text AS replay_lsn,
       CASE WHEN r.status = 'streaming'
            THEN pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())::bigint END AS lag_bytes,
       NULL::float8 AS write_lag_s,
       NULL::float8 AS flush_lag_s,
       CASE WHEN r.status = 'streaming' AND pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0::float8
            ELSE extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp())::float8 END AS replay_lag_s,
       pg_last_xact_replay_timestamp() AS last_replay_at
  FROM (SELECT 1) AS one LEFT JOIN pg_stat_wal_receiver AS r ON true
 WHERE pg_is_in_recovery()
UNION ALL
SELECT coalesce(nullif(s.application_name, ''), '?') || '@' || coalesce(host(s.client_addr), 'local'),
       'sender',
       (s.state IS DISTINCT FROM 'streaming' AND s.state IS DISTINCT FROM 'catchup'),
       NULL,
       NULL,
       s.application_name::text,
       host(s.client_addr),
       s.state::text,
       s.sync_state::text,
       s.sent_lsn::text,
       s.flush_lsn::text,
       NULL,
       s.replay_lsn::text,
       pg_wal_lsn_diff(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END,
                       s.replay_lsn)::bigint,
       extract(epoch FROM s.write_lag)::float8,
       extract(epoch FROM s.flush_lag)::float8,
       extract(epoch FROM s.replay_lag)::float8,
       NULL
  FROM pg_stat_replication AS s`;

/** The `replication_lag` probe. */
export const replicationLagProbe: Probe = {
  name: 'replication_lag',
  level: 'server',
  runsOn: 'both',
  intervalS: 10,
  timeoutMs: 5000,
  description: 'Replication lag: a standby’s own WAL receiver, and each standby seen by a primary',
  sql: { 13: SQL_13 },
  objectColumn: 'object',
  columns: [
    { name: 'direction', type: 'text', unit: 'text' },
    { name: 'broken', type: 'boolean', unit: 'boolean' },
    { name: 'wal_receiver_status', type: 'text', unit: 'text' },
    { name: 'upstream_host', type: 'text', unit: 'text' },
    { name: 'application_name', type: 'text', unit: 'text' },
    { name: 'client_addr', type: 'text', unit: 'text' },
    { name: 'state', type: 'text', unit: 'text' },
    { name: 'sync_state', type: 'text', unit: 'text' },
    { name: 'sent_lsn', type: 'lsn', unit: 'lsn' },
    { name: 'flush_lsn', type: 'lsn', unit: 'lsn' },
    { name: 'receive_lsn', type: 'lsn', unit: 'lsn' },
    { name: 'replay_lsn', type: 'lsn', unit: 'lsn' },
    { name: 'lag_bytes', type: 'bigint', unit: 'bytes' },
    { name: 'write_lag_s', type: 'double', unit: 's' },
    { name: 'flush_lag_s', type: 'double', unit: 's' },
    { name: 'replay_lag_s', type: 'double', unit: 's' },
    { name: 'last_replay_at', type: 'timestamptz', unit: 'timestamp' },
  ],
};
