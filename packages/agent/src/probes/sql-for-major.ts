/**
 * Picks a probe's SQL text for a server's major version.
 */
import type { Probe } from './types.js';

/** PostgreSQL major from `server_version_num` (e.g. 150004 -> 15). Majors before 10 are not supported. */
export function majorOf(serverVersionNum: number): number {
  return Math.floor(serverVersionNum / 10000);
}

/**
 * The SQL of `probe` for `major`: the text under the highest key <= `major`.
 * Returns undefined when the probe has no SQL for that major (too old).
 */
export function sqlForMajor(probe: Probe, major: number): string | undefined {
  if (!probe.sql) return undefined;
  const keys = Object.keys(probe.sql)
    .map(Number)
    .filter((k) => k <= major)
    .sort((a, b) => b - a);
  return keys.length === 0 ? undefined : probe.sql[keys[0]!];
}
