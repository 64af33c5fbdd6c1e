/**
 * `replication_conflicts` probe: queries cancelled on a standby because of
 * recovery conflicts (docs/reference/metrics.md family 7; docs/reference/pem-facts.md §4 "replication
 * conflicts").
 *
 * Source: monitoring-stats.html#MONITORING-PG-STAT-DATABASE-CONFLICTS-VIEW:
 * `confl_tablespace`, `confl_lock`, `confl_snapshot`, `confl_bufferpin`,
 * `confl_deadlock` (13+), `confl_active_logicalslot` (16+, NULL before).
 * Conflicts only happen on a standby: the probe runs on standbys only.
 * Object = database name.
 */
import { counter, text } from '../columns.js';
import type { Probe } from '../types.js';

const common = (slot: string) => `
SELECT datname AS database, confl_tablespace, confl_lock, confl_snapshot, confl_bufferpin, confl_deadlock,
       ${slot} AS confl_active_logicalslot,
       (confl_tablespace + confl_lock + confl_snapshot + confl_bufferpin + confl_deadlock
        + coalesce(${slot}, 0))::bigint AS confl_total
  FROM pg_stat_database_conflicts
 ORDER BY datname`;

const SQL_13 = common('NULL::bigint');
const SQL_16 = common('confl_active_logicalslot');

/** The `replication_conflicts` probe: one row per database, standbys only. */
export const replicationConflictsProbe: Probe = {
  name: 'replication_conflicts',
  level: 'server',
  runsOn: 'standby',
  intervalS: 60,
  timeoutMs: 5000,
  description: 'Recovery conflicts on a standby, per database and kind',
  sql: { 13: SQL_13, 16: SQL_16 },
  objectColumn: 'database',
  columns: [
    text('database'),
    counter('confl_tablespace'),
    counter('confl_lock'),
    counter('confl_snapshot'),
    counter('confl_bufferpin'),
    counter('confl_deadlock'),
    counter('confl_active_logicalslot'),
    counter('confl_total'),
  ],
};
