/**
 * Which OS user runs the PostgreSQL server programs of tests: PostgreSQL
 * refuses to run as root, so when the test process is root the servers run as
 * the `postgres` OS user (the Debian packages create it).
 */
import { readFileSync } from 'node:fs';

/** uid and gid to spawn server programs with; empty when we are not root (run as ourselves). */
export interface RunAs {
  uid?: number;
  gid?: number;
}

/**
 * uid/gid of the `postgres` OS user (from /etc/passwd) when the process runs
 * as root, else `{}`.
 * @throws Error when running as root and /etc/passwd has no `postgres` user
 */
export function serverUser(): RunAs {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return {};
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('running as root but there is no `postgres` OS user to run PostgreSQL as');
  const f = line.split(':');
  return { uid: Number(f[2]), gid: Number(f[3]) };
}
