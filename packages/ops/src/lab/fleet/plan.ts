/**
 * The lab's fleet (issue 14; docs/lab.md "The fleet"): monitored hosts the
 * lab starts beside the reference deployment, on their own addresses of the
 * topology's /24 (`<prefix>.220` onwards: 127.0.1.220-222 for the default
 * topology, shifted with it the way test labs shift the nine hosts), each
 * with an agent enrolled the way docs/monitoring-a-server.md tells a DBA:
 *
 * | host      | address      | runs                                            | monitored as                  |
 * |-----------|--------------|-------------------------------------------------|-------------------------------|
 * | db-host-1 | <prefix>.220 | PostgreSQL (standalone) under a light pgbench load | server `inventory`          |
 * | db-host-2 | <prefix>.221 | Patroni + PostgreSQL, scope `orders` (first leader) | cluster `orders`, member   |
 * | db-host-3 | <prefix>.222 | Patroni + PostgreSQL, scope `orders`            | cluster `orders`, member      |
 *
 * The `orders` cluster keeps its state on the lab's etcd under its own
 * scope. Addresses .223-.229 are left for more. The lab adds these hosts
 * itself: the topology describes the deployment a plan installs, and the
 * fleet is what that deployment watches (so there is no `monitored:`
 * section in topology files).
 */
import type { Topology } from '../../topology/types.js';

/** Last octet of the first fleet host. */
export const FLEET_FIRST_OCTET = 220;
/** Most fleet hosts (.220-.229). */
export const FLEET_MAX_HOSTS = 10;

/** One monitored host of the lab. */
export interface FleetHost {
  name: string;
  address: string;
  /** Its agent's id once enrolled (ids follow the topology's agents: per-agent certificates name it). */
  agentId: number;
  /** What runs there. */
  runs: 'standalone' | 'patroni';
}

/** The lab's fleet: hosts, the standalone server and the Patroni cluster. */
export interface LabFleet {
  hosts: FleetHost[];
  standalone: { host: FleetHost; serverName: string };
  cluster: { scope: string; members: FleetHost[] };
  /** Display names of every server the fleet registers (the standalone, then `<scope>/<member>`). */
  serverNames: string[];
}

/** The /24 prefix of the topology's addresses (`127.0.1` for 127.0.1.200). */
export function addressPrefix(topo: Topology): string {
  const a = topo.backends[0]!.address;
  return a.slice(0, a.lastIndexOf('.'));
}

/** The lab's fleet for `topo` (see the module note). */
export function labFleet(topo: Topology): LabFleet {
  const prefix = addressPrefix(topo);
  const firstAgent = topo.backends.length + topo.webapps.length + 1;
  const host = (i: number, runs: FleetHost['runs']): FleetHost => ({
    name: `db-host-${i + 1}`,
    address: `${prefix}.${FLEET_FIRST_OCTET + i}`,
    agentId: firstAgent + i,
    runs,
  });
  const hosts = [host(0, 'standalone'), host(1, 'patroni'), host(2, 'patroni')];
  const scope = 'orders';
  const members = hosts.filter((h) => h.runs === 'patroni');
  return {
    hosts,
    standalone: { host: hosts[0]!, serverName: 'inventory' },
    cluster: { scope, members },
    serverNames: ['inventory', ...members.map((m) => `${scope}/${m.name}`)],
  };
}
