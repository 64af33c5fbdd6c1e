/**
 * `pharos lab down`: stops every process the lab started, by the PIDs in
 * lab.json (agents and web instances first, then Patroni, then etcd), and
 * with `removeData` deletes the lab directory.
 */
import { rmSync } from 'node:fs';
import { isRunning, stopProcess } from './processes.js';
import { readState, writeState } from './state.js';

const ORDER = { web: 0, agent: 1, patroni: 2, etcd: 3 } as const;

/** Stops the lab in `dir`. Resolves with the number stopped and those that would not stop (PIDs). */
export async function labDown(
  dir: string,
  options: { removeData: boolean; print: (l: string) => void },
): Promise<{ stopped: number; stuck: number[] }> {
  const state = readState(dir);
  if (!state) {
    options.print(`no lab in ${dir}: nothing to stop`);
    if (options.removeData) rmSync(dir, { recursive: true, force: true });
    return { stopped: 0, stuck: [] };
  }
  const procs = [...state.processes].sort((a, b) => ORDER[a.kind] - ORDER[b.kind]);
  let stopped = 0;
  const stuck: number[] = [];
  for (const kind of ['web', 'agent', 'patroni', 'etcd'] as const) {
    const group = procs.filter((p) => p.kind === kind && isRunning(p));
    const results = await Promise.all(group.map((p) => stopProcess(p, kind === 'patroni' ? 60_000 : 15_000)));
    group.forEach((p, i) => {
      if (results[i]) {
        stopped++;
        options.print(`stopped ${p.kind} on ${p.host} (pid ${p.pid})`);
      } else stuck.push(p.pid);
    });
  }
  if (stuck.length === 0) {
    state.processes = [];
    writeState(state);
    if (options.removeData) {
      rmSync(dir, { recursive: true, force: true });
      options.print(`removed ${dir}`);
    }
  }
  return { stopped, stuck };
}
