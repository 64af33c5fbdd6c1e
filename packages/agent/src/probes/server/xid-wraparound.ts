/**
 * `xid_wraparound` probe: transaction ID and multixact ID age per database
 * (docs/reference/metrics.md family 11; docs/reference/pem-facts.md §4 "database frozen XID age",
 * "multixact ID exhaustion").
 *
 * Sources: routine-vacuuming.html#VACUUM-FOR-WRAPAROUND (`age(datfrozenxid)`,
 * `mxid_age(datminmxid)`; wraparound at 2^31 transactions; the
 * `autovacuum_freeze_max_age` and `autovacuum_multixact_freeze_max_age`
 * settings); catalog-pg-database.html. Percentages of the 2^31 limit and of
 * the autovacuum thresholds; NULL when a threshold is 0. Works on standbys
 * (ages from the replayed catalog). 13-17.
 */
import { gauge, pct, text } from '../columns.js';
import type { Probe } from '../types.js';

const SQL_13 = `
SELECT d.datname AS database,
       age(d.datfrozenxid)::bigint AS xid_age,
       mxid_age(d.datminmxid)::bigint AS mxid_age,
       (100.0 * age(d.datfrozenxid) / 2147483648)::float8 AS xid_wraparound_pct,
       (100.0 * mxid_age(d.datminmxid) / 2147483648)::float8 AS mxid_wraparound_pct,
       (100.0 * age(d.datfrozenxid)
          / nullif(current_setting('autovacuum_freeze_max_age')::float8, 0))::float8 AS xid_freeze_max_age_pct,
       (100.0 * mxid_age(d.datminmxid)
          / nullif(current_setting('autovacuum_multixact_freeze_max_age')::float8, 0))::float8
         AS mxid_freeze_max_age_pct
  FROM pg_database d
 ORDER BY d.datname`;

/** The `xid_wraparound` probe: one row per database (object = database name). */
export const xidWraparoundProbe: Probe = {
  name: 'xid_wraparound',
  level: 'server',
  runsOn: 'both',
  intervalS: 300,
  timeoutMs: 5000,
  description: 'Transaction ID and multixact ID age per database, against wraparound and autovacuum limits',
  sql: { 13: SQL_13 },
  objectColumn: 'database',
  columns: [
    text('database'),
    gauge('xid_age', 'bigint', 'xid'),
    gauge('mxid_age', 'bigint', 'xid'),
    pct('xid_wraparound_pct'),
    pct('mxid_wraparound_pct'),
    pct('xid_freeze_max_age_pct'),
    pct('mxid_freeze_max_age_pct'),
  ],
};
