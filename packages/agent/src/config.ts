/**
 * The agent configuration file, agent.yml (YAML, or JSON, which is YAML
 * too), declared once: {@link AGENT_CONFIG_FILE} holds every field's type,
 * range, default and meaning (docs/settings.md is generated from it), and
 * the settings loader (@pharos/core/settings) reads it, listing every
 * problem at once.
 *
 * ```yaml
 * agent_id: 1
 * agent_user: agent1
 * backend: >-
 *   host=10.0.0.1,10.0.0.2,10.0.0.3 port=5432 dbname=pem user=agent1
 *   sslmode=verify-full sslrootcert=/etc/pharos/agent/root.crt
 *   sslcert=/etc/pharos/agent/agent1.crt sslkey=/etc/pharos/agent/agent1.key
 *   connect_timeout=5 target_session_attrs=read-write
 * spool_dir: /var/lib/pharos/agent/spool
 * ```
 *
 * Keys follow the reference agent's configuration (docs/reference/pem-facts.md §2: agent id,
 * agent user, backend hosts, certificate paths inside the connection string,
 * log level, long wait, short wait, connect timeout).
 */
import { isIP } from 'node:net';
import { parseAddressRule } from '@pharos/backend/notify/target-policy';
import { formatConninfo } from '@pharos/core/conninfo/format';
import { parseConninfo } from '@pharos/core/conninfo/resolve';
import type { ConnInfo } from '@pharos/core/conninfo/types';
import { messageOf } from '@pharos/core/errors';
import { mapLocalHosts } from '@pharos/core/host-identity';
import { CONFIG_FILE_CODES, loadSettings, parseSettings, type SettingsFile } from '@pharos/core/settings';
import { z } from 'zod';
import { parseListen } from './health/metrics-server.js';

/** Default spool size bound: 64 MiB. */
export const DEFAULT_SPOOL_MAX_BYTES = 64 * 1024 * 1024;

/** Default retention of acknowledged batches in the spool, for a re-ship after a failover: 300 s. */
export const DEFAULT_SPOOL_RETAIN_ACKED_S = 300;

const ipAddress = z.string().refine((s) => isIP(s) !== 0, 'is not an IPv4 or IPv6 address');
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
    agent_id: z.number().int().positive().describe("the agent's id in the backend (pem.agent.id)"),
    agent_user: z
      .string()
      .min(1)
      .describe("the agent's database user (the CN of its client certificate, agentN by default)"),
    backend: z
      .string()
      .min(1)
      .describe(
        'libpq connection string of the backend: its hosts (a multi-host string), dbname pem, user agent_user, TLS files (sslrootcert, sslcert, sslkey), target_session_attrs read-write or primary',
      ),
    source_address: ipAddress.optional().describe('local address of backend and monitoring connections'),
    host_address: ipAddress
      .optional()
      .describe(
        'the address that stands for this host (the lab): 127.0.0.1 in a host list is dialled there, other connections bind to it, local bindings come from 127.0.0.1 (@pharos/core/host-identity)',
      ),
    spool_dir: z
      .string()
      .min(1)
      .describe('directory of the spool of samples not yet acknowledged by the backend'),
    spool_max_bytes: z
      .number()
      .int()
      .min(64 * 1024)
      .default(DEFAULT_SPOOL_MAX_BYTES)
      .describe('bound of the spool, bytes (retained acknowledged samples count too); 64 MiB by default'),
    spool_retain_acked_s: z
      .number()
      .min(0)
      .default(DEFAULT_SPOOL_RETAIN_ACKED_S)
      .describe(
        'keep acknowledged batches this long, seconds, and ship them again if a failover (asynchronous replication) lost them; 0 disables',
      ),
    probe_interval_s: z
      .number()
      .positive()
      .default(10)
      .describe(
        'tick of the probe schedules, seconds (each probe runs at its own interval, pem.probe / pem.probe_override, on the first tick after it)',
      ),
    short_wait_s: z
      .number()
      .positive()
      .default(10)
      .describe('re-read server bindings every this many seconds'),
    long_wait_s: z
      .number()
      .positive()
      .default(30)
      .describe('longest wait before reconnecting after a failed connect, seconds'),
    passfile: z.string().min(1).optional().describe('passwords of monitored servers (.pgpass format)'),
    server_sslrootcert: z
      .string()
      .min(1)
      .optional()
      .describe('CA of monitored servers (bindings with sslmode verify-ca or verify-full)'),
    patroni_rest_ca_file: z
      .string()
      .min(1)
      .optional()
      .describe(
        "CA of Patroni's REST API (HTTPS with certificates from this CA, a secured deployment); absent: plain HTTP",
      ),
    log_file: z.string().min(1).optional().describe('log file (JSON lines); default stderr'),
    log_level: z
      .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'])
      .default('info')
      .describe('log level'),
    webhook_allow: z
      .array(addressRule)
      .max(256)
      .default([])
      .describe(
        "webhook targets admitted although the target policy refuses them (loopback, link-local, this deployment's hosts, ports 5432/8008/2379/2380): addresses or CIDR ranges, optional port (10.20.0.0/16:443, '[fd00::7]:8080')",
      ),
    webhook_refuse: z
      .array(addressRule)
      .max(256)
      .default([])
      .describe(
        'more addresses or CIDR ranges (optional port) webhooks may not reach, e.g. etcd members or other infrastructure (docs/alerts.md)',
      ),
    metrics_listen: z
      .string()
      .superRefine((s, ctx) => {
        try {
          const { host } = parseListen(s);
          if (!isLoopback(host))
            ctx.addIssue({
              code: z.ZodIssueCode.custom,
              message: `${host} is not a loopback address (127.0.0.0/8 or ::1): the endpoint has no other access control`,
            });
        } catch (err) {
          ctx.addIssue({ code: z.ZodIssueCode.custom, message: messageOf(err) });
        }
      })
      .optional()
      .describe(
        "address:port of the agent's own health metrics for Prometheus (GET /metrics, plain HTTP, loopback only, e.g. 127.0.0.1:9187); default off",
      ),
  })
  .strict();

