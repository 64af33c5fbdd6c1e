/**
 * The web instance's configuration file, web.yml (YAML), declared once:
 * {@link WEB_CONFIG_FILE} holds every field's type, range, default and
 * meaning (docs/settings.md is generated from it), and the settings loader
 * (@pharos/core/settings) reads it, listing every problem at once, each
 * naming the field.
 *
 * ```yaml
 * listen_address: 172.16.161.7
 * tls_cert_file: /etc/pharos/web.crt
 * tls_key_file: /etc/pharos/web.key
 * backend: "host=172.16.161.4,172.16.161.5,172.16.161.6 port=5432 dbname=pem user=pemweb1
 *           sslmode=verify-full sslrootcert=/etc/pharos/ca.crt target_session_attrs=read-write connect_timeout=3"
 * password_file: /etc/pharos/pemweb1.password
 * login_backend: "host=172.16.161.4,172.16.161.5,172.16.161.6 port=5432 dbname=pem
 *                 sslmode=verify-full sslrootcert=/etc/pharos/ca.crt connect_timeout=3"
 * # optional: the HA stack shown on the overview (GET /api/cluster)
 * patroni_rest_urls: [https://172.16.161.4:8008]
 * etcd_endpoints: [https://172.16.161.1:2379, https://172.16.161.2:2379, https://172.16.161.3:2379]
 * rest_ca_file: /etc/pharos/certs/root.crt
 * etcd_cert_file: /etc/pharos/certs/etcd-client.crt
 * etcd_key_file: /etc/pharos/certs/etcd-client.key
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
import { messageOf } from '@pharos/core/errors';
import { CONFIG_FILE_CODES, loadSettings, parseSettings, type SettingsFile } from '@pharos/core/settings';
import { z } from 'zod';
import { DEFAULT_BACKEND_CONNECTIONS } from './backend-pool.js';

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

const ip = z.string().refine((s) => isIP(s) !== 0, { message: 'is not an IPv4 or IPv6 address' });

const restUrl = z.string().refine((s) => /^https?:\/\/[^/?#@]+\/?$/.test(s), {
  message: 'is not http(s)://host:port (no path, no credentials)',
});

const schema = z
  .object({
    listen_address: ip.describe("the host's own address (IPv4 or IPv6) to listen on; HTTPS only"),
    port: z.number().int().min(1).max(65535).default(DEFAULT_PORT).describe('HTTPS port'),
    tls_cert_file: z
      .string()
      .min(1)
      .describe("PEM certificate chain from the deployment's CA (or one the operator gives)"),
    tls_key_file: z.string().min(1).describe('PEM private key, mode 0600 or stricter (checked)'),
    backend: z
      .string()
      .min(1)
      .describe(
        "service connection string: the backend hosts, dbname pem, a member of pem_web, sslmode verify-full with the deployment's CA (sslrootcert), target_session_attrs read-write or primary; no password (password_file, or passfile= in the string)",
      ),
    password_file: z
      .string()
      .min(1)
      .optional()
      .describe("the service user's password alone, mode 0600 (checked); without it, the string's passfile"),
    source_address: ip.optional().describe('bind outgoing backend connections to this address'),
    login_backend: z
      .string()
      .min(1)
      .describe(
        'connection string users log in through: the same hosts as backend, dbname pem, verify-full, no user, no password',
      ),
    session_ttl_s: z
      .number()
      .int()
      .min(60)
      .max(30 * 86400)
      .default(DEFAULT_SESSION_TTL_S)
      .describe('idle lifetime of a session, seconds (sliding)'),
    log_file: z
      .string()
      .min(1)
      .refine((s) => !s.endsWith('/'), 'must name a file, not a directory')
      .optional()
      .describe('log file (JSON lines); default stderr'),
    login_rate_limit_per_minute: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(DEFAULT_LOGIN_RATE_LIMIT_PER_MINUTE)
      .describe('login attempts allowed per client address per minute'),
    backend_connections: z
      .number()
      .int()
      .min(1)
      .max(64)
      .default(DEFAULT_BACKEND_CONNECTIONS)
      .describe('service connections kept to the backend (each serialises its statements)'),
    patroni_rest_urls: z
      .array(restUrl)
      .max(16)
      .optional()
      .describe(
        `Patroni REST API base URLs asked for the cluster's members (GET /api/cluster); default http://<each backend host>:${DEFAULT_PATRONI_REST_PORT}`,
      ),
    etcd_endpoints: z
      .array(restUrl)
      .max(16)
      .default([])
      .describe('etcd client URLs asked for health (GET /api/cluster); default none (not shown)'),
    rest_ca_file: z
      .string()
      .min(1)
      .optional()
      .describe(
        "CA of the https URLs in patroni_rest_urls and etcd_endpoints; default the backend's sslrootcert",
      ),
    etcd_cert_file: z
      .string()
      .min(1)
      .optional()
      .describe('client certificate for the etcd endpoints (etcd with client-cert-auth); with etcd_key_file'),
    etcd_key_file: z
      .string()
      .min(1)
      .optional()
      .describe('private key of etcd_cert_file, mode 0600 or stricter (checked)'),
    metrics_client_ca_file: z
      .string()
      .min(1)
      .optional()
      .describe(
        "CA that issues the client certificates admitted to GET /metrics (Prometheus); default the backend's sslrootcert (the deployment's CA)",
      ),
    metrics_client_names: z
      .array(z.string().min(1).max(64))
      .max(16)
      .default(['prometheus'])
      .describe(
        'subject CNs of the client certificates admitted to GET /metrics; [] admits none (an API token still does) and the instance asks browsers for no certificate',
      ),
  })
  .strict();

/** A loaded, checked configuration (field names as in the file). */
export type WebConfig = z.output<typeof schema>;

