/**
 * Web sessions in the backend (pem.web_session), so any instance serves any
 * session and a session survives the restart of the instance that made it.
 *
 * A row is keyed by the SHA-256 of the cookie's session id; the raw id is
 * never stored or logged. Expiry is sliding: `expires_at` moves to now + TTL
 * whenever `last_seen_at` is refreshed, which happens at most once a minute
 * per session, but never past the absolute lifetime ({@link
 * SESSION_MAX_AGE_S} after the login, however busy the session: security
 * review L5). Each lookup also re-checks the role in the catalog: a role that
 * was dropped, lost LOGIN, left both pem_admin and pem_user, got a new
 * password or whose VALID UNTIL passed ends its sessions at their next
 * request (the session keeps pem.role_credential_epoch of its login:
 * sql/functions/web/). The store also holds the API tokens the guard admits
 * ({@link SessionStore.apiTokens}; api-token-store.ts): both are the
 * credentials a request can carry, checked against the same backend.
 */
import type { Queryable } from '@pharos/core/query';
import {
  isBackendTimeout,
  isBackendUnavailable,
  type LogSink,
  STATEMENT_DEADLINE_MS,
  withFailoverRetry,
} from '../backend.js';
import { ApiTokenStore } from './api-token-store.js';
import { hashSessionId, newCsrfToken, newSessionId } from './session-token.js';

/** Seconds between two refreshes of a session's last_seen_at (and of its sliding expiry). */
export const LAST_SEEN_INTERVAL_S = 60;

/** Absolute lifetime of a session, seconds after its login (12 h: a working day, whatever the activity). */
export const SESSION_MAX_AGE_S = 12 * 3600;

/** A live session as the request handlers see it. */
export interface Session {
  /** SHA-256 of the session id (the row key); never the raw id. */
  idHash: Buffer;
  /** The PostgreSQL role that logged in. */
  roleName: string;
  /** Member of pem_admin (administers); otherwise a pem_user member (reads). */
  isAdmin: boolean;
  /** The per-session CSRF token, expected in `x-csrf-token` on mutating requests. */
  csrfToken: string;
  createdAt: Date;
  expiresAt: Date;
  /** Set when the caller came with an API token (guard.ts): its id; the fields above are then the token's. */
  apiTokenId?: number;
}

/** A session just created: the raw id goes into the cookie and nowhere else. */
export interface NewSession extends Session {
  sessionId: string;
}

interface SessionRow {
  role_name: string;
  is_admin: boolean;
  is_user: boolean;
  credential_current: boolean;
  csrf_token: string;
  created_at: Date;
  expires_at: Date;
  touch_due: boolean;
}

/** Reads and writes pem.web_session through the service connection. */
export class SessionStore {
  readonly #db: Queryable;
  readonly #ttlS: number;
  readonly #logger: LogSink | undefined;
  /** The API tokens the guard admits besides sessions (same backend connection). */
  readonly apiTokens: ApiTokenStore;

  /** `ttlS`: idle lifetime of a session in seconds (sliding, see the module doc). */
  constructor(db: Queryable, ttlS: number, logger?: LogSink) {
    this.#db = db;
    this.#ttlS = ttlS;
    this.#logger = logger;
    this.apiTokens = new ApiTokenStore(db, logger);
  }

