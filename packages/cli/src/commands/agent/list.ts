/** `pharos agent list`: its flags; what it does is in enrolment.ts. */
import type { Command } from 'commander';
import type { ApiFlags } from '../../api/client.js';
import { apiOptions } from '../../api/options.js';

/** Registers `agent list` on the `agent` command group. */
export function registerAgentList(agent: Command): void {
  apiOptions(
    agent.command('list').description('list registered agents: address, heartbeat, servers (web API)'),
  ).action(async (f: ApiFlags & { json?: boolean }) => (await import('./enrolment.js')).listAgentsCommand(f));
}
