/**
 * Reads one page of the fleet for the overview (GET /api/fleet): the whole
 * fleet's totals, then a page of servers and a page of agents, problems first
 * (or by name, or by id), the servers filtered by status, cluster and name.
 *
 * Source of facts: the overview rows pemdata.server_overview and
 * pemdata.agent_overview (migration 020), which pem.overview_refresh
 * (sql/functions/overview/) keeps up to date at ingest, on a binding change
 * and when pemdata.latest loses rows: per server and agent, the latest values
 * of the overview's probes (the objects of each probe's newest run, a
 * server's as pemdata.server_latest chooses them: docs/probes.md "Storage"),
 * server_up's value and the rates between the two newest database_stats
 * samples; with them (migration 023) the server's bound agent and server_up's
 * state ('up', 'down', 'unknown'). So a request reads one narrow row per server, whatever the probes
 * store; the values are kept there already cut to the columns the overview shows
 * (contract/overview-fields.ts) with their times written, so the page's rows only get their
 * ages. What depends on the
 * clock is computed here, against the statement's now(): ages, an agent's
 * liveness, a server's status (the words and rules of ui/lib/server-state.js:
 * inactive, no data, agent down, stale, unknown, down, up) and maintenance
 * (pem.agent_maintenance, pem.server_maintenance; docs/maintenance.md, once
 * per open window). Alert counts come from pem.alert: enabled alerts in low,
 * medium or high, per server, per agent and in total, counted in one
 * index-only pass (alert_raised_owner_idx, migration 023). The backend writes the answer's JSON itself
 * ({@link readFleetJson}); shapes/fleet.ts declares it.
 */
import type { Queryable, Transactional } from '@pharos/core/query';
import { OVERVIEW_FIELDS, type OverviewProbe } from '../../ui/contract/overview-fields.js';
import { type LogSink, STATEMENT_DEADLINE_MS, withFailoverRetry } from '../backend.js';
import { DEFAULT_PAGE_LIMIT, type FLEET_ORDERS, SERVER_STATUS_WORDS } from './shapes/fleet.js';

export type {
  Fleet,
  FleetAgent,
  FleetQuery,
  FleetServer,
  LatestByProbe,
  LatestValue,
} from './shapes/fleet.js';

/** The probes of {@link OVERVIEW_FIELDS} (contract/overview-fields.ts: the columns kept of each). */
export const OVERVIEW_PROBES = Object.keys(OVERVIEW_FIELDS) as OverviewProbe[];

/** Heartbeat interval assumed when pem.probe has no `agent_status` row, in seconds. */
export const DEFAULT_HEARTBEAT_INTERVAL_S = 10;

/** An agent is alive when its last heartbeat is younger than this many heartbeat intervals. */
export const ALIVE_INTERVALS = 3;

export { DEFAULT_PAGE_LIMIT, FLEET_ORDERS, MAX_PAGE_LIMIT } from './shapes/fleet.js';
/** An order of a page: problems first (status, then alerts), by name, or by id. */
export type FleetOrder = (typeof FLEET_ORDERS)[number];
/** A server's status words, worst first (the order of `problems`), as ui/lib/server-state.js says them. */
export const SERVER_STATUSES = SERVER_STATUS_WORDS;
export type ServerStatus = (typeof SERVER_STATUSES)[number];

/** What one overview request asks for (GET /api/fleet's query). */
export interface FleetPageQuery {
  /** Servers per page, and agents per page (1..MAX_PAGE_LIMIT). */
  limit: number;
  /** Servers skipped (in `order`, after the filters). */
  offset: number;
  /** Agents skipped (in `order`, after the name filter). */
  agentOffset: number;
  order: FleetOrder;
  /** Only servers in one of these statuses; undefined = any. */
  status?: ServerStatus[];
  /** Only the members of this monitored cluster (pem.server.cluster_id); undefined = any. */
  clusterId?: number;
  /** Only servers and agents whose name holds this text (any case); undefined = any. */
  name?: string;
}

/** The whole fleet, problems first, in one page: what a small fleet's overview asks for. */
export const FIRST_PAGE: FleetPageQuery = {
  limit: DEFAULT_PAGE_LIMIT,
  offset: 0,
  agentOffset: 0,
  order: 'problems',
};

