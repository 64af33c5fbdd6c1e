/**
 * Shapes of GET /api/fleet (fleet.ts, fleet-query.ts): its query (a page,
 * problems first, filters) and its answer, and the latest values.
 * The overview's values are typed by the web contract (contract/overview-fields.ts:
 * each probe's kept columns, from the agent's probe catalog); their JSON Schema
 * stays a map of probe name to values, as the backend writes it.
 */
import { type Static, Type } from 'typebox';
import type { OverviewProbe, OverviewValue } from '../../../ui/contract/overview-fields.js';
import { DateTime, Id, Nullable, Text } from './common.js';
import { MaintenanceNow } from './maintenance.js';

/** Orders of a page (fleet-query.ts FLEET_ORDERS; kept here so the shapes import no SQL). */
export const FLEET_ORDERS = ['problems', 'name', 'id'] as const;
/** A server's status words, worst first (fleet-query.ts orders pages by them). */
export const SERVER_STATUS_WORDS = [
  'down',
  'agent down',
  'stale',
  'no data',
  'unknown',
  'up',
  'inactive',
] as const;
/** Servers (and agents) per page when the request names none. */
export const DEFAULT_PAGE_LIMIT = 100;
/** The most servers (and agents) one page may hold. */
export const MAX_PAGE_LIMIT = 500;

/** Counts of current alerts by level (pem.alert.state). */
export const AlertCounts = Type.Object({ high: Type.Integer(), medium: Type.Integer(), low: Type.Integer() });
export type AlertCounts = Static<typeof AlertCounts>;

/** One latest value of a probe for one object ('' = the probe's only object). */
export const LatestValueSchema = Type.Object({
  object: Type.String(),
  collectedAt: DateTime('when the agent collected it'),
  ageS: Type.Number({ description: 'seconds since collection, by the backend clock' }),
  value: Type.Unknown({
    description: "the probe's row as the agent wrote it (jsonb), or its overview projection",
  }),
});
/** One latest value, its `value` typed as `V` (the probe's columns). */
export type LatestValue<V = unknown> = Omit<Static<typeof LatestValueSchema>, 'value'> & { value: V };
/** The schema of a LatestValue (an alias for the routes that list them). */
export const LatestValue = LatestValueSchema;

/**
 * Latest values by probe name, each probe's objects sorted by name: the
 * overview's probes, each value the columns the overview keeps.
 */
export type LatestByProbe = { [P in OverviewProbe]?: LatestValue<OverviewValue<P>>[] };
export const LatestByProbe = Type.Unsafe<LatestByProbe>(
  Type.Record(Type.String(), Type.Array(LatestValueSchema), {
    description: 'latest values by probe name; each entry one object of the probe ("" = the only one)',
  }),
);

/** One agent of the fleet. */
export const FleetAgent = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  userName: Type.String(),
  hostAddress: Nullable(Type.String()),
  active: Type.Boolean(),
  version: Nullable(Type.String()),
  lastHeartbeat: Nullable(DateTime('last heartbeat; null before the first')),
  heartbeatAgeS: Nullable(Type.Number({ description: 'seconds since the last heartbeat' })),
  alive: Type.Boolean({ description: 'heartbeat younger than ALIVE_INTERVALS heartbeat intervals' }),
  droppedSamples: Type.Integer(),
  alerts: AlertCounts,
  latest: LatestByProbe,
  maintenance: Nullable(MaintenanceNow),
});
export type FleetAgent = Static<typeof FleetAgent>;

