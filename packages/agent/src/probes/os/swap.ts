/**
 * `swap` probe: swap space and swapping activity.
 *
 * Sources: proc(5) /proc/meminfo (`SwapTotal`, `SwapFree`, kB) and
 * /proc/vmstat (`pswpin`, `pswpout`: pages swapped in/out since boot,
 * counters). `used_pct` is NULL without swap.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bytes, counter, pct } from '../columns.js';
import type { Probe, ProbeRow } from '../types.js';
import { parseMeminfo } from './memory.js';

/** Parses /proc/vmstat into a map name -> value. */
export function parseVmstat(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(\w+)\s+(\d+)\s*$/.exec(line);
    if (m) out.set(m[1]!, Number(m[2]));
  }
  return out;
}

/** The swap row from parsed /proc/meminfo (bytes) and /proc/vmstat. */
export function swapRow(meminfo: Map<string, number>, vmstat: Map<string, number>): ProbeRow {
  const total = meminfo.get('SwapTotal') ?? 0;
  const free = meminfo.get('SwapFree') ?? 0;
  return {
    total_bytes: total,
    free_bytes: free,
    used_bytes: total - free,
    used_pct: total > 0 ? Math.round(((total - free) / total) * 1000) / 10 : null,
    pages_in: vmstat.get('pswpin') ?? null,
    pages_out: vmstat.get('pswpout') ?? null,
  };
}

/** The `swap` probe. */
export const swapProbe: Probe = {
  name: 'swap',
  level: 'agent',
  runsOn: 'both',
  intervalS: 10,
  timeoutMs: 2000,
  description: 'Swap space used and pages swapped in/out (/proc/meminfo, /proc/vmstat)',
  columns: [
    bytes('total_bytes'),
    bytes('free_bytes'),
    bytes('used_bytes'),
    pct('used_pct'),
    counter('pages_in', 'pages'),
    counter('pages_out', 'pages'),
  ],
  collector: (ctx) => async () => {
    const [mem, vm] = await Promise.all([
      readFile(join(ctx.procRoot, 'meminfo'), 'utf8'),
      readFile(join(ctx.procRoot, 'vmstat'), 'utf8').catch(() => ''),
    ]);
    return [swapRow(parseMeminfo(mem), parseVmstat(vm))];
  },
};
