/** Shapes of the host routes GET /api/agents/:id[/latest|/series] (host.ts, host-query.ts; issue 17). */
import { type Static, Type } from 'typebox';
import { Id, NAME_PATTERN, Nullable } from './common.js';
import { LatestValue } from './fleet.js';
import { ProbeSummary } from './server.js';

/** `:id` of the /api/agents/:id routes. */
export const AgentIdParams = Type.Object({ id: Id('pem.agent.id') }, { additionalProperties: false });

/** Answer of GET /api/agents/:id. */
export const HostDetail = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  hostAddress: Nullable(Type.String()),
  active: Type.Boolean(),
  version: Nullable(Type.String()),
  heartbeatAgeS: Nullable(
    Type.Number({ description: 'seconds since the last heartbeat; null before the first' }),
  ),
  alive: Type.Boolean({ description: 'heartbeat younger than ALIVE_INTERVALS heartbeat intervals' }),
  heartbeatIntervalS: Type.Number(),
  servers: Type.Array(Type.Object({ id: Type.Integer(), name: Type.String() }), {
    description: 'servers bound to the agent',
  }),
  probes: Type.Array(ProbeSummary, { description: 'host probes with data' }),
});
export type HostDetail = Static<typeof HostDetail>;

/** Query of GET /api/agents/:id/latest. */
export const HostLatestQuery = Type.Object(
  {
    probe: Type.String({
      pattern: NAME_PATTERN,
      description: 'a host probe, e.g. disk_space',
      examples: ['disk_space'],
    }),
  },
  { additionalProperties: false },
);

/** Answer of GET /api/agents/:id/latest. */
export const HostLatestAnswer = Type.Object({
  agentId: Type.Integer(),
  probe: Type.String(),
  rows: Type.Array(LatestValue),
});
