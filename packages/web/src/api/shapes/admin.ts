/**
 * Shapes of the alert and notification administration routes
 * (alert-admin.ts, alert-admin-notify.ts). The bodies are the backend's
 * declarations (@pharos/backend/alerts/admin-shapes, notify/admin-shapes),
 * which its admin functions take; the queries and answers are here. Answers
 * that are rows of the backend's views are passed through as the database
 * returns them (snake_case columns; bigint ids as strings): each is declared
 * as an object of the view it comes from, its columns listed in docs/alerts.md.
 */
import { Type } from 'typebox';
import { Id, INT4_MAX, Text } from './common.js';

export { AckBody, AlertPatch, TemplateBody, TemplateName } from '@pharos/backend/alerts/admin-shapes';
export { DeliveryFilter, EmailGroupBody, SmtpBody, WebhookBody } from '@pharos/backend/notify/admin-shapes';

/** A row of a backend view, passed through (snake_case columns). */
export const Row = (view: string) =>
  Type.Object({}, { additionalProperties: true, description: `a row of ${view} (snake_case columns)` });

/** Query of GET /api/alert-admin/alerts. */
export const AlertListQuery = Type.Object(
  {
    state: Type.Optional(
      Type.String({
        pattern: '^(none|low|medium|high)(,(none|low|medium|high))*$',
        description: 'e.g. low,medium,high',
      }),
    ),
    template: Type.Optional(Text({ maxLength: 200 })),
    agentId: Type.Optional(Id()),
    serverId: Type.Optional(Id()),
    problems: Type.Optional(Type.Boolean({ description: 'only alerts with a problem' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })),
  },
  { additionalProperties: false },
);

/** Query of GET /api/alert-admin/history. */
export const HistoryQuery = Type.Object(
  { alertId: Type.Optional(Id()), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })) },
  { additionalProperties: false },
);

/** Query of GET /api/alert-admin/problems. */
export const ProblemsQuery = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })) },
  { additionalProperties: false },
);

/** An alert with its recent history (GET /api/alert-admin/alerts/:id). */
export const AlertDetail = Type.Object(
  { history: Type.Array(Row("pem.alert_history with the alert's template, agent_id, server_id, object")) },
  { additionalProperties: true, description: 'a row of pem.alert_overview and its latest history' },
);

/** Answer of POST /api/alert-admin/alerts/:id/ack. */
export const AckAnswer = Type.Object({ acknowledged: Type.Literal(true) });
/** Answer of PUT /api/alert-admin/templates/:name. */
export const SavedTemplate = Type.Object({ saved: Type.String() });
/** Answer of DELETE /api/alert-admin/templates/:name. */
export const DeletedTemplate = Type.Object({ deleted: Type.String() });
/** Answer of a create or change: the row's id. */
export const IdAnswer = Type.Object({ id: Type.Integer({ maximum: INT4_MAX }) });
/** Answer of DELETE /api/alert-admin/webhooks/:id. */
export const DeletedId = Type.Object({ deleted: Type.Integer() });
/** Answer of POST /api/alert-admin/webhooks/:id/test and /api/alert-admin/email-groups/:id/test. */
export const TestAnswer = Type.Object({
  deliveryId: Type.Integer({ description: 'follow it in /api/alert-admin/deliveries/:id' }),
});
/** Answer of PUT /api/alert-admin/smtp. */
export const SmtpSaved = Type.Object({ saved: Type.Literal(true) });
/** Answer of POST /api/alert-admin/deliveries/:id/requeue. */
export const RequeuedAnswer = Type.Object({ requeued: Type.Integer() });

/** Answer of GET /api/alert-admin/deliveries/:id. */
export const DeliveryDetail = Type.Object({
  delivery: Row('pem.notification_delivery'),
  attempts: Type.Array(Row('pem.notification_attempt')),
});
