/**
 * JSON schemas of the fleet routes (issue 14; docs/web-api.md "Fleet"):
 * monitored servers, agents, enrolment tokens and enrolment. Every body and
 * answer is declared whole (additionalProperties false); the OpenAPI
 * document is generated from them. Field names are the ones the SQL
 * functions name in their errors (sql/functions/fleet/), so a 400/404/409
 * `field` points at a field of these bodies.
 */
import { CONNECTION_CAUSES } from '@pharos/backend/fleet/connection-test';
import { SSLMODES } from '@pharos/backend/fleet/servers';

const nullableString = { type: ['string', 'null'] } as const;

/** A display name: 1-63 characters, no leading or trailing space (the SQL checks the rest). */
const displayName = {
  type: 'string',
  minLength: 1,
  maxLength: 63,
  description: 'unique name shown everywhere',
} as const;
const host = {
  type: 'string',
  minLength: 1,
  maxLength: 253,
  description: 'DNS name, IP address, or a Unix socket directory on the agent’s host',
} as const;
const port = { type: 'integer', minimum: 1, maximum: 65535, default: 5432 } as const;
const maintenanceDb = { type: 'string', minLength: 1, maxLength: 63, default: 'postgres' } as const;
const user = {
  type: 'string',
  minLength: 1,
  maxLength: 63,
  description: 'monitoring role (member of pg_monitor)',
} as const;
const sslmode = {
  type: 'string',
  enum: [...SSLMODES],
  default: 'verify-full',
  description: 'verify-full unless the DBA decides otherwise for this server',
} as const;
const sslrootcert = {
  type: ['string', 'null'],
  maxLength: 1024,
  description: 'CA file on the agent’s host; null: the agent’s server_sslrootcert',
} as const;
const agentId = {
  type: 'integer',
  minimum: 1,
  description: 'the agent that monitors it (pem.agent.id)',
} as const;
const tags = {
  type: 'array',
  maxItems: 20,
  items: { type: 'string', minLength: 1, maxLength: 40 },
  default: [],
} as const;
const notes = { type: 'string', maxLength: 2000, default: '' } as const;
const test = {
  type: 'boolean',
  default: true,
  description: 'test the connection from the agent first and write nothing if it fails (default true)',
} as const;

/** Field schemas the other fleet schemas share (fleet-cluster-schemas.ts). */
export const fleetFields = { maintenanceDb, user, sslmode, sslrootcert, agentId, tags, notes, test } as const;

/** Body of POST /api/servers/test: how the agent would reach the server. */
export const serverConnectionBodySchema = {
  type: 'object',
  properties: { host, port, maintenanceDb, user, sslmode, sslrootcert, agentId },
  required: ['host', 'user', 'agentId'],
  additionalProperties: false,
} as const;

/** Body of POST /api/servers. */
export const serverAddBodySchema = {
  type: 'object',
  properties: {
    displayName,
    host,
    port,
    maintenanceDb,
    user,
    sslmode,
    sslrootcert,
    agentId,
    tags,
    notes,
    test,
  },
  required: ['displayName', 'host', 'user', 'agentId'],
  additionalProperties: false,
} as const;

/** Body of PATCH /api/servers/:id: any field of the server. */
export const serverSetBodySchema = {
  type: 'object',
  properties: {
    displayName,
    host,
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    maintenanceDb: { type: 'string', minLength: 1, maxLength: 63 },
    user,
    sslmode: { type: 'string', enum: [...SSLMODES] },
    sslrootcert,
    agentId,
    tags: { type: 'array', maxItems: 20, items: { type: 'string', minLength: 1, maxLength: 40 } },
    notes: { type: 'string', maxLength: 2000 },
    test,
  },
  minProperties: 1,
  additionalProperties: false,
} as const;

/** Body of POST /api/servers/prepare. */
export const serverPrepareBodySchema = {
  type: 'object',
  properties: { host, port, maintenanceDb, user, sslmode, sslrootcert, agentId },
  required: ['host', 'user', 'agentId'],
  additionalProperties: false,
} as const;

/** Query of DELETE /api/servers/:id. */
export const serverRemoveQuerySchema = {
  type: 'object',
  properties: {
    purgeHistory: {
      type: 'boolean',
      default: false,
      description: 'delete its history now too (default: kept until retention)',
    },
  },
  additionalProperties: false,
} as const;

/** Query of GET /api/servers. */
export const serverListQuerySchema = {
  type: 'object',
  properties: {
    tag: {
      type: 'string',
      maxLength: 200,
      description: 'comma-separated tags: only servers that have all of them',
    },
  },
  additionalProperties: false,
} as const;

