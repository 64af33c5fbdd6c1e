/**
 * Questions configure asks the backend before it writes anything: is the
 * local node the primary (for `--replication-role primary`, which then
 * creates database `pem` there), and is the schema the one this Pharos needs
 * (for a standby, a web host or `agent register`, which never create or
 * migrate it).
 */
import { pharosError } from '@pharos/core/errors';
import type { HaConnection } from '@pharos/core/ha/connection';
import { NoHostError } from '@pharos/core/ha/errors';
import { latestVersion } from '../migrations/run.js';
import { type BackendTarget, superuserConnection } from './connect.js';

async function withConnection<T>(conn: HaConnection, fn: (c: HaConnection) => Promise<T>): Promise<T> {
  try {
    return await fn(conn);
  } finally {
    await conn.close();
  }
}

/**
 * On the server at host index `localIdx` (the local node): requires it to
 * be a primary (not in recovery), then creates database `pem` there if
 * absent. One session. Resolves true when it created the database.
 * @throws PharosError naming the host when it is a standby.
 */
export async function preparePrimary(t: BackendTarget, localIdx: number): Promise<boolean> {
  return withConnection(superuserConnection(t, 'postgres', 'any', localIdx), async (c) => {
    const r = await c.query<{ r: boolean; pem: boolean }>(
      "SELECT pg_is_in_recovery() AS r, EXISTS (SELECT 1 FROM pg_database WHERE datname = 'pem') AS pem",
    );
    if (r.rows[0]!.r) {
      throw pharosError('PHAROS_CONFIGURE_NOT_PRIMARY', {
        server: `${t.hosts[localIdx]}:${t.ports[localIdx]}${t.hostAddress ? ` (this host, ${t.hostAddress})` : ''}`,
      });
    }
    if (r.rows[0]!.pem) return false;
    await c.query('CREATE DATABASE pem ENCODING UTF8');
    return true;
  });
}

/**
 * Requires a configured backend, on `conn` (database `pem`, read-write: the
 * primary, found with the multi-host list): the database exists, at exactly
 * the schema version this Pharos ships. `what` names the step for the
 * message (e.g. '-t 2'), `hosts` the list for it.
 * @throws PharosError: not configured yet (run the primary's step first),
 *   an older schema (upgrade through the primary's step), or a newer one
 *   (upgrade Pharos); NoHostError when no primary can be reached.
 */
export async function requireConfiguredBackend(
  conn: HaConnection,
  what: string,
  hosts: string[],
): Promise<number> {
  const where = `on the primary of ${hosts.join(',')}`;
  const first =
    "run 'pharos configure -t 3 --replication-solution patroni --replication-role primary' on the primary first";
  let version: number | null;
  try {
    const r = await conn.query<{ v: number | null }>(
      `SELECT CASE WHEN to_regclass('public.pharos_schema_version') IS NULL THEN NULL
                   ELSE (SELECT max(version) FROM public.pharos_schema_version) END AS v`,
    );
    version = r.rows[0]?.v ?? null;
  } catch (err) {
    if (err instanceof NoHostError && /database "pem" does not exist/.test(err.message)) {
      throw pharosError(
        'PHAROS_SCHEMA_NO_DATABASE',
        { what, where, reason: first },
        {
          cause: err,
        },
      );
    }
    throw err;
  }
  const needed = latestVersion();
  if (version === null) {
    throw pharosError('PHAROS_SCHEMA_MISSING', { what, where, reason: first });
  }
  if (version < needed) {
    throw pharosError('PHAROS_SCHEMA_TOO_OLD', { what, version, needed });
  }
  if (version > needed) {
    throw pharosError('PHAROS_SCHEMA_TOO_NEW', { what, version, needed });
  }
  return version;
}
