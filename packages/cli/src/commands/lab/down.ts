/** `pharos lab down`: stop every process the lab started, by PID. */

import { pharosError } from '@pharos/core/errors';
import { labDown } from '@pharos/ops/lab/down';
import { DEFAULT_LAB_DIR } from '@pharos/ops/lab/layout';
import type { Command } from 'commander';
import { print } from '../../output.js';

/** Registers `lab down` on the `lab` command group. */
export function registerLabDown(lab: Command): void {
  lab
    .command('down')
    .description('stop every process the lab started (by PID)')
    .option('--dir <dir>', 'lab directory', DEFAULT_LAB_DIR)
    .option('--remove-data', 'also delete the lab directory (data, certificates, logs)')
    .action(async (f: { dir: string; removeData?: boolean }) => {
      const r = await labDown(f.dir, { removeData: Boolean(f.removeData), print });
      if (r.stuck.length > 0) throw pharosError('PHAROS_LAB_STUCK', { pids: r.stuck.join(', ') });
      print(`lab down: ${r.stopped} processes stopped`);
    });
}
