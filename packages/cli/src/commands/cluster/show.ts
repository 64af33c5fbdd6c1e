/** `pharos cluster show`: its flags; what it does is in clusters.ts. */
import type { Command } from 'commander';
import { apiOptions } from '../../api/options.js';
import type { ClusterFlags } from './clusters.js';

/** Registers `cluster show`. */
export function registerClusterShow(cluster: Command): void {
  apiOptions(cluster.command('show').description('one cluster: its members, their roles and servers'))
    .argument('<cluster>', 'id or name')
    .action(async (name: string, f: ClusterFlags) => (await import('./clusters.js')).show(name, f));
}
