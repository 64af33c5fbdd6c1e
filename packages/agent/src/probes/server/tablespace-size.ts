/**
 * `tablespace_size` probe (docs/reference/pem-facts.md §4 "tablespace size").
 *
 * Source: functions-admin.html#FUNCTIONS-ADMIN-DBSIZE `pg_tablespace_size()`
 * (needs CREATE on the tablespace or the privileges of `pg_read_all_stats`,
 * which `pg_monitor` has) and `pg_tablespace_location()` ('' for the built-in
 * tablespaces). Object = tablespace name. 13-17.
 */
import { bytes, text } from '../columns.js';
import type { Probe } from '../types.js';

const SQL_13 = `
SELECT t.spcname AS tablespace, pg_tablespace_location(t.oid) AS location,
       pg_tablespace_size(t.oid) AS size_bytes
  FROM pg_tablespace t
 ORDER BY t.spcname`;

/** The `tablespace_size` probe: one row per tablespace. */
export const tablespaceSizeProbe: Probe = {
  name: 'tablespace_size',
  level: 'server',
  runsOn: 'both',
  intervalS: 300,
  timeoutMs: 30000,
  description: 'Size and location of each tablespace',
  sql: { 13: SQL_13 },
  objectColumn: 'tablespace',
  columns: [text('tablespace'), text('location'), bytes('size_bytes')],
};
