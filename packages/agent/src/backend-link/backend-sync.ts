/**
 * What the agent tells the backend about its probes and reads back from it:
 * how its catalog compares with the backend's (`pem.agent_sync_probes`: the
 * catalogue ships with the backend's release, packages/backend/sql/catalogue/
 * probes.sql, and agents never write it), the per-object settings
 * (`pem.agent_probe_config`, every short wait), and probe failures
 * (`pem.log_probe_failures`, in batches from {@link ProbeLogQueue}).
 */

import type { Queryable } from '@pharos/core/query';
import type { ProbeConfigRow } from '../monitor/probe-settings.js';
import type { ProbeFailure } from '../monitor/sink.js';
import type { Probe } from '../probes/types.js';
import { DEFAULT_RETENTION_DAYS } from '../probes/types.js';

/** The statement calls, as sent. */
export const SYNC_PROBES_SQL = 'SELECT pem.agent_sync_probes($1, $2::jsonb) AS added';
export const PROBE_CONFIG_SQL =
  'SELECT probe, scope, server_id, database, interval_s, enabled FROM pem.agent_probe_config($1)';
export const LOG_FAILURES_SQL = 'SELECT pem.log_probe_failures($1, $2::jsonb) AS logged';

/**
 * The catalog's descriptive part, as `pem.agent_sync_probes` takes it and the
 * backend's catalogue file holds it (probes/catalogue-sql.ts).
 */
export function catalogJson(probes: readonly Probe[]): Record<string, unknown>[] {
  return probes.map((p) => ({
    name: p.name,
    level: p.level,
    runs_on: p.runsOn,
    interval_s: p.intervalS,
    timeout_ms: p.timeoutMs,
    enabled: p.enabledByDefault ?? true,
    enabled_on: p.defaultOn ?? 'all',
    history_mode: p.history ?? 'all',
    retention_days: p.retentionDays ?? DEFAULT_RETENTION_DAYS,
    description: p.description,
    columns: p.columns.map((c) => ({
      name: c.name,
      type: c.type,
      unit: c.unit,
      counter: c.counter === true,
    })),
    counter_columns: p.columns.filter((c) => c.counter).map((c) => c.name),
  }));
}

/**
 * Compares the catalog with the backend's; resolves with the number of these
 * probes the backend's catalogue lacks (the backend is older than this
 * agent: they run on their definitions' defaults). The backend stores
 * nothing; a backend of a release from before the catalogue shipped with it
 * still adds them (the whole catalog is sent, as those expect).
 */
export async function checkCatalog(
  db: Queryable,
  agentId: number,
  probes: readonly Probe[],
): Promise<number> {
  const r = await db.query<{ added: number }>(SYNC_PROBES_SQL, [
    agentId,
    JSON.stringify(catalogJson(probes)),
  ]);
  return Number(r.rows[0]?.added ?? 0);
}

/** Reads the agent's probe settings. */
export async function readProbeConfig(db: Queryable, agentId: number): Promise<ProbeConfigRow[]> {
  return (await db.query<ProbeConfigRow>(PROBE_CONFIG_SQL, [agentId])).rows;
}

/** Most failures kept while the backend cannot be reached; older ones are dropped (and counted). */
export const PROBE_LOG_QUEUE_MAX = 10_000;
const BATCH = 500;

/** Probe failures waiting to be written to `pem.probe_log`. */
export class ProbeLogQueue {
  private queue: ProbeFailure[] = [];
  /** Failures dropped because the queue was full. */
  dropped = 0;

  /** Queues one failure. */
  push(f: ProbeFailure): void {
    this.queue.push(f);
    const over = this.queue.length - PROBE_LOG_QUEUE_MAX;
    if (over > 0) {
      this.queue.splice(0, over);
      this.dropped += over;
    }
  }

  /** Failures waiting. */
  get length(): number {
    return this.queue.length;
  }

  /**
   * Writes the queued failures in batches; a batch leaves the queue once
   * written. Throws the first error (what is left stays queued).
   */
  async flush(db: Queryable, agentId: number): Promise<number> {
    let written = 0;
    while (this.queue.length > 0) {
      const batch = this.queue.slice(0, BATCH);
      const rows = batch.map((f) => ({
        server_id: f.serverId,
        probe: f.probe,
        object: f.object,
        failed_at: f.failedAt,
        error: f.error,
        code: f.code ?? null,
      }));
      await db.query(LOG_FAILURES_SQL, [agentId, JSON.stringify(rows)]);
      this.queue.splice(0, batch.length);
      written += batch.length;
    }
    return written;
  }
}
