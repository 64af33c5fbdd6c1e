/**
 * Session identifiers and CSRF tokens: random values, their hashes, and a
 * constant-time comparison. The raw session id only ever lives in the
 * browser's cookie; the backend stores its SHA-256 (pem.web_session.id_hash).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Bytes of randomness in a session id and in a CSRF token. */
export const TOKEN_BYTES = 32;

/** A new random session id: 32 bytes from the OS CSPRNG, base64url (43 characters). */
export function newSessionId(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/** A new random CSRF token: 32 bytes from the OS CSPRNG, base64url (43 characters). */
export function newCsrfToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/** SHA-256 of a session id's text (32 bytes): the key of pem.web_session. */
export function hashSessionId(sessionId: string): Buffer {
  return createHash('sha256').update(sessionId, 'utf8').digest();
}

/** True when the cookie value has the shape of a session id (base64url, 43 characters). */
export function isSessionIdShape(value: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(value);
}

/**
 * Compares two tokens in constant time (relative to their content): both are
 * hashed to 32 bytes first, so neither length nor a common prefix leaks through
 * timing. `undefined` or an empty `given` never matches.
 */
export function sameToken(given: string | undefined, expected: string): boolean {
  if (!given || !expected) return false;
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}
