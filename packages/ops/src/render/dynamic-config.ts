/**
 * The cluster-wide change that prepares the Patroni cluster for PEM: SSL
 * parameters and the ordered HBA rules. Reference document "Modify the
 * Patroni cluster to add SSL and HBA rules"; Patroni REST API `PATCH /config`
 * and `patronictl edit-config --apply`.
 */
import type { Topology } from '../topology/types.js';
import { patroniHbaRules, pemHbaRules } from './hba.js';
import { isSecured } from './infrastructure.js';
import { toYaml } from './yaml.js';

/** Patroni dynamic configuration: the part this change sets. */
export interface SslDynamicConfig {
  postgresql: {
    parameters: {
      ssl: 'on';
      ssl_ca_file: string;
      ssl_cert_file: string;
      ssl_key_file: string;
      ssl_crl_file?: string;
      ssl_min_protocol_version?: string;
      ssl_ciphers?: string;
    };
    pg_hba: string[];
  };
}

/** File names in every backend's data directory (docs/reference/pem-facts.md §7). */
export const SSL_FILES = {
  ca: 'root.crt',
  cert: 'server.crt',
  key: 'server.key',
  crl: 'root.crl',
} as const;

/**
 * TLS of the backends' PostgreSQL in a secured topology (security review,
 * "TLS suites": PostgreSQL's default `HIGH:MEDIUM:+3DES:!aNULL` offered CBC
 * and SHA-1 suites, CAMELLIA and ARIA): TLS 1.2 at least, and TLS 1.2 only
 * with ECDHE key exchange and an AEAD cipher (AES-GCM, ChaCha20-Poly1305),
 * as the web's 8443. `ssl_ciphers` governs TLS 1.2 and below only; TLS
 * 1.3's suites are all AEAD. PostgreSQL docs §20.3.9 "SSL"
 * (ssl_ciphers, ssl_min_protocol_version); OpenSSL ciphers(1) syntax.
 */
export const POSTGRES_TLS = {
  ssl_min_protocol_version: 'TLSv1.2',
  ssl_ciphers: 'ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL:!eNULL',
} as const;

/**
 * The object `patronictl edit-config` accepts and `PATCH /config` takes:
 * `postgresql.parameters` ssl 'on', ssl_ca_file root.crt, ssl_cert_file
 * server.crt, ssl_key_file server.key (+ ssl_crl_file root.crl when the
 * topology has `crl: true`; {@link POSTGRES_TLS} unless the topology asks
 * for the reference's open setup), and `postgresql.pg_hba` = PEM's rules first,
 * then Patroni's and the defaults (the reference: "to the top ... above the
 * existing rules"). Lists are replaced whole by a PATCH, so the list is
 * complete.
 */
export function sslDynamicConfig(topo: Topology): SslDynamicConfig {
  return {
    postgresql: {
      parameters: {
        ssl: 'on',
        ssl_ca_file: SSL_FILES.ca,
        ssl_cert_file: SSL_FILES.cert,
        ssl_key_file: SSL_FILES.key,
        ...(topo.crl ? { ssl_crl_file: SSL_FILES.crl } : {}),
        ...(isSecured(topo) ? POSTGRES_TLS : {}),
      },
      pg_hba: [...pemHbaRules(topo), ...patroniHbaRules(topo)],
    },
  };
}

/** {@link sslDynamicConfig} as YAML (`patronictl -c /etc/patroni/patroni.yml edit-config --apply FILE`). */
export function renderDynamicConfigYml(topo: Topology): string {
  return toYaml(sslDynamicConfig(topo));
}
