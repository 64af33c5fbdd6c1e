/**
 * Monitored Patroni clusters (issue 14; docs/monitoring-a-server.md
 * "Patroni clusters"), as the web API and the CLI see them: list, show,
 * add, remove. A cluster is added by its members' REST API URLs; the agent
 * that follows it reads its `GET /cluster` (cluster-reading.ts) and every
 * member becomes a server of the cluster. The follower then reconciles the
 * members every probe interval (`pem.agent_cluster_observed`): what it saw
 * last is `observed` here, never configuration. Changes go through the SQL
 * functions (sql/functions/fleet/: `pem.cluster_add`, `cluster_remove`),
 * which check every field and write nothing on error (sql-errors.ts names
 * the field).
 */

import { pharosError } from '@pharos/core/errors';
import type { Queryable } from '@pharos/core/query';
import type { ClusterReading } from './cluster-reading.js';
import type { RemovedServer, Sslmode } from './servers.js';
import { withFleetErrors } from './sql-errors.js';

/** How the members of a cluster are monitored (each member is a server with these settings). */
export interface MemberDefaults {
  user: string;
  sslmode: Sslmode;
  sslrootcert: string | null;
  maintenanceDb: string;
}

/** What `add` takes. */
export interface ClusterSpec {
  name: string;
  /** Base URLs of the members' REST APIs (http[s]://host[:port]), asked in this order. */
  restEndpoints: string[];
  /** CA file on the follower's host that verifies https endpoints (null: the system's store). */
  restCafile: string | null;
  /** The agent that follows the cluster (and monitors members whose host has no agent of its own). */
  agentId: number;
  memberDefaults: MemberDefaults;
  tags: string[];
  notes: string;
  /** A member absent from GET /cluster this long is removed, seconds. */
  memberGraceS: number;
}

/** Default seconds a member may be absent from GET /cluster before its server is removed. */
export const MEMBER_GRACE_S = 60;

/** One member of a cluster, as its server and as the follower last saw it. */
export interface ClusterMemberView {
  serverId: number;
  displayName: string;
  /** Its name in the cluster. */
  member: string;
  host: string;
  port: number;
  /** Patroni role (leader, replica, sync_standby...), as last observed. */
  role: string | null;
  /** Patroni state (running, streaming...), as last observed. */
  state: string | null;
  /** Replication lag in bytes as Patroni reported it (null: the leader, or unknown). */
  lagBytes: number | null;
  agentId: number | null;
  agentName: string | null;
  /** When it went missing from GET /cluster (it is removed after the cluster's grace); null: present. */
  missingSince: string | null;
}

/** A monitored cluster. */
export interface MonitoredCluster extends ClusterSpec {
  id: number;
  scope: string | null;
  agentName: string | null;
  createdBy: string | null;
  createdAt: string;
  /** What the follower saw last (never configuration). */
  observed: {
    at: string | null;
    ageS: number | null;
    from: string | null;
    leader: string | null;
    timeline: number | null;
    /** Why the last look failed (no endpoint answered, another scope); null when it answered. */
    error: string | null;
    errorAt: string | null;
    /** Members that could not be added as servers, and why. */
    problems: string[];
  };
  members: ClusterMemberView[];
}

/** What `remove` removed. */
export interface RemovedCluster {
  id: number;
  cluster: string;
  servers: RemovedServer[];
}

interface ClusterRow {
  id: number;
  name: string;
  scope: string | null;
  rest_endpoints: string[];
  rest_cafile: string | null;
  agent_id: number | null;
  agent_name: string | null;
  member_defaults: Partial<MemberDefaults>;
  tags: string[];
  notes: string;
  member_grace_s: number;
  created_by: string | null;
  created_at: Date;
  observed_at: Date | null;
  age_s: number | null;
  observed_from: string | null;
  leader: string | null;
  timeline: number | null;
  observed_error: string | null;
  observed_error_at: Date | null;
  member_problems: string[];
  members: {
    serverId: number;
    displayName: string;
    member: string;
    host: string;
    port: number;
    role: string | null;
    state: string | null;
    lagBytes: number | null;
    agentId: number | null;
    agentName: string | null;
    missingSince: string | null;
  }[];
}

const CLUSTERS_SQL = `
SELECT c.id, c.name, c.scope, c.rest_endpoints, c.rest_cafile, c.agent_id, a.display_name AS agent_name,
       c.member_defaults, c.tags, c.notes, c.member_grace_s, c.created_by, c.created_at, c.observed_at,
       extract(epoch FROM clock_timestamp() - c.observed_at)::float8 AS age_s, c.observed_from, c.leader,
       c.timeline, c.observed_error, c.observed_error_at, c.member_problems,
       coalesce((SELECT jsonb_agg(jsonb_build_object(
                  'serverId', s.id, 'displayName', s.display_name, 'member', s.patroni_member, 'host', s.host,
                  'port', s.port, 'role', s.patroni_role, 'state', s.patroni_state,
                  'lagBytes', (SELECT CASE WHEN jsonb_typeof(e->'lag') = 'number' THEN (e->>'lag')::float8 END
                                 FROM jsonb_array_elements(coalesce(c.members_observed, '[]')) e
                                WHERE e->>'name' = s.patroni_member LIMIT 1),
                  'agentId', b.agent_id, 'agentName', ba.display_name, 'missingSince', s.missing_since)
                  ORDER BY s.patroni_member)
                  FROM pem.server s
                  LEFT JOIN pem.server_binding b ON b.server_id = s.id
                  LEFT JOIN pem.agent ba ON ba.id = b.agent_id
                 WHERE s.cluster_id = c.id), '[]') AS members
  FROM pem.monitored_cluster c
  LEFT JOIN pem.agent a ON a.id = c.agent_id`;

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

