/** Shape of GET /api/cluster (cluster.ts; cluster/status.ts reads it). */
import { type Static, Type } from 'typebox';
import { DateTime, Nullable } from './common.js';

/** One Patroni member as Pharos shows it. */
export const PatroniMember = Type.Object({
  name: Type.String(),
  role: Type.String({ description: 'leader, replica, sync_standby, standby_leader... as Patroni says' }),
  state: Type.String({ description: 'running, streaming, stopped, starting... as Patroni says' }),
  host: Nullable(Type.String()),
  port: Nullable(Type.Integer()),
  timeline: Nullable(Type.Integer()),
  lagBytes: Nullable(Type.Number({ description: 'replication lag, bytes (null: unknown or none)' })),
  apiUrl: Nullable(Type.String()),
  apiReachable: Nullable(
    Type.Boolean({ description: 'its own REST API answered just now (null: not a URL Pharos asked)' }),
  ),
});
export type PatroniMember = Static<typeof PatroniMember>;

/** A Patroni REST API asked, whether it answered and its error. */
export const PatroniApi = Type.Object({
  url: Type.String(),
  reachable: Type.Boolean(),
  error: Type.Optional(Type.String()),
});

/** The cluster as Patroni reports it. */
export const PatroniStatus = Type.Object({
  scope: Nullable(Type.String()),
  paused: Type.Boolean({ description: 'maintenance mode (patronictl pause)' }),
  members: Type.Array(PatroniMember),
  apis: Type.Array(PatroniApi),
});
export type PatroniStatus = Static<typeof PatroniStatus>;

/** One etcd endpoint's health. */
export const EtcdMemberHealth = Type.Object({
  endpoint: Type.String(),
  healthy: Type.Boolean(),
  error: Type.Optional(Type.String({ description: "why not (etcd's reason, or the transport error)" })),
});
export type EtcdMemberHealth = Static<typeof EtcdMemberHealth>;

/** Answer of GET /api/cluster. */
export const ClusterStatus = Type.Object({
  checkedAt: DateTime(),
  patroni: PatroniStatus,
  etcd: Type.Object({
    configured: Type.Boolean({ description: 'false when the configuration names no etcd endpoint' }),
    members: Type.Array(EtcdMemberHealth),
  }),
});
export type ClusterStatus = Static<typeof ClusterStatus>;
