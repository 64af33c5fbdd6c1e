/**
 * The backend's history jobs (migration 004): partition upkeep (daily UTC
 * partitions of `pemhistory.sample` created 7 days ahead, late rows moved
 * out of the default partition) and retention (per-probe history retention,
 * probe log 30 days, latest values of vanished objects after 3 days).
 *
 * The work is SQL (`pem.run_due_jobs`, `pem.agent_run_jobs`, the jobs of
 * sql/catalogue/jobs.sql, each a function of sql/functions/jobs/): it runs only
 * on the primary (`pg_is_in_recovery()`), by one caller at a time (an
 * advisory lock), and only when due (`pem.job.last_run_at` + `interval_s`),
 * so any number of callers on any node may call it on a schedule: agents do
 * every minute (packages/agent/src/run.ts), and {@link startJobLoop} runs it
 * from any process holding a connection to the primary (as `pem_admin`).
 * A promotion moves the jobs with the primary by itself.
 */
import type { Queryable } from '@pharos/core/query';

/** What one job did. `skipped` (job `all`): the server is a standby, or another caller runs the jobs. */
export interface JobResult {
  job: string;
  status: 'ok' | 'failed' | 'skipped';
  detail: string;
}

/** Runs the due jobs as an administrator (`pem.run_due_jobs`); `force` runs them even when not due. */
export async function runDueJobs(db: Queryable, opts: { force?: boolean } = {}): Promise<JobResult[]> {
  return (
    await db.query<JobResult>('SELECT job, status, detail FROM pem.run_due_jobs($1)', [opts.force === true])
  ).rows;
}

/** Runs the due jobs as agent `agentId` (`pem.agent_run_jobs`, checked against the caller's database user). */
export async function runAgentJobs(db: Queryable, agentId: number): Promise<JobResult[]> {
  return (await db.query<JobResult>('SELECT job, status, detail FROM pem.agent_run_jobs($1)', [agentId]))
    .rows;
}

/** A running job loop. */
export interface JobLoop {
  /** Stops the loop; resolves when the run in progress has finished. */
  stop(): Promise<void>;
}

/**
 * Calls `run` now and then every `intervalMs` (default 60 s), never two at
 * once. Results and errors go to the callbacks; the loop never throws.
 */
export function startJobLoop(opts: {
  run: () => Promise<JobResult[]>;
  intervalMs?: number;
  onResult?: (results: JobResult[]) => void;
  onError?: (err: unknown) => void;
}): JobLoop {
  const intervalMs = opts.intervalMs ?? 60_000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const once = async () => {
    try {
      opts.onResult?.(await opts.run());
    } catch (err) {
      opts.onError?.(err);
    }
  };
  const loop = () => {
    if (stopped) return;
    running = once().finally(() => {
      running = undefined;
      if (!stopped) timer = setTimeout(loop, intervalMs);
    });
  };
  loop();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
