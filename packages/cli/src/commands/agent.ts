/**
 * `pharos agent run --config FILE`: runs the monitoring agent in the
 * foreground until SIGTERM/SIGINT (the lab and service managers start it).
 * `agent register`, `agent unregister`, `agent sign-csr` (agent-register.ts)
 * and `agent verify` (agent-verify.ts) manage its registration.
 */

import type { Command } from 'commander';
import { registerAgentRegistrationCommands } from './agent-register.js';
import { registerAgentVerifyCommand } from './agent-verify.js';

/** Registers the `agent` commands. */
export function registerAgentCommands(program: Command): void {
  const agent = program.command('agent').description('the monitoring agent');
  agent
    .command('run')
    .description('run the agent in the foreground')
    .requiredOption('--config <file>', 'agent configuration file (written by pharos configure)')
    .action(async (flags: { config: string }) => {
      const { loadAgentConfig } = await import('@pharos/agent/config');
      const { runAgent } = await import('@pharos/agent/run');
      const handle = await runAgent(loadAgentConfig(flags.config));
      await new Promise<void>((resolve) => {
        const stop = () => {
          void handle.stop().then(resolve, resolve);
        };
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
    });
  registerAgentRegistrationCommands(agent);
  registerAgentVerifyCommand(agent);
}
