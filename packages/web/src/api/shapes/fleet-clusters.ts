/**
 * Shapes of the monitored Patroni cluster routes (api/fleet-clusters.ts;
 * issue 14, docs/web-api.md "Fleet", docs/monitoring-a-server.md "Patroni
 * clusters"). Field names are the ones the SQL functions name in their
 * errors (sql/functions/fleet/06_check_cluster.sql).
 */
import { CONNECTION_CAUSES } from '@pharos/backend/fleet/connection-test';
import { type Static, Type } from 'typebox';
import { DateTime, Id, Nullable, Text } from './common.js';
import {
  MaintenanceDb,
  Notes,
  ServerRemoved,
  Sslmode,
  Sslrootcert,
  Tags,
  TestConnectionResult,
  User,
} from './fleet-servers.js';

/** REST API base URLs of a cluster's members. */
export const RestEndpoints = Type.Array(Text({ minLength: 8, maxLength: 300 }), {
  minItems: 1,
  maxItems: 10,
  description: 'base URLs of the members’ Patroni REST APIs (http[s]://host[:port]), asked in this order',
});

/** CA of https REST endpoints, on the following agent's host. */
export const RestCafile = Nullable(
  Text({
    minLength: 1,
    maxLength: 1024,
    description:
      'CA file (absolute path) on the following agent’s host that verifies https endpoints (null: the system’s store)',
  }),
);

/** The agent that follows a cluster. */
export const FollowerId = Id(
  'the agent that follows the cluster (reads GET /cluster) and monitors the members whose host has no agent of its own',
);

/** Body of POST /api/clusters/read: which agent reads which endpoints. */
export const ClusterReadBody = Type.Object(
  { restEndpoints: RestEndpoints, restCafile: Type.Optional(RestCafile), agentId: FollowerId },
  { additionalProperties: false },
);
export type ClusterReadBody = Static<typeof ClusterReadBody>;

/** Body of POST /api/clusters. */
export const ClusterAddBody = Type.Object(
  {
    name: Type.Optional(
      Text({
        minLength: 1,
        maxLength: 40,
        description:
          'the cluster’s name in Pharos (default: its Patroni scope); members are named <name>/<member>',
      }),
    ),
    restEndpoints: RestEndpoints,
    restCafile: Type.Optional(RestCafile),
    agentId: FollowerId,
    user: User,
    sslmode: Type.Optional(Sslmode),
    sslrootcert: Type.Optional(Sslrootcert),
    maintenanceDb: Type.Optional(MaintenanceDb),
    tags: Type.Optional(Tags),
    notes: Type.Optional(Notes),
    memberGraceS: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 86400,
        default: 60,
        description: 'a member absent from GET /cluster this long is removed, seconds',
      }),
    ),
    test: Type.Optional(
      Type.Boolean({
        default: true,
        description:
          'test every member’s connection from the agent that will monitor it first; nothing is written if one fails',
      }),
    ),
  },
  { additionalProperties: false },
);
export type ClusterAddBody = Static<typeof ClusterAddBody>;

