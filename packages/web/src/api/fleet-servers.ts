/**
 * Monitored servers (issue 14; docs/web-api.md "Fleet"): every logged-in
 * user reads, pem_admin members change. The work is done by
 * @pharos/backend/fleet/* (SQL functions that check every field and write
 * nothing on error, answered 400/404/409 naming the field).
 *
 * - `GET /api/servers?tag=a,b`: every server with its settings and what was
 *   last observed (role, up, newest sample).
 * - `POST /api/servers/test` (admin): the agent named tests the connection
 *   as it would monitor it; 200 with the result whatever it finds.
 * - `POST /api/servers/prepare` (admin): what the server needs (role, HBA
 *   rule, passfile line, TLS) for that agent.
 * - `POST /api/servers` (admin): tests from the agent, then adds; a failed
 *   test answers 422 with the test's sentence, its field and the result,
 *   and nothing is written (`"test": false` skips the test).
 * - `PATCH /api/servers/:id` (admin): changes fields; a change of how the
 *   agent connects is tested first, as for an add.
 * - `POST /api/servers/:id/test` (admin): tests a registered server's
 *   connection from its agent.
 * - `DELETE /api/servers/:id?purgeHistory=` (admin): removes it and its
 *   binding, alerts and state; history kept until retention unless purged.
 *   A second removal answers 404.
 */
import { listAgents } from '@pharos/backend/fleet/agents';
import {
  fieldOfCause,
  type TestConnectionResult,
  testServerConnection,
} from '@pharos/backend/fleet/connection-test';
import { prepareServer } from '@pharos/backend/fleet/prepare';
import {
  addServer,
  changesConnection,
  getServer,
  listServers,
  removeServer,
  SERVER_DEFAULTS,
  type ServerChanges,
  type ServerConnection,
  type ServerSpec,
  type Sslmode,
  setServer,
} from '@pharos/backend/fleet/servers';
import { NotFoundError } from '@pharos/core/errors';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { requireAdmin, requireSession } from '../auth/guard.js';
import type { SessionStore } from '../auth/session-store.js';
import { type Backend, withFailoverRetry, withoutRetry } from '../backend.js';
import {
  monitoredServerSchema,
  preparationSchema,
  serverAddBodySchema,
  serverChangedSchema,
  serverConnectionBodySchema,
  serverListQuerySchema,
  serverPrepareBodySchema,
  serverRemovedSchema,
  serverRemoveQuerySchema,
  serverSetBodySchema,
  testConnectionResultSchema,
  testFailedSchema,
} from './fleet-schemas.js';
import { authErrorResponses, errorSchema } from './schemas.js';
import { serverIdParamsSchema } from './series-schemas.js';

type ConnectionBody = {
  host: string;
  port?: number;
  maintenanceDb?: string;
  user: string;
  sslmode?: Sslmode;
  sslrootcert?: string | null;
  agentId: number;
};

function connectionOf(b: ConnectionBody): ServerConnection {
  return {
    host: b.host,
    port: b.port ?? SERVER_DEFAULTS.port,
    maintenanceDb: b.maintenanceDb ?? SERVER_DEFAULTS.maintenanceDb,
    user: b.user,
    sslmode: b.sslmode ?? SERVER_DEFAULTS.sslmode,
    sslrootcert: b.sslrootcert ?? null,
    agentId: b.agentId,
  };
}

/** Answers 422 for a failed test (nothing written): the sentence, the field it points at, the result. */
function testFailed(reply: FastifyReply, test: TestConnectionResult) {
  const field = fieldOfCause(test.cause);
  return reply.code(422).send({ error: test.message, ...(field ? { field } : {}), test });
}

const testServerConnectionOnce = (db: Backend, actor: string, c: ServerConnection) =>
  withoutRetry(() => testServerConnection(db, actor, c));

const changeErrors = { 400: errorSchema, 404: errorSchema, 409: errorSchema, 422: testFailedSchema };

