/**
 * `statements_info` probe: pg_stat_statements' own state (docs/reference/metrics.md family
 * 12): entries deallocated because `pg_stat_statements.max` was reached, and
 * the last reset of all statistics (a reset explains counters going back).
 *
 * Source: pgstatstatements.html "The pg_stat_statements_info View",
 * extension version 1.9+ (PostgreSQL 14+); not collected for older
 * extension versions. One row.
 */
import { counter, timestamp } from '../columns.js';
import type { Probe } from '../types.js';

/** The `statements_info` probe. */
export const statementsInfoProbe: Probe = {
  name: 'statements_info',
  level: 'server',
  runsOn: 'both',
  intervalS: 60,
  timeoutMs: 5000,
  description: 'pg_stat_statements deallocations and last reset (extension 1.9+)',
  extensionSql: {
    extension: 'pg_stat_statements',
    byVersion: { '1.9': 'SELECT dealloc, stats_reset FROM {{schema}}.pg_stat_statements_info' },
  },
  columns: [counter('dealloc'), timestamp('stats_reset')],
};
