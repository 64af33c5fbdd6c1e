/**
 * The validated topology: one deployment's hosts, roles and options, as
 * `validateTopology` returns it (defaults filled in). Field names are those of
 * the YAML file (docs/topology.md), so a field means the same in both places.
 */

/** Reference architectures of the PEM product family (docs/reference/pem-facts.md); Pharos deploys SM. */
export const ARCHITECTURES = ['SM', 'CM', 'S1', 'C1'] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

/** How agents get their client certificates (docs/reference/pem-facts.md §7 "Models"). */
export const AGENT_CERTIFICATE_MODELS = ['per-agent', 'common-user', 'built-in-ca'] as const;
export type AgentCertificateModel = (typeof AGENT_CERTIFICATE_MODELS)[number];

/**
 * How etcd and Patroni's REST API are protected (docs/topology.md,
 * docs/deviations.md): `secured` (the default) = etcd with TLS for clients
 * and peers, client certificates and users (RBAC); Patroni's REST API with
 * TLS and a password for unsafe methods; firewall rules per source host.
 * `reference-open` = exactly the reference document's setup (plain HTTP, no
 * authentication, ports open to the zone), kept to compare the plan with
 * the document field by field.
 */
export const INFRASTRUCTURE_SECURITY = ['secured', 'reference-open'] as const;
export type InfrastructureSecurity = (typeof INFRASTRUCTURE_SECURITY)[number];

/** One machine in one role: a name (also its directory in a plan) and its IP address. */
export interface TopologyHost {
  name: string;
  address: string;
}

/** Patroni's dynamic timings (seconds, bytes) and options, written to `bootstrap.dcs`. */
export interface PatroniOptions {
  /** Leader key TTL, seconds (reference: 30). */
  ttl: number;
  /** Seconds between HA loop runs (reference: 10). */
  loop_wait: number;
  /** Seconds DCS and PostgreSQL operations are retried (reference: 10). */
  retry_timeout: number;
  /** Bytes of lag above which a replica may not be promoted (reference: 1048576). */
  maximum_lag_on_failover: number;
  /** Keep the primary writable while etcd has no quorum if all members agree (Patroni `failsafe_mode`). */
  failsafe_mode: boolean;
  /** Patroni REST API port (reference: 8008). */
  rest_port: number;
}

export interface Topology {
  architecture: Architecture;
  /** Patroni scope (cluster name). */
  cluster: string;
  postgres: {
    /** PostgreSQL major, 13-17. */
    version: number;
    bin_dir: string;
    /** Absolute for a real deployment; relative to the host's lab directory in the lab. */
    data_dir: string;
    port: number;
  };
  etcd: TopologyHost[];
  /** PostgreSQL + Patroni hosts; the first bootstraps the cluster (initial primary). */
  backends: TopologyHost[];
  webapps: TopologyHost[];
  /** CIDRs monitored servers' agents connect from (HBA rules). */
  monitored_networks: string[];
  agent_certificates: AgentCertificateModel;
  /** Database user of the common agent (used when agent_certificates is common-user). */
  common_agent_user: string;
  /** Issue a CRL and set `ssl_crl_file: root.crl`. */
  crl: boolean;
  /** etcd and Patroni REST protection: `secured` (default) or the reference's open setup. */
  infrastructure_security: InfrastructureSecurity;
  pem: {
    /** Password-authenticated superuser that installs PEM (reference: pemsuper). */
    superuser: string;
    /** HTTPS port of the web applications (reference: 8443). */
    web_port: number;
  };
  patroni: PatroniOptions;
  certificates: {
    /** Validity of the CA certificate, days. */
    ca_days: number;
    /** Validity of server and client certificates, days. */
    days: number;
  };
}
