/**
 * Live sessions of a monitored server (issue 17), for the `sessions` and
 * `signal-backend` agent tasks: the web tier never connects to monitored
 * servers, so it asks the server's agent, which reads `pg_stat_activity`
 * (or signals a backend) on a short-lived session of its own, connected as
 * the monitor's probe sessions are (probe-session.ts).
 *
 * Sources: monitoring-stats.html#MONITORING-PG-STAT-ACTIVITY-VIEW (every
 * backend: user, database, application, client, state, wait event,
 * transaction and query start, query text; `query_id` 14+, filled only with
 * `compute_query_id`); functions-info.html `pg_blocking_pids(pid)` (the
 * sessions whose locks block `pid`, or that it waits behind in a lock
 * queue); functions-admin.html#FUNCTIONS-ADMIN-SIGNAL `pg_cancel_backend`,
 * `pg_terminate_backend` (a role may signal its own backends; others'
 * need `pg_signal_backend`, never a superuser's). Other roles' query texts
 * need `pg_read_all_stats` (in `pg_monitor`).
 */
import type {
  LiveSession,
  LiveSessions,
  SignalAction,
  SignalResult,
} from '@pharos/backend/fleet/live-sessions';
import { pharosError } from '@pharos/core/errors';
import { z } from 'zod';
import { redactSecrets } from '../probes/redact-secrets.js';
import { ProbeSession, type SessionTarget } from './probe-session.js';

export type { LiveSession, LiveSessions, SignalResult } from '@pharos/backend/fleet/live-sessions';

/** Statement timeout of a live read or signal, ms (the web waits 2 s for the whole answer). */
export const LIVE_TIMEOUT_MS = 1500;

/** Longest query text kept per session, characters (track_activity_query_size is 1024 bytes by default). */
export const MAX_QUERY_CHARS = 4096;

/** SQL: seconds since `ts` at the read, never negative; NULL when `ts` is (greatest() alone would make it 0). */
const age = (ts: string) =>
  `CASE WHEN ${ts} IS NOT NULL THEN greatest(0, extract(epoch FROM clock_timestamp() - ${ts}))::float8 END`;

/** $1: most characters of query text. The reading session itself is left out. */
export const SESSIONS_SQL = `
SELECT a.pid, a.backend_type, a.usename AS user_name, a.datname AS database, a.application_name,
       host(a.client_addr) AS client_addr, a.client_port, a.state, a.wait_event_type, a.wait_event,
       a.backend_start, a.xact_start, a.query_start,
       ${age('a.xact_start')} AS xact_age_s, ${age('a.query_start')} AS query_age_s,
       ${age('a.state_change')} AS state_age_s,
       left(a.query, $1::int) AS query, pg_blocking_pids(a.pid) AS blocked_by,
       to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS read_at
  FROM pg_stat_activity a
 WHERE a.pid <> pg_backend_pid()
 ORDER BY a.backend_type = 'client backend' DESC, a.xact_start NULLS LAST, a.pid`;

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const iso = (v: unknown): string | null => (v instanceof Date ? v.toISOString() : str(v));

/** Every session of the server `target` points at, with who blocks whom. */
export async function readLiveSessions(target: SessionTarget): Promise<LiveSessions> {
  const session = new ProbeSession(target);
  try {
    const rows = await session.run(SESSIONS_SQL, LIVE_TIMEOUT_MS, [MAX_QUERY_CHARS]);
    const sessions: LiveSession[] = rows.map((r) => ({
      pid: Number(r.pid),
      backendType: str(r.backend_type),
      user: str(r.user_name),
      database: str(r.database),
      application: str(r.application_name),
      clientAddr: str(r.client_addr),
      clientPort: num(r.client_port),
      state: str(r.state),
      waitEventType: str(r.wait_event_type),
      waitEvent: str(r.wait_event),
      backendStart: iso(r.backend_start),
      xactStart: iso(r.xact_start),
      queryStart: iso(r.query_start),
      xactAgeS: num(r.xact_age_s),
      queryAgeS: num(r.query_age_s),
      stateAgeS: num(r.state_age_s),
      query: r.query === null || r.query === undefined ? null : redactSecrets(String(r.query)),
      blockedBy: Array.isArray(r.blocked_by) ? r.blocked_by.map(Number) : [],
    }));
    const readAt = rows[0]?.read_at === undefined ? new Date().toISOString() : String(rows[0].read_at);
    return { serverId: target.binding.serverId, readAt, sessions };
  } finally {
    await session.close();
  }
}

const SIGNAL_SQL: Record<SignalAction, string> = {
  cancel: 'SELECT pg_cancel_backend($1::int) AS signalled',
  terminate: 'SELECT pg_terminate_backend($1::int) AS signalled',
};

/** SQLSTATE of "must be a member of the role whose process is being ..." (insufficient_privilege). */
const INSUFFICIENT_PRIVILEGE = '42501';

/**
 * Cancels the query of backend `pid` or terminates it. A backend that no
 * longer exists answers `signalled: false` (PostgreSQL warns and returns
 * false); a missing privilege answers `signalled: false` with a sentence
 * naming `pg_signal_backend`.
 */
export async function signalBackend(
  target: SessionTarget,
  pid: number,
  action: SignalAction,
): Promise<SignalResult> {
  const session = new ProbeSession(target);
  try {
    const rows = await session.run(SIGNAL_SQL[action], LIVE_TIMEOUT_MS, [pid]);
    const signalled = rows[0]?.signalled === true;
    return signalled
      ? { signalled, outcome: 'signalled' }
      : {
          signalled,
          outcome: 'not-found',
          message: `there is no backend with pid ${pid} (it may have ended)`,
        };
  } catch (err) {
    if ((err as { code?: string }).code === INSUFFICIENT_PRIVILEGE)
      return {
        signalled: false,
        outcome: 'refused',
        message: `the monitoring role may not ${action} backend ${pid}: grant it pg_signal_backend (never a superuser's backend; docs/monitoring-a-server.md "Cancel and terminate")`,
      };
    throw err;
  }
}

const serverIdSchema = z.number().int().positive();

/** Parameters of a `sessions` task. @throws PHAROS_TASK_PARAMS_INVALID naming each bad field. */
export function parseSessionsParams(params: unknown): { serverId: number } {
  const r = z.object({ serverId: serverIdSchema }).safeParse(params);
  if (!r.success)
    throw pharosError('PHAROS_TASK_PARAMS_INVALID', {
      task: 'sessions',
      problems: 'serverId must be a positive integer',
    });
  return r.data;
}

/** Parameters of a `signal-backend` task. @throws PHAROS_TASK_PARAMS_INVALID naming each bad field. */
export function parseSignalParams(params: unknown): { serverId: number; pid: number; action: SignalAction } {
  const r = z
    .object({
      serverId: serverIdSchema,
      pid: z.number().int().positive(),
      action: z.enum(['cancel', 'terminate']),
    })
    .safeParse(params);
  if (!r.success) {
    throw pharosError('PHAROS_TASK_PARAMS_INVALID', {
      task: 'signal-backend',
      problems: r.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; '),
    });
  }
  return r.data;
}
