/**
 * Turns the rows of one probe run into samples.
 */
import type { JsonValue, NewSample } from '../sample.js';
import { normalizeRow } from './normalize.js';
import { redactSecrets } from './redact-secrets.js';
import type { Probe } from './types.js';

/**
 * One sample per row: `object` from the probe's `objectColumn` ('' when it has
 * none or the value is NULL), prefixed with `objectPrefix` (database probes:
 * `<database>/`), `value` the row normalised to the probe's columns.
 * `collectedAt` is a Date (the start of the run). Every text value passes
 * through redactSecrets (a password typed in SQL never leaves the agent,
 * whichever probe, built-in or custom, read it).
 */
export function rowsToSamples(
  probe: Probe,
  rows: readonly Record<string, unknown>[],
  serverId: number,
  collectedAt: Date,
  objectPrefix = '',
): NewSample[] {
  const at = collectedAt.toISOString();
  return rows.map((row) => {
    const obj = probe.objectColumn === undefined ? undefined : row[probe.objectColumn];
    const name = obj === null || obj === undefined ? '' : String(obj);
    return {
      probe: probe.name,
      serverId,
      object: objectPrefix === '' ? name : `${objectPrefix}${name}`,
      collectedAt: at,
      value: redactTexts(normalizeRow(row, probe.columns)),
    };
  });
}

/** The row with every string value passed through redactSecrets. */
function redactTexts<T extends Record<string, JsonValue>>(value: T): T {
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'string') (value as Record<string, JsonValue>)[k] = redactSecrets(v);
  }
  return value;
}
