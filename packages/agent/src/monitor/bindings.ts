/**
 * Server bindings: the monitored servers an agent is responsible for, as
 * returned by `pem.agent_bindings(agent_id)` (packages/backend/sql/functions/
 * registration/02_agent_bindings.sql), and how a new list differs from the one in use.
 */

/** One binding: how this agent reaches one monitored server. */
export interface Binding {
  serverId: number;
  displayName: string;
  host: string;
  port: number;
  userName: string;
  sslmode: string;
  maintenanceDb: string;
  /** CA file on the agent's host that verifies this server (pem.server.sslrootcert); default the agent's server_sslrootcert. */
  sslrootcert?: string;
  /** A monitored Patroni cluster's member: its REST API's base URL (GET /cluster api_url); default http://<host>:8008. */
  patroniUrl?: string;
  /** CA file on the agent's host that verifies an https `patroniUrl` (the cluster's REST CA file). */
  patroniCafile?: string;
}

/** A row of `pem.agent_bindings`. */
export interface BindingRow {
  server_id: number;
  display_name: string;
  host: string;
  port: number;
  user_name: string;
  sslmode: string;
  maintenance_db: string;
  /** Added by the fleet schema (migration 010); absent from older backends. */
  sslrootcert?: string | null;
  /** Added by migration 011 (monitored Patroni clusters); absent from older backends. */
  patroni_url?: string | null;
  patroni_cafile?: string | null;
}

/** Converts a `pem.agent_bindings` row. */
export function bindingFromRow(r: BindingRow): Binding {
  return {
    serverId: Number(r.server_id),
    displayName: r.display_name,
    host: r.host,
    port: Number(r.port),
    userName: r.user_name,
    sslmode: r.sslmode,
    maintenanceDb: r.maintenance_db,
    ...(r.sslrootcert ? { sslrootcert: r.sslrootcert } : {}),
    ...(r.patroni_url ? { patroniUrl: r.patroni_url } : {}),
    ...(r.patroni_cafile ? { patroniCafile: r.patroni_cafile } : {}),
  };
}

/** True when two bindings of the same server need a different connection. */
export function bindingChanged(a: Binding, b: Binding): boolean {
  return (
    a.host !== b.host ||
    a.port !== b.port ||
    a.userName !== b.userName ||
    a.sslmode !== b.sslmode ||
    a.maintenanceDb !== b.maintenanceDb ||
    a.sslrootcert !== b.sslrootcert ||
    a.patroniUrl !== b.patroniUrl ||
    a.patroniCafile !== b.patroniCafile ||
    a.displayName !== b.displayName
  );
}

/** What to do to go from the bindings in use to `next`: servers to start, stop, and restart with a new binding. */
export interface BindingDiff {
  added: Binding[];
  removed: number[];
  changed: Binding[];
}

/** Compares the bindings in use (by server id) with a freshly read list. */
export function diffBindings(current: ReadonlyMap<number, Binding>, next: readonly Binding[]): BindingDiff {
  const nextIds = new Set(next.map((b) => b.serverId));
  const diff: BindingDiff = { added: [], removed: [], changed: [] };
  for (const b of next) {
    const cur = current.get(b.serverId);
    if (!cur) diff.added.push(b);
    else if (bindingChanged(cur, b)) diff.changed.push(b);
  }
  for (const id of current.keys()) if (!nextIds.has(id)) diff.removed.push(id);
  return diff;
}
