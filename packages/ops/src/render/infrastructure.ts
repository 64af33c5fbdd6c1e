/**
 * How the deployment protects etcd and Patroni's REST API (security review
 * H2; topology `infrastructure_security`, docs/topology.md): the users, the
 * passwords, the files and the TLS settings the renderers share.
 *
 * `secured` (the default):
 * - etcd: TLS on the client and peer URLs, client certificates required on
 *   both (`client-cert-auth`, `peer-client-cert-auth`), the deployment's CA
 *   as the trusted CA; members present `CN=etcd-member` and accept only
 *   that CN on the peer port (`peer-cert-allowed-cn`), so an agent's
 *   certificate from the same CA cannot pose as a member; RBAC on, with a
 *   `root` user and a `patroni` user whose role reads and writes only
 *   `/service/<cluster>/` (Patroni's namespace `/service/` + scope). Every
 *   other client certificate (the web's, the operator's, any agent's) gets
 *   /health, the status and the member list, and no key.
 * - Patroni: REST API over TLS (the host's certificate from the deployment's
 *   CA), HTTP basic authentication for every unsafe method
 *   (`restapi.authentication`; GETs stay open to the hosts the firewall
 *   admits), a `ctl` section for patronictl, and etcd over https with a
 *   client certificate and the `patroni` user.
 * - TLS 1.2 suites limited to ECDHE with AES-GCM or ChaCha20-Poly1305.
 *
 * Why the etcd client certificates of Patroni, the web and the operator have
 * no CN: Patroni speaks to etcd through its gRPC gateway (HTTP/JSON), and
 * with client-cert-auth and RBAC both on etcd answers 400 ("CommonName of
 * client sending a request against gateway will be ignored") to any
 * gateway request whose client certificate has a CN (etcd v3.5
 * embed/serve.go); the gateway cannot carry CN-based identity, so those
 * clients authenticate with a user and password instead.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Topology } from '../topology/types.js';
import type { LabSite } from './site.js';

/** True unless the topology asks for the reference's open setup. */
export function isSecured(topo: Topology): boolean {
  return topo.infrastructure_security === 'secured';
}

/** etcd's built-in administrator (needed before `auth enable`). */
export const ETCD_ROOT_USER = 'root';
/** etcd user (and role) of Patroni. */
export const ETCD_PATRONI_USER = 'patroni';
/** CN of every etcd member's certificate; the peer port accepts only it. */
export const ETCD_MEMBER_CN = 'etcd-member';
/** User name of Patroni's REST API basic authentication (unsafe methods). */
export const PATRONI_REST_USER = 'patroni';

/** Patroni's default DCS namespace (Patroni docs, "Global/Universal": namespace `/service/`). */
export const PATRONI_NAMESPACE = '/service/';

/** The etcd key prefix Patroni's role may read and write: `/service/<cluster>/`. */
export function patroniKeyPrefix(topo: Topology): string {
  return `${PATRONI_NAMESPACE}${topo.cluster}/`;
}

/**
 * TLS 1.2 cipher suites etcd may use (Go names; etcd `--cipher-suites`): ECDHE
 * with ECDSA keys (every Pharos key is P-256) and AEAD ciphers only. TLS 1.3
 * suites are all AEAD and not configurable in Go.
 */
export const ETCD_CIPHER_SUITES = [
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305',
] as const;

/** The same policy as an OpenSSL cipher string (Patroni's `restapi.ciphers`, Python ssl). */
export const OPENSSL_AEAD_CIPHERS = 'ECDHE+AESGCM:ECDHE+CHACHA20';

/** Passwords of the infrastructure users, beside the Patroni database users' (PatroniSecrets). */
export interface InfrastructureSecrets {
  /** Patroni REST API basic authentication (user {@link PATRONI_REST_USER}). */
  restApi: string;
  /** etcd user {@link ETCD_PATRONI_USER}. */
  etcdPatroni: string;
  /** etcd user {@link ETCD_ROOT_USER}. */
  etcdRoot: string;
}

/** Three random passwords (24 bytes each, base64url: 32 characters). */
export function generateInfrastructureSecrets(): InfrastructureSecrets {
  const pw = () => randomBytes(24).toString('base64url');
  return { restApi: pw(), etcdPatroni: pw(), etcdRoot: pw() };
}

/** A CA, certificate and key, as paths on the host that uses them. */
export interface TlsFiles {
  ca: string;
  cert: string;
  key: string;
}

/** Where the playbook keeps etcd-auth.sh on the first etcd member (root, 0700: it holds the etcd passwords). */
export const ETCD_AUTH_SCRIPT_DEST = '/usr/local/sbin/pharos-etcd-auth';

/** Directory of an etcd member's TLS files on a real host (owner etcd, 0700). */
export const ETCD_PKI_DIR = '/etc/etcd/pki';
/** Directory of Patroni's TLS files on a real host (owner postgres, 0700). */
export const PATRONI_PKI_DIR = '/etc/patroni/pki';

/**
 * An etcd member's files: `/etc/etcd/pki/{root.crt,etcd.crt,etcd.key}`, or
 * in the lab the lab's CA and `<hostDir>/pki/etcd.{crt,key}`.
 */
export function etcdTlsFiles(member: string, site?: LabSite): TlsFiles {
  const dir = site ? join(site.hostDir(member), 'pki') : ETCD_PKI_DIR;
  return {
    ca: site ? site.caFile : join(dir, 'root.crt'),
    cert: join(dir, 'etcd.crt'),
    key: join(dir, 'etcd.key'),
  };
}

/**
 * A backend's Patroni files (REST API server certificate, also its etcd
 * client certificate): `/etc/patroni/pki/{root.crt,patroni.crt,patroni.key}`,
 * or in the lab the lab's CA and `<hostDir>/pki/patroni.{crt,key}`.
 */
export function patroniTlsFiles(backend: string, site?: LabSite): TlsFiles {
  const dir = site ? join(site.hostDir(backend), 'pki') : PATRONI_PKI_DIR;
  return {
    ca: site ? site.caFile : join(dir, 'root.crt'),
    cert: join(dir, 'patroni.crt'),
    key: join(dir, 'patroni.key'),
  };
}
