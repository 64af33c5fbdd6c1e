/**
 * The secured form (topology `infrastructure_security: secured`, Pharos's
 * default) of the reference's configuration files, written out by hand for
 * the golden tests: the reference's values (reference.fixture.ts) plus
 * exactly the settings security review H2 asks for, from the Patroni 4 and
 * etcd 3.5 documentation (Patroni "YAML Configuration Settings": REST API,
 * CTL, Etcdv3; etcd "Configuration flags": security flags).
 */
import { REFERENCE_PRIMARY_PATRONI, referenceEtcd, SECURED_SECRETS } from './reference.fixture.js';

const PKI = '/etc/patroni/pki';

/**
 * patroni.yml of the first backend, secured: Pharos's whole file (its
 * addition `postgresql.basebackup` included, which the reference's golden
 * test checks on its own).
 */
export const SECURED_PRIMARY_PATRONI = {
  scope: 'pem',
  name: 'pem-backend-1',
  restapi: {
    listen: '172.16.161.200:8008',
    connect_address: '172.16.161.200:8008',
    certfile: `${PKI}/patroni.crt`,
    keyfile: `${PKI}/patroni.key`,
    cafile: `${PKI}/root.crt`,
    ciphers: 'ECDHE+AESGCM:ECDHE+CHACHA20',
    authentication: { username: 'patroni', password: SECURED_SECRETS.restApi },
  },
  ctl: {
    cacert: `${PKI}/root.crt`,
    authentication: { username: 'patroni', password: SECURED_SECRETS.restApi },
  },
  etcd3: {
    hosts: ['172.16.161.111:2379', '172.16.161.112:2379', '172.16.161.113:2379'],
    protocol: 'https',
    cacert: `${PKI}/root.crt`,
    cert: `${PKI}/patroni.crt`,
    key: `${PKI}/patroni.key`,
    username: 'patroni',
    password: SECURED_SECRETS.etcdPatroni,
  },
  bootstrap: REFERENCE_PRIMARY_PATRONI.bootstrap,
  postgresql: { ...REFERENCE_PRIMARY_PATRONI.postgresql, basebackup: [{ checkpoint: 'fast' }] },
};

/** etcd.conf of a member, secured: https everywhere and the `#[Security]` variables. */
export function securedEtcd(name: string, ip: string): Record<string, string> {
  const https = (v: string) => v.replaceAll('http://', 'https://');
  const reference = referenceEtcd(name, ip);
  return {
    ...Object.fromEntries(Object.entries(reference).map(([k, v]) => [k, https(v)])),
    ETCD_CERT_FILE: '/etc/etcd/pki/etcd.crt',
    ETCD_KEY_FILE: '/etc/etcd/pki/etcd.key',
    ETCD_TRUSTED_CA_FILE: '/etc/etcd/pki/root.crt',
    ETCD_CLIENT_CERT_AUTH: 'true',
    ETCD_PEER_CERT_FILE: '/etc/etcd/pki/etcd.crt',
    ETCD_PEER_KEY_FILE: '/etc/etcd/pki/etcd.key',
    ETCD_PEER_TRUSTED_CA_FILE: '/etc/etcd/pki/root.crt',
    ETCD_PEER_CLIENT_CERT_AUTH: 'true',
    ETCD_PEER_CERT_ALLOWED_CN: 'etcd-member',
    ETCD_CIPHER_SUITES:
      'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305',
  };
}
