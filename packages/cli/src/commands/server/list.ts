/** `pharos server list`: its flags; what it does is in servers.ts. */
import type { Command } from 'commander';
import { apiOptions } from '../../api/options.js';
import type { ServerFlags } from './servers.js';

/** Registers `server list`. */
export function registerServerList(server: Command): void {
  apiOptions(server.command('list').description('list monitored servers, their agent, role and freshness'))
    .option('--tag <tags>', 'only servers with all these tags (comma-separated)')
    .action(async (f: ServerFlags) => (await import('./servers.js')).list(f));
}
