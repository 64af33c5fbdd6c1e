/**
 * The connection string of a monitored server, built from its binding: one
 * host, `target_session_attrs=any` (a probe wants the server it is bound to,
 * whatever its role), the binding's `sslmode` (default prefer), the agent's
 * passfile for the password, and an application name that marks the session
 * as the agent's in `pg_stat_activity`.
 */
import { quoteConninfoValue } from '@pharos/core/conninfo/format';
import type { Binding } from './bindings.js';

/** Options of {@link serverConninfo}. */
export interface ServerConninfoOptions {
  agentId: number;
  /** Password file (.pgpass format); libpq's default (~/.pgpass) when unset. */
  passfile?: string;
  /** CA file for verifying the server (sslmode verify-ca/verify-full); libpq's default (~/.postgresql/root.crt) when unset. */
  sslrootcert?: string;
  /** Per-host connect timeout, seconds (libpq counts 1 as 2). */
  connectTimeoutS: number;
}

/** Builds the key=value connection string for `b` (values quoted as libpq requires). */
export function serverConninfo(b: Binding, opts: ServerConninfoOptions): string {
  const kv: [string, string | number | undefined][] = [
    ['host', b.host],
    ['port', b.port],
    ['dbname', b.maintenanceDb],
    ['user', b.userName],
    ['sslmode', b.sslmode || 'prefer'],
    ['connect_timeout', opts.connectTimeoutS],
    ['application_name', `pharos-agent-${opts.agentId}-probe`],
    ['target_session_attrs', 'any'],
    ['passfile', opts.passfile],
    ['sslrootcert', opts.sslrootcert],
  ];
  return kv
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${quoteConninfoValue(String(v))}`)
    .join(' ');
}
