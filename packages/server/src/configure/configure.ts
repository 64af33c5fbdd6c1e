/**
 * `pharos configure`: what `configure-pem-server.sh` does (pem-facts.md §1),
 * in HA mode as the reference uses it.
 *
 * - `-t 3 --replication-role primary` (and `-t 1`): on the local node, which
 *   must be the primary: creates database `pem`, applies the migrations
 *   (schemas, group roles, functions), registers the local agent and the
 *   local server with its agent-server binding.
 * - `-t 3 --replication-role standby`: writes no schema (it arrives by
 *   replication); registers the standby's agent and server through the
 *   primary, reached with the multi-host string (target_session_attrs=read-write).
 * - `-t 2`: refuses unless the backend is configured; creates the web
 *   instances' service role (member of pem_web) if asked, registers the web
 *   host's agent.
 * In HA mode nothing touches SSL, HBA rules or restarts (Patroni owns them).
 * Every step is idempotent and the registration runs in one transaction, so
 * a failure part-way leaves nothing half-registered.
 */
import { HaConnection } from '@pharos/core/ha-connection';
import { InputError, PharosError } from '@pharos/core/errors';
import { migrate, type MigrateResult } from '../migrations/run.js';
import { checkAgentCertificate, isHaMode, type ConfigureOptions } from './options.js';
import { registerAgent, registerServer, roleIdent, type RegistrationResult } from './register.js';

/** What configure did, for the command's report. */
export interface ConfigureResult {
  agent: RegistrationResult & { user: string };
  server?: RegistrationResult;
  migrations?: MigrateResult;
  databaseCreated: boolean;
  webServiceRole?: { name: string; changed: boolean };
  /** The backend host list as the agent and web instance should use it. */
  backendHosts: string[];
  backendPorts: number[];
}

const LOCAL_NAMES = new Set(['127.0.0.1', 'localhost', '::1']);

/** Index of the local host in the -ho list (127.0.0.1/localhost/::1, or the host's own address), or -1. */
export function localHostIndex(o: ConfigureOptions): number {
  return o.hosts.findIndex((h) => LOCAL_NAMES.has(h) || (o.hostAddress !== undefined && h === o.hostAddress));
}

/**
 * The host list as dialled from this host: when the host has an identity
 * address (`hostAddress`, the lab's one-machine emulation), a local name in
 * the list stands for that address.
 */
export function dialHosts(o: ConfigureOptions): string[] {
  return o.hosts.map((h) => (o.hostAddress && LOCAL_NAMES.has(h) ? o.hostAddress : h));
}

function conninfoFor(o: ConfigureOptions, hosts: string[], ports: number[], dbname: string, tsa: string): string {
  const parts = [
    `host=${hosts.join(',')}`,
    `port=${ports.join(',')}`,
    `dbname=${dbname}`,
    `user=${o.superuser}`,
    `target_session_attrs=${tsa}`,
    'connect_timeout=5',
    'application_name=pharos-configure',
  ];
  if (o.sslmode) parts.push(`sslmode=${o.sslmode}`);
  if (o.sslrootcert) parts.push(`sslrootcert=${o.sslrootcert}`);
  return parts.join(' ');
}

function connect(o: ConfigureOptions, hosts: string[], ports: number[], dbname: string, tsa: string): HaConnection {
  return new HaConnection({
    conninfo: conninfoFor(o, hosts, ports, dbname, tsa),
    env: { ...process.env, PGPASSWORD: o.superpassword },
    sourceAddress: o.hostAddress,
    queryTimeoutMs: 60_000,
  });
}

function agentUserOf(o: ConfigureOptions, agentId: number | undefined): string {
  if (o.agentUser) return o.agentUser;
  if (agentId === undefined) {
    throw new InputError('the agent id is needed to name its user agentN: give -aro agent_id=N (or --use-agent-user)');
  }
  return `agent${agentId}`;
}

function requestedAgentId(o: ConfigureOptions): number | undefined {
  const v = o.agentOverrides.agent_id;
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new InputError(`-aro agent_id='${v}' is not a positive integer`);
  return Number(v);
}

async function checkLocalRole(o: ConfigureOptions): Promise<void> {
  const i = localHostIndex(o);
  const idx = i >= 0 ? i : 0;
  const hosts = dialHosts(o);
  const conn = connect(o, [hosts[idx]!], [o.ports[idx]!], 'postgres', 'any');
  try {
    const r = await conn.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r');
    const inRecovery = r.rows[0]!.r;
    if (o.replicationRole === 'primary' && inRecovery) {
      throw new PharosError(
        `--replication-role primary, but the local server ${o.hosts[idx]}:${o.ports[idx]} is a standby (pg_is_in_recovery() = true); run this on the primary, or use --replication-role standby`,
      );
    }
  } finally {
    await conn.close();
  }
}

