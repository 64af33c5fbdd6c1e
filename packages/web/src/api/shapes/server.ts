/** Shapes of GET /api/servers/:id and /api/servers/:id/latest (server.ts, server-query.ts). */
import { type Static, Type } from 'typebox';
import { DateTime, Id, NAME_PATTERN, Nullable } from './common.js';
import { LatestValue } from './fleet.js';
import { MaintenanceNow } from './maintenance.js';

/** `:id` of the /api/servers/:id routes. */
export const ServerIdParams = Type.Object({ id: Id('pem.server.id') }, { additionalProperties: false });

/** A probe that has data for the server. */
export const ProbeSummary = Type.Object({
  probe: Type.String(),
  objects: Type.Integer({ description: 'objects with a latest value' }),
  lastCollectedAt: DateTime('newest collection time over its objects'),
  ageS: Type.Number({ description: "seconds since then, by the backend's clock" }),
});
export type ProbeSummary = Static<typeof ProbeSummary>;

/** Answer of GET /api/servers/:id. */
export const ServerDetail = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  host: Type.String(),
  port: Type.Integer(),
  active: Type.Boolean(),
  isPemBackend: Type.Boolean(),
  agentId: Nullable(Type.Integer()),
  agentName: Nullable(Type.String()),
  probes: Type.Array(ProbeSummary, { description: 'probes with data for this server' }),
  maintenance: Nullable(MaintenanceNow),
});
export type ServerDetail = Static<typeof ServerDetail>;

/** Query of GET /api/servers/:id/latest. */
export const LatestQuery = Type.Object(
  { probe: Type.String({ pattern: NAME_PATTERN }) },
  { additionalProperties: false },
);

/** Answer of GET /api/servers/:id/latest. */
export const LatestAnswer = Type.Object({
  serverId: Type.Integer(),
  probe: Type.String(),
  rows: Type.Array(LatestValue),
});
