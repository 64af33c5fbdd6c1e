/**
 * The options of `pharos configure`, the counterpart of the reference's
 * `configure-pem-server.sh` (flags in docs/reference/pem-facts.md §1), after parsing, and
 * the parsers of its comma-separated `key=value` flags (-aro, -arp, -srp).
 */
import { pharosError } from '@pharos/core/errors';

/** Parsed configure options. Ports are per host (one port given = the same for all). */
export interface ConfigureOptions {
  /** 1 web + backend on one host, 2 web only, 3 backend only. */
  type: 1 | 2 | 3;
  hosts: string[];
  ports: number[];
  superuser: string;
  superpassword: string;
  /** --asb-host-name: how the local agent reaches the monitored server (127.0.0.1 in HA). */
  asbHostName?: string;
  replicationSolution?: 'patroni' | 'efm';
  replicationRole?: 'primary' | 'standby';
  /** -kdc: no CA, no server certificate, no agent certificate (unless -ues). */
  skipDbCertificate: boolean;
  /** -nhc: leave pg_hba.conf / postgresql.conf alone. */
  noHbaChange: boolean;
  /** -ues: issue agent certificates from the backend's CA even with -kdc/-utd. */
  useExistingSslutils: boolean;
  /** --use-agent-user: one common agent database user. */
  agentUser?: string;
  agentSslCert?: string;
  agentSslKey?: string;
  /** -aro key=value pairs: agent_id and agent configuration keys ({@link AGENT_OVERRIDE_KEYS}). */
  agentOverrides: Record<string, string>;
  /** -arp key=value pairs ({@link AGENT_REGISTER_PARAM_KEYS}). */
  agentRegisterParams: Record<string, string>;
  /** -srp key=value pairs ({@link SERVER_REGISTER_PARAM_KEYS}). */
  serverRegisterParams: Record<string, string>;
  /** -acp: where the built-in CA's agent certificate and key are written (default: the agent configuration's directory). */
  agentCertificatePath?: string;
  /** -ci: CIDR agents connect from (HBA rules outside HA mode; informational in HA mode). */
  cidrAddress: string;
  /** -dbi, -ds, -ps: where PostgreSQL lives, its service, the agent's service (informational: Pharos starts nothing). */
  dbInstallPath?: string;
  dbUnitfile?: string;
  agentServiceName?: string;
  /** -kwc: do not create the web instance's self-signed certificate. */
  skipWebCertificate: boolean;
  /** -scs: subject of the web instance's self-signed certificate (`/C=../O=../CN=..`). */
  serverCertificateSubject?: string;
  /** The host this command runs on: name (display name of its agent and server) and address. */
  hostName: string;
  hostAddress?: string;
  /** User the agent uses for the agent-server binding, and its password (default: the superuser's). */
  asbUser: string;
  asbPassword: string;
  /** sslmode and CA for the superuser's connection (libpq PGSSLMODE/PGSSLROOTCERT apply too). */
  sslmode?: string;
  sslrootcert?: string;
  /** With -ues on the primary: the built-in CA signer to record (see built-in-ca.ts). */
  caSigner?: { program: string[]; caCertFile?: string; caKeyFile?: string; certDays?: number };
}

/** True in HA mode (--replication-solution given): SSL, HBA and restarts belong to the cluster manager. */
export function isHaMode(o: ConfigureOptions): boolean {
  return o.replicationSolution !== undefined;
}

/** Splits a comma list of ports, one per host or one for all. InputError names -p and the value. */
export function parsePorts(value: string, hostCount: number): number[] {
  const ports = value.split(',').map((p) => p.trim());
  for (const p of ports) {
    const n = Number(p);
    if (!/^\d+$/.test(p) || n < 1 || n > 65535) throw pharosError('PHAROS_CLI_PORT_INVALID', { port: p });
  }
  if (ports.length !== 1 && ports.length !== hostCount) {
    throw pharosError('PHAROS_CLI_PORT_COUNT', { ports: ports.length, hosts: hostCount });
  }
  return ports.length === 1 ? Array(hostCount).fill(Number(ports[0])) : ports.map(Number);
}

/** A checker of one key's value: returns an error text, or undefined when the value is fine. */
type ValueCheck = (value: string) => string | undefined;

