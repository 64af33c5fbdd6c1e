/**
 * JSON schemas of the monitored Patroni cluster routes (issue 14;
 * docs/web-api.md "Fleet", docs/monitoring-a-server.md "Patroni clusters").
 * Declared whole (additionalProperties false): the OpenAPI document is
 * generated from them, and an unknown field is a 400 naming it. Field names
 * are the ones the SQL functions name in their errors
 * (sql/functions/fleet/06_check_cluster.sql).
 */
import { CONNECTION_CAUSES } from '@pharos/backend/fleet/connection-test';
import { fleetFields, serverRemovedSchema, testConnectionResultSchema } from './fleet-schemas.js';

const nullableString = { type: ['string', 'null'] } as const;
const nullableInteger = { type: ['integer', 'null'] } as const;
const nullableNumber = { type: ['number', 'null'] } as const;
const nullableDate = { type: ['string', 'null'], format: 'date-time' } as const;

const restEndpoints = {
  type: 'array',
  minItems: 1,
  maxItems: 10,
  items: { type: 'string', minLength: 8, maxLength: 300 },
  description: 'base URLs of the members’ Patroni REST APIs (http[s]://host[:port]), asked in this order',
} as const;
const restCafile = {
  type: ['string', 'null'],
  maxLength: 1024,
  description:
    'CA file on the following agent’s host that verifies https endpoints (null: the system’s store)',
} as const;
const followerId = {
  ...fleetFields.agentId,
  description:
    'the agent that follows the cluster (reads GET /cluster) and monitors the members whose host has no agent of its own',
} as const;

/** Body of POST /api/clusters/read: which agent reads which endpoints. */
export const clusterReadBodySchema = {
  type: 'object',
  properties: { restEndpoints, restCafile, agentId: followerId },
  required: ['restEndpoints', 'agentId'],
  additionalProperties: false,
} as const;

/** Body of POST /api/clusters. */
export const clusterAddBodySchema = {
  type: 'object',
  properties: {
    name: {
      type: 'string',
      minLength: 1,
      maxLength: 40,
      description:
        'the cluster’s name in Pharos (default: its Patroni scope); members are named <name>/<member>',
    },
    restEndpoints,
    restCafile,
    agentId: followerId,
    user: fleetFields.user,
    sslmode: fleetFields.sslmode,
    sslrootcert: fleetFields.sslrootcert,
    maintenanceDb: fleetFields.maintenanceDb,
    tags: fleetFields.tags,
    notes: fleetFields.notes,
    memberGraceS: {
      type: 'integer',
      minimum: 0,
      maximum: 86400,
      default: 60,
      description: 'a member absent from GET /cluster this long is removed, seconds',
    },
    test: {
      ...fleetFields.test,
      description:
        'test every member’s connection from the agent that will monitor it first; nothing is written if one fails',
    },
  },
  required: ['restEndpoints', 'agentId', 'user'],
  additionalProperties: false,
} as const;

/** Query of DELETE /api/clusters/:id. */
export const clusterRemoveQuerySchema = {
  type: 'object',
  properties: {
    purgeHistory: {
      type: 'boolean',
      default: false,
      description: 'delete the members’ history now too (default: kept until retention)',
    },
  },
  additionalProperties: false,
} as const;

const memberReadSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    role: nullableString,
    state: nullableString,
    host: nullableString,
    port: nullableInteger,
    api_url: nullableString,
    timeline: nullableInteger,
    lag: nullableNumber,
  },
  required: ['name', 'role', 'state', 'host', 'port', 'api_url', 'timeline', 'lag'],
  additionalProperties: false,
} as const;

/** The cluster as its REST API answered (GET /cluster, members with the fields Pharos keeps). */
export const clusterReadingSchema = {
  type: 'object',
  properties: {
    scope: nullableString,
    endpoint: { type: 'string', description: 'the REST endpoint that answered' },
    members: { type: 'array', items: memberReadSchema },
  },
  required: ['scope', 'endpoint', 'members'],
  additionalProperties: false,
} as const;

