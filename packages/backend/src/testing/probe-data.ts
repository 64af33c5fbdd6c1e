/**
 * Test support: probe data as agents would ship it (rows of pemdata.latest,
 * and pemhistory.sample), and making alerts due now, so tests drive
 * evaluation without waiting for intervals.
 */
import type { Queryable } from '@pharos/core/query';

let sampleId = 1_000_000;

/** One latest value. `serverId` 0 = the agent's own host. `collectedAt` defaults to now. */
export interface LatestValue {
  agentId: number;
  serverId?: number;
  probe: string;
  object?: string;
  value: Record<string, unknown>;
  collectedAt?: Date;
  /** Also append it to pemhistory.sample (default false). */
  history?: boolean;
}

/** Upserts the latest value (and optionally a history row). */
export async function setLatest(db: Queryable, v: LatestValue): Promise<void> {
  const id = sampleId++;
  const at = v.collectedAt ?? new Date();
  const params = [v.agentId, v.serverId ?? 0, v.probe, v.object ?? '', id, at, JSON.stringify(v.value)];
  await db.query(
    `INSERT INTO pemdata.latest (agent_id, server_id, probe, object, sample_id, collected_at, value)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (agent_id, server_id, probe, object) DO UPDATE
       SET sample_id = excluded.sample_id, collected_at = excluded.collected_at, value = excluded.value`,
    params,
  );
  if (v.history) {
    await db.query(
      `INSERT INTO pemhistory.sample (agent_id, server_id, probe, object, sample_id, collected_at, value)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      params,
    );
  }
}

/** Makes alerts due now: those of `template` (all when undefined), optionally only for one agent/server. */
export async function makeDue(
  db: Queryable,
  filter: { template?: string; agentId?: number; serverId?: number; ids?: number[] } = {},
): Promise<number> {
  const r = await db.query(
    `UPDATE pem.alert SET next_due = now() - interval '1 millisecond'
      WHERE ($1::text IS NULL OR template = $1) AND ($2::int IS NULL OR agent_id = $2)
        AND ($3::int IS NULL OR server_id = $3) AND ($4::int[] IS NULL OR id = ANY ($4))`,
    [filter.template ?? null, filter.agentId ?? null, filter.serverId ?? null, filter.ids ?? null],
  );
  return r.rowCount;
}

/** The alert of `template` bound to agent `agentId` or server `serverId` (object ''). */
export async function alertOf(
  db: Queryable,
  template: string,
  on: { agentId?: number; serverId?: number; object?: string },
): Promise<Record<string, unknown> & { id: number; state: string }> {
  const r = await db.query<Record<string, unknown> & { id: number; state: string }>(
    `SELECT * FROM pem.alert WHERE template = $1 AND agent_id IS NOT DISTINCT FROM $2 AND server_id IS NOT DISTINCT FROM $3 AND object = $4`,
    [template, on.agentId ?? null, on.serverId ?? null, on.object ?? ''],
  );
  if (!r.rows[0]) throw new Error(`no alert ${template} on ${JSON.stringify(on)}`);
  return r.rows[0];
}
