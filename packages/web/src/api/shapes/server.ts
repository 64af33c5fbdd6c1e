/** Shapes of GET /api/servers/:id and /api/servers/:id/latest (server.ts, server-query.ts). */
import { type Static, Type } from 'typebox';
import { DateTime, Id, NAME_PATTERN, Nullable, Text } from './common.js';
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

/**
 * How the server is doing, for its page's banner (review B7): its newest
 * server_up value, its role and version (server_info), and whether its
 * agent still beats (alive as in the overview: a heartbeat younger than
 * ALIVE_INTERVALS heartbeat intervals).
 */
export const ServerStatus = Type.Object(
  {
    up: Nullable(LatestValue),
    role: Nullable(Type.String({ description: 'server_info.role: primary or standby' })),
    serverVersion: Nullable(
      Type.String({ description: 'server_info.server_version, e.g. "17.2 (Debian 17.2-1)"' }),
    ),
    versionNum: Nullable(Type.Integer({ description: 'server_info.server_version_num, e.g. 170002' })),
    agentAlive: Nullable(
      Type.Boolean({ description: "the bound agent's heartbeat is recent; null when unbound" }),
    ),
    heartbeatAgeS: Nullable(Type.Number({ description: "seconds since the bound agent's last heartbeat" })),
    heartbeatIntervalS: Type.Number(),
    agentUptimeS: Nullable(Type.Number({ description: "the bound agent's agent_status.uptime_s" })),
  },
  {
    description:
      "how the server is doing: its newest server_up value, role and version, its agent's heartbeat",
  },
);
/** ServerStatus, `up.value` typed as server_up's columns. */
export type ServerStatus = Omit<Static<typeof ServerStatus>, 'up'> & {
  up: LatestValue<{ up?: number | null; error?: string | null }> | null;
};

/** A probe's settings for this server (pem.probe with the server's and its agent's overrides). */
export const ProbeSetting = Type.Object({
  probe: Type.String(),
  intervalS: Type.Integer({ description: 'seconds between runs' }),
  enabled: Type.Boolean({
    description:
      'enabled for this server (probe default, PEM-backends-only default, agent then server override)',
  }),
});
export type ProbeSetting = Static<typeof ProbeSetting>;

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
  status: ServerStatus,
  settings: Type.Array(ProbeSetting, {
    description:
      'interval and enablement of the server and database probes for this server (for "why no data")',
  }),
  maintenance: Nullable(MaintenanceNow),
});
export type ServerDetail = Omit<Static<typeof ServerDetail>, 'status'> & { status: ServerStatus };

/** Query of GET /api/servers/:id/latest. */
export const LatestQuery = Type.Object(
  {
    probe: Type.String({
      pattern: NAME_PATTERN,
      description: 'probe name, e.g. table_stats',
      examples: ['table_stats'],
    }),
    prefix: Type.Optional(
      Text({
        minLength: 1,
        maxLength: 200,
        description: 'only objects whose name starts with this (e.g. `app/`: the tables of database app)',
      }),
    ),
  },
  { additionalProperties: false },
);

/** Answer of GET /api/servers/:id/latest. */
export const LatestAnswer = Type.Object({
  serverId: Type.Integer(),
  probe: Type.String(),
  rows: Type.Array(LatestValue),
});
