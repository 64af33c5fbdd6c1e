/**
 * `pharos`: the operations CLI (DESIGN.md §2). One file per command:
 * commands/<noun>/<verb>.ts registers the verb on its noun's group
 * (commands/<noun>/index.ts), and top-level verbs are commands/<verb>.ts.
 * A verb loads its implementation only when it runs.
 * Exit codes: 0 success, 1 failure, 2 invalid input (InputError).
 */

import { PharosError } from '@pharos/core/errors';
import { Command, CommanderError } from 'commander';
import { expandConfigureFlags } from './commands/configure/flags.js';
import { VERSION } from './version.js';

type Register = (program: Command) => void;

/**
 * The command groups, each loaded only when its noun is on the command line
 * (all of them for help): a long-running `pharos agent run` or `pharos web
 * run` then holds only its own code in memory.
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  lab: async () => (await import('./commands/lab/index.js')).registerLabCommands,
  configure: async () => (await import('./commands/configure/index.js')).registerConfigure,
  agent: async () => (await import('./commands/agent/index.js')).registerAgentCommands,
  web: async () => (await import('./commands/web/index.js')).registerWebCommands,
  plan: async () => (await import('./commands/plan.js')).registerPlan,
  check: async () => (await import('./commands/check.js')).registerCheck,
};

/** Builds the program with the commands of `noun` registered, or every command when `noun` is not one. */
export async function buildProgram(noun?: string): Promise<Command> {
  const program = new Command('pharos')
    .description('Pharos: highly available PostgreSQL fleet monitoring')
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError();
  const names = noun !== undefined && noun in COMMANDS ? [noun] : Object.keys(COMMANDS);
  for (const name of names) (await COMMANDS[name]!())(program);
  return program;
}

/** Runs the CLI with `argv` (node-style: argv[0] node, argv[1] script). Resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = await buildProgram(argv[2]);
  try {
    const args =
      argv[2] === 'configure' ? [...argv.slice(0, 3), ...expandConfigureFlags(argv.slice(3))] : argv;
    await program.parseAsync(args);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0)
        return 0;
      return 2;
    }
    if (err instanceof PharosError) {
      process.stderr.write(`pharos: ${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  }
}
