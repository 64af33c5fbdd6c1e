/** `pharos lab status`: every host, process, role and health; exit 1 when not healthy. */
import { DEFAULT_LAB_DIR } from '@pharos/ops/lab/layout';
import { labStatus } from '@pharos/ops/lab/status';
import type { Command } from 'commander';
import { print, printJson } from '../../output.js';

/** Registers `lab status` on the `lab` command group. */
export function registerLabStatus(lab: Command): void {
  lab
    .command('status')
    .description('every host, process, role and health')
    .option('--dir <dir>', 'lab directory', DEFAULT_LAB_DIR)
    .option('--json', 'print as JSON')
    .action(async (f: { dir: string; json?: boolean }) => {
      const { state, lines, healthy, rssBytes, processCount } = await labStatus(f.dir);
      if (f.json) {
        printJson({ phase: state.phase, healthy, processes: lines, webUrls: state.webUrls });
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
}