/** Problems of `path` as a readable plain file; with `privateMode`, one that group and others cannot access. */
function fileProblems(field: string, path: string, privateMode: boolean): string[] {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(path);
    readFileSync(path);
  } catch (err) {
    return [`${field}: cannot read ${path}: ${messageOf(err)}`];
  }
  if (!st.isFile()) return [`${field}: ${path} is not a plain file`];
  if (privateMode && (Number(st.mode) & 0o077) !== 0) {
    const mode = (Number(st.mode) & 0o777).toString(8).padStart(4, '0');
    return [`${field}: ${path} has mode ${mode}; it must not be accessible by group or others (chmod 0600)`];
  }
  return [];
}

function tlsProblems(field: string, ci: ConnInfo): string[] {
  const problems: string[] = [];
  if (ci.sslmode !== 'verify-full') {
    problems.push(
      `${field}: sslmode must be verify-full (is ${ci.sslmode}): the backend's certificate must be checked`,
    );
  }
  if (!ci.sslrootcert) problems.push(`${field}: sslrootcert must name the deployment's CA certificate`);
  else problems.push(...fileProblems(`${field} sslrootcert`, ci.sslrootcert, false));
  return problems;
}

function hostList(ci: ConnInfo): string {
  return ci.hosts.map((h) => `${h.hostaddr ?? h.host}:${h.port}`).join(',');
}

/**
 * The rules over files and several fields: the TLS files are readable and
 * the key (and password file) have no group/other access; both connection
 * strings parse, use dbname pem and sslmode verify-full with a readable
 * sslrootcert; `backend` targets the primary (target_session_attrs read-write
 * or primary) and holds no password (use password_file or passfile);
 * `login_backend` holds no password and lists the same hosts as `backend`;
 * rest_ca_file and etcd_cert_file are readable, etcd_key_file private, and
 * the etcd certificate and key come together.
 */
