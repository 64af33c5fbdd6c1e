/**
 * `blocked_sessions` probe: sessions waiting for a lock held by another
 * (docs/reference/metrics.md family 3 "blocked sessions"; docs/reference/pem-facts.md §4).
 *
 * Sources: functions-info.html "Session Information Functions"
 * `pg_blocking_pids(pid)` (an empty array when not blocked; called only for
 * sessions whose `wait_event_type` is `Lock`, because it is not free);
 * monitoring-stats.html#MONITORING-PG-STAT-ACTIVITY-VIEW. One row, zeros when
 * nothing is blocked; `longest_blocked_s` NULL then. 13-17.
 */
import { count, seconds } from '../columns.js';
import type { Probe } from '../types.js';

const SQL_13 = `
WITH w AS (
  SELECT pid, query_start, pg_blocking_pids(pid) AS blockers
    FROM pg_stat_activity
   WHERE wait_event_type = 'Lock' AND backend_type = 'client backend'
), b AS (
  SELECT * FROM w WHERE cardinality(blockers) > 0
)
SELECT (SELECT count(*) FROM b)::int AS blocked,
       (SELECT count(DISTINCT x) FROM b, unnest(b.blockers) AS x)::int AS blocking,
       (SELECT max(greatest(0, extract(epoch FROM clock_timestamp() - query_start))) FROM b)::float8
         AS longest_blocked_s`;

/** The `blocked_sessions` probe: one row. */
export const blockedSessionsProbe: Probe = {
  name: 'blocked_sessions',
  level: 'server',
  runsOn: 'both',
  intervalS: 10,
  timeoutMs: 5000,
  description: 'Sessions blocked by locks of other sessions, their blockers, and the longest wait',
  sql: { 13: SQL_13 },
  columns: [count('blocked'), count('blocking'), seconds('longest_blocked_s')],
};
