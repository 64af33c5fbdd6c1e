/**
 * Profiling aids of the alert benchmark (alert-bench.ts `--profile`): where
 * one evaluation round's time goes, from PostgreSQL's own counters.
 *
 * - pg_stat_statements (PostgreSQL docs, F.32) with `track = all`, so the
 *   statements run inside PL/pgSQL functions (each template's EXECUTE, each
 *   UPDATE of pem.alert) are counted one by one, with planning time
 *   (`track_planning`);
 * - `track_functions = all` (docs §28.2.22, pg_stat_user_functions): calls,
 *   total and self time of every function, SQL ones included;
 * - EXPLAIN (ANALYZE) of each template's query for one of its alerts
 *   (PREPARE with the template contract's parameter types, then EXECUTE):
 *   planning vs execution time of one evaluation's query.
 */
import type { HaConnection } from '@pharos/core/ha/connection';

/** postgresql.conf settings the profile needs (a restart-time library). */
export const PROFILE_SETTINGS: Record<string, string> = {
  shared_preload_libraries: 'pg_stat_statements',
  'pg_stat_statements.track': 'all',
  'pg_stat_statements.track_planning': 'on',
  track_functions: 'all',
};

/** Installs pg_stat_statements in pem and zeroes both counters. */
export async function resetProfile(db: HaConnection): Promise<void> {
  await db.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  await db.query('SELECT pg_stat_statements_reset(), pg_stat_reset()');
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/** Prints the top statements and functions since {@link resetProfile}, and (explainTemplates) each template's plan/exec time. */
export async function printProfile(
  db: HaConnection,
  print: (line: string) => void,
  explainTemplates: boolean,
): Promise<void> {
  await db.query('SELECT pg_stat_force_next_flush()').catch(() => undefined); // PostgreSQL 15+
  const st = await db.query<{ q: string; calls: string; exec_ms: number; plan_ms: number; mean_ms: number }>(
    `SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 110) AS q, calls, total_exec_time::float8 AS exec_ms,
            total_plan_time::float8 AS plan_ms, mean_exec_time::float8 AS mean_ms
       FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
      ORDER BY total_exec_time + total_plan_time DESC LIMIT 14`,
  );
  print('  profile: statements (pg_stat_statements, track = all; nested ones included), by total time');
  for (const r of st.rows)
    print(
      `    ${String(r.calls).padStart(7)} calls  exec ${round1(r.exec_ms)} ms  plan ${round1(r.plan_ms)} ms  mean ${round1(r.mean_ms * 1000) / 1000} ms  ${r.q}`,
    );
  const fn = await db.query<{ f: string; calls: string; total_ms: number; self_ms: number }>(
    `SELECT schemaname || '.' || funcname AS f, calls, total_time::float8 AS total_ms, self_time::float8 AS self_ms
       FROM pg_stat_user_functions ORDER BY self_time DESC LIMIT 12`,
  );
  print('  profile: functions (pg_stat_user_functions), by self time');
  for (const r of fn.rows)
    print(
      `    ${String(r.calls).padStart(7)} calls  total ${round1(r.total_ms)} ms  self ${round1(r.self_ms)} ms  ${r.f}`,
    );
  if (!explainTemplates) return;
  const tpl = await db.query<{
    name: string;
    sql: string;
    agent: number | null;
    server: number | null;
    object: string;
    params: unknown;
  }>(
    `SELECT DISTINCT ON (t.name) t.name, t.sql, coalesce(al.agent_id, b.agent_id) AS agent, al.server_id AS server,
            al.object, t.params || al.params AS params
       FROM pem.alert al JOIN pem.alert_template t ON t.name = al.template
       LEFT JOIN pem.server_binding b ON b.server_id = al.server_id
      ORDER BY t.name, al.id`,
  );
  print('  profile: one evaluation query per template (EXPLAIN ANALYZE of the template with its parameters)');
  for (const t of tpl.rows) {
    await db.query('DEALLOCATE ALL');
    await db.query(`PREPARE tpl(integer, integer, text, jsonb) AS ${t.sql}`);
    // EXPLAIN takes no bind parameters: the arguments are written in as literals (format %L)
    const stmt = await db.query<{ s: string }>(
      "SELECT format('EXPLAIN (ANALYZE, TIMING OFF, SUMMARY ON) EXECUTE tpl(%L::integer, %L::integer, %L::text, %L::jsonb)', $1::integer, $2::integer, $3::text, $4::jsonb) AS s",
      [t.agent, t.server, t.object, JSON.stringify(t.params)],
    );
    const ex = await db.query<{ 'QUERY PLAN': string }>(stmt.rows[0]!.s);
    const lines = ex.rows.map((r) => r['QUERY PLAN']);
    const plan = lines.find((l) => l.startsWith('Planning Time')) ?? '';
    const exec = lines.find((l) => l.startsWith('Execution Time')) ?? '';
    print(`    ${t.name}: ${plan}; ${exec}`);
  }
  await db.query('DEALLOCATE ALL');
}
