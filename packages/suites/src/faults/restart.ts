/**
 * Restarting a process the lab started, the way `lab up` started it
 * (packages/ops/src/lab/up.ts startEtcd/startPatroni, configure-steps.ts for
 * agents and web instances): the command recorded in lab.json, and the same
 * environment, working directory, OS user and log file:
 *
 * - etcd: `PATH` plus the member's settings from `<host>/etcd.conf` (what
 *   up.ts passes as the environment; the data directory persists, so the
 *   member rejoins its cluster), cwd `<host>`;
 * - patroni: `PATH`, `HOME=<host>`, `LANG`/`LC_ALL=C.UTF-8`, as the
 *   `postgres` OS user when running as root, cwd `<host>`;
 * - agent, web: this process's environment, cwd `<host>/pharos`.
 *
 * The new PID and start time replace the old entry in lab.json.
 */

import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { postgresUser } from '@pharos/ops/lab/backend-sql';
import { labLayout } from '@pharos/ops/lab/layout';
import { isRunning, type LabProcess, type SpawnOptions, spawnDetached } from '@pharos/ops/lab/processes';
import { type LabState, writeState } from '@pharos/ops/lab/state';
import { parseEtcdConf } from '@pharos/ops/render/etcd';

/** Spawn options (environment, cwd, OS user, log file) `lab up` used for `proc`. */
export function spawnOptionsOf(state: Pick<LabState, 'dir'>, proc: LabProcess): SpawnOptions {
  const layout = labLayout(state.dir);
  const hostDir = layout.hostDir(proc.host);
  switch (proc.kind) {
    case 'etcd':
      return {
        env: { PATH: process.env.PATH, ...parseEtcdConf(readFileSync(`${hostDir}/etcd.conf`, 'utf8')) },
        cwd: hostDir,
        logFile: proc.logFile,
      };
    case 'patroni': {
      const pg = postgresUser();
      return {
        env: { PATH: process.env.PATH, HOME: hostDir, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' },
        cwd: hostDir,
        logFile: proc.logFile,
        uid: pg?.uid,
        gid: pg?.gid,
      };
    }
    case 'postgres':
    case 'pgbench': {
      // the lab fleet's standalone server and its load (lab/fleet/postgres.ts): run in the log's directory
      const pg = postgresUser();
      return {
        env: { PATH: process.env.PATH, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' },
        cwd: dirname(proc.logFile),
        logFile: proc.logFile,
        uid: pg?.uid,
        gid: pg?.gid,
      };
    }
    case 'agent':
    case 'web':
      return { env: { ...process.env }, cwd: layout.pharosDir(proc.host), logFile: proc.logFile };
  }
}

/**
 * Starts `proc` again with its recorded command (see the module note for the
 * environment), replaces its entry in `state.processes` and writes lab.json.
 * Resolves with the new record.
 *
 * @throws Error when `proc` still runs (stop or kill it first), or when the
 *   program cannot be started.
 */
export async function restartProcess(state: LabState, proc: LabProcess): Promise<LabProcess> {
  if (isRunning(proc)) throw new Error(`${proc.kind} on ${proc.host} (pid ${proc.pid}) still runs`);
  const { pid, startTicks } = await spawnDetached(proc.command, spawnOptionsOf(state, proc));
  const fresh: LabProcess = { ...proc, pid, startTicks };
  const i = state.processes.findIndex((p) => p.pid === proc.pid && p.startTicks === proc.startTicks);
  if (i >= 0) state.processes[i] = fresh;
  else state.processes.push(fresh);
  writeState(state);
  return fresh;
}

/** The recorded process of `kind` on `host`. @throws Error when lab.json has none. */
export function findProcess(state: LabState, kind: LabProcess['kind'], host: string): LabProcess {
  const p = state.processes.find((x) => x.kind === kind && x.host === host);
  if (!p) throw new Error(`lab.json records no ${kind} on ${host}`);
  return p;
}
