/**
 * Reads the fleet for the overview: every agent with its heartbeat and its
 * host values, every server with its binding and its latest values.
 *
 * Source of facts: pem.agent, pem.server, pem.server_binding and pemdata.latest
 * (one row per agent/server/probe/object, written by pem.ingest_batch). Values
 * are grouped by probe name, each cut to the columns the overview shows
 * (contract/overview-fields.ts, names checked against the agent's probe
 * catalog by the type checker). Agent-level probes (cpu,
 * load_avg, memory, agent_status...) are the rows with server_id 0; a server's
 * values are those of pemdata.server_latest (packages/backend/sql/views/): per
 * object the row of the agent bound to it, else the newest another agent
 * stored (before a rebinding).
 * Only the probes the overview shows are read ({@link OVERVIEW_PROBES}), so a
 * probe with many objects (per table, per statement) does not swell it.
 * Only the objects of a probe's newest run count (a standby that went away
 * is not listed: docs/probes.md "Storage"). Commits and cache hits are
 * given as rates between the two newest database_stats samples (`window`,
 * pem.counter_rates over pemdata.latest's previous sample).
 * Alert counts come from pem.alert: enabled alerts in low, medium or high,
 * per agent, per server and in total. `maintenance` is the window covering
 * an agent or server now (pem.agent_maintenance, pem.server_maintenance;
 * docs/maintenance.md), or null. The backend writes the answer's JSON
 * itself ({@link readFleetJson}); shapes/fleet.ts declares it.
 */
import type { Queryable, Transactional } from '@pharos/core/query';
import { OVERVIEW_FIELDS, type OverviewProbe } from '../../ui/contract/overview-fields.js';
import { type LogSink, STATEMENT_DEADLINE_MS, withFailoverRetry } from '../backend.js';

export type { Fleet, FleetAgent, FleetServer, LatestByProbe, LatestValue } from './shapes/fleet.js';

/** The probes of {@link OVERVIEW_FIELDS} (contract/overview-fields.ts: the columns kept of each). */
export const OVERVIEW_PROBES = Object.keys(OVERVIEW_FIELDS) as OverviewProbe[];

/** Heartbeat interval assumed when pem.probe has no `agent_status` row, in seconds. */
export const DEFAULT_HEARTBEAT_INTERVAL_S = 10;

/** An agent is alive when its last heartbeat is younger than this many heartbeat intervals. */
export const ALIVE_INTERVALS = 3;

/**
 * SQL expression: the overview fields of `x.value` (an object) for its probe
 * `x.probe`, fields the value lacks left out; a value that is not an object
 * as it is. Built from {@link OVERVIEW_FIELDS} (constant names, no input).
 */
const PROJECTION = `CASE WHEN jsonb_typeof(x.value) <> 'object' THEN x.value ${Object.entries(OVERVIEW_FIELDS)
  .map(
    ([probe, keys]) =>
      `WHEN x.probe = '${probe}' THEN jsonb_strip_nulls(jsonb_build_object(${keys.map((k) => `'${k}', x.value -> '${k}'`).join(', ')}))`,
  )
  .join(' ')} ELSE x.value END`;

/**
 * SQL: the overview's probes as a list of constants (`'cpu', 'load_avg', ...`), so that
 * the planner can prove the predicate of the partial index pemdata.latest_overview_idx
 * (migration 018; a parameter could not be proved) and read only those rows.
 */
const PROBE_LIST = OVERVIEW_PROBES.map((p) => `'${p}'`).join(', ');

