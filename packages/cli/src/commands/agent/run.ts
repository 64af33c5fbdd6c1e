/**
 * `pharos agent run --config FILE`: runs the monitoring agent in the
 * foreground until SIGTERM/SIGINT; SIGHUP reloads the configuration, the
 * spool stays (../../service.ts; the lab and systemd start it).
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
      const { runService } = await import('../../service.js');
      await runService({
        name: 'agent',
        load: () => loadAgentConfig(flags.config),
        start: (config) => runAgent(config),
        stop: (handle) => handle.stop(),
        status: (_handle, config) => `agent ${config.agent_id} running, spool ${config.spool_dir}`,
      });
    });
}
