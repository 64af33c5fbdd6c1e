/**
 * A monitored server's live sessions, and cancel/terminate of its backends
 * (issue 17), as the web API asks for them: the web tier never connects to
 * monitored servers, so the server's bound agent is asked through an agent
 * task (agent-tasks.ts; the agent's side is
 * packages/agent/src/monitor/live-sessions.ts) and answers within
 * {@link LIVE_WAIT_MS}. When it does not, the answer says whether the agent
 * is down. Each cancel or terminate is recorded in pem.backend_signal
 * (`pem.backend_signal_record`, sql/functions/sessions/) with who, when,
 * why and the outcome, whatever the outcome.
 */
import { pharosError } from '@pharos/core/errors';
import type { Queryable } from '@pharos/core/query';
import { runAgentTask } from './agent-tasks.js';
import { withFleetErrors } from './sql-errors.js';

/** How long the web waits for the agent's answer, ms (issue 17: "answered within 2 s"). */
export const LIVE_WAIT_MS = 2000;

/** One backend of pg_stat_activity (monitoring-stats.html#MONITORING-PG-STAT-ACTIVITY-VIEW). */
export interface LiveSession {
  pid: number;
  /** `client backend`, `autovacuum worker`, `walsender`... */
  backendType: string | null;
  user: string | null;
  database: string | null;
  application: string | null;
  /** Client address (null: a Unix socket or a background process). */
  clientAddr: string | null;
  clientPort: number | null;
  /** active, idle, idle in transaction, ... (null for background processes). */
  state: string | null;
  waitEventType: string | null;
  waitEvent: string | null;
  /** ISO 8601 times. */
  backendStart: string | null;
  xactStart: string | null;
  queryStart: string | null;
  /** Ages at the read, seconds. */
  xactAgeS: number | null;
  queryAgeS: number | null;
  stateAgeS: number | null;
  /** The current or last query text (at most 4096 characters). */
  query: string | null;
  /** The pids whose locks block this one (pg_blocking_pids). */
  blockedBy: number[];
}

/** The answer of a `sessions` task. */
export interface LiveSessions {
  serverId: number;
  /** When the server was read (its clock), ISO 8601. */
  readAt: string;
  sessions: LiveSession[];
}

export type SignalAction = 'cancel' | 'terminate';

/** What a signal came to, as recorded in pem.backend_signal. */
export type SignalOutcome = 'signalled' | 'not-found' | 'refused' | 'failed' | 'no-answer';

/** The answer of a `signal-backend` task. */
export interface SignalResult {
  signalled: boolean;
  outcome: 'signalled' | 'not-found' | 'refused';
  message?: string;
}

/** The agent did not answer (or could not): what the API says instead of sessions. */
export interface LiveUnavailable {
  available: false;
  agentId: number | null;
  agentDown: boolean;
  message: string;
}

/**
 * The agent bound to server `serverId`.
 * @throws PHAROS_SERVER_NOT_FOUND (404, id) for an unknown server, PHAROS_SERVER_NO_AGENT (404, id) when no agent monitors it.
 */
async function boundAgent(db: Queryable, serverId: number): Promise<{ agentId: number; name: string }> {
  const r = await db.query<{ agent_id: number | null; display_name: string }>(
    'SELECT b.agent_id, s.display_name FROM pem.server s LEFT JOIN pem.server_binding b ON b.server_id = s.id WHERE s.id = $1',
    [serverId],
  );
  const row = r.rows[0];
  if (!row) throw pharosError('PHAROS_SERVER_NOT_FOUND', { id: serverId }, { field: 'id' });
  if (row.agent_id === null)
    throw pharosError('PHAROS_SERVER_NO_AGENT', { id: serverId, name: row.display_name }, { field: 'id' });
  return { agentId: row.agent_id, name: row.display_name };
}

/**
 * The live sessions of server `serverId`, read by its agent for `actor`.
 * @throws PHAROS_SERVER_NOT_FOUND for an unknown server, PHAROS_SERVER_NO_AGENT when no agent is bound.
 */
