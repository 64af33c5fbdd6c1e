/** `pharos api-token list`: its flags; what it does is in api-tokens.ts. */
import type { Command } from 'commander';
import { apiOptions } from '../../api/options.js';
import type { ApiTokenFlags } from './api-tokens.js';

/** Registers `api-token list`. */
export function registerApiTokenList(group: Command): void {
  apiOptions(group.command('list').description("list the role's API tokens (never the tokens themselves)"))
    .option('--all', "every role's tokens (pem_admin)")
    .action(async (f: ApiTokenFlags) => (await import('./api-tokens.js')).list(f));
}
