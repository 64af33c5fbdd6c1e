/**
 * Authentication and CSRF checks of API routes.
 *
 * `requireSession` is a preHandler: it looks the cookie's session up in the
 * backend (any instance serves any session) and answers 401 when there is
 * none. On mutating methods (anything but GET, HEAD, OPTIONS) it also wants
 * the session's CSRF token in the `x-csrf-token` header, compared in constant
 * time, and answers 403 when it is missing or wrong. `requireAdmin` further
 * wants a pem_admin member (403 otherwise).
 */
import { pharosError } from '@pharos/core/errors';
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { replyError } from '../api/errors.js';
import { clearSessionCookie, SESSION_COOKIE } from './cookie.js';
import type { Session, SessionStore } from './session-store.js';
import { isSessionIdShape, sameToken } from './session-token.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller's session, set by {@link requireSession}. */
    pharosSession?: Session;
  }
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
 * Builds the preHandler that requires a live session (401), and a correct
 * CSRF token on mutating methods (403). Backend unavailability propagates as
 * BackendFailingOverError (503; the cookie is kept).
 */
export function requireSession(store: SessionStore): preHandlerAsyncHookHandler {
  return async function checkSession(request: FastifyRequest, reply: FastifyReply) {
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

/** preHandler to chain after {@link requireSession}: only pem_admin members pass (403 otherwise). */
export const requireAdmin: preHandlerAsyncHookHandler = async function checkAdmin(request, reply) {
  if (!request.pharosSession?.isAdmin) return replyError(reply, pharosError('PHAROS_AUTH_ADMIN_ONLY'));
};
