/**
 * `pharos plan` as a function: topology file in, plan (and files) out.
 */
import type { PatroniSecrets } from '../render/patroni-users.js';
import { loadTopology } from '../topology/load.js';
import { buildPlan } from './build.js';
import type { Plan } from './types.js';
import { writePlan } from './write.js';

/**
 * Loads and validates `topologyFile`, builds its plan and, when `outDir` is
 * given, writes it there. Validation runs first: on an invalid topology
 * nothing is written.
 * @returns the plan and the absolute paths written (empty without outDir).
 * @throws InputError (exit code 2) for an unreadable or invalid topology (every
 *   problem listed) or an `outDir` that exists and is not empty.
 */
export async function runPlan(opts: {
  topologyFile: string;
  outDir?: string;
  secrets?: PatroniSecrets;
}): Promise<{ plan: Plan; written: string[] }> {
  const topo = loadTopology(opts.topologyFile);
  const plan = await buildPlan(topo, opts.secrets ? { secrets: opts.secrets } : {});
  const written = opts.outDir === undefined ? [] : await writePlan(plan, opts.outDir);
  return { plan, written };
}