/** What the agent's test found (the test-connection task's answer). */
export const testConnectionResultSchema = {
  type: 'object',
  properties: {
    ok: { type: 'boolean' },
    cause: { type: 'string', enum: [...CONNECTION_CAUSES] },
    message: { type: 'string', description: 'what happened, and on failure what to do, in a sentence' },
    detail: { type: 'string' },
    sqlstate: { type: 'string' },
    passfileLine: { type: 'string', description: 'no-password: the line to add (password as <password>)' },
    warnings: { type: 'array', items: { type: 'string' } },
    server: {
      type: 'object',
      properties: {
        version: { type: 'string' },
        versionNum: { type: 'integer' },
        role: { type: 'string', enum: ['primary', 'standby'] },
        tls: { type: 'boolean' },
        superuser: { type: 'boolean' },
        pgMonitor: { type: 'boolean' },
        pgStatStatements: { type: 'boolean' },
      },
      required: ['version', 'versionNum', 'role', 'tls', 'superuser', 'pgMonitor', 'pgStatStatements'],
      additionalProperties: false,
    },
    elapsedMs: { type: 'integer' },
  },
  required: ['ok', 'message', 'warnings', 'elapsedMs'],
  additionalProperties: false,
} as const;

/** A monitored server with its settings and what was last observed. */
export const monitoredServerSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    displayName: { type: 'string' },
    host: { type: 'string' },
    port: { type: 'integer' },
    maintenanceDb: { type: 'string' },
    user: { type: 'string' },
    sslmode: { type: 'string', enum: [...SSLMODES] },
    sslrootcert: nullableString,
    agentId: { type: ['integer', 'null'] },
    agentName: nullableString,
    tags: { type: 'array', items: { type: 'string' } },
    notes: { type: 'string' },
    kind: { type: 'string', enum: ['standalone', 'patroni-member'] },
    clusterId: { type: ['integer', 'null'] },
    clusterName: { ...nullableString, description: 'the monitored Patroni cluster it is a member of' },
    patroniMember: { ...nullableString, description: 'its member name in that cluster' },
    isPemBackend: {
      type: 'boolean',
      description: 'a node of the PEM backend (set by its install steps only)',
    },
    active: { type: 'boolean' },
    createdBy: nullableString,
    createdAt: { type: 'string', format: 'date-time' },
    observed: {
      type: 'object',
      description: 'what the agent last saw (never configured)',
      properties: {
        role: {
          type: ['string', 'null'],
          enum: ['primary', 'standby', null],
          description:
            'a cluster member: its Patroni role when the follower looked after its server_info; else server_info',
        },
        patroniRole: {
          ...nullableString,
          description: 'a cluster member’s Patroni role (leader, replica...)',
        },
        patroniState: {
          ...nullableString,
          description: 'a cluster member’s Patroni state (running, streaming...)',
        },
        missingSince: {
          type: ['string', 'null'],
          format: 'date-time',
          description: 'a cluster member absent from GET /cluster since then (removed after the grace)',
        },
        up: { type: ['boolean', 'null'] },
        error: nullableString,
        lastSampleAgeS: { type: ['number', 'null'] },
      },
      required: ['role', 'patroniRole', 'patroniState', 'missingSince', 'up', 'error', 'lastSampleAgeS'],
      additionalProperties: false,
    },
  },
  required: [
    'id',
    'displayName',
    'host',
    'port',
    'maintenanceDb',
    'user',
    'sslmode',
    'sslrootcert',
    'agentId',
    'agentName',
    'tags',
    'notes',
    'kind',
    'clusterId',
    'clusterName',
    'patroniMember',
    'isPemBackend',
    'active',
    'createdBy',
    'createdAt',
    'observed',
  ],
  additionalProperties: false,
} as const;

/** Answer of POST /api/servers and PATCH /api/servers/:id. */
export const serverChangedSchema = {
  type: 'object',
  properties: {
    server: monitoredServerSchema,
    test: { oneOf: [testConnectionResultSchema, { type: 'null' }], description: 'null when not tested' },
  },
  required: ['server', 'test'],
  additionalProperties: false,
} as const;

/** A 422 answer: the test failed, nothing was written. */
export const testFailedSchema = {
  type: 'object',
  properties: {
    error: { type: 'string', description: 'the test’s sentence' },
    field: { type: 'string' },
    test: testConnectionResultSchema,
  },
  required: ['error', 'test'],
  additionalProperties: false,
} as const;

/** Answer of DELETE /api/servers/:id. */
export const serverRemovedSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    server: { type: 'string' },
    alerts: { type: 'integer' },
    latest: { type: 'integer' },
    probeLog: { type: 'integer' },
    historySamples: { type: 'integer' },
    historyRollups: { type: 'integer' },
  },
  required: ['id', 'server', 'alerts', 'latest', 'probeLog', 'historySamples', 'historyRollups'],
  additionalProperties: false,
} as const;

/** Answer of POST /api/servers/prepare. */
export const preparationSchema = {
  type: 'object',
  properties: {
    roleSql: { type: 'array', items: { type: 'string' } },
    hbaRule: { type: 'string' },
    hbaNote: { type: 'string' },
    passfileLine: { type: 'string' },
    passfileNote: { type: 'string' },
    tlsNote: { type: 'string' },
    testCommand: { type: 'string' },
  },
  required: ['roleSql', 'hbaRule', 'hbaNote', 'passfileLine', 'passfileNote', 'tlsNote', 'testCommand'],
  additionalProperties: false,
} as const;

