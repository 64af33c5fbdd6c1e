/**
 * `HaConnection`: one PostgreSQL session that always lands on a host matching
 * `target_session_attrs`, chosen from a libpq multi-host connection string, and
 * moves on failover (DESIGN.md §4). The `pg` driver is used only for the wire
 * protocol; host selection, timeouts, TLS and deadlines are done here.
 *
 * Semantics and their sources (PostgreSQL 15 documentation §34.1.1.3
 * "Specifying Multiple Hosts", §34.1.2 "Parameter Key Words", §34.19 "SSL
 * Support"; libpq `fe-connect.c` `PQconnectPoll`, state CONNECTION_CHECK_TARGET):
 *
 * - `target_session_attrs`: `read-write` accepts a session whose
 *   `transaction_read_only` is off, i.e. neither `default_transaction_read_only`
 *   nor hot standby (libpq 14+ reads both from ParameterStatus and otherwise runs
 *   `SHOW transaction_read_only`); a hot standby has
 *   `default_transaction_read_only = off` but is still read-only. `read-only` is
 *   the opposite. `primary`/`standby` test `pg_is_in_recovery()` (libpq: the
 *   `in_hot_standby` report, else `SELECT pg_catalog.pg_is_in_recovery()`).
 *   `prefer-standby` first looks for a standby among all hosts, then accepts
 *   any host. Pharos asks both facts in one query,
 *   `SELECT pg_is_in_recovery(), current_setting('transaction_read_only')`,
 *   which gives libpq's answer with one round trip.
 * - `connect_timeout` (seconds; 1 counts as 2; 0, negative or unset = no limit
 *   of its own) bounds each host's attempt: TCP connect, TLS, authentication and
 *   the target check. A listener that accepts and never answers costs at most
 *   that. Every call is further bounded by its deadline.
 * - A server error during startup that is about the client (authentication,
 *   unknown database: anything but SQLSTATE classes 08, 53 and 57) stops the
 *   walk, as libpq does ("If a connection is established successfully, but
 *   authentication fails, the remaining hosts in the list are not tried").
 *   Deviation: libpq also stops on 57P03 ("the database system is starting up /
 *   shutting down") and 53300 (too many connections); Pharos moves on to the next
 *   host, because during a switchover the old primary answers exactly that.
 * - Host order. The first selection keeps libpq's result: the first host in list
 *   order that matches (for prefer-standby: the first standby, else the first
 *   host that connects) — but all hosts are dialled concurrently and the
 *   decision is taken as soon as every earlier host has failed, so it never
 *   costs more than libpq's sequential walk and usually much less. After that,
 *   the last selected host is tried first; if it fails or no longer matches, the
 *   other hosts are probed concurrently and the first to match wins, so a
 *   failover costs one round of attempts, not a walk of timeouts. If it has not
 *   answered within 500 ms (a frozen or black-holed primary accepts the TCP
 *   connection and never answers), the others are probed at once as well, so
 *   a frozen last primary does not cost connect_timeout on every selection;
 *   and while that selection still waits for the frozen host, the standbys
 *   that answered are asked again every 250 ms on their open sessions, so a
 *   promotion is seen within a quarter of a second.
 * - TLS (§34.19): `disable` plain; `allow` plain, then TLS if the server rejects
 *   the plain attempt; `prefer` TLS, then plain if TLS fails; `require` TLS
 *   without verification unless a root certificate is available (then like
 *   verify-ca, as libpq); `verify-ca` chain; `verify-full` chain and the name of
 *   the host dialled (host name, or its IP address against the IP SANs; the
 *   `host` name when `hostaddr` is used). Files named by `sslrootcert`,
 *   `sslcert`, `sslkey`, `sslcrl` are read once, in the constructor; a missing
 *   or unreadable one throws {@link ConfigError} naming it (libpq silently skips
 *   some; Pharos fails closed). Defaults under `~/.postgresql/` as libpq:
 *   `root.crt` (required for verify-*), `root.crl`, `postgresql.crt`/`.key`.
 *   Unix-socket hosts never use TLS (libpq). `channel_binding=prefer` (the
 *   default) uses SCRAM-SHA-256-PLUS over TLS when offered. Not honoured:
 *   `sslsni=0` for host names (the driver always sends SNI for names, never for
 *   IP addresses), `keepalives_interval`, `keepalives_count`, `tcp_user_timeout`
 *   (Node cannot set them); `client_encoding` is always UTF8.
 * - `sslmode=prefer` against a server without TLS costs a second TCP connection
 *   (libpq continues on the same socket); the driver cannot fall back in place.
 * - Every statement has a deadline; when it passes, the socket is destroyed,
 *   the session dropped and {@link DeadlineError} thrown (a frozen primary keeps
 *   sockets open forever). Failover-class errors ({@link isFailoverError}) drop
 *   the session too, so the next call selects a host again. An idle session
 *   terminated by the server only drops it; it never crashes the process.
 * - Passwords never reach the logger or error messages.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { isIP, Socket } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type ConnectionOptions, checkServerIdentity, createSecureContext } from 'node:tls';
import pg from 'pg';
import { from as copyFromStream } from 'pg-copy-streams';
import type { Logger } from 'pino';
import {
  type ConnInfo,
  type HostEntry,
  isUnixSocketHost,
  parseConninfo,
  passwordFromPassfile,
} from './conninfo.js';
import { ERRORS } from './errors/catalog.js';
import { errorMessage, fillTemplate, type ParamsOf, type ParamValue, pharosError } from './errors/create.js';
import { ConnectError, messageOf } from './errors/kinds.js';

/** Options of {@link HaConnection}. */
export interface HaConnectionOptions {
  /** A libpq connection string (parsed with {@link parseConninfo} and `env`) or a parsed one. */
  conninfo: string | ConnInfo;
  /** Environment for `PG*` variables, `HOME` (pgpass, ~/.postgresql) and `USER`; default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Local IP address to bind outgoing TCP connections to; overrides the conninfo's `source_address`. */
  sourceAddress?: string;
  /** Default deadline of every query and transaction, milliseconds; default 15000. */
  queryTimeoutMs?: number;
  /** Logger; receives selections, drops and warnings, never passwords. */
  logger?: Logger;
}

