/**
 * Judges a multi-host connection string from an agent's or web instance's
 * configuration (pure): it must list every backend, on the planned port,
 * and ask for the primary (`target_session_attrs=read-write` or `primary`),
 * so the component always writes to the current primary without a VIP
 * (DESIGN.md §1, §4; libpq docs §34.1.1.3 "Specifying Multiple Hosts").
 * On a backend host the reference writes the host's own address as
 * 127.0.0.1 in its own position (docs/topology.md, correction 3): a local
 * name there stands for that backend.
 */

import { parseConninfo } from '@pharos/core/conninfo/resolve';
import type { ConnInfo } from '@pharos/core/conninfo/types';
import { isLocalHostName } from '@pharos/core/host-identity';
import type { Topology, TopologyHost } from '../topology/types.js';
import { type CheckResult, reasonOf, result } from './result.js';

/**
 * The addresses a parsed string dials, in order: `hostaddr` when given,
 * else `host`, a local name (127.0.0.1, localhost, ::1) standing for
 * `host`'s own address when `host` is a backend. `written` is the entry as
 * the string has it (`host(hostaddr)` when both are given).
 */
export function reachedAddresses(
  topo: Topology,
  host: TopologyHost,
  ci: ConnInfo,
): { address: string; port: number; written: string }[] {
  const isBackend = topo.backends.some((b) => b.address === host.address);
  return ci.hosts.map((h) => {
    const written = h.hostaddr && h.host ? `${h.host}(${h.hostaddr})` : (h.hostaddr ?? h.host);
    const dialled = h.hostaddr || h.host;
    const address = isLocalHostName(dialled) && isBackend ? host.address : dialled;
    return { address, port: h.port, written };
  });
}

/**
 * `conninfo.<label>` for `host`: `text` (a connection string, key=value or
 * URI) lists every backend address on the topology's PostgreSQL port, no
 * other host, and targets the primary. `label` names the field
 * ("agent backend", "web backend", "web login_backend").
 */
export function evaluateMultiHost(
  topo: Topology,
  host: TopologyHost,
  label: string,
  source: string,
  text: unknown,
): CheckResult {
  const check = `conninfo.${label.replaceAll(' ', '.')}`;
  const action = `write every backend into ${source} (pharos configure with -ho listing all backends), then restart the component`;
  if (typeof text !== 'string' || text.trim() === '') {
    return result('conninfo', check, host.name, 'failed', `${source}: no connection string`, action);
  }
  let ci: ConnInfo;
  try {
    ci = parseConninfo(text, {});
  } catch (err) {
    return result(
      'conninfo',
      check,
      host.name,
      'failed',
      `${source}: not a valid connection string: ${reasonOf(err)}`,
      action,
    );
  }
  const reached = reachedAddresses(topo, host, ci);
  const listed = reached.map((r) => r.written).join(',');
  const problems: string[] = [];
  const missing = topo.backends.filter((b) => !reached.some((r) => r.address === b.address));
  if (missing.length > 0) problems.push(`lacks ${missing.map((b) => `${b.name} (${b.address})`).join(', ')}`);
  const foreign = reached.filter((r) => !topo.backends.some((b) => b.address === r.address));
  if (foreign.length > 0) problems.push(`lists ${foreign.map((r) => r.written).join(', ')}, not a backend`);
  const badPort = reached.filter((r) => r.port !== topo.postgres.port);
  if (badPort.length > 0)
    problems.push(
      `port ${badPort.map((r) => `${r.port} for ${r.written}`).join(', ')}, planned ${topo.postgres.port}`,
    );
  if (
    label !== 'web login_backend' &&
    ci.targetSessionAttrs !== 'read-write' &&
    ci.targetSessionAttrs !== 'primary'
  ) {
    problems.push(`target_session_attrs=${ci.targetSessionAttrs}: it may write to a standby`);
  }
  return problems.length > 0
    ? result(
        'conninfo',
        check,
        host.name,
        'failed',
        `${source}: host=${listed}: ${problems.join('; ')}`,
        action,
      )
    : result(
        'conninfo',
        check,
        host.name,
        'ok',
        `host=${listed} port=${topo.postgres.port}, all ${topo.backends.length} backends, target_session_attrs=${ci.targetSessionAttrs}`,
      );
}
