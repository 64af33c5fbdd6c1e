/**
 * The topology file's structure as a zod schema: field names, types, unknown
 * fields and defaults. Value rules (addresses, counts, ranges, duplicates)
 * live in checks.ts so each gets its own message naming field and value.
 */
import { z } from 'zod';
import { AGENT_CERTIFICATE_MODELS, INFRASTRUCTURE_SECURITY } from './types.js';

const host = z.strictObject({ name: z.string(), address: z.string() });
const positiveInt = z.int().positive();
const port = z.int().min(1).max(65535);

/** Defaults are the reference document's values (seed-ha-pem-patroni-sm.txt) unless noted. */
export const topologySchema = z.strictObject({
  architecture: z.string(),
  cluster: z.string(),
  postgres: z.strictObject({
    version: z.int(),
    bin_dir: z.string().optional(),
    data_dir: z.string().optional(),
    port: port.default(5432),
  }),
  etcd: z.array(host),
  backends: z.array(host),
  webapps: z.array(host).default([]),
  monitored_networks: z.array(z.string()).default(['0.0.0.0/0']),
  agent_certificates: z.enum(AGENT_CERTIFICATE_MODELS).default('per-agent'),
  common_agent_user: z.string().default('common_agent_user'),
  crl: z.boolean().default(false),
  // Not in the reference: Pharos secures etcd and Patroni's REST API by default (security review H2).
  infrastructure_security: z.enum(INFRASTRUCTURE_SECURITY).default('secured'),
  pem: z
    .strictObject({
      superuser: z.string().default('pemsuper'),
      web_port: port.default(8443),
    })
    .prefault({}),
  patroni: z
    .strictObject({
      ttl: positiveInt.default(30),
      loop_wait: positiveInt.default(10),
      retry_timeout: positiveInt.default(10),
      maximum_lag_on_failover: z.int().nonnegative().default(1048576),
      failsafe_mode: z.boolean().default(false),
      rest_port: port.default(8008),
    })
    .prefault({}),
  certificates: z
    .strictObject({
      ca_days: positiveInt.default(3650),
      days: positiveInt.default(825),
    })
    .prefault({}),
});

export type ParsedTopology = z.output<typeof topologySchema>;
