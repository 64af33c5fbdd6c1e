/**
 * `pharos lab down`: stops every process the lab started, by the PIDs in
 * lab.json (web instances, the fleet's pgbench load and the agents first, then
 * Patroni and the fleet's standalone PostgreSQL, then etcd), and with
 * `removeData` deletes the lab directory.
 */
import { rmSync } from 'node:fs';
import { isRunning, stopProcess } from './processes.js';
import { readState, writeState } from './state.js';

const ORDER = { web: 0, pgbench: 1, agent: 2, patroni: 3, postgres: 3, etcd: 4 } as const;
const GROUPS = [['web', 'pgbench'], ['agent'], ['patroni', 'postgres'], ['etcd']] as const;

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
  for (const kinds of GROUPS) {
    const group = procs.filter((p) => (kinds as readonly string[]).includes(p.kind) && isRunning(p));
    const results = await Promise.all(
      group.map((p) => stopProcess(p, p.kind === 'patroni' || p.kind === 'postgres' ? 60_000 : 15_000)),
    );
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