/** One agent (GET /api/agents). */
export const fleetAgentSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    user: { type: 'string' },
    displayName: { type: 'string' },
    hostAddress: nullableString,
    active: { type: 'boolean' },
    version: nullableString,
    heartbeatAgeS: { type: ['number', 'null'] },
    servers: { type: 'integer' },
    pemBackend: { type: 'boolean' },
    registeredAt: { type: 'string', format: 'date-time' },
  },
  required: [
    'id',
    'user',
    'displayName',
    'hostAddress',
    'active',
    'version',
    'heartbeatAgeS',
    'servers',
    'pemBackend',
    'registeredAt',
  ],
  additionalProperties: false,
} as const;

/** Query of DELETE /api/agents/:id. */
export const agentRemoveQuerySchema = {
  type: 'object',
  properties: {
    removeServers: {
      type: 'boolean',
      default: false,
      description: 'also remove the servers it monitors (default: refused while it monitors any)',
    },
  },
  additionalProperties: false,
} as const;

/** Answer of DELETE /api/agents/:id. */
export const agentRemovedSchema = {
  type: 'object',
  properties: { actions: { type: 'array', items: { type: 'string' } } },
  required: ['actions'],
  additionalProperties: false,
} as const;

/** An enrolment token as listed (never the token). */
export const enrolmentTokenSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    createdBy: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    expiresAt: { type: 'string', format: 'date-time' },
    state: { type: 'string', enum: ['pending', 'used', 'revoked', 'expired'] },
    usedAt: { type: ['string', 'null'], format: 'date-time' },
    usedByAgent: { type: ['integer', 'null'] },
    usedFrom: nullableString,
    revokedAt: { type: ['string', 'null'], format: 'date-time' },
    revokedBy: nullableString,
  },
  required: [
    'id',
    'name',
    'createdBy',
    'createdAt',
    'expiresAt',
    'state',
    'usedAt',
    'usedByAgent',
    'usedFrom',
    'revokedAt',
    'revokedBy',
  ],
  additionalProperties: false,
} as const;

/** Body of POST /api/enrolment-tokens. */
export const tokenCreateBodySchema = {
  type: 'object',
  properties: {
    name: {
      type: 'string',
      minLength: 1,
      maxLength: 200,
      description: 'what it is for, e.g. the host it enrols',
    },
    validForS: { type: 'integer', minimum: 60, maximum: 2_592_000, default: 86_400 },
  },
  required: ['name'],
  additionalProperties: false,
} as const;

/** Answer of POST /api/enrolment-tokens: the only time the token is shown. */
export const tokenCreatedSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    token: { type: 'string', description: 'give it to the host’s pharos agent enrol --token; shown once' },
    expiresAt: { type: 'string', format: 'date-time' },
  },
  required: ['id', 'name', 'token', 'expiresAt'],
  additionalProperties: false,
} as const;

/** Answer of DELETE /api/enrolment-tokens/:id. */
export const tokenRevokedSchema = {
  type: 'object',
  properties: { id: { type: 'integer' }, revoked: { type: 'boolean', description: 'false: it was already' } },
  required: ['id', 'revoked'],
  additionalProperties: false,
} as const;

/** Body of POST /api/enrol (no session: the token is the credential). */
export const enrolBodySchema = {
  type: 'object',
  properties: {
    token: { type: 'string', minLength: 1, maxLength: 200 },
    displayName,
    hostAddress: { type: 'string', maxLength: 45, description: 'the host’s address (IP)' },
    csr: { type: 'string', maxLength: 8192, description: 'PEM CSR for CN agentN: the built-in CA signs it' },
    certificate: {
      type: 'string',
      maxLength: 8192,
      description: 'PEM certificate of the host (per-agent: CN agentN; common user: CN = agentUser)',
    },
    agentUser: { type: 'string', minLength: 1, maxLength: 63, description: 'the common agent user' },
  },
  required: ['token', 'displayName'],
  additionalProperties: false,
} as const;

/** Answer of POST /api/enrol. */
export const enrolledSchema = {
  type: 'object',
  properties: {
    agentId: { type: 'integer' },
    agentUser: { type: 'string' },
    certificate: { type: 'string' },
    certificateSource: { type: 'string', enum: ['built-in-ca', 'supplied'] },
    deploymentId: { type: 'string' },
    backend: {
      type: 'object',
      description: 'how the agent reaches the backend (its multi-host connection string’s hosts)',
      properties: {
        hosts: { type: 'array', items: { type: 'string' } },
        ports: { type: 'array', items: { type: 'integer' } },
        dbname: { type: 'string' },
        sslmode: { type: 'string' },
      },
      required: ['hosts', 'ports', 'dbname', 'sslmode'],
      additionalProperties: false,
    },
  },
  required: ['agentId', 'agentUser', 'certificate', 'certificateSource', 'deploymentId', 'backend'],
  additionalProperties: false,
} as const;

/** `:id` of the agent and token routes. */
export const idParamsSchema = {
  type: 'object',
  properties: { id: { type: 'integer', minimum: 1 } },
  required: ['id'],
  additionalProperties: false,
} as const;
