/**
 * The web instance's configuration file (YAML), validated field by field.
 * Every error names the file and the field.
 *
 * ```yaml
 * listen_address: 172.16.161.7        # the host's own address (IPv4 or IPv6); HTTPS only
 * port: 8443                          # default 8443
 * tls_cert_file: /etc/pharos/web.crt  # PEM chain from the deployment's CA (or one the operator gives)
 * tls_key_file: /etc/pharos/web.key   # PEM key, mode 0600 or stricter (checked)
 * # service connection: database pem, a member of pem_web, verify-full with the deployment's CA,
 * # target_session_attrs read-write (or primary); no password here: password_file or passfile=
 * backend: "host=172.16.161.4,172.16.161.5,172.16.161.6 port=5432 dbname=pem user=pemweb1
 *           sslmode=verify-full sslrootcert=/etc/pharos/ca.crt target_session_attrs=read-write connect_timeout=3"
 * password_file: /etc/pharos/pemweb1.password   # optional: the password alone, mode 0600 (checked)
 * source_address: 172.16.161.7        # optional: bind outgoing backend connections to this address
 * # users log in through this: the same hosts, dbname pem, no user, no password
 * login_backend: "host=172.16.161.4,172.16.161.5,172.16.161.6 port=5432 dbname=pem
 *                 sslmode=verify-full sslrootcert=/etc/pharos/ca.crt connect_timeout=3"
 * session_ttl_s: 3600                 # idle lifetime of a session, seconds (sliding); default 3600
 * log_file: /var/log/pharos/web.log   # optional: JSON lines; default stderr
 * login_rate_limit_per_minute: 10     # optional: login attempts per client address per minute
 * backend_connections: 4              # optional: service connections kept (each serialises its statements)
 * # optional: the HA stack shown on the overview (GET /api/cluster)
 * patroni_rest_urls: [https://172.16.161.4:8008]  # default: http://<each backend host>:8008
 * etcd_endpoints: [https://172.16.161.1:2379, https://172.16.161.2:2379, https://172.16.161.3:2379]  # default: none
 * rest_ca_file: /etc/pharos/certs/root.crt        # optional: CA of the https URLs above (default: backend's sslrootcert)
 * etcd_cert_file: /etc/pharos/certs/etcd-client.crt  # optional: client certificate for etcd (client-cert-auth)
 * etcd_key_file: /etc/pharos/certs/etcd-client.key   # its key, mode 0600 or stricter (checked)
 * ```
 *
 * https URLs in patroni_rest_urls and etcd_endpoints are verified against
 * rest_ca_file, else the backend's sslrootcert (the deployment's CA). A
 * secured deployment (topology `infrastructure_security: secured`) needs
 * https for both and the etcd client certificate; `pharos configure` writes
 * them from --patroni-rest-ca, --etcd-endpoints, --etcd-cert, --etcd-key.
 */
import { readFileSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { parseConninfo } from '@pharos/core/conninfo/resolve';
import type { ConnInfo } from '@pharos/core/conninfo/types';
import { ConfigError, messageOf } from '@pharos/core/errors';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { DEFAULT_BACKEND_CONNECTIONS } from './backend-pool.js';

/** A loaded, checked configuration (camelCase; file paths as given). */
export interface WebConfig {
  listenAddress: string;
  port: number;
  tlsCertFile: string;
  tlsKeyFile: string;
  /** The service connection string as written (no password in it). */
  backend: string;
  /** File holding the service user's password, or undefined (then `passfile`). */
  passwordFile?: string;
  sourceAddress?: string;
  /** The login connection string template (no user, no password). */
  loginBackend: string;
  sessionTtlS: number;
  logFile?: string;
  loginRateLimitPerMinute: number;
  /** Service connections to the backend kept by the instance. */
  backendConnections: number;
  /** Patroni REST API base URLs asked for the cluster's members. */
  patroniRestUrls: string[];
  /** etcd client URLs asked for health (empty: not shown). */
  etcdEndpoints: string[];
  /** The CA of https REST URLs: rest_ca_file, else the backend's sslrootcert (the deployment's CA). */
  caFile?: string;
  /** Client certificate and key for the etcd endpoints (etcd with client-cert-auth). */
  etcdCertFile?: string;
  etcdKeyFile?: string;
}

/** Patroni's REST API port when patroni_rest_urls is not given (reference: 8008). */
export const DEFAULT_PATRONI_REST_PORT = 8008;

/** Default HTTPS port of a web instance (docs/reference/pem-facts.md §6). */
export const DEFAULT_PORT = 8443;
/** Default idle lifetime of a session, seconds. */
export const DEFAULT_SESSION_TTL_S = 3600;
/** Default login attempts allowed per client address per minute. */
export const DEFAULT_LOGIN_RATE_LIMIT_PER_MINUTE = 10;
/** Default number of service connections (re-exported from backend-pool.ts). */
export { DEFAULT_BACKEND_CONNECTIONS };

const ip = (field: string) =>
  z.string().refine((s) => isIP(s) !== 0, { message: `${field} must be an IPv4 or IPv6 address` });

const restUrl = (field: string) =>
  z.string().refine((s) => /^https?:\/\/[^/?#@]+\/?$/.test(s), {
    message: `${field}: each entry must be http(s)://host:port, without a path or credentials`,
  });

const fileSchema = z
  .object({
    listen_address: ip('listen_address'),
    port: z.number().int().min(1).max(65535).default(DEFAULT_PORT),
    tls_cert_file: z.string().min(1),
    tls_key_file: z.string().min(1),
    backend: z.string().min(1),
    password_file: z.string().min(1).optional(),
    source_address: ip('source_address').optional(),
    login_backend: z.string().min(1),
    session_ttl_s: z
      .number()
      .int()
      .min(60)
      .max(30 * 86400)
      .default(DEFAULT_SESSION_TTL_S),
    log_file: z.string().min(1).optional(),
    login_rate_limit_per_minute: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(DEFAULT_LOGIN_RATE_LIMIT_PER_MINUTE),
    backend_connections: z.number().int().min(1).max(64).default(DEFAULT_BACKEND_CONNECTIONS),
    patroni_rest_urls: z.array(restUrl('patroni_rest_urls')).max(16).optional(),
    etcd_endpoints: z.array(restUrl('etcd_endpoints')).max(16).optional(),
    rest_ca_file: z.string().min(1).optional(),
    etcd_cert_file: z.string().min(1).optional(),
    etcd_key_file: z.string().min(1).optional(),
  })
  .strict();

function fail(source: string, field: string, problem: string): never {
  throw new ConfigError(`${source}: ${field}: ${problem}`);
}

/** Checks that `path` is a readable plain file; with `privateMode`, that group and others have no access. */
function checkFile(source: string, field: string, path: string, privateMode: boolean): void {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(path);
    readFileSync(path);
  } catch (err) {
    fail(source, field, `cannot read ${path}: ${messageOf(err)}`);
  }
  if (!st.isFile()) fail(source, field, `${path} is not a plain file`);
  if (privateMode && (Number(st.mode) & 0o077) !== 0) {
    const mode = (Number(st.mode) & 0o777).toString(8).padStart(4, '0');
    fail(
      source,
      field,
      `${path} has mode ${mode}; it must not be accessible by group or others (chmod 0600)`,
    );
  }
}

function conninfoOf(source: string, field: string, text: string): ConnInfo {
  try {
    return parseConninfo(text);
  } catch (err) {
    fail(source, field, messageOf(err));
  }
}

function checkTls(source: string, field: string, ci: ConnInfo): void {
  if (ci.sslmode !== 'verify-full') {
    fail(
      source,
      field,
      `sslmode must be verify-full (is ${ci.sslmode}): the backend's certificate must be checked`,
    );
  }
  if (!ci.sslrootcert) fail(source, field, "sslrootcert must name the deployment's CA certificate");
  checkFile(source, `${field} sslrootcert`, ci.sslrootcert, false);
}

function hostList(ci: ConnInfo): string {
  return ci.hosts.map((h) => `${h.hostaddr ?? h.host}:${h.port}`).join(',');
}

/**
 * Validates a parsed YAML document as a web configuration. `source` names
 * the file in errors. Checks, besides types and ranges: the TLS files are
 * readable and the key (and password file) have no group/other access; both
 * connection strings parse, use dbname pem and sslmode verify-full with a
 * readable sslrootcert; `backend` targets the primary (target_session_attrs
 * read-write or primary) and holds no password (use password_file or passfile);
 * `login_backend` holds no password and lists the same hosts as `backend`.
 *
 * @throws ConfigError `<source>: <field>: <problem>`.
 */
