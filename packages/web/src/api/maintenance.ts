/**
 * Maintenance windows (issue 18; docs/web-api.md "Maintenance windows",
 * docs/maintenance.md): every logged-in user reads, pem_admin members start
 * and stop. The work is done by @pharos/backend/maintenance/windows (SQL
 * functions that check every field and write nothing on error).
 *
 * - `GET /api/maintenance?all=`: active and scheduled windows (all: stopped
 *   and past ones too), newest first.
 * - `GET /api/maintenance/:id`: one window.
 * - `POST /api/maintenance` (admin): start one; 201 with the window. A field
 *   that is not valid answers 400 PHAROS_MAINTENANCE_INVALID naming it; an
 *   unknown server or agent 404.
 * - `POST /api/maintenance/:id/stop` (admin): stop it now; 409
 *   PHAROS_MAINTENANCE_STATE when already stopped or over, 404 when none.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  getMaintenance,
  listMaintenance,
  type MaintenanceSpec,
  startMaintenance,
  stopMaintenance,
} from '@pharos/backend/maintenance/windows';
import type { Queryable } from '@pharos/core/query';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { requireAdmin, requireSession } from '../auth/guard.js';
import type { SessionStore } from '../auth/session-store.js';
import { withFailoverRetry, withoutRetry } from '../backend.js';
import { authErrorResponses, IdParams, NoBody } from './shapes/common.js';
import {
  MaintenanceListQuery,
  MaintenanceStartBody,
  MaintenanceStopped,
  MaintenanceWindow,
} from './shapes/maintenance.js';

/** Registers the /api/maintenance routes on `app`. */
export function registerMaintenanceRoutes(app: FastifyInstance, db: Queryable, store: SessionStore): void {
  const session = requireSession(store);
  const admin = [session, requireAdmin];
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '/api/maintenance',
    {
      schema: {
        summary: 'Maintenance windows: active and scheduled ones (all: the stopped and past ones too)',
        tags: ['maintenance'],
        querystring: MaintenanceListQuery,
        response: { 200: Type.Array(MaintenanceWindow), ...authErrorResponses },
      },
      preHandler: session,
    },
    async (req) =>
      withFailoverRetry(() => listMaintenance(db, { all: req.query.all === true }), {
        logger: req.log,
        what: 'list maintenance windows',
      }),
  );

  api.get(
    '/api/maintenance/:id',
    {
      schema: {
        summary: 'One maintenance window',
        tags: ['maintenance'],
        params: IdParams,
        response: { 200: MaintenanceWindow, ...authErrorResponses },
      },
      preHandler: session,
    },
    async (req) =>
      withFailoverRetry(() => getMaintenance(db, req.params.id), {
        logger: req.log,
        what: 'read a maintenance window',
      }),
  );

  api.post(
    '/api/maintenance',
    {
      schema: {
        summary:
          'Start a maintenance window: alerts on what it covers are recorded but notify nobody while it lasts',
        tags: ['maintenance'],
        body: MaintenanceStartBody,
        response: { 201: MaintenanceWindow, ...authErrorResponses },
      },
      preHandler: admin,
    },
    async (req, reply) => {
      const actor = req.pharosSession!.roleName;
      const w = await withoutRetry(() => startMaintenance(db, actor, req.body as MaintenanceSpec));
      req.log.info(
        { actor, window: w.id, target: w.target, schedule: w.schedule, reason: w.reason },
        'maintenance window started',
      );
      return reply.code(201).send(w);
    },
  );

  api.post(
    '/api/maintenance/:id/stop',
    {
      schema: {
        summary: 'Stop a maintenance window now (alerts still raised notify at their next evaluation)',
        tags: ['maintenance'],
        params: IdParams,
        body: NoBody,
        response: { 200: MaintenanceStopped, ...authErrorResponses },
      },
      preHandler: admin,
    },
    async (req) => {
      const actor = req.pharosSession!.roleName;
      const r = await withoutRetry(() => stopMaintenance(db, actor, req.params.id));
      req.log.info({ actor, window: req.params.id, wasActive: r.wasActive }, 'maintenance window stopped');
      return r;
    },
  );
}
