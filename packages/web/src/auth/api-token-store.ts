/**
 * API tokens in the backend (pem.api_token; issue 18, docs/web-api.md "API
 * tokens"), so every web instance accepts a token the moment it is made and
 * refuses it the moment it is revoked.
 *
 * - A token belongs to the role that made it and acts with that role's rights
 *   as they are at each use: the role's memberships are read again on every
 *   request (pem_admin administers, pem_user reads); a role that was dropped,
 *   lost LOGIN, passed its VALID UNTIL (pem.role_credential_epoch is NULL),
 *   left both groups or became a service/agent role (pem_web, pem_agent) has
 *   its tokens refused. A password change does not end a token (it is a
 *   credential of its own; revoke it).
 * - Only the token's SHA-256 is stored (api-token-secret.ts says why that
 *   is enough); the token is returned once, by {@link ApiTokenStore.create}.
 * - Last use (time, client address) is written at most once a minute per
 *   token ({@link LAST_USE_INTERVAL_S}), best effort: a failing-over backend
 *   skips it rather than failing the request.
 */
import { pharosError } from '@pharos/core/errors';
import type { Queryable } from '@pharos/core/query';
import {
  isBackendTimeout,
  isBackendUnavailable,
  type LogSink,
  STATEMENT_DEADLINE_MS,
  withFailoverRetry,
} from '../backend.js';
import { hashApiToken, isApiTokenShape, newApiToken } from './api-token-secret.js';

/** Seconds between two writes of a token's last use. */
export const LAST_USE_INTERVAL_S = 60;

/** Default validity of a new token, seconds (90 days). */
export const DEFAULT_API_TOKEN_VALID_FOR_S = 90 * 86_400;

/** Shortest and longest validity of a token, seconds (1 minute, 366 days). */
export const API_TOKEN_VALID_FOR_S = { min: 60, max: 366 * 86_400 } as const;

/** Longest token name, characters. */
export const API_TOKEN_NAME_MAX = 200;

/** A token as listed (never the token itself). */
export interface ApiTokenInfo {
  id: number;
  name: string;
  /** The role whose rights it carries. */
  role: string;
  createdAt: string;
  expiresAt: string;
  /** active (usable while its role may use Pharos), expired or revoked. */
  state: 'active' | 'expired' | 'revoked';
  revokedAt: string | null;
  revokedBy: string | null;
  /** Last request made with it (to the minute), and from which client address. */
  lastUsedAt: string | null;
  lastUsedFrom: string | null;
}

/** A token just made: the only time `token` is seen. */
export interface NewApiToken {
  id: number;
  name: string;
  role: string;
  token: string;
  expiresAt: string;
}

/** The outcome of checking a presented token. */
export type TokenCheck =
  | {
      kind: 'ok';
      id: number;
      idHash: Buffer;
      roleName: string;
      isAdmin: boolean;
      expiresAt: Date;
      createdAt: Date;
    }
  /** Unknown or malformed. */
  | { kind: 'invalid' }
  | { kind: 'expired' }
  | { kind: 'revoked' }
  /** Its role may no longer use Pharos (dropped, no LOGIN, VALID UNTIL passed, in neither group, a service role). */
  | { kind: 'role-refused' };

interface CheckRow {
  id: number;
  role_name: string;
  created_at: Date;
  expires_at: Date;
  expired: boolean;
  revoked: boolean;
  can_login: boolean;
  is_admin: boolean;
  is_user: boolean;
  is_service: boolean;
  touch_due: boolean;
}

interface ListRow {
  id: number;
  name: string;
  role_name: string;
  created_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  revoked_by: string | null;
  last_used_at: Date | null;
  last_used_from: string | null;
  expired: boolean;
}

