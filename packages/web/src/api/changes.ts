/**
 * `GET /api/servers/:id/changes?probe=&object=&fields=&from=&to=` (any
 * logged-in user): when fields of one object changed value over a range,
 * newest first (changes-query.ts), e.g. the VACUUM and ANALYZE history of
 * a table from table_stats' last_vacuum, last_autovacuum, last_analyze and
 * last_autoanalyze. 400 on a bad range or an unknown probe or column
 * (PHAROS_SERIES_*).
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Queryable } from '@pharos/core/query';
import type { FastifyInstance } from 'fastify';
import { requireSession } from '../auth/guard.js';
import type { SessionStore } from '../auth/session-store.js';
import { readChanges } from './changes-query.js';
import { checkProbeNames } from './probe-names.js';
import { checkRange, parseRange } from './series-range.js';
import { ChangesAnswer, ChangesQuery } from './shapes/changes.js';
import { authErrorResponses } from './shapes/common.js';
import { ServerIdParams } from './shapes/server.js';

/** Registers GET /api/servers/:id/changes on `app`. */
export function registerChangesRoute(app: FastifyInstance, db: Queryable, store: SessionStore): void {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/api/servers/:id/changes',
    {
      schema: {
        summary: 'When fields of one object of a probe changed value over a time range',
        tags: ['charts'],
        params: ServerIdParams,
        querystring: ChangesQuery,
        response: { 200: ChangesAnswer, ...authErrorResponses },
      },
      preHandler: requireSession(store),
    },
    async (request) => {
      const q = request.query;
      const fields = [...new Set(q.fields.split(','))];
      await checkProbeNames(db, q.probe, fields, request.log);
      const [fromS, toS] = parseRange(q.from, q.to, Date.now() / 1000);
      checkRange(fromS, toS);
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
