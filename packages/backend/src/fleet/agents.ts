import type { Queryable } from '@pharos/core/query';
/**
 * The registered agents as the fleet commands list them (`pharos server add
 * --agent NAME` resolves a name; `GET /api/agents`): id, user, display
 * name, address, heartbeat age, version, servers bound. Source: pem.agent,
 * pem.server_binding.
 */

/** One agent. */
export interface FleetAgent {
  id: number;
  user: string;
  displayName: string;
  hostAddress: string | null;
  active: boolean;
  version: string | null;
  /** Seconds since its last heartbeat, by the backend's clock; null: never. */
  heartbeatAgeS: number | null;
  /** Servers bound to it. */
  servers: number;
  /** It monitors a node of the PEM backend (a backend or web host's agent). */
  pemBackend: boolean;
  registeredAt: string;
}

/** Every agent, by id. */
export async function listAgents(db: Queryable): Promise<FleetAgent[]> {
  const r = await db.query<{
    id: number;
    user_name: string;
    display_name: string;
    host_address: string | null;
    active: boolean;
    agent_version: string | null;
    age_s: number | null;
    servers: number;
    pem_backend: boolean;
    registered_at: Date;
  }>(
    `SELECT a.id, a.user_name, a.display_name, host(a.host_address) AS host_address, a.active, a.agent_version,
            extract(epoch FROM clock_timestamp() - a.last_heartbeat)::float8 AS age_s,
            (SELECT count(*)::int FROM pem.server_binding b WHERE b.agent_id = a.id) AS servers,
            EXISTS (SELECT 1 FROM pem.server_binding b JOIN pem.server s ON s.id = b.server_id
                     WHERE b.agent_id = a.id AND s.is_pem_backend) AS pem_backend,
            a.registered_at
       FROM pem.agent a ORDER BY a.id`,
  );
  return r.rows.map((a) => ({
    id: a.id,
    user: a.user_name,
    displayName: a.display_name,
    hostAddress: a.host_address,
    active: a.active,
    version: a.agent_version,
    heartbeatAgeS: a.age_s === null ? null : Math.round(Math.max(0, a.age_s) * 10) / 10,
    servers: a.servers,
    pemBackend: a.pem_backend,
    registeredAt: new Date(a.registered_at).toISOString(),
  }));
}
