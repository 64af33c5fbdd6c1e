/**
 * Checks made before the lab starts anything, so that a lab that cannot
 * start says which thing is wrong and what to do, and leaves nothing
 * half-started: the programs it needs exist, no previous lab runs in the
 * same directory, and every address:port it will listen on is free.
 */
import { existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { PharosError } from '@pharos/core/errors';
import { isRunning } from './processes.js';
import { readState } from './state.js';

/** One listening endpoint the lab needs, with the host and service that owns it. */
export interface Endpoint {
  host: string;
  service: string;
  address: string;
  port: number;
}

/** Error of a failed preflight check (exit code 1), with the remedy in the message. */
export class LabPreflightError extends PharosError {}

/**
 * Finds the PostgreSQL bin directory: `preferred` when it has `postgres`,
 * else the highest major under /usr/lib/postgresql. Throws LabPreflightError
 * naming the install command when there is none.
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
    throw new LabPreflightError(
      'PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: run scripts/install-system.sh (apt-get install postgresql)',
    );
  }
  return { binDir: `${root}/${majors[0]}/bin`, major: majors[0]! };
}

/** Throws LabPreflightError naming each program in `programs` that is not on PATH or not executable. */
export function requirePrograms(programs: Record<string, string>): void {
  const path = (process.env.PATH ?? '/usr/bin:/bin').split(':');
  const missing = Object.entries(programs).filter(([bin]) => !path.some((d) => existsSync(`${d}/${bin}`)));
  if (missing.length > 0) {
    throw new LabPreflightError(
      `missing program${missing.length > 1 ? 's' : ''}: ${missing.map(([b, pkg]) => `${b} (Debian package ${pkg})`).join(', ')}; run scripts/install-system.sh`,
    );
  }
}

/** Throws LabPreflightError when a previous lab in `dir` still has a running process. */
export function requireNoRunningLab(dir: string): void {
  const state = readState(dir);
  if (!state) return;
  const alive = state.processes.filter((p) => isRunning(p));
  if (alive.length > 0) {
    throw new LabPreflightError(
      `a lab is already running in ${dir} (${alive.length} processes, e.g. ${alive[0]!.kind} on ${alive[0]!.host} pid ${alive[0]!.pid}); run 'pharos lab status --dir ${dir}' or 'pharos lab down --dir ${dir}' first`,
    );
  }
}

/** Resolves when address:port can be listened on; rejects with the OS error code otherwise. */
function tryListen(address: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen({ host: address, port, exclusive: true }, () => srv.close(() => resolve()));
  });
}

/** Throws LabPreflightError listing every endpoint already taken (with the OS error), or resolves when all are free. */
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
    throw new LabPreflightError(
      `cannot start the lab, ${taken.length === 1 ? 'an address is' : 'addresses are'} not available:\n  ${taken.join('\n  ')}\nstop whatever listens there (ss -ltnp 'sport = :PORT' shows it) or use another topology`,
    );
  }
}
