/**
 * `GET /api/servers/:id/changes?probe=&object=&fields=&from=&to=` (any
 * logged-in user): when fields of one object changed value over a range,
 * newest first (changes-query.ts), e.g. the VACUUM and ANALYZE history of
 * a table from table_stats' last_vacuum, last_autovacuum, last_analyze and
 * last_autoanalyze. 400 on a bad range or an unknown probe or column.
 */
import type { FastifyInstance } from 'fastify';
import { requireSession } from '../auth/guard.js';
import type { SessionStore } from '../auth/session-store.js';
import type { Backend } from '../backend.js';
import { MAX_CHANGES, readChanges } from './changes-query.js';
import { checkProbeNames } from './probe-names.js';
import { authErrorResponses, errorSchema } from './schemas.js';
import { parseRange } from './series-range.js';
import { NAME_PATTERN, serverIdParamsSchema } from './series-schemas.js';

const querySchema = {
  type: 'object',
  properties: {
    probe: { type: 'string', pattern: NAME_PATTERN, description: 'probe name, e.g. table_stats' },
    object: { type: 'string', maxLength: 200, description: 'the object, e.g. app/public.orders' },
    fields: {
      type: 'string',
      pattern: '^[a-z_][a-z0-9_]{0,62}(,[a-z_][a-z0-9_]{0,62}){0,7}$',
      description: 'comma-separated field names (1 to 8), e.g. last_vacuum,last_autovacuum',
    },
    from: { type: 'string', format: 'date-time', description: 'start (default: `to` - 1 hour)' },
    to: { type: 'string', format: 'date-time', description: 'end (default: now)' },
  },
  required: ['probe', 'object', 'fields'],
  additionalProperties: false,
} as const;

const answerSchema = {
  type: 'object',
  properties: {
    serverId: { type: 'integer' },
    probe: { type: 'string' },
    object: { type: 'string' },
    changes: {
      type: 'array',
      description: `newest first, at most ${MAX_CHANGES}`,
      items: {
        type: 'object',
        properties: {
          field: { type: 'string' },
          value: { type: 'string', description: 'the new value as text (timestamps ISO 8601)' },
          at: { type: 'string', format: 'date-time', description: 'the first sample that had it' },
        },
        required: ['field', 'value', 'at'],
      },
    },
  },
  required: ['serverId', 'probe', 'object', 'changes'],
} as const;

/** Registers GET /api/servers/:id/changes on `app`. */
export function registerChangesRoute(app: FastifyInstance, db: Backend, store: SessionStore): void {
  app.get<{
    Params: { id: number };
    Querystring: { probe: string; object: string; fields: string; from?: string; to?: string };
  }>(
    '/api/servers/:id/changes',
    {
      schema: {
        summary: 'When fields of one object of a probe changed value over a time range',
        tags: ['charts'],
        params: serverIdParamsSchema,
        querystring: querySchema,
        response: { 200: answerSchema, 400: errorSchema, ...authErrorResponses },
      },
      preHandler: requireSession(store),
    },
    async (request) => {
      const q = request.query;
      const fields = [...new Set(q.fields.split(','))];
      await checkProbeNames(db, q.probe, fields, request.log);
      const [fromS, toS] = parseRange(q.from, q.to, Date.now() / 1000);
      return {
        serverId: request.params.id,
        probe: q.probe,
        object: q.object,
        changes: await readChanges(
          db,
          { serverId: request.params.id, probe: q.probe, object: q.object, fields, fromS, toS },
          request.log,
        ),
      };
    },
  );
}
