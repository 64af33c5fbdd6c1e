/**
 * A lab for integration tests: the shared lab topology
 * (examples/lab-sm.topology.yml) with its 127.0.1.X addresses
 * moved to another /24 of the loopback range, so that tests of different
 * files (or a developer's own `lab up`) never collide, brought up by the
 * real `labUp` in its own directory.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { watchLogs } from '@pharos/testkit/wait/log-set';
import { type EtcdAccess, labAccess, type PatroniAccess } from '../lab/access.js';
import { labDown } from '../lab/down.js';
import { type LabSecrets, loadOrCreateSecrets } from '../lab/secrets.js';
import { type LabState, readState } from '../lab/state.js';
import { labUp } from '../lab/up.js';
import { loadTopology } from '../topology/load.js';
import type { Topology } from '../topology/types.js';

/** The shared lab topology file. */
export const SHARED_LAB_TOPOLOGY = new URL('../../../../examples/lab-sm.topology.yml', import.meta.url)
  .pathname;

/** A running test lab. */
export interface TestLab {
  dir: string;
  topologyFile: string;
  topo: Topology;
  state: LabState;
  secrets: LabSecrets;
  /** Every progress line `lab up` printed. */
  lines: string[];
  /** CA certificate (PEM) of the lab. */
  ca: string;
  /** How to reach its Patroni REST API and etcd (https and credentials when secured). */
  access: { patroni: PatroniAccess; etcd: EtcdAccess };
  /** Stops the lab (and removes its directory unless PHAROS_KEEP_LAB=1). */
  down(): Promise<void>;
}

/**
 * Writes the shared topology with `127.0.1.` replaced by `<prefix>.` (e.g.
 * '127.0.7') to `<dir>/topology.yml` and returns its path.
 */
export function writeShiftedTopology(prefix: string, dir: string): string {
  if (!/^127\.\d{1,3}\.\d{1,3}$/.test(prefix)) throw new Error(`prefix '${prefix}' is not 127.A.B`);
  mkdirSync(dir, { recursive: true });
  const text = readFileSync(SHARED_LAB_TOPOLOGY, 'utf8').replaceAll('127.0.1.', `${prefix}.`);
  const path = join(dir, 'topology.yml');
  writeFileSync(path, text);
  return path;
}

/**
 * Brings up a lab on `<prefix>.X` addresses in `/var/tmp/pharos-test-<name>`
 * (a previous one there is stopped and removed first).
 */
export async function startTestLab(options: {
  name: string;
  prefix: string;
  probeIntervalS?: number;
  /** `webhook_allow` of the lab's agents (receivers on loopback). */
  webhookAllow?: string[];
}): Promise<TestLab> {
  const dir = `/var/tmp/pharos-test-${options.name}`;
  await labDown(dir, { removeData: true, print: () => {} });
  const topologyFile = writeShiftedTopology(options.prefix, `${dir}-topology`);
  const lines: string[] = [];
  const topo = loadTopology(topologyFile, 'lab');
  const state = await labUp({
    topologyFile,
    dir,
    print: (l) => lines.push(l),
    probeIntervalS: options.probeIntervalS ?? 3,
    ...(options.webhookAllow ? { webhookAllow: options.webhookAllow } : {}),
  });
  // a failed waitFor shows the end of every lab process's log (lab.json names them, restarts included)
  const unwatch = watchLogs(() => readState(dir)?.processes.map((p) => p.logFile) ?? []);
  return {
    dir,
    topologyFile,
    topo,
    state,
    secrets: loadOrCreateSecrets(dir),
    lines,
    ca: readFileSync(join(dir, 'pki', 'ca.crt'), 'utf8'),
    access: labAccess(topo, dir),
    down: async () => {
      unwatch();
      await labDown(dir, { removeData: process.env.PHAROS_KEEP_LAB !== '1', print: () => {} });
    },
  };
}
