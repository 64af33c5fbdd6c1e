/**
 * Short constructors for probe columns, so probe files read as a list of
 * what they collect. Types and units: probes/types.ts.
 */
import type { ColumnType, ColumnUnit, ProbeColumn } from './types.js';

/** A cumulative counter (bigint unless given): stored raw, turned into a rate on the read side. */
export function counter(name: string, unit: ColumnUnit = 'count', type: ColumnType = 'bigint'): ProbeColumn {
  return { name, type, unit, counter: true };
}

/** A cumulative time counter in milliseconds (double), e.g. `blk_read_time_ms`. */
export function counterMs(name: string): ProbeColumn {
  return { name, type: 'double', unit: 'ms', counter: true };
}

/** A gauge of the given type and unit. */
export function gauge(name: string, type: ColumnType, unit: ColumnUnit): ProbeColumn {
  return { name, type, unit };
}

/** A count (integer gauge). */
export function count(name: string): ProbeColumn {
  return { name, type: 'integer', unit: 'count' };
}

/** A size in bytes (bigint gauge). */
export function bytes(name: string): ProbeColumn {
  return { name, type: 'bigint', unit: 'bytes' };
}

/** A percentage 0-100 (double), NULL when undefined. */
export function pct(name: string): ProbeColumn {
  return { name, type: 'double', unit: 'percent' };
}

/** A duration or age in seconds (double). */
export function seconds(name: string): ProbeColumn {
  return { name, type: 'double', unit: 's' };
}

/** A text value. */
export function text(name: string): ProbeColumn {
  return { name, type: 'text', unit: 'text' };
}

/** A boolean. */
export function bool(name: string): ProbeColumn {
  return { name, type: 'boolean', unit: 'boolean' };
}

/** A point in time. */
export function timestamp(name: string): ProbeColumn {
  return { name, type: 'timestamptz', unit: 'timestamp' };
}

/** A WAL location as text (`0/3000060`). */
export function lsn(name: string): ProbeColumn {
  return { name, type: 'lsn', unit: 'lsn' };
}