const CHECK_SQL = `
SELECT t.id, t.role_name, t.created_at, t.expires_at,
       t.expires_at <= now() AS expired,
       t.revoked_at IS NOT NULL AS revoked,
       pem.role_credential_epoch(t.role_name) IS NOT NULL AS can_login,
       coalesce(r.oid IS NOT NULL AND pg_has_role(r.oid, 'pem_admin', 'MEMBER'), false) AS is_admin,
       coalesce(r.oid IS NOT NULL AND pg_has_role(r.oid, 'pem_user', 'MEMBER'), false) AS is_user,
       coalesce(r.oid IS NOT NULL AND NOT r.rolsuper
                AND (pg_has_role(r.oid, 'pem_web', 'MEMBER') OR pg_has_role(r.oid, 'pem_agent', 'MEMBER')), false)
         AS is_service,
       (t.last_used_at IS NULL OR t.last_used_at < now() - make_interval(secs => $2)) AS touch_due
  FROM pem.api_token t LEFT JOIN pg_catalog.pg_roles r ON r.rolname = t.role_name
 WHERE t.secret_sha256 = $1`;

const iso = (d: Date | null) => (d === null ? null : new Date(d).toISOString());

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** Reads and writes pem.api_token through the service connection (see the module doc). */
export class ApiTokenStore {
  readonly #db: Queryable;
  readonly #logger: LogSink | undefined;

  constructor(db: Queryable, logger?: LogSink) {
    this.#db = db;
    this.#logger = logger;
  }

