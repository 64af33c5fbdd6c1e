/** `pharos cluster add`: its flags; what it does is in clusters.ts. */
import type { Command } from 'commander';
import { apiOptions } from '../../api/options.js';
import type { ClusterFlags } from './clusters.js';

/** Registers `cluster add`. */
export function registerClusterAdd(cluster: Command): void {
  apiOptions(
    cluster
      .command('add')
      .description(
        'read the cluster’s members from its Patroni REST API through the following agent, test each from the agent that will monitor it, then add the cluster and a server per member (nothing is added if a test fails)',
      ),
  )
    .requiredOption(
      '--rest-url <url...>',
      'Patroni REST API of one or more members, e.g. https://10.0.4.11:8008 (asked in this order)',
    )
    .requiredOption(
      '--agent <agent>',
      'the agent that follows the cluster (and monitors members whose host has no agent): id or display name',
    )
    .requiredOption('--user <role>', 'monitoring role on the members (a member of pg_monitor)')
    .option('--name <name>', 'the cluster’s name in Pharos (default: its Patroni scope)')
    .option('--rest-cafile <file>', 'CA file on the following agent’s host for https REST URLs')
    .option('--db <name>', 'maintenance database of the members (default postgres)')
    .option('--sslmode <mode>', 'verify-full (default), verify-ca, require, prefer, allow, disable')
    .option(
      '--sslrootcert <file>',
      'CA file on the monitoring agents’ hosts (default: each agent’s server_sslrootcert)',
    )
    .option('--tag <tag...>', 'tags of the cluster and its members')
    .option('--notes <text>', 'free text')
    .option('--member-grace <seconds>', 'a member absent from the cluster this long is removed (default 60)')
    .option('--no-test', 'add without testing the members’ connections (the cluster is still read)')
    .action(async (f: ClusterFlags) => (await import('./clusters.js')).add(f));
}
