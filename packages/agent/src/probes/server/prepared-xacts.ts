/**
 * `prepared_xacts` probe: transactions prepared for two-phase commit
 * (docs/reference/pem-facts.md §4 "prepared transactions").
 *
 * Source: view-pg-prepared-xacts.html (`prepared` time) and the
 * `max_prepared_transactions` setting. A forgotten prepared transaction
 * holds locks and the xmin horizon: its age is what to watch. One row; the
 * age is NULL when there is none. 13-17.
 */
import { count, seconds } from '../columns.js';
import type { Probe } from '../types.js';

const SQL_13 = `
SELECT count(*)::int AS prepared,
       max(greatest(0, extract(epoch FROM clock_timestamp() - p.prepared)))::float8 AS oldest_prepared_age_s,
       current_setting('max_prepared_transactions')::int AS max_prepared
  FROM pg_prepared_xacts p`;

/** The `prepared_xacts` probe: one row. */
export const preparedXactsProbe: Probe = {
  name: 'prepared_xacts',
  level: 'server',
  runsOn: 'both',
  intervalS: 60,
  timeoutMs: 5000,
  description: 'Prepared (two-phase) transactions: count and age of the oldest',
  sql: { 13: SQL_13 },
  columns: [count('prepared'), seconds('oldest_prepared_age_s'), count('max_prepared')],
};
