/**
 * `HaConnection`: one PostgreSQL session that always lands on a host matching
 * `target_session_attrs`, chosen from a libpq multi-host connection string, and
 * moves on failover (DESIGN.md §4). The `pg` driver is used only for the wire
 * protocol; host selection (ha/host-race.ts), sessions (ha/session.ts), TLS
 * files (ha/tls-material.ts) and the failure taxonomy (ha/errors.ts) are ours.
 *
 * In short (every rule, and its source in the PostgreSQL documentation and
 * libpq's fe-connect.c, is in docs/ha-connection.md): libpq's host choice
 * and target_session_attrs, with all hosts dialled concurrently and a host
 * silent for 500 ms passed over for a later matching one; after a failover
 * one round of attempts, not a walk of timeouts, and on request
 * (`awaitTargetMs`) a wait for a promotion on open sessions; connect_timeout per
 * host; TLS per sslmode, failing closed on unusable files; every call under a
 * deadline that destroys the socket when it passes, and with `serverDeadline`
 * also a `statement_timeout` so the server cancels a statement that runs out of
 * time (ha/server-deadline.ts); failover-class errors drop
 * the session so the next call selects again; calls serialised; passwords never
 * logged, and sent in cleartext or as MD5 only to a server verified by TLS or
 * over a Unix socket ({@link InsecureAuthError}, security review M3).
 *
 * {@link HaConnection.listen}: LISTEN on a channel; the channels are listened
 * again on every session the connection selects (NOTIFY is delivered only to
 * sessions of the server it was sent on, so a listener on the primary moves
 * with it), and the handler is called with `undefined` after such a
 * re-selection (notifications may have been missed meanwhile).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { isIP } from 'node:net';
import { homedir } from 'node:os';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFromStream } from 'pg-copy-streams';
import type { Logger } from 'pino';
import { parseConninfo } from '../conninfo/resolve.js';
import type { ConnInfo } from '../conninfo/types.js';
import { messageOf, pharosError, sqlStateOf } from '../errors/index.js';
import { DeadlineError, isFailoverError, SessionDroppedError, StatementTimeoutError } from './errors.js';
import { HeldSessions } from './held-sessions.js';
import { selectHost } from './host-race.js';
import { statementTimeoutFor, timeoutInForceFits } from './server-deadline.js';
import { destroySession, endSession, type HostContext, nameOf, type Session } from './session.js';
import { loadTls } from './tls-material.js';
import type { HaTraceEvent } from './trace.js';

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
  /** Receives each host attempt, re-check, drop and selection with its times (ha/trace.ts); never passwords. */
  trace?: (event: HaTraceEvent) => void;
  /**
   * Keep the sessions a selection opened on the other hosts (those that
   * answered and were not chosen: for read-write, the standbys) open while
   * the chosen one is used, and re-check them at the next selection instead
   * of dialling them again. After a failover the promoted standby is then
   * found with one round trip on a session opened beforehand, not a new TCP,
   * TLS and authentication exchange (which takes seconds on a loaded
   * machine, bench/results). Costs one idle server session per other host.
   * A host without a held session is dialled again in the background every
   * HOLD_REDIAL_MS (ha/held-sessions.ts). Default false: only the sessions
   * of a selection that found no match are kept, for WATCH_MS
   * (docs/ha-connection.md, "Sessions kept for the next selection").
   */
  holdOtherHosts?: boolean;
  /**
   * Enforce each call's deadline on the server too (ha/server-deadline.ts,
   * docs/ha-connection.md "Deadlines on the server"): every statement runs
   * under a `statement_timeout` a little shorter than what is left of its
   * deadline, so a statement that runs out of time is cancelled by the server
   * itself (never committing later, even if the client is gone) and the call
   * fails with {@link StatementTimeoutError} (not failover-class; the session
   * is kept). A server that does not answer by the deadline still gives
   * DeadlineError. A statement that sets `statement_timeout` itself takes
   * over: in a transaction, the connection then leaves the value alone until
   * COMMIT (which it still bounds); outside one, the next call sets it again.
   * Default false.
   */
  serverDeadline?: boolean;
}

export { HOLD_REDIAL_MS, WATCH_MS } from './held-sessions.js';

