/**
 * The parameters built-in alert templates read from `$4` (docs/alerts.md
 * "Templates"): a template's `params` (pem.alert_template.params) merged
 * with an alert's overrides (pem.alert.params). Templates over probe columns
 * take the probe and column from them, so `probe` must name a probe and
 * `column` one of its columns (probe-columns.ts); a custom template may read
 * keys of its own, which are not checked.
 */
import { PROBE_COLUMNS } from './probe-columns.js';

/** Known parameter -> its JSON type and meaning. */
export const ALERT_TEMPLATE_PARAMS = {
  probe: { type: 'string', meaning: 'the probe whose latest values the template reads' },
  column: { type: 'string', meaning: 'the column of that probe holding the value' },
  max_age_s: { type: 'number', meaning: 'values older than this many seconds count as no data' },
  min_rows: { type: 'number', meaning: 'only tables of at least this many rows count' },
} as const;

/** A known parameter's name. */
export type AlertTemplateParam = keyof typeof ALERT_TEMPLATE_PARAMS;

const has = (o: object, k: string) => Object.hasOwn(o, k);

/**
 * What is wrong with an alert's effective parameters `params` (template's
 * merged with the alert's): a known parameter of the wrong JSON type, a
 * `probe` that is not a probe, a `column` its probe does not have (`column`
 * without `probe` is not checked: the template names the probe in its SQL).
 * @returns one sentence per problem, naming the parameter; empty when none.
 */
export function alertParamsProblems(params: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  for (const [name, spec] of Object.entries(ALERT_TEMPLATE_PARAMS)) {
    const value = params[name];
    if (value !== undefined && typeof value !== spec.type)
      problems.push(`${name} must be a ${spec.type} (${spec.meaning}), not ${JSON.stringify(value)}`);
  }
  const { probe, column } = params;
  if (typeof probe !== 'string') return problems;
  if (!has(PROBE_COLUMNS, probe)) {
    problems.push(`probe ${JSON.stringify(probe)} is not a probe`);
    return problems;
  }
  const columns: readonly string[] = PROBE_COLUMNS[probe as keyof typeof PROBE_COLUMNS];
  if (typeof column === 'string' && !columns.includes(column))
    problems.push(
      `column ${JSON.stringify(column)} is not a column of probe ${probe} (it has ${columns.join(', ')})`,
    );
  return problems;
}
