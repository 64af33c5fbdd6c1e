/**
 * Connections to the backend as the installing superuser (`-su`), and the
 * connection string an agent on this host uses.
 *
 * The password travels in the connection's environment (PGPASSWORD of the
 * HaConnection's own env object), never in a connection string, a log line
 * or the process list. With a host identity (`hostAddress`, the lab's
 * one-machine emulation, @pharos/core/host-identity) a local name in the host
 * list (127.0.0.1, the reference's way to name the local node) is dialled at
 * that address through libpq's `hostaddr`, and every connection binds to it.
 */

import { quoteConninfoValue } from '@pharos/core/conninfo/format';
import { parseConninfo } from '@pharos/core/conninfo/resolve';
import { HaConnection } from '@pharos/core/ha/connection';
import { isLocalHostName, mapLocalHosts } from '@pharos/core/host-identity';

/** Where the backend is and who connects to it. */
export interface BackendTarget {
  /** The multi-host list as given (-ho), ports one per host. */
  hosts: string[];
  ports: number[];
  superuser: string;
  superpassword: string;
  /** sslmode / sslrootcert of the superuser's connection (default verify-full, and libpq's default root certificate). */
  sslmode?: string;
  sslrootcert?: string;
  /** This host's address when several hosts share one machine (the lab). */
  hostAddress?: string;
}

/** `target_session_attrs` of a connection: `read-write` finds the primary, `any` takes the first host. */
export type SessionTarget = 'read-write' | 'any';

/** The superuser's connection string to `dbname` on `hosts`; every value quoted. */
export function superuserConninfo(
  t: BackendTarget,
  hosts: string[],
  ports: number[],
  dbname: string,
  tsa: SessionTarget,
) {
  // Every value is quoted: a flag value such as `-su 'x host=evil'` stays one value (security review L9).
  const q = quoteConninfoValue;
  const parts = [
    `host=${q(hosts.join(','))}`,
    `port=${q(ports.join(','))}`,
    `dbname=${q(dbname)}`,
    `user=${q(t.superuser)}`,
    `target_session_attrs=${tsa}`,
    'connect_timeout=10',
    'application_name=pharos-configure',
    // the superuser's password goes only to a backend that proved its identity (first-use review B8)
    `sslmode=${q(t.sslmode ?? 'verify-full')}`,
  ];
  if (t.sslrootcert) parts.push(`sslrootcert=${q(t.sslrootcert)}`);
  return parts.join(' ');
}

/**
 * A connection as the superuser to `dbname` on `only` (one host index of the
 * list) or the whole list. Nothing is dialled until the first query.
 * @throws InputError for a malformed host list, ConfigError for an unreadable sslrootcert.
 */
export function superuserConnection(
  t: BackendTarget,
  dbname: string,
  tsa: SessionTarget,
  only?: number,
): HaConnection {
  const hosts = only === undefined ? t.hosts : [t.hosts[only]!];
  const ports = only === undefined ? t.ports : [t.ports[only]!];
  const env = { ...process.env, PGPASSWORD: t.superpassword };
  const ci = parseConninfo(superuserConninfo(t, hosts, ports, dbname, tsa), env);
  return new HaConnection({
    conninfo: t.hostAddress ? mapLocalHosts(ci, t.hostAddress) : ci,
    env,
    sourceAddress: t.hostAddress,
    queryTimeoutMs: 60_000,
  });
}

/** What goes into an agent's backend connection string. */
export interface AgentBackend {
  hosts: string[];
  ports: number[];
  /** The database user; undefined = none in the string (a login connection). */
  user?: string;
  /** Default verify-full: the agents check the backend's certificate. */
  sslmode?: string;
  sslrootcert?: string;
  sslcert?: string;
  sslkey?: string;
  /** A password file (the web service role's); agents use `cert` and need none. */
  passfile?: string;
  connectTimeoutS?: number;
  hostAddress?: string;
}

/**
 * The agent's backend connection string (packages/agent/src/config.ts
 * `backend`): every backend, dbname pem, the agent user, read-write (samples
 * go to the primary), TLS files by absolute path, and, with a host identity,
 * `hostaddr` for the local names. Contains no password (agents use `cert`;
 * the web service role's is in its passfile).
 */
export function agentBackendConninfo(a: AgentBackend): string {
  const q = quoteConninfoValue;
  const parts = [`host=${q(a.hosts.join(','))}`];
  if (a.hostAddress && a.hosts.some(isLocalHostName)) {
    parts.push(`hostaddr=${a.hosts.map((h) => (isLocalHostName(h) ? a.hostAddress : '')).join(',')}`);
  }
  parts.push(
    `port=${a.ports.join(',')}`,
    'dbname=pem',
    ...(a.user ? [`user=${q(a.user)}`] : []),
    'target_session_attrs=read-write',
    `connect_timeout=${a.connectTimeoutS ?? 5}`,
    `sslmode=${q(a.sslmode ?? 'verify-full')}`,
  );
  if (a.sslrootcert) parts.push(`sslrootcert=${q(a.sslrootcert)}`);
  if (a.sslcert) parts.push(`sslcert=${q(a.sslcert)}`);
  if (a.sslkey) parts.push(`sslkey=${q(a.sslkey)}`);
  if (a.passfile) parts.push(`passfile=${q(a.passfile)}`);
  const text = parts.join(' ');
  parseConninfo(text, {}); // validates: InputError for a malformed list
  return text;
}