export async function readServerSessions(
  db: Queryable,
  actor: string,
  serverId: number,
  waitMs: number = LIVE_WAIT_MS,
): Promise<({ available: true; agentId: number } & LiveSessions) | LiveUnavailable> {
  const { agentId } = await boundAgent(db, serverId);
  const outcome = await runAgentTask(db, actor, agentId, 'sessions', { serverId }, waitMs);
  if (outcome.state === 'done') return { available: true, agentId, ...(outcome.result as LiveSessions) };
  if (outcome.state === 'failed')
    return {
      available: false,
      agentId,
      agentDown: false,
      message: `the agent could not read them: ${outcome.error}`,
    };
  return { available: false, agentId, agentDown: outcome.agentDown, message: outcome.message };
}

/** A recorded cancel or terminate. */
export interface SignalRecord {
  id: number;
  outcome: SignalOutcome;
  signalled: boolean;
  message: string | null;
}

/**
 * Has the agent of server `serverId` cancel the query of backend `pid` or
 * terminate it, for `actor` (a pem_admin member: the caller checks), and
 * records it with `reason` whatever comes of it.
 * @throws PHAROS_SERVER_NOT_FOUND/PHAROS_SERVER_NO_AGENT as {@link readServerSessions};
 *   PHAROS_SIGNAL_REASON_INVALID (400, reason) for an empty or overlong reason (nothing is asked then).
 */
export async function signalServerBackend(
  db: Queryable,
  actor: string,
  serverId: number,
  pid: number,
  action: SignalAction,
  reason: string,
  waitMs: number = LIVE_WAIT_MS,
): Promise<SignalRecord> {
  const { agentId } = await boundAgent(db, serverId);
  const why = reason.trim();
  if (why.length === 0 || why.length > 500)
    throw pharosError('PHAROS_SIGNAL_REASON_INVALID', {}, { field: 'reason' });
  const outcome = await runAgentTask(db, actor, agentId, 'signal-backend', { serverId, pid, action }, waitMs);
  let result: { outcome: SignalOutcome; signalled: boolean; message: string | null };
  if (outcome.state === 'done') {
    const r = outcome.result as SignalResult;
    result = { outcome: r.outcome, signalled: r.signalled, message: r.message ?? null };
  } else if (outcome.state === 'failed') {
    result = { outcome: 'failed', signalled: false, message: outcome.error };
  } else {
    result = { outcome: 'no-answer', signalled: false, message: outcome.message };
  }
  const id = await record(db, actor, serverId, agentId, pid, action, why, result.outcome, result.message);
  return { id, ...result };
}

async function record(
  db: Queryable,
  actor: string,
  serverId: number,
  agentId: number,
  pid: number,
  action: SignalAction,
  reason: string,
  outcome: SignalOutcome,
  detail: string | null,
): Promise<number> {
  return withFleetErrors('server', async () => {
    const r = await db.query<{ id: string }>(
      'SELECT pem.backend_signal_record($1, $2, $3, $4, $5, $6, $7, $8) AS id',
      [actor, serverId, agentId, pid, action, reason, outcome, detail],
    );
    return Number(r.rows[0]!.id);
  });
}

/** One row of pem.backend_signal as the API gives it. */
export interface SignalHistoryRow {
  id: number;
  pid: number;
  action: SignalAction;
  reason: string;
  requestedBy: string;
  requestedAt: string;
  outcome: SignalOutcome;
  detail: string | null;
}

/** The newest `limit` cancels and terminates of server `serverId`, newest first. */
export async function signalHistory(
  db: Queryable,
  serverId: number,
  limit = 50,
): Promise<SignalHistoryRow[]> {
  const r = await db.query<{
    id: string;
    pid: number;
    action: SignalAction;
    reason: string;
    requested_by: string;
    requested_at: Date;
    outcome: SignalOutcome;
    detail: string | null;
  }>(
    `SELECT id, pid, action, reason, requested_by, requested_at, outcome, detail FROM pem.backend_signal
      WHERE server_id = $1 ORDER BY requested_at DESC, id DESC LIMIT $2`,
    [serverId, limit],
  );
  return r.rows.map((x) => ({
    id: Number(x.id),
    pid: x.pid,
    action: x.action,
    reason: x.reason,
    requestedBy: x.requested_by,
    requestedAt: new Date(x.requested_at).toISOString(),
    outcome: x.outcome,
    detail: x.detail,
  }));
}
