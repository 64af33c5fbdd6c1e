/**
 * `load_avg` probe: load averages from /proc/loadavg.
 *
 * Source: proc(5), /proc/loadavg: "1-min 5-min 15-min running/total last-pid";
 * the load counts runnable tasks and tasks in uninterruptible sleep.
 */
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Probe, ProbeRow } from '../types.js';

/** Parses /proc/loadavg: load1/5/15, running and total scheduling entities. Throws Error on a malformed text. */
export function parseLoadAvg(text: string): ProbeRow {
  const m = /^\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+(\d+)\/(\d+)/.exec(text);
  if (!m) throw new Error(`malformed /proc/loadavg: ${JSON.stringify(text.slice(0, 80))}`);
  return {
    load1: Number(m[1]),
    load5: Number(m[2]),
    load15: Number(m[3]),
    running: Number(m[4]),
    tasks: Number(m[5]),
  };
}

/** The `load_avg` probe (plus the CPU count, for load per core). */
export const loadAvgProbe: Probe = {
  name: 'load_avg',
  level: 'agent',
  runsOn: 'both',
  intervalS: 10,
  timeoutMs: 2000,
  description: 'Load averages over 1, 5 and 15 minutes (/proc/loadavg)',
  columns: [
    { name: 'load1', type: 'double', unit: 'tasks' },
    { name: 'load5', type: 'double', unit: 'tasks' },
    { name: 'load15', type: 'double', unit: 'tasks' },
    { name: 'running', type: 'integer', unit: 'tasks' },
    { name: 'tasks', type: 'integer', unit: 'tasks' },
    { name: 'cpus', type: 'integer', unit: 'count' },
  ],
  collector: (ctx) => async () => [
    { ...parseLoadAvg(await readFile(join(ctx.procRoot, 'loadavg'), 'utf8')), cpus: availableParallelism() },
  ],
};
