/**
 * Notification administration routes (issue 8), under `/api/alert-admin/`:
 * webhooks (and a test notification), email groups, SMTP settings, delivery
 * history with attempts, requeue of a failed delivery. Reads for every
 * logged-in user (secrets are never returned), writes for pem_admin members.
 * Work done by @pharos/backend/notify/admin-* (docs/alerts.md). Register with
 * {@link registerAlertNotifyAdminRoutes}.
 */
import {
  deliveryAttempts,
  getDelivery,
  listDeliveries,
  requeueDelivery,
} from '@pharos/backend/notify/admin-deliveries';
import {
  deleteWebhook,
  type EmailGroupInput,
  getSmtpSettings,
  listEmailGroups,
  listWebhooks,
  type SmtpInput,
  saveEmailGroup,
  saveSmtpSettings,
  saveWebhook,
  testWebhook,
  type WebhookInput,
} from '@pharos/backend/notify/admin-targets';
import type { FastifyInstance } from 'fastify';
import { requireAdmin, requireSession } from '../auth/guard.js';
import type { SessionStore } from '../auth/session-store.js';
import { type Backend, withFailoverRetry } from '../backend.js';
import { webhookBodySchema } from './alert-admin-schemas.js';

const idParams = {
  type: 'object',
  properties: { id: { type: 'integer', minimum: 1 } },
  required: ['id'],
} as const;
const tags = ['notifications'];

/** Registers the webhook, email, SMTP and delivery routes on `app`. */
export function registerAlertNotifyAdminRoutes(app: FastifyInstance, db: Backend, store: SessionStore): void {
  const session = requireSession(store);
  const admin = [session, requireAdmin];

  app.get(
    '/api/alert-admin/webhooks',
    { schema: { summary: 'Webhooks (header names only)', tags }, preHandler: session },
    async (req) => withFailoverRetry(() => listWebhooks(db), { logger: req.log, what: 'list webhooks' }),
  );
  app.post<{ Body: WebhookInput }>(
    '/api/alert-admin/webhooks',
    {
      schema: { summary: 'Create a webhook; 400 {error, field}', tags, body: webhookBodySchema },
      preHandler: admin,
    },
    async (req) => ({
      id: await saveWebhook(db, { ...req.body, id: undefined }),
    }),
  );
  app.put<{ Params: { id: number }; Body: WebhookInput }>(
    '/api/alert-admin/webhooks/:id',
    {
      schema: {
        summary: 'Change a webhook (headers omitted = kept); 400 {error, field}',
        tags,
        params: idParams,
        body: webhookBodySchema,
      },
      preHandler: admin,
    },
    async (req) => ({ id: await saveWebhook(db, { ...req.body, id: req.params.id }) }),
  );
  app.delete<{ Params: { id: number } }>(
    '/api/alert-admin/webhooks/:id',
    { schema: { tags, params: idParams }, preHandler: admin },
    async (req, reply) =>
      (await deleteWebhook(db, req.params.id))
        ? { deleted: req.params.id }
        : reply.code(404).send({ error: `there is no webhook ${req.params.id}` }),
  );
  app.post<{ Params: { id: number } }>(
    '/api/alert-admin/webhooks/:id/test',
    {
      schema: {
        summary:
          'Queue a test notification (enabled webhooks only: 400 field enabled otherwise); follow it in /api/alert-admin/deliveries',
        tags,
        params: idParams,
      },
      preHandler: admin,
    },
    async (req, reply) => {
      const deliveryId = await testWebhook(db, req.params.id, req.pharosSession!.roleName);
      return deliveryId === undefined
        ? reply.code(404).send({ error: `there is no webhook ${req.params.id}` })
        : { deliveryId };
    },
  );

  app.get('/api/alert-admin/email-groups', { schema: { tags }, preHandler: session }, async (req) =>
    withFailoverRetry(() => listEmailGroups(db), { logger: req.log, what: 'list email groups' }),
  );
  app.post<{ Body: EmailGroupInput }>(
    '/api/alert-admin/email-groups',
    { schema: { tags, body: { type: 'object' } }, preHandler: admin },
    async (req) => ({
      id: await saveEmailGroup(db, { ...req.body, id: undefined }),
    }),
  );
  app.put<{ Params: { id: number }; Body: EmailGroupInput }>(
    '/api/alert-admin/email-groups/:id',
    { schema: { tags, params: idParams, body: { type: 'object' } }, preHandler: admin },
    async (req) => ({ id: await saveEmailGroup(db, { ...req.body, id: req.params.id }) }),
  );

  app.get(
    '/api/alert-admin/smtp',
    { schema: { summary: 'SMTP settings (password_set, never the password)', tags }, preHandler: session },
    async (req) =>
      (await withFailoverRetry(() => getSmtpSettings(db), { logger: req.log, what: 'smtp settings' })) ?? {},
  );
  app.put<{ Body: SmtpInput }>(
    '/api/alert-admin/smtp',
    {
      schema: { summary: 'Save SMTP settings (password omitted = kept)', tags, body: { type: 'object' } },
      preHandler: admin,
    },
    async (req) => {
      await saveSmtpSettings(db, req.body);
      req.log.info({ by: req.pharosSession!.roleName, host: req.body.host }, 'SMTP settings saved');
      return { saved: true };
    },
  );

  app.get<{
    Querystring: {
      status?: 'pending' | 'delivered' | 'failed';
      channel?: 'webhook' | 'email';
      webhookId?: number;
      alertId?: number;
      limit?: number;
    };
  }>(
    '/api/alert-admin/deliveries',
    {
      schema: {
        summary: 'Notifications and their delivery status, newest first',
        tags,
        querystring: {
          type: 'object',
          properties: {
            status: { type: 'string', enum: ['pending', 'delivered', 'failed'] },
            channel: { type: 'string', enum: ['webhook', 'email'] },
            webhookId: { type: 'integer' },
            alertId: { type: 'integer' },
            limit: { type: 'integer', minimum: 1, maximum: 5000 },
          },
          additionalProperties: false,
        },
      },
      preHandler: session,
    },
    async (req) =>
      withFailoverRetry(() => listDeliveries(db, req.query), { logger: req.log, what: 'list deliveries' }),
  );
  app.get<{ Params: { id: number } }>(
    '/api/alert-admin/deliveries/:id',
    {
      schema: {
        summary: 'One notification and its attempts: {delivery, attempts} (follow a test webhook with it)',
        tags,
        params: idParams,
      },
      preHandler: session,
    },
    async (req, reply) => {
      const d = await withFailoverRetry(() => getDelivery(db, req.params.id), {
        logger: req.log,
        what: 'get delivery',
      });
      return d ?? reply.code(404).send({ error: `there is no notification ${req.params.id}` });
    },
  );
  app.get<{ Params: { id: number } }>(
    '/api/alert-admin/deliveries/:id/attempts',
    { schema: { tags, params: idParams }, preHandler: session },
    async (req) =>
      withFailoverRetry(() => deliveryAttempts(db, req.params.id), {
        logger: req.log,
        what: 'delivery attempts',
      }),
  );
  app.post<{ Params: { id: number } }>(
    '/api/alert-admin/deliveries/:id/requeue',
    { schema: { tags, params: idParams }, preHandler: admin },
    async (req, reply) =>
      (await requeueDelivery(db, req.params.id))
        ? { requeued: req.params.id }
        : reply.code(409).send({ error: 'only failed deliveries can be requeued' }),
  );
}
