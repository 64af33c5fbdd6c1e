/**
 * Picks a probe's SQL text for a server's major version, or for the
 * installed version of an extension.
 */
import type { Probe } from './types.js';

/**
 * The newest PostgreSQL major the probe matrix tests (packages/suites/src/probe-matrix).
 * A server on a newer major is monitored with the newest SQL (the highest key
 * <= its major) and flagged "untested major" by the monitor (probe log) and the UI.
 */
export const NEWEST_TESTED_MAJOR = 18;

/** PostgreSQL major from `server_version_num` (e.g. 150004 -> 15). Majors before 10 are not supported. */
export function majorOf(serverVersionNum: number): number {
  return Math.floor(serverVersionNum / 10000);
}

/**
 * The SQL of `probe` for `major`: the text under the highest key <= `major`.
 * Returns undefined when the probe has no SQL for that major (too old: the
 * probe does not exist there, e.g. pg_stat_io before 16).
 */
export function sqlForMajor(probe: Probe, major: number): string | undefined {
  if (!probe.sql) return undefined;
  const keys = Object.keys(probe.sql)
    .map(Number)
    .filter((k) => k <= major)
    .sort((a, b) => b - a);
  return keys.length === 0 ? undefined : probe.sql[keys[0]!];
}

/**
 * Compares two dotted version strings numerically (`1.10` > `1.9`); a
 * missing part counts as 0. Negative, 0 or positive like a sort comparator.
 */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split('.').map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Quotes an SQL identifier (doubling embedded double quotes). */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * The SQL of an extension probe for the installed extension `version` in
 * schema `schema`: the text under the highest version key <= `version`, with
 * `{{schema}}` replaced by the quoted schema. Undefined when the installed
 * version is older than every key (the probe does not exist for it).
 */
export function sqlForExtension(probe: Probe, version: string, schema: string): string | undefined {
  const e = probe.extensionSql;
  if (!e) return undefined;
  const keys = Object.keys(e.byVersion)
    .filter((k) => compareVersions(k, version) <= 0)
    .sort((a, b) => compareVersions(b, a));
  const text = keys.length === 0 ? undefined : e.byVersion[keys[0]!];
  return text?.replaceAll('{{schema}}', quoteIdent(schema));
}