/** True for a loopback address: 127.0.0.0/8 or ::1 (the agent's health endpoint listens on nothing else). */
export function isLoopback(host: string): boolean {
  return isIP(host) === 4 ? host.startsWith('127.') : host === '::1' || host === '0:0:0:0:0:0:0:1';
}

/** A validated agent configuration (field names as in the file). */
export type AgentConfig = z.output<typeof schema>;

/** The configuration as written in a file: defaults may be omitted. */
export type AgentConfigInput = z.input<typeof schema>;

/** Rules over several fields: the backend string parses, names agent_user, targets the primary. */
function backendProblems(cfg: AgentConfig): string[] {
  let ci: ConnInfo;
  try {
    ci = resolveBackend(cfg.backend, cfg.agent_user);
  } catch (err) {
    return [`backend: ${messageOf(err)}`];
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
  return problems;
}

/** agent.yml as a settings file (ConfigError, exit code 1). */
export const AGENT_CONFIG_FILE: SettingsFile<typeof schema> = {
  what: 'agent configuration',
  schema,
  codes: CONFIG_FILE_CODES,
  valueProblems: backendProblems,
};

/**
 * Validates a parsed configuration object and applies defaults. `source` names
 * the file in errors. Throws ConfigError PHAROS_SETTINGS_INVALID listing every
 * bad field as `<field>: <problem>`, including unknown fields; the backend
 * connection string must parse (@pharos/core/conninfo), name `agent_user` as
 * its user (or none), and ask for `target_session_attrs=read-write` or `primary`.
 */
export function parseAgentConfig(input: unknown, source = 'agent configuration'): AgentConfig {
  return parseSettings(AGENT_CONFIG_FILE, input, source);
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
 * Throws ConfigError naming the file: unreadable (PHAROS_SETTINGS_UNREADABLE),
 * not YAML (PHAROS_SETTINGS_NOT_YAML), or invalid fields
 * (PHAROS_SETTINGS_INVALID, see {@link parseAgentConfig}).
 */
export function loadAgentConfig(path: string): AgentConfig {
  return loadSettings(AGENT_CONFIG_FILE, path);
}
