/**
 * `pharos cluster`: monitored Patroni clusters (issue 14,
 * docs/monitoring-a-server.md "Patroni clusters") through a web instance's
 * API — `list`, `show`, `add`, `remove`, one file each; what they do is in
 * clusters.ts, loaded only when one runs.
 */
import type { Command } from 'commander';
import { registerClusterAdd } from './add.js';
import { registerClusterList } from './list.js';
import { registerClusterRemove } from './remove.js';
import { registerClusterShow } from './show.js';

/** Registers the `cluster` commands. */
export function registerClusterCommands(program: Command): void {
  const cluster = program
    .command('cluster')
    .description(
      'monitored Patroni clusters: every member a server, followed by an agent (through the web API)',
    );
  registerClusterList(cluster);
  registerClusterShow(cluster);
  registerClusterAdd(cluster);
  registerClusterRemove(cluster);
}
