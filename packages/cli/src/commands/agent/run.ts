/**
 * `pharos agent run --config FILE`: runs the monitoring agent in the
 * foreground until SIGTERM/SIGINT (the lab and service managers start it).
 * Only @pharos/agent is loaded, so a long-running agent holds no CLI code
 * it does not use (its resident memory is a target: docs/probes.md).
 */
import type { Command } from 'commander';

/** Registers `agent run` on the `agent` command group. */
export function registerAgentRun(agent: Command): void {
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
}
