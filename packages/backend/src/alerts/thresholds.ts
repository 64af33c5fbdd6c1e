/**
 * Thresholds and states in TypeScript, the same rules as the SQL functions
 * `pem.alert_thresholds_problem` and `pem.alert_state_for`
 * (sql/functions/alerts/), for validating input before it is written.
 */

/** Alert states; a return to none is the "cleared" event. */
export type AlertState = 'none' | 'low' | 'medium' | 'high';

/** Comparison operator of an alert: raise when the value is above (>) or below (<) a threshold. */
export type AlertOperator = '>' | '<';

/** Operator and the three thresholds (docs/reference/pem-facts.md §5: all required). */
export interface Thresholds {
  operator: AlertOperator;
  low: number;
  medium: number;
  high: number;
}

/**
 * Undefined when `t` is usable, else a message: the operator must be > or <,
 * every threshold a finite number, and in order (> : low <= medium <= high;
 * < : low >= medium >= high).
 */
export function thresholdsProblem(input: Partial<Record<keyof Thresholds, unknown>>): string | undefined {
  if (input.operator !== '>' && input.operator !== '<')
    return `operator '${String(input.operator)}' is neither > nor <`;
  for (const k of ['low', 'medium', 'high'] as const) {
    const v = input[k];
    if (typeof v !== 'number' || !Number.isFinite(v)) return `threshold ${k} must be a finite number`;
  }
  const t = input as Thresholds;
  const ok =
    t.operator === '>' ? t.low <= t.medium && t.medium <= t.high : t.low >= t.medium && t.medium >= t.high;
  if (ok) return undefined;
  const need = t.operator === '>' ? 'low <= medium <= high' : 'low >= medium >= high';
  return `thresholds out of order for operator ${t.operator}: low ${t.low}, medium ${t.medium}, high ${t.high} (need ${need})`;
}

/** The state `value` puts an alert with thresholds `t` in (null = no data = none). */
export function stateFor(value: number | null, t: Thresholds): AlertState {
  if (value === null || Number.isNaN(value)) return 'none';
  const over = (x: number) => (t.operator === '>' ? value > x : value < x);
  if (over(t.high)) return 'high';
  if (over(t.medium)) return 'medium';
  if (over(t.low)) return 'low';
  return 'none';
}
/** The field a thresholds problem is about: the operator, a threshold that is not a number, or all three (order). */
export function thresholdsField(t: Partial<Record<keyof Thresholds, unknown>>): string {
  if (t.operator !== '>' && t.operator !== '<') return 'operator';
  for (const k of ['low', 'medium', 'high'] as const)
    if (typeof t[k] !== 'number' || !Number.isFinite(t[k])) return k;
  return 'thresholds';
}
