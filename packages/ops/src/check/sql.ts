/**
 * The check's SQL sessions: one libpq connection string per purpose, run
 * through Pharos's own HA connection (@pharos/core/ha/connection), with a
 * connect timeout and a deadline on every statement.
 */
import { quoteConninfoValue } from '@pharos/core/conninfo/format';
import { HaConnection } from '@pharos/core/ha/connection';
import type { CheckContext } from './context.js';

/** Application name of the check's sessions (pg_stat_activity). */
export const CHECK_APPLICATION_NAME = 'pharos-check';

/**
 * The connection string for `hosts` (IP addresses, tried in order) with the
 * check's credentials: `dbname`, `target_session_attrs` (any for one
 * server, read-write for "the primary"), sslmode and sslrootcert from the
 * context, `connect_timeout` = the timeout in whole seconds (at least 2:
 * libpq treats 1 as 2). The password is not in it (it comes from the
 * context's environment).
 */
export function checkConninfo(
  ctx: Pick<CheckContext, 'topo' | 'sql' | 'timeoutMs'>,
  hosts: string[],
  dbname: string,
  targetSessionAttrs: 'any' | 'read-write',
): string {
  const parts: [string, string][] = [
    ['host', hosts.join(',')],
    ['port', hosts.map(() => String(ctx.topo.postgres.port)).join(',')],
    ['dbname', dbname],
    ['user', ctx.sql.user],
    ['sslmode', ctx.sql.sslmode],
    ['sslrootcert', ctx.sql.sslrootcert],
    ['connect_timeout', String(Math.max(2, Math.ceil(ctx.timeoutMs / 1000)))],
    ['target_session_attrs', targetSessionAttrs],
    ['application_name', CHECK_APPLICATION_NAME],
  ];
  return parts.map(([k, v]) => `${k}=${quoteConninfoValue(v)}`).join(' ');
}

/**
 * Opens a session on `hosts` and runs `fn` with a query function; closes the
 * session afterwards. Every statement has the context's timeout as deadline
 * (plus the connect time for the first). Rejects with the connection's or
 * the server's error (NoHostError names every host tried).
 */
export async function withSession<T>(
  ctx: Pick<CheckContext, 'topo' | 'sql' | 'timeoutMs'>,
  hosts: string[],
  dbname: string,
  targetSessionAttrs: 'any' | 'read-write',
  fn: (query: <R = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<R[]>) => Promise<T>,
): Promise<T> {
  const conn = new HaConnection({
    conninfo: checkConninfo(ctx, hosts, dbname, targetSessionAttrs),
    env: ctx.sql.env,
    queryTimeoutMs: ctx.timeoutMs * (hosts.length + 1),
  });
  try {
    return await fn(async <R>(sql: string, params?: unknown[]) => (await conn.query<R>(sql, params)).rows);
  } finally {
    await conn.close().catch(() => undefined);
  }
}
