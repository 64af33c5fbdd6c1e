/** `pharos agent unregister`: its flags; what it does is in registration.ts. */
import type { Command } from 'commander';
import { connectionOptions } from './connection-options.js';
import type { ConnectionFlags } from './registration.js';

/** Registers `agent unregister` on the `agent` command group. */
export function registerAgentUnregister(agent: Command): void {
  connectionOptions(
    agent.command('unregister').description('remove an agent’s registration from the backend'),
  )
    .option('--agent-id <n>', 'agent id (default: the configuration’s)')
    .action(async (f: ConnectionFlags & { agentId?: string }) =>
      (await import('./registration.js')).unregister(f),
    );
}
