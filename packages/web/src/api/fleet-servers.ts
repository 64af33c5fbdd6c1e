/**
 * Monitored servers (issue 14; docs/web-api.md "Fleet"): every logged-in
 * user reads, pem_admin members change. The work is done by
 * @pharos/backend/fleet/* (SQL functions that check every field and write
 * nothing on error, answered 400/404/409 with a catalogue code naming the field).
 *
 * - `GET /api/servers?tag=a,b`: every server with its settings and what was
 *   last observed (role, up, newest sample).
 * - `POST /api/servers/test` (admin): the agent named tests the connection
 *   as it would monitor it; 200 with the result whatever it finds.
 * - `POST /api/servers/prepare` (admin): what the server needs (role, HBA
 *   rule, passfile line, TLS) for that agent.
 * - `POST /api/servers` (admin): tests from the agent, then adds; a failed
 *   test answers 422 PHAROS_SERVER_TEST_FAILED with the test's sentence, its
 *   field and the result (`test`), and nothing is written (`"test": false`
 *   skips the test).
 * - `PATCH /api/servers/:id` (admin): changes fields; a change of how the
 *   agent connects is tested first, as for an add.
 * - `POST /api/servers/:id/test` (admin): tests a registered server's
 *   connection from its agent.
 * - `DELETE /api/servers/:id?purgeHistory=` (admin): removes it and its
 *   binding, alerts and state; history kept until retention unless purged.
 *   A second removal answers 404.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
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
  type ServerConnection,
  type ServerSpec,
  setServer,
} from '@pharos/backend/fleet/servers';
import { pharosError } from '@pharos/core/errors';
import type { Queryable } from '@pharos/core/query';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import { requireAdmin, requireSession } from '../auth/guard.js';
import type { SessionStore } from '../auth/session-store.js';
import { withFailoverRetry, withoutRetry } from '../backend.js';
import { authErrorResponses, NoBody } from './shapes/common.js';
import {
  MonitoredServer,
  Preparation,
  ServerAddBody,
  ServerChanged,
  ServerConnectionBody,
  ServerListQuery,
  ServerRemoved,
  ServerRemoveQuery,
  ServerSetBody,
  TestConnectionResult as TestConnectionResultShape,
  TestFailed,
} from './shapes/fleet-servers.js';
import { ServerIdParams } from './shapes/server.js';

function connectionOf(b: ServerConnectionBody): ServerConnection {
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

/**
 * Answers 422 PHAROS_SERVER_TEST_FAILED for a failed test (nothing written):
 * the test's sentence, the field it points at, and the result as `test`.
 */
function testFailed(reply: FastifyReply, test: TestConnectionResult) {
  const field = fieldOfCause(test.cause);
  const body: TestFailed = {
    code: 'PHAROS_SERVER_TEST_FAILED',
    error: test.message,
    ...(field ? { field } : {}),
    test,
  };
  return reply.code(422).send(body);
}

const testServerConnectionOnce = (db: Queryable, actor: string, c: ServerConnection) =>
  withoutRetry(() => testServerConnection(db, actor, c));

const changeErrors = { 422: TestFailed };

/** Registers the /api/servers fleet routes on `app` (GET /api/servers/:id stays in server.ts). */
export function registerFleetServerRoutes(app: FastifyInstance, db: Queryable, store: SessionStore): void {
  const session = requireSession(store);
  const admin = [session, requireAdmin];
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '/api/servers',
    {
      schema: {
        summary: 'Monitored servers with their settings and what was last observed',
        tags: ['fleet'],
        querystring: ServerListQuery,
        response: { 200: Type.Array(MonitoredServer), ...authErrorResponses },
      },
      preHandler: session,
    },
    async (req) => {
      const tags = (req.query.tag ?? '').split(',').filter((t) => t !== '');
      return withFailoverRetry(() => listServers(db, { tags }), { logger: req.log, what: 'list servers' });
    },
  );

  api.post(
    '/api/servers/test',
    {
      schema: {
        summary: 'Test a connection from the agent that would monitor the server (nothing is written)',
        tags: ['fleet'],
        body: ServerConnectionBody,
        response: { 200: TestConnectionResultShape, ...authErrorResponses },
      },
      preHandler: admin,
    },
    async (req) =>
      withoutRetry(() => testServerConnection(db, req.pharosSession!.roleName, connectionOf(req.body))),
  );

  api.post(
    '/api/servers/prepare',
    {
      schema: {
        summary: 'What a server needs before the agent can monitor it: role, HBA rule, passfile line, TLS',
        tags: ['fleet'],
        body: ServerConnectionBody,
        response: { 200: Preparation, ...authErrorResponses },
      },
      preHandler: admin,
    },
    async (req) => {
      const c = connectionOf(req.body);
      const agent = (await withoutRetry(() => listAgents(db))).find((a) => a.id === c.agentId);
      if (!agent)
        throw pharosError(
          'PHAROS_AGENT_NOT_FOUND',
          { detail: `agentId: there is no agent ${c.agentId}` },
          { field: 'agentId' },
        );
      return prepareServer({ ...c, agent });
    },
  );

  api.post(
    '/api/servers',
    {
      schema: {
        summary: 'Add a monitored server: tested from its agent first, nothing written if the test fails',
        tags: ['fleet'],
        body: ServerAddBody,
        response: { 201: ServerChanged, ...changeErrors, ...authErrorResponses },
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

  api.patch(
    '/api/servers/:id',
    {
      schema: {
        summary: 'Change a monitored server; a change of how its agent connects is tested first',
        tags: ['fleet'],
        params: ServerIdParams,
        body: ServerSetBody,
        response: { 200: ServerChanged, ...changeErrors, ...authErrorResponses },
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

  api.post(
    '/api/servers/:id/test',
    {
      schema: {
        summary: 'Test a monitored server’s connection from its agent',
        tags: ['fleet'],
        params: ServerIdParams,
        body: NoBody,
        response: { 200: TestConnectionResultShape, ...authErrorResponses },
      },
      preHandler: admin,
    },
    async (req) => {
      const s = await withoutRetry(() => getServer(db, req.params.id));
      if (s.agentId === null)
        throw pharosError('PHAROS_SERVER_NO_AGENT', { id: s.id, name: s.displayName }, { field: 'agentId' });
      return testServerConnectionOnce(db, req.pharosSession!.roleName, { ...s, agentId: s.agentId });
    },
  );

  api.delete(
    '/api/servers/:id',
    {
      schema: {
        summary:
          'Remove a monitored server: binding, alerts and state; history kept until retention unless purged',
        tags: ['fleet'],
        params: ServerIdParams,
        querystring: ServerRemoveQuery,
        response: { 200: ServerRemoved, ...authErrorResponses },
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
