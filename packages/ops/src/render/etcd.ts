/**
 * The etcd member environment file (/etc/etcd/etcd.conf), reference
 * document "Setting up a Distributed Consensus Store with etcd".
 */
import { findEtcdMember, sharesLoopback } from '../topology/hosts.js';
import type { Topology } from '../topology/types.js';
import { ETCD_CIPHER_SUITES, ETCD_MEMBER_CN, etcdTlsFiles, isSecured } from './infrastructure.js';
import type { LabSite } from './site.js';
import { hostPort } from './url.js';

/** etcd's client port (reference: 2379). */
export const ETCD_CLIENT_PORT = 2379;
/** etcd's peer port (reference: 2380). */
export const ETCD_PEER_PORT = 2380;
/** The reference's initial cluster token. */
export const ETCD_CLUSTER_TOKEN = 'etcd-cluster-1';

/** `https` for a secured topology, `http` for the reference's open one. */
export function etcdScheme(topo: Topology): 'https' | 'http' {
  return isSecured(topo) ? 'https' : 'http';
}

/** The client URL of an etcd member address: `<scheme>://<address>:2379` (IPv6 in brackets). */
export function etcdClientUrl(topo: Topology, address: string): string {
  return `${etcdScheme(topo)}://${hostPort(address, ETCD_CLIENT_PORT)}`;
}

/** The client URLs of every member, in topology order (what Pharos's clients are given). */
export function etcdClientUrls(topo: Topology): string[] {
  return topo.etcd.map((m) => etcdClientUrl(topo, m.address));
}

/**
 * The member's settings as environment variables, in the reference file's
 * order: ETCD_LISTEN_PEER_URLS, ETCD_LISTEN_CLIENT_URLS
 * ("http://localhost:2379,http://<ip>:2379"), ETCD_NAME,
 * ETCD_INITIAL_ADVERTISE_PEER_URLS, ETCD_INITIAL_CLUSTER (every member,
 * name=http://ip:2380, in topology order), ETCD_ADVERTISE_CLIENT_URLS,
 * ETCD_INITIAL_CLUSTER_TOKEN ("etcd-cluster-1"), ETCD_INITIAL_CLUSTER_STATE
 * ("new"). That is all with `infrastructure_security: reference-open`.
 *
 * Secured (the default; render/infrastructure.ts): every URL is https, and
 * a `#[Security]` section follows (etcd's configuration flags as
 * variables): ETCD_CERT_FILE / ETCD_KEY_FILE / ETCD_TRUSTED_CA_FILE and
 * ETCD_CLIENT_CERT_AUTH=true for clients, the ETCD_PEER_* equivalents with
 * ETCD_PEER_CLIENT_CERT_AUTH=true and ETCD_PEER_CERT_ALLOWED_CN=etcd-member
 * for peers (the same certificate, {@link etcdTlsFiles}), and
 * ETCD_CIPHER_SUITES (AEAD only for TLS 1.2).
 *
 * With a lab `site`, or hosts that share one machine's loopback
 * (sharesLoopback): no localhost client URL (three members would share the
 * machine's localhost). With a site also ETCD_DATA_DIR=<hostDir>/etcd-data
 * and the lab's certificate paths. Pass the result as the environment of `etcd`.
 *
 * @throws InputError when `memberName` is not an etcd member.
 */
export function etcdEnvironment(topo: Topology, memberName: string, site?: LabSite): Record<string, string> {
  const me = findEtcdMember(topo, memberName);
  const scheme = etcdScheme(topo);
  const url = (address: string, port: number) => `${scheme}://${hostPort(address, port)}`;
  const clientUrl = url(me.address, ETCD_CLIENT_PORT);
  const peerUrl = url(me.address, ETCD_PEER_PORT);
  const env: Record<string, string> = {
    ETCD_LISTEN_PEER_URLS: peerUrl,
    ETCD_LISTEN_CLIENT_URLS:
      site || sharesLoopback(topo) ? clientUrl : `${scheme}://localhost:${ETCD_CLIENT_PORT},${clientUrl}`,
    ETCD_NAME: me.name,
  };
  if (site) env.ETCD_DATA_DIR = `${site.hostDir(me.name)}/etcd-data`;
  Object.assign(env, {
    ETCD_INITIAL_ADVERTISE_PEER_URLS: peerUrl,
    ETCD_INITIAL_CLUSTER: topo.etcd.map((m) => `${m.name}=${url(m.address, ETCD_PEER_PORT)}`).join(','),
    ETCD_ADVERTISE_CLIENT_URLS: clientUrl,
    ETCD_INITIAL_CLUSTER_TOKEN: ETCD_CLUSTER_TOKEN,
    ETCD_INITIAL_CLUSTER_STATE: 'new',
  });
  if (isSecured(topo)) {
    const tls = etcdTlsFiles(me.name, site);
    Object.assign(env, {
      ETCD_CERT_FILE: tls.cert,
      ETCD_KEY_FILE: tls.key,
      ETCD_TRUSTED_CA_FILE: tls.ca,
      ETCD_CLIENT_CERT_AUTH: 'true',
      ETCD_PEER_CERT_FILE: tls.cert,
      ETCD_PEER_KEY_FILE: tls.key,
      ETCD_PEER_TRUSTED_CA_FILE: tls.ca,
      ETCD_PEER_CLIENT_CERT_AUTH: 'true',
      ETCD_PEER_CERT_ALLOWED_CN: ETCD_MEMBER_CN,
      ETCD_CIPHER_SUITES: ETCD_CIPHER_SUITES.join(','),
    });
  }
  return env;
}

const SECTIONS: Record<string, string> = {
  ETCD_INITIAL_ADVERTISE_PEER_URLS: '#[Clustering]',
  ETCD_CERT_FILE: '#[Security]',
};

/**
 * The text of /etc/etcd/etcd.conf for one member: `#[Member]` and
 * `#[Clustering]` sections of KEY="value" lines, as in the reference, and
 * `#[Security]` when secured (the section names of etcd's own etcd.conf).
 * Same arguments and errors as {@link etcdEnvironment}.
 */
export function renderEtcdConf(topo: Topology, memberName: string, site?: LabSite): string {
  const lines = ['#[Member]'];
  for (const [key, value] of Object.entries(etcdEnvironment(topo, memberName, site))) {
    const section = SECTIONS[key];
    if (section) lines.push(section);
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
