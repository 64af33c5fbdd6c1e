/**
 * The failure taxonomy of {@link HaConnection} (ha/connection.ts): which errors
 * mean "select a host again" (failover-class), which end libpq's walk of the
 * host list, and the errors the connection itself throws. SQLSTATEs:
 * PostgreSQL documentation Appendix A "Error Codes".
 */
import { ERRORS } from '../errors/catalog.js';
import { errorMessage, fillTemplate, type ParamsOf, type ParamValue } from '../errors/create.js';
import { ConnectError } from '../errors/kinds.js';

/**
 * A selection, or a statement the server did not answer, ran past its deadline;
 * the session was dropped. A failover-class error: the server may be frozen or
 * unreachable (a statement's outcome is unknown, unless the server cancelled it
 * itself: `serverDeadline`, ha/server-deadline.ts).
 */
export class DeadlineError extends ConnectError {
  constructor(
    code: 'PHAROS_CONNECT_STATEMENT_DEADLINE',
    params: ParamsOf<'PHAROS_CONNECT_STATEMENT_DEADLINE'>,
    options?: { cause?: unknown },
  );
  constructor(
    code: 'PHAROS_CONNECT_SELECT_DEADLINE',
    params: ParamsOf<'PHAROS_CONNECT_SELECT_DEADLINE'>,
    options?: { cause?: unknown },
  );
  constructor(
    code: 'PHAROS_CONNECT_STATEMENT_DEADLINE' | 'PHAROS_CONNECT_SELECT_DEADLINE',
    params: Record<string, ParamValue>,
    options?: { cause?: unknown },
  ) {
    super(code, fillTemplate(ERRORS[code].message, params), options);
  }
}

/**
 * With the connection's `serverDeadline` on (ha/server-deadline.ts): a statement
 * that took no effect because of its deadline, on a server that answered.
 * Either the server cancelled it (its `statement_timeout`, SQLSTATE 57014
 * query_canceled, which rolls its transaction back: PostgreSQL documentation,
 * Server Configuration › Client Connection Defaults › statement_timeout, and
 * Appendix A) or the deadline had passed before it was sent. The session is
 * healthy and kept (inside a transaction the transaction is rolled back). Not a
 * failover-class error: the server is slow, not gone.
 */
export class StatementTimeoutError extends ConnectError {
  /** How long the server let the statement run, ms (0 when it was not sent). */
  readonly timeoutMs: number;
  constructor(
    params: ParamsOf<'PHAROS_CONNECT_STATEMENT_TIMEOUT'>,
    timeoutMs: number,
    options?: { cause?: unknown },
  ) {
    super(
      'PHAROS_CONNECT_STATEMENT_TIMEOUT',
      errorMessage('PHAROS_CONNECT_STATEMENT_TIMEOUT', params),
      options,
    );
    this.timeoutMs = timeoutMs;
  }
}

/** The session was dropped (deadline, failover error, server termination) while a transaction still used it. A failover-class error. */
export class SessionDroppedError extends ConnectError {
  constructor() {
    super('PHAROS_CONNECT_SESSION_DROPPED', errorMessage('PHAROS_CONNECT_SESSION_DROPPED'));
  }
}

/**
 * Selection failed on every host (`hosts`: each host and why, `; `-separated). `retryable` is
 * false when every host refused us for a client-side reason (authentication...).
 * When one host's error is named, it is the `cause` (its SQLSTATE or socket code tells why).
 */
export class NoHostError extends ConnectError {
  readonly retryable: boolean;
  constructor(hosts: string, retryable: boolean, options?: { cause?: unknown }) {
    super('PHAROS_CONNECT_NO_HOST', errorMessage('PHAROS_CONNECT_NO_HOST', { hosts }), options);
    this.retryable = retryable;
  }
}

/** Socket error codes that mean the connection is gone or was never made. */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'EADDRNOTAVAIL',
]);

/**
 * True when `err` means "this session is gone or on the wrong server: select a
 * host again": SQLSTATE 25006 (read_only_sql_transaction: we are on a standby),
 * 57P01-57P03 (admin/crash shutdown, cannot connect now), class 08 (connection
 * exception), socket errors ECONNRESET, EPIPE, ECONNREFUSED, ETIMEDOUT (and
 * EHOSTUNREACH, ENETUNREACH, ECONNABORTED, EADDRNOTAVAIL), {@link DeadlineError},
 * {@link SessionDroppedError},
 * a retryable {@link NoHostError}, and pg's "Connection terminated" /
 * "not queryable" errors. SQLSTATEs: PostgreSQL docs Appendix A "Error Codes".
 */
export function isFailoverError(err: unknown): boolean {
  if (err instanceof DeadlineError || err instanceof SessionDroppedError) return true;
  if (err instanceof NoHostError) return err.retryable;
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (code === '25006' || code === '57P01' || code === '57P02' || code === '57P03') return true;
    if (/^08[0-9A-Z]{3}$/.test(code)) return true;
    if (NETWORK_CODES.has(code)) return true;
  }
  const message = (err as { message?: unknown }).message;
  if (typeof message === 'string' && /Connection terminated|not queryable|Client was closed/i.test(message))
    return true;
  return false;
}

/** No password was available when the server asked for one (libpq: "fe_sendauth: no password supplied"). */
export class NoPasswordError extends Error {}

/**
 * The server asked for the password in cleartext or as MD5 over a connection
 * that did not verify its identity; nothing was sent (docs/ha-connection.md,
 * security review M3). Not a failover error: the walk stops there, as for an
 * authentication failure.
 */
export class InsecureAuthError extends ConnectError {
  /** What the server asked for. */
  readonly method: 'password' | 'md5';
  constructor(params: ParamsOf<'PHAROS_CONNECT_INSECURE_AUTH'>, method: 'password' | 'md5') {
    super('PHAROS_CONNECT_INSECURE_AUTH', errorMessage('PHAROS_CONNECT_INSECURE_AUTH', params));
    this.method = method;
  }
}

/** True when `err` carries a SQLSTATE (five characters), i.e. the server answered with an error. */
export function hasSqlState(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && !NETWORK_CODES.has(code);
}

/** True for a socket error, or one of our own connect timeouts and aborts. */
export function isNetworkError(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  return err instanceof ConnectError; // our timeouts and aborts
}

/**
 * libpq stops walking the host list on an error from a server it reached
 * (authentication, unknown database...) and on a TLS verification failure;
 * Pharos does too, except for SQLSTATE classes 08, 53 and 57 (module note).
 */
export function isFatalStartupError(err: unknown): boolean {
  if (err instanceof NoPasswordError || err instanceof InsecureAuthError) return true;
  if (hasSqlState(err)) {
    const code = (err as { code: string }).code;
    return !(code.startsWith('08') || code.startsWith('53') || code.startsWith('57'));
  }
  const code = (err as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && /CERT|SELF_SIGNED|UNABLE_TO_|ERR_TLS_CERT_ALTNAME_INVALID/.test(code))
    return true;
  return false;
}
