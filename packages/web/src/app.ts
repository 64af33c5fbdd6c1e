/**
 * Assembles the web application on a fastify instance over HTTPS: security
 * headers (helmet, with a strict Content-Security-Policy: scripts, styles and
 * connections from this origin only, no inline code), cookies, the login rate
 * limit, the JSON error answers, the API routes and the UI's static files.
 * It does not listen: {@link startWebServer} does.
 */
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { Logger } from '@pharos/core/log';
import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify';
import { registerAlertAdminRoutes } from './api/alert-admin.js';
import { registerAlertNotifyAdminRoutes } from './api/alert-admin-notify.js';
import { registerAlertsRoute } from './api/alerts.js';
import { registerApiTokenRoutes } from './api/api-tokens.js';
import { registerChangesRoute } from './api/changes.js';
import { registerClusterRoute } from './api/cluster.js';
import { frameworkErrors, installErrorHandlers, MAX_PARAM_LENGTH } from './api/errors.js';
import { registerFleetRoute } from './api/fleet.js';
import { type EnrolBackend, registerFleetAgentRoutes } from './api/fleet-agents.js';
import { registerFleetClusterRoutes } from './api/fleet-clusters.js';
import { registerFleetServerRoutes } from './api/fleet-servers.js';
import { registerHealthRoute } from './api/health.js';
import { registerHostRoutes } from './api/host.js';
import { installInputGuard } from './api/input-guard.js';
import { registerMaintenanceRoutes } from './api/maintenance.js';
import { registerOpenApiGenerator, registerOpenApiRoute } from './api/openapi.js';
import { registerPreferencesRoutes } from './api/preferences.js';
import { registerProbeLogRoute } from './api/probe-log.js';
import { registerProbeRoutes } from './api/probes.js';
import { registerSeriesRoute } from './api/series.js';
import { registerServerRoutes } from './api/server.js';
import { registerSessionRoutes } from './api/sessions.js';
import { registerTopSqlRoute } from './api/top-sql.js';
import type { LoginAuthenticator } from './auth/authenticate.js';
import { LoginThrottle } from './auth/login-throttle.js';
import { registerAuthRoutes } from './auth/routes.js';
import { SessionStore } from './auth/session-store.js';
import type { BackendPool } from './backend-pool.js';
import { ClusterStatusReader } from './cluster/status.js';
import { registerMetricsRoute } from './metrics/route.js';
import { loadUiFiles, registerUiRoutes } from './ui/static.js';
import { loadVendorFiles } from './ui/vendor.js';

/** Everything {@link buildApp} needs. */
export interface AppDeps {
  /** TLS certificate chain and private key (PEM). */
  tls: { cert: Buffer; key: Buffer };
  /** The service connections to the backend. */
  db: BackendPool;
  authenticator: LoginAuthenticator;
  logger: Logger;
  version: string;
  sessionTtlS: number;
  loginRateLimitPerMinute: number;
  /** Directory of the UI's static files (default packages/web/ui). */
  uiDir?: string;
  /** Reads the HA stack's status for GET /api/cluster (default: asks nothing, shows nothing). */
  cluster?: ClusterStatusReader;
  /** Sees every route as it is registered (tests and tools: the API contract). */
  onRoute?: (route: RouteOptions) => void;
  /** Where agents enrolled through POST /api/enrol ship (default: no hosts known). */
  enrolBackend?: EnrolBackend;
  /** Enrolment attempts per client address per minute (default: the login's). */
  enrolRateLimitPerMinute?: number;
  /**
   * CA (PEM) of the client certificates admitted to GET /metrics, with
   * their subject CNs: HTTPS then asks for (never requires) a client
   * certificate verified against this CA. Default: none asked, none admitted.
   */
  metricsClientCa?: Buffer;
  metricsClientNames?: string[];
}

/** Largest request body accepted, in bytes (an enrolment with a certificate is the biggest). */
export const BODY_LIMIT_BYTES = 16 * 1024;

/**
 * The cipher suites HTTPS offers: TLS 1.3's (all AEAD), then for TLS 1.2
 * only ECDHE key exchange with AES-GCM or ChaCha20-Poly1305 (ECDSA or RSA
 * certificates); no CBC, no SHA-1 MAC, no CCM, ARIA or CAMELLIA (security
 * review, "TLS suites"; Mozilla's "intermediate" TLS 1.2 set). Suites named
 * `TLS_*` are TLS 1.3's (node:tls "Modifying the default TLS cipher suite").
 */
