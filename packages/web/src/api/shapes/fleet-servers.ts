/**
 * Shapes of the monitored server routes (api/fleet-servers.ts; issue 14,
 * docs/web-api.md "Fleet"): bodies, queries and answers of /api/servers.
 * Field names are the ones the fleet's SQL functions name in their errors
 * (packages/backend/sql/functions/fleet/), so a 400/404/409 `field` points
 * at a field of these bodies.
 */
import { CONNECTION_CAUSES } from '@pharos/backend/fleet/connection-test';
import { SSLMODES } from '@pharos/backend/fleet/servers';
import { type Static, Type } from 'typebox';
import { DateTime, Id, Nullable, Text } from './common.js';

/** A display name: 1-63 characters, no leading or trailing space (the SQL checks the rest). */
export const DisplayName = Text({ minLength: 1, maxLength: 63, description: 'unique name shown everywhere' });

/** The server's host as the agent dials it. */
export const Host = Text({
  minLength: 1,
  maxLength: 253,
  description: 'DNS name, IP address, or a Unix socket directory on the agent’s host',
});

/** PostgreSQL port. */
export const Port = Type.Integer({ minimum: 1, maximum: 65535, default: 5432 });

/** The database the agent connects to. */
export const MaintenanceDb = Text({ minLength: 1, maxLength: 63, default: 'postgres' });

/** The monitoring role. */
export const User = Text({
  minLength: 1,
  maxLength: 63,
  description: 'monitoring role (member of pg_monitor)',
});

/** libpq sslmode of the agent's connection. */
export const Sslmode = Type.Enum(SSLMODES, {
  default: 'verify-full',
  description: 'verify-full unless the DBA decides otherwise for this server',
});

/** CA file on the agent's host. */
export const Sslrootcert = Nullable(
  Text({
    minLength: 1,
    maxLength: 1024,
    description: 'CA file (absolute path) on the agent’s host; null: the agent’s server_sslrootcert',
  }),
);

/** The agent that monitors the server. */
export const AgentId = Id('the agent that monitors it (pem.agent.id)');

/** Groups/tags of a server. */
export const Tags = Type.Array(Text({ minLength: 1, maxLength: 40 }), { maxItems: 20, default: [] });

/** Free notes. */
export const Notes = Text({ maxLength: 2000, default: '' });

/** Whether to test the connection from the agent first. */
export const TestFirst = Type.Boolean({
  default: true,
  description: 'test the connection from the agent first and write nothing if it fails (default true)',
});

/** Body of POST /api/servers/test and /api/servers/prepare: how the agent would reach the server. */
export const ServerConnectionBody = Type.Object(
  {
    host: Host,
    port: Type.Optional(Port),
    maintenanceDb: Type.Optional(MaintenanceDb),
    user: User,
    sslmode: Type.Optional(Sslmode),
    sslrootcert: Type.Optional(Sslrootcert),
    agentId: AgentId,
  },
  { additionalProperties: false },
);
export type ServerConnectionBody = Static<typeof ServerConnectionBody>;

/** Body of POST /api/servers. */
export const ServerAddBody = Type.Object(
  {
    displayName: DisplayName,
    host: Host,
    port: Type.Optional(Port),
    maintenanceDb: Type.Optional(MaintenanceDb),
    user: User,
    sslmode: Type.Optional(Sslmode),
    sslrootcert: Type.Optional(Sslrootcert),
    agentId: AgentId,
    tags: Type.Optional(Tags),
    notes: Type.Optional(Notes),
    test: Type.Optional(TestFirst),
  },
  { additionalProperties: false },
);
export type ServerAddBody = Static<typeof ServerAddBody>;

/** Body of PATCH /api/servers/:id: any field of the server. */
export const ServerSetBody = Type.Object(
  {
    displayName: Type.Optional(DisplayName),
    host: Type.Optional(Host),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
    maintenanceDb: Type.Optional(Text({ minLength: 1, maxLength: 63 })),
    user: Type.Optional(User),
    sslmode: Type.Optional(Type.Enum(SSLMODES)),
    sslrootcert: Type.Optional(Sslrootcert),
    agentId: Type.Optional(AgentId),
    tags: Type.Optional(Type.Array(Text({ minLength: 1, maxLength: 40 }), { maxItems: 20 })),
    notes: Type.Optional(Text({ maxLength: 2000 })),
    test: Type.Optional(TestFirst),
  },
  { minProperties: 1, additionalProperties: false },
);
export type ServerSetBody = Static<typeof ServerSetBody>;

