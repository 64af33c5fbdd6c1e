/**
 * Monitored servers (issue 14), as the web API and the CLI see them: list,
 * show, add, change, remove. Reads are plain queries of pem.server, its
 * binding, its agent and the newest observations (pemdata.latest:
 * `server_info` role, `server_up`); changes go through the SQL functions
 * (sql/functions/fleet/: `pem.server_add`, `server_set`, `server_remove`),
 * which check every field and write nothing on error (sql-errors.ts maps
 * their errors to Pharos errors naming the field).
 *
 * Connection settings (docs/monitoring-a-server.md): the agent dials
 * `host`:`port`, database `maintenanceDb`, as `user` (a member of
 * pg_monitor), with `sslmode` (default verify-full) and `sslrootcert` (a CA
 * file on the agent's host; null: the agent's `server_sslrootcert`).
 */
import { pharosError } from '@pharos/core/errors';
import type { Queryable } from '@pharos/core/query';
import { roleOfPatroni } from './patroni-role.js';
import { withFleetErrors } from './sql-errors.js';

/** sslmode values (libpq-connect.html "sslmode"). */
export const SSLMODES = ['verify-full', 'verify-ca', 'require', 'prefer', 'allow', 'disable'] as const;
export type Sslmode = (typeof SSLMODES)[number];

/** Default monitoring settings of a new server. */
export const SERVER_DEFAULTS = { port: 5432, maintenanceDb: 'postgres', sslmode: 'verify-full' as Sslmode };

/** How the agent reaches a server: what `add` takes (and `test` tests). */
export interface ServerConnection {
  host: string;
  port: number;
  maintenanceDb: string;
  user: string;
  sslmode: Sslmode;
  sslrootcert: string | null;
  agentId: number;
}

/** What `add` takes. */
export interface ServerSpec extends ServerConnection {
  displayName: string;
  tags: string[];
  notes: string;
}

/** What `set` takes: any of the spec's fields. */
export type ServerChanges = Partial<ServerSpec>;

/** A monitored server: its settings and what was last observed of it. */
export interface MonitoredServer extends ServerSpec {
  id: number;
  kind: 'standalone' | 'patroni-member';
  clusterId: number | null;
  /** The monitored Patroni cluster it is a member of (null: none). */
  clusterName: string | null;
  /** Its member name in that cluster. */
  patroniMember: string | null;
  isPemBackend: boolean;
  active: boolean;
  agentName: string | null;
  createdBy: string | null;
  createdAt: string;
  /**
   * Observed, never configured: the newest server_info and server_up
   * samples; for a member of a monitored cluster also what the cluster's
   * follower saw last (its Patroni role and state, every probe interval).
   */
  observed: {
    /**
     * primary or standby: of a cluster member, its Patroni role when the
     * follower's look is newer than the member's server_info (a switchover
     * shows within one probe interval); else server_info's.
     */
    role: 'primary' | 'standby' | null;
    /** Patroni role (leader, replica, sync_standby...) of a cluster member, as its follower saw it. */
    patroniRole: string | null;
    /** Patroni state (running, streaming, stopped...) of a cluster member. */
    patroniState: string | null;
    /** When a cluster member went missing from GET /cluster (removed after the cluster's grace). */
    missingSince: string | null;
    up: boolean | null;
    /** Error of the newest failed server_up, when it failed. */
    error: string | null;
    /** Seconds since the newest sample of any probe of the server (null: none yet). */
    lastSampleAgeS: number | null;
  };
}

/** What `remove` removed. */
export interface RemovedServer {
  id: number;
  server: string;
  alerts: number;
  latest: number;
  probeLog: number;
  historySamples: number;
  historyRollups: number;
}

