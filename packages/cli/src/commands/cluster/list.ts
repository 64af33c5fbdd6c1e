/** `pharos cluster list`: its flags; what it does is in clusters.ts. */
import type { Command } from 'commander';
import { apiOptions } from '../../api/options.js';
import type { ClusterFlags } from './clusters.js';

/** Registers `cluster list`. */
export function registerClusterList(cluster: Command): void {
  apiOptions(
    cluster
      .command('list')
      .description('list monitored Patroni clusters: leader, members, follower, last look'),
  ).action(async (f: ClusterFlags) => (await import('./clusters.js')).list(f));
}
