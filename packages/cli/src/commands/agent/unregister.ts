/**
 * `pharos agent unregister`: its flags. Two ways, one command:
 * - through a web instance (`--url`, or PHAROS_URL), as a pem_admin member,
 *   from any host (enrolment.ts): `--remove-servers` removes the servers it
 *   monitors too, `--remove-files` removes what `agent enrol` wrote here;
 * - as the backend's superuser (`--superuser`, registration.ts), for the
 *   agents `pharos configure` registered on backend and web hosts.
 */
import { pharosError } from '@pharos/core/errors';
import type { Command } from 'commander';
import type { UnregisterApiFlags } from './enrolment.js';
import type { ConnectionFlags } from './registration.js';

type Flags = UnregisterApiFlags & Partial<ConnectionFlags> & { host?: string; port?: string };

/** Registers `agent unregister` on the `agent` command group. */
export function registerAgentUnregister(agent: Command): void {
  agent
    .command('unregister')
    .description('remove an agent’s registration (through a web instance, or as the backend’s superuser)')
    .option('--config <file>', 'agent configuration file', '/etc/pharos/agent.yml')
    .option('--agent-id <n>', 'agent id (default: the configuration’s)')
    .option('--url <url>', 'web instance, e.g. https://pem-web-1:8443 (default PHAROS_URL)')
    .option(
      '--ca-file <file>',
      'CA that signed its certificate (default PHAROS_CA_FILE, else the system store)',
    )
    .option(
      '--login-user <name>',
      'pem_admin member to log in as (default PHAROS_USER); password: PHAROS_PASSWORD or a prompt',
    )
    .option('--remove-servers', 'also remove the servers it monitors (through a web instance)')
    .option('--remove-files', 'also remove the files `pharos agent enrol` wrote on this host')
    .option('--json', 'print JSON (through a web instance)')
    .option(
      '--superuser <name>',
      'instead: the backend’s superuser (password: PHAROS_SUPERPASSWORD or prompt)',
    )
    .option(
      '--host <hosts>',
      'with --superuser: backend host or multi-host list (default: from the configuration)',
    )
    .option('--port <ports>', 'with --superuser: backend port, or one per host')
    .action(async (f: Flags) => {
      if (f.superuser) {
        const { unregister } = await import('./registration.js');
        return unregister({ ...f, superuser: f.superuser } as ConnectionFlags & { agentId?: string });
      }
      if (!f.url && !process.env.PHAROS_URL) throw pharosError('PHAROS_AGENT_UNREGISTER_HOW');
      return (await import('./enrolment.js')).unregisterThroughApi(f);
    });
}
