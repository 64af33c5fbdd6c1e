/**
 * A plan: every artefact of a deployment, per host, in memory. buildPlan
 * makes it, writePlan puts it on disk, planToJson shows it as data.
 */
import type { HostRole } from '../topology/hosts.js';
import type { Topology } from '../topology/types.js';

/** The playbook phase (Ansible role) that places a file on its host (deploy/). */
export type InstallPhase = 'etcd' | 'patroni' | 'ssl' | 'pharos' | 'firewall';

/**
 * Where a plan file goes on its host: the Ansible playbook copies every file
 * of a host that has an `install` in the role of `phase`, generically, so
 * whatever the plan renders flows to the hosts.
 */
export interface PlanInstall {
  /** Absolute path on the host; `{data_dir}` stands for the topology's PostgreSQL data directory. */
  dest: string;
  owner: string;
  group: string;
  mode: number;
  phase: InstallPhase;
}

/** One file of the plan. */
export interface PlanFile {
  /** Path relative to the plan directory, `/`-separated: `pem-backend-1/patroni.yml`, `ca/root.key`, `RUNBOOK.md`. */
  path: string;
  content: string;
  /** File mode: 0o600 for keys and files holding passwords, 0o755 for scripts, 0o644 otherwise. */
  mode: number;
  /** Holds a private key or a password: never printed (planToJson leaves the content out). */
  secret: boolean;
  /** What the file is and where it goes on the host. */
  description: string;
  /** Where the playbook places it (one entry per destination); none for files used from the controller. */
  install?: PlanInstall[];
}

/** One machine of the deployment. */
export interface PlanHost {
  name: string;
  address: string;
  roles: HostRole[];
  /** Agent id (1..N, backends then web apps) on backends and web apps. */
  agentId?: number;
  /** Database user of that agent (`agentN` or the common agent user). */
  agentUser?: string;
}

export interface Plan {
  topology: Topology;
  hosts: PlanHost[];
  /** Every file, host directories first (in host order), then `ca/`, then RUNBOOK.md. */
  files: PlanFile[];
}
