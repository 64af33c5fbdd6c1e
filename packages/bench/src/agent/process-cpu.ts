/**
 * CPU time of processes from procfs, for the probe cost benchmark: one
 * process (`/proc/<pid>/stat` fields 14-17 utime, stime, cutime, cstime, in
 * clock ticks, proc(5)) or a PostgreSQL server (its postmaster and every
 * child), and a process's resident memory (`/proc/<pid>/status` VmRSS).
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second (USER_HZ): 100 on Linux x86-64. */
export const CLOCK_TICKS = 100;

interface Stat {
  ppid: number;
  /** utime + stime. */
  cpuTicks: number;
  /** cutime + cstime: children waited for (a postmaster reaps its sessions). */
  childTicks: number;
}

function stat(pid: number): Stat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may contain spaces: fields after the last ')'
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return {
      ppid: Number(f[1]),
      cpuTicks: Number(f[11]) + Number(f[12]),
      childTicks: Number(f[13]) + Number(f[14]),
    };
  } catch {
    return undefined;
  }
}

/** CPU time (user + system) of one process so far, ms; 0 when it is gone. */
export function processCpuMs(pid: number): number {
  return ((stat(pid)?.cpuTicks ?? 0) * 1000) / CLOCK_TICKS;
}

/**
 * CPU time of a PostgreSQL server so far, ms: its postmaster, the children
 * it has reaped (closed sessions: `cutime`/`cstime`) and its live children.
 */
export function serverCpuMs(postmasterPid: number): number {
  const pm = stat(postmasterPid);
  let ticks = (pm?.cpuTicks ?? 0) + (pm?.childTicks ?? 0);
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const s = stat(Number(e));
    if (s && s.ppid === postmasterPid) ticks += s.cpuTicks;
  }
  return (ticks * 1000) / CLOCK_TICKS;
}

/** Resident set size of a process, bytes (VmRSS of /proc/<pid>/status); undefined when it is gone. */
export function rssBytes(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
