/**
 * Notification administration routes (issue 8), under `/api/alert-admin/`:
 * webhooks and email groups (each with a test notification), SMTP settings, delivery
 * history with attempts, requeue of a failed delivery. Reads for every
 * logged-in user (secrets are never returned), writes for pem_admin members.
 * Work done by @pharos/backend/notify/admin-* (docs/alerts.md), whose inputs
 * are declared once in admin-shapes.ts. Register with
 * {@link registerAlertNotifyAdminRoutes}.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  deliveryAttempts,
  getDelivery,
  listDeliveries,
  requeueDelivery,
} from '@pharos/backend/notify/admin-deliveries';
import {
  deleteWebhook,
  getSmtpSettings,
  listEmailGroups,
  listWebhooks,
  saveEmailGroup,
  saveSmtpSettings,
  saveWebhook,
  testEmailGroup,
  testWebhook,
} from '@pharos/backend/notify/admin-targets';
import { pharosError } from '@pharos/core/errors';
import type { Queryable } from '@pharos/core/query';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { requireAdmin, requireSession } from '../auth/guard.js';
import type { SessionStore } from '../auth/session-store.js';
import { withFailoverRetry } from '../backend.js';
import {
  DeletedId,
  DeliveryDetail,
  DeliveryFilter,
  EmailGroupBody,
  IdAnswer,
  RequeuedAnswer,
  Row,
  SmtpBody,
  SmtpSaved,
  TestAnswer,
  WebhookBody,
} from './shapes/admin.js';
import { authErrorResponses, IdParams, NoBody } from './shapes/common.js';

const tags = ['notifications'];

/** Registers the webhook, email, SMTP and delivery routes on `app`. */
export function registerAlertNotifyAdminRoutes(
  app: FastifyInstance,
  db: Queryable,
  store: SessionStore,
): void {
  const session = requireSession(store);
  const admin = [session, requireAdmin];
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '/api/alert-admin/webhooks',
    {
      schema: {
        summary: 'Webhooks (header names only; the URL as scheme://host[:port], whole for administrators)',
        tags,
        response: { 200: Type.Array(Row('pem.webhook_public')), ...authErrorResponses },
      },
      preHandler: session,
    },
    async (req) =>
      withFailoverRetry(() => listWebhooks(db, { withUrl: req.pharosSession!.isAdmin }), {
        logger: req.log,
        what: 'list webhooks',
      }),
  );
  api.post(
    '/api/alert-admin/webhooks',
    {
      schema: {
        summary: 'Create a webhook; 400 {code, error, field}',
        tags,
        body: WebhookBody,
        response: { 200: IdAnswer, ...authErrorResponses },
      },
      preHandler: admin,
    },
    async (req) => ({ id: await saveWebhook(db, { ...req.body, id: undefined }) }),
  );
  api.put(
    '/api/alert-admin/webhooks/:id',
    {
      schema: {
        summary: 'Change a webhook (headers omitted = kept); 400 {code, error, field}',
        tags,
        params: IdParams,
        body: WebhookBody,
        response: { 200: IdAnswer, ...authErrorResponses },
      },
      preHandler: admin,
    },
    async (req) => ({ id: await saveWebhook(db, { ...req.body, id: req.params.id }) }),
  );
  api.delete(
    '/api/alert-admin/webhooks/:id',
    {
      schema: {
        summary: 'Delete a webhook (its delivery history stays)',
        tags,
        params: IdParams,
        response: { 200: DeletedId, ...authErrorResponses },
      },
      preHandler: admin,
    },
    async (req) => {
      if (!(await deleteWebhook(db, req.params.id)))
        throw pharosError('PHAROS_WEBHOOK_NOT_FOUND', { id: req.params.id });
      return { deleted: req.params.id };
    },
  );
  api.post(
    '/api/alert-admin/webhooks/:id/test',
    {
      schema: {
        summary:
          'Queue a test notification (enabled webhooks only: 400 field enabled otherwise); follow it in /api/alert-admin/deliveries',
        tags,
        params: IdParams,
        body: NoBody,
        response: { 200: TestAnswer, ...authErrorResponses },
      },
      preHandler: admin,
    },
    async (req) => {
      const deliveryId = await testWebhook(db, req.params.id, req.pharosSession!.roleName);
      return { deliveryId };
    },
  );

  api.get(
    '/api/alert-admin/email-groups',
    {
      schema: {
        summary: 'Email groups',
        tags,
        response: { 200: Type.Array(Row('pem.email_group')), ...authErrorResponses },
      },
      preHandler: session,
    },
    async (req) =>
      withFailoverRetry(() => listEmailGroups(db), { logger: req.log, what: 'list email groups' }),
  );
  api.post(
    '/api/alert-admin/email-groups',
    {
      schema: {
        summary: 'Create an email group; 400 {code, error, field}',
        tags,
        body: EmailGroupBody,
        response: { 200: IdAnswer, ...authErrorResponses },
      },
      preHandler: admin,
    },
    async (req) => ({ id: await saveEmailGroup(db, { ...req.body, id: undefined }) }),
  );
  api.put(
    '/api/alert-admin/email-groups/:id',
    {
      schema: {
        summary: 'Change an email group; 400 {code, error, field}',
        tags,
        params: IdParams,
        body: EmailGroupBody,
        response: { 200: IdAnswer, ...authErrorResponses },
      },
      preHandler: admin,
    },
    async (req) => ({ id: await saveEmailGroup(db, { ...req.body, id: req.params.id }) }),
  );
  api.post(
    '/api/alert-admin/email-groups/:id/test',
    {
      schema: {
        summary:
          'Queue a test email to the group (409 PHAROS_SMTP_NOT_CONFIGURED without SMTP settings); follow it in /api/alert-admin/deliveries',
        tags,
        params: IdParams,
        body: NoBody,
        response: { 200: TestAnswer, ...authErrorResponses },
      },
      preHandler: admin,
    },
    async (req) => {
      const deliveryId = await testEmailGroup(db, req.params.id, req.pharosSession!.roleName);
      return { deliveryId };
    },
  );

  api.get(
    '/api/alert-admin/smtp',
    {
      schema: {
        summary: 'SMTP settings (password_set, never the password); {} when none are saved',
        tags,
        response: { 200: Row('pem.smtp_settings_public'), ...authErrorResponses },
      },
      preHandler: session,
    },
    async (req) =>
      (await withFailoverRetry(() => getSmtpSettings(db), { logger: req.log, what: 'smtp settings' })) ?? {},
  );
  api.put(
    '/api/alert-admin/smtp',
    {
      schema: {
        summary: 'Save SMTP settings (password omitted = kept); 400 {code, error, field}',
        tags,
        body: SmtpBody,
        response: { 200: SmtpSaved, ...authErrorResponses },
      },
      preHandler: admin,
    },
    async (req) => {
      await saveSmtpSettings(db, req.body);
      req.log.info({ by: req.pharosSession!.roleName, host: req.body.host }, 'SMTP settings saved');
      return { saved: true as const };
    },
  );

  api.get(
    '/api/alert-admin/deliveries',
    {
      schema: {
        summary: 'Notifications and their delivery status, newest first',
        tags,
        querystring: DeliveryFilter,
        response: { 200: Type.Array(Row('pem.notification_delivery')), ...authErrorResponses },
      },
      preHandler: session,
    },
    async (req) =>
      withFailoverRetry(() => listDeliveries(db, req.query), { logger: req.log, what: 'list deliveries' }),
  );
  api.get(
    '/api/alert-admin/deliveries/:id',
    {
      schema: {
        summary: 'One notification and its attempts: {delivery, attempts} (follow a test webhook with it)',
        tags,
        params: IdParams,
        response: { 200: DeliveryDetail, ...authErrorResponses },
      },
      preHandler: session,
    },
    async (req) => {
      const d = await withFailoverRetry(() => getDelivery(db, req.params.id), {
        logger: req.log,
        what: 'get delivery',
      });
      if (!d) throw pharosError('PHAROS_DELIVERY_NOT_FOUND', { id: req.params.id });
      return d;
    },
  );
  api.get(
    '/api/alert-admin/deliveries/:id/attempts',
    {
      schema: {
        summary: 'The attempts of one notification, in order',
        tags,
        params: IdParams,
        response: { 200: Type.Array(Row('pem.notification_attempt')), ...authErrorResponses },
      },
      preHandler: session,
    },
    async (req) =>
      withFailoverRetry(() => deliveryAttempts(db, req.params.id), {
        logger: req.log,
        what: 'delivery attempts',
      }),
  );
  api.post(
    '/api/alert-admin/deliveries/:id/requeue',
    {
      schema: {
        summary: 'Queue a failed notification again; 409 when it is not failed',
        tags,
        params: IdParams,
        body: NoBody,
        response: { 200: RequeuedAnswer, ...authErrorResponses },
      },
      preHandler: admin,
    },
    async (req) => {
      if (!(await requeueDelivery(db, req.params.id))) throw pharosError('PHAROS_DELIVERY_NOT_FAILED');
      return { requeued: req.params.id };
    },
  );
}
