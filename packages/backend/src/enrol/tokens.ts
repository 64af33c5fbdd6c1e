/**
 * One-time enrolment tokens (issue 14; sql/functions/registration/): an
 * administrator issues one for a host, the host's `pharos agent enrol`
 * spends it. Made by `pem.enrolment_token_create` (the token is returned
 * once; only its SHA-256 is stored), listed without the hash, revoked by
 * `pem.enrolment_token_revoke`.
 */
import type { Queryable } from '@pharos/core/query';
import { withFleetErrors } from '../fleet/sql-errors.js';

/** Default validity of a token: one day, seconds. */
export const DEFAULT_TOKEN_VALID_FOR_S = 86_400;

/** A token as listed (never the token itself). */
export interface EnrolmentToken {
  id: number;
  name: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string;
  /** pending (usable), used, revoked or expired. */
  state: 'pending' | 'used' | 'revoked' | 'expired';
  usedAt: string | null;
  usedByAgent: number | null;
  usedFrom: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
}

/** A token just made: the only time `token` is seen. */
export interface NewEnrolmentToken {
  id: number;
  name: string;
  token: string;
  expiresAt: string;
}

/**
 * Issues a token named `name` valid `validForS` seconds (60 s to 30 days),
 * on behalf of `actor`. @throws PHAROS_TOKEN_INVALID naming the field (name, validForS).
 */
export async function createToken(
  db: Queryable,
  actor: string,
  name: string,
  validForS: number = DEFAULT_TOKEN_VALID_FOR_S,
): Promise<NewEnrolmentToken> {
  return withFleetErrors('token', async () => {
    const r = await db.query<{ id: number; token: string; expires_at: Date }>(
      'SELECT id, token, expires_at FROM pem.enrolment_token_create($1, $2, $3)',
      [actor, name, validForS],
    );
    const row = r.rows[0]!;
    return {
      id: row.id,
      name: name.trim(),
      token: row.token,
      expiresAt: new Date(row.expires_at).toISOString(),
    };
  });
}

type TokenRow = {
  id: number;
  name: string;
  created_by: string;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
  used_by_agent: number | null;
  used_from: string | null;
  revoked_at: Date | null;
  revoked_by: string | null;
  expired: boolean;
};

const iso = (d: Date | null) => (d === null ? null : new Date(d).toISOString());

/** Every token, newest first (`all` false: only the usable ones). */
export async function listTokens(db: Queryable, all = true): Promise<EnrolmentToken[]> {
  const r = await db.query<TokenRow>(
    `SELECT id, name, created_by, created_at, expires_at, used_at, used_by_agent, host(used_from) AS used_from,
            revoked_at, revoked_by, expires_at <= now() AS expired
       FROM pem.enrolment_token
      WHERE $1 OR (used_at IS NULL AND revoked_at IS NULL AND expires_at > now())
      ORDER BY id DESC`,
    [all],
  );
  return r.rows.map((t) => ({
    id: t.id,
    name: t.name,
    createdBy: t.created_by,
    createdAt: new Date(t.created_at).toISOString(),
    expiresAt: new Date(t.expires_at).toISOString(),
    state: t.used_at ? 'used' : t.revoked_at ? 'revoked' : t.expired ? 'expired' : 'pending',
    usedAt: iso(t.used_at),
    usedByAgent: t.used_by_agent,
    usedFrom: t.used_from,
    revokedAt: iso(t.revoked_at),
    revokedBy: t.revoked_by,
  }));
}

/**
 * Revokes token `id`; resolves false when it was revoked already.
 * @throws PHAROS_TOKEN_NOT_FOUND (404, id) for an unknown token, PHAROS_TOKEN_USED (409) for a used one.
 */
export async function revokeToken(db: Queryable, actor: string, id: number): Promise<boolean> {
  return withFleetErrors(
    'token',
    async () =>
      (
        await db.query<{ revoked: boolean }>('SELECT pem.enrolment_token_revoke($1, $2) AS revoked', [
          actor,
          id,
        ])
      ).rows[0]!.revoked,
  );
}
