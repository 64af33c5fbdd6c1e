/**
 * Reads the fleet for the overview: every agent with its heartbeat and its
 * host values, every server with its binding and its latest values.
 *
 * Source of facts: pem.agent, pem.server, pem.server_binding and pemdata.latest
 * (one row per agent/server/probe/object, written by pem.ingest_batch). Values
 * are passed through as the agent wrote them (jsonb), grouped by probe name, so
 * the API does not depend on each probe's columns. Agent-level probes (cpu,
 * load_avg, memory, agent_status...) are the rows with server_id 0; a server's
 * values are its rows with server_id = pem.server.id, newest first across
 * agents (a server rebound to another agent shows the newer agent's values).
 * Only the probes the overview shows are read ({@link OVERVIEW_PROBES}), so a
 * probe with many objects (per table, per statement) does not swell it.
 * Alert counts come from pem.alert: enabled alerts in low, medium or high,
 * per agent, per server and in total.
 */
import { type Backend, type LogSink, STATEMENT_DEADLINE_MS, withFailoverRetry } from '../backend.js';
import { type AlertCounts, countByLevel } from './alerts-query.js';

/**
 * Probes whose latest values the overview carries, and the fields of each it
 * keeps (what the overview shows), so that 600 servers stay a small answer;
 * connection states with no connection are left out too.
 */
export const OVERVIEW_FIELDS: Readonly<Record<string, readonly string[]>> = {
  cpu: ['busy_pct', 'idle_pct'],
  load_avg: ['load1', 'load5', 'load15'],
  memory: ['total_bytes', 'available_bytes', 'used_bytes'],
  server_up: ['up', 'error'],
  server_info: ['role', 'in_recovery', 'server_version', 'uptime_s', 'timeline'],
  connections_by_state: ['state', 'connections'],
  database_stats: ['xact_commit', 'blks_hit', 'blks_read', 'hit_ratio_pct'],
  replication_lag: ['lag_bytes', 'replay_lag_s', 'broken'],
};

/** The probes of {@link OVERVIEW_FIELDS}. */
export const OVERVIEW_PROBES: readonly string[] = Object.keys(OVERVIEW_FIELDS);

/** Heartbeat interval assumed when pem.probe has no `agent_status` row, in seconds. */
export const DEFAULT_HEARTBEAT_INTERVAL_S = 10;

/** An agent is alive when its last heartbeat is younger than this many heartbeat intervals. */
export const ALIVE_INTERVALS = 3;

/** One latest value of a probe for one object ('' = the probe's single object). */
export interface LatestValue {
  object: string;
  /** When the agent collected it (ISO 8601). */
  collectedAt: string;
  /** Seconds between collection and the backend's now(). */
  ageS: number;
  /** The value as the agent wrote it (jsonb). */
  value: unknown;
}

/** Latest values by probe name, each probe's objects sorted by name. */
export type LatestByProbe = Record<string, LatestValue[]>;

/** One agent of the fleet. */
export interface FleetAgent {
  id: number;
  name: string;
  userName: string;
  hostAddress: string | null;
  active: boolean;
  version: string | null;
  /** Last heartbeat (ISO 8601), null before the first. */
  lastHeartbeat: string | null;
  /** Seconds since the last heartbeat, null before the first. */
  heartbeatAgeS: number | null;
  /** Heartbeat younger than {@link ALIVE_INTERVALS} heartbeat intervals. */
  alive: boolean;
  droppedSamples: number;
  /** Current alerts of this agent by level. */
  alerts: AlertCounts;
  /** Host values (server_id 0): cpu, load_avg, memory, agent_status... */
  latest: LatestByProbe;
}

/** One monitored server of the fleet. */
export interface FleetServer {
  id: number;
  name: string;
  host: string;
  port: number;
  active: boolean;
  isPemBackend: boolean;
  /** The agent bound to it, null when unbound. */
  agentId: number | null;
  agentName: string | null;
  /** Current alerts of this server by level. */
  alerts: AlertCounts;
  /** server_up, server_info, connections_by_state, database_stats, replication_lag... */
  latest: LatestByProbe;
}

/** The whole overview, as of the backend's clock. */
export interface Fleet {
  /** The backend's now() (ISO 8601): ages are relative to it. */
  asOf: string;
  heartbeatIntervalS: number;
  /** Current alerts of the whole fleet by level. */
  alertCounts: AlertCounts;
  agents: FleetAgent[];
  servers: FleetServer[];
}

interface AgentRow {
  id: number;
  display_name: string;
  user_name: string;
  host_address: string | null;
  active: boolean;
  agent_version: string | null;
  last_heartbeat: string | null;
  age_s: number | null;
  dropped_samples: number;
}

interface ServerRow {
  id: number;
  display_name: string;
  host: string;
  port: number;
  active: boolean;
  is_pem_backend: boolean;
  agent_id: number | null;
  agent_name: string | null;
}

interface LatestRow {
  agent_id: number;
  server_id: number;
  probe: string;
  object: string;
  collected_at: string;
  age_s: number;
  value: unknown;
}

interface AlertRow {
  agent_id: number | null;
  server_id: number | null;
  state: string;
}

interface FleetRow {
  as_of: Date;
  alerts: AlertRow[];
  heartbeat_interval_s: number;
  agents: AgentRow[];
  servers: ServerRow[];
  latest: LatestRow[];
}

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

