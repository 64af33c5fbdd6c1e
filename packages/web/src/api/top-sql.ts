/**
 * `GET /api/servers/:id/top-sql?from=&to=&order=&limit=` (any logged-in
 * user): the statements of pg_stat_statements that did the most over the
 * range, by total time, calls, mean time, rows or shared blocks read, with
 * their normalised text (top-sql-query.ts: deltas of the `statements`
 * probe, reset-safe). `samples: 0` with no statements when the probe has
 * no data in the range (the page says why: the extension is missing, the
 * probe is off...). 400 on a bad range or order.
 */

import { InputError } from '@pharos/core/errors';
import type { FastifyInstance } from 'fastify';
import { requireSession } from '../auth/guard.js';
import type { SessionStore } from '../auth/session-store.js';
import type { Backend } from '../backend.js';
import { authErrorResponses, errorSchema } from './schemas.js';
import { MAX_RANGE_S, parseRange } from './series-range.js';
import { serverIdParamsSchema } from './series-schemas.js';
import { MAX_TOP_SQL, readTopSql, TOP_SQL_ORDERS, type TopSqlOrder } from './top-sql-query.js';

export type { TopSqlAnswer, TopSqlRow } from './top-sql-query.js';

const querySchema = {
  type: 'object',
  properties: {
    from: { type: 'string', format: 'date-time', description: 'start (default: `to` - 1 hour)' },
    to: { type: 'string', format: 'date-time', description: 'end (default: now)' },
    order: { type: 'string', enum: Object.keys(TOP_SQL_ORDERS), default: 'total_time' },
    limit: { type: 'integer', minimum: 1, maximum: MAX_TOP_SQL, default: 25 },
  },
  additionalProperties: false,
} as const;

const rowSchema = {
  type: 'object',
  properties: {
    key: {
      type: 'string',
      description: 'database/role/queryid[/nested]: the object of the statements probe',
    },
    queryid: { type: ['string', 'null'] },
    database: { type: ['string', 'null'] },
    role: { type: ['string', 'null'] },
    toplevel: { type: ['boolean', 'null'] },
    calls: { type: 'number' },
    totalExecTimeMs: { type: 'number' },
    meanExecTimeMs: { type: ['number', 'null'] },
    rows: { type: 'number' },
    sharedBlksHit: { type: 'number' },
    sharedBlksRead: { type: 'number' },
    tempBlksWritten: { type: 'number' },
    query: {
      type: ['string', 'null'],
      description: 'normalised text (null until the statement_texts probe read it)',
    },
    resets: { type: 'integer' },
  },
  required: [
    'key',
    'calls',
    'totalExecTimeMs',
    'meanExecTimeMs',
    'rows',
    'sharedBlksRead',
    'query',
    'resets',
  ],
} as const;

const answerSchema = {
  type: 'object',
  properties: {
    serverId: { type: 'integer' },
    from: { type: 'string' },
    to: { type: 'string' },
    order: { type: 'string' },
    samples: { type: 'integer' },
    lastCollectedAt: { type: ['string', 'null'] },
    statements: { type: 'array', items: rowSchema },
  },
  required: ['serverId', 'from', 'to', 'order', 'samples', 'lastCollectedAt', 'statements'],
} as const;

/** Registers GET /api/servers/:id/top-sql on `app`. */
export function registerTopSqlRoute(app: FastifyInstance, db: Backend, store: SessionStore): void {
  app.get<{
    Params: { id: number };
    Querystring: { from?: string; to?: string; order: TopSqlOrder; limit: number };
  }>(
    '/api/servers/:id/top-sql',
    {
      schema: {
        summary: 'The statements that did the most over a time range (pg_stat_statements deltas, reset-safe)',
        tags: ['charts'],
        params: serverIdParamsSchema,
        querystring: querySchema,
        response: { 200: answerSchema, 400: errorSchema, ...authErrorResponses },
      },
      preHandler: requireSession(store),
    },
    async (request) => {
      const q = request.query;
      const [fromS, toS] = parseRange(q.from, q.to, Date.now() / 1000);
      if (toS <= fromS) throw new InputError('from must be before to', { field: 'from' });
      if (toS - fromS > MAX_RANGE_S)
        throw new InputError(`the range is longer than ${MAX_RANGE_S / 86400} days`, { field: 'from' });
      return readTopSql(
        db,
        { serverId: request.params.id, fromS, toS, order: q.order, limit: q.limit },
        request.log,
      );
    },
  );
}
