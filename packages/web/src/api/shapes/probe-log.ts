/** Shapes of GET /api/probe-log (probe-log.ts, probe-log-query.ts). */
import { type Static, Type } from 'typebox';
import { DateTime, Id, NAME_PATTERN, Nullable } from './common.js';

/** Query of GET /api/probe-log. */
export const ProbeLogQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 200 })),
    serverId: Type.Optional(Id()),
    probe: Type.Optional(Type.String({ pattern: NAME_PATTERN })),
    before: Type.Optional(DateTime('only failures before this time')),
  },
  { additionalProperties: false },
);

/** One probe failure. */
export const ProbeFailure = Type.Object({
  id: Type.Integer(),
  failedAt: DateTime(),
  agentId: Type.Integer(),
  agentName: Nullable(Type.String()),
  serverId: Nullable(Type.Integer({ description: "null: a probe of the agent's own host" })),
  serverName: Nullable(Type.String()),
  probe: Type.String(),
  object: Type.String(),
  error: Type.String(),
});
export type ProbeFailure = Static<typeof ProbeFailure>;

/** Answer of GET /api/probe-log. */
export const ProbeLogAnswer = Type.Object({ failures: Type.Array(ProbeFailure) });
