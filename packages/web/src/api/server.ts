/**
 * Server analysis routes (any logged-in user):
 *
 * - `GET /api/servers/:id`: the server, its agent, and the probes that have
 *   data for it (404 when there is no such server).
 * - `GET /api/servers/:id/latest?probe=[&prefix=]`: the latest value of every
 *   object of one probe of its newest run (e.g. per-table statistics for the
 *   top-tables lists; `prefix=app/` the tables of database app); 400 for a
 *   probe the agents do not have.
 */
import type { FastifyInstance } from 'fastify';
import { requireSession } from '../auth/guard.js';
import type { SessionStore } from '../auth/session-store.js';
import type { Backend } from '../backend.js';
import { checkProbeNames } from './probe-names.js';
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
    status: {
      type: 'object',
      description:
        "how the server is doing: its newest server_up value, role and version, its agent's heartbeat",
      properties: {
        up: { anyOf: [latestValueSchema, { type: 'null' }] },
        role: { type: ['string', 'null'] },
        serverVersion: { type: ['string', 'null'] },
        versionNum: { type: ['integer', 'null'] },
        agentAlive: { type: ['boolean', 'null'] },
        heartbeatAgeS: { type: ['number', 'null'] },
        heartbeatIntervalS: { type: 'number' },
        agentUptimeS: { type: ['number', 'null'] },
      },
      required: [
        'up',
        'role',
        'serverVersion',
        'versionNum',
        'agentAlive',
        'heartbeatAgeS',
        'heartbeatIntervalS',
        'agentUptimeS',
      ],
    },
    settings: {
      type: 'array',
      description: 'interval and enablement of the server and database probes for this server',
      items: {
        type: 'object',
        properties: {
          probe: { type: 'string' },
          intervalS: { type: 'integer' },
          enabled: { type: 'boolean' },
        },
        required: ['probe', 'intervalS', 'enabled'],
      },
    },
  },
  required: [
    'id',
    'name',
    'host',
    'port',
    'active',
    'isPemBackend',
    'agentId',
    'agentName',
    'probes',
    'status',
    'settings',
  ],
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
export function registerServerRoutes(app: FastifyInstance, db: Backend, store: SessionStore): void {
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
    async (request, reply) => {
      const detail = await readServerDetail(db, request.params.id, request.log);
      if (!detail) return reply.code(404).send({ error: `no server ${request.params.id}` });
      return detail;
    },
  );
  app.get<{ Params: { id: number }; Querystring: { probe: string; prefix?: string } }>(
    '/api/servers/:id/latest',
    {
      schema: {
        summary: 'The latest value of every object of one probe on a server',
        tags: ['charts'],
        params: serverIdParamsSchema,
        querystring: {
          type: 'object',
          properties: {
            probe: { type: 'string', pattern: NAME_PATTERN },
            prefix: {
              type: 'string',
              minLength: 1,
              maxLength: 200,
              description:
                'only objects whose name starts with this (e.g. `app/`: the tables of database app)',
            },
          },
          required: ['probe'],
          additionalProperties: false,
        },
        response: { 200: latestAnswerSchema, 400: errorSchema, ...authErrorResponses },
      },
      preHandler: withSession,
    },
    async (request) => {
      await checkProbeNames(db, request.query.probe, undefined, request.log);
      return {
        serverId: request.params.id,
        probe: request.query.probe,
        rows: await readLatest(db, request.params.id, request.query.probe, request.log, request.query.prefix),
      };
    },
  );
}