export const TLS_CIPHERS = [
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_AES_128_GCM_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

/**
 * Permissions-Policy of every answer: the UI asks for no powerful browser
 * feature, so none may be used by anything it might load (W3C Permissions
 * Policy; the review found the header missing).
 */
export const PERMISSIONS_POLICY =
  'accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), usb=(), xr-spatial-tracking=()';

/**
 * The request validator's options: fastify's defaults (ajv with
 * `coerceTypes: 'array'`, `useDefaults`) except that unknown body fields are
 * refused (400), not silently dropped. Nullable fields are declared with
 * `Nullable` (shape-types.ts) so that coercion keeps a null a null.
 */
export const AJV_OPTIONS = { customOptions: { removeAdditional: false } } as const;

/** Builds the HTTPS fastify application with every plugin and route, ready to listen. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    https: {
      cert: deps.tls.cert,
      key: deps.tls.key,
      minVersion: 'TLSv1.2',
      ciphers: TLS_CIPHERS,
      honorCipherOrder: true,
      // /metrics admits a Prometheus client certificate of the deployment's CA: asked for, never required
      ...(deps.metricsClientCa && deps.metricsClientNames?.length
        ? { requestCert: true, rejectUnauthorized: false, ca: deps.metricsClientCa }
        : {}),
    },
    loggerInstance: deps.logger,
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: false,
    return503OnClosing: true,
    ajv: AJV_OPTIONS,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors,
  }) as unknown as FastifyInstance;

  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
    referrerPolicy: { policy: 'no-referrer' },
    // the same as frame-ancestors 'none', for browsers that know only this header
    xFrameOptions: { action: 'deny' },
  });
  await app.register(cookie);
  await app.register(rateLimit, { global: false });
  if (deps.onRoute) app.addHook('onRoute', deps.onRoute);
  await registerOpenApiGenerator(app, deps.version);
  installErrorHandlers(app);
  installInputGuard(app);
  app.addHook('onSend', async (_request, reply, payload) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    // the UI uses no powerful browser feature: none may be asked for (security review, Info)
    reply.header('permissions-policy', PERMISSIONS_POLICY);
    return payload;
  });

  const store = new SessionStore(deps.db, deps.sessionTtlS, deps.logger);
  registerHealthRoute(app, deps.db, deps.version);
  registerAuthRoutes(app, {
    store,
    throttle: new LoginThrottle(deps.db, deps.logger),
    authenticator: deps.authenticator,
    sessionTtlS: deps.sessionTtlS,
    loginRateLimitPerMinute: deps.loginRateLimitPerMinute,
  });
  registerApiTokenRoutes(app, store);
  registerFleetRoute(app, deps.db, store);
  registerPreferencesRoutes(app, deps.db, store);
  registerServerRoutes(app, deps.db, store);
  registerFleetServerRoutes(app, deps.db, store);
  registerFleetClusterRoutes(app, deps.db, store);
  registerFleetAgentRoutes(app, {
    db: deps.db,
    store,
    enrolBackend: deps.enrolBackend ?? { hosts: [], ports: [], dbname: 'pem', sslmode: 'verify-full' },
    enrolRateLimitPerMinute: deps.enrolRateLimitPerMinute ?? deps.loginRateLimitPerMinute,
  });
  registerSeriesRoute(app, deps.db, store);
  registerHostRoutes(app, deps.db, store);
  registerSessionRoutes(app, deps.db, store);
  registerTopSqlRoute(app, deps.db, store);
  registerChangesRoute(app, deps.db, store);
  registerProbeRoutes(app, deps.db, store);
  registerAlertsRoute(app, deps.db, store);
  registerAlertAdminRoutes(app, deps.db, store);
  registerAlertNotifyAdminRoutes(app, deps.db, store);
  registerProbeLogRoute(app, deps.db, store);
  registerMaintenanceRoutes(app, deps.db, store);
  registerClusterRoute(
    app,
    deps.cluster ?? new ClusterStatusReader({ patroniUrls: [], etcdEndpoints: [] }),
    store,
  );
  registerMetricsRoute(
    app,
    deps.db,
    store,
    deps.metricsClientCa && deps.metricsClientNames?.length ? { names: deps.metricsClientNames } : undefined,
  );
  registerOpenApiRoute(app);
  registerUiRoutes(app, loadUiFiles(deps.uiDir), loadVendorFiles());
  return app;
}
