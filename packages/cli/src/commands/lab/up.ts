/** `pharos lab up`: start the lab and wait until it shows live data. */
import { resolve } from 'node:path';
import { DEFAULT_LAB_DIR } from '@pharos/ops/lab/layout';
import { secretsPath } from '@pharos/ops/lab/secrets';
import { labUp } from '@pharos/ops/lab/up';
import type { Command } from 'commander';
import { print } from '../../output.js';

/** The default topology: examples/lab-sm.topology.yml (a copy of ../shared/examples/lab-sm.topology.yml). */
export const DEFAULT_TOPOLOGY = resolve(
  new URL('../../../../../examples/lab-sm.topology.yml', import.meta.url).pathname,
);

/** Registers `lab up` on the `lab` command group. */
export function registerLabUp(lab: Command): void {
  lab
    .command('up')
    .description(
      'start the lab; returns when every monitored server has PostgreSQL probe data and every web instance shows it',
    )
    .option('--topology <file>', 'topology file', DEFAULT_TOPOLOGY)
    .option('--dir <dir>', 'lab directory (state, data, logs)', DEFAULT_LAB_DIR)
    .option('--probe-interval <seconds>', 'agents’ probe interval', '5')
    .option(
      '--no-fleet',
      'without the fleet of monitored hosts (db-host-1..3: a standalone server, a Patroni cluster)',
    )
    .option(
      '--webhook-allow <entries...>',
      'webhook_allow of every agent: receivers on this machine (loopback) webhooks may reach, as address[:port] or CIDR',
    )
    .action(
      async (f: {
        topology: string;
        dir: string;
        probeInterval: string;
        fleet: boolean;
        webhookAllow?: string[];
      }) => {
        const state = await labUp({
          topologyFile: f.topology,
          dir: f.dir,
          print,
          probeIntervalS: Number(f.probeInterval),
          fleet: f.fleet,
          ...(f.webhookAllow ? { webhookAllow: f.webhookAllow } : {}),
        });

        print('');
        print(`lab is up in ${((state.upDurationMs ?? 0) / 1000).toFixed(1)} s (directory ${state.dir})`);
        print('web application (the lab CA signs its certificate: pki/ca.crt):');
        for (const u of state.webUrls) print(`  ${u}`);
        print(`login: pemsuper, password: jq -r .pemsuper ${secretsPath(state.dir)}`);
        if (state.fleet)
          print(
            `fleet: ${state.fleet.hosts.map((h) => `${h.name} ${h.address}`).join(', ')}: servers ${state.fleet.serverNames.join(', ')} (pharos server list, pharos cluster list)`,
          );
        print(`status: pharos lab status --dir ${state.dir}`);
        print(`stop:   pharos lab down --dir ${state.dir}   (add --remove-data to delete the lab's data)`);
      },
    );
}
