/** `pharos maintenance stop`: its flags; what it does is in windows.ts. */
import type { Command } from 'commander';
import { apiOptions } from '../../api/options.js';
import type { MaintenanceFlags } from './windows.js';

/** Registers `maintenance stop`. */
export function registerMaintenanceStop(maintenance: Command): void {
  apiOptions(
    maintenance
      .command('stop')
      .description('stop a maintenance window now (alerts still raised notify at their next evaluation)'),
  )
    .argument('<id>', 'the window (pharos maintenance list shows them)')
    .action(async (id: string, f: MaintenanceFlags) => (await import('./windows.js')).stop(id, f));
}
