/**
 * Starts and stops one web application instance: reads the TLS files and
 * the service user's password, opens the service connection (HaConnection on
 * the multi-host string, bound to the host's source address), builds the
 * HTTPS application and listens on listen_address:port. Nothing listens on
 * plain HTTP. `pharos web run --config FILE` calls {@link loadWebConfig} and
 * {@link startWebServer}.
 */
import { readFileSync } from 'node:fs';
import { formatConninfo } from '@pharos/core/conninfo/format';
import { parseConninfo } from '@pharos/core/conninfo/resolve';
import { messageOf, pharosError } from '@pharos/core/errors';
import type { HaConnectionOptions } from '@pharos/core/ha/connection';
import { createLogger, type Logger } from '@pharos/core/log';
import type { EnrolBackend } from './api/fleet-agents.js';
import { buildApp } from './app.js';
import { LoginAuthenticator } from './auth/authenticate.js';
import { BackendPool } from './backend-pool.js';
import { ClusterStatusReader } from './cluster/status.js';
import { caFileOf, metricsCaFileOf, patroniRestUrlsOf, type WebConfig } from './config.js';
import { WEB_VERSION } from './version.js';

export { loadWebConfig, parseWebConfig, type WebConfig } from './config.js';

/** A running web instance. */
export interface WebServer {
  /** Base URL, e.g. `https://172.16.161.7:8443/`. */
  url: string;
  /** Stops accepting requests, finishes those in flight, closes the backend connections. */
  close(): Promise<void>;
}

/** Deadline of one statement on the service connection (HaConnection default for it), in milliseconds. */
export const SERVICE_QUERY_TIMEOUT_MS = 5000;

function readOrFail(field: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw pharosError('PHAROS_WEB_FILE_UNREADABLE', { field, path, reason: messageOf(err) }, { cause: err });
  }
}

/** The service connection string: `backend` plus the password from password_file (one trailing newline dropped). */
function serviceConninfo(config: WebConfig): string {
  if (config.password_file === undefined) return config.backend;
  const password = readOrFail('password_file', config.password_file)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (password === '') throw pharosError('PHAROS_WEB_PASSWORD_FILE_EMPTY', { path: config.password_file });
  return formatConninfo({ ...parseConninfo(config.backend), password });
}

/**
 * Where agents enrolled through this instance ship: the hosts, ports,
 * database and sslmode of its own `backend` string (the hosts as written:
 * a backend reached at 127.0.0.1 is this host's, so a web instance on a
 * backend host should list the backends by address).
 */
export function enrolBackendOf(config: WebConfig): EnrolBackend {
  const ci = parseConninfo(config.backend, {});
  return {
    hosts: ci.hosts.map((h) => h.host),
    ports: ci.hosts.map((h) => h.port),
    dbname: ci.dbname,
    sslmode: ci.sslmode,
  };
}

/** The /metrics client certificate settings of buildApp: none when metrics_client_names is empty. */
function metricsClientsOf(config: WebConfig): { metricsClientCa?: Buffer; metricsClientNames?: string[] } {
  const caFile = metricsCaFileOf(config);
  if (config.metrics_client_names.length === 0 || !caFile) return {};
  return {
    metricsClientCa: readOrFail('metrics_client_ca_file (or backend sslrootcert)', caFile),
    metricsClientNames: config.metrics_client_names,
  };
}

/**
 * Starts a web instance for `config` (from {@link loadWebConfig}). `logger`
 * defaults to a pino logger named `web` at `logLevel` (default info) writing
 * to `log_file` (or stderr).
 * Resolves once it listens. Does not wait for the backend: an unreachable
 * backend makes requests answer 503 until it is back.
 *
 * @throws ConfigError when a file cannot be read; the listen error (e.g.
 *   EADDRINUSE, EADDRNOTAVAIL) when the address cannot be bound.
 */
export async function startWebServer(
  config: WebConfig,
  options: { logger?: Logger; logLevel?: string } = {},
): Promise<WebServer> {
  const logger =
    options.logger ??
    createLogger('web', {
      ...(options.logLevel ? { level: options.logLevel } : {}),
      ...(config.log_file ? { destination: config.log_file } : {}),
    });
  const tls = {
    cert: readOrFail('tls_cert_file', config.tls_cert_file),
    key: readOrFail('tls_key_file', config.tls_key_file),
  };
  const haOptions: HaConnectionOptions = {
    conninfo: serviceConninfo(config),
    queryTimeoutMs: SERVICE_QUERY_TIMEOUT_MS,
    logger,
    // a statement past its deadline is cancelled by the backend (never committed later): 504, not 503 (backend.ts)
    serverDeadline: true,
  };
  if (config.source_address) haOptions.sourceAddress = config.source_address;
  const db = new BackendPool(haOptions, config.backend_connections);
  const authOptions: { sourceAddress?: string; logger: Logger } = { logger };
  if (config.source_address) authOptions.sourceAddress = config.source_address;
  const authenticator = new LoginAuthenticator(config.login_backend, authOptions);
  const caFile = caFileOf(config);
  const cluster = new ClusterStatusReader({
    patroniUrls: patroniRestUrlsOf(config),
    etcdEndpoints: config.etcd_endpoints,
    localAddress: config.source_address,
    ca: caFile ? readOrFail('rest_ca_file (or backend sslrootcert)', caFile) : undefined,
    etcdCert: config.etcd_cert_file ? readOrFail('etcd_cert_file', config.etcd_cert_file) : undefined,
    etcdKey: config.etcd_key_file ? readOrFail('etcd_key_file', config.etcd_key_file) : undefined,
  });
  let app: Awaited<ReturnType<typeof buildApp>>;
  try {
    app = await buildApp({
      tls,
      db,
      authenticator,
      logger,
      version: WEB_VERSION,
      sessionTtlS: config.session_ttl_s,
      loginRateLimitPerMinute: config.login_rate_limit_per_minute,
      cluster,
      enrolBackend: enrolBackendOf(config),
      ...metricsClientsOf(config),
    });
    await app.listen({ host: config.listen_address, port: config.port });
  } catch (err) {
    await db.close().catch(() => {});
    throw err;
  }
  const host = config.listen_address.includes(':') ? `[${config.listen_address}]` : config.listen_address;
  const url = `https://${host}:${config.port}/`;
  logger.info({ url, version: WEB_VERSION }, 'web instance listening');
  let closing: Promise<void> | undefined;
  return {
    url,
    close() {
      closing ??= (async () => {
        try {
          await app.close();
        } finally {
          await db.close();
          logger.info({ url }, 'web instance stopped');
        }
      })();
      return closing;
    },
  };
}
