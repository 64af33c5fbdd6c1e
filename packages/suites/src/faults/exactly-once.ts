/**
 * "Every sample the agents recorded is in the backend exactly once", checked
 * per agent by sample id against what the agent's own spool acknowledged.
 * The unit the backend acknowledges is the batch: `pem.ingest_batch` records
 * each stored batch in `pem.ship_batch` (id range and count) in the same
 * transaction as its samples, and keeps in `pemhistory.sample` the samples
 * it is meant to keep — all of them, or since migration 4 only the change
 * points of probes with history_mode 'changes', counted in
 * `ship_batch.stored_count`. So:
 *
 * 1. wait until every agent has shipped a sample collected after the check
 *    began (batches ship in sample id order, so everything recorded before
 *    is then stored or in the batch being acknowledged);
 * 2. read each spool's `consumedThrough` C (every id up to C was acknowledged
 *    by a COMMIT, or dropped when the spool was full: `droppedSamples`);
 * 3. on the primary: lost = ids in [first stored, C] that no stored batch
 *    covers (leaving out ids a killed agent handed out in memory but never
 *    made durable: spool-view.ts afterKill); duplicated = ids covered by two
 *    batches plus history rows stored twice (same agent and sample id);
 *    holes = ids missing between the first and the last stored batch; and
 *    the history rows must be exactly the ones the batches say were kept
 *    (sum of stored_count, or of sample_count before migration 4).
 */

import { sqlOnBackend } from '@pharos/ops/lab/backend-sql';
import { labLayout } from '@pharos/ops/lab/layout';
import type { LabSecrets } from '@pharos/ops/lab/secrets';
import { agentHosts } from '@pharos/ops/topology/hosts';
import { waitFor } from '@pharos/testkit/wait/wait-for';
import { coverage, type IdRange, overlap, type StoredBatch } from './batch-coverage.js';
import { type ClusterLab, currentLeader } from './cluster.js';
import { readSpoolState, spoolDirOf } from './spool-view.js';

export type { IdRange } from './batch-coverage.js';

/** The result for one agent. */
export interface AgentTally {
  agentId: number;
  host: string;
  /** Stored batches (pem.ship_batch rows). */
  batches: number;
  firstId: number;
  lastId: number;
  /** The spool's consumedThrough when checked. */
  acknowledgedThrough: number;
  /** Ids in [firstId, acknowledgedThrough] that must be covered by a stored batch. */
  expected: number;
  duplicates: number;
  lost: number;
  /** Ids missing between the first and last stored batch (explained skips left out). */
  holes: number;
  /** Ids never made durable by a killed agent (not counted as lost). */
  skipped: number;
  droppedSamples: number;
  /** Batches whose count is not the size of their id range. */
  irregularBatches: number;
  /** Rows in pemhistory.sample, distinct sample ids among them, and the rows the batches say were kept. */
  historyRows: number;
  historyDistinct: number;
  historyKept: number;
  /** A few missing or duplicated ids, for the message. */
  examples: string[];
}

/** Context of {@link checkExactlyOnce}. */
export interface CheckContext extends ClusterLab {
  /** patroni_super's password is what the check logs in with (from 127.0.0.1). */
  secrets: Pick<LabSecrets, 'patroni_super'>;
  /** The lab's directory (the spools are in its host directories)... */
  dir: string;
  /** ...unless the agents' spool directories are elsewhere: the deployment test reads them in its hosts' roots. */
  spoolDirOf?: (host: { name: string; agentId: number }) => string;
}

async function sqlOnLeader(ctx: CheckContext, sql: string, params: unknown[] = []) {
  const leader = await currentLeader(ctx);
  if (!leader) throw new Error('no Patroni leader');
  return sqlOnBackend(ctx, leader.address, 'pem', sql, params);
}

/**
 * Runs the check (see the module note) for every agent of the topology.
 * `skipped` maps an agent id to id ranges a killed agent never made durable.
 * Waits up to `timeoutMs` (default 120 s) for step 1; throws when an agent
 * ships nothing new in that time. Resolves with one tally per agent.
 */
