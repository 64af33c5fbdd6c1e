/**
 * API tokens (issue 18; docs/web-api.md "API tokens"; the store is
 * auth/api-token-store.ts):
 *
 * - `GET /api/api-tokens?all=`: the caller's role's tokens (never the tokens
 *   themselves), newest first; `all=true` lists every role's (pem_admin
 *   only, 403 otherwise).
 * - `POST /api/api-tokens {name, validForS?}`: makes a token of the
 *   caller's role; 201 with the token, shown this once. Needs a password
 *   login (403 PHAROS_AUTH_SESSION_REQUIRED with a token: a token cannot
 *   make tokens, so a leaked one cannot outlive its expiry or revocation).
 * - `DELETE /api/api-tokens/:id`: revokes one of the caller's role's
 *   tokens, or any token for a pem_admin (404 otherwise). A token may revoke
 *   itself.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { pharosError } from '@pharos/core/errors';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { refuseApiToken, requireSession } from '../auth/guard.js';
import type { SessionStore } from '../auth/session-store.js';
import { withoutRetry } from '../backend.js';
import { replyError } from './errors.js';
import {
  ApiTokenCreateBody,
  ApiTokenCreated,
  ApiTokenInfo,
  ApiTokenListQuery,
  ApiTokenRevoked,
} from './shapes/api-tokens.js';
import { authErrorResponses, IdParams } from './shapes/common.js';

/** Registers the API token routes on `app`. */
export function registerApiTokenRoutes(app: FastifyInstance, store: SessionStore): void {
  const session = requireSession(store);
  const tokens = store.apiTokens;
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '/api/api-tokens',
    {
      schema: {
        summary: "API tokens of the caller's role (all=true: every role's, pem_admin only)",
        tags: ['api-tokens'],
        querystring: ApiTokenListQuery,
        response: { 200: Type.Array(ApiTokenInfo), ...authErrorResponses },
      },
      preHandler: session,
    },
    async (req, reply) => {
      const caller = req.pharosSession!;
      if (req.query.all === true && !caller.isAdmin)
        return replyError(reply, pharosError('PHAROS_AUTH_ADMIN_ONLY'));
      return tokens.list(req.query.all === true ? undefined : caller.roleName);
    },
  );

  api.post(
    '/api/api-tokens',
    {
      schema: {
        summary: "Make an API token of the caller's role (shown once, stored hashed; needs a password login)",
        tags: ['api-tokens'],
        security: [{ session: [] }],
        body: ApiTokenCreateBody,
        response: { 201: ApiTokenCreated, ...authErrorResponses },
      },
      onRequest: refuseApiToken('making an API token'),
      preHandler: session,
    },
    async (req, reply) => {
      const caller = req.pharosSession!;
      const t = await withoutRetry(() => tokens.create(caller.roleName, req.body.name, req.body.validForS));
      req.log.info(
        { role: caller.roleName, tokenId: t.id, name: t.name, expiresAt: t.expiresAt },
        'API token made',
      );
      return reply.code(201).send(t);
    },
  );

  api.delete(
    '/api/api-tokens/:id',
    {
      schema: {
        summary: "Revoke an API token (the caller's role's; any, for pem_admin)",
        tags: ['api-tokens'],
        params: IdParams,
        response: { 200: ApiTokenRevoked, ...authErrorResponses },
      },
      preHandler: session,
    },
    async (req) => {
      const caller = req.pharosSession!;
      const revoked = await tokens.revoke(caller.roleName, req.params.id, caller.isAdmin);
      req.log.info({ by: caller.roleName, tokenId: req.params.id, revoked }, 'API token revoked');
      return { id: req.params.id, revoked };
    },
  );
}