/** One monitored server of the fleet. */
export const FleetServer = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  host: Type.String(),
  port: Type.Integer(),
  active: Type.Boolean(),
  isPemBackend: Type.Boolean(),
  agentId: Nullable(Type.Integer({ description: 'the agent bound to it; null when unbound' })),
  agentName: Nullable(Type.String()),
  clusterId: Nullable(Type.Integer({ description: 'the monitored Patroni cluster it is a member of' })),
  agentAlive: Nullable(
    Type.Boolean({ description: "its agent's liveness (FleetAgent.alive); null when unbound" }),
  ),
  status: Type.Union(
    [
      Type.Literal('down'),
      Type.Literal('agent down'),
      Type.Literal('stale'),
      Type.Literal('no data'),
      Type.Literal('unknown'),
      Type.Literal('up'),
      Type.Literal('inactive'),
    ],
    { description: 'its status, as ui/lib/server-state.js decides it (SERVER_STATUS_WORDS)' },
  ),
  alerts: AlertCounts,
  latest: LatestByProbe,
  newestSampleAt: Nullable(DateTime('the newest collection time of its latest values; null when none')),
  window: Nullable(
    Type.Object(
      {
        seconds: Type.Number({ description: 'seconds between the two newest database_stats samples' }),
        commitsPerS: Nullable(Type.Number({ description: 'commits per second in that window' })),
        cacheHitPct: Nullable(
          Type.Number({
            description:
              'cache hit % of the blocks read in that window (null when none was read, or across a reset)',
          }),
        ),
      },
      {
        description:
          'rates between the two newest database_stats samples (the probe interval); null before the second sample',
      },
    ),
  ),
  maintenance: Nullable(MaintenanceNow),
});
export type FleetServer = Static<typeof FleetServer>;

/** The order of a page ({@link FLEET_ORDERS}). */
const FleetOrder = Type.Union([Type.Literal('problems'), Type.Literal('name'), Type.Literal('id')], {
  description: 'problems (default: worst status, then most alerts, then name), name or id',
});

/** Counts of the whole fleet, whatever the page and filters. */
export const FleetTotals = Type.Object({
  servers: Type.Integer(),
  serversByStatus: Type.Record(Type.String(), Type.Integer(), {
    description: 'servers per status word (only the statuses some server is in)',
  }),
  agents: Type.Integer(),
  agentsAlive: Type.Integer(),
});

/** The page an answer holds. */
export const FleetPage = Type.Object({
  order: FleetOrder,
  limit: Type.Integer(),
  offset: Type.Integer(),
  agentOffset: Type.Integer(),
  serversMatched: Type.Integer({ description: 'servers that pass the filters (offset counts among them)' }),
  agentsMatched: Type.Integer({ description: 'agents that pass the name filter' }),
});

/**
 * Answer of GET /api/fleet: the fleet's totals and one page of servers and of
 * agents, as of the backend's clock.
 */
export const Fleet = Type.Object({
  asOf: DateTime("the backend's now(): ages are relative to it"),
  heartbeatIntervalS: Type.Number(),
  alertCounts: AlertCounts,
  totals: FleetTotals,
  page: FleetPage,
  agents: Type.Array(FleetAgent, { description: 'the page of agents, in the order asked' }),
  servers: Type.Array(FleetServer, { description: 'the page of servers, in the order asked' }),
});

/** Query of GET /api/fleet: a page, its order and the filters; every field optional. */
export const FleetQuery = Type.Object(
  {
    limit: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_PAGE_LIMIT,
        description: `servers (and agents) per page, default ${DEFAULT_PAGE_LIMIT}`,
      }),
    ),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'servers skipped' })),
    agentOffset: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'agents skipped' }),
    ),
    order: Type.Optional(FleetOrder),
    status: Type.Optional(
      Type.String({
        pattern: `^(${SERVER_STATUS_WORDS.join('|')})(,(${SERVER_STATUS_WORDS.join('|')}))*$`,
        description: 'only servers in these statuses, a comma list (e.g. down,agent down,stale)',
      }),
    ),
    cluster: Type.Optional(Id('only the members of this monitored cluster')),
    name: Type.Optional(
      Text({ maxLength: 200, description: 'only servers and agents whose name holds this text' }),
    ),
  },
  { additionalProperties: false },
);
export type FleetQuery = Static<typeof FleetQuery>;
export type Fleet = Static<typeof Fleet>;
