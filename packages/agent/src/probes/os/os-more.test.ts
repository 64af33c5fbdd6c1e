import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { CollectorContext } from '../types.js';
import { diskIoProbe, diskIoRow, parseDiskstats } from './disk-io.js';
import { diskSpaceProbe, diskSpaceRow, parseMounts } from './disk-space.js';
import { parseMeminfo } from './memory.js';
import { networkProbe, parseNetDev } from './network.js';
import { bootTime, osInfoProbe, prettyName } from './os-info.js';
import { parseVmstat, swapProbe, swapRow } from './swap.js';

const ctx = (procRoot = '/proc'): CollectorContext => ({ procRoot, agentStatus: async () => ({}) });

describe('swap (/proc/meminfo, /proc/vmstat)', () => {
  it('computes use and takes page counters', () => {
    const row = swapRow(
      parseMeminfo('SwapTotal: 1000 kB\nSwapFree: 750 kB\n'),
      parseVmstat('pswpin 12\npswpout 34\nnr_free_pages 5\n'),
    );
    assert.deepEqual(row, {
      total_bytes: 1024000,
      free_bytes: 768000,
      used_bytes: 256000,
      used_pct: 25,
      pages_in: 12,
      pages_out: 34,
    });
  });
  it('gives NULL percent without swap, and reads the real /proc', async () => {
    assert.equal(swapRow(parseMeminfo('SwapTotal: 0 kB\nSwapFree: 0 kB\n'), new Map()).used_pct, null);
    const [row] = await swapProbe.collector!(ctx())();
    assert.ok((row!.total_bytes as number) >= 0);
    assert.equal(typeof row!.pages_in, 'number');
  });
});

describe('disk_space (/proc/mounts, statfs)', () => {
  it('skips pseudo and network file systems and decodes escaped mount points', () => {
    const m = parseMounts(
      [
        'proc /proc proc rw 0 0',
        '/dev/sda1 / ext4 rw 0 0',
        'server:/x /mnt/nfs nfs4 rw 0 0',
        'tmpfs /run tmpfs rw 0 0',
        '/dev/sdb1 /data\\040dir xfs rw 0 0',
        '/dev/sdc1 /data\\040dir ext4 rw 0 0',
      ].join('\n'),
    );
    assert.deepEqual(m, [
      { device: '/dev/sda1', mountPoint: '/', fsType: 'ext4' },
      { device: '/dev/sdc1', mountPoint: '/data dir', fsType: 'ext4' },
    ]);
  });
  it('computes like df', () => {
    const r = diskSpaceRow(
      { device: 'd', mountPoint: '/', fsType: 'ext4' },
      { bsize: 4096, blocks: 1000, bfree: 300, bavail: 200, files: 100, ffree: 40 },
    );
    assert.equal(r.total_bytes, 4096000);
    assert.equal(r.used_bytes, 700 * 4096);
    assert.equal(r.available_bytes, 200 * 4096);
    assert.equal(r.used_pct, 77.8);
    assert.equal(r.inodes_used_pct, 60);
    const noInodes = diskSpaceRow(
      { device: 'd', mountPoint: '/', fsType: 'btrfs' },
      { bsize: 4096, blocks: 10, bfree: 10, bavail: 10, files: 0, ffree: 0 },
    );
    assert.equal(noInodes.inodes_used_pct, null);
    assert.equal(noInodes.used_pct, 0);
  });
  it('reports the real root file system', async () => {
    const rows = await diskSpaceProbe.collector!(ctx())();
    const root = rows.find((r) => r.mount_point === '/');
    assert.ok(root, JSON.stringify(rows.map((r) => r.mount_point)));
    assert.ok(
      (root.total_bytes as number) > 0 && (root.used_pct as number) >= 0 && (root.used_pct as number) <= 100,
    );
  });
});

describe('disk_io (/proc/diskstats)', () => {
  const T1 =
    '   8       0 sda 100 5 2000 300 50 2 800 120 0 400 500\n   7       0 loop0 1 0 2 0 0 0 0 0 0 0 0\n';
  const T2 = '   8       0 sda 110 5 2200 310 60 2 1000 130 1 900 600\n';
  it('parses counters, skips loop devices, and computes busy % between readings', () => {
    const [a] = parseDiskstats(T1);
    const [b] = parseDiskstats(T2);
    assert.equal(parseDiskstats(T1).length, 1);
    assert.equal(diskIoRow(a!, undefined, 0).busy_pct, null, 'first reading');
    const r = diskIoRow(b!, { stat: a!, atMs: 0 }, 1000);
    assert.equal(r.read_bytes, 2200 * 512);
    assert.equal(r.writes, 60);
    assert.equal(r.busy_pct, 50, '500 ms of I/O in 1000 ms');
    assert.equal(diskIoRow(a!, { stat: b!, atMs: 0 }, 1000).busy_pct, null, 'counter went back');
  });
  it('reads a proc root and keeps the previous reading', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pharos-proc-'));
    try {
      await writeFile(join(dir, 'diskstats'), T1);
      const collect = diskIoProbe.collector!(ctx(dir));
      await writeFile(join(dir, 'diskstats'), T2);
      const [row] = await collect();
      assert.equal(row!.device, 'sda');
      assert.equal(typeof row!.busy_pct, 'number');
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});

describe('network (/proc/net/dev)', () => {
  it('parses interfaces', () => {
    const text = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo: 1000 10 0 0 0 0 0 0 1000 10 0 0 0 0 0 0
  eth0: 5000 50 1 2 0 0 0 3 7000 70 4 5 0 0 0 0
`;
    assert.deepEqual(parseNetDev(text)[1], {
      interface: 'eth0',
      rx_bytes: 5000,
      rx_packets: 50,
      rx_errors: 1,
      rx_dropped: 2,
      tx_bytes: 7000,
      tx_packets: 70,
      tx_errors: 4,
      tx_dropped: 5,
    });
  });
  it('reads the real /proc/net/dev', async () => {
    const rows = await networkProbe.collector!(ctx())();
    assert.ok(rows.some((r) => r.interface === 'lo'));
  });
});

describe('os_info', () => {
  it('parses os-release and boot time', () => {
    assert.equal(
      prettyName('NAME="Debian GNU/Linux"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'),
      'Debian GNU/Linux 12 (bookworm)',
    );
    assert.equal(prettyName('NAME=Alpine\nVERSION=3.19\n'), 'Alpine 3.19');
    assert.equal(bootTime('cpu 1 2\nbtime 1700000000\n'), '2023-11-14T22:13:20.000Z');
    assert.equal(bootTime('cpu 1 2\n'), null);
  });
  it('describes this host', async () => {
    const [row] = await osInfoProbe.collector!(ctx())();
    assert.ok((row!.cpus as number) >= 1);
    assert.equal(row!.kernel, (await readFile('/proc/sys/kernel/osrelease', 'utf8')).trim());
    assert.ok(typeof row!.booted_at === 'string');
  });
  it('tolerates a proc root without the optional files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pharos-proc-'));
    try {
      await mkdir(join(dir, 'sys'), { recursive: true });
      const [row] = await osInfoProbe.collector!(ctx(dir))();
      assert.equal(row!.kernel, null);
      assert.equal(row!.memory_total_bytes, null);
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});
