/**
 * `GET /api/fleet` (any logged-in user): every agent and server with its
 * latest values, see {@link readFleetJson}; the answer is shared by this
 * instance's requests for up to FLEET_CACHE_MS (fleet-cache.ts, 2 s).
 * 503 `{"error":"backend is failing over"}` when the backend does not answer
 * after one retry.
 */

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Queryable, Transactional } from '@pharos/core/query';
import type { FastifyInstance } from 'fastify';
import { requireSession } from '../auth/guard.js';
import type { SessionStore } from '../auth/session-store.js';
import { createFleetCache } from './fleet-cache.js';
import { readFleetJson } from './fleet-query.js';
import { authErrorResponses } from './shapes/common.js';
import { Fleet } from './shapes/fleet.js';

/** Registers GET /api/fleet on `app`. */
export function registerFleetRoute(
  app: FastifyInstance,
  db: Queryable & Transactional,
  store: SessionStore,
): void {
  const fleet = createFleetCache((logger) => readFleetJson(db, logger));
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/api/fleet',
    {
      schema: {
        summary: 'Agents and servers with their latest values',
        response: { 200: Fleet, ...authErrorResponses },
      },
      preHandler: requireSession(store),
    },
    // The backend writes the JSON (one statement); it is sent as is (a Buffer is never
    // re-serialised). The schema still documents the answer (OpenAPI) and types it.
    async (request, reply) => {
      const json: Buffer = await fleet.get(request.log);
      return reply.type('application/json; charset=utf-8').send(json as unknown as Fleet);
    },
  );
}
