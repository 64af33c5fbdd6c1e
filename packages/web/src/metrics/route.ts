/**
 * `GET /metrics`: the fleet's latest values in the Prometheus text
 * exposition format (exposition.ts, fleet-snapshot.ts; docs/web-api.md
 * "Prometheus"). Any instance serves it (they all read the same backend).
 *
 * The caller is one of:
 * - an API token in `Authorization: Bearer` that passes (auth/api-token-store.ts),
 *   of a pem_user or pem_admin role (Prometheus's `authorization:
 *   credentials_file:`); a token that does not pass gets its own 401 code;
 * - a TLS client certificate that the instance verified against its
 *   `metrics_client_ca_file` (default: the deployment's CA, the backend's
 *   sslrootcert) whose subject CN is one of `metrics_client_names` (default
 *   `prometheus`): an agent's or a web instance's certificate from the same
 *   CA does not read the fleet's metrics.
 * Anything else: 401 PHAROS_METRICS_UNAUTHENTICATED. The token is never logged.
 */
import type { TLSSocket } from 'node:tls';
import { pharosError } from '@pharos/core/errors';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { replyError } from '../api/errors.js';
import { bearerToken, tokenRefusal } from '../auth/guard.js';
import type { SessionStore } from '../auth/session-store.js';
import type { BackendPool } from '../backend-pool.js';
import { formatFleetMetrics, METRICS_CONTENT_TYPE } from './exposition.js';
import { FleetSnapshotReader } from './fleet-snapshot.js';

/** Who may read /metrics by certificate. */
export interface MetricsClientCertificates {
  /** Subject common names admitted (the CA is the HTTPS server's `ca`). */
  names: string[];
}

/** The CN of a client certificate the TLS layer verified, or undefined. */
export function verifiedClientName(request: FastifyRequest): string | undefined {
  const socket = request.raw.socket as TLSSocket;
  if (typeof socket.getPeerCertificate !== 'function' || !socket.authorized) return undefined;
  const cn = socket.getPeerCertificate().subject?.CN;
  return typeof cn === 'string' ? cn : undefined;
}

/** Registers GET /metrics on `app`. `certificates` undefined: no certificate is admitted. */
export function registerMetricsRoute(
  app: FastifyInstance,
  db: BackendPool,
  store: SessionStore,
  certificates: MetricsClientCertificates | undefined,
): void {
  const reader = new FleetSnapshotReader(db);
  app.get(
    '/metrics',
    {
      schema: {
        summary: "The fleet's latest values for Prometheus (text exposition format 0.0.4)",
        tags: ['metrics'],
        security: [{ bearer: [] }],
      },
    },
    async (request, reply) => {
      const authorization = request.headers.authorization;
      if (authorization !== undefined) {
        const token = bearerToken(authorization);
        if (token === undefined) return replyError(reply, pharosError('PHAROS_AUTH_HEADER_INVALID'));
        const check = await store.apiTokens.check(token, request.ip);
        if (check.kind !== 'ok') {
          request.log.info({ refusal: check.kind }, 'metrics: API token refused');
          return replyError(reply, tokenRefusal(check.kind));
        }
      } else {
        const name = verifiedClientName(request);
        if (name === undefined || !certificates?.names.includes(name)) {
          if (name !== undefined) request.log.info({ cn: name }, 'metrics: client certificate not admitted');
          return replyError(reply, pharosError('PHAROS_METRICS_UNAUTHENTICATED'));
        }
      }
      const text = await formatFleetMetrics(await reader.read(request.log));
      return reply.type(METRICS_CONTENT_TYPE).send(text);
    },
  );
}
