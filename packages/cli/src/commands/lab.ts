/**
 * `pharos lab up | status | down`: the whole reference deployment on this
 * machine (see packages/ops/src/lab/up.ts for the steps).
 */

import { resolve } from 'node:path';
import { labDown } from '@pharos/ops/lab/down';
import { DEFAULT_LAB_DIR } from '@pharos/ops/lab/layout';
import { secretsPath } from '@pharos/ops/lab/secrets';
import { labStatus } from '@pharos/ops/lab/status';
import { labUp } from '@pharos/ops/lab/up';
import type { Command } from 'commander';

/** The default topology: examples/lab-sm.topology.yml (a copy of ../shared/examples/lab-sm.topology.yml). */
export const DEFAULT_TOPOLOGY = resolve(
  new URL('../../../../examples/lab-sm.topology.yml', import.meta.url).pathname,
);

const print = (line: string) => process.stdout.write(`${line}\n`);

/** Registers the `lab` commands. */
export function registerLabCommands(program: Command): void {
  const lab = program
    .command('lab')
    .description('run the whole deployment on this machine with real etcd, Patroni and PostgreSQL');
  lab
    .command('up')
    .description('start the lab and wait until every web instance shows live data')
    .option('--topology <file>', 'topology file', DEFAULT_TOPOLOGY)
    .option('--dir <dir>', 'lab directory (state, data, logs)', DEFAULT_LAB_DIR)
    .option('--probe-interval <seconds>', 'agents’ probe interval', '5')
    .action(async (f: { topology: string; dir: string; probeInterval: string }) => {
      const state = await labUp({
        topologyFile: f.topology,
        dir: f.dir,
        print,
        probeIntervalS: Number(f.probeInterval),
      });

      print('');
      print(`lab is up in ${((state.upDurationMs ?? 0) / 1000).toFixed(1)} s (directory ${state.dir})`);
      print('web application (the lab CA signs its certificate: pki/ca.crt):');
      for (const u of state.webUrls) print(`  ${u}`);
      print(`login: pemsuper, password: jq -r .pemsuper ${secretsPath(state.dir)}`);
      print(`status: pharos lab status --dir ${state.dir}`);
      print(`stop:   pharos lab down --dir ${state.dir}   (add --remove-data to delete the lab's data)`);
    });
  lab
    .command('status')
    .description('every host, process, role and health')
    .option('--dir <dir>', 'lab directory', DEFAULT_LAB_DIR)
    .option('--json', 'print as JSON')
    .action(async (f: { dir: string; json?: boolean }) => {
      const { state, lines, healthy, rssBytes, processCount } = await labStatus(f.dir);
      if (f.json) {
        print(
          JSON.stringify({ phase: state.phase, healthy, processes: lines, webUrls: state.webUrls }, null, 2),
        );
      } else {
        print(`lab ${state.dir}: ${state.phase}, ${healthy ? 'healthy' : 'NOT healthy'}`);
        print(`  memory: ${(rssBytes / 2 ** 20).toFixed(0)} MiB resident in ${processCount} processes`);
        for (const l of lines) {
          print(
            `  ${l.host.padEnd(16)} ${l.kind.padEnd(8)} pid ${String(l.pid).padEnd(8)} ${l.running ? 'running' : 'STOPPED'}  ${l.detail}`,
          );
        }
      }
      process.exitCode = healthy ? 0 : 1;
    });
  lab
    .command('down')
    .description('stop every process the lab started (by PID)')
    .option('--dir <dir>', 'lab directory', DEFAULT_LAB_DIR)
    .option('--remove-data', 'also delete the lab directory (data, certificates, logs)')
    .action(async (f: { dir: string; removeData?: boolean }) => {
      const r = await labDown(f.dir, { removeData: Boolean(f.removeData), print });
      if (r.stuck.length > 0) {
        print(`could not stop pids ${r.stuck.join(', ')}`);
        process.exitCode = 1;
      } else print(`lab down: ${r.stopped} processes stopped`);
    });
}
