/**
 * Versioned migrations of the `pem` database, and the definitions re-applied
 * after them (what is read from `packages/backend/sql/`: ./release.ts and
 * sql/README.md).
 *
 * One run is one transaction: the migrations the database lacks, in order,
 * each recorded in `public.pharos_schema_version` (outside the `pem` schema,
 * so version 1 can create that schema); then, when a migration was applied
 * or the definitions' checksum differs from the one recorded in
 * `public.pharos_schema_definitions`, every definitions file (functions,
 * views, catalogues, grants) and the new checksum. A failing file leaves the
 * database as it was; a second run with nothing changed applies nothing. A
 * newer Pharos upgrades an older schema in place; an older Pharos refuses a
 * newer schema instead of running against it. The group roles `pem_admin`,
 * `pem_user`, `pem_agent`, `pem_web` are created first (cluster-wide,
 * idempotently). A transaction-level advisory lock serialises concurrent
 * runners. Refuses to run on a standby (`pg_is_in_recovery()`).
 */
import { messageOf, pharosError } from '@pharos/core/errors';
import type { Queryable } from '@pharos/core/query';
import { type Definition, loadRelease, type Migration, type SqlRelease } from './release.js';

export {
  type Definition,
  latestVersion,
  loadMigrations,
  loadRelease,
  MIGRATIONS_DIR,
  type Migration,
  makeRelease,
  SQL_DIR,
  type SqlRelease,
} from './release.js';

/** Group roles the schema grants to (docs/reference/pem-facts.md §3; pem_web is Pharos's web service group). */
export const GROUP_ROLES = ['pem_admin', 'pem_user', 'pem_agent', 'pem_web'] as const;

const ADVISORY_LOCK_KEY = 7_301_001;

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

const BOOKKEEPING_SQL = `
CREATE TABLE IF NOT EXISTS public.pharos_schema_version (
  version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS public.pharos_schema_definitions (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row), checksum text NOT NULL,
  files integer NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`;

/** Outcome of {@link migrate}. */
export interface MigrateResult {
  /** Schema version before the run (0: none). */
  before: number;
  /** Schema version after the run. */
  after: number;
  /** The migrations this run applied, in order. */
  applied: Migration[];
  /** Whether this run applied the definitions (functions, views, catalogues, grants). */
  definitionsApplied: boolean;
}

async function apply(tx: Queryable, what: string, sql: string): Promise<void> {
  try {
    await tx.query(sql);
  } catch (err) {
    throw pharosError('PHAROS_SCHEMA_FILE_FAILED', { what, reason: messageOf(err) }, { cause: err });
  }
}

/**
 * Brings the connected database (must be `pem`) to `release` (default: the
 * one shipped with this Pharos), in one transaction run by `transaction`
 * (e.g. `HaConnection.transaction`). Throws PharosError when the server is a
 * standby (PHAROS_SCHEMA_ON_STANDBY), when the database is newer than this Pharos (a downgrade is
 * refused), or when a file fails (naming it, with the server's message; the
 * database is then unchanged).
 */
export async function migrate(
  transaction: <T>(fn: (tx: Queryable) => Promise<T>) => Promise<T>,
  release: SqlRelease = loadRelease(),
): Promise<MigrateResult> {
  return await transaction(async (tx) => {
    const rec = await tx.query<{ r: boolean }>('SELECT pg_is_in_recovery() AS r');
    if (rec.rows[0]!.r) {
      throw pharosError('PHAROS_SCHEMA_ON_STANDBY');
    }
    await tx.query('SELECT pg_advisory_xact_lock($1)', [ADVISORY_LOCK_KEY]);
    await tx.query(CREATE_GROUP_ROLES_SQL);
    await tx.query(BOOKKEEPING_SQL);
    const cur = await tx.query<{ v: number | null; checksum: string | null }>(
      `SELECT (SELECT max(version) FROM public.pharos_schema_version) AS v,
              (SELECT checksum FROM public.pharos_schema_definitions) AS checksum`,
    );
    const before = cur.rows[0]!.v ?? 0;
    const newest = release.migrations.at(-1)?.version ?? 0;
    if (before > newest) {
      throw pharosError('PHAROS_SCHEMA_NEWER', { current: before, newest });
    }
    const applied = release.migrations.filter((m) => m.version > before);
    for (const m of applied) {
      await apply(tx, `migration ${String(m.version).padStart(3, '0')}_${m.name}.sql`, m.sql);
      await tx.query('INSERT INTO public.pharos_schema_version (version, name) VALUES ($1, $2)', [
        m.version,
        m.name,
      ]);
    }
    const definitionsApplied = applied.length > 0 || cur.rows[0]!.checksum !== release.checksum;
    if (definitionsApplied) await applyDefinitions(tx, release.definitions, release.checksum);
    return { before, after: Math.max(before, newest), applied, definitionsApplied };
  });
}

async function applyDefinitions(tx: Queryable, definitions: Definition[], checksum: string): Promise<void> {
  for (const d of definitions) await apply(tx, `sql/${d.path}`, d.sql);
  await tx.query(
    `INSERT INTO public.pharos_schema_definitions (checksum, files) VALUES ($1, $2)
     ON CONFLICT (only_row) DO UPDATE SET checksum = excluded.checksum, files = excluded.files, applied_at = now()`,
    [checksum, definitions.length],
  );
}
