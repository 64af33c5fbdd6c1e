/**
 * `wait_events` probe: what active client sessions wait on, by wait event
 * type (docs/reference/metrics.md family 3, "wait events"; docs/reference/pem-facts.md §6 "session waits").
 *
 * Source: monitoring-stats.html#WAIT-EVENT-TABLE (wait event types
 * Activity, BufferPin, Client, Extension, InjectionPoint (17+), IO, IPC,
 * Lock, LWLock, Timeout) and pg_stat_activity `wait_event_type`/`wait_event`.
 * Active sessions that wait on nothing count as `CPU`. Every type gets a row
 * (zeros included); `top_event` is the most frequent event of the type (NULL
 * when none). The probe's own session is left out. 13-17.
 */
import { count, text } from '../columns.js';
import type { Probe } from '../types.js';

const SQL_13 = `
WITH a AS (
  SELECT coalesce(wait_event_type, 'CPU') AS wait_type, wait_event
    FROM pg_stat_activity
   WHERE backend_type = 'client backend' AND state = 'active' AND pid <> pg_backend_pid()
), t(wait_type) AS (
  VALUES ('CPU'), ('Activity'), ('BufferPin'), ('Client'), ('Extension'), ('IO'), ('IPC'), ('Lock'),
         ('LWLock'), ('Timeout')
  UNION
  SELECT wait_type FROM a
)
SELECT t.wait_type,
       (SELECT count(*) FROM a WHERE a.wait_type = t.wait_type)::int AS sessions,
       (SELECT a.wait_event FROM a WHERE a.wait_type = t.wait_type AND a.wait_event IS NOT NULL
         GROUP BY a.wait_event ORDER BY count(*) DESC, a.wait_event LIMIT 1) AS top_event
  FROM t ORDER BY t.wait_type`;

/** The `wait_events` probe: one row per wait event type (object = type). */
export const waitEventsProbe: Probe = {
  name: 'wait_events',
  level: 'server',
  runsOn: 'both',
  intervalS: 10,
  timeoutMs: 5000,
  description: 'Active client sessions by wait event type (CPU = not waiting)',
  sql: { 13: SQL_13 },
  objectColumn: 'wait_type',
  columns: [text('wait_type'), count('sessions'), text('top_event')],
};
