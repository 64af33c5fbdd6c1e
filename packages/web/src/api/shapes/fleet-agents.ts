/**
 * Shapes of the agent, enrolment token and enrolment routes
 * (api/fleet-agents.ts; issue 14, docs/web-api.md "Fleet"): /api/agents,
 * /api/enrolment-tokens and POST /api/enrol.
 */
import { type Static, Type } from 'typebox';
import { DateTime, Nullable, Text } from './common.js';
import { DisplayName } from './fleet-servers.js';

/** One agent (GET /api/agents). */
export const FleetAgent = Type.Object(
  {
    id: Type.Integer(),
    user: Type.String(),
    displayName: Type.String(),
    hostAddress: Nullable(Type.String()),
    active: Type.Boolean(),
    version: Nullable(Type.String()),
    heartbeatAgeS: Nullable(Type.Number()),
    servers: Type.Integer(),
    pemBackend: Type.Boolean(),
    registeredAt: DateTime(),
  },
  { additionalProperties: false },
);
export type FleetAgent = Static<typeof FleetAgent>;

/** Query of DELETE /api/agents/:id. */
export const AgentRemoveQuery = Type.Object(
  {
    removeServers: Type.Optional(
      Type.Boolean({
        default: false,
        description: 'also remove the servers it monitors (default: refused while it monitors any)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type AgentRemoveQuery = Static<typeof AgentRemoveQuery>;

/** Answer of DELETE /api/agents/:id. */
export const AgentRemoved = Type.Object(
  { actions: Type.Array(Type.String()) },
  { additionalProperties: false },
);
export type AgentRemoved = Static<typeof AgentRemoved>;

/** An enrolment token as listed (never the token). */
export const EnrolmentToken = Type.Object(
  {
    id: Type.Integer(),
    name: Type.String(),
    createdBy: Type.String(),
    createdAt: DateTime(),
    expiresAt: DateTime(),
    state: Type.Enum(['pending', 'used', 'revoked', 'expired']),
    usedAt: Nullable(DateTime()),
    usedByAgent: Nullable(Type.Integer()),
    usedFrom: Nullable(Type.String()),
    revokedAt: Nullable(DateTime()),
    revokedBy: Nullable(Type.String()),
  },
  { additionalProperties: false },
);
export type EnrolmentToken = Static<typeof EnrolmentToken>;

/** Query of GET /api/enrolment-tokens. */
export const TokenListQuery = Type.Object(
  { all: Type.Optional(Type.Boolean({ default: true, description: 'false: only the usable ones' })) },
  { additionalProperties: false },
);
export type TokenListQuery = Static<typeof TokenListQuery>;

/** Body of POST /api/enrolment-tokens. */
export const TokenCreateBody = Type.Object(
  {
    name: Text({ minLength: 1, maxLength: 200, description: 'what it is for, e.g. the host it enrols' }),
    validForS: Type.Optional(Type.Integer({ minimum: 60, maximum: 2592000, default: 86400 })),
  },
  { additionalProperties: false },
);
export type TokenCreateBody = Static<typeof TokenCreateBody>;

/** Answer of POST /api/enrolment-tokens: the only time the token is shown. */
export const TokenCreated = Type.Object(
  {
    id: Type.Integer(),
    name: Type.String(),
    token: Type.String({ description: 'give it to the host’s pharos agent enrol --token; shown once' }),
    expiresAt: DateTime(),
  },
  { additionalProperties: false },
);
export type TokenCreated = Static<typeof TokenCreated>;

/** Answer of DELETE /api/enrolment-tokens/:id. */
export const TokenRevoked = Type.Object(
  { id: Type.Integer(), revoked: Type.Boolean({ description: 'false: it was already' }) },
  { additionalProperties: false },
);
export type TokenRevoked = Static<typeof TokenRevoked>;

/** Body of POST /api/enrol (no session: the token is the credential). */
export const EnrolBody = Type.Object(
  {
    token: Text({ minLength: 1, maxLength: 200 }),
    displayName: DisplayName,
    hostAddress: Type.Optional(Text({ maxLength: 45, description: 'the host’s address (IP)' })),
    csr: Type.Optional(
      Text({ maxLength: 8192, description: 'PEM CSR for CN agentN: the built-in CA signs it' }),
    ),
    certificate: Type.Optional(
      Text({
        maxLength: 8192,
        description: 'PEM certificate of the host (per-agent: CN agentN; common user: CN = agentUser)',
      }),
    ),
    agentUser: Type.Optional(Text({ minLength: 1, maxLength: 63, description: 'the common agent user' })),
  },
  { additionalProperties: false },
);
export type EnrolBody = Static<typeof EnrolBody>;

/** Answer of POST /api/enrol. */
export const Enrolled = Type.Object(
  {
    agentId: Type.Integer(),
    agentUser: Type.String(),
    certificate: Type.String(),
    certificateSource: Type.Enum(['built-in-ca', 'supplied']),
    deploymentId: Type.String(),
    backend: Type.Object(
      {
        hosts: Type.Array(Type.String()),
        ports: Type.Array(Type.Integer()),
        dbname: Type.String(),
        sslmode: Type.String(),
      },
      {
        description: 'how the agent reaches the backend (its multi-host connection string’s hosts)',
        additionalProperties: false,
      },
    ),
  },
  { additionalProperties: false },
);
export type Enrolled = Static<typeof Enrolled>;
