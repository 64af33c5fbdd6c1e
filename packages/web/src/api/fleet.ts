/**
 * `GET /api/fleet` (any logged-in user): the fleet's totals and one page of
 * servers and agents with their latest values, problems first unless the
 * query orders otherwise, the servers filtered by status, cluster and name
 * (query: shapes/fleet.ts FleetQuery; see {@link readFleetJson}). An answer
 * is shared by this instance's requests for the same page for up to
 * FLEET_CACHE_MS (fleet-cache.ts, 2 s). 400 naming the field for a bad query;
 * 503 `{"error":"backend is failing over"}` when the backend does not answer
 * after one retry.
 */

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Queryable, Transactional } from '@pharos/core/query';
import type { FastifyInstance } from 'fastify';
import { requireSession } from '../auth/guard.js';
import type { SessionStore } from '../auth/session-store.js';
import { createFleetCache } from './fleet-cache.js';
import { type FleetPageQuery, readFleetJson, type ServerStatus } from './fleet-query.js';
import { authErrorResponses } from './shapes/common.js';
import { DEFAULT_PAGE_LIMIT, Fleet, FleetQuery } from './shapes/fleet.js';

/** The page a validated query asks for (defaults: first page of DEFAULT_PAGE_LIMIT, problems first). */
export function pageOf(q: FleetQuery): FleetPageQuery {
  const statuses = q.status ? [...new Set(q.status.split(','))].sort() : [];
  return {
    limit: q.limit ?? DEFAULT_PAGE_LIMIT,
    offset: q.offset ?? 0,
    agentOffset: q.agentOffset ?? 0,
    order: q.order ?? 'problems',
    ...(statuses.length > 0 ? { status: statuses as ServerStatus[] } : {}),
    ...(q.cluster !== undefined ? { clusterId: q.cluster } : {}),
    ...(q.name ? { name: q.name } : {}),
  };
}

/** Registers GET /api/fleet on `app`. */
export function registerFleetRoute(
  app: FastifyInstance,
  db: Queryable & Transactional,
  store: SessionStore,
): void {
  const fleet = createFleetCache((q, logger) => readFleetJson(db, q, logger));
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/api/fleet',
    {
      schema: {
        summary: "The fleet's totals and a page of servers and agents with their latest values",
        querystring: FleetQuery,
        response: { 200: Fleet, ...authErrorResponses },
      },
      preHandler: requireSession(store),
    },
    // The backend writes the JSON (one statement); it is sent as is (a Buffer is never
    // re-serialised). The schema still documents the answer (OpenAPI) and types it.
    async (request, reply) => {
      const json: Buffer = await fleet.get(pageOf(request.query), request.log);
      return reply.type('application/json; charset=utf-8').send(json as unknown as Fleet);
    },
  );
}
