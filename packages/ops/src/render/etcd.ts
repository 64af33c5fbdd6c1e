/**
 * The etcd member environment file (/etc/etcd/etcd.conf), reference
 * document "Setting up a Distributed Consensus Store with etcd".
 */
import { findEtcdMember, sharesLoopback } from '../topology/hosts.js';
import type { Topology } from '../topology/types.js';
import type { LabSite } from './site.js';
import { httpUrl } from './url.js';

/** etcd's client port (reference: 2379). */
export const ETCD_CLIENT_PORT = 2379;
/** etcd's peer port (reference: 2380). */
export const ETCD_PEER_PORT = 2380;
/** The reference's initial cluster token. */
export const ETCD_CLUSTER_TOKEN = 'etcd-cluster-1';

/**
 * The member's settings as environment variables, in the reference file's
 * order: ETCD_LISTEN_PEER_URLS, ETCD_LISTEN_CLIENT_URLS
 * ("http://localhost:2379,http://<ip>:2379"), ETCD_NAME,
 * ETCD_INITIAL_ADVERTISE_PEER_URLS, ETCD_INITIAL_CLUSTER (every member,
 * name=http://ip:2380, in topology order), ETCD_ADVERTISE_CLIENT_URLS,
 * ETCD_INITIAL_CLUSTER_TOKEN ("etcd-cluster-1"), ETCD_INITIAL_CLUSTER_STATE
 * ("new").
 *
 * With a lab `site`, or hosts that share one machine's loopback
 * (sharesLoopback): no localhost client URL (three members would share the
 * machine's localhost). With a site also ETCD_DATA_DIR=<hostDir>/etcd-data. Pass the
 * result as the environment of `etcd`.
 *
 * @throws InputError when `memberName` is not an etcd member.
 */
export function etcdEnvironment(topo: Topology, memberName: string, site?: LabSite): Record<string, string> {
  const me = findEtcdMember(topo, memberName);
  const clientUrl = httpUrl(me.address, ETCD_CLIENT_PORT);
  const peerUrl = httpUrl(me.address, ETCD_PEER_PORT);
  const env: Record<string, string> = {
    ETCD_LISTEN_PEER_URLS: peerUrl,
    ETCD_LISTEN_CLIENT_URLS:
      site || sharesLoopback(topo) ? clientUrl : `http://localhost:${ETCD_CLIENT_PORT},${clientUrl}`,
    ETCD_NAME: me.name,
  };
  if (site) env.ETCD_DATA_DIR = `${site.hostDir(me.name)}/etcd-data`;
  Object.assign(env, {
    ETCD_INITIAL_ADVERTISE_PEER_URLS: peerUrl,
    ETCD_INITIAL_CLUSTER: topo.etcd.map((m) => `${m.name}=${httpUrl(m.address, ETCD_PEER_PORT)}`).join(','),
    ETCD_ADVERTISE_CLIENT_URLS: clientUrl,
    ETCD_INITIAL_CLUSTER_TOKEN: ETCD_CLUSTER_TOKEN,
    ETCD_INITIAL_CLUSTER_STATE: 'new',
  });
  return env;
}

const CLUSTERING_FIRST = 'ETCD_INITIAL_ADVERTISE_PEER_URLS';

/**
 * The text of /etc/etcd/etcd.conf for one member: `#[Member]` and
 * `#[Clustering]` sections of KEY="value" lines, as in the reference.
 * Same arguments and errors as {@link etcdEnvironment}.
 */
export function renderEtcdConf(topo: Topology, memberName: string, site?: LabSite): string {
  const lines = ['#[Member]'];
  for (const [key, value] of Object.entries(etcdEnvironment(topo, memberName, site))) {
    if (key === CLUSTERING_FIRST) lines.push('#[Clustering]');
    lines.push(`${key}="${value}"`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Parses an etcd environment file (KEY="value" lines, `#` comments) back into
 * a Record: the form `etcd` reads as its environment.
 */
export function parseEtcdConf(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    env[line.slice(0, eq)] = line.slice(eq + 1).replace(/^"(.*)"$/, '$1');
  }
  return env;
}
