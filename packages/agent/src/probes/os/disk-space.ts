/**
 * `disk_space` probe: space and inodes per mounted file system (docs/reference/metrics.md
 * family 17; docs/reference/pem-facts.md §4 "disk space per mount (used, available)").
 *
 * Sources: proc(5) /proc/mounts (device, mount point with spaces as `\040`,
 * type), statfs(2) through `fs.statfs` (`bsize`, `blocks`, `bfree`,
 * `bavail`, `files`, `ffree`). Like df(1): used = blocks - bfree, available
 * = bavail (what unprivileged users may still use), used_pct = used / (used
 * + available). Pseudo file systems are skipped; so are network file
 * systems, whose statfs can hang and would tie up a libuv worker. A mount
 * point listed twice counts once (the last mount wins). Object = mount point.
 */
import { readFile, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { bytes, count, pct, text } from '../columns.js';
import type { Probe, ProbeRow } from '../types.js';

/** File system types that hold no disk space of their own, or may hang statfs. */
export const SKIPPED_FS_TYPES: ReadonlySet<string> = new Set([
  'proc',
  'sysfs',
  'devtmpfs',
  'devpts',
  'tmpfs',
  'ramfs',
  'cgroup',
  'cgroup2',
  'mqueue',
  'debugfs',
  'tracefs',
  'securityfs',
  'pstore',
  'bpf',
  'autofs',
  'hugetlbfs',
  'configfs',
  'fusectl',
  'binfmt_misc',
  'rpc_pipefs',
  'nsfs',
  'efivarfs',
  'selinuxfs',
  'squashfs',
  'overlay_ro',
  'nfs',
  'nfs4',
  'cifs',
  'smb3',
  'smbfs',
  'fuse.sshfs',
  'ceph',
  'glusterfs',
  '9p',
  'virtiofs_ro',
]);

/** One mount of /proc/mounts. */
export interface Mount {
  device: string;
  mountPoint: string;
  fsType: string;
}

/** Decodes the octal escapes of /proc/mounts (`\040` is a space). */
function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
}

/** Parses /proc/mounts, skipping {@link SKIPPED_FS_TYPES}; one entry per mount point (the last). */
export function parseMounts(text: string): Mount[] {
  const byPoint = new Map<string, Mount>();
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 3) continue;
    const m = { device: unescapeMount(f[0]!), mountPoint: unescapeMount(f[1]!), fsType: f[2]! };
    if (SKIPPED_FS_TYPES.has(m.fsType)) continue;
    byPoint.delete(m.mountPoint);
    byPoint.set(m.mountPoint, m);
  }
  return [...byPoint.values()];
}

/** The row of one mount from its statfs figures. */
export function diskSpaceRow(
  m: Mount,
  s: { bsize: number; blocks: number; bfree: number; bavail: number; files: number; ffree: number },
): ProbeRow {
  const used = (s.blocks - s.bfree) * s.bsize;
  const avail = s.bavail * s.bsize;
  const inodesUsed = s.files - s.ffree;
  return {
    mount_point: m.mountPoint,
    device: m.device,
    fs_type: m.fsType,
    total_bytes: s.blocks * s.bsize,
    used_bytes: used,
    available_bytes: avail,
    used_pct: used + avail > 0 ? Math.round((used / (used + avail)) * 1000) / 10 : null,
    inodes_total: s.files,
    inodes_used: s.files > 0 ? inodesUsed : null,
    inodes_used_pct: s.files > 0 ? Math.round((inodesUsed / s.files) * 1000) / 10 : null,
  };
}

/** The `disk_space` probe: one row per mount point. */
export const diskSpaceProbe: Probe = {
  name: 'disk_space',
  level: 'agent',
  runsOn: 'both',
  intervalS: 60,
  timeoutMs: 5000,
  description: 'Space and inodes per mounted file system (statfs), like df',
  objectColumn: 'mount_point',
  columns: [
    text('mount_point'),
    text('device'),
    text('fs_type'),
    bytes('total_bytes'),
    bytes('used_bytes'),
    bytes('available_bytes'),
    pct('used_pct'),
    count('inodes_total'),
    count('inodes_used'),
    pct('inodes_used_pct'),
  ],
  collector: (ctx) => async () => {
    const mounts = parseMounts(await readFile(join(ctx.procRoot, 'mounts'), 'utf8'));
    const rows = await Promise.all(
      mounts.map(async (m) => {
        try {
          return diskSpaceRow(m, await statfs(m.mountPoint));
        } catch {
          return undefined; // gone, or not ours to read (EACCES): not a disk of this host to report
        }
      }),
    );
    return rows.filter((r): r is ProbeRow => r !== undefined && (r.total_bytes as number) > 0);
  },
};
