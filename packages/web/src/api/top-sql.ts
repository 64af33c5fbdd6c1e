/**
 * `GET /api/servers/:id/top-sql?from=&to=&order=&limit=` (any logged-in
 * user): the statements of pg_stat_statements that did the most over the
 * range, by total time, calls, mean time, rows or shared blocks read, with
 * their normalised text (top-sql-query.ts: deltas of the `statements`
 * probe, reset-safe). `samples: 0` with no statements when the probe has
 * no data in the range (the page says why: the extension is missing, the
 * probe is off...). 400 on a bad range (PHAROS_SERIES_*) or order (PHAROS_API_VALIDATION).
 */

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Queryable } from '@pharos/core/query';
import type { FastifyInstance } from 'fastify';
import { requireSession } from '../auth/guard.js';
import type { SessionStore } from '../auth/session-store.js';
import { checkRange, parseRange } from './series-range.js';
import { authErrorResponses } from './shapes/common.js';
import { ServerIdParams } from './shapes/server.js';
import { TopSqlAnswer, TopSqlQuery } from './shapes/top-sql.js';
import { readTopSql } from './top-sql-query.js';

export type { TopSqlAnswer, TopSqlRow } from './shapes/top-sql.js';

/** Registers GET /api/servers/:id/top-sql on `app`. */
export function registerTopSqlRoute(app: FastifyInstance, db: Queryable, store: SessionStore): void {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/api/servers/:id/top-sql',
    {
      schema: {
        summary: 'The statements that did the most over a time range (pg_stat_statements deltas, reset-safe)',
        tags: ['charts'],
        params: ServerIdParams,
        querystring: TopSqlQuery,
        response: { 200: TopSqlAnswer, ...authErrorResponses },
      },
      preHandler: requireSession(store),
    },
    async (request) => {
      const q = request.query;
      const [fromS, toS] = parseRange(q.from, q.to, Date.now() / 1000);
      checkRange(fromS, toS);
      return readTopSql(
        db,
        { serverId: request.params.id, fromS, toS, order: q.order ?? 'total_time', limit: q.limit ?? 25 },
        request.log,
      );
    },
  );
}
