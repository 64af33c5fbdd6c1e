/**
 * What the steps of one `lab up` share (up.ts runs them; configure-steps.ts,
 * pki.ts and wait-data.ts are steps), and the path of the `pharos` command
 * the lab starts agents and web instances with.
 */
import { resolve } from 'node:path';
import type { Topology } from '../topology/types.js';
import type { EtcdAccess, PatroniAccess } from './access.js';
import type { LabLayout } from './layout.js';
import type { LabPki } from './pki.js';
import type { LabProcess } from './processes.js';
import type { LabSecrets } from './secrets.js';
import type { LabState } from './state.js';

/** Path of the `pharos` command this process belongs to (agents and web instances run it). */
export const PHAROS_BIN = resolve(new URL('../../../cli/bin/pharos.js', import.meta.url).pathname);

/** Context shared by the steps of one `lab up`. */
export interface UpContext {
  topo: Topology;
  layout: LabLayout;
  secrets: LabSecrets;
  pki: LabPki;
  binDir: string;
  state: LabState;
  print: (line: string) => void;
  probeIntervalS: number;
  /** `webhook_allow` written into every agent.yml (empty: none). */
  webhookAllow: string[];
  /** Records a started process in lab.json at once, so `down` finds it even if `up` dies. */
  track(p: LabProcess): void;
  /** How to reach Patroni's REST API and etcd (set once the certificates exist, step 2). */
  access: { patroni: PatroniAccess; etcd: EtcdAccess };
}
