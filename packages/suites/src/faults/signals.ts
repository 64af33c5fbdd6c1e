/**
 * Signals for fault injection against processes the lab started: the
 * PostgreSQL postmaster a Patroni runs (its PID from `<data_dir>/postmaster.pid`,
 * PostgreSQL docs §19.3 "Starting the Database Server": the first line is the
 * postmaster's PID), the postmaster's children (from /proc/<pid>/stat field 4,
 * the parent PID), and freezing/thawing a set of processes with SIGSTOP/SIGCONT.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@pharos/testkit/wait/wait-for';

/**
 * PID of the postmaster of the data directory `dataDir` (first line of
 * postmaster.pid), or undefined when the file is missing or that PID no
 * longer runs.
 */
export function postmasterPid(dataDir: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(join(dataDir, 'postmaster.pid'), 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number(text.split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  return isAlive(pid) ? pid : undefined;
}

/** True when `pid` exists and is not a zombie (/proc/<pid>/stat state). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** PIDs whose parent is `pid` (from /proc/<n>/stat field 4), in no particular order. */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(d));
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

/** Sends `signal` to `pid`; false when the process is gone (ESRCH). Other errors are thrown. */
export function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

/** Waits until `pid` is gone (or a zombie), up to `timeoutMs`; resolves whether it is gone. */
export async function waitGone(pid: number, timeoutMs = 10_000): Promise<boolean> {
  return waitFor(`pid ${pid} to be gone`, () => !isAlive(pid), {
    deadlineMs: timeoutMs,
    intervalMs: 50,
  }).then(
    () => true,
    () => false,
  );
}

/** The processes {@link freeze} stopped. */
export interface Frozen {
  patroni: number | undefined;
  /** The postmaster first, then its children. */
  postgres: number[];
}

/**
 * Freezes a PostgreSQL server and its Patroni as a stalled machine would be:
 * SIGSTOP to Patroni (`patroniPid`), then to the postmaster (so it forks no
 * more backends), then to every child of the postmaster. Returns what it
 * stopped, for {@link thaw}.
 */
export function freeze(patroniPid: number, postmaster: number): Frozen {
  const frozen: Frozen = { patroni: undefined, postgres: [] };
  if (signal(patroniPid, 'SIGSTOP')) frozen.patroni = patroniPid;
  if (signal(postmaster, 'SIGSTOP')) frozen.postgres.push(postmaster);
  for (const c of childrenOf(postmaster)) if (signal(c, 'SIGSTOP')) frozen.postgres.push(c);
  return frozen;
}

/** SIGCONT to every process {@link freeze} stopped: PostgreSQL's children, the postmaster, then Patroni. */
export function thaw(frozen: Frozen): void {
  for (const pid of [...frozen.postgres].reverse()) signal(pid, 'SIGCONT');
  if (frozen.patroni !== undefined) signal(frozen.patroni, 'SIGCONT');
}
