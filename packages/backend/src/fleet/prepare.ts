/**
 * `pharos server prepare` (issue 14 "Prerequisites, stated and checked"):
 * exactly what a PostgreSQL server needs before an agent can monitor it,
 * for the server and agent at hand:
 *
 * - the monitoring role: LOGIN, a member of pg_monitor only (PostgreSQL
 *   documentation §22.5 "Predefined Roles": pg_monitor reads every
 *   statistics view the probes use); pg_stat_statements is optional
 *   (§F.32: shared_preload_libraries, then CREATE EXTENSION);
 * - its pg_hba.conf rule: `hostssl all <user> <agent address>/32
 *   scram-sha-256` (all databases: the agent visits each; hostssl: the
 *   connection is TLS; scram-sha-256: the password never crosses the wire,
 *   §21.5); a server on the agent's own host is reached from 127.0.0.1;
 * - the agent's password: one line in its passfile scoped to this
 *   host:port (libpq-pgpass.html; never a wildcard host: security review M3),
 *   the file mode 0600;
 * - TLS: sslmode (verify-full by default: the server's certificate must be
 *   signed by the CA the agent trusts and name `host`), and that CA file on
 *   the agent's host.
 */
import { isIP } from 'node:net';

/** The server and agent to prepare for. */
export interface PrepareInput {
  host: string;
  port: number;
  user: string;
  maintenanceDb: string;
  sslmode: string;
  sslrootcert: string | null;
  agent: { id: number; displayName: string; hostAddress: string | null };
}

/** What to do, step by step (the CLI prints it; the API returns it). */
export interface Preparation {
  /** SQL to run on the monitored server as a superuser. */
  roleSql: string[];
  /** The pg_hba.conf rule, and where it goes. */
  hbaRule: string;
  hbaNote: string;
  /** The agent's passfile line (password as `<password>`) and where it goes. */
  passfileLine: string;
  passfileNote: string;
  /** TLS: what the agent verifies, with which CA file. */
  tlsNote: string;
  /** The command that checks it all, from the agent. */
  testCommand: string;
}

function ident(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
}

function pgpass(v: string): string {
  return v.replaceAll('\\', '\\\\').replaceAll(':', '\\:');
}

const LOCAL = new Set(['127.0.0.1', 'localhost', '::1']);

/** The preparation for `p` (module note). Pure. */
export function prepareServer(p: PrepareInput): Preparation {
  const role = ident(p.user);
  const socket = p.host.startsWith('/');
  const local = socket || LOCAL.has(p.host);
  const from = local
    ? p.host === '::1'
      ? '::1/128'
      : '127.0.0.1/32'
    : p.agent.hostAddress
      ? `${p.agent.hostAddress}/${isIP(p.agent.hostAddress) === 6 ? 128 : 32}`
      : '<agent address>/32';
  const hbaRule = socket
    ? `local all ${role} scram-sha-256`
    : `${p.sslmode === 'disable' ? 'host' : 'hostssl'} all ${role} ${from} scram-sha-256`;
  const agent = `agent ${p.agent.id} (${p.agent.displayName})`;
  return {
    roleSql: [
      `CREATE ROLE ${role} LOGIN PASSWORD '<password>' IN ROLE pg_monitor;`,
      `-- optional, for the statements probes (needs shared_preload_libraries = 'pg_stat_statements'):`,
      `-- CREATE EXTENSION IF NOT EXISTS pg_stat_statements;  -- in database ${p.maintenanceDb}`,
    ],
    hbaRule,
    hbaNote: `in ${p.host}:${p.port}'s pg_hba.conf, before any rule that would match first; then SELECT pg_reload_conf();${
      !local && !p.agent.hostAddress
        ? ` (the address of ${agent} is not recorded: use the address its connections come from)`
        : ''
    }`,
    passfileLine: `${pgpass(p.host)}:${p.port}:*:${pgpass(p.user)}:<password>`,
    passfileNote: `in the passfile of ${agent} on its host (the file agent.yml names as passfile:; pharos agent enrol makes it beside agent.yml), mode 0600, owned by the agent's user`,
    tlsNote:
      p.sslmode === 'verify-full' || p.sslmode === 'verify-ca'
        ? `sslmode=${p.sslmode}: the server's certificate must be signed by the CA in ${
            p.sslrootcert ?? "the agent's server_sslrootcert (agent.yml)"
          } on the agent's host${p.sslmode === 'verify-full' ? ` and name ${p.host} (subjectAltName)` : ''}`
        : `sslmode=${p.sslmode}: the agent does not verify the server's certificate; use verify-full unless you have decided otherwise`,
    testCommand: `pharos server test --agent ${p.agent.id} --host ${p.host} --port ${p.port} --user ${p.user}`,
  };
}

/** The preparation as lines of text, for a terminal. */
export function preparationText(p: Preparation): string[] {
  return [
    '1. On the monitored server, as a superuser:',
    ...p.roleSql.map((l) => `     ${l}`),
    '2. Its pg_hba.conf rule:',
    `     ${p.hbaRule}`,
    `   ${p.hbaNote}`,
    '3. The monitoring password for the agent, one line:',
    `     ${p.passfileLine}`,
    `   ${p.passfileNote}`,
    `4. TLS: ${p.tlsNote}`,
    `5. Check it from the agent: ${p.testCommand}`,
  ];
}
