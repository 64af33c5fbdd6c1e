/** `pharos token list`: its flags; what it does is in tokens.ts. */
import type { Command } from 'commander';
import { apiOptions } from '../../api/options.js';
import type { TokenFlags } from './tokens.js';

/** Registers `token list`. */
export function registerTokenList(token: Command): void {
  apiOptions(token.command('list').description('list enrolment tokens (never the tokens themselves)'))
    .option('--usable', 'only the tokens that can still enrol')
    .action(async (f: TokenFlags) => (await import('./tokens.js')).list(f));
}
