/**
 * `lab up` in the directory of a stopped lab (`lab down` without
 * `--remove-data`): a stopped lab is not resumed piece by piece (etcd would
 * keep the fleet cluster's keys while its servers start anew, and the pem
 * database its enrolled agents), so what the previous lab made there is
 * removed first and a new lab is made. Only the lab's own entries go
 * (layout.ts): lab.json, secrets.json, lab.log, pki/, .cache/ and the
 * directory of every host the new lab uses and the previous one recorded
 * (the topology's hosts and the fleet's); anything else in the directory is
 * left alone.
 */
import { rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pharosError } from '@pharos/core/errors';

/** Top-level entries every lab makes in its directory (layout.ts, state.ts, secrets.ts, fleet/dba.ts). */
const LAB_ENTRIES = ['lab.json', 'secrets.json', 'lab.log', 'pki', '.cache'] as const;

/**
 * Removes the previous lab's entries of `dir`: {@link LAB_ENTRIES} and the
 * directories named `hosts` (host names, each one path segment). Resolves the
 * paths removed, in order.
 * @throws PHAROS_LAB_TOPOLOGY_IN_DATA when `topologyFile` lies inside one of
 *   them (nothing is removed); PHAROS_LAB_DATA_NOT_REMOVED when a removal fails
 *   (naming the path and the reason).
 */
export function removeStoppedLab(dir: string, hosts: readonly string[], topologyFile: string): string[] {
  const names = [...LAB_ENTRIES, ...new Set(hosts)];
  for (const n of names) {
    if (n === '' || n.includes('/') || n === '.' || n === '..') throw new Error(`not a lab entry name: ${n}`);
  }
  const paths = names.map((n) => join(dir, n));
  const topology = resolve(topologyFile);
  for (const p of paths) {
    const rel = relative(p, topology);
    if (rel === '' || (!rel.startsWith('..') && !rel.startsWith('/'))) {
      throw pharosError('PHAROS_LAB_TOPOLOGY_IN_DATA', { file: topology, path: p });
    }
  }
  for (const p of paths) {
    try {
      rmSync(p, { recursive: true, force: true });
    } catch (err) {
      throw pharosError('PHAROS_LAB_DATA_NOT_REMOVED', { path: p, reason: (err as Error).message });
    }
  }
  return paths;
}
