/**
 * SCRAM-SHA-256 password verifiers as PostgreSQL stores them in
 * pg_authid.rolpassword (RFC 7677, RFC 5802; PostgreSQL's
 * src/common/scram-common.c): `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`,
 * base64 fields. Configure sends a verifier, never the password itself, so
 * the password cannot appear in the server's statement log, and compares a
 * stored verifier with a password to know whether anything must change.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/** PostgreSQL's default iteration count (scram_iterations, 4096). */
export const SCRAM_ITERATIONS = 4096;

const MAPPED_TO_SPACE = /[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/g;
/** RFC 3454 table B.1 ("commonly mapped to nothing"), the code points PostgreSQL's SASLprep drops. */
function mappedToNothing(cp: number): boolean {
  return (
    [0x00ad, 0x034f, 0x1806, 0x200c, 0x200d, 0x2060, 0xfeff].includes(cp) ||
    (cp >= 0x180b && cp <= 0x180d) ||
    (cp >= 0xfe00 && cp <= 0xfe0f)
  );
}

/**
 * SASLprep (RFC 4013) as far as PostgreSQL applies it to passwords:
 * non-ASCII spaces to U+0020, "mapped to nothing" characters removed, NFKC.
 * ASCII passwords are unchanged. (PostgreSQL uses the raw password when
 * SASLprep fails on prohibited output; such passwords are rare and not
 * handled here.)
 */
export function saslPrep(password: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ASCII test
  if (/^[\x00-\x7f]*$/.test(password)) return password;
  const kept = [...password.replace(MAPPED_TO_SPACE, ' ')].filter((c) => !mappedToNothing(c.codePointAt(0)!));
  return kept.join('').normalize('NFKC');
}

function keys(password: string, salt: Buffer, iterations: number): { stored: Buffer; server: Buffer } {
  const salted = pbkdf2Sync(saslPrep(password), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  return {
    stored: createHash('sha256').update(clientKey).digest(),
    server: createHmac('sha256', salted).update('Server Key').digest(),
  };
}

/** A new verifier for `password` (random 16-byte salt). */
export function scramVerifier(
  password: string,
  iterations = SCRAM_ITERATIONS,
  salt = randomBytes(16),
): string {
  const k = keys(password, salt, iterations);
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${k.stored.toString('base64')}:${k.server.toString('base64')}`;
}

/** True when `verifier` (a stored rolpassword) is a SCRAM-SHA-256 verifier of `password`. */
export function scramMatches(verifier: string | null | undefined, password: string): boolean {
  const m = /^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/.exec(
    verifier ?? '',
  );
  if (!m) return false;
  const k = keys(password, Buffer.from(m[2]!, 'base64'), Number(m[1]));
  const stored = Buffer.from(m[3]!, 'base64');
  const server = Buffer.from(m[4]!, 'base64');
  return (
    stored.length === k.stored.length &&
    server.length === k.server.length &&
    timingSafeEqual(stored, k.stored) &&
    timingSafeEqual(server, k.server)
  );
}
