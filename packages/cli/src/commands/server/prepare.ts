/** `pharos server prepare`: its flags; what it does is in servers.ts. */
import type { Command } from 'commander';
import { apiOptions } from '../../api/options.js';
import { connectionFlags } from './flags.js';
import type { ServerFlags } from './servers.js';

/** Registers `server prepare`. */
export function registerServerPrepare(server: Command): void {
  apiOptions(
    connectionFlags(
      server
        .command('prepare')
        .description('print what the server needs: role, HBA rule, passfile line, TLS'),
      true,
    ),
  ).action(async (f: ServerFlags) => (await import('./servers.js')).prepare(f));
}
