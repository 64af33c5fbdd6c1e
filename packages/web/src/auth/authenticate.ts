/**
 * Authenticates a user against the backend itself: a connection AS that user
 * with the given password, through the login multi-host string and bound to
 * the instance's source address, so the backend's HBA rules and password
 * check decide. On that connection the backend says who logged in
 * (`session_user`, the name the session records — never the request's
 * string) and `pg_has_role` tells pem_admin (administers) from pem_user
 * (reads) from neither (refused). Service and agent roles (members of
 * pem_web or pem_agent, superusers excepted) are refused even with the
 * right password: the web service account never logs in to the UI
 * (security review M4). The connection is closed at once; the password is
 * never stored or logged.
 */

import { formatConninfo } from '@pharos/core/conninfo/format';
import { parseConninfo } from '@pharos/core/conninfo/resolve';
import type { ConnInfo } from '@pharos/core/conninfo/types';
import { HaConnection, type HaConnectionOptions } from '@pharos/core/ha/connection';
import type { Logger } from '@pharos/core/log';
import { BackendFailingOverError, isBackendUnavailable } from '../backend.js';

/** The result of a login attempt. */
export type AuthOutcome =
  /** `roleName`: the backend's session_user. */
  | { kind: 'ok'; isAdmin: boolean; roleName: string }
  /** The backend refused the credentials (wrong password, unknown role, no LOGIN, no HBA rule, a certificate role). */
  | { kind: 'bad-credentials' }
  /** The credentials are good but the role is in neither pem_admin nor pem_user. */
  | { kind: 'not-member' }
  /** The credentials are good but the role is a service or agent role (pem_web, pem_agent). */
  | { kind: 'service-role' };

/** SQLSTATEs that mean "these credentials do not get in": 28P01 invalid_password, 28000 invalid_authorization_specification. */
export const AUTH_FAILURE_CODES = new Set(['28P01', '28000']);

/**
 * Server messages (PostgreSQL's English texts) of a refused login: 28P01
 * "password authentication failed for user", 28000 "no pg_hba.conf entry",
 * "pg_hba.conf rejects connection", "role ... is not permitted to log in",
 * and for a role the HBA rules admit by certificate only (an agent)
 * "connection requires a valid client certificate" / "certificate
 * authentication failed for user". Used when an error carries the text but
 * not the SQLSTATE.
 */
export const AUTH_FAILURE_TEXT =
  /password authentication failed|no pg_hba\.conf entry|pg_hba\.conf rejects connection|is not permitted to log in|authentication failed for user|requires a valid client certificate/i;

/** Control characters (C0, DEL): never in a role name or password; a NUL would end the startup packet's field. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** Deadline of the login connection's statement, in milliseconds. */
export const LOGIN_DEADLINE_MS = 8000;

/**
 * The SQLSTATE of an error, looking through `cause` chains and the `errors`
 * of an AggregateError (a multi-host connect failure carries one per host).
 * Returns the first authentication failure code found, else the first code.
 */
export function sqlStateOf(err: unknown): string | undefined {
  const codes: string[] = [];
  const seen = new Set<unknown>();
  const visit = (e: unknown) => {
    if (!e || typeof e !== 'object' || seen.has(e)) return;
    seen.add(e);
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) codes.push(code);
    visit((e as { cause?: unknown }).cause);
    const errors = (e as { errors?: unknown }).errors;
    if (Array.isArray(errors)) for (const x of errors) visit(x);
  };
  visit(err);
  return codes.find((c) => AUTH_FAILURE_CODES.has(c)) ?? codes[0];
}

/**
 * True when `err` says the backend refused the credentials: an authentication
 * SQLSTATE anywhere in it ({@link sqlStateOf}), or, for a multi-host failure
 * that only carries the servers' messages (HaConnection's NoHostError), a
 * message matching {@link AUTH_FAILURE_TEXT}.
 */
export function isAuthFailure(err: unknown): boolean {
  const code = sqlStateOf(err);
  if (code && AUTH_FAILURE_CODES.has(code)) return true;
  return err instanceof Error && AUTH_FAILURE_TEXT.test(err.message);
}

/** Checks users' credentials against the backend (see the module doc). */
export class LoginAuthenticator {
  readonly #template: ConnInfo;
  readonly #sourceAddress: string | undefined;
  readonly #logger: Logger | undefined;

  /**
   * `loginConninfo`: the login template (same hosts as the service string,
   * dbname pem; a user or password in it is replaced). `sourceAddress`: local
   * address outgoing connections bind to. @throws InputError on a bad string.
   */
  constructor(loginConninfo: string, options: { sourceAddress?: string; logger?: Logger } = {}) {
    this.#template = parseConninfo(loginConninfo);
    this.#sourceAddress = options.sourceAddress;
    this.#logger = options.logger;
  }

  /**
   * Logs `user` in with `password` on a fresh connection and reads its
   * memberships. Resolves to the outcome; throws BackendFailingOverError when
   * no backend host could answer (the user should retry, not re-type), and
   * rethrows anything unexpected.
   */
  async authenticate(user: string, password: string): Promise<AuthOutcome> {
    // never put a control character into a startup packet (a NUL would add parameters): no such role exists
    if (CONTROL_CHARACTERS.test(user) || password.includes('\u0000')) return { kind: 'bad-credentials' };
    const ci: ConnInfo = { ...this.#template, user, password, applicationName: 'pharos-web-login' };
    const options: HaConnectionOptions = {
      conninfo: formatConninfo(ci),
      queryTimeoutMs: LOGIN_DEADLINE_MS,
    };
    if (this.#sourceAddress) options.sourceAddress = this.#sourceAddress;
    if (this.#logger) options.logger = this.#logger;
    const conn = new HaConnection(options);
    try {
      const r = await conn.query<{
        role_name: string;
        is_admin: boolean;
        is_user: boolean;
        is_service: boolean;
      }>(
        `SELECT session_user::text AS role_name,
                pg_has_role(session_user, 'pem_admin', 'MEMBER') AS is_admin,
                pg_has_role(session_user, 'pem_user', 'MEMBER') AS is_user,
                NOT r.rolsuper AND (pg_has_role(session_user, 'pem_web', 'MEMBER')
                                    OR pg_has_role(session_user, 'pem_agent', 'MEMBER')) AS is_service
           FROM pg_catalog.pg_roles r WHERE r.rolname = session_user`,
        [],
        { deadlineMs: LOGIN_DEADLINE_MS },
      );
      const row = r.rows[0]!;
      if (row.is_service) return { kind: 'service-role' };
      if (row.is_admin) return { kind: 'ok', isAdmin: true, roleName: row.role_name };
      if (row.is_user) return { kind: 'ok', isAdmin: false, roleName: row.role_name };
      return { kind: 'not-member' };
    } catch (err) {
      if (isAuthFailure(err)) return { kind: 'bad-credentials' };
      if (isBackendUnavailable(err)) throw new BackendFailingOverError({ cause: err });
      throw err;
    } finally {
      await conn.close().catch(() => {});
    }
  }
}
