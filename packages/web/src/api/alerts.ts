/**
 * `GET /api/alerts?limit=` (any logged-in user): current alerts by level and
 * the history of state changes, see {@link readAlerts}.
 */

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Queryable } from '@pharos/core/query';
import type { FastifyInstance } from 'fastify';
import { requireSession } from '../auth/guard.js';
import type { SessionStore } from '../auth/session-store.js';
import { readAlerts } from './alerts-query.js';
import { AlertsAnswer, AlertsQuery } from './shapes/alerts.js';
import { authErrorResponses } from './shapes/common.js';

/** Registers GET /api/alerts on `app`. */
export function registerAlertsRoute(app: FastifyInstance, db: Queryable, store: SessionStore): void {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/api/alerts',
    {
      schema: {
        summary: 'Current alerts by level and their history',
        tags: ['alerts'],
        querystring: AlertsQuery,
        response: { 200: AlertsAnswer, ...authErrorResponses },
      },
      preHandler: requireSession(store),
    },
    async (request) => readAlerts(db, request.query.limit ?? 200, request.log),
  );
}
