/**
 * `pharos agent verify --config FILE`: checks that the agent of this
 * configuration is registered and working, connecting exactly as the agent
 * does (server/configure/verify.ts). Prints one line and exits with
 * 0 registered and working, 1 configuration problem, 2 cannot connect,
 * 3 agent inactive (docs/reference/pem-facts.md §2).
 */

import type { VerifyResult } from '@pharos/backend/configure/verify';
import { messageOf } from '@pharos/core/errors';
import type { Command } from 'commander';

/** Default heartbeat age limit: three probe intervals, at least 60 s. */
function defaultMaxAgeS(probeIntervalS: number): number {
  return Math.max(60, 3 * probeIntervalS);
}

/** Verifies the agent of configuration file `path`. Never throws. */
export async function verifyConfigFile(path: string, maxHeartbeatAgeS?: number): Promise<VerifyResult> {
  try {
    // Loaded here, not at start-up: `pharos agent run` shares this module.
    const { backendConninfo, loadAgentConfig } = await import('@pharos/agent/config');
    const { parseConninfo } = await import('@pharos/core/conninfo/resolve');
    const { verifyAgent } = await import('@pharos/backend/configure/verify');
    const cfg = loadAgentConfig(path);
    return await verifyAgent({
      agentId: cfg.agent_id,
      agentUser: cfg.agent_user,
      conninfo: parseConninfo(backendConninfo(cfg), {}),
      maxHeartbeatAgeS: maxHeartbeatAgeS ?? defaultMaxAgeS(cfg.probe_interval_s),
    });
  } catch (err) {
    return { code: 1, message: messageOf(err) };
  }
}

/** Registers `agent verify` on the `agent` command group. */
export function registerAgentVerifyCommand(agent: Command): void {
  agent
    .command('verify')
    .description(
      'check the agent is registered and working (exit 0 ok, 1 configuration, 2 cannot connect, 3 inactive)',
    )
    .option('--config <file>', 'agent configuration file', '/etc/pharos/agent.yml')
    .option(
      '--max-heartbeat-age <seconds>',
      'heartbeats older than this mean inactive (default: 3 probe intervals, at least 60)',
    )
    .action(async (f: { config: string; maxHeartbeatAge?: string }) => {
      const max = f.maxHeartbeatAge === undefined ? undefined : Number(f.maxHeartbeatAge);
      const r =
        max !== undefined && !(max > 0)
          ? {
              code: 1 as const,
              message: `--max-heartbeat-age: '${f.maxHeartbeatAge}' is not a positive number`,
            }
          : await verifyConfigFile(f.config, max);
      (r.code === 0 ? process.stdout : process.stderr).write(`pharos agent verify: ${r.message}\n`);
      process.exitCode = r.code;
    });
}
