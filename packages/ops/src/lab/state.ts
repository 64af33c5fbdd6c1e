/**
 * The lab's state file `<lab dir>/lab.json`: what `lab up` started, so that
 * `lab status` and `lab down` find it again from any terminal.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pharosError } from '@pharos/core/errors';
import type { DbaCommand } from './fleet/dba-command.js';
import type { LabFleet } from './fleet/plan.js';
import type { LabProcess } from './processes.js';

/** Shape of lab.json. Times are ISO-8601 strings. */
export interface LabState {
  version: 1;
  topologyFile: string;
  dir: string;
  createdAt: string;
  /** 'starting' while `up` runs, 'up' when it finished healthy, 'failed' when it stopped on an error. */
  phase: 'starting' | 'up' | 'failed';
  processes: LabProcess[];
  webUrls: string[];
  /** Time from `lab up` start to all web instances showing data, in ms (set when phase = up). */
  upDurationMs?: number;
  /** The lab's fleet (lab/fleet/plan.ts), when `lab up` started one. */
  fleet?: LabFleet;
  /** The DBA's commands `lab up` typed for the fleet, with their durations (lab/fleet/dba.ts). */
  fleetCommands?: DbaCommand[];
}

/** Path of the state file in `dir`. */
export function statePath(dir: string): string {
  return join(dir, 'lab.json');
}

/** Reads lab.json, or undefined when there is none. Throws ConfigError when it is unreadable. */
export function readState(dir: string): LabState | undefined {
  const path = statePath(dir);
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LabState;
  } catch (err) {
    throw pharosError('PHAROS_LAB_STATE_UNREADABLE', { path, reason: (err as Error).message });
  }
}

/** Writes lab.json atomically (write to a temporary file, then rename). */
export function writeState(state: LabState): void {
  const path = statePath(state.dir);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}
