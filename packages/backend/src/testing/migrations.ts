/**
 * Test support: the backend's migrations for a throw-away test database,
 * tolerant of a gap in the numbering (the one copy every package's tests use).
 * Migration numbers are reserved per engineer, so while a lower number is not
 * written yet the strict loader (`loadMigrations`) refuses the set; tests then
 * apply the files in their order, renumbered 1..n (test databases only).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { loadMigrations, MIGRATIONS_DIR, type Migration } from '../migrations/run.js';

/**
 * Every migration file in `dir` (default the backend's sql/migrations), sorted
 * by number: the strict set when it has no gap, else the same files renumbered 1..n.
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
