/**
 * Acknowledged probe writes that are no longer on the primary: a commit the
 * old primary acknowledged but had not yet streamed to the standby that took
 * over is gone after a failover (asynchronous replication; Patroni's
 * `maximum_lag_on_failover` bounds how much). Counted from the writer's own
 * sequence numbers.
 */

import { sqlOnBackend } from '@pharos/ops/lab/backend-sql';
import type { LabSecrets } from '@pharos/ops/lab/secrets';
import { type ClusterLab, currentLeader } from './cluster.js';
import { WRITE_TABLE } from './writer.js';

/**
 * Sequence numbers among `ackedSeqs` (acknowledged writes of writer `label`)
 * that the current primary does not have, ascending.
 *
 * @throws Error when there is no leader.
 */
export async function lostWrites(
  ctx: ClusterLab & { secrets: LabSecrets },
  label: string,
  ackedSeqs: readonly number[],
): Promise<number[]> {
  if (ackedSeqs.length === 0) return [];
  const leader = await currentLeader(ctx);
  if (!leader) throw new Error('no Patroni leader');
  const rows = await sqlOnBackend(
    ctx,
    leader.address,
    'postgres',
    `SELECT a.seq FROM unnest($2::bigint[]) AS a(seq)
      WHERE NOT EXISTS (SELECT 1 FROM ${WRITE_TABLE} w WHERE w.writer = $1 AND w.seq = a.seq) ORDER BY a.seq`,
    [label, ackedSeqs],
  );
  return rows.map((r) => Number(r.seq));
}