interface ServerRow {
  id: number;
  display_name: string;
  host: string;
  port: number;
  maintenance_db: string;
  user_name: string | null;
  sslmode: Sslmode;
  sslrootcert: string | null;
  kind: 'standalone' | 'patroni-member';
  cluster_id: number | null;
  cluster_name: string | null;
  patroni_member: string | null;
  patroni_role: string | null;
  patroni_state: string | null;
  missing_since: Date | null;
  cluster_observed_at: Date | null;
  role_at: Date | null;
  tags: string[];
  notes: string;
  is_pem_backend: boolean;
  active: boolean;
  agent_id: number | null;
  agent_name: string | null;
  binding_user: string | null;
  created_by: string | null;
  registered_at: Date;
  role: string | null;
  up: number | null;
  up_error: string | null;
  age_s: number | null;
}

// Observations come from the server's bound agent only (what it saw; security review M1), which is
// also the prefix of pemdata.latest's primary key (agent_id, server_id, probe, object).
const SERVERS_SQL = `
SELECT s.id, s.display_name, s.host, s.port, s.maintenance_db, s.user_name, s.sslmode, s.sslrootcert, s.kind,
       s.cluster_id, s.tags, s.notes, s.is_pem_backend, s.active, b.agent_id, a.display_name AS agent_name,
       b.user_name AS binding_user, s.created_by, s.registered_at, mc.name AS cluster_name, s.patroni_member,
       s.patroni_role, s.patroni_state, s.missing_since, mc.observed_at AS cluster_observed_at, i.role, i.role_at,
       u.up, u.up_error,
       (SELECT extract(epoch FROM clock_timestamp() - max(l.collected_at))::float8
          FROM pemdata.latest l WHERE l.agent_id = b.agent_id AND l.server_id = s.id) AS age_s
  FROM pem.server s
  LEFT JOIN pem.server_binding b ON b.server_id = s.id
  LEFT JOIN pem.agent a ON a.id = b.agent_id
  LEFT JOIN pem.monitored_cluster mc ON mc.id = s.cluster_id
  LEFT JOIN LATERAL (SELECT l.value->>'role' AS role, l.collected_at AS role_at FROM pemdata.latest l
                      WHERE l.agent_id = b.agent_id AND l.server_id = s.id AND l.probe = 'server_info'
                      ORDER BY l.collected_at DESC LIMIT 1) i ON true
  LEFT JOIN LATERAL (SELECT (l.value->>'up')::int AS up, l.value->>'error' AS up_error FROM pemdata.latest l
                      WHERE l.agent_id = b.agent_id AND l.server_id = s.id AND l.probe = 'server_up'
                      ORDER BY l.collected_at DESC LIMIT 1) u ON true`;

/** The observed role: a cluster member's Patroni role when its follower looked after the member's server_info. */
function observedRole(r: ServerRow): 'primary' | 'standby' | null {
  const fromInfo = r.role === 'primary' || r.role === 'standby' ? r.role : null;
  const fromPatroni = r.missing_since === null ? roleOfPatroni(r.patroni_role) : null;
  if (fromPatroni === null) return fromInfo;
  if (fromInfo === null || r.role_at === null) return fromPatroni;
  return r.cluster_observed_at !== null && new Date(r.cluster_observed_at) > new Date(r.role_at)
    ? fromPatroni
    : fromInfo;
}

function fromRow(r: ServerRow): MonitoredServer {
  return {
    id: r.id,
    displayName: r.display_name,
    host: r.host,
    port: r.port,
    maintenanceDb: r.maintenance_db,
    user: r.user_name ?? r.binding_user ?? '',
    sslmode: r.sslmode,
    sslrootcert: r.sslrootcert,
    agentId: r.agent_id,
    tags: r.tags,
    notes: r.notes,
    kind: r.kind,
    clusterId: r.cluster_id,
    clusterName: r.cluster_name,
    patroniMember: r.patroni_member,
    isPemBackend: r.is_pem_backend,
    active: r.active,
    agentName: r.agent_name,
    createdBy: r.created_by,
    createdAt: new Date(r.registered_at).toISOString(),
    observed: {
      role: observedRole(r),
      patroniRole: r.patroni_role,
      patroniState: r.patroni_state,
      missingSince: r.missing_since === null ? null : new Date(r.missing_since).toISOString(),
      up: r.up === null ? null : r.up === 1,
      error: r.up === 0 ? r.up_error : null,
      lastSampleAgeS: r.age_s === null ? null : Math.round(Math.max(0, r.age_s) * 10) / 10,
    },
  } as MonitoredServer;
}

