/**
 * Shapes of the API token routes (api-tokens.ts; issue 18): a token as
 * listed (never the token), the creation body and answer (the only time the
 * token is shown), the list query and the revocation answer.
 */
import { type Static, Type } from 'typebox';
import { DateTime, Nullable, Text } from './common.js';

/** A token as listed (GET /api/api-tokens). */
export const ApiTokenInfo = Type.Object(
  {
    id: Type.Integer(),
    name: Type.String(),
    role: Type.String({ description: 'the role whose rights it carries' }),
    createdAt: DateTime(),
    expiresAt: DateTime(),
    state: Type.Enum(['active', 'expired', 'revoked']),
    revokedAt: Nullable(DateTime()),
    revokedBy: Nullable(Type.String()),
    lastUsedAt: Nullable(DateTime('last request made with it (written at most once a minute)')),
    lastUsedFrom: Nullable(Type.String({ description: 'client address of that request' })),
  },
  { additionalProperties: false },
);
export type ApiTokenInfo = Static<typeof ApiTokenInfo>;

/** Query of GET /api/api-tokens. */
export const ApiTokenListQuery = Type.Object(
  {
    all: Type.Optional(
      Type.Boolean({
        default: false,
        description: "true: every role's tokens (pem_admin only); default: the caller's",
      }),
    ),
  },
  { additionalProperties: false },
);
export type ApiTokenListQuery = Static<typeof ApiTokenListQuery>;

/** Body of POST /api/api-tokens. */
export const ApiTokenCreateBody = Type.Object(
  {
    name: Text({ minLength: 1, maxLength: 200, description: 'what it is for, e.g. grafana, backup script' }),
    validForS: Type.Optional(
      Type.Integer({
        minimum: 60,
        maximum: 366 * 86_400,
        default: 90 * 86_400,
        description: 'seconds (default 90 days)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type ApiTokenCreateBody = Static<typeof ApiTokenCreateBody>;

/** Answer of POST /api/api-tokens: the only time the token is shown. */
export const ApiTokenCreated = Type.Object(
  {
    id: Type.Integer(),
    name: Type.String(),
    role: Type.String(),
    token: Type.String({
      description: 'send it as Authorization: Bearer <token>; shown once, stored hashed',
    }),
    expiresAt: DateTime(),
  },
  { additionalProperties: false },
);
export type ApiTokenCreated = Static<typeof ApiTokenCreated>;

/** Answer of DELETE /api/api-tokens/:id. */
export const ApiTokenRevoked = Type.Object(
  { id: Type.Integer(), revoked: Type.Boolean({ description: 'false: it was already' }) },
  { additionalProperties: false },
);
export type ApiTokenRevoked = Static<typeof ApiTokenRevoked>;
