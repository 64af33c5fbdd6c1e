/** `pharos server remove`: its flags; what it does is in servers.ts. */
import type { Command } from 'commander';
import { apiOptions } from '../../api/options.js';
import type { ServerFlags } from './servers.js';

/** Registers `server remove`. */
export function registerServerRemove(server: Command): void {
  apiOptions(
    server
      .command('remove')
      .description('remove a server: its binding, alerts and state; history kept unless purged'),
  )
    .argument('<server>', 'id or display name')
    .option('--purge-history', 'delete its history now too')
    .action(async (name: string, f: ServerFlags) => (await import('./servers.js')).remove(name, f));
}
