/**
 * `memory` probe: RAM and swap from /proc/meminfo.
 *
 * Source: proc(5), /proc/meminfo (values in kB = KiB): MemTotal, MemFree,
 * MemAvailable (an estimate of memory available for new work, Linux 3.14+),
 * Buffers, Cached, SwapTotal, SwapFree.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Probe, ProbeRow } from '../types.js';

/** Parses /proc/meminfo into a map field -> bytes (kB values multiplied by 1024). */
export function parseMeminfo(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([\w()]+):\s+(\d+)(?:\s+kB)?\s*$/.exec(line);
    if (m) out.set(m[1]!, Number(m[2]) * (line.trimEnd().endsWith('kB') ? 1024 : 1));
  }
  return out;
}

/**
 * Memory figures in bytes: total, available, used = total - available, free,
 * buffers, cached, swap total/free/used, and used_pct / swap_used_pct (null when
 * the total is 0). Throws Error when MemTotal is missing.
 */
export function memoryRow(info: Map<string, number>): ProbeRow {
  const total = info.get('MemTotal');
  if (total === undefined) throw new Error('/proc/meminfo has no MemTotal');
  const available = info.get('MemAvailable') ?? (info.get('MemFree') ?? 0) + (info.get('Cached') ?? 0);
  const swapTotal = info.get('SwapTotal') ?? 0;
  const swapFree = info.get('SwapFree') ?? 0;
  const pct = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 1000) / 10 : null);
  return {
    total_bytes: total,
    available_bytes: available,
    used_bytes: total - available,
    free_bytes: info.get('MemFree') ?? null,
    buffers_bytes: info.get('Buffers') ?? null,
    cached_bytes: info.get('Cached') ?? null,
    used_pct: pct(total - available, total),
    swap_total_bytes: swapTotal,
    swap_free_bytes: swapFree,
    swap_used_bytes: swapTotal - swapFree,
    swap_used_pct: pct(swapTotal - swapFree, swapTotal),
  };
}

/** The `memory` probe. */
export const memoryProbe: Probe = {
  name: 'memory',
  level: 'agent',
  runsOn: 'both',
  intervalS: 10,
  timeoutMs: 2000,
  description: 'RAM and swap usage (/proc/meminfo)',
  columns: [
    { name: 'total_bytes', type: 'bigint', unit: 'bytes' },
    { name: 'available_bytes', type: 'bigint', unit: 'bytes' },
    { name: 'used_bytes', type: 'bigint', unit: 'bytes' },
    { name: 'free_bytes', type: 'bigint', unit: 'bytes' },
    { name: 'buffers_bytes', type: 'bigint', unit: 'bytes' },
    { name: 'cached_bytes', type: 'bigint', unit: 'bytes' },
    { name: 'used_pct', type: 'double', unit: 'percent' },
    { name: 'swap_total_bytes', type: 'bigint', unit: 'bytes' },
    { name: 'swap_free_bytes', type: 'bigint', unit: 'bytes' },
    { name: 'swap_used_bytes', type: 'bigint', unit: 'bytes' },
    { name: 'swap_used_pct', type: 'double', unit: 'percent' },
  ],
  collector: (ctx) => async () => [
    memoryRow(parseMeminfo(await readFile(join(ctx.procRoot, 'meminfo'), 'utf8'))),
  ],
};
