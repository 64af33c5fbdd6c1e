/**
 * `GET /api/probe-log?limit=&serverId=&probe=&before=` (any logged-in user):
 * recent probe failures, newest first, see {@link readProbeLog}.
 */

import type { Queryable } from '@pharos/core/query';
import type { FastifyInstance } from 'fastify';
import { requireSession } from '../auth/guard.js';
import type { SessionStore } from '../auth/session-store.js';
import { readProbeLog } from './probe-log-query.js';
import { authErrorResponses, errorSchema } from './schemas.js';
import { NAME_PATTERN } from './series-schemas.js';

const failureSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    failedAt: { type: 'string', format: 'date-time' },
    agentId: { type: 'integer' },
    agentName: { type: ['string', 'null'] },
    serverId: { type: ['integer', 'null'], description: "null: a probe of the agent's own host" },
    serverName: { type: ['string', 'null'] },
    probe: { type: 'string' },
    object: { type: 'string' },
    error: { type: 'string' },
  },
  required: ['id', 'failedAt', 'agentId', 'serverId', 'probe', 'object', 'error'],
} as const;

interface ProbeLogQuery {
  limit?: number;
  serverId?: number;
  probe?: string;
  before?: string;
}

/** Registers GET /api/probe-log on `app`. */
export function registerProbeLogRoute(app: FastifyInstance, db: Queryable, store: SessionStore): void {
  app.get<{ Querystring: ProbeLogQuery }>(
    '/api/probe-log',
    {
      schema: {
        summary: 'Recent probe failures, newest first',
        tags: ['probe log'],
        querystring: {
          type: 'object',
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 200 },
            serverId: { type: 'integer', minimum: 1 },
            probe: { type: 'string', pattern: NAME_PATTERN },
            before: { type: 'string', format: 'date-time', description: 'only failures before this time' },
          },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: { failures: { type: 'array', items: failureSchema } },
            required: ['failures'],
          },
          400: errorSchema,
          ...authErrorResponses,
        },
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
