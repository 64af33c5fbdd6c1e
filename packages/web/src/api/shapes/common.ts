/**
 * What every route shares: the error answer, the error answers of an
 * authenticated route, `:id` params, names, dates and nullable values.
 *
 * The API's shapes are declared once each, with TypeBox (packages/web/src/api/
 * shapes/*.ts): a TypeBox schema is JSON Schema as it is, so the one object
 * is what fastify validates requests with (ajv) and serialises answers with
 * (fast-json-stringify), what @fastify/swagger puts in the OpenAPI document,
 * and, through `Static<typeof Schema>`, the TypeScript type of the query
 * code and the handlers (the routes use the TypeBox type provider).
 */
import { Id } from '@pharos/backend/shape-types';
import { Type } from 'typebox';

export { Id, INT4_MAX, Nullable, Text } from '@pharos/backend/shape-types';

declare module 'fastify' {
  interface FastifySchema {
    /** One line on what the route does (OpenAPI `summary`). */
    summary?: string;
  }
}

/** A timestamp as JavaScript's toISOString() writes it. */
export const DateTime = (description?: string) =>
  Type.String({ format: 'date-time', ...(description ? { description } : {}) });

/** A probe or field name: a lower-case identifier. */
export const NAME_PATTERN = '^[a-z_][a-z0-9_]{0,62}$';

/** Every error answer (errors.ts): the catalogue code, the message and the field at fault. */
export const ErrorBody = Type.Object(
  {
    code: Type.String({ pattern: '^PHAROS_[A-Z0-9_]+$', description: 'catalogue code (docs/errors.md)' }),
    error: Type.String({ description: 'what went wrong, for people' }),
    field: Type.Optional(Type.String({ description: 'the request field at fault' })),
  },
  { additionalProperties: false },
);

/** The error answers every authenticated route can give. */
export const authErrorResponses = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
  500: ErrorBody,
  503: ErrorBody,
  504: ErrorBody,
} as const;

/** `:id` of routes about one row (a positive integer). */
export const IdParams = Type.Object({ id: Id('the row id') }, { additionalProperties: false });

/** The body of a route that takes no input: none, or `{}`. */
export const NoBody = Type.Union([Type.Object({}, { additionalProperties: false }), Type.Null()], {
  description: 'no body, or {}',
});
