/**
 * The connection string of a monitored server, built from its binding: one
 * host, `target_session_attrs=any` (a probe wants the server it is bound to,
 * whatever its role), the binding's `sslmode` (default verify-full: the server must prove its identity before a password is offered), the agent's
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
  /** CA file for verifying the server (sslmode verify-ca/verify-full) unless the binding names its own; libpq's default (~/.postgresql/root.crt) when neither. */
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
    ['sslmode', b.sslmode || 'verify-full'],
    ['connect_timeout', opts.connectTimeoutS],
    ['application_name', `pharos-agent-${opts.agentId}-probe`],
    ['target_session_attrs', 'any'],
    ['passfile', opts.passfile],
    ['sslrootcert', b.sslrootcert ?? opts.sslrootcert],
  ];
  return kv
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${quoteConninfoValue(String(v))}`)
    .join(' ');
}
