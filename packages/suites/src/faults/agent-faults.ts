/**
 * kill -9 of an agent and its restart with the command recorded in lab.json
 * (restart.ts). Right after the kill the agent's spool is read (spool-view.ts)
 * to learn which sample ids it had handed out in memory without making them
 * durable: the restarted agent skips them, and they are not losses.
 */
import { labLayout } from '@pharos/ops/lab/layout';
import { sleep } from '@pharos/ops/lab/processes';
import { type FaultLab, type FaultTimeline, mark, startTimeline } from './fault-lab.js';
import { findProcess, restartProcess } from './restart.js';
import { signal, waitGone } from './signals.js';
import { afterKill, spoolDirOf } from './spool-view.js';

/** The timeline of {@link killAgent} with the ids the restarted agent skips (`from > to`: none). */
export interface AgentKill extends FaultTimeline {
  skipped: { from: number; to: number };
  lastDurable: number;
}

/** Kills the agent on `host` with SIGKILL, leaves it down for `downMs` (default 5 s), starts it again. */
export async function killAgent(lab: FaultLab, host: string, downMs = 5000): Promise<AgentKill> {
  const proc = findProcess(lab.state, 'agent', host);
  const spoolDir = spoolDirOf(`${labLayout(lab.dir).pharosDir(host)}/agent.yml`);
  const t = startTimeline(`kill -9 agent on ${host}`);
  signal(proc.pid, 'SIGKILL');
  if (!(await waitGone(proc.pid))) throw new Error(`agent pid ${proc.pid} survived SIGKILL`);
  mark(t, 'killed');
  const seen = afterKill(spoolDir);
  await sleep(downMs);
  await restartProcess(lab.state, proc);
  mark(t, 'restarted');
  t.recoveredMs = Date.now();
  t.notes.push(
    `last durable sample ${seen.lastDurable}, ids skipped ${Math.max(0, seen.skipped.to - seen.skipped.from + 1)}`,
  );
  return { ...t, ...seen };
}
