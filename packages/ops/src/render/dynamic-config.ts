/**
 * The cluster-wide change that prepares the Patroni cluster for PEM: SSL
 * parameters and the ordered HBA rules. Reference document "Modify the
 * Patroni cluster to add SSL and HBA rules"; Patroni REST API `PATCH /config`
 * and `patronictl edit-config --apply`.
 */
import type { Topology } from '../topology/types.js';
import { patroniHbaRules, pemHbaRules } from './hba.js';
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
 * The object `patronictl edit-config` accepts and `PATCH /config` takes:
 * `postgresql.parameters` ssl 'on', ssl_ca_file root.crt, ssl_cert_file
 * server.crt, ssl_key_file server.key (+ ssl_crl_file root.crl when the
 * topology has `crl: true`), and `postgresql.pg_hba` = PEM's rules first,
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
      },
      pg_hba: [...pemHbaRules(topo), ...patroniHbaRules(topo)],
    },
  };
}

/** {@link sslDynamicConfig} as YAML (`patronictl -c /etc/patroni/patroni.yml edit-config --apply FILE`). */
export function renderDynamicConfigYml(topo: Topology): string {
  return toYaml(sslDynamicConfig(topo));
}
