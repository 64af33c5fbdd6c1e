/**
 * Which probe and column names the chart routes accept (review C11: an
 * unknown probe answered 200 with empty series). A probe is known when the
 * agent's catalog declares it (contract/probe-columns.ts, generated from
 * packages/agent/src/probes) or when pem.probe has it (a newer agent's probe
 * this web instance's contract does not list yet); a field is known when the
 * catalog declares it as a column of that probe (a probe only pem.probe
 * knows is not checked column by column). Unknown names are InputErrors
 * naming the field, answered 400.
 */
import { InputError } from '@pharos/core/errors';
import { PROBE_COLUMNS } from '../../ui/contract/probe-columns.js';
import { type Backend, type LogSink, STATEMENT_DEADLINE_MS, withFailoverRetry } from '../backend.js';

const CATALOG: Record<string, readonly string[]> = PROBE_COLUMNS;

/**
 * Checks `probe` (and `fields`, when given) against the catalog and pem.probe.
 * @throws InputError (field `probe` or `fields`) naming the unknown name.
 * @throws BackendFailingOverError when pem.probe must be read and the backend is unavailable.
 */
export async function checkProbeNames(
  db: Backend,
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
    if ((rows[0]?.n ?? 0) === 0) throw new InputError(`probe: no probe named '${probe}'`, { field: 'probe' });
    return;
  }
  const unknown = (fields ?? []).filter((f) => !columns.includes(f));
  if (unknown.length > 0)
    throw new InputError(
      `fields: probe ${probe} has no column ${unknown.map((f) => `'${f}'`).join(', ')} (its columns: ${columns.join(', ')})`,
      { field: 'fields' },
    );
}
