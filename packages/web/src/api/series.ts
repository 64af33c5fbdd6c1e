/**
 * `GET /api/servers/:id/series?probe=&fields=&mode=&from=&to=&points=&object=`
 * (any logged-in user): a probe's fields over a time range, downsampled in
 * the backend to at most `points` buckets per series (see series-query.ts),
 * from the rollup for long ranges (series-range.ts planSeries).
 * 400 on a bad range, an unknown probe or column (probe-names.ts), 503
 * while the backend fails over.
 */

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Queryable, Transactional } from '@pharos/core/query';
import type { FastifyInstance } from 'fastify';
import { requireSession } from '../auth/guard.js';
import type { SessionStore } from '../auth/session-store.js';
import { checkProbeNames } from './probe-names.js';
import { readSeries } from './series-query.js';
import { DEFAULT_POINTS, parseRange, planSeries } from './series-range.js';
import { authErrorResponses } from './shapes/common.js';
import { SeriesAnswer, SeriesQuery } from './shapes/series.js';
import { ServerIdParams } from './shapes/server.js';

/** Registers GET /api/servers/:id/series on `app`. */
export function registerSeriesRoute(
  app: FastifyInstance,
  db: Queryable & Transactional,
  store: SessionStore,
): void {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/api/servers/:id/series',
    {
      schema: {
        summary: "A probe's fields over a time range, downsampled in the backend",
        tags: ['charts'],
        params: ServerIdParams,
        querystring: SeriesQuery,
        response: { 200: SeriesAnswer, ...authErrorResponses },
      },
      preHandler: requireSession(store),
    },
    async (request) => {
      const q = request.query;
      const fields = [...new Set(q.fields.split(','))];
      await checkProbeNames(db, q.probe, fields, request.log);
      const [fromS, toS] = parseRange(q.from, q.to, Date.now() / 1000);
      const plan = planSeries(fromS, toS, q.points ?? DEFAULT_POINTS);
      return readSeries(
        db,
        {
          serverId: request.params.id,
          probe: q.probe,
          fields,
          mode: q.mode ?? 'gauge',
          object: q.object,
          plan,
        },
        request.log,
      );
    },
  );
}
