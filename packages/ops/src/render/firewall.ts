/**
 * firewalld commands per host (RHEL 9), reference document: etcd "Ensure
 * that ports 2380 and 2379 are open", backends "Open port 5432", web apps
 * "8443 for PEM Server (HTTPS)".
 */
import { findHost } from '../topology/hosts.js';
import type { Topology } from '../topology/types.js';
import { ETCD_CLIENT_PORT, ETCD_PEER_PORT } from './etcd.js';

/** TCP ports a host must accept, by role, in role order (etcd, backend, web app), without duplicates. */
export function openPorts(topo: Topology, hostName: string): number[] {
  const host = findHost(topo, hostName);
  const ports: number[] = [];
  for (const role of host.roles) {
    if (role === 'etcd') ports.push(ETCD_PEER_PORT, ETCD_CLIENT_PORT);
    if (role === 'backend') ports.push(topo.postgres.port, topo.patroni.rest_port);
    if (role === 'webapp') ports.push(topo.pem.web_port);
  }
  return [...new Set(ports)];
}

/**
 * The host's firewall-cmd lines: one `--add-port=<port>/tcp --permanent` per
 * port, then `firewall-cmd --reload`. etcd 2380 and 2379; backends 5432 and
 * 8008 (Patroni's REST API: members query each other when racing for
 * leadership; the reference never opens it, docs/reference/pem-facts.md §8 item 6); web apps
 * 8443.
 * @throws InputError when the host is not in the topology.
 */
export function firewallCommands(topo: Topology, hostName: string): string[] {
  return [
    ...openPorts(topo, hostName).map((p) => `firewall-cmd --zone=public --add-port=${p}/tcp --permanent`),
    'firewall-cmd --reload',
  ];
}
