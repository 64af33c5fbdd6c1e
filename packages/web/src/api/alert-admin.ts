/**
 * Alert administration routes (issue 8), under `/api/alert-admin/`: list,
 * show, configure and acknowledge alerts; history; problems of the alerting
 * system; templates. Reads for every logged-in user, writes for pem_admin
 * members (requireAdmin). The work is done by @pharos/backend/alerts/admin-*
 * (docs/alerts.md), whose inputs are declared once in admin-shapes.ts; bad
 * input there is a catalogue error, answered 400 with its field by the app's
 * error handler. Register with {@link registerAlertAdminRoutes}.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
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
} from '@pharos/backend/alerts/admin-templates';
import { pharosError } from '@pharos/core/errors';
import type { Queryable, Transactional } from '@pharos/core/query';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { requireAdmin, requireSession } from '../auth/guard.js';
import type { SessionStore } from '../auth/session-store.js';
import { withFailoverRetry, withoutRetry } from '../backend.js';
import {
  AckAnswer,
  AckBody,
  AlertDetail,
  AlertListQuery,
  AlertPatch,
  DeletedTemplate,
  HistoryQuery,
  ProblemsQuery,
  Row,
  SavedTemplate,
  TemplateBody,
  TemplateName,
} from './shapes/admin.js';
import { authErrorResponses, IdParams } from './shapes/common.js';

const NameParams = Type.Object({ name: TemplateName }, { additionalProperties: false });

/** Registers the alert and template routes on `app`. */
export function registerAlertAdminRoutes(
  app: FastifyInstance,
  db: Queryable & Transactional,
  store: SessionStore,
): void {
  const session = requireSession(store);
  const admin = [session, requireAdmin];
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const read = <T>(what: string, req: FastifyRequest, fn: () => Promise<T>) =>
    withFailoverRetry(fn, { logger: req.log, what });
  const tags = ['alerts'];

  api.get(
    '/api/alert-admin/alerts',
    {
      schema: {
        summary: 'Alerts with their configuration and state; state is a comma list (e.g. low,medium,high)',
        tags,
        querystring: AlertListQuery,
        response: { 200: Type.Array(Row('pem.alert_overview')), ...authErrorResponses },
      },
      preHandler: session,
    },
    async (req) => {
      const q = req.query;
      return read('list alerts', req, () =>
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

  api.get(
    '/api/alert-admin/alerts/:id',
    {
      schema: {
        summary: 'One alert with its recent history',
        tags,
        params: IdParams,
        response: { 200: AlertDetail, ...authErrorResponses },
      },
      preHandler: session,
    },
    async (req) => {
      const a = await read('get alert', req, () => getAlert(db, req.params.id));
      if (!a) throw pharosError('PHAROS_ALERT_NOT_FOUND', { id: req.params.id });
      return a;
    },
  );

  api.patch(
    '/api/alert-admin/alerts/:id',
    {
      schema: {
        summary:
          'Configure an alert (thresholds, interval, enabled, notifications); 400 {code, error, field}',
        tags,
        params: IdParams,
        body: AlertPatch,
        response: { 200: Row('pem.alert_overview'), ...authErrorResponses },
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

  api.post(
    '/api/alert-admin/alerts/:id/ack',
    {
      schema: {
        summary:
          'Acknowledge a raised alert (no reminders until its state changes); 409 when it is not raised',
        tags,
        params: IdParams,
        body: Type.Union([AckBody, Type.Null()]),
        response: { 200: AckAnswer, ...authErrorResponses },
      },
      preHandler: admin,
    },
    async (req) => {
      const ok = await acknowledgeAlert(db, req.params.id, req.pharosSession!.roleName, req.body?.note);
      if (!ok) throw pharosError('PHAROS_ALERT_NOT_RAISED');
      return { acknowledged: true as const };
    },
  );

  api.get(
    '/api/alert-admin/history',
    {
      schema: {
        summary: 'State changes, newest first',
        tags,
        querystring: HistoryQuery,
        response: { 200: Type.Array(Row('pem.alert_history')), ...authErrorResponses },
      },
      preHandler: session,
    },
    async (req) =>
      read('alert history', req, () =>
        alertHistory(db, {
          ...(req.query.alertId ? { alertId: req.query.alertId } : {}),
          limit: req.query.limit ?? 200,
        }),
      ),
  );

  api.get(
    '/api/alert-admin/problems',
    {
      schema: {
        summary: 'Template errors, timeouts, thresholds out of order, failed deliveries',
        tags,
        querystring: ProblemsQuery,
        response: { 200: Type.Array(Row('pem.alerting_problems')), ...authErrorResponses },
      },
      preHandler: session,
    },
    async (req) => read('alerting problems', req, () => listProblems(db, req.query.limit ?? 200)),
  );

  api.get(
    '/api/alert-admin/templates',
    {
      schema: {
        summary: 'Alert templates',
        tags,
        response: { 200: Type.Array(Row('pem.alert_template')), ...authErrorResponses },
      },
      preHandler: session,
    },
    async (req) => read('list templates', req, () => listTemplates(db)),
  );

  api.put(
    '/api/alert-admin/templates/:name',
    {
      schema: {
        summary: 'Create or change a template (its SQL is run once to check it)',
        tags,
        params: NameParams,
        body: TemplateBody,
        response: { 200: SavedTemplate, ...authErrorResponses },
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

  api.delete(
    '/api/alert-admin/templates/:name',
    {
      schema: {
        summary: 'Delete a template that is not built in and not bound',
        tags,
        params: NameParams,
        response: { 200: DeletedTemplate, ...authErrorResponses },
      },
      preHandler: admin,
    },
    async (req) => {
      await deleteTemplate(db, req.params.name);
      return { deleted: req.params.name };
    },
  );
}
