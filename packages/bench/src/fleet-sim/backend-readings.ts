/**
 * What the simulated-fleet benchmark reads from the pem backend beyond the
 * fleet benchmark's figures (fleet/backend-figures.ts), as `postgres`
 * through psql, each one statement answering JSON:
 *
 * - {@link alertBacklog}: the alerts due now (`pem.alert.next_due <= now()`,
 *   enabled) and how late the oldest is, in seconds and in units of its own
 *   `interval_s`: evaluation keeps up while no alert waits a whole interval;
 * - {@link topStatements}: pg_stat_statements (PostgreSQL docs F.32) since
 *   its last reset, the statements with the most execution time;
 * - {@link sessionCpu}: the CPU time so far of each backend process
 *   (pg_stat_activity's pid, backend_type, application_name; /proc/<pid>/stat
 *   utime + stime), to tell which sessions use the backend's CPU.
 */
import { processCpuMs } from '../agent/process-cpu.js';
import type { PemSql } from '../fleet/backend-figures.js';

/** Due alerts at one moment. */
export interface AlertBacklog {
  enabled: number;
  due: number;
  /** now() − the oldest due next_due, s (0 when none is due). */
  oldestLateS: number;
  /** The largest (now() − next_due) / interval_s over the due alerts. */
  maxLateIntervals: number;
}

/** Reads an {@link AlertBacklog}. */
export async function alertBacklog(sql: PemSql): Promise<AlertBacklog> {
  const j = JSON.parse(
    await sql(`SELECT json_build_object(
      'enabled', count(*),
      'due', count(*) FILTER (WHERE next_due <= now()),
      'oldestLateS', coalesce(extract(epoch FROM now() - min(next_due) FILTER (WHERE next_due <= now())), 0),
      'maxLateIntervals', coalesce(max(extract(epoch FROM now() - next_due) / interval_s) FILTER (WHERE next_due <= now()), 0))
      FROM pem.alert WHERE enabled`),
  ) as Record<keyof AlertBacklog, number | string>;
  return {
    enabled: Number(j.enabled),
    due: Number(j.due),
    oldestLateS: Number(j.oldestLateS),
    maxLateIntervals: Number(j.maxLateIntervals),
  };
}

/** One statement of pg_stat_statements. */
export interface StatementFigures {
  query: string;
  calls: number;
  totalMs: number;
  meanMs: number;
  rows: number;
}

/** Empties pg_stat_statements (the window starts). */
export async function resetStatements(sql: PemSql): Promise<void> {
  await sql('SELECT pg_stat_statements_reset()');
}

/** The `limit` statements with the most execution time since the last reset (query text cut to 160 characters). */
export async function topStatements(sql: PemSql, limit = 10): Promise<StatementFigures[]> {
  const rows = JSON.parse(
    await sql(`SELECT coalesce(json_agg(x ORDER BY x."totalMs" DESC), '[]') FROM (
      SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 160) AS query, calls,
             round(total_exec_time::numeric, 1) AS "totalMs", round(mean_exec_time::numeric, 2) AS "meanMs", rows
        FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT ${limit}) x`),
  ) as StatementFigures[];
  return rows.map((r) => ({ ...r, totalMs: Number(r.totalMs), meanMs: Number(r.meanMs) }));
}

/** CPU time of each backend process at one moment: pid -> {who, cpuMs}. */
export type SessionCpu = Map<number, { who: string; cpuMs: number }>;

/**
 * Reads {@link SessionCpu}: `who` is the application name with agent ids
 * replaced by `N` (pharos-agent-N-ship), else the backend type.
 */
export async function sessionCpu(sql: PemSql): Promise<SessionCpu> {
  const rows = JSON.parse(
    await sql(`SELECT coalesce(json_agg(json_build_object('pid', pid, 'type', backend_type, 'app', application_name)), '[]')
                 FROM pg_stat_activity`),
  ) as { pid: number; type: string; app: string | null }[];
  const out: SessionCpu = new Map();
  for (const r of rows) {
    const app = (r.app ?? '').replace(/\d+/g, 'N');
    const who = r.type === 'client backend' && app !== '' && app !== 'psql' ? app : r.type;
    out.set(r.pid, { who, cpuMs: processCpuMs(r.pid) });
  }
  return out;
}

/**
 * CPU per `who` between two readings, cores over `elapsedMs` (processes in
 * both readings only), largest first.
 */
export function cpuByWho(
  before: SessionCpu,
  after: SessionCpu,
  elapsedMs: number,
): { who: string; cores: number; processes: number }[] {
  const by = new Map<string, { cores: number; processes: number }>();
  for (const [pid, a] of after) {
    const b = before.get(pid);
    if (!b) continue;
    const e = by.get(a.who) ?? { cores: 0, processes: 0 };
    e.cores += (a.cpuMs - b.cpuMs) / elapsedMs;
    e.processes++;
    by.set(a.who, e);
  }
  return [...by.entries()]
    .map(([who, e]) => ({ who, cores: Math.round(e.cores * 1000) / 1000, processes: e.processes }))
    .sort((x, y) => y.cores - x.cores);
}
