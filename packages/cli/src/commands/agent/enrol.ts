/**
 * `pharos agent enrol`: its flags. What it does is in enrolment.ts, loaded
 * only when it runs (docs/monitoring-a-server.md).
 */
import type { Command } from 'commander';
import type { EnrolFlags } from './enrolment.js';

/** Registers `agent enrol` on the `agent` command group. */
export function registerAgentEnrol(agent: Command): void {
  agent
    .command('enrol')
    .description(
      'enrol this host’s agent with a one-time token, through a web instance (no superuser password)',
    )
    .option('--url <url>', 'web instance, e.g. https://pem-web-1:8443 (default PHAROS_URL)')
    .option(
      '--token <token>',
      'the one-time token (default PHAROS_ENROL_TOKEN; prefer the variable: a flag shows in ps)',
    )
    .option(
      '--ca-file <file>',
      'the deployment’s CA: verifies the web instance and the backends (default PHAROS_CA_FILE)',
    )
    .option('--config <file>', 'agent configuration to write', '/etc/pharos/agent.yml')
    .option('--display-name <name>', 'display name (default PHAROS_HOST_NAME, else the host name)')
    .option(
      '--host-address <ip>',
      'this host’s address, as monitored servers see it (default PHAROS_HOST_ADDRESS)',
    )
    .option(
      '--sslcert <file>',
      'this host’s own agent certificate (per-agent CN agentN, or --agent-user); default: the built-in CA issues one',
    )
    .option('--sslkey <file>', 'its private key')
    .option('--agent-user <name>', 'the common agent user (with --sslcert/--sslkey)')
    .option('--server-sslrootcert <file>', 'CA file that verifies the monitored servers (server_sslrootcert)')
    .option(
      '--start',
      'start the agent in the background once enrolled (otherwise: systemctl enable --now pharos-agent)',
    )
    .action(async (f: EnrolFlags) => (await import('./enrolment.js')).enrol(f));
}
