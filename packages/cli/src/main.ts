/**
 * `pharos`: the operations CLI (DESIGN.md §2). One file per command under
 * commands/<noun>/<verb>.ts; each registers itself on the commander program.
 * Exit codes: 0 success, 1 failure, 2 invalid input (InputError).
 */

import { PharosError } from '@pharos/core/errors';
import { Command, CommanderError } from 'commander';
import { registerAgentCommands } from './commands/agent.js';
import { registerCheck } from './commands/check.js';
import { configureArgv, registerConfigure } from './commands/configure.js';
import { registerLabCommands } from './commands/lab.js';
import { registerPlan } from './commands/plan.js';
import { registerWebCommands } from './commands/web.js';
import { VERSION } from './version.js';

/** Builds the program with every command registered. */
export function buildProgram(): Command {
  const program = new Command('pharos')
    .description('Pharos: highly available PostgreSQL fleet monitoring')
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError();
  registerLabCommands(program);
  registerConfigure(program);
  registerAgentCommands(program);
  registerWebCommands(program);
  registerPlan(program);
  registerCheck(program);
  return program;
}

/** Runs the CLI with `argv` (node-style: argv[0] node, argv[1] script). Resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    const args = argv[2] === 'configure' ? [...argv.slice(0, 3), ...configureArgv(argv.slice(3))] : argv;
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
