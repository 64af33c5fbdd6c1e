/**
 * Monitoring of one PostgreSQL server: its own connection (an `HaConnection`
 * with the single host of its binding), its own schedule and its own deadlines,
 * so a dead, slow or black-holed server only ever delays itself (issue 6,
 * "Isolation").
 *
 * A cycle runs the server probes in order (probes/catalog.ts): `server_up`
 * first — when it fails, the cycle records up=0 with the error and ends;
 * then `server_info`, whose `in_recovery` and `server_version_num` decide the
 * role (which probes run: `runsOn`) and the major (which SQL text). Every probe
 * has its own statement timeout (`statement_timeout`, set for the session
 * before each probe) and a client deadline of timeout + 2 s (covering a
 * reconnect), after which the session is dropped. A failing probe is logged
 * with probe, server and error, counted, and never stops the cycle or the agent.
 * The samples of a cycle are appended to the spool together.
 */

import { parseConninfo } from '@pharos/core/conninfo';
import { messageOf } from '@pharos/core/errors';
import { HaConnection } from '@pharos/core/ha-connection';
import { isLocalOnly, mapLocalHosts } from '@pharos/core/host-identity';
import type { Logger } from '@pharos/core/log';
import { SERVER_PROBES } from '../probes/catalog.js';
import { majorOf, sqlForMajor } from '../probes/sql-for-major.js';
import { rowsToSamples } from '../probes/to-samples.js';
import type { Probe } from '../probes/types.js';
import type { NewSample } from '../sample.js';
import type { Binding } from './bindings.js';
import { serverConninfo } from './server-conninfo.js';
import { startTicker, type Ticker } from './ticker.js';

/** Where a monitor's samples and failures go. */
export interface MonitorSink {
  /** Appends samples to the spool; resolves when they are durable. */
  record(samples: NewSample[]): Promise<void>;
  /** Counts one failed probe run (for agent_status). */
  probeFailed(): void;
}

/** Options of {@link ServerMonitor}. */
export interface ServerMonitorOptions {
  agentId: number;
  binding: Binding;
  intervalMs: number;
  sink: MonitorSink;
  logger: Logger;
  passfile?: string;
  /** CA file for bindings with sslmode verify-ca/verify-full. */
  sslrootcert?: string;
  sourceAddress?: string;
  /**
   * The host's identity address (the lab; @pharos/core/host-identity): a
   * binding to a local name (127.0.0.1) is dialled there from 127.0.0.1, as
   * a local connection on a real host; other bindings bind to it.
   */
  hostAddress?: string;
  probes?: readonly Probe[];
  /** Spread the first cycles of many servers over the interval: delay of the first cycle, ms. */
  initialDelayMs?: number;
}

/** Extra client-side time beyond a probe's statement timeout (connect + round trips), ms. */
const DEADLINE_MARGIN_MS = 2000;

/** Monitors one server; {@link start} then {@link stop}. */
export class ServerMonitor {
  readonly binding: Binding;
  private readonly opts: ServerMonitorOptions;
  private readonly conn: HaConnection;
  private readonly log: Logger;
  private ticker: Ticker | undefined;
  private major: number | undefined;
  private role: 'primary' | 'standby' | undefined;

  /** @throws ConfigError/InputError from HaConnection when the binding yields an unusable connection string. */
  constructor(opts: ServerMonitorOptions) {
    this.opts = opts;
    this.binding = opts.binding;
    this.log = opts.logger.child({ serverId: opts.binding.serverId, server: opts.binding.displayName });
    const connectTimeoutS = Math.max(2, Math.min(10, Math.ceil(opts.intervalMs / 2000)));
    let ci = parseConninfo(
      serverConninfo(opts.binding, {
        agentId: opts.agentId,
        passfile: opts.passfile,
        sslrootcert: opts.sslrootcert,
        connectTimeoutS,
      }),
      {},
    );
    let sourceAddress = opts.sourceAddress ?? opts.hostAddress;
    if (opts.hostAddress !== undefined && isLocalOnly(ci)) {
      ci = mapLocalHosts(ci, opts.hostAddress);
      sourceAddress = opts.sourceAddress;
    }
    this.conn = new HaConnection({
      conninfo: ci,
      sourceAddress,
      queryTimeoutMs: connectTimeoutS * 1000 + DEADLINE_MARGIN_MS,
      logger: this.log,
    });
  }

  /** Starts the schedule (first cycle after `initialDelayMs`). */
  start(): void {
    this.ticker = startTicker(this.opts.intervalMs, () => this.cycle(), {
      initialDelayMs: this.opts.initialDelayMs ?? 0,
      onOverrun: (skipped) =>
        this.log.warn({ skipped }, 'probe cycle outlasted its interval; cycles skipped'),
      onError: (err) => this.log.error({ err: messageOf(err) }, 'probe cycle failed'),
    });
  }

  /** Stops the schedule, waits for the cycle in progress, closes the connection. */
  async stop(): Promise<void> {
    await this.ticker?.stop();
    await this.conn.close();
  }

  /** One cycle: every applicable probe once, samples appended to the spool together. */
  async cycle(): Promise<void> {
    const probes = this.opts.probes ?? SERVER_PROBES;
    const samples: NewSample[] = [];
    for (const probe of probes) {
      if (probe.runsOn !== 'both' && probe.runsOn !== this.role) continue;
      const collectedAt = new Date();
      try {
        const rows = await this.runProbe(probe);
        if (probe.name === 'server_info' && rows[0]) this.learn(rows[0]);
        samples.push(...rowsToSamples(probe, rows, this.binding.serverId, collectedAt));
      } catch (err) {
        const error = messageOf(err);
        this.opts.sink.probeFailed();
        this.log.warn(
          { probe: probe.name, err: error, code: (err as { code?: string }).code },
          'probe failed',
        );
        if (probe.onError)
          samples.push(...rowsToSamples(probe, probe.onError(error), this.binding.serverId, collectedAt));
        if (probe.name === 'server_up') {
          this.role = undefined;
          break;
        }
        if (probe.name === 'server_info') this.role = undefined;
      }
    }
    await this.opts.sink.record(samples);
  }

  private learn(row: Record<string, unknown>): void {
    const v = Number(row.server_version_num);
    if (Number.isFinite(v) && v > 0) this.major = majorOf(v);
    this.role = row.in_recovery === true ? 'standby' : row.in_recovery === false ? 'primary' : undefined;
  }

  private async runProbe(probe: Probe): Promise<Record<string, unknown>[]> {
    // Before server_info has told the major, the lowest supported SQL is used.
    const sql = sqlForMajor(probe, this.major ?? 13);
    if (!sql) throw new Error(`probe ${probe.name} has no SQL for PostgreSQL ${this.major}`);
    const deadlineMs = probe.timeoutMs + DEADLINE_MARGIN_MS;
    await this.conn.query(
      "SELECT pg_catalog.set_config('statement_timeout', $1, false)",
      [String(probe.timeoutMs)],
      {
        deadlineMs,
      },
    );
    const r = await this.conn.query<Record<string, unknown>>(sql, [], { deadlineMs });
    return r.rows;
  }
}
