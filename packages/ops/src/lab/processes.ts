/**
 * Processes the lab starts: spawned detached (own session, stdio to a log
 * file) so they outlive the terminal, recorded by PID together with their
 * start time from /proc/<pid>/stat, so a reused PID is never mistaken for
 * ours and never signalled.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { errorMessage, PharosError, pharosError } from '@pharos/core/errors';

/** A process the lab started. `startTicks` is field 22 of /proc/<pid>/stat (clock ticks since boot). */
export interface LabProcess {
  host: string;
  /** `postgres`, `pgbench`: the lab fleet's standalone server and its load (lab/fleet/). */
  kind: 'etcd' | 'patroni' | 'postgres' | 'pgbench' | 'agent' | 'web';
  pid: number;
  startTicks: number;
  command: string[];
  logFile: string;
}

/** Options of {@link spawnDetached}. */
export interface SpawnOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  uid?: number;
  gid?: number;
  logFile: string;
}

/**
 * Starts `command` detached (setsid), stdout and stderr appended to
 * `logFile`, stdin from /dev/null. Returns its PID and start time.
 * Throws when the program cannot be started (ENOENT names it).
 */
export async function spawnDetached(
  command: string[],
  options: SpawnOptions,
): Promise<{ pid: number; startTicks: number }> {
  const fd = openSync(options.logFile, 'a', 0o640);
  try {
    const child = spawn(command[0]!, command.slice(1), {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: options.env as NodeJS.ProcessEnv,
      cwd: options.cwd,
      uid: options.uid,
      gid: options.gid,
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', (err) => reject(new Error(`cannot start ${command[0]}: ${err.message}`)));
      child.once('spawn', () => resolve(child.pid!));
    });
    child.unref();
    return { pid, startTicks: startTicksOf(pid) ?? 0 };
  } finally {
    closeSync(fd);
  }
}

/** Start time of `pid` in clock ticks since boot (/proc/<pid>/stat field 22), or undefined when gone. */
export function startTicksOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm (field 2) may contain spaces and parentheses: fields resume after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = rest[0];
    if (state === 'Z' || state === 'X') return undefined;
    return Number(rest[19]);
  } catch {
    return undefined;
  }
}

/** True when the recorded process still runs (same PID and same start time). */
export function isRunning(p: Pick<LabProcess, 'pid' | 'startTicks'>): boolean {
  const ticks = startTicksOf(p.pid);
  return ticks !== undefined && (p.startTicks === 0 || ticks === p.startTicks);
}

/**
 * Stops a recorded process: SIGTERM, then SIGKILL after `graceMs` (default
 * 15 s). Signals only when the PID still belongs to the recorded process.
 * Resolves true when it is gone.
 */
export async function stopProcess(
  p: Pick<LabProcess, 'pid' | 'startTicks'>,
  graceMs = 15_000,
): Promise<boolean> {
  if (!isRunning(p)) return true;
  try {
    process.kill(p.pid, 'SIGTERM');
  } catch {
    return !isRunning(p);
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isRunning(p)) return true;
    await sleep(100);
  }
  if (isRunning(p)) {
    try {
      // The process leads its own process group (spawned detached): end the group, i.e. its children too.
      process.kill(-p.pid, 'SIGKILL');
    } catch {
      /* gone meanwhile */
    }
  }
  await sleep(200);
  return !isRunning(p);
}

/** Promise-based sleep, in milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Thrown inside a {@link waitFor} check to stop waiting at once: the awaited process died
 * (PHAROS_LAB_PROCESS_EXITED). Named, so the test kit's waitFor (@pharos/testkit) stops on it too.
 */
export class FatalWaitError extends PharosError {
  override readonly name = 'FatalWaitError';
}

/** Last `n` lines of a log file, for error messages ('' when unreadable). */
export function tailOf(file: string, n = 12): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).join('\n');
  } catch {
    return '';
  }
}

/** Throws FatalWaitError naming the first of `procs` that is no longer running, with the tail of its log. */
export function assertAlive(procs: LabProcess[]): void {
  for (const p of procs) {
    if (!isRunning(p)) {
      const params = { what: `${p.kind} on ${p.host}`, pid: p.pid, log: p.logFile, tail: tailOf(p.logFile) };
      throw new FatalWaitError(
        'PHAROS_LAB_PROCESS_EXITED',
        errorMessage('PHAROS_LAB_PROCESS_EXITED', params),
      );
    }
  }
}

/**
 * Polls `check` every `intervalMs` until it returns a value other than
 * undefined/false, or `timeoutMs` passes; then throws PHAROS_LAB_TIMEOUT
 * naming `what` and the last failure seen.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  options: { timeoutMs: number; intervalMs?: number },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let last = '';
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      if (err instanceof FatalWaitError) throw err;
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline) {
      throw pharosError('PHAROS_LAB_TIMEOUT', {
        seconds: Math.round(options.timeoutMs / 1000),
        what,
        last: last ? `: ${last}` : '',
      });
    }
    await sleep(options.intervalMs ?? 250);
  }
}
