/**
 * `pharos`: the operations CLI (DESIGN.md §2). One file per command:
 * commands/<noun>/<verb>.ts registers the verb on its noun's group
 * (commands/<noun>/index.ts), and top-level verbs are commands/<verb>.ts.
 * A verb loads its implementation only when it runs.
 *
 * Errors: a command that fails prints one message on stderr, its first line
 * ending with the catalogue code, `pharos: <message> [PHAROS_<AREA>_<WHAT>]`
 * (docs/errors.md), and exits with the code's exit code (docs/exit-codes.md:
 * 0 success, 1 failure, 2 invalid input).
 *
 * A usage error (unknown command or option, missing argument) is
 * PHAROS_CLI_USAGE (exit 2): it prints the error, commander's "Did you mean
 * ...?" and one line naming the help to read, as git and patronictl do, not
 * the whole help. An unknown command is an error with `--help` too (`pharos
 * nosuch --help` exits 2). An error that is not Pharos's is a bug,
 * PHAROS_INTERNAL_UNEXPECTED (exit 1). No error prints a stack trace
 * (PHAROS_DEBUG=1 adds it for errors that are not Pharos's own).
 */

import { type ErrorCode, EXIT, messageOf, PharosError } from '@pharos/core/errors';
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
  server: async () => (await import('./commands/server/index.js')).registerServerCommands,
  token: async () => (await import('./commands/token/index.js')).registerTokenCommands,
  'api-token': async () => (await import('./commands/api-token/index.js')).registerApiTokenCommands,
  cluster: async () => (await import('./commands/cluster/index.js')).registerClusterCommands,
  maintenance: async () => (await import('./commands/maintenance/index.js')).registerMaintenanceCommands,
  probe: async () => (await import('./commands/probe/index.js')).registerProbeCommands,
  plan: async () => (await import('./commands/plan.js')).registerPlan,
  check: async () => (await import('./commands/check.js')).registerCheck,
};

/** Builds the program with the commands of `noun` registered, or every command when `noun` is not one. */
export async function buildProgram(noun?: string): Promise<Command> {
  const program = new Command('pharos')
    .description('Pharos: highly available PostgreSQL fleet monitoring')
    .version(VERSION)
    .exitOverride()
    .configureOutput({
      outputError: (text, write) => write(formatError(usageMessage(text), 'PHAROS_CLI_USAGE')),
    });
  const names = noun !== undefined && noun in COMMANDS ? [noun] : Object.keys(COMMANDS);
  for (const name of names) (await COMMANDS[name]!())(program);
  helpHintAfterErrors(program);
  return program;
}

/**
 * The CLI's error line(s): `pharos: <message> [CODE]`, the code at the end of
 * the first line (a message listing problems keeps them on the lines below).
 */
export function formatError(message: string, code: ErrorCode): string {
  const [first, ...rest] = message.split('\n');
  return `${[`pharos: ${first} [${code}]`, ...rest].join('\n')}\n`;
}

/** Commander's message without its `error: ` prefix and trailing newline. */
function usageMessage(text: string): string {
  return text.replace(/^error: /, '').trimEnd();
}

/** Sets, on `cmd` and every subcommand, the one line printed after a usage error: where its help is. */
function helpHintAfterErrors(cmd: Command, path = cmd.name()): void {
  cmd.showHelpAfterError(`Run '${path} --help' for usage.`);
  for (const sub of cmd.commands) helpHintAfterErrors(sub, `${path} ${sub.name()}`);
}

const HELP_FLAGS = new Set(['-h', '--help']);

/**
 * The first word of `args` (the words after `pharos`) that stands where a
 * subcommand must and names none, or undefined. Commands with subcommands
 * take no option values, so every word not starting with '-' is a command
 * name until a command without subcommands is reached; `help` is skipped.
 */
export function unknownCommandWord(program: Command, args: string[]): string | undefined {
  let cmd = program;
  for (const word of args) {
    if (cmd.commands.length === 0) return undefined;
    if (word.startsWith('-') || word === 'help') continue;
    const sub = cmd.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (!sub) return word;
    cmd = sub;
  }
  return undefined;
}

/** Runs the CLI with `argv` (node-style: argv[0] node, argv[1] script). Resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = await buildProgram(argv[2]);
  try {
    let args = argv[2] === 'configure' ? [...argv.slice(0, 3), ...expandConfigureFlags(argv.slice(3))] : argv;
    // `pharos nosuch --help` (or `pharos help nosuch`): commander would print the parent's help and
    // exit 0; without the help words it reports the unknown command with its "Did you mean".
    if (unknownCommandWord(program, args.slice(2)) !== undefined)
      args = args.filter((a, i) => i < 2 || !(HELP_FLAGS.has(a) || a === 'help'));
    await program.parseAsync(args);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0)
        return EXIT.OK;
      return EXIT.INPUT;
    }
    if (err instanceof PharosError) {
      process.stderr.write(formatError(err.message, err.code));
      return err.exitCode;
    }
    process.stderr.write(formatError(`internal error: ${messageOf(err)}`, 'PHAROS_INTERNAL_UNEXPECTED'));
    if (process.env.PHAROS_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    return EXIT.FAILED;
  }
}
