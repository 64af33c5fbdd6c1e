/**
 * The agents' own write gap during a fault, from the backend's record of
 * acknowledged batches: `pem.ship_batch.received_at` (the `now()` of the
 * shipping transaction, so the start of each committed batch). Only batches
 * that survived on the current primary count, which is what "acknowledged and
 * kept" means.
 */

import { sqlOnBackend } from '@pharos/ops/lab/backend-sql';
import type { LabSecrets } from '@pharos/ops/lab/secrets';
import { type ClusterLab, currentLeader } from './cluster.js';
import { longestGap } from './gap.js';

/** Longest time without a stored batch, ms: from any agent, and per agent id. */
export interface ShipGaps {
  anyAgentMs: number;
  perAgentMs: Map<number, number>;
}

/** One stored batch: its agent and `received_at` (ms since the epoch). */
export interface ShipBatchTime {
  agentId: number;
  atMs: number;
}

/**
 * The batches stored from 5 minutes before `fromMs` to `toMs` (ms since the
 * epoch), oldest first, read on the current primary as patroni_super.
 *
 * @throws Error when there is no leader.
 */
export async function shipBatchTimes(
  ctx: ClusterLab & { secrets: LabSecrets },
  fromMs: number,
  toMs: number,
): Promise<ShipBatchTime[]> {
  const leader = await currentLeader(ctx);
  if (!leader) throw new Error('no Patroni leader');
  const rows = await sqlOnBackend(
    ctx,
    leader.address,
    'pem',
    `SELECT agent_id, (extract(epoch FROM received_at) * 1000)::float8 AS t FROM pem.ship_batch
      WHERE received_at BETWEEN to_timestamp($1 / 1000.0) - interval '5 minutes' AND to_timestamp($2 / 1000.0)
      ORDER BY received_at`,
    [fromMs, toMs],
  );
  return rows.map((r) => ({ agentId: Number(r.agent_id), atMs: Number(r.t) }));
}

/**
 * Ship gaps in the window [`fromMs`, `toMs`] (ms since the epoch), computed
 * with {@link longestGap} over the batch times of each agent and of all
 * agents together ({@link shipBatchTimes}).
 *
 * @throws Error when there is no leader.
 */
export async function shipGaps(
  ctx: ClusterLab & { secrets: LabSecrets },
  fromMs: number,
  toMs: number,
): Promise<ShipGaps> {
  const rows = await shipBatchTimes(ctx, fromMs, toMs);
  const all = rows.map((r) => r.atMs);
  const by = new Map<number, number[]>();
  for (const r of rows) {
    if (!by.has(r.agentId)) by.set(r.agentId, []);
    by.get(r.agentId)!.push(r.atMs);
  }
  const perAgentMs = new Map<number, number>();
  for (const [id, ts] of by) perAgentMs.set(id, longestGap(ts, fromMs, toMs).gapMs);
  return { anyAgentMs: longestGap(all, fromMs, toMs).gapMs, perAgentMs };
}
