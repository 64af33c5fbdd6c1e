/**
 * `replication_slots` probe (docs/reference/metrics.md family 7; docs/reference/pem-facts.md §4
 * "replication slots").
 *
 * Source: view-pg-replication-slots.html: `slot_name`, `slot_type`,
 * `plugin`, `database`, `temporary`, `active`, `active_pid`, `restart_lsn`,
 * `confirmed_flush_lsn`, `wal_status` and `safe_wal_size` (13+),
 * `conflicting` (16+), `inactive_since` and `invalidation_reason` (17+; NULL
 * before). `retained_bytes` is the WAL the slot holds back: from
 * `restart_lsn` to the current LSN on a primary, to the replay LSN on a
 * standby (functions-admin.html#FUNCTIONS-ADMIN-BACKUP: `pg_current_wal_lsn()`
 * fails during recovery); NULL for a slot without `restart_lsn` (never used,
 * or invalidated). Object = slot name. No rows when there is no slot.
 */
import { bool, bytes, gauge, lsn, text, timestamp } from '../columns.js';
import type { Probe } from '../types.js';

const common = (extra: string) => `
SELECT s.slot_name, s.slot_type, s.plugin, s.database, s.temporary, s.active, s.active_pid,
       s.restart_lsn::text AS restart_lsn, s.confirmed_flush_lsn::text AS confirmed_flush_lsn,
       s.wal_status, s.safe_wal_size AS safe_wal_size_bytes,
       pg_wal_lsn_diff(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END,
                       s.restart_lsn)::bigint AS retained_bytes,
       age(s.xmin)::bigint AS xmin_age, age(s.catalog_xmin)::bigint AS catalog_xmin_age,
       ${extra}
  FROM pg_replication_slots s
 ORDER BY s.slot_name`;

const SQL_13 = common(
  'NULL::boolean AS conflicting, NULL::timestamptz AS inactive_since, NULL::text AS invalidation_reason',
);
const SQL_16 = common(
  's.conflicting, NULL::timestamptz AS inactive_since, NULL::text AS invalidation_reason',
);
const SQL_17 = common('s.conflicting, s.inactive_since, s.invalidation_reason');

/** The `replication_slots` probe: one row per slot (object = slot name). */
export const replicationSlotsProbe: Probe = {
  name: 'replication_slots',
  level: 'server',
  runsOn: 'both',
  intervalS: 30,
  timeoutMs: 5000,
  description: 'Replication slots: activity, WAL status, WAL retained, invalidation',
  sql: { 13: SQL_13, 16: SQL_16, 17: SQL_17 },
  objectColumn: 'slot_name',
  columns: [
    text('slot_name'),
    text('slot_type'),
    text('plugin'),
    text('database'),
    bool('temporary'),
    bool('active'),
    gauge('active_pid', 'integer', 'count'),
    lsn('restart_lsn'),
    lsn('confirmed_flush_lsn'),
    text('wal_status'),
    bytes('safe_wal_size_bytes'),
    bytes('retained_bytes'),
    gauge('xmin_age', 'bigint', 'xid'),
    gauge('catalog_xmin_age', 'bigint', 'xid'),
    bool('conflicting'),
    timestamp('inactive_since'),
    text('invalidation_reason'),
  ],
};
