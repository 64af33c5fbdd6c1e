/**
 * The agent configuration file (YAML, or JSON, which is YAML too).
 *
 * ```yaml
 * agent_id: 1
 * agent_user: agent1
 * backend: >-
 *   host=10.0.0.1,10.0.0.2,10.0.0.3 port=5432 dbname=pem user=agent1
 *   sslmode=verify-full sslrootcert=/etc/pharos/agent/root.crt
 *   sslcert=/etc/pharos/agent/agent1.crt sslkey=/etc/pharos/agent/agent1.key
 *   connect_timeout=5 target_session_attrs=read-write
 * source_address: 10.0.0.11      # optional: local address of backend and monitoring connections
 * host_address: 127.0.1.201      # optional (the lab): the address that stands for this host; see
 *                                #   @pharos/core/host-identity: 127.0.0.1 in a host list is dialled there,
 *                                #   other connections bind to it, local bindings come from 127.0.0.1
 * spool_dir: /var/lib/pharos/agent/spool
 * spool_max_bytes: 67108864      # default 64 MiB (retained acknowledged samples count too)
 * spool_retain_acked_s: 300     # default 300: keep acknowledged batches this long and ship them again
 *                                #   if a failover (asynchronous replication) lost them; 0 disables
 * probe_interval_s: 10           # default 10: tick of the probe schedules (each probe runs at its own
 *                                #   interval, pem.probe / pem.probe_override, on the first tick after it)
 * short_wait_s: 10               # default 10: re-read server bindings
 * long_wait_s: 30                # default 30: longest wait before reconnecting after a failed connect
 * passfile: /etc/pharos/agent/pgpass   # optional: passwords of monitored servers (.pgpass format)
 * server_sslrootcert: /etc/pharos/agent/servers-ca.crt  # optional: CA of monitored servers (bindings with verify-ca/verify-full)
 * patroni_rest_ca_file: /etc/pharos/certs/root.crt  # optional: Patroni's REST API is HTTPS with certificates
 *                                #   from this CA (a secured deployment); absent: plain HTTP
 * log_file: /var/log/pharos/agent.log  # optional: default stderr
 * log_level: info                # trace|debug|info|warn|error|fatal, default info
 * webhook_allow: [10.20.0.0/16:443, '[fd00::7]:8080']  # optional: webhook targets admitted although the
 *                                #   target policy refuses them (loopback, link-local, this deployment's hosts,
 *                                #   ports 5432/8008/2379/2380); addresses or CIDR ranges, optional port
 * webhook_refuse: [10.0.9.0/24]   # optional: more addresses/ranges (optional port) webhooks may not reach,
 *                                #   e.g. etcd members or other infrastructure (docs/alerts.md)
 * ```
 *
 * Keys follow the reference agent's configuration (docs/reference/pem-facts.md §2: agent id,
 * agent user, backend hosts, certificate paths inside the connection string,
 * log level, long wait, short wait, connect timeout).
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { parseAddressRule } from '@pharos/backend/notify/target-policy';
import { formatConninfo } from '@pharos/core/conninfo/format';
import { parseConninfo } from '@pharos/core/conninfo/resolve';
import type { ConnInfo } from '@pharos/core/conninfo/types';
import { ConfigError, messageOf } from '@pharos/core/errors';
import { mapLocalHosts } from '@pharos/core/host-identity';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/** Default spool size bound: 64 MiB. */
export const DEFAULT_SPOOL_MAX_BYTES = 64 * 1024 * 1024;

/** Default retention of acknowledged batches in the spool, for a re-ship after a failover: 300 s. */
export const DEFAULT_SPOOL_RETAIN_ACKED_S = 300;

/** An address or CIDR range with an optional port (the webhook target policy's rule syntax). */
const addressRule = z.string().superRefine((s, ctx) => {
  try {
    parseAddressRule(s);
  } catch (err) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: messageOf(err) });
  }
});

