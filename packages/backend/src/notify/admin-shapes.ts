/**
 * The inputs of notification administration, declared once (TypeBox: JSON
 * Schema and, through Static, the TypeScript type): the web API validates
 * request bodies and queries with these schemas and documents them in
 * OpenAPI, and the admin functions (admin-targets.ts, admin-deliveries.ts)
 * take their Static types. Rules over values (URL scheme, placeholders,
 * addresses) are the functions'. No field is required by the schema (a
 * non-administrator is refused 403 before content matters); unknown fields
 * are refused (400).
 */
import { type Static, Type } from 'typebox';
import { Id, INT4_MAX, Nullable, Text } from '../shape-types.js';

/** Any JSON value (a payload template). */
const JsonValue = Type.Unknown({ description: 'JSON with %Placeholder%s; null = the default payload' });

/** Body of POST /api/alert-admin/webhooks and PUT /api/alert-admin/webhooks/:id. */
export const WebhookBody = Type.Object(
  {
    name: Type.Optional(Text({ maxLength: 200 })),
    url: Type.Optional(Text({ maxLength: 2000, description: 'http or https' })),
    method: Type.Optional(Type.Union([Type.Literal('POST'), Type.Literal('PUT')])),
    headers: Type.Optional(
      Type.Record(Type.String(), Text({ maxLength: 4000 }), {
        description: 'header name -> value; omitted on a change = keep the stored headers',
      }),
    ),
    payloadTemplate: Type.Optional(JsonValue),
    enabled: Type.Optional(Type.Boolean()),
    onLow: Type.Optional(Type.Boolean()),
    onMedium: Type.Optional(Type.Boolean()),
    onHigh: Type.Optional(Type.Boolean()),
    onCleared: Type.Optional(Type.Boolean()),
    timeoutMs: Type.Optional(Type.Integer({ maximum: INT4_MAX, description: '100 to 120000' })),
    maxRetries: Type.Optional(Type.Integer({ maximum: INT4_MAX, description: '0 to 100' })),
    tlsVerify: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

/** Body of POST /api/alert-admin/email-groups and PUT /api/alert-admin/email-groups/:id. */
export const EmailGroupBody = Type.Object(
  {
    name: Type.Optional(Text({ maxLength: 200 })),
    recipients: Type.Optional(Type.Array(Text({ maxLength: 320 }), { maxItems: 200 })),
    enabled: Type.Optional(Type.Boolean()),
    onLow: Type.Optional(Type.Boolean()),
    onMedium: Type.Optional(Type.Boolean()),
    onHigh: Type.Optional(Type.Boolean()),
    onCleared: Type.Optional(Type.Boolean()),
    subjectTemplate: Type.Optional(Nullable(Text({ maxLength: 2000 }))),
    bodyTemplate: Type.Optional(Nullable(Text({ maxLength: 20_000 }))),
  },
  { additionalProperties: false },
);

/** Body of PUT /api/alert-admin/smtp. `password`: omitted = keep the stored one, null = none. */
export const SmtpBody = Type.Object(
  {
    enabled: Type.Optional(Type.Boolean()),
    host: Type.Optional(Text({ maxLength: 255 })),
    port: Type.Optional(Type.Integer({ maximum: INT4_MAX, description: '1 to 65535' })),
    security: Type.Optional(
      Type.Union([Type.Literal('starttls'), Type.Literal('tls'), Type.Literal('none')]),
    ),
    userName: Type.Optional(Nullable(Text({ maxLength: 255 }))),
    password: Type.Optional(Nullable(Text({ maxLength: 1024 }))),
    fromAddress: Type.Optional(Text({ maxLength: 320 })),
    tlsVerify: Type.Optional(Type.Boolean()),
    tlsCaPem: Type.Optional(Nullable(Text({ maxLength: 65_536 }))),
    timeoutMs: Type.Optional(Type.Integer({ maximum: INT4_MAX, description: 'milliseconds' })),
  },
  { additionalProperties: false },
);

/** Query of GET /api/alert-admin/deliveries. */
export const DeliveryFilter = Type.Object(
  {
    status: Type.Optional(
      Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('failed')]),
    ),
    channel: Type.Optional(Type.Union([Type.Literal('webhook'), Type.Literal('email')])),
    webhookId: Type.Optional(Id()),
    alertId: Type.Optional(Id()),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })),
  },
  { additionalProperties: false },
);
export type DeliveryFilter = Static<typeof DeliveryFilter>;

/** A webhook as saved (`id` from the path when changing one). */
export type WebhookInput = Static<typeof WebhookBody> & { id?: number | undefined };
/** An email group as saved (`id` from the path when changing one). */
export type EmailGroupInput = Static<typeof EmailGroupBody> & { id?: number | undefined };
/** SMTP settings as saved. */
export type SmtpInput = Static<typeof SmtpBody>;
