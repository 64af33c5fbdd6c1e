/**
 * The topology file's structure as a zod schema: field names, types, unknown
 * fields, defaults and what each field means (docs/settings.md is generated
 * from it). Value rules (addresses, counts, ranges, duplicates) live in
 * checks.ts so each gets its own message naming field and value.
 */
import { z } from 'zod';
import { AGENT_CERTIFICATE_MODELS, INFRASTRUCTURE_SECURITY } from './types.js';

const host = z.strictObject({
  name: z
    .string()
    .describe(
      "letters, digits and '-', 1-63 characters, not starting or ending with '-', not `ca`; names the host's directory in a plan",
    ),
  address: z
    .string()
    .describe(
      'an IPv4 or IPv6 address (no host names: the HBA rules and the certificate SAN need addresses)',
    ),
});
const positiveInt = z.int().positive();
const port = z.int().min(1).max(65535);

/** Defaults are the reference document's values (seed-ha-pem-patroni-sm.txt) unless noted. */
export const topologySchema = z.strictObject({
  architecture: z
    .string()
    .describe(
      'reference architecture: `SM` (separate web application and backend hosts, several of each) is the one Pharos deploys; `CM`, `S1` and `C1` are recognised and refused with "not supported yet"',
    ),
  cluster: z
    .string()
    .describe(
      "Patroni `scope` (cluster name): letters, digits, '.', '_', '-', at most 63 characters; also the server certificate's CN",
    ),
  postgres: z
    .strictObject({
      version: z.int().describe('PostgreSQL major of the backends (13-17)'),
      bin_dir: z
        .string()
        .optional()
        .describe(
          'PostgreSQL binaries (Patroni `bin_dir`; its parent, with a trailing `/`, is `--db-install-path`); default `/usr/pgsql-<version>/bin`; an absolute path (docs/topology.md "Paths"); the lab uses the machine’s own',
        ),
      data_dir: z
        .string()
        .optional()
        .describe(
          'data directory (Patroni `data_dir`); default `/var/lib/pgsql/<version>/data`; an absolute path (docs/topology.md "Paths"), in the lab it may be relative to the host\'s lab directory; `root.crt`, `server.crt`, `server.key` and `root.crl` go here',
        ),
      port: port.default(5432).describe('PostgreSQL port on every backend'),
    })
    .describe('the PostgreSQL of the backends'),
  etcd: z.array(host).describe('etcd members (the DCS): an odd number, at least 3'),
  backends: z
    .array(host)
    .describe(
      'PostgreSQL + Patroni hosts, at least 2; the first bootstraps the cluster (the initial primary, agent 1)',
    ),
  webapps: z.array(host).default([]).describe('web application hosts; each also runs an agent'),
  monitored_networks: z
    .array(z.string())
    .default(['0.0.0.0/0'])
    .describe(
      "CIDRs monitored servers' agents (and web users) connect from; two HBA rules per CIDR (`+pem_user` scram-sha-256, `+pem_agent` cert); host bits must be zero",
    ),
  agent_certificates: z
    .enum(AGENT_CERTIFICATE_MODELS)
    .default('per-agent')
    .describe(
      'SSL model (docs/reference/pem-facts.md §7): `per-agent` one client certificate per agent, CN `agentN`; `common-user` one certificate, CN `common_agent_user`, for every agent; `built-in-ca` agents get certificates at registration (`--use-existing-sslutils`), the plan issues none',
    ),
  common_agent_user: z
    .string()
    .default('common_agent_user')
    .describe("the common agent's database user (with `common-user`)"),
  crl: z
    .boolean()
    .default(false)
    .describe('issue an (empty) CRL `root.crl` signed by the CA and set `ssl_crl_file: root.crl`'),
  // Not in the reference: Pharos secures etcd and Patroni's REST API by default (security review H2).
  infrastructure_security: z
    .enum(INFRASTRUCTURE_SECURITY)
    .default('secured')
    .describe(
      "how etcd and Patroni's REST API are protected: `secured` (default) etcd with TLS for clients and peers, client certificates and users (RBAC), Patroni's REST API with TLS and a password for unsafe methods, firewall rules per source host; `reference-open` exactly the reference document's setup (plain HTTP, no authentication, ports open to the zone), to compare the plan with the document (docs/deviations.md)",
    ),
  pem: z
    .strictObject({
      superuser: z
        .string()
        .default('pemsuper')
        .describe(
          'the password-authenticated superuser that installs PEM (`-su`), allowed by the HBA rules from every backend and web app',
        ),
      web_port: port.default(8443).describe('HTTPS port of the web applications'),
    })
    .prefault({})
    .describe('the PEM installation'),
  patroni: z
    .strictObject({
      ttl: positiveInt.default(30).describe('leader key TTL, seconds (`bootstrap.dcs.ttl`)'),
      loop_wait: positiveInt.default(10).describe('HA loop interval, seconds'),
      retry_timeout: positiveInt
        .default(10)
        .describe(
          'DCS and PostgreSQL retry timeout, seconds; Patroni needs `ttl >= loop_wait + 2 × retry_timeout`',
        ),
      maximum_lag_on_failover: z
        .int()
        .nonnegative()
        .default(1048576)
        .describe('bytes: a replica lagging more may not be promoted'),
      failsafe_mode: z
        .boolean()
        .default(false)
        .describe(
          'Patroni `failsafe_mode`: keeps the primary writable while etcd has no quorum if every member answers it; off in the reference',
        ),
      rest_port: port.default(8008).describe('Patroni REST API port'),
    })
    .prefault({})
    .describe('Patroni settings'),
  certificates: z
    .strictObject({
      ca_days: positiveInt.default(3650).describe('validity of the CA certificate, days'),
      days: positiveInt.default(825).describe('validity of the server and client certificates, days'),
    })
    .prefault({})
    .describe('certificate lifetimes'),
});

export type ParsedTopology = z.output<typeof topologySchema>;
