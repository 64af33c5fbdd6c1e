/**
 * Test support: the backend's migrations for a throw-away test database,
 * tolerant of a gap in the numbering. Migration numbers are reserved per
 * engineer (002 for one, 003 for this package's 003_web.sql), so while a
 * lower number is not written yet the strict loader (`loadMigrations`) refuses
 * the set; tests then apply the files in their order, renumbered 1..n.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadMigrations, type Migration } from '@pharos/backend/migrations/run';

/** Directory of the backend's migration files (packages/backend/sql/migrations). */
export const MIGRATIONS_DIR = fileURLToPath(
  new URL('../../sql/migrations/', import.meta.resolve('@pharos/backend/migrations/run')),
);

/**
 * Every migration file, sorted by number: the strict set when it has no gap,
 * else the same files renumbered 1..n (test databases only).
 * @throws Error when a file name is not `NNN_name.sql`.
 */
export function testMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  try {
    return loadMigrations(dir);
  } catch {
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.sql'))
      .sort();
    return files.map((file, i) => {
      const m = /^(\d{3})_([a-z0-9_]+)\.sql$/.exec(file);
      if (!m) throw new Error(`migration file name '${file}' is not NNN_name.sql`);
      return { version: i + 1, name: m[2]!, sql: readFileSync(`${dir}/${file}`, 'utf8') };
    });
  }
}
