/**
 * `locks` probe: heavyweight locks by mode (docs/reference/metrics.md family 8;
 * docs/reference/pem-facts.md §4 "locks").
 *
 * Source: view-pg-locks.html: `mode`, `granted`; `waitstart` 14+ (NULL on
 * 13, so `longest_wait_s` is NULL there). Every table-level mode and
 * `SIReadLock` get a row (zeros included). The probe's own locks are left
 * out. Object = mode. 13-17.
 */
import { count, seconds, text } from '../columns.js';
import type { Probe } from '../types.js';

const body = (wait: string) => `
WITH m(mode) AS (
  VALUES ('AccessShareLock'), ('RowShareLock'), ('RowExclusiveLock'), ('ShareUpdateExclusiveLock'),
         ('ShareLock'), ('ShareRowExclusiveLock'), ('ExclusiveLock'), ('AccessExclusiveLock'), ('SIReadLock')
), l AS (
  SELECT * FROM pg_locks WHERE pid IS DISTINCT FROM pg_backend_pid()
)
SELECT m.mode,
       count(l.mode)::int AS locks,
       count(l.mode) FILTER (WHERE l.granted)::int AS granted,
       count(l.mode) FILTER (WHERE NOT l.granted)::int AS waiting,
       ${wait} AS longest_wait_s
  FROM m LEFT JOIN l ON l.mode = m.mode
 GROUP BY m.mode
 ORDER BY m.mode`;

const SQL_13 = body('NULL::float8');
const SQL_14 = body(
  'max(greatest(0, extract(epoch FROM clock_timestamp() - l.waitstart))) FILTER (WHERE NOT l.granted)::float8',
);

/** The `locks` probe: one row per lock mode (object = mode). */
export const locksProbe: Probe = {
  name: 'locks',
  level: 'server',
  runsOn: 'both',
  intervalS: 10,
  timeoutMs: 5000,
  description: 'Heavyweight locks by mode: held, waiting, longest wait (14+)',
  sql: { 13: SQL_13, 14: SQL_14 },
  objectColumn: 'mode',
  columns: [text('mode'), count('locks'), count('granted'), count('waiting'), seconds('longest_wait_s')],
};
