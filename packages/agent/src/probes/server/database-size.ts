/**
 * `database_size` probe: size of every database (docs/reference/metrics.md family 2,
 * docs/reference/pem-facts.md §4 "database size").
 *
 * Source: functions-admin.html#FUNCTIONS-ADMIN-DBSIZE `pg_database_size(oid)`
 * (needs CONNECT on the database or the privileges of `pg_read_all_stats`,
 * which `pg_monitor` has). It walks every file of the database, so it is
 * expensive with many relations: default interval 5 minutes. 13-17.
 */
import { bytes, text } from '../columns.js';
import type { Probe } from '../types.js';

const SQL_13 = `
SELECT d.datname AS database, pg_database_size(d.oid) AS size_bytes
  FROM pg_database d
 ORDER BY d.datname`;

/** The `database_size` probe: one row per database (object = database name). */
export const databaseSizeProbe: Probe = {
  name: 'database_size',
  level: 'server',
  runsOn: 'both',
  intervalS: 300,
  timeoutMs: 30000,
  description: 'Size of each database (pg_database_size)',
  sql: { 13: SQL_13 },
  objectColumn: 'database',
  columns: [text('database'), bytes('size_bytes')],
};
