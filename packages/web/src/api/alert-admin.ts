/**
 * Alert administration routes (issue 8), under `/api/alert-admin/`: list,
 * show, configure and acknowledge alerts; history; problems of the alerting
 * system; templates. Reads for every logged-in user, writes for pem_admin
 * members (requireAdmin). The work is done by @pharos/backend/alerts/admin-*
 * (docs/alerts.md); bad input there is an InputError, answered 400 by the
 * app's error handler. Register with {@link registerAlertAdminRoutes}.
 */
import {
  type AlertPatch,
  acknowledgeAlert,
  alertHistory,
  getAlert,
  listAlerts,
  listProblems,
  updateAlert,
} from '@pharos/backend/alerts/admin-alerts';
import {
  deleteTemplate,
  listTemplates,
  saveTemplate,
  TEMPLATE_CHECK_TIMEOUT_MS,
  type TemplateInput,
} from '@pharos/backend/alerts/admin-templates';
import type { FastifyInstance } from 'fastify';
import { requireAdmin, requireSession } from '../auth/guard.js';
import type { SessionStore } from '../auth/session-store.js';
import { type Backend, withFailoverRetry, withoutRetry } from '../backend.js';
import { alertPatchSchema } from './alert-admin-schemas.js';

const idParams = {
  type: 'object',
  properties: { id: { type: 'integer', minimum: 1 } },
  required: ['id'],
} as const;

/** Registers the alert and template routes on `app`. */
export function registerAlertAdminRoutes(app: FastifyInstance, db: Backend, store: SessionStore): void {
  const session = requireSession(store);
  const admin = [session, requireAdmin];
  const read = <T>(
    what: string,
    log: Parameters<typeof withFailoverRetry>[1]['logger'],
    fn: () => Promise<T>,
  ) => withFailoverRetry(fn, { logger: log, what });

  app.get<{
    Querystring: {
      state?: string;
      template?: string;
      agentId?: number;
      serverId?: number;
      problems?: boolean;
      limit?: number;
    };
  }>(
    '/api/alert-admin/alerts',
    {
      schema: {
        summary: 'Alerts with their configuration and state; state is a comma list (e.g. low,medium,high)',
        tags: ['alerts'],
        querystring: {
          type: 'object',
          properties: {
            state: { type: 'string' },
            template: { type: 'string' },
            agentId: { type: 'integer' },
            serverId: { type: 'integer' },
            problems: { type: 'boolean' },
            limit: { type: 'integer', minimum: 1, maximum: 5000 },
          },
          additionalProperties: false,
        },
      },
      preHandler: session,
    },
    async (req) => {
      const q = req.query;
      return read('list alerts', req.log, () =>
        listAlerts(db, {
          ...(q.state ? { states: q.state.split(',') } : {}),
          ...(q.template ? { template: q.template } : {}),
          ...(q.agentId ? { agentId: q.agentId } : {}),
          ...(q.serverId ? { serverId: q.serverId } : {}),
          ...(q.problems ? { problemsOnly: true } : {}),
          ...(q.limit ? { limit: q.limit } : {}),
        }),
      );
    },
  );

  app.get<{ Params: { id: number } }>(
    '/api/alert-admin/alerts/:id',
    {
      schema: { summary: 'One alert with its recent history', tags: ['alerts'], params: idParams },
      preHandler: session,
    },
    async (req, reply) => {
      const a = await read('get alert', req.log, () => getAlert(db, req.params.id));
      return a ?? reply.code(404).send({ error: `there is no alert ${req.params.id}` });
    },
  );

  app.patch<{ Params: { id: number }; Body: AlertPatch }>(
    '/api/alert-admin/alerts/:id',
    {
      schema: {
        summary: 'Configure an alert (thresholds, interval, enabled, notifications); 400 {error, field}',
        tags: ['alerts'],
        params: idParams,
        body: alertPatchSchema,
      },
      preHandler: admin,
    },
    async (req) => {
      const row = await updateAlert(db, req.params.id, req.body);
      req.log.info(
        { alertId: req.params.id, by: req.pharosSession!.roleName, fields: Object.keys(req.body) },
        'alert configured',
      );
      return row;
    },
  );

  app.post<{ Params: { id: number }; Body: { note?: string } }>(
    '/api/alert-admin/alerts/:id/ack',
    {
      schema: {
        summary: 'Acknowledge a raised alert (no reminders until its state changes)',
        tags: ['alerts'],
        params: idParams,
      },
      preHandler: admin,
    },
    async (req, reply) => {
      const ok = await acknowledgeAlert(db, req.params.id, req.pharosSession!.roleName, req.body?.note);
      return ok ? { acknowledged: true } : reply.code(409).send({ error: 'the alert is not raised' });
    },
  );

  app.get<{ Querystring: { alertId?: number; limit?: number } }>(
    '/api/alert-admin/history',
    {
      schema: {
        summary: 'State changes, newest first',
        tags: ['alerts'],
        querystring: {
          type: 'object',
          properties: { alertId: { type: 'integer' }, limit: { type: 'integer', minimum: 1, maximum: 5000 } },
        },
      },
      preHandler: session,
    },
    async (req) =>
      read('alert history', req.log, () =>
        alertHistory(db, {
          ...(req.query.alertId ? { alertId: req.query.alertId } : {}),
          limit: req.query.limit ?? 200,
        }),
      ),
  );

  app.get<{ Querystring: { limit?: number } }>(
    '/api/alert-admin/problems',
    {
      schema: {
        summary: 'Template errors, timeouts, thresholds out of order, failed deliveries',
        tags: ['alerts'],
      },
      preHandler: session,
    },
    async (req) => read('alerting problems', req.log, () => listProblems(db, req.query.limit ?? 200)),
  );

  app.get(
    '/api/alert-admin/templates',
    { schema: { summary: 'Alert templates', tags: ['alerts'] }, preHandler: session },
    async (req) => read('list templates', req.log, () => listTemplates(db)),
  );

  app.put<{ Params: { name: string }; Body: Omit<TemplateInput, 'name'> }>(
    '/api/alert-admin/templates/:name',
    {
      schema: {
        summary: 'Create or change a template (its SQL is run once to check it)',
        tags: ['alerts'],
        body: { type: 'object' },
      },
      preHandler: admin,
    },
    async (req) => {
      // one transaction: the check's statement_timeout (SET LOCAL) and the write go together
      await withoutRetry(() =>
        db.transaction((tx) => saveTemplate(tx, { ...req.body, name: req.params.name }), {
          deadlineMs: TEMPLATE_CHECK_TIMEOUT_MS + 2000,
        }),
      );
      req.log.info({ template: req.params.name, by: req.pharosSession!.roleName }, 'alert template saved');
      return { saved: req.params.name };
    },
  );

  app.delete<{ Params: { name: string } }>(
    '/api/alert-admin/templates/:name',
    {
      schema: { summary: 'Delete a template that is not built in and not bound', tags: ['alerts'] },
      preHandler: admin,
    },
    async (req) => {
      await deleteTemplate(db, req.params.name);
      return { deleted: req.params.name };
    },
  );
}
