/**
 * `GET /api/cluster` (any logged-in user): the backend's HA stack as this
 * instance sees it right now, Patroni members and etcd health (see
 * cluster/status.ts). Answers 200 even when no API answers: the body says
 * which did not, which is what an operator needs during a failover.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requireSession } from '../auth/guard.js';
import type { SessionStore } from '../auth/session-store.js';
import type { ClusterStatusReader } from '../cluster/status.js';
import { ClusterStatus } from './shapes/cluster.js';
import { authErrorResponses } from './shapes/common.js';

/** Registers GET /api/cluster on `app`. */
export function registerClusterRoute(
  app: FastifyInstance,
  reader: ClusterStatusReader,
  store: SessionStore,
): void {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/api/cluster',
    {
      schema: {
        summary: "The backend's HA stack: Patroni members and etcd health",
        tags: ['overview'],
        response: { 200: ClusterStatus, ...authErrorResponses },
      },
      preHandler: requireSession(store),
    },
    async () => reader.read(),
  );
}