  /**
   * Makes a token named `name` for `roleName`, valid `validForS` seconds
   * ({@link API_TOKEN_VALID_FOR_S}). Returns it once. @throws
   * PHAROS_API_TOKEN_INVALID naming the field (name, validForS);
   * BackendFailingOverError. Not retried across a failover: a retry could make two.
   */
  async create(
    roleName: string,
    name: string,
    validForS: number = DEFAULT_API_TOKEN_VALID_FOR_S,
  ): Promise<NewApiToken> {
    const trimmed = name.trim();
    if (trimmed === '' || trimmed.length > API_TOKEN_NAME_MAX || CONTROL_CHARACTERS.test(trimmed))
      throw pharosError(
        'PHAROS_API_TOKEN_INVALID',
        {
          detail: `name: give what the token is for (1-${API_TOKEN_NAME_MAX} characters, no control characters)`,
        },
        { field: 'name' },
      );
    if (
      !Number.isInteger(validForS) ||
      validForS < API_TOKEN_VALID_FOR_S.min ||
      validForS > API_TOKEN_VALID_FOR_S.max
    )
      throw pharosError(
        'PHAROS_API_TOKEN_INVALID',
        {
          detail: `validForS: ${validForS} is not a whole number of seconds from ${API_TOKEN_VALID_FOR_S.min} to ${API_TOKEN_VALID_FOR_S.max} (366 days)`,
        },
        { field: 'validForS' },
      );
    const token = newApiToken();
    const r = await this.#db.query<{ id: number; expires_at: Date }>(
      `INSERT INTO pem.api_token (name, role_name, secret_sha256, expires_at)
       VALUES ($1, $2, $3, now() + make_interval(secs => $4)) RETURNING id, expires_at`,
      [trimmed, roleName, hashApiToken(token), validForS],
      { deadlineMs: STATEMENT_DEADLINE_MS },
    );
    const row = r.rows[0]!;
    return {
      id: row.id,
      name: trimmed,
      role: roleName,
      token,
      expiresAt: new Date(row.expires_at).toISOString(),
    };
  }

  /** Tokens newest first: those of `roleName`, or every role's when it is undefined. Throws BackendFailingOverError. */
  async list(roleName: string | undefined): Promise<ApiTokenInfo[]> {
    const rows = await withFailoverRetry(
      async () =>
        (
          await this.#db.query<ListRow>(
            `SELECT id, name, role_name, created_at, expires_at, revoked_at, revoked_by, last_used_at,
                    host(last_used_from) AS last_used_from, expires_at <= now() AS expired
               FROM pem.api_token WHERE $1::name IS NULL OR role_name = $1::name
              ORDER BY id DESC`,
            [roleName ?? null],
            { deadlineMs: STATEMENT_DEADLINE_MS },
          )
        ).rows,
      { logger: this.#logger, what: 'list API tokens' },
    );
    return rows.map((t) => ({
      id: t.id,
      name: t.name,
      role: t.role_name,
      createdAt: new Date(t.created_at).toISOString(),
      expiresAt: new Date(t.expires_at).toISOString(),
      state: t.revoked_at ? 'revoked' : t.expired ? 'expired' : 'active',
      revokedAt: iso(t.revoked_at),
      revokedBy: t.revoked_by,
      lastUsedAt: iso(t.last_used_at),
      lastUsedFrom: t.last_used_from,
    }));
  }

  /**
   * Revokes token `id` on behalf of `actor`: its own role's tokens, or any
   * token when `anyRole` (a pem_admin). Resolves false when it was revoked
   * already. Idempotent, so retried across a failover. @throws
   * PHAROS_API_TOKEN_NOT_FOUND (404) for an unknown id or another role's
   * token (not told apart: a user learns nothing of others' tokens).
   */
  async revoke(actor: string, id: number, anyRole: boolean): Promise<boolean> {
    const rows = await withFailoverRetry(
      async () =>
        (
          await this.#db.query<{ revoked_now: boolean }>(
            `WITH target AS (
               SELECT id, revoked_at FROM pem.api_token WHERE id = $1 AND ($3 OR role_name = $2::name) FOR UPDATE),
             done AS (
               UPDATE pem.api_token t SET revoked_at = now(), revoked_by = $2::name
                 FROM target WHERE t.id = target.id AND target.revoked_at IS NULL RETURNING t.id)
             SELECT EXISTS (SELECT 1 FROM done) AS revoked_now FROM target`,
            [id, actor, anyRole],
            { deadlineMs: STATEMENT_DEADLINE_MS },
          )
        ).rows,
      { logger: this.#logger, what: 'revoke API token' },
    );
    if (rows.length === 0)
      throw pharosError(
        'PHAROS_API_TOKEN_NOT_FOUND',
        { detail: `API token ${id} does not exist` },
        { field: 'id' },
      );
    return rows[0]!.revoked_now;
  }

  /**
   * Checks a presented token (the text after `Bearer `) for a request from
   * `clientAddress`, and records its use at most once a minute. Throws
   * BackendFailingOverError when the check itself cannot be answered.
   */
  async check(token: string, clientAddress: string): Promise<TokenCheck> {
    if (!isApiTokenShape(token)) return { kind: 'invalid' };
    const idHash = hashApiToken(token);
    const rows = await withFailoverRetry(
      async () =>
        (
          await this.#db.query<CheckRow>(CHECK_SQL, [idHash, LAST_USE_INTERVAL_S], {
            deadlineMs: STATEMENT_DEADLINE_MS,
          })
        ).rows,
      { logger: this.#logger, what: 'check API token' },
    );
    const row = rows[0];
    if (!row) return { kind: 'invalid' };
    if (row.revoked) return { kind: 'revoked' };
    if (row.expired) return { kind: 'expired' };
    if (!row.can_login || row.is_service || (!row.is_admin && !row.is_user)) {
      this.#logger?.info(
        { role: row.role_name, tokenId: row.id },
        'API token refused: its role may not use Pharos',
      );
      return { kind: 'role-refused' };
    }
    if (row.touch_due) await this.#recordUse(row.id, clientAddress);
    return {
      kind: 'ok',
      id: row.id,
      idHash,
      roleName: row.role_name,
      isAdmin: row.is_admin,
      expiresAt: row.expires_at,
      createdAt: row.created_at,
    };
  }

  /** Writes the token's last use; best effort (skipped while the backend fails over or is too slow). */
  async #recordUse(id: number, clientAddress: string): Promise<void> {
    try {
      await this.#db.query(
        `UPDATE pem.api_token SET last_used_at = now(), last_used_from = $2::inet
          WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => $3))`,
        [id, clientAddress, LAST_USE_INTERVAL_S],
        { deadlineMs: STATEMENT_DEADLINE_MS },
      );
    } catch (err) {
      if (!isBackendUnavailable(err) && !isBackendTimeout(err)) throw err;
      this.#logger?.debug(
        { err: String(err) },
        'API token last use not recorded: backend unavailable or slow',
      );
    }
  }
}
