/**
 * One PostgreSQL session of an {@link HaConnection} (ha/connection.ts): opening
 * it on one host (the `pg` driver for the wire protocol, our own socket for the
 * source address, TLS per ha/tls-material.ts, the password from the string or
 * the password file), asking it what it is (`target_session_attrs`), and
 * ending it (gracefully, or at once).
 */
import { Socket } from 'node:net';
import pg from 'pg';
import type { Logger } from 'pino';
import { passwordFromPassfile } from '../conninfo/pgpass.js';
import { type ConnInfo, type HostEntry, isUnixSocketHost } from '../conninfo/types.js';
import { pharosError } from '../errors/index.js';
import { InsecureAuthError, NoPasswordError } from './errors.js';
import type { StartupReport } from './host-order.js';
import { type TlsMaterial, tlsConnectionOptions } from './tls-material.js';
import type { HaTraceEvent } from './trace.js';

/** A session the connection holds. */
export interface Session {
  client: pg.Client;
  socket: Socket | undefined;
  entry: HostEntry;
  /** Position of `entry` in the host list. */
  index: number;
  /** pg_is_in_recovery() at the last target check. */
  inRecovery?: boolean;
  /** transaction_read_only at the last target check. */
  readOnly?: boolean;
  /**
   * `in_hot_standby` and `default_transaction_read_only` as the server
   * reported them in ParameterStatus during startup (PostgreSQL 14+), read
   * by the first target check (ha/host-order.ts `factsFromStartup`).
   */
  startupReport: StartupReport;
  /** The session-level statement_timeout this connection set, ms (serverDeadline); undefined before the first SET. */
  statementTimeoutMs?: number;
  dead: boolean;
}

/** What opening a session needs from its connection. */
export interface HostContext {
  readonly ci: ConnInfo;
  readonly tls: TlsMaterial | undefined;
  /** Local IP address to bind outgoing TCP connections to. */
  readonly sourceAddress: string | undefined;
  /** Receives password-file warnings. */
  readonly logger: Logger | undefined;
  /** Receives each attempt, re-check, drop and selection (ha/trace.ts). */
  readonly trace?: ((event: HaTraceEvent) => void) | undefined;
}

/** The name TLS verification and .pgpass use for a host entry. */
export function nameOf(entry: HostEntry): string {
  return entry.host !== '' ? entry.host : (entry.hostaddr ?? '');
}

/**
 * Opens a session on host `index` (`entry`), with TLS or not, before `limitAt`
 * (ms since the epoch) unless `signal` aborts first.
 * @throws ConnectError on timeout or abort, NoPasswordError when the server
 *   asks for a password nobody has, and the driver's and server's errors.
 */
export function openSession(
  ctx: HostContext,
  index: number,
  entry: HostEntry,
  useTls: boolean,
  limitAt: number,
  signal?: AbortSignal,
): Promise<Session> {
  const ci = ctx.ci;
  const unix = entry.hostaddr === undefined && isUnixSocketHost(entry.host);
  const dial = entry.hostaddr ?? entry.host;
  let socket: Socket | undefined;
  const localAddress = unix ? undefined : ctx.sourceAddress;
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
      (msg) => ctx.logger?.warn({ passfile: ci.passfile }, msg),
    );
  const config: pg.ClientConfig & { stream: () => Socket; enableChannelBinding?: boolean } = {
    host: dial,
    port: entry.port,
    user: ci.user,
    database: ci.dbname,
    password: async () => {
      if (asked !== undefined && !verified) {
        throw new InsecureAuthError(
          {
            host: nameOf(entry),
            port: entry.port,
            how: asked === 'password' ? 'in cleartext' : 'as MD5',
            sslmode: ci.sslmode,
          },
          asked,
        );
      }
      const pw = password ?? passfileLookup();
      if (pw === undefined) throw new NoPasswordError('fe_sendauth: no password supplied');
      return pw;
    },
    ssl: useTls ? tlsConnectionOptions(ctx.tls!, nameOf(entry), ctx.ci) : false,
    stream,
    keepAlive: ci.keepalives,
    keepAliveInitialDelayMillis: (ci.keepalivesIdleSeconds ?? 0) * 1000,
    enableChannelBinding: useTls && ci.channelBinding !== 'disable',
  };
  const client = new pg.Client(config);
  // Which password exchange the server asked for: these listeners run
  // before the client's own (added when it connects), so the password
  // callback above knows whether the password would leave in the clear.
  let asked: 'password' | 'md5' | undefined;
  const con = (client as unknown as { connection: NodeJS.EventEmitter }).connection;
  con.on('authenticationCleartextPassword', () => {
    asked = 'password';
  });
  con.on('authenticationMD5Password', () => {
    asked = 'md5';
  });
  // What the server reports about itself before ReadyForQuery (libpq reads
  // the same two parameters; ha/host-order.ts factsFromStartup).
  const startupReport: StartupReport = {};
  con.on('parameterStatus', (msg: { parameterName: string; parameterValue: string }) => {
    if (msg.parameterName === 'in_hot_standby') startupReport.inHotStandby = msg.parameterValue === 'on';
    else if (msg.parameterName === 'default_transaction_read_only')
      startupReport.defaultReadOnly = msg.parameterValue === 'on';
  });
  const verified = unix || (useTls && ctx.tls !== undefined && ctx.tls.verify !== 'none');
  // pg reads PG* variables for parameters left empty; set them from the conninfo only.
  const params = (client as unknown as { connectionParameters: Record<string, unknown> })
    .connectionParameters;
  params.application_name = ci.applicationName;
  params.fallback_application_name = ci.fallbackApplicationName;
  params.options = ['-c client_encoding=UTF8', ci.options].filter(Boolean).join(' ');
  params.client_encoding = 'UTF8';
  const session: Session = { client, socket: undefined, entry, index, startupReport, dead: false };
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

/**
 * Asks the session what it is, in one round trip (libpq asks the same two facts,
 * module note of ha/connection.ts): `pg_is_in_recovery()` and
 * `transaction_read_only`, stored on the session. Destroys the session when the
 * answer fails or does not come before `limitAt`.
 * @throws ConnectError on timeout, and the server's error
 */
export async function checkTarget(s: Session, limitAt: number): Promise<void> {
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

/** Ends a session at once: socket destroyed, client ended without waiting. */
export function destroySession(s: Session): void {
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

/** Ends a session gracefully (Terminate message), destroying it after 2 s at most. */
export async function endSession(s: Session): Promise<void> {
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
