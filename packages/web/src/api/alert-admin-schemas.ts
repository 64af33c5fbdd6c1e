/**
 * JSON schemas of the alert administration bodies (alert-admin.ts,
 * alert-admin-notify.ts). Fastify checks types with them (a wrong type is a
 * 400 naming the field, see errors.ts) and the OpenAPI document describes the
 * bodies from them; the rules that need the stored row or several fields
 * (thresholds in order, URL scheme, ...) are checked by @pharos/backend's
 * admin functions. No field is required, so a request without the CSRF token
 * or from a non-administrator is refused 403 before its body matters.
 */

/** Body of PATCH /api/alert-admin/alerts/:id: the fields to change (omitted = unchanged). */
export const alertPatchSchema = {
  type: 'object',
  properties: {
    enabled: { type: 'boolean' },
    operator: { type: 'string', enum: ['>', '<'] },
    low: { type: 'number' },
    medium: { type: 'number' },
    high: { type: 'number' },
    intervalS: { type: 'integer', description: 'evaluation interval, seconds (> 0)' },
    params: { type: 'object', description: "overrides of the template's parameters" },
    notifyWebhooks: { type: 'boolean' },
    notifyEmail: { type: 'boolean' },
    emailGroupId: { type: ['integer', 'null'], description: 'null = the default email group' },
    reminderS: { type: 'integer', description: 'reminder interval while raised, seconds (0 = none)' },
    flapDetection: { type: 'boolean' },
    logEvaluations: { type: 'boolean' },
  },
  additionalProperties: false,
} as const;

/** Body of POST /api/alert-admin/webhooks and PUT /api/alert-admin/webhooks/:id. */
export const webhookBodySchema = {
  type: 'object',
  properties: {
    name: { type: 'string', maxLength: 200 },
    url: { type: 'string', maxLength: 2000, description: 'http or https' },
    method: { type: 'string', enum: ['POST', 'PUT'] },
    headers: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: 'header name -> value; omitted on a change = keep the stored headers',
    },
    payloadTemplate: { description: 'JSON with %Placeholder%s; null = the default payload' },
    enabled: { type: 'boolean' },
    onLow: { type: 'boolean' },
    onMedium: { type: 'boolean' },
    onHigh: { type: 'boolean' },
    onCleared: { type: 'boolean' },
    timeoutMs: { type: 'integer' },
    maxRetries: { type: 'integer' },
    tlsVerify: { type: 'boolean' },
  },
  additionalProperties: false,
} as const;
