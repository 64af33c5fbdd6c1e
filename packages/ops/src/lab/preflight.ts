/**
 * Checks made before the lab starts anything, so that a lab that cannot
 * start says which thing is wrong and what to do, and leaves nothing
 * half-started: the programs it needs exist, no previous lab runs in the
 * same directory, the postgres OS user can enter the lab directory, and
 * every address:port it will listen on is free.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { pharosError } from '@pharos/core/errors';
import { isRunning } from './processes.js';
import { readState } from './state.js';

/** One listening endpoint the lab needs, with the host and service that owns it. */
export interface Endpoint {
  host: string;
  service: string;
  address: string;
  port: number;
}

/**
 * Finds the PostgreSQL bin directory: `preferred` when it has `postgres`,
 * else the highest major under /usr/lib/postgresql. Throws
 * PHAROS_LAB_POSTGRES_MISSING naming the install command when there is none.
 */
export function findPostgresBinDir(preferred?: string): { binDir: string; major: number } {
  const ok = (d: string) => existsSync(`${d}/postgres`) && existsSync(`${d}/initdb`);
  if (preferred && ok(preferred)) {
    const m = /postgresql\/(\d+)\/bin/.exec(preferred);
    if (m) return { binDir: preferred, major: Number(m[1]) };
  }
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root)
    ? readdirSync(root)
        .map(Number)
        .filter((n) => Number.isInteger(n) && ok(`${root}/${n}/bin`))
        .sort((a, b) => b - a)
    : [];
  if (majors.length === 0) {
    throw pharosError('PHAROS_LAB_POSTGRES_MISSING');
  }
  return { binDir: `${root}/${majors[0]}/bin`, major: majors[0]! };
}

/** Throws PHAROS_LAB_PROGRAMS_MISSING naming each program in `programs` that is not on PATH or not executable. */
export function requirePrograms(programs: Record<string, string>): void {
  const path = (process.env.PATH ?? '/usr/bin:/bin').split(':');
  const missing = Object.entries(programs).filter(([bin]) => !path.some((d) => existsSync(`${d}/${bin}`)));
  if (missing.length > 0) {
    throw pharosError('PHAROS_LAB_PROGRAMS_MISSING', {
      s: missing.length > 1 ? 's' : '',
      programs: missing.map(([b, pkg]) => `${b} (Debian package ${pkg})`).join(', '),
    });
  }
}

/** Throws PHAROS_LAB_RUNNING when a previous lab in `dir` still has a running process. */
export function requireNoRunningLab(dir: string): void {
  const state = readState(dir);
  if (!state) return;
  const alive = state.processes.filter((p) => isRunning(p));
  if (alive.length > 0) {
    throw pharosError('PHAROS_LAB_RUNNING', {
      dir,
      count: alive.length,
      example: `${alive[0]!.kind} on ${alive[0]!.host} pid ${alive[0]!.pid}`,
    });
  }
}

/** `dir` and its ancestors up to /, root first. */
function withAncestors(dir: string): string[] {
  const out = [dir];
  while (out[0] !== dirname(out[0]!)) out.unshift(dirname(out[0]!));
  return out;
}

/**
 * Throws PHAROS_LAB_DIR_NOT_ENTERABLE (exit code 2) when `user` cannot enter `dir` or
 * one of its existing ancestors (search permission), naming `dir`, the user
 * and the first directory that stops it, with the fix. The kernel decides:
 * `test -x` runs as the user's uid and gid without supplementary groups,
 * which is how the lab starts Patroni and PostgreSQL (Node's spawn with a
 * uid and gid drops them). The lab makes the directories that do not exist
 * yet, traversable (mode 0755); the host directories it gives the user are
 * its own (chown).
 */
export function requireEnterable(dir: string, user: { name: string; uid: number; gid: number }): void {
  const existing = withAncestors(dir).filter((d) => existsSync(d));
  const r = spawnSync(
    '/bin/sh',
    ['-c', 'for d do [ -x "$d" ] || { echo "$d"; exit 0; }; done', 'sh', ...existing],
    { uid: user.uid, gid: user.gid, encoding: 'utf8' },
  );
  if (r.error)
    throw pharosError('PHAROS_LAB_DIR_UNCHECKED', { dir, user: user.name, reason: r.error.message });
  const blocked = r.stdout.trim();
  if (!blocked) return;
  const st = statSync(blocked);
  const mode = (st.mode & 0o7777).toString(8).padStart(4, '0');
  throw pharosError('PHAROS_LAB_DIR_NOT_ENTERABLE', {
    dir,
    user: user.name,
    uid: user.uid,
    blocked,
    mode,
    owner: st.uid,
  });
}

/** Resolves when address:port can be listened on; rejects with the OS error code otherwise. */
function tryListen(address: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen({ host: address, port, exclusive: true }, () => srv.close(() => resolve()));
  });
}

/** Throws PHAROS_LAB_ENDPOINTS_TAKEN listing every endpoint already taken (with the OS error), or resolves when all are free. */
export async function requireFreeEndpoints(endpoints: Endpoint[]): Promise<void> {
  const taken: string[] = [];
  for (const e of endpoints) {
    try {
      await tryListen(e.address, e.port);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      taken.push(
        `${e.address}:${e.port} (${e.service} of ${e.host}): ${code === 'EADDRINUSE' ? 'already in use' : code}`,
      );
    }
  }
  if (taken.length > 0) {
    throw pharosError('PHAROS_LAB_ENDPOINTS_TAKEN', {
      which: taken.length === 1 ? 'an address is' : 'addresses are',
      endpoints: taken.join('\n  '),
    });
  }
}
