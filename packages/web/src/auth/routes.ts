/**
 * Login, logout and the current session:
 *
 * - `POST /api/login {user, password}`: the backend itself checks the password
 *   (a connection as that user through the multi-host string); membership of
 *   pem_admin / pem_user decides the role. 200 with the session (and its CSRF
 *   token) and the session cookie; 400 a malformed body (a control character
 *   in `user`, a NUL in `password`); 401 for every refusal — wrong user or
 *   password, a role in neither group, a service or agent role — with the
 *   same words and no sooner than {@link LOGIN_REFUSAL_FLOOR_MS} after the
 *   request arrived, so neither the answer nor its timing tells which (no
 *   user enumeration, security review L3); 429 too many attempts (per
 *   instance and client address in memory; per user name and per address
 *   over every instance in the backend: login-throttle.ts), with
 *   Retry-After; 503 backend failing over. Only `application/json` bodies
 *   are parsed, so a cross-site form cannot log a victim in (login CSRF).
 * - `POST /api/logout`: deletes the session in the backend (every instance
 *   refuses the cookie from then on) and clears the cookie. Needs the CSRF token.
 * - `GET /api/session`: the caller's session (user, role, CSRF token, expiry).
 *
 * An API token never logs in (issue 18): a request with an Authorization
 * header gets 403 PHAROS_AUTH_SESSION_REQUIRED from all three, before the
 * body is read, so no cookie session is ever made from a token.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { pharosError } from '@pharos/core/errors';
import type { FastifyInstance } from 'fastify';
import { replyError } from '../api/errors.js';
import { LoginBody, LogoutAnswer, SessionView } from '../api/shapes/auth.js';
import { authErrorResponses, ErrorBody, NoBody } from '../api/shapes/common.js';
import type { AuthOutcome, LoginAuthenticator } from './authenticate.js';
import { clearSessionCookie, setSessionCookie } from './cookie.js';
import { refuseApiToken, requireSession, sessionIdOf } from './guard.js';
import type { LoginThrottle } from './login-throttle.js';
import type { Session, SessionStore } from './session-store.js';
import { hashSessionId } from './session-token.js';

/** What the auth routes need. */
export interface AuthRoutesDeps {
  store: SessionStore;
  authenticator: LoginAuthenticator;
  /** Refused logins per user name and address, over every instance. */
  throttle: LoginThrottle;
  /** Session lifetime (cookie Max-Age), seconds. */
  sessionTtlS: number;
  /** Login attempts allowed per client address per minute. */
  loginRateLimitPerMinute: number;
}

/**
 * Earliest answer to a refused login, ms after the request arrived. Above
 * what a refusal takes (a refused HBA rule ~25 ms, a wrong SCRAM password
 * ~30 ms, a good password of a role that may not log in ~40 ms on the lab;
 * security review L3), so every refusal takes the same time.
 */
export const LOGIN_REFUSAL_FLOOR_MS = 400;

/** Resolves `floorMs` after `startedAt` (performance.now()), at once when that is past. */
function notBefore(startedAt: number, floorMs: number): Promise<void> {
  const waitMs = startedAt + floorMs - performance.now();
  return waitMs > 0 ? new Promise((r) => setTimeout(r, waitMs)) : Promise.resolve();
}

function sessionView(s: Session): SessionView {
  return {
    user: s.roleName,
    role: s.isAdmin ? 'admin' : 'user',
    csrfToken: s.csrfToken,
    expiresAt: s.expiresAt.toISOString(),
  };
}

/** Registers /api/login, /api/logout and /api/session on `app`. */
export function registerAuthRoutes(app: FastifyInstance, deps: AuthRoutesDeps): void {
  const withSession = requireSession(deps.store);
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.post(
    '/api/login',
    {
      schema: {
        summary: 'Log in with a PostgreSQL role of the backend (never with an API token)',
        security: [],
        body: LoginBody,
        response: { 200: SessionView, 429: ErrorBody, ...authErrorResponses },
      },
      config: { rateLimit: { max: deps.loginRateLimitPerMinute, timeWindow: 60_000 } },
      onRequest: refuseApiToken('logging in'),
    },
    async (request, reply) => {
      const startedAt = performance.now();
      const { user, password } = request.body;
      const waitS = await deps.throttle.waitS(user, request.ip);
      if (waitS > 0) {
        request.log.info({ user }, 'login refused: too many refused logins of this user name or address');
        reply.header('retry-after', String(waitS));
        return replyError(reply, pharosError('PHAROS_AUTH_THROTTLED', { seconds: waitS }));
      }
      let outcome: AuthOutcome;
      try {
        outcome = await deps.authenticator.authenticate(user, password);
      } catch (err) {
        await notBefore(startedAt, LOGIN_REFUSAL_FLOOR_MS);
        throw err;
      }
      await deps.throttle.record(user, request.ip, outcome.kind !== 'ok');
      if (outcome.kind !== 'ok') {
        const why = {
          'bad-credentials': 'wrong user name or password',
          'not-member': 'not a member of pem_admin or pem_user',
          'service-role': 'a service or agent role (pem_web, pem_agent) may not log in',
        }[outcome.kind];
        request.log.info({ user }, `login refused: ${why}`);
        await notBefore(startedAt, LOGIN_REFUSAL_FLOOR_MS);
        return replyError(reply, pharosError('PHAROS_AUTH_BAD_CREDENTIALS'));
      }
      // A new id at every login (no session fixation); the caller's previous session, if any, ends.
      const previous = sessionIdOf(request);
      if (previous) await deps.store.remove(hashSessionId(previous)).catch(() => {});
      const session = await deps.store.create(outcome.roleName, outcome.isAdmin);
      setSessionCookie(reply, session.sessionId, deps.sessionTtlS);
      request.log.info({ user: outcome.roleName, admin: outcome.isAdmin }, 'logged in');
      return sessionView(session);
    },
  );

  api.post(
    '/api/logout',
    {
      schema: {
        summary: 'Log out everywhere this session is used',
        security: [{ session: [] }],
        body: NoBody,
        response: { 200: LogoutAnswer, ...authErrorResponses },
      },
      onRequest: refuseApiToken('logging out'),
      preHandler: withSession,
    },
    async (request, reply) => {
      const session = request.pharosSession!;
      await deps.store.remove(session.idHash);
      clearSessionCookie(reply);
      request.log.info({ user: session.roleName }, 'logged out');
      return { loggedOut: true };
    },
  );

  api.get(
    '/api/session',
    {
      schema: {
        summary: "The caller's session",
        security: [{ session: [] }],
        response: { 200: SessionView, ...authErrorResponses },
      },
      onRequest: refuseApiToken('a login session'),
      preHandler: withSession,
    },
    async (request) => sessionView(request.pharosSession!),
  );
}
