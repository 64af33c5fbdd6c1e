/** `pharos server show`: its flags; what it does is in servers.ts. */
import type { Command } from 'commander';
import { apiOptions } from '../../api/options.js';
import type { ServerFlags } from './servers.js';

/** Registers `server show`. */
export function registerServerShow(server: Command): void {
  apiOptions(server.command('show').description('one server: its settings and what was last observed'))
    .argument('<server>', 'id or display name')
    .action(async (name: string, f: ServerFlags) => (await import('./servers.js')).show(name, f));
}
