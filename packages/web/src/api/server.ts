/**
 * Server analysis routes (any logged-in user):
 *
 * - `GET /api/servers/:id`: the server, its agent, and the probes that have
 *   data for it (404 when there is no such server).
 * - `GET /api/servers/:id/latest?probe=`: the latest value of every object of
 *   one probe (e.g. per-table statistics for the top-tables lists).
 */
import { pharosError } from '@pharos/core/errors';
import type { Queryable } from '@pharos/core/query';
import type { FastifyInstance } from 'fastify';
import { requireSession } from '../auth/guard.js';
import type { SessionStore } from '../auth/session-store.js';
import { authErrorResponses, errorSchema, latestValueSchema } from './schemas.js';
import { NAME_PATTERN, serverIdParamsSchema } from './series-schemas.js';
import { readLatest, readServerDetail } from './server-query.js';

const serverDetailSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    host: { type: 'string' },
    port: { type: 'integer' },
    active: { type: 'boolean' },
    isPemBackend: { type: 'boolean' },
    agentId: { type: ['integer', 'null'] },
    agentName: { type: ['string', 'null'] },
    probes: {
      type: 'array',
      description: 'probes with data for this server',
      items: {
        type: 'object',
        properties: {
          probe: { type: 'string' },
          objects: { type: 'integer' },
          lastCollectedAt: { type: 'string', format: 'date-time' },
          ageS: { type: 'number' },
        },
        required: ['probe', 'objects', 'lastCollectedAt', 'ageS'],
      },
    },
  },
  required: ['id', 'name', 'host', 'port', 'active', 'isPemBackend', 'agentId', 'agentName', 'probes'],
} as const;

const latestAnswerSchema = {
  type: 'object',
  properties: {
    serverId: { type: 'integer' },
    probe: { type: 'string' },
    rows: { type: 'array', items: latestValueSchema },
  },
  required: ['serverId', 'probe', 'rows'],
} as const;

/** Registers GET /api/servers/:id and GET /api/servers/:id/latest on `app`. */
export function registerServerRoutes(app: FastifyInstance, db: Queryable, store: SessionStore): void {
  const withSession = requireSession(store);
  app.get<{ Params: { id: number } }>(
    '/api/servers/:id',
    {
      schema: {
        summary: 'A monitored server and the probes that have data for it',
        tags: ['charts'],
        params: serverIdParamsSchema,
        response: { 200: serverDetailSchema, 404: errorSchema, ...authErrorResponses },
      },
      preHandler: withSession,
    },
    async (request) => {
      const detail = await readServerDetail(db, request.params.id, request.log);
      if (!detail) throw pharosError('PHAROS_SERVER_NOT_FOUND', { id: request.params.id });
      return detail;
    },
  );
  app.get<{ Params: { id: number }; Querystring: { probe: string } }>(
    '/api/servers/:id/latest',
    {
      schema: {
        summary: 'The latest value of every object of one probe on a server',
        tags: ['charts'],
        params: serverIdParamsSchema,
        querystring: {
          type: 'object',
          properties: { probe: { type: 'string', pattern: NAME_PATTERN } },
          required: ['probe'],
          additionalProperties: false,
        },
        response: { 200: latestAnswerSchema, 400: errorSchema, ...authErrorResponses },
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