/** Result of a statement. */
export interface HaResult<R> {
  rows: R[];
  rowCount: number;
}

/** The handle passed to {@link HaConnection.transaction}'s callback. */
export interface HaTransaction {
  /** Runs one statement inside the transaction, under the transaction's deadline. */
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<HaResult<R>>;
  /**
   * `COPY ... FROM STDIN` (pg-copy-streams) with `data`: text (or CSV, per the
   * COPY options) given as one string/Buffer or an (async) iterable of chunks.
   * Resolves to the number of rows copied.
   */
  copyFrom(
    copySql: string,
    data: string | Buffer | Iterable<string | Buffer> | AsyncIterable<string | Buffer>,
  ): Promise<number>;
}

/** A query or selection ran past its deadline; the session was dropped. A failover-class error. */
export class DeadlineError extends ConnectError {
  constructor(
    code: 'PHAROS_CONNECT_STATEMENT_DEADLINE',
    params: ParamsOf<'PHAROS_CONNECT_STATEMENT_DEADLINE'>,
  );
  constructor(code: 'PHAROS_CONNECT_SELECT_DEADLINE', params: ParamsOf<'PHAROS_CONNECT_SELECT_DEADLINE'>);
  constructor(
    code: 'PHAROS_CONNECT_STATEMENT_DEADLINE' | 'PHAROS_CONNECT_SELECT_DEADLINE',
    params: Record<string, ParamValue>,
  ) {
    super(code, fillTemplate(ERRORS[code].message, params));
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
 */
export class NoHostError extends ConnectError {
  readonly retryable: boolean;
  constructor(hosts: string, retryable: boolean, options?: { cause?: unknown }) {
    super('PHAROS_CONNECT_NO_HOST', errorMessage('PHAROS_CONNECT_NO_HOST', { hosts }), options);
    this.retryable = retryable;
  }
}

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
class NoPasswordError extends Error {}

/** A session the connection holds. */
interface Session {
  client: pg.Client;
  socket: Socket | undefined;
  entry: HostEntry;
  index: number;
  inRecovery?: boolean;
  readOnly?: boolean;
  dead: boolean;
}

interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  crl?: Buffer;
  verify: 'none' | 'ca' | 'full';
}

function readRequired(path: string, what: string, key: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw pharosError(
      'PHAROS_TLS_FILE_UNREADABLE',
      { what, path, key, reason: messageOf(err) },
      {
        cause: err,
      },
    );
  }
}

