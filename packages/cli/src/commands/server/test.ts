/** `pharos server test`: its flags; what it does is in servers.ts. */
import type { Command } from 'commander';
import { apiOptions } from '../../api/options.js';
import { connectionFlags } from './flags.js';
import type { ServerFlags } from './servers.js';

/** Registers `server test`. */
export function registerServerTest(server: Command): void {
  apiOptions(
    connectionFlags(
      server
        .command('test')
        .description(
          'test a connection from the agent: a registered server, or --host/--user/--agent; exit 1 when it fails',
        ),
      false,
    ),
  )
    .argument('[server]', 'id or display name of a registered server')
    .action(async (name: string | undefined, f: ServerFlags) => (await import('./servers.js')).test(name, f));
}
