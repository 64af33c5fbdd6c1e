import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { CollectorContext } from '../types.js';
import { cpuPercent, cpuProbe, parseProcStat } from './cpu.js';
import { loadAvgProbe, parseLoadAvg } from './load-avg.js';
import { memoryProbe, memoryRow, parseMeminfo } from './memory.js';

const ctx = (procRoot = '/proc'): CollectorContext => ({
  procRoot,
  agentStatus: async () => ({}),
});

describe('cpu (/proc/stat)', () => {
  it('parses the aggregate line of the real /proc/stat', async () => {
    const t = parseProcStat(await readFile('/proc/stat', 'utf8'));
    assert.ok(t.user > 0 && t.idle > 0 && t.system >= 0);
  });

  it('parses a kernel 2.6-era line without steal/guest columns', () => {
    const t = parseProcStat('cpu  100 5 50 1000 7\ncpu0 100 5 50 1000 7\n');
    assert.deepEqual(t, {
      user: 100,
      nice: 5,
      system: 50,
      idle: 1000,
      iowait: 7,
      irq: 0,
      softirq: 0,
      steal: 0,
    });
  });

  it('computes shares from deltas', () => {
    const a = parseProcStat('cpu  100 0 100 700 100 0 0 0 0 0\n');
    const b = parseProcStat('cpu  150 10 120 800 110 5 5 0 40 0\n'); // guest (40) is inside user already
    // deltas: user 50 nice 10 system 20 idle 100 iowait 10 irq 5 softirq 5 = 200
    assert.deepEqual(cpuPercent(a, b), {
      user_pct: 30,
      system_pct: 15,
      idle_pct: 50,
      iowait_pct: 5,
      steal_pct: 0,
      busy_pct: 45,
    });
  });

  it('gives nulls, not a division by zero, when no tick passed', () => {
    const a = parseProcStat('cpu  1 2 3 4 5 6 7 8\n');
    assert.equal(cpuPercent(a, a).user_pct, null);
    assert.equal(cpuPercent(a, a).busy_pct, null);
  });

  it('throws a clear error without a cpu line', () => {
    assert.throws(() => parseProcStat('intr 1 2 3\n'), /no aggregate "cpu" line/);
  });

  it('collects the shares of the interval since the previous run, from procRoot', async () => {
    const root = await mkdtemp(join(tmpdir(), 'pharos-proc-'));
    try {
      const stat = (line: string) => writeFile(join(root, 'stat'), `${line}\ncpu0 0 0 0 0 0 0 0 0\nintr 1\n`);
      await stat('cpu  100 0 100 700 100 0 0 0 0 0'); // read when the collector is made
      const collect = cpuProbe.collector!(ctx(root));
      await stat('cpu  150 10 120 800 110 5 5 0 40 0');
      assert.deepEqual(await collect(), [
        { user_pct: 30, system_pct: 15, idle_pct: 50, iowait_pct: 5, steal_pct: 0, busy_pct: 45 },
      ]);
      await stat('cpu  250 10 120 800 110 5 5 100 40 0'); // user 100, steal 100 of 200 ticks
      assert.deepEqual(await collect(), [
        { user_pct: 50, system_pct: 0, idle_pct: 0, iowait_pct: 0, steal_pct: 50, busy_pct: 100 },
      ]);
      const [same] = await collect(); // no tick since the previous run
      assert.equal(same!.idle_pct, null);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('reports nothing on its first run when /proc/stat was unreadable at start', async () => {
    const root = await mkdtemp(join(tmpdir(), 'pharos-proc-'));
    try {
      const collect = cpuProbe.collector!(ctx(root));
      await writeFile(join(root, 'stat'), 'cpu  1 2 3 4 5 6 7 8\n');
      assert.deepEqual(await collect(), []);
      await writeFile(join(root, 'stat'), 'cpu  2 2 3 5 5 6 7 8\n');
      assert.deepEqual(await collect(), [
        { user_pct: 50, system_pct: 0, idle_pct: 50, iowait_pct: 0, steal_pct: 0, busy_pct: 50 },
      ]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('load_avg (/proc/loadavg)', () => {
  it('parses the real /proc/loadavg', async () => {
    const r = parseLoadAvg(await readFile('/proc/loadavg', 'utf8'));
    for (const k of ['load1', 'load5', 'load15']) assert.ok((r[k] as number) >= 0);
    assert.ok((r.tasks as number) >= 1);
  });

  it('parses a known line', () => {
    assert.deepEqual(parseLoadAvg('0.52 1.07 2.50 3/456 78901\n'), {
      load1: 0.52,
      load5: 1.07,
      load15: 2.5,
      running: 3,
      tasks: 456,
    });
  });

  it('rejects garbage', () => {
    assert.throws(() => parseLoadAvg('nope'), /malformed \/proc\/loadavg/);
  });

  it('collects with the CPU count', async () => {
    const [row] = await loadAvgProbe.collector!(ctx())();
    assert.ok((row!.cpus as number) >= 1);
  });
});

describe('memory (/proc/meminfo)', () => {
  const SAMPLE = `MemTotal:        8000000 kB
MemFree:         1000000 kB
MemAvailable:    6000000 kB
Buffers:          100000 kB
Cached:          3000000 kB
SwapTotal:       2000000 kB
SwapFree:        1500000 kB
HugePages_Total:       0
`;

  it('parses kB into bytes and computes used and swap', () => {
    const info = parseMeminfo(SAMPLE);
    assert.equal(info.get('HugePages_Total'), 0);
    assert.deepEqual(memoryRow(info), {
      total_bytes: 8000000 * 1024,
      available_bytes: 6000000 * 1024,
      used_bytes: 2000000 * 1024,
      free_bytes: 1000000 * 1024,
      buffers_bytes: 100000 * 1024,
      cached_bytes: 3000000 * 1024,
      used_pct: 25,
      swap_total_bytes: 2000000 * 1024,
      swap_free_bytes: 1500000 * 1024,
      swap_used_bytes: 500000 * 1024,
      swap_used_pct: 25,
    });
  });

  it('reports swap percent as null with no swap', () => {
    const row = memoryRow(
      parseMeminfo('MemTotal: 100 kB\nMemAvailable: 50 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n'),
    );
    assert.equal(row.swap_used_pct, null);
    assert.equal(row.swap_used_bytes, 0);
  });

  it('matches the real /proc/meminfo', async () => {
    const [row] = await memoryProbe.collector!(ctx())();
    assert.ok((row!.total_bytes as number) > 0);
    assert.ok((row!.available_bytes as number) <= (row!.total_bytes as number));
    assert.equal(row!.used_bytes, (row!.total_bytes as number) - (row!.available_bytes as number));
  });

  it('reads from another proc root', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pharos-proc-'));
    try {
      await writeFile(join(dir, 'meminfo'), SAMPLE);
      const [row] = await memoryProbe.collector!(ctx(dir))();
      assert.equal(row!.total_bytes, 8000000 * 1024);
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});