function readOptional(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/** libpq's private key permission rule (fe-secure-openssl.c, initialize_SSL). */
function checkKeyPermissions(path: string): void {
  const st = statSync(path);
  const mode = Number(st.mode);
  const uid = typeof process.geteuid === 'function' ? process.geteuid() : -1;
  if ((st.uid === uid && (mode & 0o077) !== 0) || (st.uid === 0 && (mode & 0o037) !== 0)) {
    throw pharosError('PHAROS_TLS_KEY_PERMISSIONS', { path });
  }
}

/** Loads and validates TLS files once (fail closed). Returns undefined for sslmode=disable. */
function loadTls(ci: ConnInfo, home: string): TlsMaterial | undefined {
  if (ci.sslmode === 'disable') return undefined;
  const dir = join(home, '.postgresql');
  const m: TlsMaterial = { verify: 'none' };
  if (ci.sslrootcert !== undefined) {
    m.ca = readRequired(ci.sslrootcert, 'root certificate', 'sslrootcert');
  } else {
    const def = join(dir, 'root.crt');
    m.ca = readOptional(def);
    if (!m.ca && (ci.sslmode === 'verify-ca' || ci.sslmode === 'verify-full')) {
      throw pharosError('PHAROS_TLS_ROOT_CERT_MISSING', { path: def });
    }
  }
  if (ci.sslmode === 'verify-full') m.verify = 'full';
  else if (m.ca) m.verify = 'ca';
  const certPath = ci.sslcert ?? join(dir, 'postgresql.crt');
  const cert =
    ci.sslcert !== undefined
      ? readRequired(certPath, 'client certificate', 'sslcert')
      : readOptional(certPath);
  if (cert) {
    const keyPath = ci.sslkey ?? join(dir, 'postgresql.key');
    m.key = readRequired(keyPath, 'private key', 'sslkey');
    checkKeyPermissions(keyPath);
    m.cert = cert;
  } else if (ci.sslkey !== undefined) {
    readRequired(ci.sslkey, 'private key', 'sslkey');
  }
  if (ci.sslcrl !== undefined) m.crl = readRequired(ci.sslcrl, 'certificate revocation list', 'sslcrl');
  else m.crl = readOptional(join(dir, 'root.crl'));
  const check = (
    buf: Buffer | undefined,
    path: string | undefined,
    key: string,
    what: string,
    pem: RegExp,
  ) => {
    if (!buf) return;
    const blocks = buf.toString('latin1').match(pem) ?? [];
    try {
      if (blocks.length === 0) throw new Error(`no PEM ${what} in it`);
      if (key !== 'sslcrl') for (const b of blocks) new X509Certificate(b);
    } catch (err) {
      throw pharosError(
        'PHAROS_TLS_FILE_UNUSABLE',
        { what, path: String(path), key, reason: messageOf(err) },
        {
          cause: err,
        },
      );
    }
  };
  const CERT_PEM = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;
  check(m.ca, ci.sslrootcert ?? join(dir, 'root.crt'), 'sslrootcert', 'root certificate', CERT_PEM);
  check(m.cert, certPath, 'sslcert', 'client certificate', CERT_PEM);
  check(
    m.crl,
    ci.sslcrl ?? join(dir, 'root.crl'),
    'sslcrl',
    'certificate revocation list',
    /-----BEGIN X509 CRL-----/g,
  );
  if (m.key) {
    try {
      createPrivateKey(m.key);
    } catch (err) {
      throw pharosError(
        'PHAROS_TLS_FILE_UNUSABLE',
        {
          what: 'private key',
          path: ci.sslkey ?? join(dir, 'postgresql.key'),
          key: 'sslkey',
          reason: messageOf(err),
        },
        { cause: err },
      );
    }
  }
  try {
    createSecureContext({ ca: m.ca, cert: m.cert, key: m.key, crl: m.crl });
  } catch (err) {
    const files = [ci.sslrootcert, ci.sslcert, ci.sslkey, ci.sslcrl]
      .filter((f) => f !== undefined)
      .join(', ');
    throw pharosError(
      'PHAROS_TLS_FILES_UNUSABLE',
      { files: files || '~/.postgresql defaults', reason: messageOf(err) },
      {
        cause: err,
      },
    );
  }
  return m;
}

/** The name TLS verification and .pgpass use for a host entry. */
function nameOf(entry: HostEntry): string {
  return entry.host !== '' ? entry.host : (entry.hostaddr ?? '');
}

type Outcome = { ok: Session } | { err: unknown; fatal: boolean };

/**
 * How long the host used last may stay silent before the other hosts are
 * dialled too, ms: well above a healthy server's connection and TLS set-up
 * on a loaded machine, well below any useful connect_timeout.
 */
const HEDGE_MS = 500;

/** While a selection waits for a slow host, how often a host that did not match is asked again, ms. */
const RECHECK_MS = 250;

/** The connections whose transaction callback is running in the current async context. */
const inTransaction = new AsyncLocalStorage<Set<HaConnection>>();

/**
 * A multi-host PostgreSQL connection with libpq's semantics (see the module
 * note for every rule and its source). One session at a time; calls are
 * serialised (a transaction holds the session until it ends).
 */
export class HaConnection {
  private readonly ci: ConnInfo;
  private readonly env: Record<string, string | undefined>;
  private readonly sourceAddress: string | undefined;
  private readonly queryTimeoutMs: number;
  private readonly logger: Logger | undefined;
  private readonly tls: TlsMaterial | undefined;
  private session: Session | undefined;
  private lastIndex: number | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;

  /**
   * @throws InputError for a malformed connection string (see {@link parseConninfo}).
   * @throws ConfigError for a missing or unreadable TLS file (named), a private
   *   key readable by others, a `source_address` that is not an IP address, an
   *   abstract-namespace socket host, or a `client_encoding` other than UTF8.
   */
  constructor(options: HaConnectionOptions) {
    this.env = options.env ?? process.env;
    this.ci =
      typeof options.conninfo === 'string' ? parseConninfo(options.conninfo, this.env) : options.conninfo;
    this.sourceAddress = options.sourceAddress ?? this.ci.sourceAddress;
    if (this.sourceAddress !== undefined && isIP(this.sourceAddress) === 0) {
      throw pharosError('PHAROS_CONNECT_SOURCE_ADDRESS_INVALID', { address: this.sourceAddress });
    }
    this.queryTimeoutMs = options.queryTimeoutMs ?? 15000;
    this.logger = options.logger;
    for (const h of this.ci.hosts) {
      if (h.host.startsWith('@') && h.hostaddr === undefined) {
        throw pharosError('PHAROS_CONNECT_ABSTRACT_SOCKET', { host: h.host });
      }
    }
    const enc = this.ci.clientEncoding;
    if (enc !== undefined && !/^(utf-?8|unicode|auto)$/i.test(enc)) {
      throw pharosError('PHAROS_CONNECT_ENCODING_UNSUPPORTED', { encoding: enc });
    }
    this.tls = loadTls(this.ci, this.env.HOME || homedir());
  }

  /** Host and port of the session in use, or undefined when not connected. */
  get current(): { host: string; port: number } | undefined {
    const s = this.session;
    if (!s || s.dead) return undefined;
    return { host: nameOf(s.entry), port: s.entry.port };
  }

  /**
   * Selects a host if not connected, then runs one statement. The deadline
   * (`opts.deadlineMs`, default `queryTimeoutMs`) starts when the call gets the
   * session (calls are serialised) and covers selection and the statement.
   *
   * @throws DeadlineError when the deadline passes (the session is dropped).
   * @throws NoHostError when no host could be selected.
   * @throws the server's error (pg DatabaseError with `code` = SQLSTATE) otherwise;
   *   failover-class ones drop the session first.
   */
  query<R = Record<string, unknown>>(
    sql: string,
    params?: unknown[],
    opts?: { deadlineMs?: number },
  ): Promise<HaResult<R>> {
    return this.serialise(async () => {
      const deadlineAt = Date.now() + (opts?.deadlineMs ?? this.queryTimeoutMs);
      const s = await this.ensure(deadlineAt);
      const r = await this.run(s, sql, params, deadlineAt);
      return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
    });
  }

  /**
   * `BEGIN`; `fn(tx)`; `COMMIT` — `ROLLBACK` when `fn` throws (the error is
   * rethrown). Not retried: a failure of COMMIT itself leaves the outcome
   * unknown, and callers decide (e.g. with an idempotency key). The deadline
   * (`opts.deadlineMs`, default `queryTimeoutMs`) covers the whole transaction.
   * Inside `fn`, use `tx.query`: calling this connection's `query` or
   * `transaction` from `fn` rejects at once (it would wait for itself).
   *
   * @throws DeadlineError, NoHostError, the server's or `fn`'s error; an Error
   *   when COMMIT reports that the transaction was rolled back (a statement
   *   failed and `fn` swallowed the error).
   */
  transaction<T>(fn: (tx: HaTransaction) => Promise<T>, opts?: { deadlineMs?: number }): Promise<T> {
    return this.serialise(async () => {
      const deadlineAt = Date.now() + (opts?.deadlineMs ?? this.queryTimeoutMs);
      const s = await this.ensure(deadlineAt);
      await this.run(s, 'BEGIN', undefined, deadlineAt);
      let open = true;
      const tx: HaTransaction = {
        query: async <R>(sql: string, params?: unknown[]) => {
          if (!open) throw pharosError('PHAROS_INTERNAL_TRANSACTION_FINISHED');
          const r = await this.run(s, sql, params, deadlineAt);
          return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
        },
        copyFrom: async (copySql, data) => {
          if (!open) throw pharosError('PHAROS_INTERNAL_TRANSACTION_FINISHED');
          return this.copy(s, copySql, data, deadlineAt);
        },
      };
      try {
        const outer = inTransaction.getStore();
        const result = await inTransaction.run(new Set([...(outer ?? []), this]), () => fn(tx));
        const c = await this.run(s, 'COMMIT', undefined, deadlineAt);
        open = false;
        if (c.command === 'ROLLBACK') {
          throw pharosError('PHAROS_INTERNAL_COMMIT_ROLLED_BACK');
        }
        return result;
      } catch (err) {
        if (open) {
          open = false;
          if (!s.dead) {
            if (Date.now() < deadlineAt) {
              await this.run(s, 'ROLLBACK', undefined, deadlineAt).catch(() => {});
            } else {
              this.drop(s, 'deadline passed before ROLLBACK');
            }
          }
        }
        throw err;
      }
    });
  }

  /** Ends the session (if any). Later calls throw ConnectError. */
  async close(): Promise<void> {
    this.closed = true;
    const s = this.session;
    this.session = undefined;
    if (s) await endSession(s);
  }

  // ---- internals --------------------------------------------------------

  private serialise<T>(fn: () => Promise<T>): Promise<T> {
    if (inTransaction.getStore()?.has(this)) {
      return Promise.reject(
        new Error('HaConnection called inside its own transaction callback: use the tx handle (tx.query)'),
      );
    }
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => {});
    return run;
  }

  private drop(s: Session, reason: string): void {
    if (s.dead) return;
    s.dead = true;
    if (this.session === s) this.session = undefined;
    this.logger?.warn({ host: nameOf(s.entry), port: s.entry.port, reason }, 'dropping database session');
    destroySession(s);
  }

  private async ensure(deadlineAt: number): Promise<Session> {
    if (this.closed) throw pharosError('PHAROS_CONNECT_CLOSED');
    if (this.session && !this.session.dead) return this.session;
    const started = Date.now();
    let s: Session;
    try {
      s = await this.select(deadlineAt);
    } catch (err) {
      this.logger?.warn(
        { error: messageOf(err), selectMs: Date.now() - started },
        'no database host selected',
      );
      throw err;
    }
    if (this.closed) {
      destroySession(s);
      throw pharosError('PHAROS_CONNECT_CLOSED');
    }
    this.session = s;
    this.lastIndex = s.index;
    // Attached at once: an idle session terminated by the server emits 'error'.
    s.client.on('error', (err) => this.drop(s, `session error: ${messageOf(err)}`));
    s.client.on('end', () => this.drop(s, 'session ended'));
    this.logger?.info(
      {
        host: nameOf(s.entry),
        port: s.entry.port,
        inRecovery: s.inRecovery,
        selectMs: Date.now() - started,
      },
      'selected database host',
    );
    return s;
  }

  private async run(
    s: Session,
    sql: string,
    params: unknown[] | undefined,
    deadlineAt: number,
  ): Promise<pg.QueryResult> {
    if (s.dead) throw new SessionDroppedError();
    const q = s.client.query(sql, params as unknown[]);
    return this.withDeadline(s, q, deadlineAt, sql);
  }

  private async copy(
    s: Session,
    copySql: string,
    data: string | Buffer | Iterable<string | Buffer> | AsyncIterable<string | Buffer>,
    deadlineAt: number,
  ): Promise<number> {
    if (s.dead) throw new SessionDroppedError();
    const stream = s.client.query(copyFromStream(copySql));
    const source =
      typeof data === 'string' || Buffer.isBuffer(data)
        ? Readable.from([data])
        : Readable.from(data as Iterable<string>);
    await this.withDeadline(s, pipeline(source, stream), deadlineAt, copySql);
    return stream.rowCount;
  }

  private async withDeadline<T>(s: Session, work: Promise<T>, deadlineAt: number, what: string): Promise<T> {
    work.catch(() => {});
    const remaining = deadlineAt - Date.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => {
          this.drop(s, 'deadline exceeded');
          reject(
            new DeadlineError('PHAROS_CONNECT_STATEMENT_DEADLINE', {
              host: nameOf(s.entry),
              port: s.entry.port,
              statement: what.slice(0, 60),
            }),
          );
        },
        Math.max(0, remaining),
      );
    });
    try {
      return await Promise.race([work, timeout]);
    } catch (err) {
      if (!(err instanceof DeadlineError) && isFailoverError(err)) this.drop(s, messageOf(err));
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Chooses a host (module note, "Host order"). */
  private async select(deadlineAt: number): Promise<Session> {
    const n = this.ci.hosts.length;
    const all = [...Array(n).keys()];
    const last = this.lastIndex;
    if (last === undefined) return this.race(all, true, deadlineAt);
    const others = all.filter((i) => i !== last);
    // Fast path: the host used last. A frozen or black-holed primary accepts
    // the TCP connection and never answers, so if it has not answered within
    // HEDGE_MS the others are dialled too and the first to match wins.
    const lastAbort = new AbortController();
    const pending = this.attempt(last, deadlineAt, lastAbort.signal);
    let hedgeTimer: NodeJS.Timeout | undefined;
    const early = await Promise.race([
      pending,
      new Promise<undefined>((r) => {
        hedgeTimer = setTimeout(() => r(undefined), HEDGE_MS);
      }),
    ]);
    clearTimeout(hedgeTimer);
    if (early === undefined && others.length > 0) {
      return this.race([last, ...others], false, deadlineAt, undefined, undefined, {
        index: last,
        outcome: pending,
        abort: lastAbort,
      });
    }
    const first = early ?? (await pending);
    let fallback: Session | undefined;
    if ('ok' in first) {
      const m = this.matches(first.ok, false);
      if (m) return first.ok;
      if (this.ci.targetSessionAttrs === 'prefer-standby') fallback = first.ok;
      else destroySession(first.ok);
    }
    if (Date.now() >= deadlineAt) {
      if (fallback) destroySession(fallback);
      throw new DeadlineError('PHAROS_CONNECT_SELECT_DEADLINE', {
        detail: `last tried ${this.describe(last)}`,
      });
    }
    return this.race(others, false, deadlineAt, fallback, first);
  }

  private describe(i: number): string {
    const e = this.ci.hosts[i]!;
    return `${nameOf(e)}:${e.port}`;
  }

  /** Strict match (pass 1), or the prefer-standby second pass. */
  private matches(s: Session, secondPass: boolean): boolean {
    switch (this.ci.targetSessionAttrs) {
      case 'any':
        return true;
      case 'read-write':
        return s.readOnly === false;
      case 'read-only':
        return s.readOnly === true;
      case 'primary':
        return s.inRecovery === false;
      case 'standby':
        return s.inRecovery === true;
      case 'prefer-standby':
        return secondPass || s.inRecovery === true;
    }
  }

  /**
   * Dials `indices` concurrently. `ordered`: decide like libpq's sequential walk
   * (the first matching host in list order, waiting for earlier hosts to fail;
   * a fatal error on an earlier host ends the walk). Otherwise the first host to
   * match wins. `fallback`/`prior`: a session/outcome from the fast path.
   * `inFlight`: an attempt on one of `indices` already under way (the hedged
   * fast path), awaited instead of dialling that host again. Unordered, a
   * session that answered but did not match is asked again every RECHECK_MS
   * on the same session while other hosts are still pending (a standby
   * promoted meanwhile then wins at once, instead of after the slowest host's
   * connect_timeout).
   */
  private race(
    indices: number[],
    ordered: boolean,
    deadlineAt: number,
    fallback?: Session,
    prior?: Outcome,
    inFlight?: { index: number; outcome: Promise<Outcome>; abort: AbortController },
  ): Promise<Session> {
    return new Promise<Session>((resolve, reject) => {
      const outcomes = new Map<number, Outcome>();
      if (prior && this.lastIndex !== undefined) outcomes.set(this.lastIndex, prior);
      const aborts = new Map<number, AbortController>();
      const rechecks = new Set<NodeJS.Timeout>();
      let done = false;
      const finish = (winner: Session | undefined, err?: unknown) => {
        done = true;
        clearTimeout(timer);
        for (const t of rechecks) clearTimeout(t);
        for (const [i, ac] of aborts) if (!outcomes.has(i)) ac.abort();
        for (const o of outcomes.values()) if ('ok' in o && o.ok !== winner) destroySession(o.ok);
        if (fallback && fallback !== winner) destroySession(fallback);
        if (winner) resolve(winner);
        else reject(err);
      };
      /**
       * The error naming each host's outcome. `fatalAt`: the ordered walk ended
       * on a client-side error at that host (libpq stops there): only the hosts
       * up to it are named, and the error is not retryable whatever later hosts
       * (dialled concurrently) answered.
       */
      const failure = (fatalAt?: number): NoHostError => {
        const parts: string[] = [];
        let anyRetryable = false;
        const named =
          fatalAt === undefined ? [...outcomes.keys()] : indices.slice(0, indices.indexOf(fatalAt) + 1);
        for (const [i, o] of [...outcomes.entries()]
          .filter(([i]) => named.includes(i))
          .sort((a, b) => a[0] - b[0])) {
          if ('ok' in o) {
            parts.push(
              `${this.describe(i)}: does not match target_session_attrs=${this.ci.targetSessionAttrs}`,
            );
            anyRetryable = true;
          } else {
            parts.push(`${this.describe(i)}: ${messageOf(o.err)}`);
            if (!o.fatal) anyRetryable = true;
          }
        }
        return new NoHostError(parts.join('; '), fatalAt === undefined && anyRetryable);
      };
      const decide = () => {
        if (done) return;
        if (ordered) {
          for (const i of indices) {
            const o = outcomes.get(i);
            if (!o) return; // wait for the earlier host
            if ('ok' in o) {
              if (this.matches(o.ok, false)) return finish(o.ok);
            } else if (o.fatal) {
              return finish(undefined, failure(i));
            }
          }
        } else {
          for (const o of outcomes.values()) if ('ok' in o && this.matches(o.ok, false)) return finish(o.ok);
          if (indices.some((i) => !outcomes.has(i))) return;
        }
        // Everything answered and nothing matched strictly: prefer-standby's second pass.
        if (this.ci.targetSessionAttrs === 'prefer-standby') {
          const order = fallback && this.lastIndex !== undefined ? [this.lastIndex, ...indices] : indices;
          for (const i of order) {
            const o = outcomes.get(i);
            if (o && 'ok' in o) return finish(o.ok);
          }
          if (fallback) return finish(fallback);
        }
        return finish(undefined, failure());
      };
      const recheck = (session: Session) => {
        const t = setTimeout(async () => {
          rechecks.delete(t);
          if (done || session.dead) return;
          try {
            await this.checkTarget(session, Math.min(deadlineAt, Date.now() + 2000));
          } catch {
            return; // checkTarget destroyed the session; its first answer stays the outcome
          }
          if (done) return;
          if (this.matches(session, false)) finish(session);
          else recheck(session);
        }, RECHECK_MS);
        rechecks.add(t);
      };
      const timer = setTimeout(
        () => {
          if (done) return;
          const e = failure();
          finish(undefined, new DeadlineError('PHAROS_CONNECT_SELECT_DEADLINE', { detail: e.message }));
        },
        Math.max(0, deadlineAt - Date.now()),
      );
      for (const i of indices) {
        const own = inFlight?.index === i ? inFlight : undefined;
        const ac = own?.abort ?? new AbortController();
        aborts.set(i, ac);
        (own?.outcome ?? this.attempt(i, deadlineAt, ac.signal)).then((o) => {
          if (done) {
            if ('ok' in o) destroySession(o.ok);
            return;
          }
          outcomes.set(i, o);
          decide();
          if (!done && !ordered && 'ok' in o && this.ci.targetSessionAttrs !== 'prefer-standby')
            recheck(o.ok);
        });
      }
      if (indices.length === 0) decide();
    });
  }

  /** One host: TLS per sslmode (with allow/prefer fallbacks), then the target check. Never rejects. */
  private async attempt(index: number, deadlineAt: number, signal?: AbortSignal): Promise<Outcome> {
    const entry = this.ci.hosts[index]!;
    const ct = this.ci.connectTimeoutSeconds;
    const perHostMs = ct !== undefined && ct > 0 ? Math.max(ct, 2) * 1000 : Number.POSITIVE_INFINITY;
    const limitAt = Math.min(deadlineAt, Date.now() + perHostMs);
    const unix = entry.hostaddr === undefined && isUnixSocketHost(entry.host);
    const mode = this.ci.sslmode;
    const plan: boolean[] =
      unix || !this.tls
        ? [false]
        : mode === 'allow'
          ? [false, true]
          : mode === 'prefer'
            ? [true, false]
            : [true];
    let lastErr: unknown;
    for (let k = 0; k < plan.length; k++) {
      const useTls = plan[k]!;
      try {
        const s = await this.open(index, entry, useTls, limitAt, signal);
        if (this.ci.targetSessionAttrs !== 'any') {
          await this.checkTarget(s, limitAt);
        }
        return { ok: s };
      } catch (err) {
        lastErr = err;
        if (signal?.aborted || Date.now() >= limitAt) break;
        if (k + 1 < plan.length) {
          const retry = mode === 'prefer' ? !isNetworkError(err) : hasSqlState(err);
          if (retry) continue;
        }
        break;
      }
    }
    return { err: lastErr, fatal: isFatalStartupError(lastErr) };
  }

  private async checkTarget(s: Session, limitAt: number): Promise<void> {
    const q = s.client.query(
      "SELECT pg_catalog.pg_is_in_recovery() AS in_recovery, pg_catalog.current_setting('transaction_read_only') AS read_only",
    );
    let timer: NodeJS.Timeout | undefined;
    try {
      const r = await Promise.race([
        q,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(pharosError('PHAROS_CONNECT_SESSION_ATTRS_TIMEOUT')),
            Math.max(0, limitAt - Date.now()),
          );
        }),
      ]);
      const row = r.rows[0] as { in_recovery: boolean; read_only: string };
      s.inRecovery = row.in_recovery === true;
      s.readOnly = row.read_only === 'on';
    } catch (err) {
      q.catch(() => {});
      destroySession(s);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  private open(
    index: number,
    entry: HostEntry,
    useTls: boolean,
    limitAt: number,
    signal?: AbortSignal,
  ): Promise<Session> {
    const ci = this.ci;
    const unix = entry.hostaddr === undefined && isUnixSocketHost(entry.host);
    const dial = entry.hostaddr ?? entry.host;
    let socket: Socket | undefined;
    const localAddress = unix ? undefined : this.sourceAddress;
    const stream = () => {
      const sock = new Socket();
      socket = sock;
      const realConnect = sock.connect.bind(sock) as (...a: unknown[]) => Socket;
      (sock as unknown as { connect: (...a: unknown[]) => Socket }).connect = (...args: unknown[]) => {
        if (typeof args[0] === 'number') {
          const opts: { port: number; host: string; localAddress?: string } = {
            port: args[0],
            host: args[1] as string,
          };
          if (localAddress) opts.localAddress = localAddress;
          return realConnect(opts);
        }
        if (typeof args[0] === 'string') return realConnect({ path: args[0] });
        return realConnect(...args);
      };
      return sock;
    };
    const password = ci.password;
    const passfileLookup = () =>
      passwordFromPassfile(
        ci.passfile,
        { host: nameOf(entry), port: entry.port, dbname: ci.dbname, user: ci.user },
        (msg) => this.logger?.warn({ passfile: ci.passfile }, msg),
      );
    const config: pg.ClientConfig & { stream: () => Socket; enableChannelBinding?: boolean } = {
      host: dial,
      port: entry.port,
      user: ci.user,
      database: ci.dbname,
      password: async () => {
        const pw = password ?? passfileLookup();
        if (pw === undefined) throw new NoPasswordError('fe_sendauth: no password supplied');
        return pw;
      },
      ssl: useTls ? this.tlsOptions(entry) : false,
      stream,
      keepAlive: ci.keepalives,
      keepAliveInitialDelayMillis: (ci.keepalivesIdleSeconds ?? 0) * 1000,
      enableChannelBinding: useTls && ci.channelBinding !== 'disable',
    };
    const client = new pg.Client(config);
    // pg reads PG* variables for parameters left empty; set them from the conninfo only.
    const params = (client as unknown as { connectionParameters: Record<string, unknown> })
      .connectionParameters;
    params.application_name = ci.applicationName;
    params.fallback_application_name = ci.fallbackApplicationName;
    params.options = ['-c client_encoding=UTF8', ci.options].filter(Boolean).join(' ');
    params.client_encoding = 'UTF8';
    const session: Session = { client, socket: undefined, entry, index, dead: false };
    return new Promise<Session>((resolve, reject) => {
      let settled = false;
      const fail = (err: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        session.socket = socket;
        destroySession(session);
        reject(err);
      };
      const onAbort = () =>
        fail(pharosError('PHAROS_CONNECT_ABANDONED', { host: nameOf(entry), port: entry.port }));
      const timer = setTimeout(
        () => fail(pharosError('PHAROS_CONNECT_TIMEOUT', { host: nameOf(entry), port: entry.port })),
        Math.max(0, limitAt - Date.now()),
      );
      signal?.addEventListener('abort', onAbort, { once: true });
      // Errors before connect resolves are reported through connect(); keep a listener anyway.
      client.on('error', () => {});
      client.connect().then(
        () => {
          if (settled) {
            session.socket = socket;
            destroySession(session);
            return;
          }
          settled = true;
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          session.socket = socket;
          resolve(session);
        },
        (err) => fail(err),
      );
    });
  }

  private tlsOptions(entry: HostEntry): ConnectionOptions {
    const m = this.tls!;
    const name = nameOf(entry);
    const opts: ConnectionOptions = {
      rejectUnauthorized: m.verify !== 'none',
      minVersion: (this.ci.sslMinProtocolVersion ?? 'TLSv1.2') as ConnectionOptions['minVersion'],
      checkServerIdentity:
        m.verify === 'full' ? (_host: string, cert) => checkServerIdentity(name, cert) : () => undefined,
    };
    if (this.ci.sslMaxProtocolVersion)
      opts.maxVersion = this.ci.sslMaxProtocolVersion as ConnectionOptions['maxVersion'];
    if (m.ca) opts.ca = m.ca;
    if (m.cert) opts.cert = m.cert;
    if (m.key) opts.key = m.key;
    if (m.crl) opts.crl = m.crl;
    return opts;
  }
}

