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
import { ConfigError, messageOf } from '@pharos/core/errors';
import type { HaConnectionOptions } from '@pharos/core/ha/connection';
import { createLogger, type Logger } from '@pharos/core/log';
import type { EnrolBackend } from './api/fleet-agents.js';
import { buildApp } from './app.js';
import { LoginAuthenticator } from './auth/authenticate.js';
import { BackendPool } from './backend-pool.js';
import { ClusterStatusReader } from './cluster/status.js';
import type { WebConfig } from './config.js';
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
    throw new ConfigError(`${field}: cannot read ${path}: ${messageOf(err)}`);
  }
}

/** The service connection string: `backend` plus the password from password_file (one trailing newline dropped). */
function serviceConninfo(config: WebConfig): string {
  if (config.passwordFile === undefined) return config.backend;
  const password = readOrFail('password_file', config.passwordFile)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (password === '') throw new ConfigError(`password_file: ${config.passwordFile} is empty`);
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

/**
 * Starts a web instance for `config` (from {@link loadWebConfig}). `logger`
 * defaults to a pino logger named `web` writing to `log_file` (or stderr).
 * Resolves once it listens. Does not wait for the backend: an unreachable
 * backend makes requests answer 503 until it is back.
 *
 * @throws ConfigError when a file cannot be read; the listen error (e.g.
 *   EADDRINUSE, EADDRNOTAVAIL) when the address cannot be bound.
 */
export async function startWebServer(
  config: WebConfig,
  options: { logger?: Logger } = {},
): Promise<WebServer> {
  const logger = options.logger ?? createLogger('web', config.logFile ? { destination: config.logFile } : {});
  const tls = {
    cert: readOrFail('tls_cert_file', config.tlsCertFile),
    key: readOrFail('tls_key_file', config.tlsKeyFile),
  };
  const haOptions: HaConnectionOptions = {
    conninfo: serviceConninfo(config),
    queryTimeoutMs: SERVICE_QUERY_TIMEOUT_MS,
    logger,
  };
  if (config.sourceAddress) haOptions.sourceAddress = config.sourceAddress;
  const db = new BackendPool(haOptions, config.backendConnections);
  const authOptions: { sourceAddress?: string; logger: Logger } = { logger };
  if (config.sourceAddress) authOptions.sourceAddress = config.sourceAddress;
  const authenticator = new LoginAuthenticator(config.loginBackend, authOptions);
  const cluster = new ClusterStatusReader({
    patroniUrls: config.patroniRestUrls,
    etcdEndpoints: config.etcdEndpoints,
    localAddress: config.sourceAddress,
    ca: config.caFile ? readOrFail('rest_ca_file (or backend sslrootcert)', config.caFile) : undefined,
    etcdCert: config.etcdCertFile ? readOrFail('etcd_cert_file', config.etcdCertFile) : undefined,
    etcdKey: config.etcdKeyFile ? readOrFail('etcd_key_file', config.etcdKeyFile) : undefined,
  });
  let app: Awaited<ReturnType<typeof buildApp>>;
  try {
    app = await buildApp({
      tls,
      db,
      authenticator,
      logger,
      version: WEB_VERSION,
      sessionTtlS: config.sessionTtlS,
      loginRateLimitPerMinute: config.loginRateLimitPerMinute,
      cluster,
      enrolBackend: enrolBackendOf(config),
    });
    await app.listen({ host: config.listenAddress, port: config.port });
  } catch (err) {
    await db.close().catch(() => {});
    throw err;
  }
  const host = config.listenAddress.includes(':') ? `[${config.listenAddress}]` : config.listenAddress;
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
