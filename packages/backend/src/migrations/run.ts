/**
 * Versioned migrations of the `pem` database.
 *
 * Migrations are the files `packages/backend/sql/migrations/NNN_name.sql`,
 * applied in order of NNN, each exactly once, each in its own transaction
 * together with its row in `public.pharos_schema_version` (outside the `pem`
 * schema, so version 1 can create that schema). A newer Pharos upgrades an
 * older schema in place by applying only the versions it lacks; an older
 * Pharos refuses a newer schema instead of running against it. The group
 * roles `pem_admin`, `pem_user`, `pem_agent`, `pem_web` are created first
 * (cluster-wide, idempotently). A transaction-level advisory lock serialises
 * concurrent runners. Refuses to run on a standby (`pg_is_in_recovery()`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pharosError } from '@pharos/core/errors';
import type { Queryable } from '@pharos/core/query';

/** One migration file. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Group roles the schema grants to (docs/reference/pem-facts.md §3; pem_web is Pharos's web service group). */
export const GROUP_ROLES = ['pem_admin', 'pem_user', 'pem_agent', 'pem_web'] as const;

/** Directory of the migration files shipped with this Pharos (packages/backend/sql/migrations). */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../sql/migrations/', import.meta.url));
const ADVISORY_LOCK_KEY = 7_301_001;

/** Reads every migration file, sorted by version. Throws ConfigError on a malformed file name or gap. */
export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.sql'));
  const migrations = files.map((file) => {
    const m = /^(\d{3})_([a-z0-9_]+)\.sql$/.exec(file);
    if (!m) throw pharosError('PHAROS_SCHEMA_MIGRATION_NAME', { file, dir });
    return { version: Number(m[1]), name: m[2]!, sql: readFileSync(`${dir}/${file}`, 'utf8') };
  });
  migrations.sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw pharosError('PHAROS_SCHEMA_MIGRATION_SEQUENCE', {
        version: m.version,
        name: m.name,
        expected: i + 1,
      });
  });
  return migrations;
}

/** Version of the newest migration shipped with this Pharos (the schema version it needs). */
export function latestVersion(migrations: Migration[] = loadMigrations()): number {
  return migrations.at(-1)?.version ?? 0;
}

/** SQL that creates the group roles if absent (NOLOGIN; pem_admin is a member of pem_user). */
export const CREATE_GROUP_ROLES_SQL = `
DO $$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['pem_admin', 'pem_user', 'pem_agent', 'pem_web'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
      EXECUTE format('CREATE ROLE %I NOLOGIN', r);
    END IF;
  END LOOP;
  IF NOT pg_has_role('pem_admin', 'pem_user', 'MEMBER') THEN
    GRANT pem_user TO pem_admin;
  END IF;
END $$`;

/** Outcome of {@link migrate}. */
export interface MigrateResult {
  before: number;
  after: number;
  applied: Migration[];
}

/**
 * Brings the connected database (must be `pem`) to the newest version.
 * `transaction` runs a function inside one transaction (e.g.
 * `HaConnection.transaction`); each migration gets its own, so a failing one
 * leaves the database at the previous version with nothing of it applied.
 * Throws PharosError when the server is a standby, or when the database is newer
 * than this Pharos (a downgrade is refused).
 */
export async function migrate(
  transaction: <T>(fn: (tx: Queryable) => Promise<T>) => Promise<T>,
  migrations: Migration[] = loadMigrations(),
): Promise<MigrateResult> {
  const applied: Migration[] = [];
  let before = -1;
  let after = 0;
  for (;;) {
    const step = await transaction(async (tx) => {
      const rec = await tx.query<{ r: boolean; db: string }>(
        'SELECT pg_is_in_recovery() AS r, current_database() AS db',
      );
      if (rec.rows[0]!.r) {
        throw pharosError('PHAROS_SCHEMA_ON_STANDBY');
      }
      await tx.query('SELECT pg_advisory_xact_lock($1)', [ADVISORY_LOCK_KEY]);
      await tx.query(CREATE_GROUP_ROLES_SQL);
      await tx.query(
        'CREATE TABLE IF NOT EXISTS public.pharos_schema_version (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      const cur = await tx.query<{ v: number | null }>(
        'SELECT max(version) AS v FROM public.pharos_schema_version',
      );
      const current = cur.rows[0]!.v ?? 0;
      if (before < 0) before = current;
      const newest = migrations.at(-1)?.version ?? 0;
      if (current > newest) {
        throw pharosError('PHAROS_SCHEMA_NEWER', { current, newest });
      }
      const next = migrations.find((m) => m.version === current + 1);
      if (!next) return current;
      await tx.query(next.sql);
      await tx.query('INSERT INTO public.pharos_schema_version (version, name) VALUES ($1, $2)', [
        next.version,
        next.name,
      ]);
      applied.push(next);
      return next.version;
    });
    after = step;
    if (!migrations.some((m) => m.version === step + 1)) break;
  }
  return { before, after, applied };
}