/** SQL: a timestamptz as JavaScript's toISOString() writes it (UTC, milliseconds). */
const iso = (ts: string) => `to_char(${ts} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** SQL: seconds from `ts` to the snapshot's now(), at least 0, to 0.1 s (float8). */
const ageS = (ts: string) => `round(greatest(0, extract(epoch FROM c.as_of - ${ts}))::numeric, 1)::float8`;

/**
 * SQL: an overview row's `latest` (jsonb {probe: [{object, at, collectedAt, value}]},
 * pem.overview_refresh: values already cut to the overview's fields, times already written,
 * idle connection states and probes left with none already left out) as the answer's
 * LatestByProbe: each item gets its age against now(), computed once per probe from its first
 * item's `at` (every item of a probe shares its run's time).
 */
const latestJson = (latest: string) => `coalesce((
  SELECT json_object_agg(p.key, (
           SELECT json_agg(json_build_object('object', it.v -> 'object', 'collectedAt', it.v -> 'collectedAt',
                                             'ageS', g.age, 'value', it.v -> 'value') ORDER BY it.n)
             FROM jsonb_array_elements(p.value) WITH ORDINALITY it(v, n)) ORDER BY p.key)
    FROM jsonb_each(${latest}) p
    CROSS JOIN LATERAL (SELECT ${ageS("(p.value -> 0 ->> 'at')::timestamptz")} AS age) g), '{}'::json)`;

/** SQL: {high, medium, low} of a row with those columns. */
const counts = (r: string) => `json_build_object('high', ${r}.high, 'medium', ${r}.medium, 'low', ${r}.low)`;

/** SQL: the maintenance window covering `m` now (a row of mw_open), as MaintenanceNow. */
const MAINTENANCE = `json_build_object('windowId', m.window_id, 'scope', m.scope, 'reason', m.reason,
  'setBy', m.created_by, 'setAt', ${iso('m.created_at')}, 'until', ${iso('m.until')})`;

/** SQL: the problems order's rank of a status (worst first, {@link SERVER_STATUSES}). */
const STATUS_RANK = `array_position(ARRAY[${SERVER_STATUSES.map((x) => `'${x}'`).join(', ')}]::text[], v.status)`;

/**
 * SQL: ORDER BY of a page of `v` (servers or agents with rank, high, medium, low, name, id);
 * $4 is the order.
 */
const PAGE_ORDER = `CASE WHEN $4 = 'problems' THEN v.rank END, CASE WHEN $4 = 'problems' THEN v.high END DESC,
  CASE WHEN $4 = 'problems' THEN v.medium END DESC, CASE WHEN $4 = 'problems' THEN v.low END DESC,
  CASE WHEN $4 <> 'id' THEN v.name END, v.id`;

/**
 * One statement (one snapshot, one round trip) that writes one page of the {@link Fleet} as JSON
 * text, so the instance neither parses nor re-serialises the answer. Parameters: $1 default
 * heartbeat interval (s), $2 limit, $3 offset, $4 order, $5 statuses (text[], NULL = any), $6
 * cluster id (NULL = any), $7 name text (NULL = any), $8 agent offset ({@link fleetParams}).
 * Exported for the test that compares it with the statement it replaced
 * (testing/fleet-reference.ts).
 */
export const FLEET_SQL = `
WITH c0 AS (
  SELECT now() AS as_of,
         coalesce((SELECT interval_s FROM pem.probe WHERE name = 'agent_status'), $1::int) AS hb
), c AS (
  -- The clock's thresholds as times, so each row compares timestamps: an agent is alive when its
  -- heartbeat is younger than ${ALIVE_INTERVALS} intervals (age < ${ALIVE_INTERVALS} * hb <=> heartbeat > alive_after); a
  -- server's server_up value is stale when its age to 0.1 s passes greatest(60, ${ALIVE_INTERVALS} * hb) s
  -- (round(age, 1) > T <=> age >= T + 0.05 <=> up_at <= stale_before; times are microseconds).
  SELECT c0.as_of, c0.hb, c0.as_of - make_interval(secs => ${ALIVE_INTERVALS} * c0.hb) AS alive_after,
         c0.as_of - make_interval(secs => greatest(60, ${ALIVE_INTERVALS} * c0.hb) + 0.05) AS stale_before
    FROM c0
), al AS MATERIALIZED (
  -- The raised alerts (enabled, low, medium or high) per server and per agent (an alert has one of
  -- the two: alert_one_object), in one index-only pass over alert_raised_owner_idx (migration 023).
  SELECT a.server_id, a.agent_id, count(*) FILTER (WHERE a.state = 'high') AS high,
         count(*) FILTER (WHERE a.state = 'medium') AS medium, count(*) FILTER (WHERE a.state = 'low') AS low
    FROM pem.alert a WHERE a.enabled AND a.state <> 'none' GROUP BY 1, 2
), ag AS MATERIALIZED (
  -- One narrow row per agent: liveness, raised-alert counts, the
  -- problems order's rank, and whether it matches the name filter.
  SELECT v.*, CASE WHEN NOT v.active THEN 3 WHEN v.last_heartbeat IS NULL THEN 1 WHEN v.alive THEN 2 ELSE 0 END AS rank,
         ($7::text IS NULL OR strpos(lower(v.name), lower($7::text)) > 0) AS matched
    FROM (SELECT a.id, a.display_name AS name, a.active, a.last_heartbeat,
                 a.active AND coalesce(a.last_heartbeat > c.alive_after, false) AS alive,
                 coalesce(n.high, 0) AS high, coalesce(n.medium, 0) AS medium, coalesce(n.low, 0) AS low
            FROM pem.agent a CROSS JOIN c LEFT JOIN al n ON n.agent_id = a.id) v
), sv AS MATERIALIZED (
  -- One narrow row per server: its status as ui/lib/server-state.js decides it, from its overview
  -- row (server_up's state and time, the bound agent) and that agent's liveness; its raised-alert
  -- counts; the problems order's rank; whether it matches the filters.
  SELECT v.*, ${STATUS_RANK} AS rank,
         ($5::text[] IS NULL OR v.status = ANY ($5::text[]))
           AND ($6::int IS NULL OR v.cluster_id = $6::int)
           AND ($7::text IS NULL OR strpos(lower(v.name), lower($7::text)) > 0) AS matched
    FROM (SELECT s.id, s.display_name AS name, s.cluster_id, o.agent_id, ag.alive AS agent_alive,
                 coalesce(n.high, 0) AS high, coalesce(n.medium, 0) AS medium, coalesce(n.low, 0) AS low,
                 CASE WHEN NOT s.active THEN 'inactive'
                      WHEN o.up_at IS NULL THEN 'no data'
                      WHEN ag.alive IS FALSE THEN 'agent down'
                      WHEN o.up_at <= c.stale_before THEN 'stale'
                      ELSE o.up_state END AS status
            FROM pem.server s CROSS JOIN c
            LEFT JOIN pemdata.server_overview o ON o.server_id = s.id
            LEFT JOIN ag ON ag.id = o.agent_id
            LEFT JOIN al n ON n.server_id = s.id) v
), sv_page AS MATERIALIZED (
  -- The page: a top-N sort of the matching servers; its position among them afterwards (a window
  -- over every server would sort them all).
  SELECT v.*, row_number() OVER (ORDER BY ${PAGE_ORDER}) AS pos
    FROM (SELECT v.* FROM sv v WHERE v.matched ORDER BY ${PAGE_ORDER} LIMIT $2 OFFSET $3) v
), ag_page AS MATERIALIZED (
  SELECT v.*, row_number() OVER (ORDER BY ${PAGE_ORDER}) AS pos
    FROM (SELECT v.* FROM ag v WHERE v.matched ORDER BY ${PAGE_ORDER} LIMIT $2 OFFSET $8) v
), sv_totals AS (
  SELECT sum(x.n) AS servers, sum(x.matched) AS matched,
         coalesce(json_object_agg(x.status, x.n ORDER BY x.status), '{}'::json) AS by_status
    FROM (SELECT v.status, count(*) AS n, count(*) FILTER (WHERE v.matched) AS matched FROM sv v GROUP BY 1) x
), ag_totals AS (
  SELECT count(*) AS agents, count(*) FILTER (WHERE v.alive) AS alive, count(*) FILTER (WHERE v.matched) AS matched
    FROM ag v
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
  -- pem.server_maintenance: per server of the page the covering window ending last (then the
  -- lowest id); coverage as pem.maintenance_covers(w, NULL, server) says it.
  SELECT DISTINCT ON (s.id) s.id, ${MAINTENANCE} AS maintenance
    FROM sv_page p JOIN pem.server s ON s.id = p.id JOIN mw_open m
      ON CASE m.scope WHEN 'fleet' THEN true
                      WHEN 'server' THEN m.server_id = s.id
                      WHEN 'agent' THEN EXISTS (SELECT 1 FROM pem.server_binding b
                                                 WHERE b.server_id = s.id AND b.agent_id = m.agent_id)
                      WHEN 'group' THEN m.group_tag = ANY (s.tags)
                      ELSE false END IS TRUE
   ORDER BY s.id, m.until DESC, m.window_id
), mw_agent AS (
  -- pem.agent_maintenance: coverage as pem.maintenance_covers(w, agent, NULL) says it.
  SELECT DISTINCT ON (p.id) p.id, ${MAINTENANCE} AS maintenance
    FROM ag_page p JOIN mw_open m ON m.scope = 'fleet' OR (m.scope = 'agent' AND m.agent_id = p.id)
   ORDER BY p.id, m.until DESC, m.window_id
)
SELECT json_build_object(
  'asOf', ${iso('c.as_of')},
  'heartbeatIntervalS', c.hb,
  'alertCounts', (SELECT json_build_object('high', coalesce(sum(n.high), 0), 'medium', coalesce(sum(n.medium), 0),
                    'low', coalesce(sum(n.low), 0)) FROM al n),
  'totals', json_build_object(
    'servers', coalesce(st.servers, 0),
    'serversByStatus', st.by_status,
    'agents', at.agents,
    'agentsAlive', at.alive),
  'page', json_build_object('order', $4::text, 'limit', $2::int, 'offset', $3::int, 'agentOffset', $8::int,
    'serversMatched', coalesce(st.matched, 0), 'agentsMatched', at.matched),
  'agents', coalesce((
    SELECT json_agg(json_build_object('id', a.id, 'name', a.display_name, 'userName', a.user_name,
             'hostAddress', host(a.host_address), 'active', a.active, 'version', a.agent_version,
             'lastHeartbeat', ${iso('a.last_heartbeat')}, 'heartbeatAgeS', CASE WHEN a.last_heartbeat IS NOT NULL THEN ${ageS('a.last_heartbeat')} END,
             'alive', p.alive, 'droppedSamples', a.dropped_samples, 'alerts', ${counts('p')},
             'latest', ${latestJson('(SELECT o.latest FROM pemdata.agent_overview o WHERE o.agent_id = p.id)')},
             'maintenance', (SELECT ma.maintenance FROM mw_agent ma WHERE ma.id = p.id)) ORDER BY p.pos)
      FROM ag_page p CROSS JOIN LATERAL (SELECT a.* FROM pem.agent a WHERE a.id = p.id OFFSET 0) a), '[]'::json),
  'servers', coalesce((
    SELECT json_agg(json_build_object('id', s.id, 'name', s.display_name, 'host', s.host, 'port', s.port,
             'active', s.active, 'isPemBackend', s.is_pem_backend, 'clusterId', s.cluster_id,
             'agentId', p.agent_id, 'agentName', a.display_name, 'agentAlive', p.agent_alive,
             'status', p.status, 'alerts', ${counts('p')}, 'latest', ${latestJson('o.latest')},
             'newestSampleAt', ${iso('o.newest_at')}, 'window', o.win,
             'maintenance', (SELECT ms.maintenance FROM mw_server ms WHERE ms.id = p.id))
             ORDER BY p.pos)
      FROM sv_page p
      CROSS JOIN LATERAL (SELECT s.* FROM pem.server s WHERE s.id = p.id OFFSET 0) s
      LEFT JOIN LATERAL (SELECT a.display_name FROM pem.agent a WHERE a.id = p.agent_id OFFSET 0) a ON true
      LEFT JOIN LATERAL (SELECT o.latest, o.newest_at, o.win FROM pemdata.server_overview o
                          WHERE o.server_id = p.id OFFSET 0) o ON true), '[]'::json)
)::text AS fleet
  FROM c CROSS JOIN sv_totals st CROSS JOIN ag_totals at`;

/** The parameters of {@link FLEET_SQL} for `q`. */
export function fleetParams(q: FleetPageQuery): unknown[] {
  return [
    DEFAULT_HEARTBEAT_INTERVAL_S,
    q.limit,
    q.offset,
    q.order,
    q.status && q.status.length > 0 ? q.status : null,
    q.clusterId ?? null,
    q.name ? q.name : null,
    q.agentOffset,
  ];
}

/**
 * Name of {@link FLEET_SQL} as a prepared statement of each backend session (its plan is kept
 * per session: planning the statement cost about 30 ms of each request at load 20).
 */
const FLEET_STATEMENT = 'pharos_fleet_page_v1';

/**
 * Reads the fleet as the JSON text of a {@link Fleet} (UTF-8 when encoded), with one
 * statement (one snapshot) in a transaction that turns JIT compilation off for it
 * (`SET LOCAL jit = off`: the planner's estimates for the maintenance and overview joins
 * pass jit_above_cost, and compiling cost more than it saved: at 5,000 servers 6-11 s
 * with JIT, 2.4-6 s without, load 9 on 2 cores; the agent's sessions run with jit off
 * for the same reason) and uses one generic plan of the statement, prepared once per
 * session ({@link FLEET_STATEMENT}, `plan_cache_mode = force_generic_plan`: its parameters
 * do not change which plan is best), retried once on a failover-class error. Throws
 * BackendFailingOverError when the backend stays unavailable.
 */
export async function readFleetJson(
  db: Queryable & Transactional,
  q: FleetPageQuery = FIRST_PAGE,
  logger?: LogSink,
): Promise<string> {
  const rows = await withFailoverRetry(
    async () =>
      db.transaction(
        async (tx) => {
          // Both settings in one round trip (simple protocol, two statements).
          await tx.query('SET LOCAL jit = off; SET LOCAL plan_cache_mode = force_generic_plan');
          return (
            await tx.query<{ fleet: string }>(FLEET_SQL, fleetParams(q), { statementName: FLEET_STATEMENT })
          ).rows;
        },
        { deadlineMs: STATEMENT_DEADLINE_MS },
      ),
    { logger, what: 'read fleet' },
  );
  return rows[0]!.fleet;
}
