/**
 * `pharos agent register`: its flags. What it does is in registration.ts,
 * loaded only when it runs.
 */
import type { Command } from 'commander';
import { connectionOptions } from './connection-options.js';
import type { RegisterFlags } from './registration.js';

/** Registers `agent register` on the `agent` command group. */
export function registerAgentRegister(agent: Command): void {
  connectionOptions(agent.command('register').description('register this host’s agent with the backend'))
    .option('--agent-id <n>', 'agent id (default: this host’s existing one, else the next free)')
    .option('--agent-user <name>', 'common agent database user (default: agentN)')
    .option('--sslcert <file>', 'agent certificate (CN = agent user); default: issued by the built-in CA')
    .option('--sslkey <file>', 'its private key')
    .option(
      '--cert-path <dir>',
      'where the built-in CA’s certificate and key are written (default: beside --config)',
    )
    .option('--sslmode <mode>', 'sslmode of the backend connections (default PGSSLMODE, else verify-full)')
    .option('--sslrootcert <file>', 'CA of the backends’ server certificates (default PGSSLROOTCERT)')
    .option('--display-name <name>', 'display name (default: the host name)')
    .option('--force', 're-register over an existing registration')
    .action(async (f: RegisterFlags) => (await import('./registration.js')).register(f));
}
