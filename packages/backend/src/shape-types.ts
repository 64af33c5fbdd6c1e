/**
 * Building blocks of the API's shapes (TypeBox: each a JSON Schema with its
 * TypeScript type): the admin inputs here (alerts/admin-shapes.ts,
 * notify/admin-shapes.ts) and the web API's (packages/web/src/api/shapes/).
 */
import { Type } from 'typebox';

/** Largest value of a PostgreSQL integer (int4): ids, seconds, limits. */
export const INT4_MAX = 2_147_483_647;

/** Text without NUL characters (PostgreSQL text cannot hold one). */
export const Text = (
  options: { minLength?: number; maxLength?: number; description?: string; default?: string } = {},
) => Type.String({ pattern: '^[^\\u0000]*$', ...options });

/** A positive id of a PostgreSQL integer column. */
export const Id = (description?: string) =>
  Type.Integer({ minimum: 1, maximum: INT4_MAX, ...(description ? { description } : {}) });