/** Every server, by id (optionally those with all of `tags`). */
export async function listServers(
  db: Queryable,
  filter: { tags?: string[] } = {},
): Promise<MonitoredServer[]> {
  const tags = filter.tags ?? [];
  const r = await db.query<ServerRow>(`${SERVERS_SQL} WHERE s.tags @> $1::text[] ORDER BY s.id`, [tags]);
  return r.rows.map(fromRow);
}

/** Server `id`. @throws PHAROS_SERVER_NOT_FOUND (field id) when there is none. */
export async function getServer(db: Queryable, id: number): Promise<MonitoredServer> {
  const r = await db.query<ServerRow>(`${SERVERS_SQL} WHERE s.id = $1`, [id]);
  const row = r.rows[0];
  if (!row) throw pharosError('PHAROS_SERVER_NOT_FOUND', { id }, { field: 'id' });
  return fromRow(row);
}

/**
 * Adds a server monitored by `spec.agentId` on behalf of `actor` (its
 * default alerts are bound; the agent starts within one short wait).
 * Resolves to its id. @throws PHAROS_SERVER_INVALID (400), _DUPLICATE or
 * _NAME_TAKEN (409), PHAROS_AGENT_NOT_FOUND (404) naming the field (nothing written).
 */
export async function addServer(db: Queryable, actor: string, spec: ServerSpec): Promise<number> {
  return withFleetErrors('server', async () => {
    const r = await db.query<{ id: number }>(
      'SELECT pem.server_add($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) AS id',
      [
        actor,
        spec.displayName,
        spec.host,
        spec.port,
        spec.maintenanceDb,
        spec.user,
        spec.sslmode,
        spec.sslrootcert,
        spec.agentId,
        spec.tags,
        spec.notes,
      ],
    );
    return Number(r.rows[0]!.id);
  });
}

/** Changes server `id` (the given fields only). @throws as {@link addServer}; PHAROS_SERVER_NOT_FOUND (id), _STATE (409). */
export async function setServer(
  db: Queryable,
  actor: string,
  id: number,
  changes: ServerChanges,
): Promise<void> {
  await withFleetErrors('server', () =>
    db.query('SELECT pem.server_set($1, $2, $3::jsonb)', [actor, id, JSON.stringify(changes)]),
  );
}

/**
 * Removes server `id`: binding, alerts, latest values, probe log; its
 * history too when `purgeHistory`. @throws PHAROS_SERVER_NOT_FOUND (id) when
 * there is no such server (a second removal), PHAROS_SERVER_STATE for a PEM
 * backend node or a cluster member.
 */
export async function removeServer(
  db: Queryable,
  actor: string,
  id: number,
  purgeHistory: boolean,
): Promise<RemovedServer> {
  return withFleetErrors('server', async () => {
    const r = await db.query<{ removed: Omit<RemovedServer, 'id'> }>(
      'SELECT pem.server_remove($1, $2, $3) AS removed',
      [actor, id, purgeHistory],
    );
    const x = r.rows[0]!.removed;
    return {
      id,
      server: x.server,
      alerts: x.alerts,
      latest: x.latest,
      probeLog: x.probeLog,
      historySamples: Number(x.historySamples),
      historyRollups: Number(x.historyRollups),
    };
  });
}

/** True when a change touches how the agent connects (it is then tested first). */
export function changesConnection(c: ServerChanges): boolean {
  return (['host', 'port', 'maintenanceDb', 'user', 'sslmode', 'sslrootcert', 'agentId'] as const).some(
    (k) => k in c,
  );
}
