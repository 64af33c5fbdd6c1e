/**
 * `pharos probe`: custom probes (issue 18, docs/custom-probes.md) through a
 * web instance's API — `list`, `show`, `check`, `add`, `remove`; what they
 * do is in probes.ts, loaded only when one runs.
 */
import type { Command } from 'commander';
import { apiOptions } from '../../api/options.js';
import type { ProbeFlags } from './probes.js';

const collect = (v: string, all: string[] = []) => [...all, v];

/** The flags of `probe add` and `probe check`: the probe's definition and the server to check it on. */
function definitionOptions(cmd: Command): Command {
  return cmd
    .argument('<name>', 'custom_<name>, e.g. custom_orders_queue')
    .option('--level <level>', 'server (once per server) or database (in every database)', 'server')
    .option(
      '--sql <[major=]file>',
      'file with the SQL for that PostgreSQL major and later (default major 13); repeatable',
      collect,
    )
    .option(
      '--column <name:type:unit[:counter]>',
      'a column the SQL returns, e.g. orders:bigint:count; repeatable',
      collect,
    )
    .option('--object-column <column>', "the column naming a row's object (several rows per run)")
    .option('--interval <s>', 'seconds between runs', '60')
    .option('--timeout <ms>', 'statement timeout of one run, ms', '5000')
    .option('--runs-on <role>', 'both, primary or standby', 'both')
    .option('--tag <tag>', 'run only on servers with this tag')
    .option('--server <id>', 'run only on this server; repeatable', collect)
    .option('--description <text>', 'what it collects')
    .requiredOption('--check-on <server id>', 'the server whose agent checks the probe before it is saved')
    .option(
      '--check-db <database>',
      "database-level probes: where to check (default the server's maintenance database)",
    );
}

/** Registers the `probe` commands. */
export function registerProbeCommands(program: Command): void {
  const probe = program
    .command('probe')
    .description('custom probes: SQL run by the agents like the built-in probes (through the web API)');
  apiOptions(probe.command('list').description('list custom probes (--all: built-in ones too)'))
    .option('--all', 'built-in probes too')
    .action(async (f: ProbeFlags) => (await import('./probes.js')).list(f));
  apiOptions(probe.command('show').description('one probe with its SQL and columns'))
    .argument('<name>')
    .action(async (name: string, f: ProbeFlags) => (await import('./probes.js')).show(name, f));
  apiOptions(
    definitionOptions(
      probe.command('check').description('run a probe on a server from its agent; nothing is saved'),
    ),
  ).action(async (name: string, f: ProbeFlags) => (await import('./probes.js')).check(name, f));
  apiOptions(
    definitionOptions(
      probe
        .command('add')
        .description('define (or --replace) a custom probe: checked on a server by its agent first'),
    ).option('--replace', 'change the custom probe of that name'),
  ).action(async (name: string, f: ProbeFlags) => (await import('./probes.js')).add(name, f));
  apiOptions(probe.command('remove').description('remove a custom probe (its history stays until retention)'))
    .argument('<name>')
    .action(async (name: string, f: ProbeFlags) => (await import('./probes.js')).remove(name, f));
}
