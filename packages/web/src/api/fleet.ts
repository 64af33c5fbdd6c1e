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
    // Serialised with JSON.stringify: for this large, loosely typed answer (600 servers' latest
    // values as jsonb) it is about three times faster than the schema's compiled serialiser;
    // the schema still documents the answer (OpenAPI) and the tests check its shape.
    async (request, reply) =>
      reply.type('application/json; charset=utf-8').send(JSON.stringify(await readFleet(db, request.log))),
  );
}