/** Which `statement_timeout` a statement runs under with serverDeadline on: the session's, a transaction's (SET LOCAL), or none managed. */
type TimeoutScope = 'session' | 'bare' | TransactionTimeout;

/** The `SET LOCAL statement_timeout` in force in one transaction, ms (undefined: the session's). */
interface TransactionTimeout {
  localMs: number | undefined;
  /**
   * False once a statement of the transaction set `statement_timeout` itself
   * (e.g. a tighter limit for one check): from then on only COMMIT is given
   * the time left (nothing else can commit).
   */
  managed: boolean;
}

/** A statement that sets statement_timeout itself (SET, SET LOCAL, RESET, set_config...). */
const SETS_STATEMENT_TIMEOUT = /statement_timeout/i;

/** Options of one call ({@link HaConnection.query}, {@link HaConnection.transaction}). */
export interface CallOptions {
  /** Deadline of the call, selection included, ms; default the connection's `queryTimeoutMs`. */
  deadlineMs?: number;
  /**
   * When the call has to select a host and every host answers but none
   * matches target_session_attrs (a failover in progress: the old primary is
   * gone, no standby promoted yet), keep watching them for up to this long,
   * ms, within the deadline, instead of failing at once with NoHostError:
   * the sessions that did not match are asked again every 100 ms and the
   * hosts that failed dialled again once a second, counted from the start of
   * their previous dial (ha/host-race.ts REDIAL_MS), so a
   * promotion is used within about 100 ms with no new connections. Default:
   * fail at once, as libpq does (docs/ha-connection.md, "Waiting for a
   * promotion").
   */
  awaitTargetMs?: number;
  /**
   * HaTransaction.query only: run the statement as this named prepared
   * statement of the session (prepared on its first use per session, so
   * PostgreSQL keeps its plan: for a large constant statement run often; the
   * name must always go with the same text). The deadline is the transaction's.
   */
  statementName?: string;
}

/** Result of a statement. */
export interface HaResult<R> {
  rows: R[];
  rowCount: number;
  /** The result's columns in order: name and type OID (`pg_type.oid`), as the server described them (RowDescription). */
  fields?: { name: string; dataTypeID: number }[];
}

