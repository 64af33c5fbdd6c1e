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

/** Average active sessions of one kind in one wait, over a sampling window. */
export interface WaitShare {
  /** Application name with ids replaced by N (pharos-agent-N-ship), else the backend type. */
  who: string;
  /** `wait_event_type:wait_event`, or `CPU` when an active session waits on nothing (running or runnable). */
  wait: string;
  /** The start of the statement (80 characters, blanks folded). */
  query: string;
  /** Sessions in this state on average over the samples (average active sessions). */
  sessions: number;
}

/** pg_stat_activity sampled `samples` times, `everyS` apart, inside one psql call (module note of {@link sampleWaits}). */
const WAIT_SAMPLER = (samples: number, everyS: number) => `
CREATE FUNCTION pg_temp.sample_waits(n int, every float8) RETURNS json LANGUAGE plpgsql AS $f$
DECLARE
  acc text[] := '{}';
BEGIN
  FOR i IN 1..n LOOP
    PERFORM pg_stat_clear_snapshot();
    acc := acc || ARRAY(
      SELECT json_build_array(
               CASE WHEN a.backend_type = 'client backend' AND coalesce(a.application_name, '') NOT IN ('', 'psql')
                    THEN regexp_replace(a.application_name, '\\d+', 'N', 'g') ELSE a.backend_type END,
               coalesce(a.wait_event_type || ':' || a.wait_event, 'CPU'),
               left(regexp_replace(a.query, '\\s+', ' ', 'g'), 80))::text
        FROM pg_stat_activity a
       WHERE a.pid <> pg_backend_pid() AND a.state IN ('active', 'idle in transaction')
         AND a.backend_type IN ('client backend', 'autovacuum worker'));
    PERFORM pg_sleep(every);
  END LOOP;
  RETURN (SELECT coalesce(json_agg(json_build_object('who', x->>0, 'wait', x->>1, 'query', x->>2, 'count', c)), '[]')
            FROM (SELECT t::json AS x, count(*) AS c FROM unnest(acc) t GROUP BY t) s);
END $f$;
SELECT pg_temp.sample_waits(${samples}, ${everyS});`;

/**
 * Samples pg_stat_activity (PostgreSQL docs 28.2.3, wait events table 28.4)
 * `samples` times, `everyS` apart, in one session (a temporary function; the
 * statistics snapshot cleared before each sample with
 * pg_stat_clear_snapshot(), so each sees the sessions of that moment):
 * client backends and autovacuum workers that are active (or idle in a
 * transaction), by kind, wait event and statement. Resolves to raw counts;
 * add windows with {@link addWaitCounts}, turn into shares with {@link waitShares}.
 */
export async function sampleWaits(sql: PemSql, samples: number, everyS: number): Promise<WaitCounts> {
  const out = await sql(WAIT_SAMPLER(samples, everyS));
  const rows = JSON.parse(out.split('\n').pop()!) as {
    who: string;
    wait: string;
    query: string;
    count: number;
  }[];
  const counts: WaitCounts = { samples, byKey: new Map() };
  for (const r of rows) counts.byKey.set(JSON.stringify([r.who, r.wait, r.query]), r.count);
  return counts;
}

/** Raw counts of {@link sampleWaits}: samples taken, and sessions seen per [who, wait, query]. */
export interface WaitCounts {
  samples: number;
  byKey: Map<string, number>;
}

/** Adds `b` into `a`. */
export function addWaitCounts(a: WaitCounts, b: WaitCounts): void {
  a.samples += b.samples;
  for (const [k, n] of b.byKey) a.byKey.set(k, (a.byKey.get(k) ?? 0) + n);
}

/** The `limit` largest {@link WaitShare}s, and the total average active sessions by wait (all statements). */
export function waitShares(
  c: WaitCounts,
  limit = 12,
): { top: WaitShare[]; byWait: { wait: string; sessions: number }[] } {
  const r = (x: number) => Math.round(x * 1000) / 1000;
  const shares = [...c.byKey.entries()].map(([k, n]) => {
    const [who, wait, query] = JSON.parse(k) as [string, string, string];
    return { who, wait, query, sessions: c.samples > 0 ? n / c.samples : 0 };
  });
  const byWait = new Map<string, number>();
  for (const s of shares) byWait.set(s.wait, (byWait.get(s.wait) ?? 0) + s.sessions);
  return {
    top: shares
      .sort((x, y) => y.sessions - x.sessions)
      .slice(0, limit)
      .map((s) => ({ ...s, sessions: r(s.sessions) })),
    byWait: [...byWait.entries()]
      .map(([wait, sessions]) => ({ wait, sessions: r(sessions) }))
      .sort((x, y) => y.sessions - x.sessions),
  };
}
