/**
 * Agent and server registration in the `pem` database (pem-facts.md §2):
 * agent ids are unique (default max(id)+1; a taken id is an error unless
 * forced), each agent has a database user (agentN or a common agent user)
 * that is a member of pem_agent and logs in with a certificate only; a
 * server is registered once and bound to the agent that monitors it.
 * Every function is idempotent: registering what is already registered
 * changes nothing and says so (`changed: false`).
 */
import { InputError } from '@pharos/core/errors';
import type { SqlRunner } from '../migrations/run.js';

/** What to register for an agent. */
export interface AgentRegistration {
  /** Requested id; undefined = next free (max(id)+1), or the id this host already has. */
  agentId?: number;
  /** Database user the agent logs in as (its certificate's CN). */
  user: string;
  /** Display name, default the host name. */
  displayName: string;
  /** Address of the agent's host, informational. */
  hostAddress?: string;
  /** Re-register over an existing agent with this id. */
  force?: boolean;
}

/** Result of a registration: the id and whether anything was written. */
export interface RegistrationResult {
  id: number;
  changed: boolean;
}

const IDENT_RE = /^[a-z_][a-z0-9_$]{0,62}$/;

/** Quotes a role name after checking it is a plain lower-case identifier; InputError otherwise. */
export function roleIdent(name: string, what = 'role name'): string {
  if (!IDENT_RE.test(name)) {
    throw new InputError(`${what} '${name}' is not a plain identifier (lower-case letters, digits, _; at most 63 characters)`);
  }
  return `"${name}"`;
}

/**
 * Creates the agent's login role (no password: certificate authentication
 * only) as a member of pem_agent, if needed. Returns true when it changed anything.
 */
export async function ensureAgentRole(tx: SqlRunner, user: string): Promise<boolean> {
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
    changed = true;
  }
  if (!r.rows[0]!.member) {
    await tx.query(`GRANT pem_agent TO ${ident}`);
    changed = true;
  }
  return changed;
}

/**
 * Registers an agent. Serialised by a table lock so two hosts registering at
 * once get different ids. Throws InputError when the requested id belongs to
 * another agent (name and user in the message) and `force` is not set.
 */
export async function registerAgent(tx: SqlRunner, reg: AgentRegistration): Promise<RegistrationResult> {
  if (reg.agentId !== undefined && (!Number.isInteger(reg.agentId) || reg.agentId < 1)) {
    throw new InputError(`agent_id '${reg.agentId}' is not a positive integer`);
  }
  await tx.query('LOCK TABLE pem.agent IN SHARE ROW EXCLUSIVE MODE');
  const roleChanged = await ensureAgentRole(tx, reg.user);
  type Row = { id: number; user_name: string; display_name: string; host_address: string | null };
  if (reg.agentId !== undefined) {
    const cur = await tx.query<Row>('SELECT id, user_name, display_name, host(host_address) AS host_address FROM pem.agent WHERE id = $1', [reg.agentId]);
    const row = cur.rows[0];
    if (row) {
      const same = row.user_name === reg.user && row.display_name === reg.displayName;
      if (same) return { id: row.id, changed: roleChanged };
      if (!reg.force) {
        throw new InputError(
          `agent id ${reg.agentId} is taken by agent '${row.display_name}' (user ${row.user_name}); choose another -aro agent_id=N or force re-registration`,
        );
      }
      await tx.query(
        'UPDATE pem.agent SET user_name = $2, display_name = $3, host_address = $4, active = true, registered_at = now() WHERE id = $1',
        [reg.agentId, reg.user, reg.displayName, reg.hostAddress ?? null],
      );
      return { id: reg.agentId, changed: true };
    }
  } else {
    const mine = await tx.query<Row>('SELECT id, user_name, display_name FROM pem.agent WHERE display_name = $1 AND user_name = $2', [
      reg.displayName,
      reg.user,
    ]);
    if (mine.rows[0]) return { id: mine.rows[0].id, changed: roleChanged };
  }
  const taken = await tx.query('SELECT 1 FROM pem.agent WHERE display_name = $1', [reg.displayName]);
  if (taken.rows.length > 0 && !reg.force) {
    throw new InputError(`an agent named '${reg.displayName}' is already registered with another id or user; unregister it or force re-registration`);
  }
  const id =
    reg.agentId ?? (await tx.query<{ id: number }>('SELECT coalesce(max(id), 0) + 1 AS id FROM pem.agent')).rows[0]!.id;
  await tx.query('INSERT INTO pem.agent (id, user_name, display_name, host_address) VALUES ($1, $2, $3, $4)', [
    id,
    reg.user,
    reg.displayName,
    reg.hostAddress ?? null,
  ]);
  return { id, changed: true };
}

/** A monitored server and its agent-server binding. */
export interface ServerRegistration {
  displayName: string;
  /** Address the server is known by (for display and for other tools). */
  host: string;
  port: number;
  isPemBackend: boolean;
  /** Agent that monitors it, and how that agent reaches it (--asb-host-name). */
  binding: { agentId: number; host: string; port: number; user: string; sslmode: string };
}

/** Registers (or finds) a server by display name and binds it to its agent. Idempotent. */
export async function registerServer(tx: SqlRunner, reg: ServerRegistration): Promise<RegistrationResult> {
  await tx.query('LOCK TABLE pem.server IN SHARE ROW EXCLUSIVE MODE');
  let changed = false;
  type Row = { id: number; host: string; port: number };
  let row = (await tx.query<Row>('SELECT id, host, port FROM pem.server WHERE display_name = $1', [reg.displayName])).rows[0];
  if (!row) {
    row = (
      await tx.query<Row>(
        'INSERT INTO pem.server (display_name, host, port, is_pem_backend) VALUES ($1, $2, $3, $4) RETURNING id, host, port',
        [reg.displayName, reg.host, reg.port, reg.isPemBackend],
      )
    ).rows[0]!;
    changed = true;
  } else if (row.host !== reg.host || row.port !== reg.port) {
    await tx.query('UPDATE pem.server SET host = $2, port = $3 WHERE id = $1', [row.id, reg.host, reg.port]);
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
  if ((upd as { rows: unknown[] }).rows.length > 0) changed = true;
  return { id: row.id, changed };
}
