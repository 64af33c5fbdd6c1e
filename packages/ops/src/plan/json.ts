/**
 * A plan as data (`pharos plan --format json`), for tools and tests.
 */
import type { Topology } from '../topology/types.js';
import type { Plan, PlanHost } from './types.js';

export interface PlanFileJson {
  path: string;
  /** Octal mode as text, e.g. "0600". */
  mode: string;
  secret: boolean;
  description: string;
  /** Absent for secret files (private keys, passwords): read them from the written plan. */
  content?: string;
}

export interface PlanJson {
  topology: Topology;
  hosts: PlanHost[];
  files: PlanFileJson[];
}

/**
 * The plan as a JSON-ready object: the validated topology (defaults filled
 * in), the hosts with roles and agent ids, and every file with its path,
 * mode and purpose; the content of secret files is left out so the output
 * can be logged.
 */
export function planToJson(plan: Plan): PlanJson {
  return {
    topology: plan.topology,
    hosts: plan.hosts,
    files: plan.files.map((f) => ({
      path: f.path,
      mode: `0${f.mode.toString(8)}`,
      secret: f.secret,
      description: f.description,
      ...(f.secret ? {} : { content: f.content }),
    })),
  };
}
