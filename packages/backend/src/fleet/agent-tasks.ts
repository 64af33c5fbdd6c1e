/**
 * Asking an agent to do something and waiting for its answer (issue 14;
 * sql/functions/tasks/): `pem.agent_task_request` stores the task and
 * wakes the agent (NOTIFY); the answer is read from pem.agent_task every
 * {@link POLL_MS} until it comes or the wait ends, then the task is expired
 * (`pem.agent_task_expire`: an answer after that is dropped) and the caller
 * is told plainly whether the agent is down (no heartbeat for a while) or
 * just did not answer in time.
 */
import type { Queryable } from '@pharos/core/query';
import { withFleetErrors } from './sql-errors.js';

/** How often the answer is looked for, ms (an agent answers a NOTIFY within a round trip). */
export const POLL_MS = 100;

/** Heartbeat age beyond which an agent is said to be down, seconds (a few probe intervals). */
export const AGENT_DOWN_AFTER_S = 60;

/** The outcome of a task. */
export type TaskOutcome =
  | { state: 'done'; result: unknown }
  | { state: 'failed'; error: string }
  | { state: 'no-answer'; agentDown: boolean; heartbeatAgeS: number | null; message: string };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Asks agent `agentId` to run task `kind` with `params` on behalf of
 * `actor` and waits up to `waitMs` for the answer.
 * @throws PHAROS_AGENT_NOT_FOUND (404, agentId) for an unknown agent,
 *   PHAROS_TASK_INVALID (400) for an inactive one; the backend's errors otherwise.
 */
export async function runAgentTask(
  db: Queryable,
  actor: string,
  agentId: number,
  kind: string,
  params: unknown,
  waitMs: number,
): Promise<TaskOutcome> {
  const id = await withFleetErrors(
    'task',
    async () =>
      (
        await db.query<{ id: string }>('SELECT pem.agent_task_request($1, $2, $3, $4::jsonb, $5) AS id', [
          actor,
          agentId,
          kind,
          JSON.stringify(params),
          waitMs,
        ])
      ).rows[0]!.id,
  );
  const end = Date.now() + waitMs;
  for (;;) {
    await sleep(Math.min(POLL_MS, Math.max(0, end - Date.now())));
    const r = await db.query<{ state: string; result: unknown }>(
      'SELECT state, result FROM pem.agent_task WHERE id = $1',
      [id],
    );
    const t = r.rows[0];
    if (t?.state === 'done') return { state: 'done', result: t.result };
    if (t?.state === 'failed')
      return { state: 'failed', error: String((t.result as { error?: unknown } | null)?.error ?? 'failed') };
    if (Date.now() >= end) break;
  }
  const e = await db.query<{ state: string; heartbeat_age_s: number | null }>(
    'SELECT state, heartbeat_age_s FROM pem.agent_task_expire($1)',
    [id],
  );
  const row = e.rows[0];
  // answered between the last look and the expiry
  if (row?.state === 'done' || row?.state === 'failed') return runAgentTaskResult(db, id);
  const age = row?.heartbeat_age_s ?? null;
  const down = age === null || age > AGENT_DOWN_AFTER_S;
  const seconds = (waitMs / 1000).toFixed(waitMs % 1000 === 0 ? 0 : 1);
  return {
    state: 'no-answer',
    agentDown: down,
    heartbeatAgeS: age === null ? null : Math.round(age),
    message:
      age === null
        ? `agent ${agentId} has never sent a heartbeat: is it running (pharos agent verify on its host)?`
        : down
          ? `agent ${agentId} has not sent a heartbeat for ${Math.round(age)} s: is it running (pharos agent verify on its host)?`
          : `agent ${agentId} did not answer within ${seconds} s (its last heartbeat was ${Math.round(age)} s ago): it may have just stopped, or be a version that does not run '${kind}' tasks; its log says more`,
  };
}

async function runAgentTaskResult(db: Queryable, id: string): Promise<TaskOutcome> {
  const t = (
    await db.query<{ state: string; result: unknown }>(
      'SELECT state, result FROM pem.agent_task WHERE id = $1',
      [id],
    )
  ).rows[0]!;
  return t.state === 'done'
    ? { state: 'done', result: t.result }
    : { state: 'failed', error: String((t.result as { error?: unknown } | null)?.error ?? 'failed') };
}
