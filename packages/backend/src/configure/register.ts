/**
 * Agent and server registration in the `pem` database (docs/reference/pem-facts.md §2).
 *
 * - Agent ids are unique; the default is the id this host (display name)
 *   already has, else max(id)+1; a requested id that belongs to another host
 *   is an error unless forced.
 * - One registration per display name: force re-registration replaces this
 *   host's row (or takes over the requested id), it never adds a second.
 * - Each agent logs in as a database user: `agentN` (created here, LOGIN, no
 *   password: certificate authentication only) or a common agent user; the
 *   user is a member of `pem_agent`.
 * - A server is registered once (by display name) and bound to the agent
 *   that monitors it (the agent-server binding, --asb-host-name).
 *
 * Every function is idempotent: registering what is already registered
 * changes nothing and says so (`changed: false`). All run inside the
 * caller's transaction, so a failure leaves nothing half-registered.
 */
import { pharosError } from '@pharos/core/errors';
import type { Queryable } from '@pharos/core/query';

/** What to register for an agent. */
export interface AgentRegistration {
  /** Requested id; undefined = the id this host already has, or the next free one. */
  agentId?: number;
  /** A fixed database user (the common agent user); undefined = `agent<id>`. */
  user?: string;
  /** Display name, unique: the host name by default. */
  displayName: string;
  /** Address of the agent's host (informational). */
  hostAddress?: string;
  /** Re-register over an existing registration (another user, or another host's id). */
  force?: boolean;
}

/** Result of an agent registration. */
export interface AgentRow {
  id: number;
  user: string;
  changed: boolean;
}

/** Result of a registration: the id and whether anything was written. */
export interface RegistrationResult {
  id: number;
  changed: boolean;
}

const IDENT_RE = /^[a-z_][a-z0-9_$]{0,62}$/;

/** Comment Pharos puts on the agent roles it creates, so unregistering drops only those. */
export const AGENT_ROLE_COMMENT = 'Pharos agent user (certificate authentication only)';

/** Quotes a role name after checking it is a plain lower-case identifier; InputError otherwise. */
export function roleIdent(name: string, what = 'role name'): string {
  if (!IDENT_RE.test(name)) {
    throw pharosError('PHAROS_REGISTER_NAME_INVALID', { what, name });
  }
  return `"${name}"`;
}

/**
 * Creates the agent's login role (no password: certificate authentication
 * only) if absent, and makes it a member of pem_agent. Returns true when it
 * changed anything.
 */
