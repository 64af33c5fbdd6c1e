/**
 * `disk_io` probe: I/O per block device (docs/reference/metrics.md family 17; docs/reference/pem-facts.md
 * §4 "disk busy", "I/O analysis (blocks and operations read/written)").
 *
 * Source: the kernel's Documentation/admin-guide/iostats.rst, /proc/diskstats:
 * after major, minor and name: reads completed, reads merged, sectors read,
 * ms reading, writes completed, writes merged, sectors written, ms writing,
 * I/Os in progress, ms doing I/O, weighted ms. Sectors are 512 bytes
 * whatever the device. Counters since boot, raw; `busy_pct` is the share of
 * the interval the device had I/O in flight (from "ms doing I/O" between two
 * readings, like iostat's %util; NULL on the first reading or when the
 * counter went back). Loop, RAM and optical devices and devices with no I/O
 * since boot are skipped. Object = device name.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { count, counter, pct, text } from '../columns.js';
import type { Probe, ProbeRow } from '../types.js';

/** Cumulative figures of one device. */
export interface DiskStat {
  device: string;
  reads: number;
  readSectors: number;
  readMs: number;
  writes: number;
  writeSectors: number;
  writeMs: number;
  inProgress: number;
  ioMs: number;
}

const SKIP = /^(loop|ram|zram|fd|sr)\d/;

/** Parses /proc/diskstats (skipping loop/ram/zram/fd/sr devices and devices with no I/O). */
export function parseDiskstats(text: string): DiskStat[] {
  const out: DiskStat[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 14) continue;
    const device = f[2]!;
    if (SKIP.test(device)) continue;
    const n = (i: number) => Number(f[i]) || 0;
    const d: DiskStat = {
      device,
      reads: n(3),
      readSectors: n(5),
      readMs: n(6),
      writes: n(7),
      writeSectors: n(9),
      writeMs: n(10),
      inProgress: n(11),
      ioMs: n(12),
    };
    if (d.reads + d.writes > 0) out.push(d);
  }
  return out;
}

/** The row of one device; `prev` (with its reading time) gives `busy_pct`. */
export function diskIoRow(
  cur: DiskStat,
  prev: { stat: DiskStat; atMs: number } | undefined,
  nowMs: number,
): ProbeRow {
  let busy: number | null = null;
  if (prev && nowMs > prev.atMs && cur.ioMs >= prev.stat.ioMs) {
    busy = Math.min(100, Math.round(((cur.ioMs - prev.stat.ioMs) / (nowMs - prev.atMs)) * 1000) / 10);
  }
  return {
    device: cur.device,
    reads: cur.reads,
    writes: cur.writes,
    read_bytes: cur.readSectors * 512,
    write_bytes: cur.writeSectors * 512,
    read_time_ms: cur.readMs,
    write_time_ms: cur.writeMs,
    io_time_ms: cur.ioMs,
    in_progress: cur.inProgress,
    busy_pct: busy,
  };
}

/** The `disk_io` probe. Its collector keeps the previous reading of each device. */
export const diskIoProbe: Probe = {
  name: 'disk_io',
  level: 'agent',
  runsOn: 'both',
  intervalS: 10,
  timeoutMs: 2000,
  description:
    'Per-device reads/writes (operations, bytes, time), I/O in flight and busy % (/proc/diskstats)',
  objectColumn: 'device',
  columns: [
    text('device'),
    counter('reads'),
    counter('writes'),
    counter('read_bytes', 'bytes'),
    counter('write_bytes', 'bytes'),
    counter('read_time_ms', 'ms'),
    counter('write_time_ms', 'ms'),
    counter('io_time_ms', 'ms'),
    count('in_progress'),
    pct('busy_pct'),
  ],
  collector: (ctx) => {
    const path = join(ctx.procRoot, 'diskstats');
    const prev = new Map<string, { stat: DiskStat; atMs: number }>();
    try {
      const at = Date.now();
      for (const d of parseDiskstats(readFileSync(path, 'utf8'))) prev.set(d.device, { stat: d, atMs: at });
    } catch {
      // no diskstats (a container without /proc/diskstats): the runs report the error
    }
    return async () => {
      const text = await readFile(path, 'utf8');
      const at = Date.now();
      return parseDiskstats(text).map((d) => {
        const row = diskIoRow(d, prev.get(d.device), at);
        prev.set(d.device, { stat: d, atMs: at });
        return row;
      });
    };
  },
};
