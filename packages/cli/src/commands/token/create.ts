/** `pharos token create`: its flags; what it does is in tokens.ts. */
import type { Command } from 'commander';
import { apiOptions } from '../../api/options.js';
import type { TokenFlags } from './tokens.js';

/** Registers `token create`. */
export function registerTokenCreate(token: Command): void {
  apiOptions(token.command('create').description('issue a one-time enrolment token (printed once)'))
    .requiredOption('--name <text>', 'what it is for, e.g. the host it enrols')
    .option('--valid-for <duration>', 'validity: 30m, 24h, 7d or seconds (default 24h; 1m to 30d)', '24h')
    .action(async (f: TokenFlags) => (await import('./tokens.js')).create(f));
}
