/**
 * Questions about a validated topology's hosts: roles, agent ids, lookups.
 */
import { pharosError } from '@pharos/core/errors';
import { isLoopbackAddress } from './address.js';
import type { Topology, TopologyHost } from './types.js';

export type HostRole = 'etcd' | 'backend' | 'webapp';

/** A machine of the deployment with every role it has (etcd may share a host with a backend). */
export interface PlannedHost extends TopologyHost {
  roles: HostRole[];
}

/**
 * Every distinct host, in order etcd members, backends, web applications
 * (first appearance wins), with its roles.
 */
export function allHosts(topo: Topology): PlannedHost[] {
  const hosts = new Map<string, PlannedHost>();
  const add = (list: TopologyHost[], role: HostRole) => {
    for (const h of list) {
      const known = hosts.get(h.name);
      if (known) known.roles.push(role);
      else hosts.set(h.name, { name: h.name, address: h.address, roles: [role] });
    }
  };
  add(topo.etcd, 'etcd');
  add(topo.backends, 'backend');
  add(topo.webapps, 'webapp');
  return [...hosts.values()];
}

/**
 * The hosts that run an agent, with agent ids 1..N in host order: backends
 * first, then web applications (docs/reference/pem-facts.md §8 item 4: one id per host, the
 * reference's "2 for the standbys, 4 for the web apps" is a mistake).
 */
export function agentHosts(
  topo: Topology,
): (TopologyHost & { agentId: number; role: 'backend' | 'webapp' })[] {
  return [
    ...topo.backends.map((h) => ({ ...h, role: 'backend' as const })),
    ...topo.webapps.map((h) => ({ ...h, role: 'webapp' as const })),
  ].map((h, i) => ({ ...h, agentId: i + 1 }));
}

/** The agent database user of a host: `agentN`, or the common agent user. */
export function agentUser(topo: Topology, agentId: number): string {
  return topo.agent_certificates === 'common-user' ? topo.common_agent_user : `agent${agentId}`;
}

/** The host named `name` with its roles. @throws InputError naming the host and the known names. */
export function findHost(topo: Topology, name: string): PlannedHost {
  const host = allHosts(topo).find((h) => h.name === name);
  if (!host) {
    const known = allHosts(topo)
      .map((h) => h.name)
      .join(', ');
    throw pharosError('PHAROS_TOPOLOGY_HOST_UNKNOWN', { name, hosts: known });
  }
  return host;
}

/** The backend named `name`. @throws InputError when it is not a backend. */
export function findBackend(topo: Topology, name: string): TopologyHost {
  const b = topo.backends.find((h) => h.name === name);
  if (!b) {
    throw pharosError('PHAROS_TOPOLOGY_NOT_BACKEND', {
      name,
      backends: topo.backends.map((h) => h.name).join(', '),
    });
  }
  return b;
}

/** The etcd member named `name`. @throws InputError when it is not an etcd member. */
export function findEtcdMember(topo: Topology, name: string): TopologyHost {
  const m = topo.etcd.find((h) => h.name === name);
  if (!m) {
    throw pharosError('PHAROS_TOPOLOGY_NOT_ETCD', { name, members: topo.etcd.map((h) => h.name).join(', ') });
  }
  return m;
}

/**
 * True when every host has a loopback address (127.0.0.0/8, ::1): the hosts
 * then share one machine's loopback network (the lab; containers booted
 * without a network of their own, as the deployment test does), since a
 * loopback address cannot be reached from another machine. The plan then
 * renders what one machine needs (docs/topology.md "Hosts on one machine"):
 * etcd without a `localhost` client URL, PostgreSQL listening on its own
 * address only, and configure told the host's address
 * (PHAROS_HOST_ADDRESS), so that `127.0.0.1` in a host list reaches the
 * host's own server and outgoing connections come from the host's address.
 */
export function sharesLoopback(topo: Topology): boolean {
  return allHosts(topo).every((h) => isLoopbackAddress(h.address));
}
