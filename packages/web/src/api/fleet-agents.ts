/**
 * Agents and their enrolment (issue 14; docs/web-api.md "Fleet",
 * docs/monitoring-a-server.md):
 *
 * - `GET /api/agents`: every agent (any logged-in user).
 * - `DELETE /api/agents/:id?removeServers=` (admin): unregisters it without
 *   the superuser; refused (409 PHAROS_AGENT_IN_USE, naming them) while it
 *   monitors servers, unless removeServers.
 * - `GET /api/enrolment-tokens`, `POST /api/enrolment-tokens {name,
 *   validForS}`, `DELETE /api/enrolment-tokens/:id` (admin): one-time
 *   tokens, shown once, stored hashed, listed and revocable.
 * - `POST /api/enrol` (no session: the token is the credential; rate limited
 *   per client address like the login): enrols a host's agent and answers
 *   with its id, user, certificate and the backend it ships to.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { enrolAgent } from '@pharos/backend/enrol/enrol';
import { createToken, listTokens, revokeToken } from '@pharos/backend/enrol/tokens';
import { unregisterAgentAsAdmin } from '@pharos/backend/enrol/unregister';
import { listAgents } from '@pharos/backend/fleet/agents';
import type { Queryable } from '@pharos/core/query';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { requireAdmin, requireSession } from '../auth/guard.js';
import type { SessionStore } from '../auth/session-store.js';
import { withFailoverRetry, withoutRetry } from '../backend.js';
import { authErrorResponses, ErrorBody, IdParams } from './shapes/common.js';
import {
  AgentRemoved,
  AgentRemoveQuery,
  EnrolBody,
  Enrolled,
  EnrolmentToken,
  FleetAgent,
  TokenCreateBody,
  TokenCreated,
  TokenListQuery,
  TokenRevoked,
} from './shapes/fleet-agents.js';

/** Where enrolled agents ship: the hosts of the web instance's own backend string. */
export type EnrolBackend = Enrolled['backend'];

/** What the routes need besides the backend. */
export interface FleetAgentRoutesDeps {
  db: Queryable;
  store: SessionStore;
  enrolBackend: EnrolBackend;
  /** Enrolment attempts per client address per minute. */
  enrolRateLimitPerMinute: number;
}

/** Registers the agent, token and enrolment routes on `app`. */
export function registerFleetAgentRoutes(app: FastifyInstance, deps: FleetAgentRoutesDeps): void {
  const { db } = deps;
  const session = requireSession(deps.store);
  const admin = [session, requireAdmin];
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '/api/agents',
    {
      schema: {
        summary: 'Registered agents: address, heartbeat, version, servers bound',
        tags: ['fleet'],
        response: { 200: Type.Array(FleetAgent), ...authErrorResponses },
      },
      preHandler: session,
    },
    async (req) => withFailoverRetry(() => listAgents(db), { logger: req.log, what: 'list agents' }),
  );

  api.delete(
    '/api/agents/:id',
    {
      schema: {
        summary:
          'Unregister an agent (its user, certificates, state); refused while it monitors servers unless removeServers',
        tags: ['fleet'],
        params: IdParams,
        querystring: AgentRemoveQuery,
        response: { 200: AgentRemoved, ...authErrorResponses },
      },
      preHandler: admin,
    },
    async (req) => {
      const actor = req.pharosSession!.roleName;
      const actions = await withoutRetry(() =>
        unregisterAgentAsAdmin(db, actor, req.params.id, req.query.removeServers === true),
      );
      req.log.info({ actor, agent: req.params.id, actions }, 'agent unregistered');
      return { actions };
    },
  );

  api.get(
    '/api/enrolment-tokens',
    {
      schema: {
        summary: 'Enrolment tokens (never the tokens themselves), newest first',
        tags: ['fleet'],
        querystring: TokenListQuery,
        response: { 200: Type.Array(EnrolmentToken), ...authErrorResponses },
      },
      preHandler: admin,
    },
    async (req) =>
      withFailoverRetry(() => listTokens(db, req.query.all !== false), {
        logger: req.log,
        what: 'list tokens',
      }),
  );

  api.post(
    '/api/enrolment-tokens',
    {
      schema: {
        summary: 'Issue a one-time enrolment token (shown once, stored hashed)',
        tags: ['fleet'],
        body: TokenCreateBody,
        response: { 201: TokenCreated, ...authErrorResponses },
      },
      preHandler: admin,
    },
    async (req, reply) => {
      const actor = req.pharosSession!.roleName;
      const t = await withoutRetry(() => createToken(db, actor, req.body.name, req.body.validForS));
      req.log.info({ actor, tokenId: t.id, name: t.name, expiresAt: t.expiresAt }, 'enrolment token issued');
      return reply.code(201).send(t);
    },
  );

  api.delete(
    '/api/enrolment-tokens/:id',
    {
      schema: {
        summary: 'Revoke an enrolment token',
        tags: ['fleet'],
        params: IdParams,
        response: { 200: TokenRevoked, ...authErrorResponses },
      },
      preHandler: admin,
    },
    async (req) => {
      const actor = req.pharosSession!.roleName;
      const revoked = await withoutRetry(() => revokeToken(db, actor, req.params.id));
      req.log.info({ actor, tokenId: req.params.id, revoked }, 'enrolment token revoked');
      return { id: req.params.id, revoked };
    },
  );

  api.post(
    '/api/enrol',
    {
      schema: {
        summary: 'Enrol a host’s agent with a one-time token (no session: the token is the credential)',
        tags: ['fleet'],
        security: [],
        body: EnrolBody,
        response: {
          201: Enrolled,
          400: ErrorBody,
          404: ErrorBody,
          409: ErrorBody,
          429: ErrorBody,
          500: ErrorBody,
          503: ErrorBody,
          504: ErrorBody,
        },
      },
      config: { rateLimit: { max: deps.enrolRateLimitPerMinute, timeWindow: 60_000 } },
    },
    async (req, reply) => {
      const r = await withoutRetry(() => enrolAgent(db, req.body, req.ip));
      req.log.info(
        { agent: r.agentId, user: r.agentUser, displayName: req.body.displayName, from: req.ip },
        'agent enrolled',
      );
      return reply.code(201).send({ ...r, backend: deps.enrolBackend });
    },
  );
}
