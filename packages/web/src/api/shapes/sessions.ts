/**
 * Shapes of the sessions routes (sessions.ts; issue 17): live sessions read
 * by the server's agent (@pharos/backend/fleet/live-sessions: LiveSession,
 * LiveUnavailable, SignalRecord, SignalHistoryRow are the same fields), and
 * cancel/terminate with the record of each.
 */
import { Type } from 'typebox';
import { DateTime, Id, INT4_MAX, Nullable, Text } from './common.js';

/** One backend of pg_stat_activity (monitoring-stats.html#MONITORING-PG-STAT-ACTIVITY-VIEW). */
export const LiveSession = Type.Object({
  pid: Type.Integer(),
  backendType: Nullable(
    Type.String({ description: '`client backend`, `autovacuum worker`, `walsender`...' }),
  ),
  user: Nullable(Type.String()),
  database: Nullable(Type.String()),
  application: Nullable(Type.String()),
  clientAddr: Nullable(Type.String({ description: 'null: a Unix socket or a background process' })),
  clientPort: Nullable(Type.Integer()),
  state: Nullable(
    Type.String({ description: 'active, idle, idle in transaction...; null for background processes' }),
  ),
  waitEventType: Nullable(Type.String()),
  waitEvent: Nullable(Type.String()),
  backendStart: Nullable(DateTime()),
  xactStart: Nullable(DateTime()),
  queryStart: Nullable(DateTime()),
  xactAgeS: Nullable(Type.Number({ description: 'transaction age at the read, seconds' })),
  queryAgeS: Nullable(Type.Number({ description: 'query age at the read, seconds' })),
  stateAgeS: Nullable(Type.Number({ description: 'time in the current state at the read, seconds' })),
  query: Nullable(Type.String({ description: 'the current or last query text (at most 4096 characters)' })),
  blockedBy: Type.Array(Type.Integer(), {
    description: 'pids whose locks block this one (pg_blocking_pids)',
  }),
});

/** Answer of GET /api/servers/:id/sessions: the sessions, or why there are none. */
export const SessionsAnswer = Type.Union([
  Type.Object({
    available: Type.Literal(true),
    serverId: Type.Integer(),
    agentId: Type.Integer({ description: 'the agent that read them' }),
    readAt: DateTime('when the agent read pg_stat_activity (the server clock)'),
    sessions: Type.Array(LiveSession),
  }),
  Type.Object({
    available: Type.Literal(false),
    serverId: Type.Integer(),
    agentId: Nullable(Type.Integer()),
    agentDown: Type.Boolean({ description: 'the agent has sent no heartbeat for a while' }),
    message: Type.String({ description: 'why there are no sessions, for people' }),
  }),
]);

/** `:id` and `:pid` of the cancel/terminate routes. */
export const PidParams = Type.Object(
  {
    id: Id('pem.server.id'),
    pid: Type.Integer({ minimum: 1, maximum: INT4_MAX, description: 'the backend process id' }),
  },
  { additionalProperties: false },
);

/** Body of the cancel/terminate routes. */
export const SignalBody = Type.Object(
  { reason: Text({ maxLength: 500, description: 'why (recorded; 1 to 500 characters)' }) },
  { additionalProperties: false },
);

const Outcome = Type.Union(
  [
    Type.Literal('signalled'),
    Type.Literal('not-found'),
    Type.Literal('refused'),
    Type.Literal('failed'),
    Type.Literal('no-answer'),
  ],
  {
    description:
      'signalled; not-found: no such backend; refused: the monitoring role lacks pg_signal_backend; failed: the agent failed; no-answer: the agent did not answer in time',
  },
);

/** Answer of the cancel/terminate routes: the record made. */
export const SignalAnswer = Type.Object({
  id: Type.Integer({ description: 'pem.backend_signal.id' }),
  signalled: Type.Boolean(),
  outcome: Outcome,
  message: Nullable(Type.String({ description: "the agent's sentence" })),
});

/** Answer of GET /api/servers/:id/session-signals, newest first. */
export const SignalHistory = Type.Array(
  Type.Object({
    id: Type.Integer(),
    pid: Type.Integer(),
    action: Type.Union([Type.Literal('cancel'), Type.Literal('terminate')]),
    reason: Type.String(),
    requestedBy: Type.String(),
    requestedAt: DateTime(),
    outcome: Outcome,
    detail: Nullable(Type.String()),
  }),
);
