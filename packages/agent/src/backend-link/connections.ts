/**
 * The agent's two backend connections, both `HaConnection`s on the
 * multi-host backend string, bound to `source_address` (else `host_address`):
 * `ship` for batches and `control` for bindings, settings, heartbeats and
 * jobs, so neither waits behind the other. Application names
 * `pharos-agent-<id>-ship` / `-control`.
 */
import { parseConninfo } from '@pharos/core/conninfo/resolve';
import { HaConnection } from '@pharos/core/ha/connection';
import type { Logger } from '@pharos/core/log';
import { type AgentConfig, backendConninfo } from '../config.js';

/**
 * Makes the ship and control connections of `config` (nothing is dialled yet).
 * @throws InputError/ConfigError for a malformed backend string or an unusable TLS file
 */
export function backendConnections(
  config: AgentConfig,
  logger: Logger,
): { ship: HaConnection; control: HaConnection } {
  const backend = backendConninfo(config);
  const connFor = (role: 'ship' | 'control') => {
    const ci = parseConninfo(backend, {});
    ci.applicationName = `pharos-agent-${config.agent_id}-${role}`;
    return new HaConnection({
      conninfo: ci,
      sourceAddress: config.source_address ?? config.host_address,
      queryTimeoutMs: 15000,
      logger: logger.child({ conn: role }),
    });
  };
  return { ship: connFor('ship'), control: connFor('control') };
}