function hasSqlState(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && !NETWORK_CODES.has(code);
}

function isNetworkError(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  return err instanceof ConnectError; // our timeouts and aborts
}

/**
 * libpq stops walking the host list on an error from a server it reached
 * (authentication, unknown database...) and on a TLS verification failure;
 * Pharos does too, except for SQLSTATE classes 08, 53 and 57 (module note).
 */
function isFatalStartupError(err: unknown): boolean {
  if (err instanceof NoPasswordError) return true;
  if (hasSqlState(err)) {
    const code = (err as { code: string }).code;
    return !(code.startsWith('08') || code.startsWith('53') || code.startsWith('57'));
  }
  const code = (err as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && /CERT|SELF_SIGNED|UNABLE_TO_|ERR_TLS_CERT_ALTNAME_INVALID/.test(code))
    return true;
  return false;
}

function destroySession(s: Session): void {
  s.dead = true;
  try {
    s.socket?.destroy();
  } catch {
    // already gone
  }
  const con = (s.client as unknown as { connection?: { stream?: { destroy?: () => void } } }).connection;
  try {
    con?.stream?.destroy?.();
  } catch {
    // already gone
  }
  s.client.end().catch(() => {});
}

async function endSession(s: Session): Promise<void> {
  s.dead = true;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    s.client.end().catch(() => {}),
    new Promise<void>((r) => {
      timer = setTimeout(r, 2000);
    }),
  ]);
  clearTimeout(timer);
  destroySession(s);
}