/** The handle passed to {@link HaConnection.transaction}'s callback. */
export interface HaTransaction {
  /**
   * Runs one statement inside the transaction, under the transaction's deadline;
   * of `opts` only `statementName` counts ({@link CallOptions}).
   */
  query<R = Record<string, unknown>>(
    sql: string,
    params?: unknown[],
    opts?: CallOptions,
  ): Promise<HaResult<R>>;
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

/** The connections whose transaction callback is running in the current async context. */
const inTransaction = new AsyncLocalStorage<Set<HaConnection>>();

/**
 * A multi-host PostgreSQL connection with libpq's semantics (docs/ha-connection.md
 * gives every rule and its source). One session at a time; calls are
 * serialised (a transaction holds the session until it ends).
 */
export class HaConnection {
  private readonly ci: ConnInfo;
  private readonly env: Record<string, string | undefined>;
  private readonly sourceAddress: string | undefined;
  private readonly queryTimeoutMs: number;
  private readonly logger: Logger | undefined;
  private readonly serverDeadline: boolean;
  /** What host selection and sessions need: the parsed string, TLS material, source address, logger. */
  private readonly hosts: HostContext;
  private session: Session | undefined;
  private lastIndex: number | undefined;
  /** Open sessions on other hosts for the next selection to re-check (ha/held-sessions.ts). */
  private readonly held: HeldSessions;
  private readonly holdOtherHosts: boolean;
  /** The last session was dropped (failover-class error, deadline, server end): the next selection races every host at once. */
  private dropped = false;
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly channels = new Map<string, (payload: string | undefined) => void>();

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
    this.holdOtherHosts = options.holdOtherHosts === true;
    this.logger = options.logger;
    this.serverDeadline = options.serverDeadline === true;
    for (const h of this.ci.hosts) {
      if (h.host.startsWith('@') && h.hostaddr === undefined) {
        throw pharosError('PHAROS_CONNECT_ABSTRACT_SOCKET', { host: h.host });
      }
    }
    const enc = this.ci.clientEncoding;
    if (enc !== undefined && !/^(utf-?8|unicode|auto)$/i.test(enc)) {
      throw pharosError('PHAROS_CONNECT_ENCODING_UNSUPPORTED', { encoding: enc });
    }
    this.hosts = {
      ci: this.ci,
      tls: loadTls(this.ci, this.env.HOME || homedir()),
      sourceAddress: this.sourceAddress,
      logger: this.logger,
      trace: options.trace,
    };
    this.held = new HeldSessions(this.hosts, this.holdOtherHosts, () =>
      this.session && !this.session.dead ? this.session.index : undefined,
    );
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
   * `opts.awaitTargetMs`: see {@link CallOptions}.
   *
   * @throws DeadlineError when the deadline passes (the session is dropped).
   * @throws StatementTimeoutError (serverDeadline only) when the server
   *   cancelled the statement at its deadline, or none of it was left to send it.
   * @throws NoHostError when no host could be selected.
   * @throws the server's error (pg DatabaseError with `code` = SQLSTATE) otherwise;
   *   failover-class ones drop the session first.
   */
  query<R = Record<string, unknown>>(
    sql: string,
    params?: unknown[],
    opts?: CallOptions,
  ): Promise<HaResult<R>> {
    return this.serialise(async () => {
      const deadlineAt = Date.now() + (opts?.deadlineMs ?? this.queryTimeoutMs);
      const s = await this.ensure(deadlineAt, opts?.awaitTargetMs);
      const r = await this.run(s, sql, params, deadlineAt);
      return {
        rows: r.rows as R[],
        rowCount: r.rowCount ?? 0,
        fields: (r.fields ?? []).map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })),
      };
    });
  }

  /**
   * `BEGIN`; `fn(tx)`; `COMMIT` — `ROLLBACK` when `fn` throws (the error is
   * rethrown). Not retried: a failure of COMMIT itself leaves the outcome
   * unknown, and callers decide (e.g. with an idempotency key). The deadline
   * (`opts.deadlineMs`, default `queryTimeoutMs`) covers the whole transaction.
   * Inside `fn`, use `tx.query`: calling this connection's `query` or
   * `transaction` from `fn` rejects at once (it would wait for itself).
   * `opts.awaitTargetMs`: see {@link CallOptions}.
   *
   * @throws DeadlineError, StatementTimeoutError (serverDeadline: a statement
   *   or COMMIT cancelled by the server; the transaction is rolled back),
   *   NoHostError, the server's or `fn`'s error; an Error when COMMIT reports that the transaction was rolled back (a statement
   *   failed and `fn` swallowed the error).
   */
  transaction<T>(fn: (tx: HaTransaction) => Promise<T>, opts?: CallOptions): Promise<T> {
    return this.serialise(async () => {
      const deadlineAt = Date.now() + (opts?.deadlineMs ?? this.queryTimeoutMs);
      const s = await this.ensure(deadlineAt, opts?.awaitTargetMs);
      await this.run(s, 'BEGIN', undefined, deadlineAt);
      const scope: TransactionTimeout = { localMs: s.statementTimeoutMs, managed: true };
      let open = true;
      const tx: HaTransaction = {
        query: async <R>(sql: string, params?: unknown[], qopts?: CallOptions) => {
          if (!open) throw pharosError('PHAROS_INTERNAL_TRANSACTION_FINISHED');
          const r = await this.run(s, sql, params, deadlineAt, scope, qopts?.statementName);
          return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
        },
        copyFrom: async (copySql, data) => {
          if (!open) throw pharosError('PHAROS_INTERNAL_TRANSACTION_FINISHED');
          return this.copy(s, copySql, data, deadlineAt, scope);
        },
      };
      try {
        const outer = inTransaction.getStore();
        const result = await inTransaction.run(new Set([...(outer ?? []), this]), () => fn(tx));
        const c = await this.run(s, 'COMMIT', undefined, deadlineAt, scope);
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
              await this.run(s, 'ROLLBACK', undefined, deadlineAt, 'bare').catch((e: unknown) =>
                this.drop(s, `ROLLBACK failed: ${messageOf(e)}`),
              );
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
    this.held.release();
    const s = this.session;
    this.session = undefined;
    if (s) await endSession(s);
  }

  /**
   * LISTENs on `channel` (a plain identifier: lower-case letters, digits,
   * `_`) now and on every session selected later; `handler` gets each
   * NOTIFY's payload, and `undefined` after a re-selection (module note).
   * Resolves once the current session listens.
   * @throws InputError for a channel name that is not a plain identifier;
   *   the errors of {@link query} otherwise (the channel stays registered).
   */
  async listen(channel: string, handler: (payload: string | undefined) => void): Promise<void> {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) {
      throw pharosError('PHAROS_CONNECT_CHANNEL_INVALID', { channel });
    }
    const known = this.channels.has(channel);
    this.channels.set(channel, handler);
    if (known) return;
    await this.serialise(async () => {
      const deadlineAt = Date.now() + this.queryTimeoutMs;
      const fresh = !this.session || this.session.dead;
      const s = await this.ensure(deadlineAt);
      // a session selected just now already listens on every registered channel
      if (!fresh) await this.run(s, `LISTEN ${channel}`, undefined, deadlineAt, 'bare');
    });
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
    if (this.session === s) {
      this.session = undefined;
      this.dropped = true;
    }
    this.logger?.warn({ host: nameOf(s.entry), port: s.entry.port, reason }, 'dropping database session');
    this.hosts.trace?.({
      kind: 'drop',
      atMs: Date.now(),
      host: `${nameOf(s.entry)}:${s.entry.port}`,
      reason,
    });
    destroySession(s);
  }

  private async ensure(deadlineAt: number, awaitTargetMs?: number): Promise<Session> {
    if (this.closed) throw pharosError('PHAROS_CONNECT_CLOSED');
    if (this.session && !this.session.dead) return this.session;
    const started = Date.now();
    const awaitUntil =
      awaitTargetMs !== undefined && awaitTargetMs > 0
        ? Math.min(deadlineAt, started + awaitTargetMs)
        : undefined;
    let s: Session;
    const reuse = this.held.take();
    try {
      s = await selectHost(this.hosts, this.lastIndex, deadlineAt, awaitUntil, {
        reuse,
        keep: (kept) => this.held.hold(kept),
        keepLosers: this.holdOtherHosts,
        raceAll: this.dropped,
      });
    } catch (err) {
      this.logger?.warn(
        { error: messageOf(err), selectMs: Date.now() - started },
        'no database host selected',
      );
      this.hosts.trace?.({ kind: 'select', atMs: started, ms: Date.now() - started, error: messageOf(err) });
      throw err;
    }
    this.hosts.trace?.({
      kind: 'select',
      atMs: started,
      ms: Date.now() - started,
      host: `${nameOf(s.entry)}:${s.entry.port}`,
    });
    if (this.closed) {
      destroySession(s);
      throw pharosError('PHAROS_CONNECT_CLOSED');
    }
    this.session = s;
    this.lastIndex = s.index;
    this.dropped = false;
    s.socket?.ref();
    this.held.refill();
    // Attached at once: an idle session terminated by the server emits 'error'.
    s.client.on('error', (err) => this.drop(s, `session error: ${messageOf(err)}`));
    s.client.on('end', () => this.drop(s, 'session ended'));
    s.client.on('notification', (msg: { channel: string; payload?: string }) =>
      this.channels.get(msg.channel)?.(msg.payload ?? ''),
    );
    if (this.channels.size > 0) {
      try {
        for (const channel of this.channels.keys())
          await this.run(s, `LISTEN ${channel}`, undefined, deadlineAt, 'bare');
      } catch (err) {
        this.drop(s, `LISTEN failed: ${messageOf(err)}`);
        throw err;
      }
      for (const handler of this.channels.values()) queueMicrotask(() => handler(undefined));
    }
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

  /** Runs one statement on `s` under `deadlineAt` (and, with serverDeadline, the statement_timeout of `scope`). */
  private async run(
    s: Session,
    sql: string,
    params: unknown[] | undefined,
    deadlineAt: number,
    scope: TimeoutScope = 'session',
    statementName?: string,
  ): Promise<pg.QueryResult> {
    if (s.dead) throw new SessionDroppedError();
    const timeoutMs = await this.armTimeout(s, deadlineAt, sql, scope);
    const sentAt = Date.now();
    const q = statementName
      ? s.client.query({ name: statementName, text: sql, values: params as unknown[] })
      : s.client.query(sql, params as unknown[]);
    try {
      return await this.withDeadline(s, q, deadlineAt, sql, timeoutMs, sentAt);
    } finally {
      if (this.serverDeadline && SETS_STATEMENT_TIMEOUT.test(sql)) {
        // the caller set it: the value in force is no longer the one this connection set
        if (scope === 'session') s.statementTimeoutMs = undefined;
        else if (scope !== 'bare') scope.managed = false;
      }
    }
  }

  private async copy(
    s: Session,
    copySql: string,
    data: string | Buffer | Iterable<string | Buffer> | AsyncIterable<string | Buffer>,
    deadlineAt: number,
    scope: TimeoutScope,
  ): Promise<number> {
    if (s.dead) throw new SessionDroppedError();
    const timeoutMs = await this.armTimeout(s, deadlineAt, copySql, scope);
    const sentAt = Date.now();
    const stream = s.client.query(copyFromStream(copySql));
    const source =
      typeof data === 'string' || Buffer.isBuffer(data)
        ? Readable.from([data])
        : Readable.from(data as Iterable<string>);
    await this.withDeadline(s, pipeline(source, stream), deadlineAt, copySql, timeoutMs, sentAt);
    return stream.rowCount;
  }

  /**
   * With serverDeadline (and a scope other than 'bare'): makes the
   * statement_timeout in force fit what is left of the deadline
   * (ha/server-deadline.ts), with one `SET` (`SET LOCAL` in a transaction)
   * when it does not, and returns it, ms. Undefined when not managed (in a
   * transaction whose statements set statement_timeout themselves, every
   * statement but COMMIT).
   * @throws StatementTimeoutError when too little is left to send anything
   *   (nothing is sent); the errors of the SET.
   */
  private async armTimeout(
    s: Session,
    deadlineAt: number,
    what: string,
    scope: TimeoutScope,
  ): Promise<number | undefined> {
    if (!this.serverDeadline || scope === 'bare') return undefined;
    if (scope !== 'session' && !scope.managed && what !== 'COMMIT') return undefined;
    const remainingMs = deadlineAt - Date.now();
    const inForce = scope === 'session' ? s.statementTimeoutMs : scope.managed ? scope.localMs : undefined;
    if (timeoutInForceFits(inForce, remainingMs)) return inForce;
    const timeoutMs = statementTimeoutFor(remainingMs);
    if (timeoutMs === undefined) {
      throw new StatementTimeoutError(
        {
          host: nameOf(s.entry),
          port: s.entry.port,
          how: 'not sent: its deadline had passed',
          statement: what.slice(0, 60),
        },
        0,
      );
    }
    const set = `SET ${scope === 'session' ? '' : 'LOCAL '}statement_timeout = ${timeoutMs}`;
    await this.withDeadline(s, s.client.query(set), deadlineAt, set);
    if (scope === 'session') s.statementTimeoutMs = timeoutMs;
    else scope.localMs = timeoutMs;
    return timeoutMs;
  }

  /**
   * Awaits `work` (one statement sent on `s`) until `deadlineAt`: past it the
   * session is dropped and DeadlineError thrown. When the statement ran under
   * a statement_timeout of `timeoutMs` (sent at `sentAt`) and the server
   * cancelled it (57014) after that long, StatementTimeoutError instead.
   */
  private async withDeadline<T>(
    s: Session,
    work: Promise<T>,
    deadlineAt: number,
    what: string,
    timeoutMs?: number,
    sentAt = 0,
  ): Promise<T> {
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
      if (timeoutMs !== undefined && sqlStateOf(err) === '57014' && Date.now() - sentAt >= timeoutMs) {
        throw new StatementTimeoutError(
          {
            host: nameOf(s.entry),
            port: s.entry.port,
            how: `cancelled by the server's statement_timeout after ${timeoutMs} ms`,
            statement: what.slice(0, 60),
          },
          timeoutMs,
          { cause: err },
        );
      }
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }
}
