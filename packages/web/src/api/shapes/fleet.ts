/**
 * Shapes of GET /api/fleet (fleet.ts, fleet-query.ts) and the latest values.
 * The overview's values are typed by the web contract (contract/overview-fields.ts:
 * each probe's kept columns, from the agent's probe catalog); their JSON Schema
 * stays a map of probe name to values, as the backend writes it.
 */
import { type Static, Type } from 'typebox';
import type { OverviewProbe, OverviewValue } from '../../../ui/contract/overview-fields.js';
import { DateTime, Nullable } from './common.js';
import { MaintenanceNow } from './maintenance.js';

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
  alerts: AlertCounts,
  latest: LatestByProbe,
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

/** Answer of GET /api/fleet: the whole overview, as of the backend's clock. */
export const Fleet = Type.Object({
  asOf: DateTime("the backend's now(): ages are relative to it"),
  heartbeatIntervalS: Type.Number(),
  alertCounts: AlertCounts,
  agents: Type.Array(FleetAgent),
  servers: Type.Array(FleetServer),
});
export type Fleet = Static<typeof Fleet>;
