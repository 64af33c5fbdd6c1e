/**
 * JSON schemas of the API's bodies and answers (fastify validates requests
 * and serialises responses with them; issue 7 generates the OpenAPI document
 * from them). Field names are camelCase; units are in the names.
 */

import type {} from 'fastify';

declare module 'fastify' {
  interface FastifySchema {
    /** One line on what the route does (OpenAPI `summary`). */
    summary?: string;
  }
}

/** Every error answer: `{"error": "<what went wrong>"}`, with the body field at fault when there is one. */
export const errorSchema = {
  type: 'object',
  properties: {
    error: { type: 'string' },
    field: { type: 'string', description: 'the body field the error is about' },
  },
  required: ['error'],
  additionalProperties: false,
} as const;

/** The error answers every authenticated route can give. */
export const authErrorResponses = {
  401: errorSchema,
  403: errorSchema,
  503: errorSchema,
} as const;

/** Body of POST /api/login. */
export const loginBodySchema = {
  type: 'object',
  properties: {
    // no control characters in a role name, no NUL in a password (a NUL would end a startup packet field)
    user: { type: 'string', minLength: 1, maxLength: 63, pattern: '^[^\\u0000-\\u001f\\u007f]+$' },
    password: { type: 'string', minLength: 1, maxLength: 1024, pattern: '^[^\\u0000]+$' },
  },
  required: ['user', 'password'],
  additionalProperties: false,
} as const;

/** The session as the client sees it (login, GET /api/session). */
export const sessionSchema = {
  type: 'object',
  properties: {
    user: { type: 'string' },
    role: { type: 'string', enum: ['admin', 'user'] },
    csrfToken: { type: 'string' },
    expiresAt: { type: 'string', format: 'date-time' },
  },
  required: ['user', 'role', 'csrfToken', 'expiresAt'],
} as const;

/** Answer of POST /api/logout. */
export const logoutSchema = {
  type: 'object',
  properties: { loggedOut: { type: 'boolean' } },
  required: ['loggedOut'],
} as const;

/** Answer of GET /api/health. */
export const healthSchema = {
  type: 'object',
  properties: {
    version: { type: 'string' },
    backend: {
      type: 'object',
      properties: {
        reachable: { type: 'boolean' },
        host: { type: ['string', 'null'] },
        port: { type: ['integer', 'null'] },
        isPrimary: { type: ['boolean', 'null'] },
        error: { type: 'string' },
      },
      required: ['reachable', 'host', 'port', 'isPrimary'],
    },
  },
  required: ['version', 'backend'],
} as const;

/** Counts of current alerts by level (pem.alert.state). */
export const alertCountsSchema = {
  type: 'object',
  properties: { high: { type: 'integer' }, medium: { type: 'integer' }, low: { type: 'integer' } },
  required: ['high', 'medium', 'low'],
} as const;

/** One latest value of a probe for one object ('' = the probe's only object). */
export const latestValueSchema = {
  type: 'object',
  properties: {
    object: { type: 'string' },
    collectedAt: { type: 'string', format: 'date-time' },
    ageS: { type: 'number', description: 'seconds since collection, by the backend clock' },
    value: { description: "the probe's row as the agent wrote it (jsonb)" },
  },
  required: ['object', 'collectedAt', 'ageS', 'value'],
} as const;

const latestSchema = {
  type: 'object',
  description: 'latest values by probe name; each entry one object of the probe ("" = the only one)',
  additionalProperties: { type: 'array', items: latestValueSchema },
} as const;

const agentSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    userName: { type: 'string' },
    hostAddress: { type: ['string', 'null'] },
    active: { type: 'boolean' },
    version: { type: ['string', 'null'] },
    lastHeartbeat: { type: ['string', 'null'] },
    heartbeatAgeS: { type: ['number', 'null'] },
    alive: { type: 'boolean' },
    droppedSamples: { type: 'integer' },
    alerts: alertCountsSchema,
    latest: latestSchema,
  },
  required: ['id', 'name', 'active', 'lastHeartbeat', 'heartbeatAgeS', 'alive', 'latest'],
} as const;

const serverSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    host: { type: 'string' },
    port: { type: 'integer' },
    active: { type: 'boolean' },
    isPemBackend: { type: 'boolean' },
    agentId: { type: ['integer', 'null'] },
    agentName: { type: ['string', 'null'] },
    alerts: alertCountsSchema,
    latest: latestSchema,
  },
  required: ['id', 'name', 'host', 'port', 'active', 'agentId', 'latest'],
} as const;

/** Answer of GET /api/fleet. */
export const fleetSchema = {
  type: 'object',
  properties: {
    asOf: { type: 'string', format: 'date-time' },
    heartbeatIntervalS: { type: 'number' },
    alertCounts: alertCountsSchema,
    agents: { type: 'array', items: agentSchema },
    servers: { type: 'array', items: serverSchema },
  },
  required: ['asOf', 'heartbeatIntervalS', 'agents', 'servers'],
} as const;
