/**
 * `GET /api/health` (no authentication): this instance's version, whether the
 * backend answers through the service connection, and which host it reached
 * and whether that host is the primary (`pg_is_in_recovery()` false). Always
 * 200 while the instance runs: the answer says what is wrong, a client
 * decides what to do with it. Reveals no data beyond the backend's address.
 */

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { messageOf } from '@pharos/core/errors';
import type { Queryable } from '@pharos/core/query';
import type { FastifyInstance } from 'fastify';
import { isBackendTimeout, isBackendUnavailable } from '../backend.js';
import { ErrorBody } from './shapes/common.js';
import { Health } from './shapes/health.js';

/** Deadline of the health check's statement, in milliseconds. */
export const HEALTH_DEADLINE_MS = 3000;

/** Registers GET /api/health on `app`. `version` is this instance's Pharos version. */
export function registerHealthRoute(
  app: FastifyInstance,
  db: Queryable & { readonly current?: { host: string; port: number } | undefined },
  version: string,
): void {
  app
    .withTypeProvider<TypeBoxTypeProvider>()
    .get(
      '/api/health',
      { schema: { summary: 'Instance and backend health', response: { 200: Health, 500: ErrorBody } } },
      async (): Promise<Health> => {
        /** The backend part of an answer from a backend that answered (on the host in use). */
        const answered = (isPrimary: boolean | null, error?: string): Health['backend'] => {
          const current = db.current;
          return {
            reachable: true,
            host: current?.host ?? null,
            port: current?.port ?? null,
            isPrimary,
            ...(error === undefined ? {} : { error }),
          };
        };
        try {
          const r = await db.query<{ in_recovery: boolean }>(
            'SELECT pg_is_in_recovery() AS in_recovery',
            [],
            {
              deadlineMs: HEALTH_DEADLINE_MS,
            },
          );
          return { version, backend: answered(!r.rows[0]!.in_recovery) };
        } catch (err) {
          // it answered, slowly: the backend cancelled the check at its deadline
          if (isBackendTimeout(err)) return { version, backend: answered(null, messageOf(err)) };
          if (!isBackendUnavailable(err)) app.log.error({ err }, 'health check failed');
          return {
            version,
            backend: {
              reachable: false,
              host: null,
              port: null,
              isPrimary: null,
              error: isBackendUnavailable(err) ? 'backend is failing over or unreachable' : messageOf(err),
            },
          };
        }
      },
    );
}
