/**
 * CPU time of a PostgreSQL server's processes and of this process, for
 * benchmarks on a shared machine: wall-clock throughput there depends on what
 * else runs, the CPU seconds a method costs per sample do far less.
 *
 * Source: proc(5), /proc/[pid]/stat: field 4 ppid, 14 utime, 15 stime (the
 * process's own), 16 cutime, 17 cstime (its waited-for children's), in clock
 * ticks; sysconf(_SC_CLK_TCK) is 100 on Linux (USER_HZ). Node's
 * process.cpuUsage() gives this process's user and system time in µs.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_S = 100;

/** Fields of /proc/[pid]/stat after the command name (which may hold spaces and parentheses). */
function statFields(pid: string): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined; // exited meanwhile
  }
}

/**
 * CPU seconds (user + system) used so far by the postmaster `postmasterPid`
 * and its children: the living ones' own time, plus what the postmaster has
 * collected of those that exited (cutime, cstime). Linux only.
 */
export function serverCpuS(postmasterPid: number): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const f = statFields(pid);
    if (!f) continue;
    // after the name: [0] state, [1] ppid, ... [11] utime, [12] stime, [13] cutime, [14] cstime
    if (Number(pid) === postmasterPid) {
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    } else if (Number(f[1]) === postmasterPid) {
      ticks += Number(f[11]) + Number(f[12]);
    }
  }
  return ticks / TICKS_PER_S;
}

/** CPU seconds (user + system) this process has used so far. */
export function ownCpuS(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}
