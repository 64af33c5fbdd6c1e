/**
 * The SQL a Pharos release ships for the `pem` database, read from
 * `packages/backend/sql/` (layout and rules: sql/README.md):
 *
 * - `migrations/NNN_name.sql`: DDL and data moves, each applied once, in
 *   order of NNN, recorded in `public.pharos_schema_version`;
 * - definitions, re-applied as a whole whenever they changed, in this order:
 *   `functions/<area>/NN_name.sql` (areas in {@link FUNCTION_AREAS} order,
 *   files by name; each function written once, `CREATE OR REPLACE`, with the
 *   triggers that fire it), `views/*.sql` (`CREATE OR REPLACE VIEW`),
 *   `catalogue/*.sql` (built-in jobs, alert templates and probes, upserted),
 *   `grants/*.sql` (every privilege of the roles Pharos manages).
 *
 * The checksum (SHA-256 over the definitions' paths and texts) tells the
 * runner whether a database already has this release's definitions.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pharosError } from '@pharos/core/errors';

/** One migration file. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** One definitions file: its path below `sql/` (e.g. `functions/ingest/01_ingest_batch.sql`) and text. */
export interface Definition {
  path: string;
  sql: string;
}

/** What {@link migrate} applies: the migrations, then (when changed) the definitions. */
export interface SqlRelease {
  migrations: Migration[];
  definitions: Definition[];
  /** Hex SHA-256 of the definitions ({@link definitionsChecksum}). */
  checksum: string;
}

/** The `sql/` directory shipped with this Pharos (packages/backend/sql). */
export const SQL_DIR = fileURLToPath(new URL('../../sql/', import.meta.url));

/** Directory of the migration files shipped with this Pharos (packages/backend/sql/migrations). */
export const MIGRATIONS_DIR = join(SQL_DIR, 'migrations');

/**
 * The folders of `sql/functions/`, in the order they are applied. An SQL
 * function's body is checked when it is created, so an area comes after the
 * areas whose functions its SQL-language functions call (plpgsql bodies are
 * checked when they run). A new area is added here.
 */
export const FUNCTION_AREAS = [
  'history',
  'overview',
  'ingest',
  'registration',
  'tasks',
  'sessions',
  'probes',
  'maintenance',
  'alerts',
  'notify',
  'fleet',
  'jobs',
  'web',
] as const;

/** The definition folders after `functions/`, in the order they are applied. */
const LATER_FOLDERS = ['views', 'catalogue', 'grants'] as const;

/** Reads every migration file, sorted by version. Throws ConfigError on a malformed file name or gap. */
export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.sql'));
  const migrations = files.map((file) => {
    const m = /^(\d{3})_([a-z0-9_]+)\.sql$/.exec(file);
    if (!m) throw pharosError('PHAROS_SCHEMA_MIGRATION_NAME', { file, dir });
    return { version: Number(m[1]), name: m[2]!, sql: readFileSync(join(dir, file), 'utf8') };
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

function sqlFiles(dir: string, pattern: RegExp, what: string): string[] {
  if (!existsSync(dir)) return [];
  const names = readdirSync(dir).sort();
  for (const n of names) {
    if (!pattern.test(n))
      throw pharosError('PHAROS_SCHEMA_FILE_NAME', { what, name: n, dir, pattern: pattern.source });
  }
  return names;
}

/**
 * Reads the definitions below `root` (default {@link SQL_DIR}) in the order
 * they are applied. Missing folders count as empty. Throws ConfigError for a
 * folder of `functions/` not in {@link FUNCTION_AREAS}, or a file name that
 * is not `NN_name.sql` (functions, grants) or `name.sql` (views, catalogue).
 */
export function loadDefinitions(root: string = SQL_DIR): Definition[] {
  const out: Definition[] = [];
  const read = (rel: string) => out.push({ path: rel, sql: readFileSync(join(root, rel), 'utf8') });
  const functions = join(root, 'functions');
  if (existsSync(functions)) {
    for (const area of readdirSync(functions)) {
      if (
        !(FUNCTION_AREAS as readonly string[]).includes(area) ||
        !statSync(join(functions, area)).isDirectory()
      )
        throw pharosError('PHAROS_SCHEMA_FUNCTION_AREA', { area });
    }
    for (const area of FUNCTION_AREAS) {
      for (const f of sqlFiles(join(functions, area), /^\d{2}_[a-z0-9_]+\.sql$/, 'function'))
        read(`functions/${area}/${f}`);
    }
  }
  for (const folder of LATER_FOLDERS) {
    const pattern = folder === 'grants' ? /^\d{2}_[a-z0-9_]+\.sql$/ : /^[a-z0-9_-]+\.sql$/;
    for (const f of sqlFiles(join(root, folder), pattern, folder)) read(`${folder}/${f}`);
  }
  return out;
}

/** Hex SHA-256 over the definitions' paths and texts, in order. */
export function definitionsChecksum(definitions: readonly Definition[]): string {
  const h = createHash('sha256');
  for (const d of definitions) h.update(d.path).update('\0').update(d.sql).update('\0');
  return h.digest('hex');
}

/** A release made of the given migrations and definitions (tests build partial ones). */
export function makeRelease(migrations: Migration[], definitions: Definition[] = []): SqlRelease {
  return { migrations, definitions, checksum: definitionsChecksum(definitions) };
}

/** The release below `root` (default: the one shipped with this Pharos). Throws ConfigError as the loaders. */
export function loadRelease(root: string = SQL_DIR): SqlRelease {
  return makeRelease(loadMigrations(join(root, 'migrations')), loadDefinitions(root));
}