/** Query of DELETE /api/clusters/:id. */
export const ClusterRemoveQuery = Type.Object(
  {
    purgeHistory: Type.Optional(
      Type.Boolean({
        default: false,
        description: 'delete the members’ history now too (default: kept until retention)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type ClusterRemoveQuery = Static<typeof ClusterRemoveQuery>;

/** One member as GET /cluster lists it (the fields Pharos keeps). */
export const MemberRead = Type.Object(
  {
    name: Type.String(),
    role: Nullable(Type.String()),
    state: Nullable(Type.String()),
    host: Nullable(Type.String()),
    port: Nullable(Type.Integer()),
    api_url: Nullable(Type.String()),
    timeline: Nullable(Type.Integer()),
    lag: Nullable(Type.Number()),
  },
  { additionalProperties: false },
);
export type MemberRead = Static<typeof MemberRead>;

/** The cluster as its REST API answered (GET /cluster, members with the fields Pharos keeps). */
export const ClusterReading = Type.Object(
  {
    scope: Nullable(Type.String()),
    endpoint: Type.String({ description: 'the REST endpoint that answered' }),
    members: Type.Array(MemberRead),
  },
  { additionalProperties: false },
);
export type ClusterReading = Static<typeof ClusterReading>;

/** Answer of POST /api/clusters/read. */
export const ClusterReadAnswer = Type.Object(
  {
    ok: Type.Boolean(),
    reading: Type.Optional(ClusterReading),
    message: Type.Optional(Type.String({ description: 'why there is no reading, in a sentence' })),
  },
  { additionalProperties: false },
);
export type ClusterReadAnswer = Static<typeof ClusterReadAnswer>;

/** One member's connection test (POST /api/clusters). */
export const MemberTest = Type.Object(
  {
    member: Type.String(),
    host: Nullable(Type.String()),
    port: Nullable(Type.Integer()),
    agentId: Type.Integer({ description: 'the agent that will monitor it, which ran the test' }),
    test: TestConnectionResult,
  },
  { additionalProperties: false },
);
export type MemberTest = Static<typeof MemberTest>;

/** A monitored Patroni cluster. */
export const MonitoredCluster = Type.Object(
  {
    id: Type.Integer(),
    name: Type.String(),
    scope: Nullable(Type.String()),
    restEndpoints: Type.Array(Type.String()),
    restCafile: Nullable(Type.String()),
    agentId: Nullable(Type.Integer()),
    agentName: Nullable(Type.String()),
    memberDefaults: Type.Object(
      {
        user: Type.String(),
        sslmode: Sslmode,
        sslrootcert: Nullable(Type.String()),
        maintenanceDb: Type.String(),
      },
      { additionalProperties: false },
    ),
    tags: Type.Array(Type.String()),
    notes: Type.String(),
    memberGraceS: Type.Integer(),
    createdBy: Nullable(Type.String()),
    createdAt: DateTime(),
    observed: Type.Object(
      {
        at: Nullable(DateTime()),
        ageS: Nullable(Type.Number()),
        from: Nullable(Type.String()),
        leader: Nullable(Type.String()),
        timeline: Nullable(Type.Integer()),
        error: Nullable(Type.String()),
        errorAt: Nullable(DateTime()),
        problems: Type.Array(Type.String()),
      },
      { description: 'what the follower saw last (never configured)', additionalProperties: false },
    ),
    members: Type.Array(
      Type.Object(
        {
          serverId: Type.Integer(),
          displayName: Type.String(),
          member: Type.String(),
          host: Type.String(),
          port: Type.Integer(),
          role: Nullable(Type.String()),
          state: Nullable(Type.String()),
          lagBytes: Nullable(Type.Number()),
          agentId: Nullable(Type.Integer()),
          agentName: Nullable(Type.String()),
          missingSince: Nullable(DateTime()),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type MonitoredCluster = Static<typeof MonitoredCluster>;

/** Answer of POST /api/clusters. */
export const ClusterAdded = Type.Object(
  {
    cluster: MonitoredCluster,
    reading: ClusterReading,
    tests: Type.Array(MemberTest, { description: 'empty when not tested' }),
  },
  { additionalProperties: false },
);
export type ClusterAdded = Static<typeof ClusterAdded>;

/** A 422 answer of POST /api/clusters: the cluster could not be read, or a member's test failed; nothing written. */
export const ClusterAddFailed = Type.Object(
  {
    code: Type.Literal('PHAROS_CLUSTER_ADD_FAILED', { description: 'catalogue code (docs/errors.md)' }),
    error: Type.String({ description: 'what failed, in a sentence naming the member' }),
    field: Type.Optional(Type.String()),
    cause: Type.Enum([...CONNECTION_CAUSES, 'cluster-unreadable']),
    reading: Type.Optional(ClusterReading),
    tests: Type.Optional(Type.Array(MemberTest)),
  },
  { additionalProperties: false },
);
export type ClusterAddFailed = Static<typeof ClusterAddFailed>;

/** Answer of DELETE /api/clusters/:id. */
export const ClusterRemoved = Type.Object(
  { id: Type.Integer(), cluster: Type.String(), servers: Type.Array(ServerRemoved) },
  { additionalProperties: false },
);
export type ClusterRemoved = Static<typeof ClusterRemoved>;
