/**
 * `GET /api/probe-log?limit=&serverId=&probe=&before=` (any logged-in user):
 * recent probe failures, newest first, see {@link readProbeLog}.
 */

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Queryable } from '@pharos/core/query';
import type { FastifyInstance } from 'fastify';
import { requireSession } from '../auth/guard.js';
import type { SessionStore } from '../auth/session-store.js';
import { readProbeLog } from './probe-log-query.js';
import { authErrorResponses } from './shapes/common.js';
import { ProbeLogAnswer, ProbeLogQuery } from './shapes/probe-log.js';

/** Registers GET /api/probe-log on `app`. */
export function registerProbeLogRoute(app: FastifyInstance, db: Queryable, store: SessionStore): void {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/api/probe-log',
    {
      schema: {
        summary: 'Recent probe failures, newest first',
        tags: ['probe log'],
        querystring: ProbeLogQuery,
        response: { 200: ProbeLogAnswer, ...authErrorResponses },
      },
      preHandler: requireSession(store),
    },
    async (request) => ({
      failures: await readProbeLog(
        db,
        {
          limit: request.query.limit ?? 200,
          serverId: request.query.serverId,
          probe: request.query.probe,
          before: request.query.before,
        },
        request.log,
      ),
    }),
  );
}