/** Registers the /api/servers fleet routes on `app` (GET /api/servers/:id stays in server.ts). */
export function registerFleetServerRoutes(app: FastifyInstance, db: Backend, store: SessionStore): void {
  const session = requireSession(store);
  const admin = [session, requireAdmin];

  app.get<{ Querystring: { tag?: string } }>(
    '/api/servers',
    {
      schema: {
        summary: 'Monitored servers with their settings and what was last observed',
        tags: ['fleet'],
        querystring: serverListQuerySchema,
        response: {
          200: { type: 'array', items: monitoredServerSchema },
          400: errorSchema,
          ...authErrorResponses,
        },
      },
      preHandler: session,
    },
    async (req) => {
      const tags = (req.query.tag ?? '').split(',').filter((t) => t !== '');
      return withFailoverRetry(() => listServers(db, { tags }), { logger: req.log, what: 'list servers' });
    },
  );

  app.post<{ Body: ConnectionBody }>(
    '/api/servers/test',
    {
      schema: {
        summary: 'Test a connection from the agent that would monitor the server (nothing is written)',
        tags: ['fleet'],
        body: serverConnectionBodySchema,
        response: {
          200: testConnectionResultSchema,
          400: errorSchema,
          404: errorSchema,
          ...authErrorResponses,
        },
      },
      preHandler: admin,
    },
    async (req) =>
      withoutRetry(() => testServerConnection(db, req.pharosSession!.roleName, connectionOf(req.body))),
  );

  app.post<{ Body: ConnectionBody }>(
    '/api/servers/prepare',
    {
      schema: {
        summary: 'What a server needs before the agent can monitor it: role, HBA rule, passfile line, TLS',
        tags: ['fleet'],
        body: serverPrepareBodySchema,
        response: { 200: preparationSchema, 400: errorSchema, 404: errorSchema, ...authErrorResponses },
      },
      preHandler: admin,
    },
    async (req) => {
      const c = connectionOf(req.body);
      const agent = (await withoutRetry(() => listAgents(db))).find((a) => a.id === c.agentId);
      if (!agent) throw new NotFoundError(`agentId: there is no agent ${c.agentId}`, { field: 'agentId' });
      return prepareServer({ ...c, agent });
    },
  );

  app.post<{
    Body: ConnectionBody & { displayName: string; tags?: string[]; notes?: string; test?: boolean };
  }>(
    '/api/servers',
    {
      schema: {
        summary: 'Add a monitored server: tested from its agent first, nothing written if the test fails',
        tags: ['fleet'],
        body: serverAddBodySchema,
        response: { 201: serverChangedSchema, ...changeErrors, ...authErrorResponses },
      },
      preHandler: admin,
    },
    async (req, reply) => {
      const actor = req.pharosSession!.roleName;
      const spec: ServerSpec = {
        ...connectionOf(req.body),
        displayName: req.body.displayName,
        tags: req.body.tags ?? [],
        notes: req.body.notes ?? '',
      };
      let test: TestConnectionResult | null = null;
      if (req.body.test !== false) {
        test = await withoutRetry(() => testServerConnection(db, actor, spec));
        if (!test.ok) return testFailed(reply, test);
      }
      const id = await withoutRetry(() => addServer(db, actor, spec));
      req.log.info(
        { actor, server: id, displayName: spec.displayName, tested: test !== null },
        'server added',
      );
      return reply.code(201).send({ server: await withoutRetry(() => getServer(db, id)), test });
    },
  );

  app.patch<{ Params: { id: number }; Body: ServerChanges & { test?: boolean } }>(
    '/api/servers/:id',
    {
      schema: {
        summary: 'Change a monitored server; a change of how its agent connects is tested first',
        tags: ['fleet'],
        params: serverIdParamsSchema,
        body: serverSetBodySchema,
        response: { 200: serverChangedSchema, ...changeErrors, ...authErrorResponses },
      },
      preHandler: admin,
    },
    async (req, reply) => {
      const actor = req.pharosSession!.roleName;
      const { test: wantTest, ...changes } = req.body;
      const current = await withoutRetry(() => getServer(db, req.params.id));
      let test: TestConnectionResult | null = null;
      if (wantTest !== false && changesConnection(changes) && !current.isPemBackend) {
        if (current.agentId === null && changes.agentId === undefined) {
          // unbound: nothing to test from
        } else {
          test = await testServerConnectionOnce(db, actor, {
            host: changes.host ?? current.host,
            port: changes.port ?? current.port,
            maintenanceDb: changes.maintenanceDb ?? current.maintenanceDb,
            user: changes.user ?? current.user,
            sslmode: changes.sslmode ?? current.sslmode,
            sslrootcert: changes.sslrootcert === undefined ? current.sslrootcert : changes.sslrootcert,
            agentId: changes.agentId ?? (current.agentId as number),
          });
          if (!test.ok) return testFailed(reply, test);
        }
      }
      await withoutRetry(() => setServer(db, actor, req.params.id, changes));
      req.log.info({ actor, server: req.params.id, fields: Object.keys(changes) }, 'server changed');
      return { server: await withoutRetry(() => getServer(db, req.params.id)), test };
    },
  );

  app.post<{ Params: { id: number } }>(
    '/api/servers/:id/test',
    {
      schema: {
        summary: 'Test a monitored server’s connection from its agent',
        tags: ['fleet'],
        params: serverIdParamsSchema,
        response: {
          200: testConnectionResultSchema,
          404: errorSchema,
          409: errorSchema,
          ...authErrorResponses,
        },
      },
      preHandler: admin,
    },
    async (req) => {
      const s = await withoutRetry(() => getServer(db, req.params.id));
      if (s.agentId === null)
        throw new NotFoundError(`server ${s.id} (${s.displayName}) has no agent: set one first`, {
          field: 'agentId',
        });
      return testServerConnectionOnce(db, req.pharosSession!.roleName, { ...s, agentId: s.agentId });
    },
  );

  app.delete<{ Params: { id: number }; Querystring: { purgeHistory?: boolean } }>(
    '/api/servers/:id',
    {
      schema: {
        summary:
          'Remove a monitored server: binding, alerts and state; history kept until retention unless purged',
        tags: ['fleet'],
        params: serverIdParamsSchema,
        querystring: serverRemoveQuerySchema,
        response: { 200: serverRemovedSchema, 404: errorSchema, 409: errorSchema, ...authErrorResponses },
      },
      preHandler: admin,
    },
    async (req) => {
      const actor = req.pharosSession!.roleName;
      const removed = await withoutRetry(() =>
        removeServer(db, actor, req.params.id, req.query.purgeHistory === true),
      );
      req.log.info({ actor, ...removed }, 'server removed');
      return removed;
    },
  );
}
