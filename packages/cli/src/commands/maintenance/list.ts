/** `pharos maintenance list`: its flags; what it does is in windows.ts. */
import type { Command } from 'commander';
import { apiOptions } from '../../api/options.js';
import type { MaintenanceFlags } from './windows.js';

/** Registers `maintenance list`. */
export function registerMaintenanceList(maintenance: Command): void {
  apiOptions(
    maintenance
      .command('list')
      .description('list active and scheduled maintenance windows: who, why, until when'),
  )
    .option('--all', 'stopped and past windows too')
    .action(async (f: MaintenanceFlags) => (await import('./windows.js')).list(f));
}
