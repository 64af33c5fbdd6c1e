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
 */
import { type Backend, type LogSink, STATEMENT_DEADLINE_MS, withFailoverRetry } from '../backend.js';

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
  /** server_up, server_info, connections_by_state, database_stats, replication_lag... */
  latest: LatestByProbe;
}

/** The whole overview, as of the backend's clock. */
export interface Fleet {
  /** The backend's now() (ISO 8601): ages are relative to it. */
  asOf: string;
  heartbeatIntervalS: number;
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

interface FleetRow {
  as_of: Date;
  heartbeat_interval_s: number;
  agents: AgentRow[];
  servers: ServerRow[];
  latest: LatestRow[];
}

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
       coalesce((SELECT json_agg(x ORDER BY x.probe, x.object) FROM (
         SELECT agent_id, server_id, probe, object, collected_at,
                extract(epoch FROM now() - collected_at)::float8 AS age_s, value
           FROM pemdata.latest WHERE server_id = 0
         UNION ALL
         (SELECT DISTINCT ON (server_id, probe, object) agent_id, server_id, probe, object, collected_at,
                 extract(epoch FROM now() - collected_at)::float8, value
            FROM pemdata.latest WHERE server_id <> 0
           ORDER BY server_id, probe, object, collected_at DESC)) x), '[]') AS latest`;

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
        await db.query<FleetRow>(FLEET_SQL, [DEFAULT_HEARTBEAT_INTERVAL_S], {
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
      latest: {},
    });
  }
  for (const l of row.latest) {
    const target = l.server_id === 0 ? agents.get(l.agent_id) : servers.get(l.server_id);
    if (target) addLatest(target.latest, l);
  }
  return {
    asOf: row.as_of.toISOString(),
    heartbeatIntervalS: intervalS,
    agents: [...agents.values()],
    servers: [...servers.values()],
  };
}
