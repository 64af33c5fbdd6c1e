/** `pharos server add`: its flags; what it does is in servers.ts. */
import type { Command } from 'commander';
import { apiOptions } from '../../api/options.js';
import { connectionFlags } from './flags.js';
import type { ServerFlags } from './servers.js';

/** Registers `server add`. */
export function registerServerAdd(server: Command): void {
  apiOptions(
    connectionFlags(
      server
        .command('add')
        .description(
          'test the connection from the agent, then add the server (nothing is added if the test fails)',
        ),
      true,
    ),
  )
    .requiredOption('--name <name>', 'display name (unique)')
    .option('--tag <tag...>', 'tags (groups)')
    .option('--notes <text>', 'free text')
    .option('--no-test', 'add without testing (e.g. the agent is not running yet)')
    .action(async (f: ServerFlags) => (await import('./servers.js')).add(f));
}
