/**
 * `backends_by_type` probe: server processes by `backend_type` (docs/reference/metrics.md
 * family 3): client backends, autovacuum workers, walsenders, background
 * workers...
 *
 * Source: monitoring-stats.html#MONITORING-PG-STAT-ACTIVITY-VIEW
 * (`backend_type`, since 10). The usual types always get a row (zeros
 * included) so a type that emptied goes back to 0 in the latest values.
 * 13-17.
 */
import { count, text } from '../columns.js';
import type { Probe } from '../types.js';

const SQL_13 = `
WITH t(backend_type) AS (
  VALUES ('client backend'), ('autovacuum worker'), ('walsender'), ('walreceiver'),
         ('background worker'), ('parallel worker')
  UNION
  SELECT backend_type FROM pg_stat_activity WHERE backend_type IS NOT NULL
)
SELECT t.backend_type,
       (SELECT count(*) FROM pg_stat_activity a WHERE a.backend_type = t.backend_type)::int AS backends
  FROM t ORDER BY t.backend_type`;

/** The `backends_by_type` probe: one row per backend type (object = type). */
export const backendsByTypeProbe: Probe = {
  name: 'backends_by_type',
  level: 'server',
  runsOn: 'both',
  intervalS: 30,
  timeoutMs: 5000,
  description: 'Server processes by backend type (pg_stat_activity.backend_type)',
  sql: { 13: SQL_13 },
  objectColumn: 'backend_type',
  columns: [text('backend_type'), count('backends')],
};
