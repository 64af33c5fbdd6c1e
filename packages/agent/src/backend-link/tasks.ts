/**
 * Agent tasks (issue 14): requests the web tier or the CLI puts for this
 * agent in `pem.agent_task` (sql/functions/tasks/). The agent LISTENs on
 * `pharos_agent_<id>` on its control connection (the request NOTIFYs it, so
 * a task starts within a round trip), and also looks for tasks on every
 * short wait (a notification sent while the control session was being
 * re-selected is not lost). The same channel carries {@link BINDINGS_CHANGED}
 * (the agent's servers changed: re-read them now). Tasks are claimed with `pem.agent_claim_tasks`
 * (FOR UPDATE SKIP LOCKED: each runs once), run concurrently, each within
 * its deadline, and answered with `pem.agent_finish_task`. A kind this agent
 * does not know, invalid parameters or a handler that throws answer a failed
 * task naming why; a result is JSON.
 *
 * Kinds: `test-connection` (monitor/test-connection.ts), `custom-probe-check`
 * (monitor/custom-probe-check.ts), `patroni-cluster`
 * (follow/read-cluster.ts: a monitored cluster's GET /cluster, read when it
 * is added), `sessions` and `signal-backend` (monitor/live-sessions.ts:
 * a monitored server's live sessions, cancel and terminate, issue 17);
 * later issues add theirs by adding a handler.
 */
import { messageOf } from '@pharos/core/errors';
import type { Logger } from '@pharos/core/log';

/** The calls, as sent. */
export const CLAIM_TASKS_SQL = 'SELECT id, kind, params, deadline_at FROM pem.agent_claim_tasks($1)';
export const FINISH_TASK_SQL = 'SELECT pem.agent_finish_task($1, $2, $3, $4::jsonb) AS finished';

/**
 * The payload the backend NOTIFYs on an agent's channel when that agent's
 * server bindings (or the clusters it follows) changed (pem.server_add,
 * pem.cluster_add, pem.cluster_member_sync) or the probe definitions changed
 * (pem.probe_change_notify: a custom probe): the agent reads them at once
 * instead of on its next short wait. Any other payload is a task id.
 */
export const BINDINGS_CHANGED = 'bindings';

/** The NOTIFY channel of agent `agentId`'s tasks. */
export function taskChannel(agentId: number): string {
  return `pharos_agent_${agentId}`;
}

/** What the runner needs of the control connection (an HaConnection). */
export interface TaskConnection {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
  listen(channel: string, handler: (payload: string | undefined) => void): Promise<void>;
}

/** A task as claimed. */
export interface ClaimedTask {
  id: string;
  kind: string;
  params: unknown;
  deadlineAt: Date;
}

/** Runs one kind of task: resolves to its result (JSON), throws to fail it (the message is kept). */
export type TaskHandler = (params: unknown, task: ClaimedTask) => Promise<unknown>;

/** Options of {@link TaskRunner}. */
export interface TaskRunnerOptions {
  agentId: number;
  conn: TaskConnection;
  handlers: Readonly<Record<string, TaskHandler>>;
  logger: Logger;
  /** Called when the backend says this agent's bindings changed ({@link BINDINGS_CHANGED}). */
  onBindingsChanged?: () => void;
}

/** A parameter problem of a task: the task fails with this message. */
export class TaskParamsError extends Error {}

/** See the module note. */
export class TaskRunner {
  private readonly opts: TaskRunnerOptions;
  private listening = false;
  private polling: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private readonly running = new Set<Promise<void>>();
  private warned = new Set<string>();

  constructor(opts: TaskRunnerOptions) {
    this.opts = opts;
  }

  /** Tasks being run now. */
  get inFlight(): number {
    return this.running.size;
  }

  private warnOnce(what: string, err: unknown): void {
    const key = `${what}: ${messageOf(err)}`;
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.opts.logger.warn({ err: messageOf(err) }, what);
  }

  /**
   * LISTENs for this agent's tasks (if not yet) and looks for pending ones.
   * Called at start and on every short wait. Never throws.
   */
  async refresh(): Promise<void> {
    if (this.stopped) return;
    if (!this.listening) {
      try {
        await this.opts.conn.listen(taskChannel(this.opts.agentId), (payload) => {
          // undefined: the session was re-selected and notices may have been missed (HaConnection.listen)
          if (payload === BINDINGS_CHANGED || payload === undefined) this.opts.onBindingsChanged?.();
          if (payload !== BINDINGS_CHANGED) void this.poll();
        });
        this.listening = true;
      } catch (err) {
        this.warnOnce('cannot listen for tasks; looking for them every short wait', err);
      }
    }
    await this.poll();
  }

  /** Claims and starts the pending tasks; a call during a claim claims again after it. Never rejects. */
  poll(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.polling) {
      this.again = true;
      return this.polling;
    }
    this.polling = (async () => {
      do {
        this.again = false;
        let rows: { id: string; kind: string; params: unknown; deadline_at: Date }[];
        try {
          rows = (await this.opts.conn.query(CLAIM_TASKS_SQL, [this.opts.agentId])).rows as typeof rows;
        } catch (err) {
          this.warnOnce('cannot claim tasks', err);
          return;
        }
        for (const r of rows) {
          const task: ClaimedTask = {
            id: String(r.id),
            kind: r.kind,
            params: r.params,
            deadlineAt: new Date(r.deadline_at),
          };
          const p = this.run(task).finally(() => this.running.delete(p));
          this.running.add(p);
        }
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }

  private async run(task: ClaimedTask): Promise<void> {
    const log = this.opts.logger.child({ task: task.id, kind: task.kind });
    const handler = this.opts.handlers[task.kind];
    let ok = true;
    let result: unknown;
    const started = Date.now();
    if (!handler) {
      ok = false;
      result = {
        error: `this agent does not run '${task.kind}' tasks (it knows: ${Object.keys(this.opts.handlers).join(', ')})`,
      };
    } else {
      try {
        result = await handler(task.params, task);
      } catch (err) {
        ok = false;
        result = { error: messageOf(err) };
      }
    }
    log.info({ ok, ms: Date.now() - started }, 'task finished');
    try {
      const r = await this.opts.conn.query<{ finished: boolean }>(FINISH_TASK_SQL, [
        this.opts.agentId,
        task.id,
        ok,
        JSON.stringify(result ?? null),
      ]);
      if (r.rows[0]?.finished === false) log.info('the requester had given up on the task (expired)');
    } catch (err) {
      log.warn({ err: messageOf(err) }, 'cannot answer the task');
    }
  }

  /** Stops claiming and waits for the tasks in flight to be answered. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.polling;
    await Promise.all([...this.running]);
  }
}
