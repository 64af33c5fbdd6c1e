/**
 * SQL the lab itself runs on a backend node: as Patroni's superuser
 * (patroni_super), from 127.0.0.1, which the reference's own rule
 * `host all patroni_super 127.0.0.1/32 scram-sha-256` admits.
 */
import { execFileSync } from 'node:child_process';
import { HaConnection } from '@pharos/core/ha/connection';
import type { Topology } from '../topology/types.js';
import type { LabSecrets } from './secrets.js';

/** uid/gid of the `postgres` OS user when running as root (PostgreSQL refuses root), else undefined. */
export function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

/** Runs `sql` on the PostgreSQL at `address` (topology port) in database `db`; returns the rows. */
export async function sqlOnBackend(
  ctx: { topo: Topology; secrets: Pick<LabSecrets, 'patroni_super'> },
  address: string,
  db: string,
  sql: string,
  params: unknown[] = [],
): Promise<Record<string, unknown>[]> {
  const conn = new HaConnection({
    conninfo: `host=${address} port=${ctx.topo.postgres.port} dbname=${db} user=patroni_super sslmode=prefer connect_timeout=5 application_name=pharos-lab`,
    env: { PGPASSWORD: ctx.secrets.patroni_super },
    queryTimeoutMs: 30_000,
  });
  try {
    return (await conn.query(sql, params)).rows;
  } finally {
    await conn.close();
  }
}
