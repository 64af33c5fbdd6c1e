/**
 * firewalld commands per host (RHEL 9), reference document: etcd "Ensure
 * that ports 2380 and 2379 are open", backends "Open port 5432", web apps
 * "8443 for PEM Server (HTTPS)". Secured (the default): etcd's and
 * Patroni's ports admit only the hosts that use them (firewalld rich
 * rules, firewalld.richlanguage(5)).
 */
import { ipVersion } from '../topology/address.js';
import { findHost } from '../topology/hosts.js';
import type { Topology } from '../topology/types.js';
import { ETCD_CLIENT_PORT, ETCD_PEER_PORT } from './etcd.js';
import { isSecured } from './infrastructure.js';

/** One TCP port a host accepts: from anywhere in the zone, or only from `sources` (addresses). */
export interface PortRule {
  port: number;
  /** 'any' = the whole zone; otherwise the addresses admitted (never empty). */
  sources: 'any' | string[];
  /** Who uses the port, for the script's comments. */
  why: string;
}

function others(list: { address: string }[], self: string): string[] {
  return list.map((h) => h.address).filter((a) => a !== self);
}

/**
 * The ports `hostName` must accept, by role, in role order (etcd, backend,
 * web app), one rule per port (sources merged when a host has two roles).
 *
 * Reference-open: every port from the whole zone, as the reference opens
 * them, plus Patroni's REST port on backends (docs/reference/pem-facts.md §8 item 6).
 *
 * Secured:
 * - etcd peer port 2380: from the other etcd members only;
 * - etcd client port 2379: from the backends (Patroni), the web
 *   applications (the overview reads each member's /health) and the other
 *   members (etcdctl checks of the runbook);
 * - PostgreSQL: from the whole zone (agents of monitored servers connect
 *   from `monitored_networks`; pg_hba decides who may log in);
 * - Patroni REST port: from the other backends (members ask each other
 *   when racing for leadership, and POST /failsafe) and the web
 *   applications (the overview reads /cluster); a backend's own agent
 *   reaches it over the host's own address, which stays on the host;
 * - web port: from the whole zone (users' browsers).
 * A restricted port nobody needs (e.g. 2380 with one member) is left closed.
 * @throws InputError when the host is not in the topology.
 */
export function portRules(topo: Topology, hostName: string): PortRule[] {
  const host = findHost(topo, hostName);
  const secured = isSecured(topo);
  const rules = new Map<number, PortRule>();
  const add = (port: number, sources: 'any' | string[], why: string) => {
    const known = rules.get(port);
    if (!secured || sources === 'any' || known?.sources === 'any') {
      rules.set(port, { port, sources: 'any', why: known ? `${known.why}; ${why}` : why });
      return;
    }
    const merged = [...new Set([...(known?.sources ?? []), ...sources])];
    rules.set(port, { port, sources: merged, why: known ? `${known.why}; ${why}` : why });
  };
  const me = host.address;
  for (const role of host.roles) {
    if (role === 'etcd') {
      add(ETCD_PEER_PORT, others(topo.etcd, me), 'etcd peers');
      add(
        ETCD_CLIENT_PORT,
        others([...topo.backends, ...topo.webapps, ...topo.etcd], me),
        'etcd clients: Patroni on the backends, the web applications, the other members',
      );
    }
    if (role === 'backend') {
      add(topo.postgres.port, 'any', 'PostgreSQL');
      add(
        topo.patroni.rest_port,
        others([...topo.backends, ...topo.webapps], me),
        "Patroni's REST API: the other backends, the web applications",
      );
    }
    if (role === 'webapp') add(topo.pem.web_port, 'any', 'web application (HTTPS)');
  }
  return [...rules.values()].filter((r) => r.sources === 'any' || r.sources.length > 0);
}

/** TCP ports a host must accept, by role, in role order (etcd, backend, web app), without duplicates. */
export function openPorts(topo: Topology, hostName: string): number[] {
  return portRules(topo, hostName).map((r) => r.port);
}

/** The rich rule admitting `address` to TCP `port` (firewalld.richlanguage(5)). */
export function richRule(address: string, port: number): string {
  const family = ipVersion(address) === 6 ? 'ipv6' : 'ipv4';
  return `rule family="${family}" source address="${address}" port port="${port}" protocol="tcp" accept`;
}

/**
 * The host's firewall-cmd lines ({@link portRules}): for a port open to the
 * zone `firewall-cmd --zone=public --add-port=<port>/tcp --permanent`, for a
 * restricted one `firewall-cmd --zone=public --add-rich-rule='<rule>'
 * --permanent` per admitted address, then `firewall-cmd --reload`.
 * Reference-open: etcd 2380 and 2379; backends 5432 and 8008 (Patroni's
 * REST API: members query each other when racing for leadership; the
 * reference never opens it, docs/reference/pem-facts.md §8 item 6); web apps 8443. Every
 * value is a validated address or a port number, so nothing needs more
 * quoting than the rule's single quotes.
 * @throws InputError when the host is not in the topology.
 */
export function firewallCommands(topo: Topology, hostName: string): string[] {
  const lines: string[] = [];
  for (const r of portRules(topo, hostName)) {
    if (r.sources === 'any') lines.push(`firewall-cmd --zone=public --add-port=${r.port}/tcp --permanent`);
    else {
      for (const a of r.sources) {
        lines.push(`firewall-cmd --zone=public --add-rich-rule='${richRule(a, r.port)}' --permanent`);
      }
    }
  }
  return [...lines, 'firewall-cmd --reload'];
}
