/** `pharos cluster remove`: its flags; what it does is in clusters.ts. */
import type { Command } from 'commander';
import { apiOptions } from '../../api/options.js';
import type { ClusterFlags } from './clusters.js';

/** Registers `cluster remove`. */
export function registerClusterRemove(cluster: Command): void {
  apiOptions(
    cluster
      .command('remove')
      .description(
        'remove a cluster and every member’s server (bindings, alerts, state); history kept unless purged',
      ),
  )
    .argument('<cluster>', 'id or name')
    .option('--purge-history', 'delete the members’ history now too')
    .action(async (name: string, f: ClusterFlags) => (await import('./clusters.js')).remove(name, f));
}