export async function checkExactlyOnce(
  ctx: CheckContext,
  skipped: ReadonlyMap<number, readonly IdRange[]> = new Map(),
  timeoutMs = 120_000,
): Promise<AgentTally[]> {
  const agents = agentHosts(ctx.topo);
  const layout = labLayout(ctx.dir);
  const spoolDirs = new Map(
    agents.map((a) => [
      a.agentId,
      ctx.spoolDirOf ? ctx.spoolDirOf(a) : spoolDirOf(`${layout.pharosDir(a.name)}/agent.yml`),
    ]),
  );
  const since = new Date().toISOString();
  await waitFor(
    'every agent to ship a sample collected after the fault',
    async () => {
      const rows = await sqlOnLeader(
        ctx,
        'SELECT agent_id, max(collected_at) > $1::timestamptz AS fresh FROM pemdata.latest GROUP BY agent_id',
        [since],
      );
      const fresh = new Set(rows.filter((r) => r.fresh === true).map((r) => Number(r.agent_id)));
      const behind = agents.filter((a) => !fresh.has(a.agentId)).map((a) => a.agentId);
      if (behind.length > 0) throw new Error(`agents without new samples: ${behind.join(', ')}`);
      return true;
    },
    { deadlineMs: timeoutMs, intervalMs: 500 },
  );
  const acked = new Map(agents.map((a) => [a.agentId, readSpoolState(spoolDirs.get(a.agentId)!)]));
  const [col] = await sqlOnLeader(
    ctx,
    `SELECT count(*)::int AS n FROM information_schema.columns
      WHERE table_schema = 'pem' AND table_name = 'ship_batch' AND column_name = 'stored_count'`,
  );
  const kept = Number(col!.n) > 0 ? 'coalesce(stored_count, sample_count)' : 'sample_count';
  const tallies: AgentTally[] = [];
  for (const a of agents) {
    const st = acked.get(a.agentId)!;
    const skips = skipped.get(a.agentId) ?? [];
    // One statement, so the batches and the history rows come from one snapshot; the history
    // through pem.history_samples: hot rows and compacted days alike (migration 019).
    const [r] = await sqlOnLeader(
      ctx,
      `WITH h AS MATERIALIZED (SELECT sample_id FROM pem.history_samples(NULL, NULL, '-infinity', 'infinity', '{}')
                               WHERE agent_id = $1)
       SELECT (SELECT coalesce(json_agg(json_build_array(first_sample_id, last_sample_id, sample_count, ${kept})), '[]')
                 FROM pem.ship_batch WHERE agent_id = $1 AND sample_count > 0) AS batches,
              (SELECT count(*) FROM h)::bigint AS n, (SELECT count(DISTINCT sample_id) FROM h)::bigint AS d`,
      [a.agentId],
    );
    const list = (typeof r!.batches === 'string' ? JSON.parse(r!.batches) : r!.batches) as number[][];
    const batches: StoredBatch[] = list.map(([f, l, n]) => ({
      first: Number(f),
      last: Number(l),
      sampleCount: Number(n),
    }));
    const historyKept = list.reduce((n, b) => n + Number(b[3]), 0);
    const firstId = Math.min(...batches.map((b) => b.first));
    const lastId = Math.max(...batches.map((b) => b.last));
    const C = st.consumedThrough;
    const toC = coverage(batches, firstId, C, skips);
    const all = coverage(batches, firstId, lastId, skips);
    const historyRows = Number(r!.n);
    const historyDistinct = Number(r!.d);
    tallies.push({
      agentId: a.agentId,
      host: a.name,
      batches: batches.length,
      firstId,
      lastId,
      acknowledgedThrough: C,
      expected: C - firstId + 1 - overlap(skips, firstId, C),
      duplicates: all.duplicated + (historyRows - historyDistinct),
      lost: toC.missing,
      holes: all.missing,
      skipped: overlap(skips, firstId, lastId),
      droppedSamples: st.droppedSamples,
      irregularBatches: all.irregular,
      historyRows,
      historyDistinct,
      historyKept,
      examples: all.examples,
    });
  }
  return tallies;
}

/**
 * One line per agent that is not exactly once (empty when all are): lost,
 * duplicated, holes, dropped, irregular batches, history rows not matching
 * what the batches kept, nothing acknowledged.
 */
export function exactlyOnceProblems(tallies: readonly AgentTally[]): string[] {
  const out: string[] = [];
  for (const t of tallies) {
    const issues: string[] = [];
    if (t.lost > 0) issues.push(`${t.lost} acknowledged samples in no stored batch`);
    if (t.duplicates > 0) issues.push(`${t.duplicates} stored twice`);
    if (t.holes > 0) issues.push(`${t.holes} ids missing between first and last stored batch`);
    if (t.droppedSamples > 0) issues.push(`${t.droppedSamples} dropped by a full spool`);
    if (t.irregularBatches > 0)
      issues.push(`${t.irregularBatches} batches whose count differs from their id range`);
    if (t.historyRows !== t.historyKept)
      issues.push(`history has ${t.historyRows} rows, the batches kept ${t.historyKept}`);
    if (!(t.expected > 0)) issues.push('nothing acknowledged');
    if (issues.length > 0)
      out.push(`agent ${t.agentId} (${t.host}): ${issues.join('; ')} ${t.examples.join('; ')}`.trim());
  }
  return out;
}
