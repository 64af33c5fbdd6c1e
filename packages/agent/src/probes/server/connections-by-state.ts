/**
 * `connections_by_state` probe: client backends by state (docs/reference/metrics.md family 3).
 *
 * Source: PostgreSQL 15 documentation §28.2.3 "pg_stat_activity": `state`
 * (active, idle, idle in transaction, idle in transaction (aborted),
 * fastpath function call, disabled; NULL for sessions the role may not see,
 * reported here as `unknown`) and `backend_type` ('client backend' since 10).
 * Every known state gets a row, zeros included, so the latest value of a
 * state that emptied goes back to 0. Needs `pg_read_all_stats` (in
 * `pg_monitor`) to see every session's state. Works unchanged on 13-17.
 */
import type { Probe } from '../types.js';

const SQL_13 = `
WITH a AS (
  SELECT coalesce(state, 'unknown') AS state FROM pg_stat_activity WHERE backend_type = 'client backend'
), s(state) AS (
  VALUES ('active'), ('idle'), ('idle in transaction'), ('idle in transaction (aborted)'),
         ('fastpath function call'), ('disabled'), ('unknown')
  UNION
  SELECT state FROM a
)
SELECT s.state, (SELECT count(*) FROM a WHERE a.state = s.state)::int AS connections
  FROM s ORDER BY s.state`;

/** The `connections_by_state` probe: one row per state (object = state). */
export const connectionsByStateProbe: Probe = {
  name: 'connections_by_state',
  level: 'server',
  runsOn: 'both',
  intervalS: 10,
  timeoutMs: 5000,
  description: 'Client connections by state (pg_stat_activity)',
  sql: { 13: SQL_13 },
  objectColumn: 'state',
  columns: [
    { name: 'state', type: 'text', unit: 'text' },
    { name: 'connections', type: 'integer', unit: 'count' },
  ],
};