  /**
   * Creates a session for `roleName` and removes expired ones. The INSERT is
   * safe to repeat (ON CONFLICT DO NOTHING on a fresh random key), so it gets
   * the failover retry. Throws BackendFailingOverError when the backend stays away.
   */
  async create(roleName: string, isAdmin: boolean): Promise<NewSession> {
    const sessionId = newSessionId();
    const idHash = hashSessionId(sessionId);
    const csrfToken = newCsrfToken();
    const rows = await withFailoverRetry(
      async () => {
        await this.#db.query('DELETE FROM pem.web_session WHERE expires_at < now()', [], {
          deadlineMs: STATEMENT_DEADLINE_MS,
        });
        const r = await this.#db.query<{ created_at: Date; expires_at: Date }>(
          `INSERT INTO pem.web_session AS s (id_hash, role_name, is_admin, csrf_token, expires_at, credential_epoch)
           VALUES ($1, $2, $3, $4, now() + make_interval(secs => least($5::double precision, $6::double precision)), pem.role_credential_epoch($2::name))
           ON CONFLICT (id_hash) DO UPDATE SET last_seen_at = s.last_seen_at
           RETURNING created_at, expires_at`,
          [idHash, roleName, isAdmin, csrfToken, this.#ttlS, SESSION_MAX_AGE_S],
          { deadlineMs: STATEMENT_DEADLINE_MS },
        );
        return r.rows;
      },
      { logger: this.#logger, what: 'create session' },
    );
    const row = rows[0]!;
    return {
      sessionId,
      idHash,
      roleName,
      isAdmin,
      csrfToken,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
    };
  }

  /**
   * Finds the live session of a raw session id (from the cookie). Returns
   * undefined when there is none, it expired, or its role may no longer use
   * Pharos (that row is deleted). Refreshes last_seen_at and the expiry when
   * the last refresh is older than {@link LAST_SEEN_INTERVAL_S}; that refresh is
   * best effort (a failing-over backend skips it). Throws
   * BackendFailingOverError when the lookup itself cannot be answered.
   */
  async find(sessionId: string): Promise<Session | undefined> {
    const idHash = hashSessionId(sessionId);
    const rows = await withFailoverRetry(
      async () =>
        (
          await this.#db.query<SessionRow>(
            `SELECT s.role_name, s.csrf_token, s.created_at, s.expires_at,
                    r.oid IS NOT NULL AND r.rolcanlogin AND pg_has_role(r.oid, 'pem_admin', 'MEMBER') AS is_admin,
                    r.oid IS NOT NULL AND r.rolcanlogin AND pg_has_role(r.oid, 'pem_user', 'MEMBER') AS is_user,
                    coalesce(s.credential_epoch = pem.role_credential_epoch(s.role_name), false) AS credential_current,
                    s.last_seen_at < now() - make_interval(secs => $2) AS touch_due
               FROM pem.web_session s LEFT JOIN pg_catalog.pg_roles r ON r.rolname = s.role_name
              WHERE s.id_hash = $1 AND s.expires_at > now()
                AND s.created_at > now() - make_interval(secs => $3)`,
            [idHash, LAST_SEEN_INTERVAL_S, SESSION_MAX_AGE_S],
            { deadlineMs: STATEMENT_DEADLINE_MS },
          )
        ).rows,
      { logger: this.#logger, what: 'find session' },
    );
    const row = rows[0];
    if (!row) return undefined;
    if (!row.is_admin && !row.is_user) {
      this.#logger?.info({ role: row.role_name }, 'session ended: role no longer in pem_admin or pem_user');
      await this.remove(idHash).catch(() => {});
      return undefined;
    }
    if (!row.credential_current) {
      this.#logger?.info(
        { role: row.role_name },
        "session ended: the role's password or VALID UNTIL changed since the login (or it expired)",
      );
      await this.remove(idHash).catch(() => {});
      return undefined;
    }
    let expiresAt = row.expires_at;
    if (row.touch_due) expiresAt = (await this.#touch(idHash)) ?? expiresAt;
    return {
      idHash,
      roleName: row.role_name,
      isAdmin: row.is_admin,
      csrfToken: row.csrf_token,
      createdAt: row.created_at,
      expiresAt,
    };
  }

  /** Deletes a session (logout): every instance refuses its cookie from now on. Idempotent. */
  async remove(idHash: Buffer): Promise<void> {
    await withFailoverRetry(
      () =>
        this.#db.query('DELETE FROM pem.web_session WHERE id_hash = $1', [idHash], {
          deadlineMs: STATEMENT_DEADLINE_MS,
        }),
      { logger: this.#logger, what: 'delete session' },
    );
  }

  /** Refreshes last_seen_at and the sliding expiry; returns the new expiry, or undefined when skipped. */
  async #touch(idHash: Buffer): Promise<Date | undefined> {
    try {
      const r = await this.#db.query<{ expires_at: Date }>(
        `UPDATE pem.web_session
            SET last_seen_at = now(),
                expires_at = least(now() + make_interval(secs => $2), created_at + make_interval(secs => $3))
          WHERE id_hash = $1 AND expires_at > now() RETURNING expires_at`,
        [idHash, this.#ttlS, SESSION_MAX_AGE_S],
        { deadlineMs: STATEMENT_DEADLINE_MS },
      );
      return r.rows[0]?.expires_at;
    } catch (err) {
      if (!isBackendUnavailable(err) && !isBackendTimeout(err)) throw err;
      this.#logger?.debug(
        { err: String(err) },
        'session last_seen refresh skipped: backend unavailable or slow',
      );
      return undefined;
    }
  }
}
