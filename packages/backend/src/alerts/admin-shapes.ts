/**
 * The inputs of alert administration, declared once (TypeBox: JSON Schema
 * and, through Static, the TypeScript type): the web API validates request
 * bodies with these schemas and documents them in OpenAPI, and the admin
 * functions (admin-alerts.ts, admin-templates.ts) take their Static types.
 * Types and ranges are checked by the schema; the rules that need the stored
 * row or several fields (thresholds in order, the SQL runs) by the functions.
 * No field is required by the schema, so a well-formed request from a
 * non-administrator is refused 403 before its content matters; unknown
 * fields are refused (400).
 */
import { type Static, Type } from 'typebox';
import { Id, INT4_MAX, Nullable, Text } from '../shape-types.js';

/** Comparison operator of an alert: raise when the value is above (>) or below (<) a threshold. */
export const Operator = Type.Union([Type.Literal('>'), Type.Literal('<')]);

/** A JSON object of template parameters. */
const Params = Type.Record(Type.String(), Type.Unknown());

/** Body of PATCH /api/alert-admin/alerts/:id: the fields to change (omitted = unchanged). */
export const AlertPatch = Type.Object(
  {
    enabled: Type.Optional(Type.Boolean()),
    operator: Type.Optional(Operator),
    low: Type.Optional(Type.Number()),
    medium: Type.Optional(Type.Number()),
    high: Type.Optional(Type.Number()),
    intervalS: Type.Optional(
      Type.Integer({ maximum: INT4_MAX, description: 'evaluation interval, seconds (> 0)' }),
    ),
    params: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        description: "overrides of the template's parameters (merged over them)",
      }),
    ),
    notifyWebhooks: Type.Optional(Type.Boolean()),
    notifyEmail: Type.Optional(Type.Boolean()),
    emailGroupId: Type.Optional(Nullable(Id('email group; null = the default email group'))),
    reminderS: Type.Optional(
      Type.Integer({ maximum: INT4_MAX, description: 'reminder interval while raised, seconds (0 = none)' }),
    ),
    flapDetection: Type.Optional(Type.Boolean()),
    logEvaluations: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type AlertPatch = Static<typeof AlertPatch>;

/** Body of POST /api/alert-admin/alerts/:id/ack. */
export const AckBody = Type.Object(
  { note: Type.Optional(Text({ maxLength: 2000, description: 'why; kept in the alert history' })) },
  { additionalProperties: false },
);

/** A template name (the `:name` of /api/alert-admin/templates/:name). */
export const TemplateName = Text({ minLength: 1, maxLength: 200 });

/** Body of PUT /api/alert-admin/templates/:name (the name is the path's). */
export const TemplateBody = Type.Object(
  {
    level: Type.Optional(
      Type.Union([Type.Literal('agent'), Type.Literal('server'), Type.Literal('database')]),
    ),
    sql: Type.Optional(
      Text({
        maxLength: 100_000,
        description:
          'SQL with $1 agent id, $2 server id, $3 object, $4 params; returns value (and optionally detail)',
      }),
    ),
    operator: Type.Optional(Operator),
    low: Type.Optional(Type.Number()),
    medium: Type.Optional(Type.Number()),
    high: Type.Optional(Type.Number()),
    intervalS: Type.Optional(
      Type.Integer({ maximum: INT4_MAX, description: 'default evaluation interval, seconds' }),
    ),
    description: Type.Optional(Text({ maxLength: 2000 })),
    unit: Type.Optional(Text({ maxLength: 40 })),
    params: Type.Optional(Params),
    autoBind: Type.Optional(Type.Boolean({ description: 'bind to every agent/server when it registers' })),
    probes: Type.Optional(Type.Array(Text({ maxLength: 63 }), { maxItems: 64 })),
  },
  { additionalProperties: false },
);

/** A template as saved: the body and its name. */
export type TemplateInput = Static<typeof TemplateBody> & { name: string };
