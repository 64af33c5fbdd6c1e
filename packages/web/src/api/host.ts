/**
 * Host page routes (any logged-in user): an agent's own host, from the OS
 * probes it runs (cpu, load_avg, memory, swap, disk_space per mount,
 * disk_io per device, network per interface, os_info):
 *
 * - `GET /api/agents/:id`: the agent, its bound servers and the host
 *   probes with data (404 when there is no such agent);
 * - `GET /api/agents/:id/latest?probe=`: the latest value of every object
 *   of one host probe (its newest run);
 * - `GET /api/agents/:id/series?probe=&fields=&...`: a host probe's fields
 *   over a time range, as GET /api/servers/:id/series (series.ts).
 *
 * 400 for a probe the agents do not have or that is no host probe.
 */
import { InputError } from '@pharos/core/errors';
import type { FastifyInstance } from 'fastify';
import { PROBE_META } from '../../ui/contract/probe-columns.js';
import { requireSession } from '../auth/guard.js';
import type { SessionStore } from '../auth/session-store.js';
import type { Backend } from '../backend.js';
import { readHostDetail, readHostLatest } from './host-query.js';
import { checkProbeNames } from './probe-names.js';
import { authErrorResponses, errorSchema, latestValueSchema } from './schemas.js';
import { readSeries, type SeriesMode } from './series-query.js';
import { parseRange, planSeries } from './series-range.js';
import { DEFAULT_POINTS, NAME_PATTERN, seriesQuerySchema, seriesSchema } from './series-schemas.js';

const agentIdParamsSchema = {
  type: 'object',
  properties: { id: { type: 'integer', minimum: 1, description: 'pem.agent.id' } },
  required: ['id'],
} as const;

const probeSummarySchema = {
  type: 'object',
  properties: {
    probe: { type: 'string' },
    objects: { type: 'integer' },
    lastCollectedAt: { type: 'string', format: 'date-time' },
    ageS: { type: 'number' },
  },
  required: ['probe', 'objects', 'lastCollectedAt', 'ageS'],
} as const;

const hostDetailSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    hostAddress: { type: ['string', 'null'] },
    active: { type: 'boolean' },
    version: { type: ['string', 'null'] },
    heartbeatAgeS: { type: ['number', 'null'] },
    alive: { type: 'boolean' },
    heartbeatIntervalS: { type: 'number' },
    servers: {
      type: 'array',
      items: {
        type: 'object',
        properties: { id: { type: 'integer' }, name: { type: 'string' } },
        required: ['id', 'name'],
      },
    },
    probes: { type: 'array', items: probeSummarySchema, description: 'host probes with data' },
  },
  required: ['id', 'name', 'hostAddress', 'active', 'version', 'heartbeatAgeS', 'alive', 'servers', 'probes'],
} as const;

/** @throws InputError (field probe) when `probe` is an agent's probe but no host probe. */
function requireHostProbe(probe: string): void {
  const meta: Record<string, { level: string }> = PROBE_META;
  if (Object.hasOwn(meta, probe) && meta[probe]!.level !== 'agent')
    throw new InputError(`probe: ${probe} is a ${meta[probe]!.level} probe, not a host probe`, {
      field: 'probe',
    });
}

interface SeriesQuery {
  probe: string;
  fields: string;
  mode?: SeriesMode;
  from?: string;
  to?: string;
  points?: number;
  object?: string;
}

/** Registers the host routes on `app`. */
export function registerHostRoutes(app: FastifyInstance, db: Backend, store: SessionStore): void {
  const withSession = requireSession(store);
  app.get<{ Params: { id: number } }>(
    '/api/agents/:id',
    {
      schema: {
        summary: "An agent's host: the agent, its servers and the host probes with data",
        tags: ['charts'],
        params: agentIdParamsSchema,
        response: { 200: hostDetailSchema, 404: errorSchema, ...authErrorResponses },
      },
      preHandler: withSession,
    },
    async (request, reply) => {
      const detail = await readHostDetail(db, request.params.id, request.log);
      if (!detail) return reply.code(404).send({ error: `no agent ${request.params.id}` });
      return detail;
    },
  );
  app.get<{ Params: { id: number }; Querystring: { probe: string } }>(
    '/api/agents/:id/latest',
    {
      schema: {
        summary: 'The latest value of every object of one host probe of an agent',
        tags: ['charts'],
        params: agentIdParamsSchema,
        querystring: {
          type: 'object',
          properties: { probe: { type: 'string', pattern: NAME_PATTERN } },
          required: ['probe'],
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              agentId: { type: 'integer' },
              probe: { type: 'string' },
              rows: { type: 'array', items: latestValueSchema },
            },
            required: ['agentId', 'probe', 'rows'],
          },
          400: errorSchema,
          ...authErrorResponses,
        },
      },
      preHandler: withSession,
    },
    async (request) => {
      await checkProbeNames(db, request.query.probe, undefined, request.log);
      requireHostProbe(request.query.probe);
      return {
        agentId: request.params.id,
        probe: request.query.probe,
        rows: await readHostLatest(db, request.params.id, request.query.probe, request.log),
      };
    },
  );
  app.get<{ Params: { id: number }; Querystring: SeriesQuery }>(
    '/api/agents/:id/series',
    {
      schema: {
        summary: "A host probe's fields over a time range, downsampled in the backend",
        tags: ['charts'],
        params: agentIdParamsSchema,
        querystring: seriesQuerySchema,
        response: { 200: seriesSchema, 400: errorSchema, ...authErrorResponses },
      },
      preHandler: withSession,
    },
    async (request) => {
      const q = request.query;
      const fields = [...new Set(q.fields.split(','))];
      await checkProbeNames(db, q.probe, fields, request.log);
      requireHostProbe(q.probe);
      const [fromS, toS] = parseRange(q.from, q.to, Date.now() / 1000);
      const plan = planSeries(fromS, toS, q.points ?? DEFAULT_POINTS);
      const answer = await readSeries(
        db,
        {
          serverId: 0,
          agentId: request.params.id,
          probe: q.probe,
          fields,
          mode: q.mode ?? 'gauge',
          object: q.object,
          plan,
        },
        request.log,
      );
      return { ...answer, serverId: 0 };
    },
  );
}
