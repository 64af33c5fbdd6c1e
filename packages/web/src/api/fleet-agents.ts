/**
 * Agents and their enrolment (issue 14; docs/web-api.md "Fleet",
 * docs/monitoring-a-server.md):
 *
 * - `GET /api/agents`: every agent (any logged-in user).
 * - `DELETE /api/agents/:id?removeServers=` (admin): unregisters it without
 *   the superuser; refused (409, naming them) while it monitors servers,
 *   unless removeServers.
 * - `GET /api/enrolment-tokens`, `POST /api/enrolment-tokens {name,
 *   validForS}`, `DELETE /api/enrolment-tokens/:id` (admin): one-time
 *   tokens, shown once, stored hashed, listed and revocable.
 * - `POST /api/enrol` (no session: the token is the credential; rate limited
 *   per client address like the login): enrols a host's agent and answers
 *   with its id, user, certificate and the backend it ships to.
 */
import { type EnrolRequest, enrolAgent } from '@pharos/backend/enrol/enrol';
import { createToken, listTokens, revokeToken } from '@pharos/backend/enrol/tokens';
import { unregisterAgentAsAdmin } from '@pharos/backend/enrol/unregister';
import { listAgents } from '@pharos/backend/fleet/agents';
import type { FastifyInstance } from 'fastify';
import { requireAdmin, requireSession } from '../auth/guard.js';
import type { SessionStore } from '../auth/session-store.js';
import { type Backend, withFailoverRetry, withoutRetry } from '../backend.js';
import {
  agentRemovedSchema,
  agentRemoveQuerySchema,
  enrolBodySchema,
  enrolledSchema,
  enrolmentTokenSchema,
  fleetAgentSchema,
  idParamsSchema,
  tokenCreateBodySchema,
  tokenCreatedSchema,
  tokenRevokedSchema,
} from './fleet-schemas.js';
import { authErrorResponses, errorSchema } from './schemas.js';

/** Where enrolled agents ship: the hosts of the web instance's own backend string. */
export interface EnrolBackend {
  hosts: string[];
  ports: number[];
  dbname: string;
  sslmode: string;
}

/** What the routes need besides the backend. */
export interface FleetAgentRoutesDeps {
  db: Backend;
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

  app.get(
    '/api/agents',
    {
      schema: {
        summary: 'Registered agents: address, heartbeat, version, servers bound',
        tags: ['fleet'],
        response: { 200: { type: 'array', items: fleetAgentSchema }, ...authErrorResponses },
      },
      preHandler: session,
    },
    async (req) => withFailoverRetry(() => listAgents(db), { logger: req.log, what: 'list agents' }),
  );

  app.delete<{ Params: { id: number }; Querystring: { removeServers?: boolean } }>(
    '/api/agents/:id',
    {
      schema: {
        summary:
          'Unregister an agent (its user, certificates, state); refused while it monitors servers unless removeServers',
        tags: ['fleet'],
        params: idParamsSchema,
        querystring: agentRemoveQuerySchema,
        response: { 200: agentRemovedSchema, 404: errorSchema, 409: errorSchema, ...authErrorResponses },
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

  app.get<{ Querystring: { all?: boolean } }>(
    '/api/enrolment-tokens',
    {
      schema: {
        summary: 'Enrolment tokens (never the tokens themselves), newest first',
        tags: ['fleet'],
        querystring: {
          type: 'object',
          properties: { all: { type: 'boolean', default: true, description: 'false: only the usable ones' } },
          additionalProperties: false,
        },
        response: { 200: { type: 'array', items: enrolmentTokenSchema }, ...authErrorResponses },
      },
      preHandler: admin,
    },
    async (req) =>
      withFailoverRetry(() => listTokens(db, req.query.all !== false), {
        logger: req.log,
        what: 'list tokens',
      }),
  );

  app.post<{ Body: { name: string; validForS?: number } }>(
    '/api/enrolment-tokens',
    {
      schema: {
        summary: 'Issue a one-time enrolment token (shown once, stored hashed)',
        tags: ['fleet'],
        body: tokenCreateBodySchema,
        response: { 201: tokenCreatedSchema, 400: errorSchema, ...authErrorResponses },
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

  app.delete<{ Params: { id: number } }>(
    '/api/enrolment-tokens/:id',
    {
      schema: {
        summary: 'Revoke an enrolment token',
        tags: ['fleet'],
        params: idParamsSchema,
        response: { 200: tokenRevokedSchema, 404: errorSchema, 409: errorSchema, ...authErrorResponses },
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

  app.post<{ Body: EnrolRequest }>(
    '/api/enrol',
    {
      schema: {
        summary: 'Enrol a host’s agent with a one-time token (no session: the token is the credential)',
        tags: ['fleet'],
        security: [],
        body: enrolBodySchema,
        response: {
          201: enrolledSchema,
          400: errorSchema,
          409: errorSchema,
          429: errorSchema,
          503: errorSchema,
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
