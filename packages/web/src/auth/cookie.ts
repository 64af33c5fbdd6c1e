/**
 * The session cookie. `__Host-` prefix: the browser only accepts it with
 * `Secure`, `Path=/` and no `Domain`, so no other host or path can plant or
 * shadow it. Always `Secure; HttpOnly; SameSite=Strict`.
 */
import type { FastifyReply } from 'fastify';

/** Name of the session cookie. */
export const SESSION_COOKIE = '__Host-pharos_session';

/** Sets the session cookie to `sessionId`, living `maxAgeS` seconds. */
export function setSessionCookie(reply: FastifyReply, sessionId: string, maxAgeS: number): void {
  reply.setCookie(SESSION_COOKIE, sessionId, {
    path: '/',
    secure: true,
    httpOnly: true,
    sameSite: 'strict',
    maxAge: maxAgeS,
  });
}

/** Tells the browser to drop the session cookie. */
export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/', secure: true, httpOnly: true, sameSite: 'strict' });
}