/** Query of DELETE /api/servers/:id. */
export const ServerRemoveQuery = Type.Object(
  {
    purgeHistory: Type.Optional(
      Type.Boolean({
        default: false,
        description: 'delete its history now too (default: kept until retention)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type ServerRemoveQuery = Static<typeof ServerRemoveQuery>;

/** Query of GET /api/servers. */
export const ServerListQuery = Type.Object(
  {
    tag: Type.Optional(
      Text({ maxLength: 200, description: 'comma-separated tags: only servers that have all of them' }),
    ),
  },
  { additionalProperties: false },
);
export type ServerListQuery = Static<typeof ServerListQuery>;

/** What the agent's test found (the test-connection task's answer). */
export const TestConnectionResult = Type.Object(
  {
    ok: Type.Boolean(),
    cause: Type.Optional(Type.Enum(CONNECTION_CAUSES)),
    message: Type.String({ description: 'what happened, and on failure what to do, in a sentence' }),
    detail: Type.Optional(Type.String()),
    sqlstate: Type.Optional(Type.String()),
    passfileLine: Type.Optional(
      Type.String({ description: 'no-password: the line to add (password as <password>)' }),
    ),
    warnings: Type.Array(Type.String()),
    server: Type.Optional(
      Type.Object(
        {
          version: Type.String(),
          versionNum: Type.Integer(),
          role: Type.Enum(['primary', 'standby']),
          tls: Type.Boolean(),
          superuser: Type.Boolean(),
          pgMonitor: Type.Boolean(),
          pgStatStatements: Type.Boolean(),
        },
        { additionalProperties: false },
      ),
    ),
    elapsedMs: Type.Integer(),
  },
  { additionalProperties: false },
);
export type TestConnectionResult = Static<typeof TestConnectionResult>;

/** A monitored server with its settings and what was last observed. */
export const MonitoredServer = Type.Object(
  {
    id: Type.Integer(),
    displayName: Type.String(),
    host: Type.String(),
    port: Type.Integer(),
    maintenanceDb: Type.String(),
    user: Type.String(),
    sslmode: Type.Enum(SSLMODES),
    sslrootcert: Nullable(Type.String()),
    agentId: Nullable(Type.Integer()),
    agentName: Nullable(Type.String()),
    tags: Type.Array(Type.String()),
    notes: Type.String(),
    kind: Type.Enum(['standalone', 'patroni-member']),
    clusterId: Nullable(Type.Integer()),
    clusterName: Nullable(Type.String({ description: 'the monitored Patroni cluster it is a member of' })),
    patroniMember: Nullable(Type.String({ description: 'its member name in that cluster' })),
    isPemBackend: Type.Boolean({ description: 'a node of the PEM backend (set by its install steps only)' }),
    active: Type.Boolean(),
    createdBy: Nullable(Type.String()),
    createdAt: DateTime(),
    observed: Type.Object(
      {
        role: Nullable(
          Type.Enum(['primary', 'standby'], {
            description:
              'a cluster member: its Patroni role when the follower looked after its server_info; else server_info',
          }),
        ),
        patroniRole: Nullable(
          Type.String({ description: 'a cluster member’s Patroni role (leader, replica...)' }),
        ),
        patroniState: Nullable(
          Type.String({ description: 'a cluster member’s Patroni state (running, streaming...)' }),
        ),
        missingSince: Nullable(
          DateTime('a cluster member absent from GET /cluster since then (removed after the grace)'),
        ),
        up: Nullable(Type.Boolean()),
        error: Nullable(Type.String()),
        lastSampleAgeS: Nullable(Type.Number()),
      },
      { description: 'what the agent last saw (never configured)', additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type MonitoredServer = Static<typeof MonitoredServer>;

/** Answer of POST /api/servers and PATCH /api/servers/:id. */
export const ServerChanged = Type.Object(
  { server: MonitoredServer, test: Nullable(TestConnectionResult) },
  { additionalProperties: false },
);
export type ServerChanged = Static<typeof ServerChanged>;

/** A 422 answer: the test failed, nothing was written. */
export const TestFailed = Type.Object(
  {
    code: Type.Literal('PHAROS_SERVER_TEST_FAILED', { description: 'catalogue code (docs/errors.md)' }),
    error: Type.String({ description: 'the test’s sentence' }),
    field: Type.Optional(Type.String()),
    test: TestConnectionResult,
  },
  { additionalProperties: false },
);
export type TestFailed = Static<typeof TestFailed>;

/** Answer of DELETE /api/servers/:id. */
export const ServerRemoved = Type.Object(
  {
    id: Type.Integer(),
    server: Type.String(),
    alerts: Type.Integer(),
    latest: Type.Integer(),
    probeLog: Type.Integer(),
    historySamples: Type.Integer(),
    historyRollups: Type.Integer(),
  },
  { additionalProperties: false },
);
export type ServerRemoved = Static<typeof ServerRemoved>;

/** Answer of POST /api/servers/prepare. */
export const Preparation = Type.Object(
  {
    roleSql: Type.Array(Type.String()),
    hbaRule: Type.String(),
    hbaNote: Type.String(),
    passfileLine: Type.String(),
    passfileNote: Type.String(),
    tlsNote: Type.String(),
    testCommand: Type.String(),
  },
  { additionalProperties: false },
);
export type Preparation = Static<typeof Preparation>;