export function parseWebConfig(doc: unknown, source: string): WebConfig {
  const r = fileSchema.safeParse(doc ?? {});
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const field =
      issue.code === 'unrecognized_keys'
        ? issue.keys.join(', ')
        : issue.path.map(String).join('.') || '(top level)';
    fail(source, field, issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message);
  }
  const c = r.data;
  checkFile(source, 'tls_cert_file', c.tls_cert_file, false);
  checkFile(source, 'tls_key_file', c.tls_key_file, true);
  if (c.password_file !== undefined) checkFile(source, 'password_file', c.password_file, true);
  if (c.log_file?.endsWith('/')) fail(source, 'log_file', 'must name a file, not a directory');
  if (c.rest_ca_file !== undefined) checkFile(source, 'rest_ca_file', c.rest_ca_file, false);
  if ((c.etcd_cert_file === undefined) !== (c.etcd_key_file === undefined)) {
    fail(
      source,
      c.etcd_cert_file === undefined ? 'etcd_cert_file' : 'etcd_key_file',
      'etcd_cert_file and etcd_key_file go together',
    );
  }
  if (c.etcd_cert_file !== undefined) checkFile(source, 'etcd_cert_file', c.etcd_cert_file, false);
  if (c.etcd_key_file !== undefined) checkFile(source, 'etcd_key_file', c.etcd_key_file, true);

  const backend = conninfoOf(source, 'backend', c.backend);
  if (backend.dbname !== 'pem') fail(source, 'backend', `dbname must be pem (is ${backend.dbname})`);
  if (backend.password !== undefined) {
    fail(source, 'backend', 'must not contain a password: use password_file, or passfile= in the string');
  }
  if (backend.targetSessionAttrs !== 'read-write' && backend.targetSessionAttrs !== 'primary') {
    fail(
      source,
      'backend',
      `target_session_attrs must be read-write or primary (is ${backend.targetSessionAttrs})`,
    );
  }
  checkTls(source, 'backend', backend);
  if (c.password_file === undefined) {
    try {
      statSync(backend.passfile);
    } catch {
      fail(
        source,
        'password_file',
        `not given, and the backend's passfile ${backend.passfile} does not exist`,
      );
    }
  }

  const login = conninfoOf(source, 'login_backend', c.login_backend);
  if (login.dbname !== 'pem') fail(source, 'login_backend', `dbname must be pem (is ${login.dbname})`);
  if (login.password !== undefined) fail(source, 'login_backend', 'must not contain a password');
  checkTls(source, 'login_backend', login);
  if (hostList(login) !== hostList(backend)) {
    fail(
      source,
      'login_backend',
      `must list the same hosts as backend (${hostList(backend)}), lists ${hostList(login)}`,
    );
  }

  const out: WebConfig = {
    listenAddress: c.listen_address,
    port: c.port,
    tlsCertFile: c.tls_cert_file,
    tlsKeyFile: c.tls_key_file,
    backend: c.backend,
    loginBackend: c.login_backend,
    sessionTtlS: c.session_ttl_s,
    loginRateLimitPerMinute: c.login_rate_limit_per_minute,
    backendConnections: c.backend_connections,
    patroniRestUrls:
      c.patroni_rest_urls ??
      backend.hosts
        .map((h) => h.hostaddr ?? h.host)
        .filter((host) => !host.startsWith('/') && !host.startsWith('@'))
        .map((host) => `http://${host.includes(':') ? `[${host}]` : host}:${DEFAULT_PATRONI_REST_PORT}`),
    etcdEndpoints: c.etcd_endpoints ?? [],
  };
  const restCa = c.rest_ca_file ?? backend.sslrootcert;
  if (restCa) out.caFile = restCa;
  if (c.etcd_cert_file !== undefined && c.etcd_key_file !== undefined) {
    out.etcdCertFile = c.etcd_cert_file;
    out.etcdKeyFile = c.etcd_key_file;
  }
  if (c.password_file !== undefined) out.passwordFile = c.password_file;
  if (c.source_address !== undefined) out.sourceAddress = c.source_address;
  if (c.log_file !== undefined) out.logFile = c.log_file;
  return out;
}

/**
 * Reads and validates the configuration file at `path` (YAML, see the module
 * doc for the format). @throws ConfigError naming the file and the field.
 */
export function loadWebConfig(path: string): WebConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`${path}: cannot read the configuration file: ${messageOf(err)}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`${path}: not valid YAML: ${messageOf(err)}`);
  }
  return parseWebConfig(doc, path);
}
