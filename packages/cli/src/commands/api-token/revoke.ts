/** `pharos api-token revoke`: its flags; what it does is in api-tokens.ts. */
import type { Command } from 'commander';
import { apiOptions } from '../../api/options.js';
import type { ApiTokenFlags } from './api-tokens.js';

/** Registers `api-token revoke`. */
export function registerApiTokenRevoke(group: Command): void {
  apiOptions(group.command('revoke').description("revoke an API token (the role's own; any, for pem_admin)"))
    .argument('<id>', 'token id (pharos api-token list)')
    .action(async (id: string, f: ApiTokenFlags) => (await import('./api-tokens.js')).revoke(id, f));
}
