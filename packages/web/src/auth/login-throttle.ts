/**
 * Login throttling shared by every web instance (security review L4): the
 * refused logins per user name and per client address are counted in the
 * backend (pem.login_throttle, through pem.login_throttle_wait and
 * pem.login_throttle_record: sql/functions/web/), so adding instances or
 * spreading attempts over them gains an attacker nothing. Per window of
 * {@link LOGIN_THROTTLE_WINDOW_S}: {@link LOGIN_USER_FAILURES} refusals for
 * one user name (typed, whether the role exists or not, so the throttle
 * tells nothing about which names exist) or {@link LOGIN_ADDRESS_FAILURES}
 * from one address make further attempts wait until the window ends (429
 * with Retry-After), before any password is tried. A successful login clears
 * its user name's count. The per-instance, in-memory rate limit of the login
 * route (login_rate_limit_per_minute) stays in front of it.
 *
 * Trade-off: anyone can make a known user name wait up to one window by
 * failing on purpose; an administrator ends that at once with
 * `DELETE FROM pem.login_throttle WHERE kind = 'user' AND key = '<name>'`.
 */
import type { Queryable } from '@pharos/core/query';
import { type LogSink, STATEMENT_DEADLINE_MS, withFailoverRetry } from '../backend.js';

/** Length of a throttling window, seconds. */
export const LOGIN_THROTTLE_WINDOW_S = 900;
/** Refused logins of one user name per window before its logins wait. */
export const LOGIN_USER_FAILURES = 10;
/** Refused logins from one client address per window before its logins wait. */
export const LOGIN_ADDRESS_FAILURES = 50;

/** Reads and records login outcomes in the backend. */
export class LoginThrottle {
  readonly #db: Queryable;
  readonly #logger: LogSink | undefined;

  constructor(db: Queryable, logger?: LogSink) {
    this.#db = db;
    this.#logger = logger;
  }

  /**
   * Seconds a login of `user` from `address` must wait (0: go on). Throws
   * BackendFailingOverError when the backend cannot answer (the login could
   * not be checked anyway).
   */
  async waitS(user: string, address: string): Promise<number> {
    const r = await withFailoverRetry(
      () =>
        this.#db.query<{ wait_s: number }>(
          'SELECT pem.login_throttle_wait($1, $2, $3, $4, $5) AS wait_s',
          [user, address, LOGIN_USER_FAILURES, LOGIN_ADDRESS_FAILURES, LOGIN_THROTTLE_WINDOW_S],
          { deadlineMs: STATEMENT_DEADLINE_MS },
        ),
      { logger: this.#logger, what: 'login throttle' },
    );
    return Number(r.rows[0]?.wait_s ?? 0);
  }

  /** Counts a refused login (`refused`) or clears the user name's count; best effort (a failing-over backend skips it). */
  async record(user: string, address: string, refused: boolean): Promise<void> {
    try {
      await this.#db.query(
        'SELECT pem.login_throttle_record($1, $2, $3, $4)',
        [user, address, refused, LOGIN_THROTTLE_WINDOW_S],
        { deadlineMs: STATEMENT_DEADLINE_MS },
      );
    } catch (err) {
      this.#logger?.warn({ err: String(err) }, 'login throttle not recorded');
    }
  }
}
