/**
 * Memory of the lab: the resident set (VmRSS, /proc/<pid>/status) of every
 * process the lab started and of all their descendants (PostgreSQL's
 * backends under Patroni's postmaster, for example). Linux only (proc(5)).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { isRunning, type LabProcess } from './processes.js';

function parentOf(pid: string): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Total resident memory in bytes of `procs` (those still running) and their
 * descendants, and the process count. With `labDir`, processes whose command
 * line names a path under it count too, with their descendants: Patroni
 * starts PostgreSQL's postmaster outside its own process tree.
 */
export function labRss(procs: LabProcess[], labDir?: string): { bytes: number; processes: number } {
  const children = new Map<number, number[]>();
  const named: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    if (labDir) {
      try {
        if (readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(`${labDir}/`)) named.push(Number(d));
      } catch {
        /* gone */
      }
    }
    const ppid = parentOf(d);
    if (ppid === undefined) continue;
    const list = children.get(ppid) ?? [];
    list.push(Number(d));
    children.set(ppid, list);
  }
  const seen = new Set<number>();
  const stack = [...procs.filter((p) => isRunning(p)).map((p) => p.pid), ...named];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  let bytes = 0;
  for (const pid of seen) bytes += rssBytes(pid);
  return { bytes, processes: seen.size };
}