/** Answer of POST /api/clusters/read. */
export const clusterReadAnswerSchema = {
  type: 'object',
  properties: {
    ok: { type: 'boolean' },
    reading: clusterReadingSchema,
    message: { type: 'string', description: 'why there is no reading, in a sentence' },
  },
  required: ['ok'],
  additionalProperties: false,
} as const;

/** One member's connection test (POST /api/clusters). */
export const memberTestSchema = {
  type: 'object',
  properties: {
    member: { type: 'string' },
    host: nullableString,
    port: nullableInteger,
    agentId: { type: 'integer', description: 'the agent that will monitor it, which ran the test' },
    test: testConnectionResultSchema,
  },
  required: ['member', 'host', 'port', 'agentId', 'test'],
  additionalProperties: false,
} as const;

/** A monitored Patroni cluster. */
export const monitoredClusterSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    scope: nullableString,
    restEndpoints: { type: 'array', items: { type: 'string' } },
    restCafile: nullableString,
    agentId: nullableInteger,
    agentName: nullableString,
    memberDefaults: {
      type: 'object',
      properties: {
        user: { type: 'string' },
        sslmode: fleetFields.sslmode,
        sslrootcert: nullableString,
        maintenanceDb: { type: 'string' },
      },
      required: ['user', 'sslmode', 'sslrootcert', 'maintenanceDb'],
      additionalProperties: false,
    },
    tags: { type: 'array', items: { type: 'string' } },
    notes: { type: 'string' },
    memberGraceS: { type: 'integer' },
    createdBy: nullableString,
    createdAt: { type: 'string', format: 'date-time' },
    observed: {
      type: 'object',
      description: 'what the follower saw last (never configured)',
      properties: {
        at: nullableDate,
        ageS: nullableNumber,
        from: nullableString,
        leader: nullableString,
        timeline: nullableInteger,
        error: nullableString,
        errorAt: nullableDate,
        problems: { type: 'array', items: { type: 'string' } },
      },
      required: ['at', 'ageS', 'from', 'leader', 'timeline', 'error', 'errorAt', 'problems'],
      additionalProperties: false,
    },
    members: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          serverId: { type: 'integer' },
          displayName: { type: 'string' },
          member: { type: 'string' },
          host: { type: 'string' },
          port: { type: 'integer' },
          role: nullableString,
          state: nullableString,
          lagBytes: nullableNumber,
          agentId: nullableInteger,
          agentName: nullableString,
          missingSince: nullableDate,
        },
        required: [
          'serverId',
          'displayName',
          'member',
          'host',
          'port',
          'role',
          'state',
          'lagBytes',
          'agentId',
          'agentName',
          'missingSince',
        ],
        additionalProperties: false,
      },
    },
  },
  required: [
    'id',
    'name',
    'scope',
    'restEndpoints',
    'restCafile',
    'agentId',
    'agentName',
    'memberDefaults',
    'tags',
    'notes',
    'memberGraceS',
    'createdBy',
    'createdAt',
    'observed',
    'members',
  ],
  additionalProperties: false,
} as const;

/** Answer of POST /api/clusters. */
export const clusterAddedSchema = {
  type: 'object',
  properties: {
    cluster: monitoredClusterSchema,
    reading: clusterReadingSchema,
    tests: { type: 'array', items: memberTestSchema, description: 'empty when not tested' },
  },
  required: ['cluster', 'reading', 'tests'],
  additionalProperties: false,
} as const;

/** A 422 answer of POST /api/clusters: the cluster could not be read, or a member's test failed; nothing written. */
export const clusterAddFailedSchema = {
  type: 'object',
  properties: {
    error: { type: 'string', description: 'what failed, in a sentence naming the member' },
    field: { type: 'string' },
    cause: { type: 'string', enum: [...CONNECTION_CAUSES, 'cluster-unreadable'] },
    reading: clusterReadingSchema,
    tests: { type: 'array', items: memberTestSchema },
  },
  required: ['error', 'cause'],
  additionalProperties: false,
} as const;

/** Answer of DELETE /api/clusters/:id. */
export const clusterRemovedSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    cluster: { type: 'string' },
    servers: { type: 'array', items: serverRemovedSchema },
  },
  required: ['id', 'cluster', 'servers'],
  additionalProperties: false,
} as const;
