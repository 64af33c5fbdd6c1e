/**
 * Server analysis routes (any logged-in user):
 *
 * - `GET /api/servers/:id`: the server, its agent, and the probes that have
 *   data for it (404 PHAROS_SERVER_NOT_FOUND when there is no such server).
 * - `GET /api/servers/:id/latest?probe=`: the latest value of every object of
 *   one probe (e.g. per-table statistics for the top-tables lists).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { pharosError } from '@pharos/core/errors';
import type { Queryable } from '@pharos/core/query';
import type { FastifyInstance } from 'fastify';
import { requireSession } from '../auth/guard.js';
import type { SessionStore } from '../auth/session-store.js';
import { readLatest, readServerDetail } from './server-query.js';
import { authErrorResponses } from './shapes/common.js';
import { LatestAnswer, LatestQuery, ServerDetail, ServerIdParams } from './shapes/server.js';

/** Registers GET /api/servers/:id and GET /api/servers/:id/latest on `app`. */
export function registerServerRoutes(app: FastifyInstance, db: Queryable, store: SessionStore): void {
  const withSession = requireSession(store);
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get(
    '/api/servers/:id',
    {
      schema: {
        summary: 'A monitored server and the probes that have data for it',
        tags: ['charts'],
        params: ServerIdParams,
        response: { 200: ServerDetail, ...authErrorResponses },
      },
      preHandler: withSession,
    },
    async (request) => {
      const detail = await readServerDetail(db, request.params.id, request.log);
      if (!detail) throw pharosError('PHAROS_SERVER_NOT_FOUND', { id: request.params.id });
      return detail;
    },
  );
  api.get(
    '/api/servers/:id/latest',
    {
      schema: {
        summary: 'The latest value of every object of one probe on a server',
        tags: ['charts'],
        params: ServerIdParams,
        querystring: LatestQuery,
        response: { 200: LatestAnswer, ...authErrorResponses },
      },
      preHandler: withSession,
    },
    async (request) => ({
      serverId: request.params.id,
      probe: request.query.probe,
      rows: await readLatest(db, request.params.id, request.query.probe, request.log),
    }),
  );
}
