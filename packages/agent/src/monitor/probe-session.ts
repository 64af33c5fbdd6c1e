/**
 * One monitoring session on a server (an `HaConnection` to one database),
 * with the session settings every probe relies on.
 *
 * Every session starts (connection option `options`, so a reconnect gets them
 * too; PostgreSQL libpq-connect.html "options", runtime-config-client.html)
 * with `statement_timeout` = {@link DEFAULT_STATEMENT_TIMEOUT_MS},
 * `lock_timeout` = 1 s (a size function waiting behind an ACCESS EXCLUSIVE
 * lock gives up instead of queueing), `default_transaction_read_only = on`
 * (the agent never writes on a monitored server) and `jit = off` (compiling
 * a monitoring query costs more than it saves). A probe with another timeout
 * sets `statement_timeout` before it runs; {@link ProbeSession.restore} puts
 * the default back at the end of a cycle, so a probe cycle of default probes
 * costs one statement per probe. Each statement also has a client deadline
 * (timeout + 2 s) after which the session is dropped.
 */
import { parseConninfo } from '@pharos/core/conninfo/resolve';
import { HaConnection, type HaConnectionOptions, type HaResult } from '@pharos/core/ha/connection';
import { isLocalOnly, loopbackSourceFor, mapLocalHosts } from '@pharos/core/host-identity';
import type { Logger } from '@pharos/core/log';
import type { Binding } from './bindings.js';
import { serverConninfo } from './server-conninfo.js';

/** statement_timeout every monitoring session starts with, ms (the timeout of most probes). */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 5000;
/** Extra client-side time beyond a statement's timeout (connect + round trips), ms. */
export const DEADLINE_MARGIN_MS = 2000;

const SESSION_OPTIONS = `-c statement_timeout=${DEFAULT_STATEMENT_TIMEOUT_MS} -c lock_timeout=1000 -c default_transaction_read_only=on -c jit=off`;

/** How to reach a monitored server (shared by its sessions). */
export interface SessionTarget {
  agentId: number;
  binding: Binding;
  passfile?: string;
  sslrootcert?: string;
  sourceAddress?: string;
  /** The host's identity address (@pharos/core/host-identity); see ServerMonitorOptions. */
  hostAddress?: string;
  connectTimeoutS: number;
  logger: Logger;
}

/** The host a binding is dialled at and the local address to bind, as the monitor's connections do. */
export function dialAddresses(t: SessionTarget): { host: string; localAddress: string | undefined } {
  let ci = parseConninfo(
    serverConninfo(t.binding, { agentId: t.agentId, connectTimeoutS: t.connectTimeoutS }),
    {},
  );
  let localAddress = t.sourceAddress ?? t.hostAddress;
  if (t.hostAddress !== undefined && isLocalOnly(ci)) {
    ci = mapLocalHosts(ci, t.hostAddress);
    localAddress = loopbackSourceFor(t.hostAddress);
  }
  return { host: ci.hosts[0]!.host, localAddress };
}

/**
 * The options of a monitoring connection to `database` (default: the
 * binding's maintenance database): the binding's connection string
 * (server-conninfo.ts) with the session settings above, bound to the
 * agent's source address, a local binding dialled at the host address
 * (@pharos/core/host-identity). The probe sessions and the test connection
 * (test-connection.ts) both use it, so a test connects exactly as the
 * monitor will.
 */
export function probeConnectionOptions(t: SessionTarget, database?: string): HaConnectionOptions {
  const b = database === undefined ? t.binding : { ...t.binding, maintenanceDb: database };
  let ci = parseConninfo(
    serverConninfo(b, {
      agentId: t.agentId,
      passfile: t.passfile,
      sslrootcert: t.sslrootcert,
      connectTimeoutS: t.connectTimeoutS,
    }),
    {},
  );
  ci.options = SESSION_OPTIONS;
  let sourceAddress = t.sourceAddress ?? t.hostAddress;
  if (t.hostAddress !== undefined && isLocalOnly(ci)) {
    ci = mapLocalHosts(ci, t.hostAddress);
    sourceAddress = loopbackSourceFor(t.hostAddress);
  }
  return {
    conninfo: ci,
    sourceAddress,
    queryTimeoutMs: t.connectTimeoutS * 1000 + DEADLINE_MARGIN_MS,
    logger: t.logger,
  };
}

/** A probe session on `database` (default: the binding's maintenance database). */
export class ProbeSession {
  readonly conn: HaConnection;
  /** Statements sent (for the probe cost benchmark). */
  statements = 0;
  private timeoutMs: number | undefined = DEFAULT_STATEMENT_TIMEOUT_MS;

  /** @throws ConfigError/InputError from HaConnection when the binding yields an unusable connection string. */
  constructor(t: SessionTarget, database?: string) {
    this.conn = new HaConnection(probeConnectionOptions(t, database));
  }

  /** Runs `sql` (one statement, no parameters unless given) under `timeoutMs`; returns its rows. */
  async run(
    sql: string,
    timeoutMs: number,
    params: readonly unknown[] = [],
  ): Promise<Record<string, unknown>[]> {
    return (await this.query(sql, timeoutMs, params)).rows;
  }

  /** {@link run}, answering the rows with the columns the server described (name, type OID). */
  async query(
    sql: string,
    timeoutMs: number,
    params: readonly unknown[] = [],
  ): Promise<HaResult<Record<string, unknown>>> {
    const deadlineMs = timeoutMs + DEADLINE_MARGIN_MS;
    try {
      if (this.timeoutMs !== timeoutMs) {
        this.statements++;
        await this.conn.query(`SET statement_timeout = ${Math.round(timeoutMs)}`, [], { deadlineMs });
        this.timeoutMs = timeoutMs;
      }
      this.statements++;
      return await this.conn.query<Record<string, unknown>>(sql, [...params], { deadlineMs });
    } catch (err) {
      this.timeoutMs = undefined; // the session may be a new one now: set it again next time
      throw err;
    }
  }

  /** Puts the default statement timeout back if a probe changed it (end of a cycle). Never throws. */
  async restore(): Promise<void> {
    if (this.timeoutMs === DEFAULT_STATEMENT_TIMEOUT_MS || this.timeoutMs === undefined) return;
    try {
      this.statements++;
      await this.conn.query(`SET statement_timeout = ${DEFAULT_STATEMENT_TIMEOUT_MS}`, [], {
        deadlineMs: DEFAULT_STATEMENT_TIMEOUT_MS,
      });
      this.timeoutMs = DEFAULT_STATEMENT_TIMEOUT_MS;
    } catch {
      this.timeoutMs = undefined;
    }
  }

  /** Closes the session. */
  close(): Promise<void> {
    return this.conn.close();
  }
}
