/**
 * Test support: what the pem schema stores, as a comparable value, so the
 * API fuzzer can tell that a refused request changed nothing. Every table of
 * schema `pem` counts except the ones the API writes while serving any
 * request (sessions, login throttling) and the ones only agents and jobs
 * write; each table is one md5 over its rows in text form.
 */
import type { HaConnection } from '@pharos/core/ha/connection';

/**
 * Tables left out: written by logging in or by serving any request (web
 * sessions, login throttling), or by agents and background jobs, which the
 * fuzz fixture does not run.
 */
export const VOLATILE_TABLES = new Set([
  'web_session',
  'login_throttle',
  'job',
  'job_run',
  'ship_batch',
  'probe_log',
]);

/** Table name -> md5 of its rows (sorted text forms), for every counted table of schema pem. */
export async function storedState(db: HaConnection): Promise<Record<string, string>> {
  const tables = (
    await db.query<{ t: string }>(
      `SELECT c.relname AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'pem' AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1`,
    )
  ).rows
    .map((r) => r.t)
    .filter((t) => !VOLATILE_TABLES.has(t));
  const sql = tables
    .map(
      (t) =>
        `SELECT '${t}' AS t, coalesce((SELECT md5(string_agg(x::text, E'\\n' ORDER BY x::text)) FROM pem.${t} x), '') AS h`,
    )
    .join(' UNION ALL ');
  const out: Record<string, string> = {};
  for (const r of (await db.query<{ t: string; h: string }>(sql)).rows) out[r.t] = r.h;
  return out;
}

/** The tables whose md5 differs between two states. */
export function changedTables(a: Record<string, string>, b: Record<string, string>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((t) => a[t] !== b[t]).sort();
}