const schema = z
  .object({
    agent_id: z.number().int().positive(),
    agent_user: z.string().min(1),
    backend: z.string().min(1),
    source_address: z
      .string()
      .refine((s) => isIP(s) !== 0, 'must be an IPv4 or IPv6 address')
      .optional(),
    host_address: z
      .string()
      .refine((s) => isIP(s) !== 0, 'must be an IPv4 or IPv6 address')
      .optional(),
    spool_dir: z.string().min(1),
    spool_max_bytes: z
      .number()
      .int()
      .min(64 * 1024, 'must be at least 65536 (64 KiB)')
      .default(DEFAULT_SPOOL_MAX_BYTES),
    spool_retain_acked_s: z.number().min(0, 'must be 0 (off) or more').default(DEFAULT_SPOOL_RETAIN_ACKED_S),
    probe_interval_s: z.number().positive().default(10),
    short_wait_s: z.number().positive().default(10),
    long_wait_s: z.number().positive().default(30),
    passfile: z.string().min(1).optional(),
    server_sslrootcert: z.string().min(1).optional(),
    patroni_rest_ca_file: z.string().min(1).optional(),
    log_file: z.string().min(1).optional(),
    log_level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
    webhook_allow: z.array(addressRule).max(256).default([]),
    webhook_refuse: z.array(addressRule).max(256).default([]),
  })
  .strict();

/** A validated agent configuration (field names as in the file). */
export type AgentConfig = z.output<typeof schema>;

/** The configuration as written in a file: defaults may be omitted. */
export type AgentConfigInput = z.input<typeof schema>;

/**
 * Validates a parsed configuration object and applies defaults. `source` names
 * the file in errors. Throws ConfigError listing every bad field as
 * `<field>: <problem>`, including unknown fields; the backend connection string
 * must parse (@pharos/core/conninfo/resolve), name `agent_user` as its user (or none),
 * and ask for `target_session_attrs=read-write` or `primary`.
 */
export function parseAgentConfig(input: unknown, source = 'agent configuration'): AgentConfig {
  const r = schema.safeParse(input);
  if (!r.success) {
    const lines = r.error.issues.map((i) => {
      if (i.code === 'unrecognized_keys') return `${i.keys.join(', ')}: unknown field`;
      return `${i.path.length > 0 ? i.path.join('.') : '(top level)'}: ${i.message}`;
    });
    throw new ConfigError(`${source} is invalid:\n  ${lines.join('\n  ')}`);
  }
  const cfg = r.data;
  let ci: ConnInfo;
  try {
    ci = resolveBackend(cfg.backend, cfg.agent_user);
  } catch (err) {
    throw new ConfigError(`${source} is invalid:\n  backend: ${messageOf(err)}`, { cause: err });
  }
  const problems: string[] = [];
  if (ci.user !== cfg.agent_user) {
    problems.push(
      `backend: user ${ci.user} (from the string or PGUSER) differs from agent_user ${cfg.agent_user}`,
    );
  }
  if (ci.targetSessionAttrs !== 'read-write' && ci.targetSessionAttrs !== 'primary') {
    problems.push(
      `backend: target_session_attrs must be read-write (or primary) so samples go to the primary, got ${ci.targetSessionAttrs}`,
    );
  }
  if (
    ci.sourceAddress !== undefined &&
    cfg.source_address !== undefined &&
    ci.sourceAddress !== cfg.source_address
  ) {
    problems.push(
      `backend: source_address=${ci.sourceAddress} differs from source_address ${cfg.source_address}`,
    );
  }
  if (problems.length > 0) throw new ConfigError(`${source} is invalid:\n  ${problems.join('\n  ')}`);
  return cfg;
}

function resolveBackend(backend: string, agentUser: string): ConnInfo {
  return parseConninfo(backend, { ...process.env, USER: agentUser });
}

/**
 * The backend connection string to use: `backend` resolved (environment and
 * defaults applied, the user defaulting to `agent_user`) with `source_address`
 * (or `host_address`) as the source address, and with `host_address` local
 * host names dialled at that address. Contains a password if the string had
 * one: never log it.
 */
export function backendConninfo(cfg: AgentConfig): string {
  let ci = resolveBackend(cfg.backend, cfg.agent_user);
  if (cfg.host_address !== undefined) ci = mapLocalHosts(ci, cfg.host_address);
  const source = cfg.source_address ?? cfg.host_address;
  if (source !== undefined) ci.sourceAddress = source;
  return formatConninfo(ci);
}

/**
 * Reads and validates the configuration file at `path` (YAML or JSON).
 * Throws ConfigError naming the file: unreadable, not YAML, or invalid fields
 * (see {@link parseAgentConfig}).
 */
export function loadAgentConfig(path: string): AgentConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read agent configuration ${path}: ${messageOf(err)}`, { cause: err });
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`agent configuration ${path} is not valid YAML: ${messageOf(err)}`, { cause: err });
  }
  return parseAgentConfig(doc ?? {}, `agent configuration ${path}`);
}
