/**
 * When some fields of one object of a probe changed value over a time range
 * (e.g. table_stats' last_vacuum, last_autovacuum, last_analyze and
 * last_autoanalyze of one table: each new value is one VACUUM or ANALYZE
 * the agent saw, at the probe's granularity). Values are the JSON texts the
 * agent wrote (timestamps as ISO 8601); the first sample of the range gives
 * each field's value in force at its start.
 *
 * Source of facts: pemhistory.sample (one row per sample, 001_initial.sql) and
 * the compacted days (019_history_blocks.sql), read through pem.history_samples.
 */
import type { Queryable } from '@pharos/core/query';
import { type LogSink, withFailoverRetry } from '../backend.js';
import { SERIES_DEADLINE_MS } from './series-query.js';
import { type FieldChange, MAX_CHANGES } from './shapes/changes.js';

export type { FieldChange };
export { MAX_CHANGES };

/** What to read. */
export interface ChangesRequest {
  serverId: number;
  probe: string;
  object: string;
  fields: string[];
  fromS: number;
  toS: number;
}

const CHANGES_SQL = `
SELECT field, value, at FROM (
  SELECT f.field, s.value ->> f.field AS value, s.collected_at AS at,
         lag(s.value ->> f.field) OVER (PARTITION BY f.field ORDER BY s.collected_at) AS prev
    FROM pem.history_samples($1, $2, $5::timestamptz, $6::timestamptz, $4::text[]) s
    CROSS JOIN unnest($4::text[]) AS f(field)
   WHERE s.object = $3) x
 WHERE x.value IS NOT NULL AND x.value IS DISTINCT FROM x.prev
 ORDER BY at DESC, field
 LIMIT ${MAX_CHANGES}`;

/** Reads the changes (newest first). Throws BackendFailingOverError. */
export async function readChanges(
  db: Queryable,
  req: ChangesRequest,
  logger?: LogSink,
): Promise<FieldChange[]> {
  const iso = (s: number) => new Date(s * 1000).toISOString();
  const rows = await withFailoverRetry(
    async () =>
      (
        await db.query<{ field: string; value: string; at: Date }>(
          CHANGES_SQL,
          [req.serverId, req.probe, req.object, req.fields, iso(req.fromS), iso(req.toS)],
          { deadlineMs: SERIES_DEADLINE_MS },
        )
      ).rows,
    { logger, what: 'read changes' },
  );
  return rows.map((r) => ({ field: r.field, value: r.value, at: new Date(r.at).toISOString() }));
}
