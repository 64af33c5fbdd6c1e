/**
 * `pharos agent register`, `pharos agent unregister` and `pharos agent
 * sign-csr`: their flags. What they do is in agent-register-run.ts (see its
 * comment), loaded only when one of them runs.
 */
import type { Command } from 'commander';
import type { ConnectionFlags, RegisterFlags } from './agent-register-run.js';

const impl = () => import('./agent-register-run.js');

function connectionOptions(cmd: Command): Command {
  return cmd
    .option('--config <file>', 'agent configuration file', '/etc/pharos/agent.yml')
    .option('--host <hosts>', 'backend host or multi-host list (default: from the configuration)')
    .option('--port <ports>', 'backend port, or one per host')
    .requiredOption(
      '--superuser <name>',
      'superuser on the backend (password: PHAROS_SUPERPASSWORD or prompt)',
    );
}

/** Registers `agent register`, `agent unregister` and `agent sign-csr` on the `agent` command group. */
export function registerAgentRegistrationCommands(agent: Command): void {
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
    .action(async (f: RegisterFlags) => (await impl()).register(f));
  connectionOptions(
    agent.command('unregister').description('remove an agent’s registration from the backend'),
  )
    .option('--agent-id <n>', 'agent id (default: the configuration’s)')
    .action(async (f: ConnectionFlags & { agentId?: string }) => (await impl()).unregister(f));
  agent
    .command('sign-csr')
    .description(
      'sign an agent CSR with the built-in CA (run by PostgreSQL on the primary during registration)',
    )
    .requiredOption('--cn <user>', 'the agent user the certificate is for')
    .requiredOption('--csr <base64>', 'the CSR (PEM, base64-encoded)')
    .option('--days <n>', 'validity, days', '365')
    .option('--ca-cert <file>', 'CA certificate (relative to the current directory)', 'ca_certificate.crt')
    .option('--ca-key <file>', 'CA key, mode 0600', 'ca_key.key')
    .action(async (f: { cn: string; csr: string; days: string; caCert: string; caKey: string }) =>
      (await impl()).signCsrCommand(f),
    );
}
