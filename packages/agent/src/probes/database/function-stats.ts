/**
 * `function_stats` probe: calls and time per user function in one database
 * (docs/reference/metrics.md family 13; docs/reference/pem-facts.md §4 "function statistics").
 *
 * Source: monitoring-stats.html#MONITORING-PG-STAT-USER-FUNCTIONS-VIEW
 * (`calls`, `total_time`, `self_time` in ms); rows exist only with
 * `track_functions` = pl or all. Capped to the 100 functions with most total
 * time. Object = `database/schema.function(argument types)`. 13-17.
 */
import { counter, counterMs, text } from '../columns.js';
import type { Probe } from '../types.js';

const SQL_13 = `
SELECT f.schemaname || '.' || f.funcname || '(' || pg_get_function_identity_arguments(f.funcid) || ')'
         AS function_name,
       f.calls, f.total_time::float8 AS total_time_ms, f.self_time::float8 AS self_time_ms
  FROM pg_stat_user_functions f
 ORDER BY f.total_time DESC, function_name
 LIMIT 100`;

/** The `function_stats` probe (database level): one row per function. */
export const functionStatsProbe: Probe = {
  name: 'function_stats',
  level: 'database',
  runsOn: 'both',
  intervalS: 300,
  timeoutMs: 15000,
  description: 'Per-function calls, total and self time (needs track_functions; top 100)',
  sql: { 13: SQL_13 },
  objectColumn: 'function_name',
  columns: [text('function_name'), counter('calls'), counterMs('total_time_ms'), counterMs('self_time_ms')],
};
