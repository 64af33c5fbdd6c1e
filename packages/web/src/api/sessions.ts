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
 *   404 for an unknown server, 409 when no agent monitors it.
 * - `POST /api/servers/:id/sessions/:pid/cancel` and `.../terminate`
 *   (pem_admin), body `{reason}`: the agent signals the backend; every
 *   request is recorded (who, when, why, outcome) in pem.backend_signal.
 *   400 naming `reason` when it is empty.
 * - `GET /api/servers/:id/session-signals` (any logged-in user): the
 *   server's recorded cancels and terminates, newest first.
 */
import {
  readServerSessions,
  type SignalAction,
  signalHistory,
  signalServerBackend,
} from '@pharos/backend/fleet/live-sessions';
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
import { type Backend, withFailoverRetry, withoutRetry } from '../backend.js';
import { authErrorResponses, errorSchema } from './schemas.js';

const nullable = (type: string) => ({ type: [type, 'null'] });

const liveSessionSchema = {
  type: 'object',
  properties: {
    pid: { type: 'integer' },
    backendType: nullable('string'),
    user: nullable('string'),
    database: nullable('string'),
    application: nullable('string'),
    clientAddr: nullable('string'),
    clientPort: nullable('integer'),
    state: nullable('string'),
    waitEventType: nullable('string'),
    waitEvent: nullable('string'),
    backendStart: nullable('string'),
    xactStart: nullable('string'),
    queryStart: nullable('string'),
    xactAgeS: nullable('number'),
    queryAgeS: nullable('number'),
    stateAgeS: nullable('number'),
    query: nullable('string'),
    blockedBy: { type: 'array', items: { type: 'integer' }, description: 'pids whose locks block this one' },
  },
  required: ['pid', 'state', 'query', 'blockedBy'],
} as const;

const sessionsAnswerSchema = {
  type: 'object',
  properties: {
    available: { type: 'boolean', description: 'false: the agent did not answer; see message' },
    serverId: { type: 'integer' },
    agentId: nullable('integer'),
    readAt: { type: 'string', description: 'when the agent read pg_stat_activity (ISO 8601)' },
    sessions: { type: 'array', items: liveSessionSchema },
    agentDown: { type: 'boolean' },
    message: { type: 'string' },
  },
  required: ['available', 'serverId'],
} as const;

const signalBodySchema = {
  type: 'object',
  properties: { reason: { type: 'string', maxLength: 500, description: 'why (recorded)' } },
  required: ['reason'],
  additionalProperties: false,
} as const;

const signalAnswerSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer', description: 'pem.backend_signal.id' },
    signalled: { type: 'boolean' },
    outcome: { type: 'string', enum: ['signalled', 'not-found', 'refused', 'failed', 'no-answer'] },
    message: nullable('string'),
  },
  required: ['id', 'signalled', 'outcome', 'message'],
} as const;

const signalHistorySchema = {
  type: 'array',
  items: {
    type: 'object',
    properties: {
      id: { type: 'integer' },
      pid: { type: 'integer' },
      action: { type: 'string', enum: ['cancel', 'terminate'] },
      reason: { type: 'string' },
      requestedBy: { type: 'string' },
      requestedAt: { type: 'string' },
      outcome: { type: 'string' },
      detail: nullable('string'),
    },
    required: ['id', 'pid', 'action', 'reason', 'requestedBy', 'requestedAt', 'outcome', 'detail'],
  },
} as const;

const serverParams = {
  type: 'object',
  properties: { id: { type: 'integer', minimum: 1, description: 'pem.server.id' } },
  required: ['id'],
  additionalProperties: false,
} as const;

const pidParams = {
  type: 'object',
  properties: {
    id: { type: 'integer', minimum: 1, description: 'pem.server.id' },
    pid: { type: 'integer', minimum: 1, maximum: 2147483647, description: 'the backend process id' },
  },
  required: ['id', 'pid'],
  additionalProperties: false,
} as const;

/** Registers the sessions routes on `app`. */
export function registerSessionRoutes(app: FastifyInstance, db: Backend, store: SessionStore): void {
  const session = requireSession(store);
  const tags = ['sessions'];

  app.get<{ Params: { id: number } }>(
    '/api/servers/:id/sessions',
    {
      schema: {
        summary: "A server's live sessions, read by its agent (within 2 s), with who blocks whom",
        tags,
        params: serverParams,
        response: { 200: sessionsAnswerSchema, 404: errorSchema, 409: errorSchema, ...authErrorResponses },
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
    app.post<{ Params: { id: number; pid: number }; Body: { reason: string } }>(
      `/api/servers/:id/sessions/:pid/${action}`,
      {
        schema: {
          summary:
            action === 'cancel'
              ? "Cancel a backend's query (pem_admin; recorded with the reason)"
              : 'Terminate a backend (pem_admin; recorded with the reason)',
          tags,
          params: pidParams,
          body: signalBodySchema,
          response: {
            200: signalAnswerSchema,
            400: errorSchema,
            404: errorSchema,
            409: errorSchema,
            ...authErrorResponses,
          },
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

  app.get<{ Params: { id: number } }>(
    '/api/servers/:id/session-signals',
    {
      schema: {
        summary: "A server's recorded cancels and terminates (who, when, why, outcome), newest first",
        tags,
        params: serverParams,
        response: { 200: signalHistorySchema, ...authErrorResponses },
      },
      preHandler: session,
    },
    async (req) =>
      withFailoverRetry(() => signalHistory(db, req.params.id), { logger: req.log, what: 'session signals' }),
  );
}