export async function ensureAgentRole(tx: Queryable, user: string): Promise<boolean> {
  const ident = roleIdent(user, 'agent user');
  const r = await tx.query<{ exists: boolean; member: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AS exists,
            EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member
                     WHERE g.rolname = 'pem_agent' AND u.rolname = $1) AS member`,
    [user],
  );
  let changed = false;
  if (!r.rows[0]!.exists) {
    await tx.query(`CREATE ROLE ${ident} LOGIN`);
    await tx.query(`COMMENT ON ROLE ${ident} IS '${AGENT_ROLE_COMMENT}'`);
    changed = true;
  }
  if (!r.rows[0]!.member) {
    await tx.query(`GRANT pem_agent TO ${ident}`);
    changed = true;
  }
  return changed;
}

/**
 * Takes an agent user out of service once no agent row uses it: a role
 * Pharos created (its comment) is dropped; any other (a common agent user
 * the operator made) only loses pem_agent. Resolves to what was done, or
 * undefined when the user is still in use.
 */
export async function retireAgentRole(tx: Queryable, user: string): Promise<string | undefined> {
  const inUse = await tx.query('SELECT 1 FROM pem.agent WHERE user_name = $1', [user]);
  if (inUse.rows.length > 0) return undefined;
  const r = await tx.query<{ comment: string | null }>(
    "SELECT shobj_description(oid, 'pg_authid') AS comment FROM pg_roles WHERE rolname = $1",
    [user],
  );
  if (r.rows.length === 0) return undefined;
  const ident = roleIdent(user, 'agent user');
  if (r.rows[0]!.comment === AGENT_ROLE_COMMENT) {
    try {
      await tx.query('SAVEPOINT pharos_drop_role');
      await tx.query(`DROP ROLE ${ident}`);
      await tx.query('RELEASE SAVEPOINT pharos_drop_role');
      return `dropped role ${user}`;
    } catch {
      // It owns objects or holds privileges elsewhere: keep it, unable to log in as an agent.
      await tx.query('ROLLBACK TO SAVEPOINT pharos_drop_role');
      await tx.query(`ALTER ROLE ${ident} NOLOGIN`);
    }
  }
  await tx.query(`REVOKE pem_agent FROM ${ident}`);
  return `revoked pem_agent from ${user}`;
}

type Row = {
  id: number;
  user_name: string;
  display_name: string;
  host_address: string | null;
  active: boolean;
};

async function selectAgent(tx: Queryable, where: string, value: unknown): Promise<Row | undefined> {
  const r = await tx.query<Row>(
    `SELECT id, user_name, display_name, host(host_address) AS host_address, active FROM pem.agent WHERE ${where} = $1`,
    [value],
  );
  return r.rows[0];
}

function describe(row: Row): string {
  return `agent ${row.id} ('${row.display_name}', user ${row.user_name})`;
}

async function revokeCertificates(tx: Queryable, agentId: number): Promise<void> {
  await tx.query(
    'UPDATE pem.agent_certificate SET revoked_at = now() WHERE agent_id = $1 AND revoked_at IS NULL',
    [agentId],
  );
}

/**
 * Registers an agent (see the module note). Serialised by a table lock so
 * two hosts registering at once get different ids.
 * @throws InputError when the requested id belongs to another host, or this
 *   host is registered with another id or user, and `force` is not set (the
 *   message names the registration found and what to do).
 */
export async function registerAgent(tx: Queryable, reg: AgentRegistration): Promise<AgentRow> {
  if (reg.agentId !== undefined && (!Number.isInteger(reg.agentId) || reg.agentId < 1)) {
    throw pharosError('PHAROS_REGISTER_AGENT_ID_INVALID', { id: reg.agentId });
  }
  await tx.query('LOCK TABLE pem.agent IN SHARE ROW EXCLUSIVE MODE');
  const mine = await selectAgent(tx, 'display_name', reg.displayName);
  const byId = reg.agentId === undefined ? undefined : await selectAgent(tx, 'id', reg.agentId);
  const host = reg.hostAddress ?? null;
  const userFor = (id: number) => reg.user ?? `agent${id}`;
  const forceHint = 'or force re-registration (-arp force_registration=true, or --force)';

  // This host keeps its registration (same id, if one was asked for).
  if (mine && (reg.agentId === undefined || mine.id === reg.agentId)) {
    const user = userFor(mine.id);
    if (mine.user_name !== user && !reg.force) {
      throw pharosError('PHAROS_REGISTER_OTHER_USER', {
        host: reg.displayName,
        agent: describe(mine),
        user,
        hint: forceHint,
      });
    }
    let changed = false;
    if (mine.user_name !== user || (reg.force && !mine.active)) {
      await tx.query(
        'UPDATE pem.agent SET user_name = $2, active = true, registered_at = now() WHERE id = $1',
        [mine.id, user],
      );
      await revokeCertificates(tx, mine.id);
      await retireAgentRole(tx, mine.user_name);
      changed = true;
    }
    if ((mine.host_address ?? null) !== host) {
      await tx.query('UPDATE pem.agent SET host_address = $2 WHERE id = $1', [mine.id, host]);
      changed = true;
    }
    const roleChanged = await ensureAgentRole(tx, user);
    return { id: mine.id, user, changed: changed || roleChanged };
  }
  if (mine && !reg.force) {
    throw pharosError('PHAROS_REGISTER_ALREADY', {
      host: reg.displayName,
      agent: describe(mine),
      id: mine.id,
      newId: reg.agentId,
      hint: forceHint,
    });
  }
  if (byId && !reg.force) {
    throw pharosError('PHAROS_REGISTER_ID_TAKEN', {
      id: reg.agentId,
      agent: describe(byId),
      hint: forceHint,
    });
  }
  // Forced: this host's old row and the requested id's current owner make way.
  for (const old of [mine, byId]) {
    if (!old) continue;
    await tx.query('DELETE FROM pemdata.latest WHERE agent_id = $1', [old.id]);
    await tx.query('DELETE FROM pem.agent WHERE id = $1', [old.id]);
    await revokeCertificates(tx, old.id);
  }
  const id =
    reg.agentId ??
    (await tx.query<{ id: number }>('SELECT coalesce(max(id), 0) + 1 AS id FROM pem.agent')).rows[0]!.id;
  const user = userFor(id);
  await tx.query(
    'INSERT INTO pem.agent (id, user_name, display_name, host_address) VALUES ($1, $2, $3, $4)',
    [id, user, reg.displayName, host],
  );
  for (const old of [mine, byId]) if (old && old.user_name !== user) await retireAgentRole(tx, old.user_name);
  await ensureAgentRole(tx, user);
  return { id, user, changed: true };
}

/** Result of {@link unregisterAgent}. */
export interface UnregisterResult {
  changed: boolean;
  /** What was done, one line each. */
  actions: string[];
}

/**
 * Unregisters agent `agentId`: deletes its row (its server bindings go with
 * it; the servers stay registered, unmonitored), its latest values, marks its
 * certificates revoked, and retires its database user
 * ({@link retireAgentRole}). History stays until retention purges it.
 * An agent that is not registered changes nothing.
 */
export async function unregisterAgent(tx: Queryable, agentId: number): Promise<UnregisterResult> {
  await tx.query('LOCK TABLE pem.agent IN SHARE ROW EXCLUSIVE MODE');
  const row = await selectAgent(tx, 'id', agentId);
  if (!row) return { changed: false, actions: [`agent ${agentId} is not registered`] };
  const servers = await tx.query<{ display_name: string }>(
    'SELECT s.display_name FROM pem.server_binding b JOIN pem.server s ON s.id = b.server_id WHERE b.agent_id = $1 ORDER BY s.id',
    [agentId],
  );
  await tx.query('DELETE FROM pemdata.latest WHERE agent_id = $1', [agentId]);
  await tx.query('DELETE FROM pem.agent WHERE id = $1', [agentId]);
  await revokeCertificates(tx, agentId);
  const actions = [`unregistered ${describe(row)}`];
  for (const s of servers.rows)
    actions.push(`server '${s.display_name}' is no longer monitored by any agent`);
  const retired = await retireAgentRole(tx, row.user_name);
  if (retired) actions.push(retired);
  return { changed: true, actions };
}

/** A monitored server and its agent-server binding. */
export interface ServerRegistration {
  displayName: string;
  /** Address the server is known by (for display and for other tools). */
  host: string;
  port: number;
  isPemBackend: boolean;
  /** patroni-member for a node of a Patroni cluster (the HA backend's nodes), default standalone. */
  kind?: 'standalone' | 'patroni-member';
  maintenanceDb?: string;
  /** Agent that monitors it, and how that agent reaches it (--asb-host-name). */
  binding: { agentId: number; host: string; port: number; user: string; sslmode: string };
}

/** Registers (or finds) a server by display name and binds it to its agent. Idempotent. */
export async function registerServer(tx: Queryable, reg: ServerRegistration): Promise<RegistrationResult> {
  await tx.query('LOCK TABLE pem.server IN SHARE ROW EXCLUSIVE MODE');
  let changed = false;
  const db = reg.maintenanceDb ?? 'postgres';
  type SRow = {
    id: number;
    host: string;
    port: number;
    maintenance_db: string;
    is_pem_backend: boolean;
    kind: string;
  };
  let row = (
    await tx.query<SRow>(
      'SELECT id, host, port, maintenance_db, is_pem_backend, kind FROM pem.server WHERE display_name = $1',
      [reg.displayName],
    )
  ).rows[0];
  if (!row) {
    row = (
      await tx.query<SRow>(
        `INSERT INTO pem.server (display_name, host, port, is_pem_backend, maintenance_db, user_name, sslmode, kind)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         RETURNING id, host, port, maintenance_db, is_pem_backend, kind`,
        [
          reg.displayName,
          reg.host,
          reg.port,
          reg.isPemBackend,
          db,
          reg.binding.user,
          reg.binding.sslmode,
          reg.kind ?? 'standalone',
        ],
      )
    ).rows[0]!;
    changed = true;
  } else if (
    row.host !== reg.host ||
    row.port !== reg.port ||
    row.maintenance_db !== db ||
    row.is_pem_backend !== reg.isPemBackend ||
    row.kind !== (reg.kind ?? 'standalone')
  ) {
    await tx.query(
      'UPDATE pem.server SET host = $2, port = $3, maintenance_db = $4, is_pem_backend = $5, kind = $6 WHERE id = $1',
      [row.id, reg.host, reg.port, db, reg.isPemBackend, reg.kind ?? 'standalone'],
    );
    changed = true;
  }
  const b = reg.binding;
  const upd = await tx.query(
    `INSERT INTO pem.server_binding AS sb (server_id, agent_id, host, port, user_name, sslmode) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (server_id) DO UPDATE SET agent_id = excluded.agent_id, host = excluded.host, port = excluded.port,
       user_name = excluded.user_name, sslmode = excluded.sslmode
     WHERE (sb.agent_id, sb.host, sb.port, sb.user_name, sb.sslmode) IS DISTINCT FROM
           (excluded.agent_id, excluded.host, excluded.port, excluded.user_name, excluded.sslmode)
     RETURNING 1`,
    [row.id, b.agentId, b.host, b.port, b.user, b.sslmode],
  );
  if (upd.rows.length > 0) {
    changed = true;
    // the server's declared monitoring settings follow its binding (migration 010)
    await tx.query('UPDATE pem.server SET user_name = $2, sslmode = $3 WHERE id = $1', [
      row.id,
      b.user,
      b.sslmode,
    ]);
  }
  return { id: row.id, changed };
}

/** @throws PharosError when `user` is a superuser: an agent must not log in with more than pem_agent grants. */
export async function requireUnprivilegedAgentUser(tx: Queryable, user: string): Promise<void> {
  const r = await tx.query<{ s: boolean }>('SELECT rolsuper AS s FROM pg_roles WHERE rolname = $1', [user]);
  if (r.rows[0]?.s) {
    throw pharosError('PHAROS_REGISTER_SUPERUSER', { user });
  }
}
