/**
 * `pharos lab up | status | down`: the whole reference deployment on this
 * machine (see packages/ops/src/lab/up.ts for the steps).
 */
import type { Command } from 'commander';
import { registerLabDown } from './down.js';
import { registerLabStatus } from './status.js';
import { registerLabUp } from './up.js';

/** Registers the `lab` commands. */
export function registerLabCommands(program: Command): void {
  const lab = program
    .command('lab')
    .description('run the whole deployment on this machine with real etcd, Patroni and PostgreSQL');
  registerLabUp(lab);
  registerLabStatus(lab);
  registerLabDown(lab);
}
