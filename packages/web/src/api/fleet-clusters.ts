/**
 * Monitored Patroni clusters (issue 14; docs/web-api.md "Fleet",
 * docs/monitoring-a-server.md "Patroni clusters"): every logged-in user
 * reads, pem_admin members change. The work is done by
 * @pharos/backend/fleet/clusters and cluster-reading (SQL functions that
 * check every field and write nothing on error).
 *
 * - `GET /api/clusters`, `GET /api/clusters/:id`: clusters with their
 *   members and what the follower saw last.
 * - `POST /api/clusters/read` (admin): the agent named reads the cluster's
 *   GET /cluster from the endpoints given (what an add would register);
 *   nothing is written.
 * - `POST /api/clusters` (admin): the follower reads the cluster, each
 *   member's connection is tested from the agent that will monitor it (the
 *   agent on the member's host, else the follower), then the cluster and a
 *   server per member are added. When the cluster cannot be read or a test
 *   fails: 422 PHAROS_CLUSTER_ADD_FAILED with the sentence (naming the
 *   member), its field, its cause and the tests so far, and nothing written (`"test": false` skips the tests, not the reading).
 * - `DELETE /api/clusters/:id?purgeHistory=` (admin): removes it and every
 *   member's server; a second removal answers 404.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { listAgents } from '@pharos/backend/fleet/agents';
import { readPatroniCluster } from '@pharos/backend/fleet/cluster-reading';
import {
  addCluster,
  type ClusterSpec,
  getCluster,
  listClusters,
  MEMBER_GRACE_S,
  memberAgent,
  removeCluster,
} from '@pharos/backend/fleet/clusters';
import { fieldOfCause, testServerConnection } from '@pharos/backend/fleet/connection-test';
import { SERVER_DEFAULTS } from '@pharos/backend/fleet/servers';
import type { Queryable } from '@pharos/core/query';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { requireAdmin, requireSession } from '../auth/guard.js';
import type { SessionStore } from '../auth/session-store.js';
import { withFailoverRetry, withoutRetry } from '../backend.js';
import { authErrorResponses, IdParams } from './shapes/common.js';
import {
  ClusterAddBody,
  ClusterAdded,
  ClusterAddFailed,
  ClusterReadAnswer,
  ClusterReadBody,
  ClusterRemoved,
  ClusterRemoveQuery,
  type MemberTest,
  MonitoredCluster,
} from './shapes/fleet-clusters.js';

/** Registers the /api/clusters routes on `app`. */
export function registerFleetClusterRoutes(app: FastifyInstance, db: Queryable, store: SessionStore): void {
  const session = requireSession(store);
  const admin = [session, requireAdmin];
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '/api/clusters',
    {
      schema: {
        summary: 'Monitored Patroni clusters: members, leader, what the follower saw last',
        tags: ['fleet'],
        response: { 200: Type.Array(MonitoredCluster), ...authErrorResponses },
      },
      preHandler: session,
    },
    async (req) => withFailoverRetry(() => listClusters(db), { logger: req.log, what: 'list clusters' }),
  );

  api.get(
    '/api/clusters/:id',
    {
      schema: {
        summary: 'One monitored Patroni cluster',
        tags: ['fleet'],
        params: IdParams,
        response: { 200: MonitoredCluster, ...authErrorResponses },
      },
      preHandler: session,
    },
    async (req) =>
      withFailoverRetry(() => getCluster(db, req.params.id), { logger: req.log, what: 'read a cluster' }),
  );

  api.post(
    '/api/clusters/read',
    {
      schema: {
        summary:
          'Read a Patroni cluster’s members through the agent that would follow it (nothing is written)',
        tags: ['fleet'],
        body: ClusterReadBody,
        response: { 200: ClusterReadAnswer, ...authErrorResponses },
      },
      preHandler: admin,
    },
    async (req) => {
      const r = await withoutRetry(() =>
        readPatroniCluster(
          db,
          req.pharosSession!.roleName,
          req.body.agentId,
          req.body.restEndpoints,
          req.body.restCafile ?? null,
        ),
      );
      return r.ok ? { ok: true, reading: r.reading } : { ok: false, message: r.message };
    },
  );

  api.post(
    '/api/clusters',
    {
      schema: {
        summary:
          'Add a monitored Patroni cluster by its REST endpoints: every member becomes a server, tested first',
        tags: ['fleet'],
        body: ClusterAddBody,
        response: { 201: ClusterAdded, 422: ClusterAddFailed, ...authErrorResponses },
      },
      preHandler: admin,
    },
    async (req, reply) => {
      const actor = req.pharosSession!.roleName;
      const b = req.body;
      const read = await withoutRetry(() =>
        readPatroniCluster(db, actor, b.agentId, b.restEndpoints, b.restCafile ?? null),
      );
      if (!read.ok)
        return reply.code(422).send({
          code: 'PHAROS_CLUSTER_ADD_FAILED',
          error: read.message,
          field: read.agentUnavailable ? 'agentId' : 'restEndpoints',
          cause: read.agentUnavailable ? 'agent-unavailable' : 'cluster-unreadable',
        });
      const reading = read.reading;
      const spec: ClusterSpec = {
        name: b.name ?? reading.scope ?? '',
        restEndpoints: b.restEndpoints,
        restCafile: b.restCafile ?? null,
        agentId: b.agentId,
        memberDefaults: {
          user: b.user,
          sslmode: b.sslmode ?? SERVER_DEFAULTS.sslmode,
          sslrootcert: b.sslrootcert ?? null,
          maintenanceDb: b.maintenanceDb ?? SERVER_DEFAULTS.maintenanceDb,
        },
        tags: b.tags ?? [],
        notes: b.notes ?? '',
        memberGraceS: b.memberGraceS ?? MEMBER_GRACE_S,
      };
      const tests: MemberTest[] = [];
      if (b.test !== false) {
        const agents = await withoutRetry(() => listAgents(db));
        const results = await Promise.all(
          reading.members.map(async (m) => {
            const agentId = memberAgent(agents, m.host, b.agentId);
            const test = await withoutRetry(() =>
              testServerConnection(db, actor, {
                host: m.host ?? '',
                port: m.port ?? SERVER_DEFAULTS.port,
                maintenanceDb: spec.memberDefaults.maintenanceDb,
                user: spec.memberDefaults.user,
                sslmode: spec.memberDefaults.sslmode,
                sslrootcert: spec.memberDefaults.sslrootcert,
                agentId,
              }),
            );
            return { member: m.name, host: m.host, port: m.port, agentId, test };
          }),
        );
        tests.push(...results);
        const failed = results.find((r) => !r.test.ok);
        if (failed) {
          const field = fieldOfCause(failed.test.cause);
          return reply.code(422).send({
            code: 'PHAROS_CLUSTER_ADD_FAILED',
            error: `Member ${failed.member} (${failed.host}:${failed.port}), tested from agent ${failed.agentId}: ${failed.test.message}`,
            ...(field ? { field: field === 'host' ? 'restEndpoints' : field } : {}),
            cause: failed.test.cause ?? 'other',
            reading,
            tests,
          });
        }
      }
      const id = await withoutRetry(() => addCluster(db, actor, spec, reading));
      req.log.info(
        { actor, cluster: id, name: spec.name, members: reading.members.length, tested: tests.length > 0 },
        'cluster added',
      );
      return reply.code(201).send({ cluster: await withoutRetry(() => getCluster(db, id)), reading, tests });
    },
  );

  api.delete(
    '/api/clusters/:id',
    {
      schema: {
        summary: 'Remove a monitored Patroni cluster and every member’s server',
        tags: ['fleet'],
        params: IdParams,
        querystring: ClusterRemoveQuery,
        response: { 200: ClusterRemoved, ...authErrorResponses },
      },
      preHandler: admin,
    },
    async (req) => {
      const actor = req.pharosSession!.roleName;
      const removed = await withoutRetry(() =>
        removeCluster(db, actor, req.params.id, req.query.purgeHistory === true),
      );
      req.log.info(
        { actor, cluster: removed.id, name: removed.cluster, servers: removed.servers.length },
        'cluster removed',
      );
      return removed;
    },
  );
}
