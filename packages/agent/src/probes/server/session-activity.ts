/**
 * `session_activity` probe: the sessions at a glance (docs/reference/metrics.md family 3;
 * docs/reference/pem-facts.md §4 "session information").
 *
 * Source: monitoring-stats.html#MONITORING-PG-STAT-ACTIVITY-VIEW
 * (`backend_type` 'client backend', `state`, `xact_start`, `query_start`,
 * `state_change`, `backend_xmin`, `wait_event_type`; `query_id` 14+, filled
 * only with `compute_query_id`). Needs `pg_read_all_stats` (in `pg_monitor`)
 * to see other roles' sessions. The probe's own session is left out of the
 * ages. Ages use `clock_timestamp()` and are never negative; NULL when no
 * session qualifies. `connections_pct` is of `max_connections`.
 */
import { count, gauge, pct, seconds, text } from '../columns.js';
import type { Probe } from '../types.js';

const body = (queryId: string) => `
WITH a AS (
  SELECT * FROM pg_stat_activity WHERE backend_type = 'client backend'
), o AS (
  SELECT * FROM a WHERE pid <> pg_backend_pid()
)
SELECT (SELECT count(*) FROM a)::int AS client_connections,
       current_setting('max_connections')::int AS max_connections,
       (100.0 * (SELECT count(*) FROM a) / nullif(current_setting('max_connections')::int, 0))::float8
         AS connections_pct,
       (SELECT count(*) FROM a WHERE state = 'active')::int AS active,
       (SELECT count(*) FROM a WHERE state IN ('idle in transaction', 'idle in transaction (aborted)'))::int
         AS idle_in_transaction,
       (SELECT count(*) FROM o WHERE state = 'active' AND wait_event_type IS NOT NULL)::int AS waiting,
       (SELECT max(greatest(0, extract(epoch FROM clock_timestamp() - xact_start))) FROM o)::float8
         AS oldest_xact_age_s,
       (SELECT max(greatest(0, extract(epoch FROM clock_timestamp() - query_start))) FROM o
         WHERE state = 'active')::float8 AS longest_query_s,
       (SELECT max(greatest(0, extract(epoch FROM clock_timestamp() - state_change))) FROM o
         WHERE state IN ('idle in transaction', 'idle in transaction (aborted)'))::float8
         AS longest_idle_in_transaction_s,
       (SELECT max(age(backend_xmin)) FROM pg_stat_activity WHERE pid <> pg_backend_pid())::bigint
         AS oldest_xmin_age,
       ${queryId} AS longest_query_id`;

const SQL_13 = body('NULL::text');
const SQL_14 = body("(SELECT query_id::text FROM o WHERE state = 'active' ORDER BY query_start LIMIT 1)");

/** The `session_activity` probe: one row. */
export const sessionActivityProbe: Probe = {
  name: 'session_activity',
  level: 'server',
  runsOn: 'both',
  intervalS: 10,
  timeoutMs: 5000,
  description:
    'Client sessions: totals, active, idle in transaction, waiting, oldest transaction, longest query',
  sql: { 13: SQL_13, 14: SQL_14 },
  columns: [
    count('client_connections'),
    count('max_connections'),
    pct('connections_pct'),
    count('active'),
    count('idle_in_transaction'),
    count('waiting'),
    seconds('oldest_xact_age_s'),
    seconds('longest_query_s'),
    seconds('longest_idle_in_transaction_s'),
    gauge('oldest_xmin_age', 'bigint', 'xid'),
    text('longest_query_id'),
  ],
};