const positiveInteger: ValueCheck = (v) =>
  /^\d+$/.test(v) && Number(v) >= 1 ? undefined : 'is not a positive integer';
const positiveNumber: ValueCheck = (v) =>
  /^\d+(\.\d+)?$/.test(v) && Number(v) > 0 ? undefined : 'is not a positive number';
const boolean: ValueCheck = (v) =>
  /^(true|false|yes|no|on|off|1|0)$/i.test(v) ? undefined : 'is not true or false';
const nonEmpty: ValueCheck = (v) => (v.length > 0 ? undefined : 'is empty');
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/**
 * Keys of -aro/--agent-register-overrider: `agent_id` (the registration) and
 * agent configuration keys (packages/agent/src/config.ts). The reference
 * agent's names `long_wait`/`short_wait` (seconds) are accepted for
 * `long_wait_s`/`short_wait_s`; `connect_timeout` (seconds) goes into the
 * agent's backend connection string.
 */
export const AGENT_OVERRIDE_KEYS: Readonly<Record<string, ValueCheck>> = {
  agent_id: positiveInteger,
  log_level: (v) => (LOG_LEVELS.includes(v) ? undefined : `is not one of ${LOG_LEVELS.join(', ')}`),
  long_wait: positiveNumber,
  long_wait_s: positiveNumber,
  short_wait: positiveNumber,
  short_wait_s: positiveNumber,
  probe_interval_s: positiveNumber,
  spool_max_bytes: (v) => (/^\d+$/.test(v) && Number(v) >= 65536 ? undefined : 'is not at least 65536'),
  connect_timeout: positiveInteger,
};

/** Keys of -arp/--agent-register-param: the agent's display name and force re-registration. */
export const AGENT_REGISTER_PARAM_KEYS: Readonly<Record<string, ValueCheck>> = {
  display_name: nonEmpty,
  force_registration: boolean,
};

/** Keys of -srp/--server-register-param: the local server's display name and maintenance database. */
export const SERVER_REGISTER_PARAM_KEYS: Readonly<Record<string, ValueCheck>> = {
  display_name: nonEmpty,
  maintenance_db: (v) => (/^[A-Za-z_][A-Za-z0-9_$]{0,62}$/.test(v) ? undefined : 'is not a database name'),
};

/**
 * Parses `k=v,k=v` of the flag `flag` (e.g. '-aro/--agent-register-overrider')
 * against `keys`. InputError names the flag and the pair: a pair without '=',
 * an unknown key (the known ones listed), a repeated key or a bad value.
 */
export function parseKeyValues(
  flag: string,
  value: string | undefined,
  keys: Readonly<Record<string, ValueCheck>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  if (value === undefined || value.trim() === '') return out;
  for (const pair of value.split(',')) {
    const i = pair.indexOf('=');
    if (i <= 0) throw pharosError('PHAROS_CLI_KEY_VALUE_SYNTAX', { flag, pair });
    const key = pair.slice(0, i).trim();
    const v = pair.slice(i + 1).trim();
    const check = keys[key];
    if (!check) {
      throw pharosError('PHAROS_CLI_KEY_UNKNOWN', { flag, key, known: Object.keys(keys).join(', ') });
    }
    if (key in out) throw pharosError('PHAROS_CLI_KEY_REPEATED', { flag, key });
    const problem = check(v);
    if (problem) throw pharosError('PHAROS_CLI_KEY_VALUE_INVALID', { flag, key, value: v, problem });
    out[key] = v;
  }
  return out;
}

/** Parses -aro/--agent-register-overrider (see {@link AGENT_OVERRIDE_KEYS}). */
export function parseOverrides(value: string | undefined): Record<string, string> {
  return parseKeyValues('-aro/--agent-register-overrider', value, AGENT_OVERRIDE_KEYS);
}

/** True for 'true', 'yes', 'on', '1' (any case). */
export function isTrue(value: string | undefined): boolean {
  return value !== undefined && /^(true|yes|on|1)$/i.test(value);
}

/** The agent id requested with -aro agent_id=N, or undefined. */
export function requestedAgentId(o: Pick<ConfigureOptions, 'agentOverrides'>): number | undefined {
  const v = o.agentOverrides.agent_id;
  return v === undefined ? undefined : Number(v);
}
