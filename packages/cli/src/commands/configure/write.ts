/**
 * Files `pharos configure` and `pharos agent register` leave on the host:
 * the agent's configuration (packages/agent/src/config.ts format, validated
 * with its own parser before writing) with a passfile for the agent-server
 * binding (mode 0600), and with -t 1/-t 2 the web instance's configuration.
 * Writing the same content again is a no-op, so a second run reports
 * "unchanged". Keys the operator added to an existing agent configuration
 * (log_level, waits...) are kept unless -aro overrides them.
 *
 * On a packaged host the files are in /etc/pharos ({@link SYSTEM_CONFIG_DIR}),
 * which the services may only read (ProtectSystem=strict): the agent's spool
 * then defaults to {@link SYSTEM_SPOOL_DIR} and neither file names a log
 * file, so the services log to stderr, i.e. the journal. Elsewhere (the lab,
 * a directory of one's own) the spool and logs go beside the file.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parseAgentConfig } from '@pharos/agent/config';
import { agentBackendConninfo } from '@pharos/backend/configure/connect';
import type { ConfigureOptions } from '@pharos/backend/configure/options';
import { messageOf, pharosError } from '@pharos/core/errors';
import { parse as parseYaml, stringify } from 'yaml';
import type { HaAccess } from './ha-access.js';

/** Where the package keeps Pharos's configuration (0750 root:pharos; packaging/). */
export const SYSTEM_CONFIG_DIR = '/etc/pharos';
/** The agent's spool on a packaged host: the one directory pharos-agent.service may write (StateDirectory=pharos). */
export const SYSTEM_SPOOL_DIR = '/var/lib/pharos/spool';

/** Writes `content` to `path` (mode `mode`) atomically unless it already holds exactly that. */
export function writeIfChanged(
  path: string,
  content: string,
  mode: number,
): { path: string; changed: boolean } {
  const abs = resolve(path);
  if (existsSync(abs) && readFileSync(abs, 'utf8') === content) return { path: abs, changed: false };
  mkdirSync(dirname(abs), { recursive: true, mode: 0o750 });
  writeFileSync(`${abs}.tmp`, content, { mode });
  renameSync(`${abs}.tmp`, abs);
  return { path: abs, changed: true };
}

/** libpq .pgpass escaping of ':' and '\\' (libpq-pgpass.html). */
export function pgpassField(v: string): string {
  return v.replaceAll('\\', '\\\\').replaceAll(':', '\\:');
}

/**
 * One .pgpass line (libpq-pgpass.html) for `user` at exactly `host`:`port`,
 * any database (`*`: the agent visits every database of a server), and a
 * newline. Never a wildcard host or port: a password must only ever be
 * offered to the server it belongs to (security review M3).
 */
export function passfileLine(p: {
  host: string;
  port: number;
  user: string;
  password: string;
  dbname?: string;
}): string {
  return `${pgpassField(p.host)}:${p.port}:${p.dbname === undefined ? '*' : pgpassField(p.dbname)}:${pgpassField(p.user)}:${pgpassField(p.password)}\n`;
}

/** -aro keys that are agent configuration keys, with their name in the file. */
const OVERRIDE_TO_CONFIG: Record<string, string> = {
  log_level: 'log_level',
  long_wait: 'long_wait_s',
  long_wait_s: 'long_wait_s',
  short_wait: 'short_wait_s',
  short_wait_s: 'short_wait_s',
  probe_interval_s: 'probe_interval_s',
  spool_max_bytes: 'spool_max_bytes',
};

