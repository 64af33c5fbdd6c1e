/** `pharos token revoke`: its flags; what it does is in tokens.ts. */
import type { Command } from 'commander';
import { apiOptions } from '../../api/options.js';
import type { TokenFlags } from './tokens.js';

/** Registers `token revoke`. */
export function registerTokenRevoke(token: Command): void {
  apiOptions(token.command('revoke').description('revoke an enrolment token'))
    .argument('<id>', 'token id (pharos token list)')
    .action(async (id: string, f: TokenFlags) => (await import('./tokens.js')).revoke(id, f));
}
