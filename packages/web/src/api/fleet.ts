/**
 * `GET /api/fleet` (any logged-in user): every agent and server with its
 * latest values, see {@link readFleet}. 503 `{"error":"backend is failing over"}`
 * when the backend does not answer after one retry.
 */
import type { FastifyInstance } from 'fastify';
import { requireSession } from '../auth/guard.js';
import type { SessionStore } from '../auth/session-store.js';
import type { Backend } from '../backend.js';
import { readFleet } from './fleet-query.js';
import { authErrorResponses, fleetSchema } from './schemas.js';

/** Registers GET /api/fleet on `app`. */
export function registerFleetRoute(app: FastifyInstance, db: Backend, store: SessionStore): void {
  app.get(
    '/api/fleet',
    {
      schema: {
        summary: 'Agents and servers with their latest values',
        response: { 200: fleetSchema, ...authErrorResponses },
      },
      preHandler: requireSession(store),
    },
    async (request) => readFleet(db, request.log),
  );
}
