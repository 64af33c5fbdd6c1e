/**
 * `os_info` probe: the host's operating system (docs/reference/pem-facts.md §4 "operating
 * system information").
 *
 * Sources: os-release(5) /etc/os-release (`PRETTY_NAME`); proc(5)
 * /proc/sys/kernel/osrelease and /proc/stat `btime` (boot time, seconds
 * since the epoch); Node's `os.hostname()`, `os.arch()`,
 * `os.availableParallelism()`, /proc/meminfo `MemTotal`. Slowly changing:
 * history keeps change points. One row.
 */
import { readFile } from 'node:fs/promises';
import { arch, availableParallelism, hostname } from 'node:os';
import { join } from 'node:path';
import { bytes, count, text, timestamp } from '../columns.js';
import type { Probe, ProbeRow } from '../types.js';
import { parseMeminfo } from './memory.js';

/** `PRETTY_NAME` of an os-release text (or `NAME VERSION`), or null. */
export function prettyName(osRelease: string): string | null {
  const v = new Map<string, string>();
  for (const line of osRelease.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) v.set(m[1]!, m[2]!.replace(/^"(.*)"$/, '$1'));
  }
  return v.get('PRETTY_NAME') ?? (v.has('NAME') ? `${v.get('NAME')} ${v.get('VERSION') ?? ''}`.trim() : null);
}

/** Boot time from /proc/stat's `btime` line, ISO 8601, or null. */
export function bootTime(procStat: string): string | null {
  const m = /^btime\s+(\d+)/m.exec(procStat);
  return m ? new Date(Number(m[1]) * 1000).toISOString() : null;
}

async function readOr(path: string): Promise<string> {
  return readFile(path, 'utf8').catch(() => '');
}

/** The `os_info` probe. */
export const osInfoProbe: Probe = {
  name: 'os_info',
  level: 'agent',
  runsOn: 'both',
  intervalS: 300,
  timeoutMs: 2000,
  history: 'changes',
  description: 'Host name, operating system, kernel, architecture, CPUs, memory, boot time',
  columns: [
    text('hostname'),
    text('os'),
    text('kernel'),
    text('arch'),
    count('cpus'),
    bytes('memory_total_bytes'),
    timestamp('booted_at'),
  ],
  collector: (ctx) => async (): Promise<ProbeRow[]> => {
    const [osRelease, kernel, stat, meminfo] = await Promise.all([
      readOr('/etc/os-release'),
      readOr(join(ctx.procRoot, 'sys', 'kernel', 'osrelease')),
      readOr(join(ctx.procRoot, 'stat')),
      readOr(join(ctx.procRoot, 'meminfo')),
    ]);
    return [
      {
        hostname: hostname(),
        os: prettyName(osRelease),
        kernel: kernel.trim() || null,
        arch: arch(),
        cpus: availableParallelism(),
        memory_total_bytes: parseMeminfo(meminfo).get('MemTotal') ?? null,
        booted_at: bootTime(stat),
      },
    ];
  },
};