function fromRow(r: ClusterRow): MonitoredCluster {
  const d = r.member_defaults ?? {};
  return {
    id: r.id,
    name: r.name,
    scope: r.scope,
    restEndpoints: r.rest_endpoints,
    restCafile: r.rest_cafile,
    agentId: r.agent_id as number,
    agentName: r.agent_name,
    memberDefaults: {
      user: d.user ?? '',
      sslmode: d.sslmode ?? 'verify-full',
      sslrootcert: d.sslrootcert ?? null,
      maintenanceDb: d.maintenanceDb ?? 'postgres',
    },
    tags: r.tags,
    notes: r.notes,
    memberGraceS: r.member_grace_s,
    createdBy: r.created_by,
    createdAt: iso(r.created_at)!,
    observed: {
      at: iso(r.observed_at),
      ageS: r.age_s === null ? null : Math.round(Math.max(0, r.age_s) * 10) / 10,
      from: r.observed_from,
      leader: r.leader,
      timeline: r.timeline,
      error: r.observed_error,
      errorAt: iso(r.observed_error_at),
      problems: r.member_problems,
    },
    members: r.members.map((m) => ({ ...m, missingSince: iso(m.missingSince) })),
  };
}

/** Every monitored cluster, by id. */
export async function listClusters(db: Queryable): Promise<MonitoredCluster[]> {
  const r = await db.query<ClusterRow>(`${CLUSTERS_SQL} ORDER BY c.id`);
  return r.rows.map(fromRow);
}

/** Cluster `id`. @throws PHAROS_CLUSTER_NOT_FOUND (field id) when there is none. */
export async function getCluster(db: Queryable, id: number): Promise<MonitoredCluster> {
  const r = await db.query<ClusterRow>(`${CLUSTERS_SQL} WHERE c.id = $1`, [id]);
  const row = r.rows[0];
  if (!row) throw pharosError('PHAROS_CLUSTER_NOT_FOUND', { id }, { field: 'id' });
  return fromRow(row);
}

/**
 * Adds cluster `spec` on behalf of `actor`, with `reading` (its GET
 * /cluster as the follower read it) as its members: each becomes a server
 * of the cluster. Resolves to its id. @throws PHAROS_CLUSTER_INVALID (400),
 * _NAME_TAKEN (409), PHAROS_SERVER_DUPLICATE (409, a member already
 * monitored), PHAROS_AGENT_NOT_FOUND (404) naming the field (nothing written).
 */
export async function addCluster(
  db: Queryable,
  actor: string,
  spec: ClusterSpec,
  reading: ClusterReading,
): Promise<number> {
  return withFleetErrors('cluster', async () => {
    const r = await db.query<{ id: number }>(
      'SELECT pem.cluster_add($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, $10::jsonb) AS id',
      [
        actor,
        spec.name,
        spec.restEndpoints,
        spec.restCafile,
        spec.agentId,
        JSON.stringify(spec.memberDefaults),
        spec.tags,
        spec.notes,
        spec.memberGraceS,
        JSON.stringify(reading),
      ],
    );
    return Number(r.rows[0]!.id);
  });
}

/**
 * Removes cluster `id` and every server of it (bindings, alerts, state;
 * history too when `purgeHistory`). @throws PHAROS_CLUSTER_NOT_FOUND (id)
 * when there is no such cluster (a second removal).
 */
export async function removeCluster(
  db: Queryable,
  actor: string,
  id: number,
  purgeHistory: boolean,
): Promise<RemovedCluster> {
  return withFleetErrors('cluster', async () => {
    const r = await db.query<{
      removed: { cluster: string; servers: (Omit<RemovedServer, 'id'> & { id: number })[] };
    }>('SELECT pem.cluster_remove($1, $2, $3) AS removed', [actor, id, purgeHistory]);
    const x = r.rows[0]!.removed;
    return {
      id,
      cluster: x.cluster,
      servers: x.servers.map((s) => ({
        id: s.id,
        server: s.server,
        alerts: s.alerts,
        latest: s.latest,
        probeLog: s.probeLog,
        historySamples: Number(s.historySamples),
        historyRollups: Number(s.historyRollups),
      })),
    };
  });
}

/**
 * The agent that will monitor a member at `host`: the active agent enrolled
 * with that host address, else the follower (as pem.cluster_member_sync
 * decides).
 */
export function memberAgent(
  agents: readonly { id: number; hostAddress: string | null; active: boolean }[],
  host: string | null,
  followerId: number,
): number {
  const own = agents
    .filter((a) => a.active && host !== null && a.hostAddress === host)
    .sort((a, b) => a.id - b.id)[0];
  return own?.id ?? followerId;
}
