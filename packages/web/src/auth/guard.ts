/**
 * Authentication and CSRF checks of API routes.
 *
 * `requireSession` is a preHandler that admits a caller by one of two
 * credentials:
 *
 * - an API token, `Authorization: Bearer <token>` (issue 18;
 *   api-token-store.ts): checked in the backend at each request; 401 with
 *   PHAROS_AUTH_TOKEN_INVALID / _EXPIRED / _REVOKED / _ROLE_REFUSED when it
 *   does not pass, PHAROS_AUTH_HEADER_INVALID for another scheme. No CSRF
 *   token is wanted: a browser never adds an Authorization header to a
 *   cross-site request by itself (and the API allows no cross-origin
 *   requests), so a request that carries one was written by its sender.
 *   The header wins over a cookie sent with it. The token is never logged.
 * - else the session cookie: looked up in the backend (any instance serves
 *   any session), 401 when there is none; on mutating methods (anything but
 *   GET, HEAD, OPTIONS) the session's CSRF token is also wanted in the
 *   `x-csrf-token` header, compared in constant time (403 when missing or
 *   wrong).
 *
 * `requireAdmin` further wants a pem_admin member (403 otherwise); a token
 * of a pem_user role is read-only like its role. `refuseApiToken` is for
 * the routes a token may never use (login, logout, the session, making
 * tokens): 403 PHAROS_AUTH_SESSION_REQUIRED.
 */
import { type PharosError, pharosError } from '@pharos/core/errors';
import type {
  FastifyReply,
  FastifyRequest,
  onRequestAsyncHookHandler,
  preHandlerAsyncHookHandler,
} from 'fastify';
import { replyError } from '../api/errors.js';
import type { ApiTokenStore, TokenCheck } from './api-token-store.js';
import { clearSessionCookie, SESSION_COOKIE } from './cookie.js';
import type { Session, SessionStore } from './session-store.js';
import { isSessionIdShape, sameToken } from './session-token.js';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The caller, set by {@link requireSession}: a login session, or an API
     * token (then `apiTokenId` is set, `idHash` is the token's SHA-256 and
     * `csrfToken` is empty).
     */
    pharosSession?: Session;
  }
}

/** The 401 error of a token that does not pass. */
export function tokenRefusal(kind: Exclude<TokenCheck['kind'], 'ok'>): PharosError {
  const code = {
    invalid: 'PHAROS_AUTH_TOKEN_INVALID',
    expired: 'PHAROS_AUTH_TOKEN_EXPIRED',
    revoked: 'PHAROS_AUTH_TOKEN_REVOKED',
    'role-refused': 'PHAROS_AUTH_TOKEN_ROLE_REFUSED',
  } as const;
  return pharosError(code[kind]);
}

/** The token of an `Authorization: Bearer <token>` header, or undefined for another header. */
export function bearerToken(authorization: string): string | undefined {
  return BEARER.exec(authorization)?.[1];
}

/** The scheme of an API token in the Authorization header (RFC 6750 §2.1). */
const BEARER = /^Bearer +([^\s]+) *$/i;

/** True when the request carries an Authorization header (any scheme). */
export function hasAuthorization(request: FastifyRequest): boolean {
  return request.headers.authorization !== undefined;
}

/**
 * Admits the caller of an API token (module doc). Answers 401 and returns
 * undefined when the header or the token does not pass.
 */
async function tokenCaller(
  tokens: ApiTokenStore,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<Session | undefined> {
  const token = bearerToken(request.headers.authorization ?? '');
  if (token === undefined) {
    replyError(reply, pharosError('PHAROS_AUTH_HEADER_INVALID'));
    return undefined;
  }
  const check = await tokens.check(token, request.ip);
  if (check.kind !== 'ok') {
    request.log.info({ url: request.url, refusal: check.kind }, 'API token refused');
    replyError(reply, tokenRefusal(check.kind));
    return undefined;
  }
  return {
    idHash: check.idHash,
    roleName: check.roleName,
    isAdmin: check.isAdmin,
    csrfToken: '',
    createdAt: check.createdAt,
    expiresAt: check.expiresAt,
    apiTokenId: check.id,
  };
}

/** Header that carries the CSRF token on mutating requests. */
export const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The raw session id from the request's cookie, when it has the right shape. */
export function sessionIdOf(request: FastifyRequest): string | undefined {
  const raw = request.cookies[SESSION_COOKIE];
  return raw && isSessionIdShape(raw) ? raw : undefined;
}

/**
 * Builds the preHandler that requires an API token that passes, or a live
 * session (401) with a correct CSRF token on mutating methods (403).
 * Backend unavailability propagates as BackendFailingOverError (503; the
 * cookie is kept).
 */
export function requireSession(store: SessionStore): preHandlerAsyncHookHandler {
  return async function checkSession(request: FastifyRequest, reply: FastifyReply) {
    if (hasAuthorization(request)) {
      const caller = await tokenCaller(store.apiTokens, request, reply);
      // the refusal is sent: returning the reply stops the route here (fastify "Hooks": async hooks)
      if (!caller) return reply;
      request.pharosSession = caller;
      return;
    }
    const sessionId = sessionIdOf(request);
    const session = sessionId ? await store.find(sessionId) : undefined;
    if (!session) {
      if (request.cookies[SESSION_COOKIE] !== undefined) clearSessionCookie(reply);
      return replyError(reply, pharosError('PHAROS_AUTH_NOT_LOGGED_IN'));
    }
    if (!SAFE_METHODS.has(request.method)) {
      const given = request.headers[CSRF_HEADER];
      if (typeof given !== 'string' || !sameToken(given, session.csrfToken)) {
        request.log.warn({ role: session.roleName, url: request.url }, 'CSRF token missing or wrong');
        return replyError(reply, pharosError('PHAROS_AUTH_CSRF'));
      }
    }
    request.pharosSession = session;
  };
}

/**
 * preHandler for the routes an API token may never use (login, logout, the
 * session, making tokens): a request with an Authorization header gets 403
 * PHAROS_AUTH_SESSION_REQUIRED naming `what`, before anything else is done.
 */
export function refuseApiToken(what: string): onRequestAsyncHookHandler {
  return async function checkNoToken(request, reply) {
    if (hasAuthorization(request))
      return replyError(reply, pharosError('PHAROS_AUTH_SESSION_REQUIRED', { what }));
  };
}

/** preHandler to chain after {@link requireSession}: only pem_admin members pass (403 otherwise). */
export const requireAdmin: preHandlerAsyncHookHandler = async function checkAdmin(request, reply) {
  if (!request.pharosSession?.isAdmin) return replyError(reply, pharosError('PHAROS_AUTH_ADMIN_ONLY'));
};