/** What Pharos sets in an agent configuration. */
export interface AgentConfigFields {
  agentId: number;
  agentUser: string;
  /** The agent's backend connection string (agentBackendConninfo). */
  backend: string;
  /** This host's address (lab emulation): source of the agent's connections. */
  sourceAddress?: string;
  /**
   * The address that stands for this host (PHAROS_HOST_ADDRESS, the lab):
   * written as `host_address`, so that a monitored server bound at
   * 127.0.0.1 is dialled there (@pharos/core/host-identity).
   */
  hostAddress?: string;
  /**
   * The agent-server binding: its password is written to `agent.pgpass`
   * beside the file, on a line scoped to the binding's host:port (never a
   * wildcard host: security review M3).
   */
  binding?: { host: string; port: number; user: string; password: string };
  /**
   * A passfile for monitored servers' passwords (`pharos agent enrol`): named
   * in the configuration and created empty (mode 0600) if absent; its lines
   * come from `pharos server prepare`. Ignored with `binding`.
   */
  passfile?: string;
  /** CA file that verifies monitored servers (`server_sslrootcert`). */
  serverSslrootcert?: string;
  /** -aro overrides (agent_id and connect_timeout are not configuration keys and are skipped). */
  overrides?: Record<string, string>;
  /** --patroni-rest-ca: written as `patroni_rest_ca_file` (the Patroni probes use https). */
  patroniRestCaFile?: string | undefined;
}

/** The YAML mapping at `path` ({} when there is none). @throws ConfigError naming `what` and the file when it is not valid YAML. */
function readExisting(path: string, what = 'agent configuration'): Record<string, unknown> {
  if (!existsSync(path)) return {};
  try {
    const doc = parseYaml(readFileSync(path, 'utf8')) as unknown;
    return doc && typeof doc === 'object' && !Array.isArray(doc) ? (doc as Record<string, unknown>) : {};
  } catch (err) {
    throw pharosError('PHAROS_CONFIGURE_EXISTING_NOT_YAML', { what, path, reason: messageOf(err) });
  }
}

/**
 * Writes (or updates) the agent configuration at `path` and its passfile.
 * @throws ConfigError when the result would not be a valid agent
 *   configuration (the agent's own parser's message).
 */
export function writeAgentConfig(path: string, f: AgentConfigFields): { path: string; changed: boolean } {
  const abs = resolve(path);
  const dir = dirname(abs);
  const existing = readExisting(abs);
  const config: Record<string, unknown> = { ...existing };
  config.agent_id = f.agentId;
  config.agent_user = f.agentUser;
  config.backend = f.backend;
  if (dir === SYSTEM_CONFIG_DIR) {
    config.spool_dir ??= SYSTEM_SPOOL_DIR;
  } else {
    config.spool_dir ??= join(dir, 'spool');
    config.log_file ??= join(dir, 'agent.log');
  }
  if (f.sourceAddress) config.source_address = f.sourceAddress;
  if (f.hostAddress) config.host_address = f.hostAddress;
  if (f.patroniRestCaFile) config.patroni_rest_ca_file = f.patroniRestCaFile;
  let passChanged = false;
  if (f.binding) {
    const passfile = join(dir, 'agent.pgpass');
    passChanged = writeIfChanged(passfile, passfileLine(f.binding), 0o600).changed;
    config.passfile = passfile;
  }
  if (!f.binding && f.passfile) {
    const passfile = resolve(f.passfile);
    if (!existsSync(passfile)) {
      mkdirSync(dirname(passfile), { recursive: true, mode: 0o750 });
      writeFileSync(passfile, '', { mode: 0o600 });
      passChanged = true;
    }
    config.passfile = passfile;
  }
  if (f.serverSslrootcert) config.server_sslrootcert = resolve(f.serverSslrootcert);
  for (const [k, v] of Object.entries(f.overrides ?? {})) {
    const key = OVERRIDE_TO_CONFIG[k];
    if (key) config[key] = key === 'log_level' ? v : Number(v);
  }
  parseAgentConfig(config, `the agent configuration for ${abs}`);
  // Same settings (whatever the file's formatting or comments): leave the file alone.
  if (isDeepStrictEqual(config, existing)) return { path: abs, changed: passChanged };
  const written = writeIfChanged(
    abs,
    `# Written by pharos; keys may be edited (see packages/agent/src/config.ts).\n${stringify(config)}`,
    0o600,
  );
  return { path: written.path, changed: written.changed || passChanged };
}

