/**
 * `pharos maintenance`: maintenance windows (issue 18; PEM: blackouts;
 * docs/maintenance.md) through a web instance's API — `start`, `stop`,
 * `list`, one file each; what they do is in windows.ts, loaded only when one
 * runs.
 */
import type { Command } from 'commander';
import { registerMaintenanceList } from './list.js';
import { registerMaintenanceStart } from './start.js';
import { registerMaintenanceStop } from './stop.js';

/** Registers the `maintenance` commands. */
export function registerMaintenanceCommands(program: Command): void {
  const maintenance = program
    .command('maintenance')
    .description('maintenance windows: alerts recorded but nobody notified (through the web API)');
  registerMaintenanceStart(maintenance);
  registerMaintenanceStop(maintenance);
  registerMaintenanceList(maintenance);
}