/** SQL: a timestamptz as JavaScript's toISOString() writes it (UTC, milliseconds). */
const iso = (ts: string) => `to_char(${ts} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** SQL: seconds from `ts` to the snapshot's now(), at least 0, to 0.1 s (float8). */
const ageS = (ts: string) => `round(greatest(0, extract(epoch FROM c.as_of - ${ts}))::numeric, 1)::float8`;

/** SQL: {high, medium, low} counts of the alert rows `a` (json). */
const COUNTS = `json_build_object('high', count(*) FILTER (WHERE a.state = 'high'),
  'medium', count(*) FILTER (WHERE a.state = 'medium'), 'low', count(*) FILTER (WHERE a.state = 'low'))`;
const NO_ALERTS = `json_build_object('high', 0, 'medium', 0, 'low', 0)`;

/**
 * SQL: a jsonb value `x` as numeric, NULL when it is not a number or a string of digits:
 * pem.jsonb_numeric (functions/history/) written inline (a function with its own
 * search_path is called, not inlined, once per row).
 */
const num = (x: string) =>
  `CASE jsonb_typeof(${x}) WHEN 'number' THEN (${x} #>> '{}')::numeric WHEN 'string' THEN CASE WHEN (${x} #>> '{}') ~ '^-?[0-9]+(\\.[0-9]+)?$' THEN (${x} #>> '{}')::numeric END END`;

/** SQL: true when a reset marker differs between `r.p` and `r.v`: pem.counter_reset inline. */
const RESET = ['stats_reset', 'started_at', 'stats_since']
  .map((k) => `(r.p -> '${k}') IS DISTINCT FROM (r.v -> '${k}')`)
  .join(' OR ');

/**
 * SQL: the rate of counter `col` per second from `r.p` (previous value) to `r.v` over
 * `r.seconds`, as pem.counter_rates computes it (NULL across a reset, a decrease or no
 * time), written inline, then as numeric the way the statement before read it back
 * from counter_rates' jsonb (float8 text: the same number).
 */
const rate = (col: string) =>
  `(CASE WHEN r.seconds IS NULL OR r.seconds <= 0 OR ${RESET} THEN NULL
         WHEN ${num(`r.v -> '${col}'`)} < ${num(`r.p -> '${col}'`)} THEN NULL
         ELSE ((${num(`r.v -> '${col}'`)} - ${num(`r.p -> '${col}'`)}) / r.seconds::numeric)::float8 END)::text::numeric`;

/** SQL: the maintenance window covering `m` now (a row of mw_open), as MaintenanceNow. */
const MAINTENANCE = `json_build_object('windowId', m.window_id, 'scope', m.scope, 'reason', m.reason,
  'setBy', m.created_by, 'setAt', ${iso('m.created_at')}, 'until', ${iso('m.until')})`;

/**
 * One statement (one snapshot, one round trip) that writes the whole {@link Fleet} as JSON
 * text, so the instance neither parses nor re-serialises the answer. $1 default heartbeat
 * interval (s). Exported for the test that compares it with the statement it replaced
 * (testing/fleet-reference.ts).
 */
export const FLEET_SQL = `
WITH c AS (
  SELECT now() AS as_of,
         coalesce((SELECT interval_s FROM pem.probe WHERE name = 'agent_status'), $1::int) AS hb
), chosen AS (
  SELECT agent_id, server_id, probe, object, collected_at, value
    FROM pemdata.latest WHERE server_id = 0 AND probe IN (${PROBE_LIST})
  UNION ALL
  SELECT agent_id, server_id, probe, object, collected_at, value
    FROM pemdata.server_latest WHERE probe IN (${PROBE_LIST})
), lv AS (
  -- Only the objects of each probe's newest run (every row of a run shares its time, docs/probes.md
  -- "Storage"): a standby that went away, or the upstream of a former standby, is not shown.
  SELECT agent_id, server_id, probe, object, collected_at, value FROM (
    SELECT ch.*, max(ch.collected_at) OVER (PARTITION BY CASE WHEN ch.server_id = 0 THEN ch.agent_id END,
                                             ch.server_id, ch.probe) AS run_at
      FROM chosen ch) r
   WHERE r.collected_at = r.run_at
), win AS (
  -- Commits per second and the cache hit ratio between the two newest samples of database_stats
  -- (the bound agent's, as pemdata.server_latest chooses).
  SELECT r.server_id, r.seconds, ${rate('xact_commit')} AS commits, ${rate('blks_hit')} AS hit,
         ${rate('blks_read')} AS read
    FROM (SELECT DISTINCT ON (l.server_id) l.server_id,
                 extract(epoch FROM l.collected_at - l.prev_collected_at)::float8 AS seconds,
                 l.prev_value AS p, l.value AS v
            FROM pemdata.latest l LEFT JOIN pem.server_binding b ON b.server_id = l.server_id
           WHERE l.server_id <> 0 AND l.probe = 'database_stats' AND l.object = '' AND l.prev_value IS NOT NULL
           ORDER BY l.server_id, (l.agent_id = b.agent_id) IS TRUE DESC, l.collected_at DESC) r
), per_probe AS (
  SELECT CASE WHEN x.server_id = 0 THEN x.agent_id END AS agent_id, nullif(x.server_id, 0) AS server_id, x.probe,
         json_agg(json_build_object('object', x.object, 'collectedAt', ${iso('x.collected_at')},
                                    'ageS', ${ageS('x.collected_at')}, 'value', ${PROJECTION}) ORDER BY x.object) AS items
    FROM lv x CROSS JOIN c
   WHERE NOT (x.probe = 'connections_by_state' AND x.value ->> 'connections' = '0')
   GROUP BY 1, 2, 3
), latest AS (
  SELECT agent_id, server_id, json_object_agg(probe, items ORDER BY probe) AS latest FROM per_probe GROUP BY 1, 2
), al AS (
  SELECT agent_id, server_id, state FROM pem.alert WHERE enabled AND state <> 'none'
), al_agent AS (
  SELECT a.agent_id, ${COUNTS} AS counts FROM al a WHERE a.server_id IS NULL GROUP BY 1
), al_server AS (
  SELECT a.server_id, ${COUNTS} AS counts FROM al a WHERE a.server_id IS NOT NULL GROUP BY 1
), mw_open AS (
  -- The windows open now with their current occurrence's end: the conditions of
  -- pem.maintenance_window_for, evaluated once per window rather than once per server and agent.
  SELECT w.id AS window_id, w.scope, w.server_id, w.agent_id, w.group_tag, w.reason, w.created_by, w.created_at,
         o.ends_at AS until
    FROM c CROSS JOIN pem.maintenance_window w
    CROSS JOIN LATERAL pem.maintenance_occurrence(w, c.as_of) o
   WHERE (w.stopped_at IS NULL OR w.stopped_at > c.as_of)
     AND w.starts_at <= c.as_of
     AND CASE w.schedule WHEN 'once' THEN w.ends_at > c.as_of
                         ELSE w.ends_at IS NULL OR w.ends_at > c.as_of - interval '7 days' END
     AND o.starts_at <= c.as_of
), mw_server AS (
  -- pem.server_maintenance: per server the covering window ending last (then the lowest id);
  -- coverage as pem.maintenance_covers(w, NULL, server) says it.
  SELECT DISTINCT ON (s.id) s.id, ${MAINTENANCE} AS maintenance
    FROM pem.server s JOIN mw_open m
      ON CASE m.scope WHEN 'fleet' THEN true
                      WHEN 'server' THEN m.server_id = s.id
                      WHEN 'agent' THEN EXISTS (SELECT 1 FROM pem.server_binding b
                                                 WHERE b.server_id = s.id AND b.agent_id = m.agent_id)
                      WHEN 'group' THEN m.group_tag = ANY (s.tags)
                      ELSE false END IS TRUE
   ORDER BY s.id, m.until DESC, m.window_id
), mw_agent AS (
  -- pem.agent_maintenance: coverage as pem.maintenance_covers(w, agent, NULL) says it.
  SELECT DISTINCT ON (a.id) a.id, ${MAINTENANCE} AS maintenance
    FROM pem.agent a JOIN mw_open m ON m.scope = 'fleet' OR (m.scope = 'agent' AND m.agent_id = a.id)
   ORDER BY a.id, m.until DESC, m.window_id
)
SELECT json_build_object(
  'asOf', ${iso('c.as_of')},
  'heartbeatIntervalS', c.hb,
  'alertCounts', (SELECT ${COUNTS} FROM al a),
  'agents', coalesce((
    SELECT json_agg(json_build_object('id', a.id, 'name', a.display_name, 'userName', a.user_name,
             'hostAddress', host(a.host_address), 'active', a.active, 'version', a.agent_version,
             'lastHeartbeat', ${iso('a.last_heartbeat')}, 'heartbeatAgeS', CASE WHEN a.last_heartbeat IS NOT NULL THEN ${ageS('a.last_heartbeat')} END,
             'alive', a.active AND a.last_heartbeat IS NOT NULL
                      AND extract(epoch FROM c.as_of - a.last_heartbeat) < ${ALIVE_INTERVALS} * c.hb,
             'droppedSamples', a.dropped_samples, 'alerts', coalesce(aa.counts, ${NO_ALERTS}),
             'latest', coalesce(l.latest, '{}'::json), 'maintenance', ma.maintenance) ORDER BY a.id)
      FROM pem.agent a
      LEFT JOIN latest l ON l.agent_id = a.id AND l.server_id IS NULL
      LEFT JOIN al_agent aa ON aa.agent_id = a.id
      LEFT JOIN mw_agent ma ON ma.id = a.id), '[]'::json),
  'servers', coalesce((
    SELECT json_agg(json_build_object('id', s.id, 'name', s.display_name, 'host', s.host, 'port', s.port,
             'active', s.active, 'isPemBackend', s.is_pem_backend, 'agentId', b.agent_id, 'agentName', a.display_name,
             'alerts', coalesce(sa.counts, ${NO_ALERTS}), 'latest', coalesce(l.latest, '{}'::json),
             'window', CASE WHEN w.server_id IS NOT NULL THEN json_build_object('seconds', round(w.seconds::numeric, 1)::float8,
               'commitsPerS', round(w.commits, 2)::float8,
               'cacheHitPct', round(100 * w.hit / nullif(w.hit + w.read, 0), 2)::float8) END,
             'maintenance', ms.maintenance)
             ORDER BY s.id)
      FROM pem.server s
      LEFT JOIN win w ON w.server_id = s.id
      LEFT JOIN pem.server_binding b ON b.server_id = s.id
      LEFT JOIN pem.agent a ON a.id = b.agent_id
      LEFT JOIN latest l ON l.server_id = s.id
      LEFT JOIN al_server sa ON sa.server_id = s.id
      LEFT JOIN mw_server ms ON ms.id = s.id), '[]'::json)
)::text AS fleet
  FROM c`;

/**
 * Reads the fleet as the JSON text of a {@link Fleet} (UTF-8 when encoded), with one
 * statement (one snapshot) in a transaction that turns JIT compilation off for it
 * (`SET LOCAL jit = off`: the planner's estimates for the maintenance and overview joins
 * pass jit_above_cost, and compiling cost more than it saved: at 5,000 servers 6-11 s
 * with JIT, 2.4-6 s without, load 9 on 2 cores; the agent's sessions run with jit off
 * for the same reason), retried once on a failover-class error. Throws
 * BackendFailingOverError when the backend stays unavailable.
 */
export async function readFleetJson(db: Queryable & Transactional, logger?: LogSink): Promise<string> {
  const rows = await withFailoverRetry(
    async () =>
      db.transaction(
        async (tx) => {
          await tx.query('SET LOCAL jit = off');
          return (await tx.query<{ fleet: string }>(FLEET_SQL, [DEFAULT_HEARTBEAT_INTERVAL_S])).rows;
        },
        { deadlineMs: STATEMENT_DEADLINE_MS },
      ),
    { logger, what: 'read fleet' },
  );
  return rows[0]!.fleet;
}
