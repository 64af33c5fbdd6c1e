/**
 * Checks a probe sample against the probe's column declarations: the type
 * of every value (as the agent stores it, probes/normalize.ts) and the
 * plausibility its unit implies (sizes, counters, durations and ages are
 * never negative; percentages lie in 0-100; timestamps are not in the
 * future; LSNs look like LSNs; timelines start at 1). NULL is always
 * accepted here: where a value must not be NULL, the matrix test says so.
 */

import type { Probe, ProbeColumn } from '../probes/types.js';
import type { JsonValue } from '../sample.js';

/** Columns whose values may be negative (PostgreSQL uses -1 for "no limit"; sequences may count down). */
const MAY_BE_NEGATIVE = new Set(['connection_limit', 'last_value', 'min_value', 'max_value', 'increment_by']);
/** Percentages that may pass 100 (an age beyond its autovacuum threshold). */
const MAY_PASS_100 = /freeze_max_age_pct$/;
/** Timestamps that may lie in the future. */
const FUTURE_OK = new Set(['valid_until']);

function asBig(v: JsonValue): bigint | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  return undefined;
}

function typeProblem(c: ProbeColumn, v: JsonValue): string | undefined {
  switch (c.type) {
    case 'integer':
      return typeof v === 'number' && Number.isSafeInteger(v) && Math.abs(v) < 2 ** 31
        ? undefined
        : 'not an integer';
    case 'bigint':
      return asBig(v) === undefined ? 'not a bigint' : undefined;
    case 'double':
      return typeof v === 'number' && Number.isFinite(v) ? undefined : 'not a finite number';
    case 'boolean':
      return typeof v === 'boolean' ? undefined : 'not a boolean';
    case 'timestamptz':
      return typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? undefined : 'not a timestamp';
    case 'lsn':
      return typeof v === 'string' && /^[0-9A-F]{1,8}\/[0-9A-F]{1,8}$/.test(v) ? undefined : 'not an LSN';
    case 'text':
      return typeof v === 'string' ? undefined : 'not text';
  }
}

function unitProblem(c: ProbeColumn, v: JsonValue, nowMs: number): string | undefined {
  const n = typeof v === 'number' ? v : asBig(v) !== undefined ? Number(asBig(v)) : undefined;
  const nonNegative =
    c.counter ||
    ['bytes', 's', 'ms', 'xid', 'blocks', 'pages', 'rows', 'transactions', 'tasks'].includes(c.unit);
  if (n !== undefined && n < 0 && (nonNegative || (c.unit === 'count' && !MAY_BE_NEGATIVE.has(c.name)))) {
    return `negative (${v})`;
  }
  if (c.unit === 'percent' && n !== undefined && (n < 0 || (n > 100.0001 && !MAY_PASS_100.test(c.name)))) {
    return `percentage out of 0-100 (${v})`;
  }
  if (
    c.unit === 'timestamp' &&
    typeof v === 'string' &&
    !FUTURE_OK.has(c.name) &&
    Date.parse(v) > nowMs + 60_000
  ) {
    return `in the future (${v})`;
  }
  if (c.unit === 'timeline' && n !== undefined && n < 1) return `timeline below 1 (${v})`;
  if (c.unit === 'version' && n !== undefined && n < 90000) return `implausible version number (${v})`;
  return undefined;
}

/**
 * Problems of one sample value of `probe` ([] when fine): a missing or extra
 * column, a value of the wrong type, an implausible value for its unit.
 */
export function columnProblems(probe: Probe, value: Record<string, JsonValue>, nowMs = Date.now()): string[] {
  const out: string[] = [];
  const declared = new Set(probe.columns.map((c) => c.name));
  for (const k of Object.keys(value)) if (!declared.has(k)) out.push(`${probe.name}.${k}: not declared`);
  for (const c of probe.columns) {
    if (!(c.name in value)) {
      out.push(`${probe.name}.${c.name}: missing`);
      continue;
    }
    const v = value[c.name]!;
    if (v === null) continue;
    const p = typeProblem(c, v) ?? unitProblem(c, v, nowMs);
    if (p) out.push(`${probe.name}.${c.name} (${c.type}, ${c.unit}): ${p}: ${JSON.stringify(v)}`);
  }
  return out;
}
