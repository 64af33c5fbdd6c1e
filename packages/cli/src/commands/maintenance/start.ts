/** `pharos maintenance start`: its flags; what it does is in windows.ts. */
import type { Command } from 'commander';
import { apiOptions } from '../../api/options.js';
import type { MaintenanceFlags } from './windows.js';

/** Registers `maintenance start`. */
export function registerMaintenanceStart(maintenance: Command): void {
  apiOptions(
    maintenance
      .command('start')
      .description(
        'start a maintenance window: alerts on what it covers are recorded but notify nobody while it lasts',
      ),
  )
    .option('--server <server>', 'a server (id or name)')
    .option(
      '--agent <agent>',
      'an agent (id or name): its host’s alerts and those of the servers bound to it',
    )
    .option('--group <tag>', 'the servers carrying this tag')
    .option('--fleet', 'the whole fleet')
    .option('--for <duration>', 'how long (90m, 2h, 1h30m, 1d; at most 7d); with --every: each occurrence')
    .option('--from <time>', 'start (ISO 8601; default now); with --every: the first day it applies')
    .option('--until <time>', 'end (instead of --for); with --every: the recurrence’s end')
    .option(
      '--every <when>',
      "weekly: weekdays and a local time, e.g. 'sun 02:00', 'mon,thu 22:30', 'daily 01:00'",
    )
    .option('--tz <zone>', 'time zone of --every (IANA name, e.g. Europe/Paris)')
    .option('--reason <text>', 'why (required; shown wherever the window is)')
    .action(async (f: MaintenanceFlags) => (await import('./windows.js')).start(f));
}
