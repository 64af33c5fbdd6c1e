/**
 * `pharos agent verify --config FILE`: checks that the agent of this
 * configuration is registered and working, connecting exactly as the agent
 * does (backend/configure/verify.ts). Prints one line, `pharos agent verify:
 * <message> [CODE]` when there is a problem, and exits with 0 registered and
 * working, 1 configuration problem, 2 cannot connect, 3 agent inactive
 * (docs/reference/pem-facts.md §2; docs/exit-codes.md).
 */

import type { VerifyResult } from '@pharos/backend/configure/verify';
import { messageOf, PharosError, pharosError } from '@pharos/core/errors';
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
    const e = err instanceof PharosError ? err : pharosError('PHAROS_INTERNAL_UNEXPECTED');
    return { exit: 1, code: e.code, message: err instanceof PharosError ? e.message : messageOf(err) };
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
      const bad = pharosError('PHAROS_VERIFY_OPTION_INVALID', {
        flag: '--max-heartbeat-age',
        value: f.maxHeartbeatAge,
      });
      const r: VerifyResult =
        max !== undefined && !(max > 0)
          ? { exit: 1, code: bad.code, message: bad.message }
          : await verifyConfigFile(f.config, max);
      const line = r.code === undefined ? r.message : `${r.message} [${r.code}]`;
      (r.exit === 0 ? process.stdout : process.stderr).write(`pharos agent verify: ${line}\n`);
      process.exitCode = r.exit;
    });
}