/** Settings of the web instance that configure does not derive from ConfigureOptions. */
export interface WebFileSettings {
  serviceUser: string;
  servicePassword: string;
  port: number;
  certFile: string;
  keyFile: string;
  /** Pharos's flags for a secured etcd / Patroni REST API (configure-ha-access.ts). */
  ha?: HaAccess;
}

/** Patroni's REST API port the web asks (the reference's 8008; packages/web config default). */
const PATRONI_REST_PORT = 8008;

/**
 * The web configuration keys of `ha`: `patroni_rest_urls` (https on each
 * backend host, 127.0.0.1 written as this host's address) and
 * `rest_ca_file` with --patroni-rest-ca; `etcd_endpoints`, `etcd_cert_file`,
 * `etcd_key_file` with --etcd-endpoints/--etcd-cert/--etcd-key.
 */
function haWebKeys(o: ConfigureOptions, ha: HaAccess | undefined): Record<string, unknown> {
  const keys: Record<string, unknown> = {};
  if (ha?.patroniRestCaFile) {
    keys.patroni_rest_urls = o.hosts.map((h) => {
      const host = (h === '127.0.0.1' || h === 'localhost') && o.hostAddress ? o.hostAddress : h;
      return `https://${host.includes(':') ? `[${host}]` : host}:${PATRONI_REST_PORT}`;
    });
    keys.rest_ca_file = ha.patroniRestCaFile;
  }
  if (ha?.etcdEndpoints) keys.etcd_endpoints = ha.etcdEndpoints;
  if (ha?.etcdCertFile) keys.etcd_cert_file = ha.etcdCertFile;
  if (ha?.etcdKeyFile) keys.etcd_key_file = ha.etcdKeyFile;
  return keys;
}

/**
 * Writes the web instance's configuration and its service role's passfile.
 * Keys of an existing file that configure does not manage are kept; a file
 * with the same settings is left alone (`changed` false).
 * @throws ConfigError when the existing file is not valid YAML.
 */
export function writeLocalWebConfig(
  path: string,
  o: ConfigureOptions,
  w: WebFileSettings,
): { path: string; changed: boolean } {
  const dir = dirname(resolve(path));
  const passfile = join(dir, 'web.pgpass');
  // one line per backend host:port, database pem only: the service password goes nowhere else
  const pass = writeIfChanged(
    passfile,
    o.hosts
      .map((host, i) =>
        passfileLine({
          host,
          port: o.ports[i]!,
          dbname: 'pem',
          user: w.serviceUser,
          password: w.servicePassword,
        }),
      )
      .join(''),
    0o600,
  );
  const base = {
    hosts: o.hosts,
    ports: o.ports,
    sslmode: o.sslmode,
    sslrootcert: o.sslrootcert ? resolve(o.sslrootcert) : undefined,
    hostAddress: o.hostAddress,
  };
  // Keys configure does not manage (etcd_endpoints, patroni_urls, an
  // operator's own) are kept; the ones it manages are set again.
  const existing = readExisting(path, 'web configuration');
  const config: Record<string, unknown> = {
    ...existing,
    listen_address: o.hostAddress ?? '0.0.0.0',
    port: w.port,
    tls_cert_file: resolve(w.certFile),
    tls_key_file: resolve(w.keyFile),
    backend: agentBackendConninfo({ ...base, user: w.serviceUser, passfile }),
    login_backend: agentBackendConninfo(base),
    ...haWebKeys(o, w.ha),
  };
  if (dir !== SYSTEM_CONFIG_DIR) config.log_file = join(dir, 'web.log');
  if (o.hostAddress) config.source_address = o.hostAddress;
  if (isDeepStrictEqual(config, existing)) return { path: resolve(path), changed: pass.changed };
  const file = writeIfChanged(path, `# Written by pharos configure.\n${stringify(config)}`, 0o600);
  return { path: file.path, changed: file.changed || pass.changed };
}