/** One statement, so one snapshot and one round trip; the three lists come back as json arrays. */
const FLEET_SQL = `
SELECT now() AS as_of,
       coalesce((SELECT interval_s FROM pem.probe WHERE name = 'agent_status'), $1::int) AS heartbeat_interval_s,
       coalesce((SELECT json_agg(x ORDER BY x.id) FROM (
         SELECT a.id, a.display_name, a.user_name, host(a.host_address) AS host_address, a.active, a.agent_version,
                a.last_heartbeat, extract(epoch FROM now() - a.last_heartbeat)::float8 AS age_s, a.dropped_samples
           FROM pem.agent a) x), '[]') AS agents,
       coalesce((SELECT json_agg(x ORDER BY x.id) FROM (
         SELECT s.id, s.display_name, s.host, s.port, s.active, s.is_pem_backend, b.agent_id,
                a.display_name AS agent_name
           FROM pem.server s LEFT JOIN pem.server_binding b ON b.server_id = s.id
           LEFT JOIN pem.agent a ON a.id = b.agent_id) x), '[]') AS servers,
       coalesce((SELECT json_agg(json_build_object('agent_id', x.agent_id, 'server_id', x.server_id, 'probe', x.probe,
                   'object', x.object, 'collected_at', x.collected_at, 'age_s', x.age_s,
                   'value', ${PROJECTION}) ORDER BY x.probe, x.object) FROM (
         SELECT agent_id, server_id, probe, object, collected_at,
                extract(epoch FROM now() - collected_at)::float8 AS age_s, value
           FROM pemdata.latest WHERE server_id = 0 AND probe = ANY($2::text[])
         UNION ALL
         (SELECT DISTINCT ON (server_id, probe, object) agent_id, server_id, probe, object, collected_at,
                 extract(epoch FROM now() - collected_at)::float8, value
            FROM pemdata.latest WHERE server_id <> 0 AND probe = ANY($2::text[])
           ORDER BY server_id, probe, object, collected_at DESC)) x
          WHERE NOT (x.probe = 'connections_by_state' AND x.value ->> 'connections' = '0')), '[]') AS latest,
       coalesce((SELECT json_agg(x) FROM (
         SELECT agent_id, server_id, state FROM pem.alert WHERE enabled AND state <> 'none') x), '[]') AS alerts`;

function iso(ts: string): string {
  return new Date(ts).toISOString();
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function addLatest(target: LatestByProbe, row: LatestRow): void {
  const list = target[row.probe] ?? [];
  target[row.probe] = list;
  list.push({
    object: row.object,
    collectedAt: iso(row.collected_at),
    ageS: round1(Math.max(0, row.age_s)),
    value: row.value,
  });
}

/**
 * Reads the fleet with one statement (one snapshot), retried once on a
 * failover-class error. Throws BackendFailingOverError when the backend stays
 * unavailable.
 */
export async function readFleet(db: Backend, logger?: LogSink): Promise<Fleet> {
  const rows = await withFailoverRetry(
    async () =>
      (
        await db.query<FleetRow>(FLEET_SQL, [DEFAULT_HEARTBEAT_INTERVAL_S, OVERVIEW_PROBES], {
          deadlineMs: STATEMENT_DEADLINE_MS,
        })
      ).rows,
    { logger, what: 'read fleet' },
  );
  const row = rows[0]!;
  const intervalS = row.heartbeat_interval_s;
  const agents = new Map<number, FleetAgent>();
  for (const a of row.agents) {
    agents.set(a.id, {
      id: a.id,
      name: a.display_name,
      userName: a.user_name,
      hostAddress: a.host_address,
      active: a.active,
      version: a.agent_version,
      lastHeartbeat: a.last_heartbeat ? iso(a.last_heartbeat) : null,
      heartbeatAgeS: a.age_s === null ? null : round1(Math.max(0, a.age_s)),
      alive: a.active && a.age_s !== null && a.age_s < ALIVE_INTERVALS * intervalS,
      droppedSamples: Number(a.dropped_samples),
      alerts: { high: 0, medium: 0, low: 0 },
      latest: {},
    });
  }
  const servers = new Map<number, FleetServer>();
  for (const s of row.servers) {
    servers.set(s.id, {
      id: s.id,
      name: s.display_name,
      host: s.host,
      port: s.port,
      active: s.active,
      isPemBackend: s.is_pem_backend,
      agentId: s.agent_id,
      agentName: s.agent_name,
      alerts: { high: 0, medium: 0, low: 0 },
      latest: {},
    });
  }
  for (const l of row.latest) {
    const target = l.server_id === 0 ? agents.get(l.agent_id) : servers.get(l.server_id);
    if (target) addLatest(target.latest, l);
  }
  for (const al of row.alerts) {
    const target = al.server_id !== null ? servers.get(al.server_id) : agents.get(al.agent_id ?? -1);
    const level = al.state as keyof AlertCounts;
    if (target && level in target.alerts) target.alerts[level]++;
  }
  return {
    asOf: row.as_of.toISOString(),
    heartbeatIntervalS: intervalS,
    alertCounts: countByLevel(row.alerts),
    agents: [...agents.values()],
    servers: [...servers.values()],
  };
}
