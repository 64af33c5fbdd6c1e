/**
 * Sessions of a monitored server (issue 17), read live by the server's
 * agent (the web tier never connects to monitored servers:
 * @pharos/backend/fleet/live-sessions asks the agent through an agent task
 * and waits 2 s):
 *
 * - `GET /api/servers/:id/sessions` (any logged-in user): every backend
 *   with user, database, application, client, state, wait event,
 *   transaction and query age, query text and the pids blocking it; when
 *   the agent does not answer, `available: false` with a sentence saying
 *   whether it is down (200: the page shows it; the request was fine).
 *   404 PHAROS_SERVER_NOT_FOUND for an unknown server, 404
 *   PHAROS_SERVER_NO_AGENT when no agent monitors it.
 * - `POST /api/servers/:id/sessions/:pid/cancel` and `.../terminate`
 *   (pem_admin), body `{reason}`: the agent signals the backend; every
 *   request is recorded (who, when, why, outcome) in pem.backend_signal.
 *   400 PHAROS_SIGNAL_REASON_INVALID naming `reason` when it is empty.
 * - `GET /api/servers/:id/session-signals` (any logged-in user): the
 *   server's recorded cancels and terminates, newest first.
 */

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  readServerSessions,
  type SignalAction,
  signalHistory,
  signalServerBackend,
} from '@pharos/backend/fleet/live-sessions';
import type { Queryable } from '@pharos/core/query';
import type { FastifyInstance } from 'fastify';

export type {
  LiveSession,
  LiveSessions,
  LiveUnavailable,
  SignalHistoryRow,
  SignalRecord,
} from '@pharos/backend/fleet/live-sessions';

import { requireAdmin, requireSession } from '../auth/guard.js';
import type { SessionStore } from '../auth/session-store.js';
import { withFailoverRetry, withoutRetry } from '../backend.js';
import { authErrorResponses } from './shapes/common.js';
import { ServerIdParams } from './shapes/server.js';
import { PidParams, SessionsAnswer, SignalAnswer, SignalBody, SignalHistory } from './shapes/sessions.js';

/** Registers the sessions routes on `app`. */
export function registerSessionRoutes(app: FastifyInstance, db: Queryable, store: SessionStore): void {
  const session = requireSession(store);
  const tags = ['sessions'];
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '/api/servers/:id/sessions',
    {
      schema: {
        summary: "A server's live sessions, read by its agent (within 2 s), with who blocks whom",
        tags,
        params: ServerIdParams,
        response: { 200: SessionsAnswer, ...authErrorResponses },
      },
      preHandler: session,
    },
    async (req) => {
      // no retry: a retried request would ask the agent twice and outlast the 2 s
      const r = await withoutRetry(() => readServerSessions(db, req.pharosSession!.roleName, req.params.id));
      return { serverId: req.params.id, ...r };
    },
  );

  for (const action of ['cancel', 'terminate'] as const satisfies readonly SignalAction[]) {
    api.post(
      `/api/servers/:id/sessions/:pid/${action}`,
      {
        schema: {
          summary:
            action === 'cancel'
              ? "Cancel a backend's query (pem_admin; recorded with the reason)"
              : 'Terminate a backend (pem_admin; recorded with the reason)',
          tags,
          params: PidParams,
          body: SignalBody,
          response: { 200: SignalAnswer, ...authErrorResponses },
        },
        preHandler: [session, requireAdmin],
      },
      async (req) => {
        const actor = req.pharosSession!.roleName;
        const r = await withoutRetry(() =>
          signalServerBackend(db, actor, req.params.id, req.params.pid, action, req.body.reason),
        );
        req.log.info(
          { actor, server: req.params.id, pid: req.params.pid, action, outcome: r.outcome, record: r.id },
          'backend signal requested',
        );
        return r;
      },
    );
  }

  api.get(
    '/api/servers/:id/session-signals',
    {
      schema: {
        summary: "A server's recorded cancels and terminates (who, when, why, outcome), newest first",
        tags,
        params: ServerIdParams,
        response: { 200: SignalHistory, ...authErrorResponses },
      },
      preHandler: session,
    },
    async (req) =>
      withFailoverRetry(() => signalHistory(db, req.params.id), { logger: req.log, what: 'session signals' }),
  );
}
