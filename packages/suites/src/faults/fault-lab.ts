/**
 * What a fault needs to know about a running lab, and the timeline a fault
 * reports back.
 */

import type { EtcdAccess, PatroniAccess } from '@pharos/ops/lab/access';
import type { LabSecrets } from '@pharos/ops/lab/secrets';
import type { LabState } from '@pharos/ops/lab/state';
import type { Topology } from '@pharos/ops/topology/types';

/** A running lab: its topology, secrets, directory and state (lab.json, kept current by restarts). */
export interface FaultLab {
  topo: Topology;
  secrets: LabSecrets;
  dir: string;
  state: LabState;
  /** How to reach Patroni's REST API and etcd (access.ts labAccess). */
  access: { patroni: PatroniAccess; etcd: EtcdAccess };
}

/** When a fault began and when the cluster was healthy again (ms since the epoch), with what happened. */
export interface FaultTimeline {
  /** The fault's name, e.g. 'switchover'. */
  fault: string;
  startedMs: number;
  /** When the cluster was back to one leader and streaming replicas (or the agent ran again). */
  recoveredMs: number;
  /** Notable moments relative to `startedMs`, ms (e.g. newLeader: 28400). */
  marks: Record<string, number>;
  /** Free-form facts (old and new leader...). */
  notes: string[];
}

/** A fresh timeline starting now. */
export function startTimeline(fault: string): FaultTimeline {
  return { fault, startedMs: Date.now(), recoveredMs: 0, marks: {}, notes: [] };
}

/** Records `name` at now, relative to the timeline's start. */
export function mark(t: FaultTimeline, name: string): void {
  t.marks[name] = Date.now() - t.startedMs;
}
