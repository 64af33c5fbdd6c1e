/**
 * Which probe and column names the chart routes accept (review C11: an
 * unknown probe answered 200 with empty series). A probe is known when the
 * agent's catalog declares it (contract/probe-columns.ts, generated from
 * packages/agent/src/probes) or when pem.probe has it (a newer agent's probe
 * this web instance's contract does not list yet); a field is known when the
 * catalog declares it as a column of that probe (a probe only pem.probe
 * knows is not checked column by column). Unknown names are answered 400
 * PHAROS_SERIES_PROBE_UNKNOWN (field probe) or PHAROS_SERIES_FIELD_UNKNOWN
 * (field fields).
 */
import { pharosError } from '@pharos/core/errors';
import type { Queryable } from '@pharos/core/query';
import { PROBE_COLUMNS } from '../../ui/contract/probe-columns.js';
import { type LogSink, STATEMENT_DEADLINE_MS, withFailoverRetry } from '../backend.js';

const CATALOG: Record<string, readonly string[]> = PROBE_COLUMNS;

/**
 * Checks `probe` (and `fields`, when given) against the catalog and pem.probe.
 * @throws PHAROS_SERIES_PROBE_UNKNOWN (field `probe`) or PHAROS_SERIES_FIELD_UNKNOWN (field `fields`) naming the unknown name.
 * @throws BackendFailingOverError when pem.probe must be read and the backend is unavailable.
 */
export async function checkProbeNames(
  db: Queryable,
  probe: string,
  fields: readonly string[] | undefined,
  logger?: LogSink,
): Promise<void> {
  const columns = Object.hasOwn(CATALOG, probe) ? CATALOG[probe] : undefined;
  if (!columns) {
    const rows = await withFailoverRetry(
      async () =>
        (
          await db.query<{ n: number }>('SELECT count(*)::int AS n FROM pem.probe WHERE name = $1', [probe], {
            deadlineMs: STATEMENT_DEADLINE_MS,
          })
        ).rows,
      { logger, what: 'read probe names' },
    );
    if ((rows[0]?.n ?? 0) === 0)
      throw pharosError('PHAROS_SERIES_PROBE_UNKNOWN', { probe }, { field: 'probe' });
    return;
  }
  const unknown = (fields ?? []).filter((f) => !columns.includes(f));
  if (unknown.length > 0)
    throw pharosError(
      'PHAROS_SERIES_FIELD_UNKNOWN',
      { probe, fields: unknown.map((f) => `'${f}'`).join(', '), columns: columns.join(', ') },
      { field: 'fields' },
    );
}
