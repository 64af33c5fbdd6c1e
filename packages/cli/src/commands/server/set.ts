/** `pharos server set`: its flags; what it does is in servers.ts. */
import type { Command } from 'commander';
import { apiOptions } from '../../api/options.js';
import { connectionFlags } from './flags.js';
import type { ServerFlags } from './servers.js';

/** Registers `server set`. */
export function registerServerSet(server: Command): void {
  apiOptions(
    connectionFlags(
      server.command('set').description('change a server (a new connection is tested first)'),
      false,
    ),
  )
    .argument('<server>', 'id or display name')
    .option('--name <name>', 'new display name')
    .option('--tag <tag...>', 'replace its tags')
    .option('--notes <text>', 'replace its notes')
    .option('--no-test', 'change without testing')
    .action(async (name: string, f: ServerFlags) => (await import('./servers.js')).set(name, f));
}
