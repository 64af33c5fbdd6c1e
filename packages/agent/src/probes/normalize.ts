/**
 * Turns a driver row into a sample value following the probe's column types:
 * node-postgres returns int8 and numeric as strings and timestamptz as Date.
 */
import type { JsonValue } from '../sample.js';
import type { ProbeColumn, ProbeRow } from './types.js';

/**
 * Normalises one value to `type`: integer/bigint -> number (a string when
 * beyond 2^53, so no precision is lost), double -> number (NaN and infinities
 * -> null), boolean, timestamptz -> ISO 8601 string, text/lsn -> string.
 * null/undefined stay null. Strings lose NUL characters (jsonb refuses \u0000).
 */
export function normalizeValue(value: unknown, type: ProbeColumn['type']): JsonValue {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'integer':
    case 'bigint': {
      if (typeof value === 'bigint')
        return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
      const n = Number(value);
      if (!Number.isFinite(n)) return null;
      return Number.isSafeInteger(n) ? n : String(value);
    }
    case 'double': {
      const n = Number(value);
      return Number.isFinite(n) ? n : null;
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 't' || value === 'true') return true;
      if (value === 'f' || value === 'false') return false;
      return Boolean(value);
    case 'timestamptz':
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
      return cleanString(String(value));
    default:
      return cleanString(value instanceof Date ? value.toISOString() : String(value));
  }
}

function cleanString(s: string): string {
  return s.includes('\u0000') ? s.replaceAll('\u0000', '') : s;
}

/**
 * Normalises a row: every declared column, in order (missing ones as null);
 * columns the probe does not declare are dropped.
 */
export function normalizeRow(row: Record<string, unknown>, columns: ProbeColumn[]): ProbeRow {
  const out: ProbeRow = {};
  for (const c of columns) out[c.name] = normalizeValue(row[c.name], c.type);
  return out;
}
