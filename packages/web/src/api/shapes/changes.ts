/** Shapes of GET /api/servers/:id/changes (changes.ts, changes-query.ts; issue 17). */
import { type Static, Type } from 'typebox';
import { DateTime, NAME_PATTERN, Text } from './common.js';

/** Most changes one answer carries (newest first). */
export const MAX_CHANGES = 500;

/** Query of GET /api/servers/:id/changes. */
export const ChangesQuery = Type.Object(
  {
    probe: Type.String({
      pattern: NAME_PATTERN,
      description: 'probe name, e.g. table_stats',
      examples: ['table_stats'],
    }),
    object: Text({
      maxLength: 200,
      description: 'the object, e.g. app/public.orders',
      examples: ['app/public.orders'],
    }),
    fields: Type.String({
      pattern: '^[a-z_][a-z0-9_]{0,62}(,[a-z_][a-z0-9_]{0,62}){0,7}$',
      description: 'comma-separated field names (1 to 8), e.g. last_vacuum,last_autovacuum',
      examples: ['last_vacuum,last_autovacuum'],
    }),
    from: Type.Optional(DateTime('start (default: `to` - 1 hour)')),
    to: Type.Optional(DateTime('end (default: now)')),
  },
  { additionalProperties: false },
);

/** One change of a field: its new value and the time of the first sample that had it. */
export const FieldChange = Type.Object({
  field: Type.String(),
  value: Type.String({ description: 'the new value as text (timestamps ISO 8601)' }),
  at: DateTime('the first sample that had it'),
});
export type FieldChange = Static<typeof FieldChange>;

/** Answer of GET /api/servers/:id/changes. */
export const ChangesAnswer = Type.Object({
  serverId: Type.Integer(),
  probe: Type.String(),
  object: Type.String(),
  changes: Type.Array(FieldChange, { description: `newest first, at most ${MAX_CHANGES}` }),
});