async function ensurePemDatabase(o: ConfigureOptions): Promise<boolean> {
  const conn = connect(o, dialHosts(o), o.ports, 'postgres', 'read-write');
  try {
    const r = await conn.query('SELECT 1 FROM pg_database WHERE datname = $1', ['pem']);
    if (r.rows.length > 0) return false;
    await conn.query('CREATE DATABASE pem ENCODING UTF8');
    return true;
  } finally {
    await conn.close();
  }
}

/**
 * Runs configure. Throws InputError for bad flags or certificates (nothing
 * written), PharosError for a backend in the wrong state (for example -t 2
 * before -t 3, or the primary step on a standby).
 */
export async function configure(o: ConfigureOptions, extra?: { webServiceRole?: { name: string; password: string } }): Promise<ConfigureResult> {
  if (!o.superpassword) throw new InputError('the superuser password is missing: set PHAROS_SUPERPASSWORD (or -sp, or answer the prompt)');
  if (isHaMode(o) && o.replicationSolution !== 'patroni') {
    throw new InputError(`--replication-solution '${o.replicationSolution}': only 'patroni' is supported in this deployment`);
  }
  if (o.type === 3 && isHaMode(o) && !o.replicationRole) {
    throw new InputError('--replication-role primary|standby is required with --replication-solution');
  }
  const agentId = requestedAgentId(o);
  const agentUser = agentUserOf(o, o.agentUser ? agentId : (agentId ?? undefined));
  if (o.agentSslCert || o.agentSslKey) {
    if (!o.agentSslCert || !o.agentSslKey) {
      throw new InputError('--use-agent-sslcert and --use-agent-sslkey go together: give both');
    }
    checkAgentCertificate(o.agentSslCert, o.agentSslKey, agentUser);
  }

  const createsSchema = o.type === 1 || (o.type === 3 && o.replicationRole !== 'standby');
  let databaseCreated = false;
  let migrations: MigrateResult | undefined;
  if (createsSchema) {
    await checkLocalRole(o);
    databaseCreated = await ensurePemDatabase(o);
  }
  const conn = connect(o, dialHosts(o), o.ports, 'pem', 'read-write');
  try {
    if (createsSchema) {
      migrations = await migrate((fn) => conn.transaction(fn));
    } else {
      const v = await conn
        .query<{ v: number | null }>('SELECT max(version) AS v FROM public.pharos_schema_version')
        .catch(() => ({ rows: [{ v: null }] }));
      if (!v.rows[0]?.v) {
        throw new PharosError(
          `the backend is not configured yet (no Pharos schema in database pem on ${o.hosts.join(',')}): run 'pharos configure -t 3 --replication-role primary' on the primary first`,
        );
      }
    }
    return await conn.transaction(async (tx) => {
      const agent = await registerAgent(tx, {
        agentId,
        user: agentUser,
        displayName: o.hostName,
        hostAddress: o.hostAddress,
      });
      let server: RegistrationResult | undefined;
      if (o.type !== 2) {
        const localIdx = Math.max(localHostIndex(o), 0);
        const asbHost = o.asbHostName ?? o.hosts[localIdx]!;
        server = await registerServer(tx, {
          displayName: o.hostName,
          host: o.hostAddress ?? asbHost,
          port: o.ports[localIdx]!,
          isPemBackend: true,
          binding: { agentId: agent.id, host: asbHost, port: o.ports[localIdx]!, user: o.asbUser, sslmode: 'prefer' },
        });
      }
      let webServiceRole: ConfigureResult['webServiceRole'];
      if (extra?.webServiceRole) {
        webServiceRole = { name: extra.webServiceRole.name, changed: await ensureWebServiceRole(tx, extra.webServiceRole) };
      }
      return {
        agent: { ...agent, user: agentUser },
        server,
        migrations,
        databaseCreated,
        webServiceRole,
        backendHosts: o.hosts,
        backendPorts: o.ports,
      };
    });
  } finally {
    await conn.close();
  }
}

/**
 * Creates the web instances' service role if absent: a member of pem_web
 * (sessions, preferences) and of pem_user (so the reference's `+pem_user`
 * HBA rules for the web hosts admit it). Returns true when it changed anything.
 */
async function ensureWebServiceRole(
  tx: { query: (sql: string, params?: unknown[]) => Promise<{ rows: unknown[] }> },
  role: { name: string; password: string },
): Promise<boolean> {
  const ident = roleIdent(role.name, 'web service role');
  const exists = (await tx.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role.name])).rows.length > 0;
  const lit = `'${role.password.replaceAll("'", "''")}'`;
  if (!exists) {
    await tx.query(`CREATE ROLE ${ident} LOGIN PASSWORD ${lit} IN ROLE pem_web, pem_user`);
    return true;
  }
  const member = await tx.query(
    "SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member WHERE g.rolname = 'pem_web' AND u.rolname = $1",
    [role.name],
  );
  if (member.rows.length === 0) {
    await tx.query(`GRANT pem_web TO ${ident}`);
    return true;
  }
  return false;
}