function webConfigProblems(c: WebConfig): string[] {
  const problems = [
    ...fileProblems('tls_cert_file', c.tls_cert_file, false),
    ...fileProblems('tls_key_file', c.tls_key_file, true),
    ...(c.password_file === undefined ? [] : fileProblems('password_file', c.password_file, true)),
    ...(c.rest_ca_file === undefined ? [] : fileProblems('rest_ca_file', c.rest_ca_file, false)),
    ...(c.etcd_cert_file === undefined ? [] : fileProblems('etcd_cert_file', c.etcd_cert_file, false)),
    ...(c.etcd_key_file === undefined ? [] : fileProblems('etcd_key_file', c.etcd_key_file, true)),
    ...(c.metrics_client_ca_file === undefined
      ? []
      : fileProblems('metrics_client_ca_file', c.metrics_client_ca_file, false)),
  ];
  if ((c.etcd_cert_file === undefined) !== (c.etcd_key_file === undefined)) {
    problems.push(
      `${c.etcd_cert_file === undefined ? 'etcd_cert_file' : 'etcd_key_file'}: etcd_cert_file and etcd_key_file go together`,
    );
  }
  let backend: ConnInfo | undefined;
  try {
    backend = parseConninfo(c.backend);
  } catch (err) {
    problems.push(`backend: ${messageOf(err)}`);
  }
  if (backend) {
    if (backend.dbname !== 'pem') problems.push(`backend: dbname must be pem (is ${backend.dbname})`);
    if (backend.password !== undefined) {
      problems.push('backend: must not contain a password: use password_file, or passfile= in the string');
    }
    if (backend.targetSessionAttrs !== 'read-write' && backend.targetSessionAttrs !== 'primary') {
      problems.push(
        `backend: target_session_attrs must be read-write or primary (is ${backend.targetSessionAttrs})`,
      );
    }
    problems.push(...tlsProblems('backend', backend));
    if (c.password_file === undefined) {
      try {
        statSync(backend.passfile);
      } catch {
        problems.push(
          `password_file: not given, and the backend's passfile ${backend.passfile} does not exist`,
        );
      }
    }
  }
  let login: ConnInfo | undefined;
  try {
    login = parseConninfo(c.login_backend);
  } catch (err) {
    problems.push(`login_backend: ${messageOf(err)}`);
  }
  if (login) {
    if (login.dbname !== 'pem') problems.push(`login_backend: dbname must be pem (is ${login.dbname})`);
    if (login.password !== undefined) problems.push('login_backend: must not contain a password');
    problems.push(...tlsProblems('login_backend', login));
    if (backend && hostList(login) !== hostList(backend)) {
      problems.push(
        `login_backend: must list the same hosts as backend (${hostList(backend)}), lists ${hostList(login)}`,
      );
    }
  }
  return problems;
}

/** web.yml as a settings file (ConfigError, exit code 1). */
export const WEB_CONFIG_FILE: SettingsFile<typeof schema> = {
  what: 'web configuration',
  schema,
  codes: CONFIG_FILE_CODES,
  valueProblems: webConfigProblems,
};

/**
 * Validates a parsed YAML document as a web configuration (`source` names
 * the file) and applies defaults.
 * @throws ConfigError PHAROS_SETTINGS_INVALID listing every problem as `<field>: <problem>`.
 */
export function parseWebConfig(doc: unknown, source: string): WebConfig {
  return parseSettings(WEB_CONFIG_FILE, doc, source);
}

/**
 * Reads and validates the configuration file at `path`.
 * @throws ConfigError naming the file (PHAROS_SETTINGS_UNREADABLE, _NOT_YAML, _INVALID) and the fields.
 */
export function loadWebConfig(path: string): WebConfig {
  return loadSettings(WEB_CONFIG_FILE, path);
}

/** The Patroni REST API URLs to ask: patroni_rest_urls, else http://<each backend host>:8008. */
export function patroniRestUrlsOf(config: WebConfig): string[] {
  return (
    config.patroni_rest_urls ??
    parseConninfo(config.backend)
      .hosts.map((h) => h.hostaddr ?? h.host)
      .filter((host) => !host.startsWith('/') && !host.startsWith('@'))
      .map((host) => `http://${host.includes(':') ? `[${host}]` : host}:${DEFAULT_PATRONI_REST_PORT}`)
  );
}

/** The CA of https REST URLs: rest_ca_file, else the backend's sslrootcert (the deployment's CA). */
export function caFileOf(config: WebConfig): string | undefined {
  return config.rest_ca_file ?? parseConninfo(config.backend).sslrootcert;
}

/** The CA of /metrics client certificates: metrics_client_ca_file, else the backend's sslrootcert. */
export function metricsCaFileOf(config: WebConfig): string | undefined {
  return config.metrics_client_ca_file ?? parseConninfo(config.backend).sslrootcert;
}
