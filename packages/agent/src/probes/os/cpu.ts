/**
 * `cpu` probe: CPU time shares over the last interval, from /proc/stat.
 *
 * Source: proc(5), /proc/stat, the `cpu` line: user, nice, system, idle,
 * iowait, irq, softirq, steal, guest, guest_nice, in USER_HZ ticks since boot.
 * guest and guest_nice are already included in user and nice, so they are not
 * added to the total.
 */

import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Probe, ProbeRow } from '../types.js';

/** Cumulative CPU ticks of all CPUs. */
export interface CpuTicks {
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
}

/** Parses the aggregate `cpu` line of /proc/stat. Throws Error when there is none. */
export function parseProcStat(text: string): CpuTicks {
  const line = text.split('\n').find((l) => /^cpu\s/.test(l));
  if (!line) throw new Error('/proc/stat has no aggregate "cpu" line');
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  const at = (i: number) => (Number.isFinite(f[i]) ? f[i]! : 0);
  return {
    user: at(0),
    nice: at(1),
    system: at(2),
    idle: at(3),
    iowait: at(4),
    irq: at(5),
    softirq: at(6),
    steal: at(7),
  };
}

/**
 * Shares of CPU time between two readings, percent (0-100, one decimal):
 * user (user+nice), system (system+irq+softirq), idle, iowait, steal, and
 * busy = 100 - idle - iowait. All null when no tick passed (or the counters
 * went back, e.g. CPU hot-unplug).
 */
export function cpuPercent(prev: CpuTicks, cur: CpuTicks): ProbeRow {
  const d = (k: keyof CpuTicks) => cur[k] - prev[k];
  const total = (Object.keys(cur) as (keyof CpuTicks)[]).reduce((n, k) => n + d(k), 0);
  const pct = (v: number): number | null =>
    total > 0 && v >= 0 ? Math.round((v / total) * 1000) / 10 : null;
  const idle = pct(d('idle'));
  const iowait = pct(d('iowait'));
  return {
    user_pct: pct(d('user') + d('nice')),
    system_pct: pct(d('system') + d('irq') + d('softirq')),
    idle_pct: idle,
    iowait_pct: iowait,
    steal_pct: pct(d('steal')),
    busy_pct: idle === null || iowait === null ? null : Math.round((100 - idle - iowait) * 10) / 10,
  };
}

/** The `cpu` probe. Its collector reads /proc/stat once when created, so the first run already covers an interval. */
export const cpuProbe: Probe = {
  name: 'cpu',
  level: 'agent',
  runsOn: 'both',
  intervalS: 10,
  timeoutMs: 2000,
  description: 'CPU time shares since the previous run (/proc/stat)',
  columns: [
    { name: 'user_pct', type: 'double', unit: 'percent' },
    { name: 'system_pct', type: 'double', unit: 'percent' },
    { name: 'idle_pct', type: 'double', unit: 'percent' },
    { name: 'iowait_pct', type: 'double', unit: 'percent' },
    { name: 'steal_pct', type: 'double', unit: 'percent' },
    { name: 'busy_pct', type: 'double', unit: 'percent' },
  ],
  collector: (ctx) => {
    const path = join(ctx.procRoot, 'stat');
    let prev: CpuTicks | undefined;
    try {
      prev = parseProcStat(readFileSync(path, 'utf8'));
    } catch {
      prev = undefined; // the first run reports nothing then
    }
    return async () => {
      const cur = parseProcStat(await readFile(path, 'utf8'));
      const before = prev;
      prev = cur;
      return before ? [cpuPercent(before, cur)] : [];
    };
  },
};
