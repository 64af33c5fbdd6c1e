/** `pharos api-token create`: its flags; what it does is in api-tokens.ts. */
import type { Command } from 'commander';
import { apiOptions } from '../../api/options.js';
import type { ApiTokenFlags } from './api-tokens.js';

/** Registers `api-token create`. */
export function registerApiTokenCreate(group: Command): void {
  apiOptions(
    group
      .command('create')
      .description("make an API token of the login user's role (printed once; needs a password login)"),
  )
    .requiredOption('--name <text>', 'what it is for, e.g. grafana, backup script')
    .option('--valid-for <duration>', 'validity: 30m, 24h, 90d or seconds (default 90d; 1m to 366d)', '90d')
    .action(async (f: ApiTokenFlags) => (await import('./api-tokens.js')).create(f));
}
