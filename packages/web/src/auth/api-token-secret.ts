/**
 * API tokens as text (issue 18; docs/web-api.md "API tokens"): `pha_`
 * followed by 43 base64url characters, the encoding of 32 random bytes
 * (256 bits) from the OS CSPRNG. The prefix lets secret scanners and people
 * recognise a Pharos API token (enrolment tokens start `pht_`).
 *
 * Only the SHA-256 of the token text is stored (pem.api_token.secret_sha256).
 * A fast unsalted hash is enough here, unlike for passwords: the token is
 * 256 random bits, so neither a dictionary nor a brute-force search of the
 * hash can find it, and a salt or a slow KDF would only cost every API call
 * CPU time. The hash is also the lookup key (one unique-index probe).
 */
import { createHash, randomBytes } from 'node:crypto';

/** Prefix of every API token. */
export const API_TOKEN_PREFIX = 'pha_';

/** Random bytes in a token: 32 (256 bits). */
export const API_TOKEN_BYTES = 32;

const TOKEN_SHAPE = /^pha_[A-Za-z0-9_-]{43}$/;

/** A new token: `pha_` + 32 random bytes, base64url (47 characters in all). */
export function newApiToken(): string {
  return `${API_TOKEN_PREFIX}${randomBytes(API_TOKEN_BYTES).toString('base64url')}`;
}

/** True when `text` has the shape of an API token (no lookup is made for anything else). */
export function isApiTokenShape(text: string): boolean {
  return TOKEN_SHAPE.test(text);
}

/** SHA-256 of a token's text (32 bytes): the key of pem.api_token. */
export function hashApiToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
