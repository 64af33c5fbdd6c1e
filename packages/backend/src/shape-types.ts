/**
 * Building blocks of the API's shapes (TypeBox: each a JSON Schema with its
 * TypeScript type): the admin inputs here (alerts/admin-shapes.ts,
 * notify/admin-shapes.ts) and the web API's (packages/web/src/api/shapes/).
 */
import { type Static, type TSchema, type TUnsafe, Type } from 'typebox';

/** Largest value of a PostgreSQL integer (int4): ids, seconds, limits. */
export const INT4_MAX = 2_147_483_647;

/** Text without NUL characters (PostgreSQL text cannot hold one). */
export const Text = (
  options: { minLength?: number; maxLength?: number; description?: string; default?: string } = {},
) => Type.String({ pattern: '^[^\\u0000]*$', ...options });

/** A positive id of a PostgreSQL integer column. */
export const Id = (description?: string) =>
  Type.Integer({ minimum: 1, maximum: INT4_MAX, ...(description ? { description } : {}) });

const COERCIBLE = new Set(['string', 'number', 'integer', 'boolean']);

/**
 * `T` or null. For a string, number, integer or boolean schema the null joins
 * its `type` (`{ type: ['string', 'null'], ... }`); any other schema (an
 * object, an enum, a union) is `anyOf [T, null]`. Why: fastify validates
 * with ajv and `coerceTypes`, and ajv coerces a value to the first `anyOf`
 * branch that takes it, so `anyOf [string, null]` turned a null into ''
 * (a null `sslrootcert`, "the agent's default CA file", reached the agent as
 * an empty path). Ajv coerces only a value whose type is none of a `type`
 * list (ajv.js.org/coercion.html), so a null stays null. The TypeScript type
 * is `Static<T> | null` either way.
 */
export function Nullable<T extends TSchema>(schema: T): TUnsafe<Static<T> | null> {
  const s = schema as unknown as Record<string, unknown>;
  const one = typeof s.type === 'string' && COERCIBLE.has(s.type) && !('const' in s) && !('enum' in s);
  return Type.Unsafe<Static<T> | null>(
    one ? { ...s, type: [s.type, 'null'] } : Type.Union([schema, Type.Null()]),
  );
}
