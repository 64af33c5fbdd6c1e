/**
 * Monitoring of one PostgreSQL server: its own connections, its own
 * schedule and its own deadlines, so a dead, slow or black-holed server only
 * ever delays itself (issue 6, "Isolation").
 *
 * Every tick (the agent's `probe_interval_s`) the monitor runs what is due
 * (schedule/due.ts; intervals and enablement from monitor/probe-settings.ts)
 * in three lanes:
 * - SQL lane (awaited by the tick): server-level SQL probes in catalog order
 *   on the server's probe session (monitor/probe-session.ts). `server_info`
 *   runs first whenever the role or major is not known; its `in_recovery`
 *   and `server_version_num` decide the role (`runsOn`) and the SQL text
 *   (`sqlForMajor`; a probe with no text for the major does not exist there
 *   and is skipped). Extension probes take the text for the installed
 *   extension version, and are skipped where it is not installed. A failed
 *   probe goes to the probe log and never stops the cycle; a lost connection
 *   (no host, deadline, session dropped) ends the cycle and records
 *   `server_up` = 0 with the error.
 * - HTTP lane (beside it): Patroni REST probes, at the member's REST API
 *   for a member of a monitored Patroni cluster (the binding's
 *   `patroniUrl`, verified with its `patroniCafile` when https), else at
 *   `http://<host>:8008` (`https://` verified against `patroni_rest_ca_file`
 *   when the agent has one) where host is the binding's host, or, for a
 *   binding to the local host (a PEM backend monitoring its own node), the
 *   agent's host address.
 * - Database lane (beside it, one run at a time): database-level probes, in
 *   every connectable database (at most {@link MAX_DATABASES}), each through
 *   a short-lived session of its own.
 * The samples of a lane run are appended to the spool together. Custom
 * probes (probes/custom.ts, `customProbes`) run in the SQL and database
 * lanes after the built-in ones, on the same sessions and guards.
 */
import { readFileSync } from 'node:fs';
import { ConnectError, messageOf, pharosError } from '@pharos/core/errors';
import { isFailoverError } from '@pharos/core/ha/errors';
import { isLocalHostName } from '@pharos/core/host-identity';
import type { Logger } from '@pharos/core/log';
import { DATABASE_PROBES, SERVER_PROBES } from '../probes/catalog.js';
import { majorOf, NEWEST_TESTED_MAJOR, sqlForExtension, sqlForMajor } from '../probes/sql-for-major.js';
import { rowsToSamples } from '../probes/to-samples.js';
import type { Probe, ProbeRow } from '../probes/types.js';
import type { NewSample } from '../sample.js';
import { DueTracker } from '../schedule/due.js';
import { startTicker, type Ticker } from '../schedule/ticker.js';
import type { Binding } from './bindings.js';
import { ExtensionInfo } from './extension-info.js';
import { dialAddresses, ProbeSession, type SessionTarget } from './probe-session.js';
import { definitionDefaults, type SettingsLookup } from './probe-settings.js';
import { codeOf, type MonitorSink } from './sink.js';

export type { MonitorSink, ProbeFailure } from './sink.js';

/** Most databases the database lane visits per server (alphabetical order). */
export const MAX_DATABASES = 50;
/** How long the list of databases is reused when nothing else is due, ms. */
const DATABASE_LIST_MS = 5 * 60 * 1000;
/** Default port of Patroni's REST API. */
export const PATRONI_PORT = 8008;

/** Options of {@link ServerMonitor}. */
export interface ServerMonitorOptions {
  agentId: number;
  binding: Binding;
  /** Tick, ms: how often the monitor looks for due probes (the agent's `probe_interval_s`). */
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
  /** Server-level probes (default: the catalog's). */
  probes?: readonly Probe[];
  /** Database-level probes (default: the catalog's). */
  databaseProbes?: readonly Probe[];
  /** Intervals and enablement (default: the probe definitions'). */
  settings?: SettingsLookup;
  /** Spread the first cycles of many servers over the interval: delay of the first cycle, ms. */
  initialDelayMs?: number;
  /**
   * The custom probes of a server (probes/custom.ts), asked on every tick so
   * that a probe added or changed in the backend runs from the next tick:
   * server-level ones run after the built-in SQL probes, database-level ones
   * in the database lane. Default: none.
   */
  customProbes?: (serverId: number) => { server: readonly Probe[]; database: readonly Probe[] };
  /** Port of the node's Patroni REST API (default {@link PATRONI_PORT}). */
  patroniPort?: number;
  /** The CA of Patroni's REST API certificates: present = the API is HTTPS (agent `patroni_rest_ca_file`). */
  patroniCa?: Buffer;
}

/** Monitors one server; {@link start} then {@link stop}. */
export class ServerMonitor {
  readonly binding: Binding;
  private readonly opts: ServerMonitorOptions;
  private readonly target: SessionTarget;
  private readonly session: ProbeSession;
  private readonly log: Logger;
  private readonly due: DueTracker;
  private readonly settings: SettingsLookup;
  private readonly extensions = new ExtensionInfo();
  private ticker: Ticker | undefined;
  private major: number | undefined;
  private role: 'primary' | 'standby' | undefined;
  private httpLane: Promise<void> | undefined;
  private databaseLane: Promise<void> | undefined;
  private databases: { at: number; names: string[] } | undefined;
  private stopped = false;
  /** Statements sent by short-lived database sessions (for the benchmark). */
  private databaseStatements = 0;

  /** @throws ConfigError/InputError from HaConnection when the binding yields an unusable connection string. */
  constructor(opts: ServerMonitorOptions) {
    this.opts = opts;
    this.binding = opts.binding;
    this.log = opts.logger.child({ serverId: opts.binding.serverId, server: opts.binding.displayName });
    this.target = {
      agentId: opts.agentId,
      binding: opts.binding,
      passfile: opts.passfile,
      sslrootcert: opts.sslrootcert,
      sourceAddress: opts.sourceAddress,
      hostAddress: opts.hostAddress,
      connectTimeoutS: Math.max(2, Math.min(10, Math.ceil(opts.intervalMs / 2000))),
      logger: this.log,
    };
    this.session = new ProbeSession(this.target);
    this.due = new DueTracker(opts.intervalMs);
    this.settings = opts.settings ?? definitionDefaults();
  }

  /** How this monitor reaches its server (for the live sessions of agent tasks: live-sessions.ts). */
  get sessionTarget(): SessionTarget {
    return this.target;
  }

  /** Statements sent to the server so far (probe sessions of every lane). */
  get statements(): number {
    return this.session.statements + this.databaseStatements;
  }

  /** Starts the schedule (first tick after `initialDelayMs`). */
  start(): void {
    this.ticker = startTicker(this.opts.intervalMs, () => this.tick(), {
      initialDelayMs: this.opts.initialDelayMs ?? 0,
      onOverrun: (skipped) => this.log.warn({ skipped }, 'probe cycle outlasted its interval; ticks skipped'),
      onError: (err) => this.log.error({ err: messageOf(err) }, 'probe cycle failed'),
    });
  }

  /** Stops the schedule, waits for the lanes in progress, closes the connection. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.ticker?.stop();
    await Promise.all([this.httpLane, this.databaseLane]);
    await this.session.close();
  }

  /** One tick: starts the HTTP lane, runs the SQL lane, then starts the database lane; resolves when the SQL lane is done. */
  async tick(): Promise<void> {
    const now = Date.now();
    this.httpLane ??= this.runHttpLane(now).finally(() => {
      this.httpLane = undefined;
    });
    await this.runSqlLane(now);
    // after the SQL lane, which may just have learnt the role and major
    this.databaseLane ??= this.runDatabaseLane(now).finally(() => {
      this.databaseLane = undefined;
    });
  }

  /** One tick that also waits for the HTTP and database lanes (tests, benchmarks). */
  async cycle(): Promise<void> {
    await this.tick();
    await Promise.all([this.httpLane, this.databaseLane]);
  }

  // ---- SQL lane -----------------------------------------------------------

  private enabled(probe: Probe, database?: string): { on: boolean; intervalMs: number } {
    const s = this.settings(probe, this.binding.serverId, database);
    return { on: s.enabled, intervalMs: s.intervalS * 1000 };
  }

  private roleAllows(probe: Probe): boolean {
    return probe.runsOn === 'both' || probe.runsOn === this.role;
  }

  private custom(): { server: readonly Probe[]; database: readonly Probe[] } {
    return this.opts.customProbes?.(this.binding.serverId) ?? { server: [], database: [] };
  }

  private async runSqlLane(now: number): Promise<void> {
    const probes = [...(this.opts.probes ?? SERVER_PROBES), ...this.custom().server].filter(
      (p) => !p.http && !p.collector,
    );
    const forceInfo = this.role === undefined || this.major === undefined;
    const plan = probes.filter((p) => {
      const s = this.enabled(p);
      if (!s.on) return false;
      return this.due.isDue(p.name, s.intervalMs, now) || (forceInfo && p.name === 'server_info');
    });
    if (plan.length === 0) return;
    const samples: NewSample[] = [];
    let lost: unknown;
    for (const probe of plan) {
      if (this.stopped) break;
      if (!this.roleAllows(probe)) continue; // role unknown or other role: not now
      const at = new Date();
      const t0 = performance.now();
      let sql: string | undefined;
      try {
        sql = await this.sqlFor(probe, now);
      } catch (err) {
        if (isLost(err)) {
          lost = err;
          break;
        }
        this.failed(probe, at, err, performance.now() - t0);
        this.due.ran(probe.name, now);
        continue;
      }
      this.due.ran(probe.name, now);
      if (sql === undefined) continue; // not on this major, or the extension is not installed
      try {
        const rows = await this.session.run(sql, probe.timeoutMs, probe.sqlParams);
        if (probe.name === 'server_info' && rows[0]) this.learn(rows[0]);
        samples.push(...rowsToSamples(probe, rows, this.binding.serverId, at));
        this.opts.sink.probeRan?.(probe.name, performance.now() - t0, rows.length);
      } catch (err) {
        if (isLost(err)) {
          this.due.reset(probe.name);
          lost = err;
          break;
        }
        this.failed(probe, at, err, performance.now() - t0);
        if (probe.onError)
          samples.push(...rowsToSamples(probe, probe.onError(messageOf(err)), this.binding.serverId, at));
        // server_info failing, or a role-bound function refusing, means the role may have changed
        if (probe.name === 'server_info' || codeOf(err) === '55000' || codeOf(err) === '25006')
          this.role = undefined;
      }
    }
    if (lost !== undefined) {
      const error = messageOf(lost);
      const up = (this.opts.probes ?? SERVER_PROBES).find((p) => p.name === 'server_up');
      const at = new Date();
      this.opts.sink.probeFailed({
        serverId: this.binding.serverId,
        probe: 'server_up',
        object: '',
        error,
        code: codeOf(lost),
        failedAt: at.toISOString(),
      });
      this.opts.sink.probeRan?.('server_up', 0, 0, error);
      if (up?.onError) samples.push(...rowsToSamples(up, up.onError(error), this.binding.serverId, at));
      this.due.ran('server_up', now);
      this.role = undefined;
      this.extensions.clear();
      this.log.warn({ err: error, code: codeOf(lost) }, 'server unreachable; cycle ended');
    } else {
      await this.session.restore();
    }
    await this.opts.sink.record(samples);
  }

  /** The SQL text of `probe` for this server, or undefined when the probe does not apply. */
  private async sqlFor(probe: Probe, now: number): Promise<string | undefined> {
    if (probe.extensionSql) {
      const found = await this.extensions.lookup(this.session, [probe.extensionSql.extension], now);
      const ext = found.get(probe.extensionSql.extension);
      return ext ? sqlForExtension(probe, ext.version, ext.schema) : undefined;
    }
    // Before server_info has told the major, the lowest supported SQL is used.
    return sqlForMajor(probe, this.major ?? 13);
  }

  private learn(row: Record<string, unknown>): void {
    const v = Number(row.server_version_num);
    if (Number.isFinite(v) && v > 0) {
      const major = majorOf(v);
      if (major > NEWEST_TESTED_MAJOR && major !== this.major) this.untestedMajor(major);
      this.major = major;
    }
    const role = row.in_recovery === true ? 'standby' : row.in_recovery === false ? 'primary' : undefined;
    if (role !== this.role) this.extensions.clear();
    this.role = role;
  }

  /** A major newer than the matrix tests: monitored with the newest SQL, said in the log and the probe log (never silently). */
  private untestedMajor(major: number): void {
    const error = `untested major: PostgreSQL ${major} is newer than the newest major Pharos tests (${NEWEST_TESTED_MAJOR}); monitored with the SQL of ${NEWEST_TESTED_MAJOR}`;
    this.log.warn({ major, newestTested: NEWEST_TESTED_MAJOR }, error);
    this.opts.sink.probeFailed({
      serverId: this.binding.serverId,
      probe: 'server_info',
      object: '',
      error,
      code: 'untested-major',
      failedAt: new Date().toISOString(),
    });
  }

  private failed(probe: Probe, at: Date, err: unknown, runTimeMs: number, object = ''): void {
    const error = messageOf(err);
    this.opts.sink.probeFailed({
      serverId: this.binding.serverId,
      probe: probe.name,
      object,
      error,
      code: codeOf(err),
      failedAt: at.toISOString(),
    });
    this.opts.sink.probeRan?.(probe.name, runTimeMs, 0, error);
    this.log.warn({ probe: probe.name, object, err: error, code: codeOf(err) }, 'probe failed');
  }

  // ---- HTTP lane ----------------------------------------------------------

  private async runHttpLane(now: number): Promise<void> {
    const probes = (this.opts.probes ?? SERVER_PROBES).filter((p) => p.http !== undefined);
    const plan = probes.filter((p) => {
      const s = this.enabled(p);
      return s.on && this.due.isDue(p.name, s.intervalMs, now);
    });
    if (plan.length === 0) return;
    const dial = dialAddresses(this.target);
    const localAddress = dial.localAddress;
    let base: string;
    let ca: string | Buffer | undefined;
    if (this.binding.patroniUrl) {
      // a monitored cluster's member: the REST API its cluster names (GET /cluster api_url)
      base = this.binding.patroniUrl;
      try {
        ca = this.binding.patroniCafile ? readCaFile(this.binding.patroniCafile) : undefined;
      } catch (err) {
        for (const p of plan) {
          this.due.ran(p.name, now);
          this.failed(p, new Date(), err, 0);
        }
        return;
      }
    } else {
      // a binding to the local host (a PEM backend's own node): its Patroni API answers on the host's address
      const host = isLocalHostName(this.binding.host)
        ? (this.opts.hostAddress ?? this.opts.sourceAddress ?? dial.host)
        : dial.host;
      if (host.startsWith('/') || host.startsWith('@')) {
        for (const p of plan) {
          this.due.ran(p.name, now);
          this.failed(p, new Date(), new Error(`no TCP host to reach Patroni at (binding host ${host})`), 0);
        }
        return;
      }
      const scheme = this.opts.patroniCa ? 'https' : 'http';
      base = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${this.opts.patroniPort ?? PATRONI_PORT}`;
      ca = this.opts.patroniCa;
    }
    const samples: NewSample[] = [];
    await Promise.all(
      plan.map(async (p) => {
        this.due.ran(p.name, now);
        const at = new Date();
        const t0 = performance.now();
        try {
          const rows: ProbeRow[] = await p.http!({
            patroniUrl: base,
            localAddress,
            ca,
            timeoutMs: p.timeoutMs,
          });
          samples.push(...rowsToSamples(p, rows, this.binding.serverId, at));
          this.opts.sink.probeRan?.(p.name, performance.now() - t0, rows.length);
        } catch (err) {
          this.failed(p, at, err, performance.now() - t0);
        }
      }),
    );
    await this.opts.sink.record(samples);
  }

  // ---- database lane ------------------------------------------------------

  private dueDatabaseProbes(database: string, now: number): Probe[] {
    return [...(this.opts.databaseProbes ?? DATABASE_PROBES), ...this.custom().database].filter((p) => {
      const s = this.enabled(p, database);
      return (
        s.on &&
        this.roleAllows(p) &&
        sqlForMajor(p, this.major ?? 13) !== undefined &&
        this.due.isDue(`${p.name}@${database}`, s.intervalMs, now)
      );
    });
  }

  private async runDatabaseLane(now: number): Promise<void> {
    if (this.role === undefined || this.major === undefined || this.stopped) return;
    const known = this.databases;
    const listIsFresh = known !== undefined && now - known.at < DATABASE_LIST_MS;
    if (listIsFresh && known.names.every((d) => this.dueDatabaseProbes(d, now).length === 0)) return;
    let names: string[];
    if (listIsFresh) names = known.names;
    else {
      try {
        const rows = await this.session.run(
          `SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate ORDER BY datname LIMIT ${MAX_DATABASES}`,
          5000,
        );
        names = rows.map((r) => String(r.datname));
        this.databases = { at: now, names };
      } catch (err) {
        this.log.warn({ err: messageOf(err) }, 'cannot list databases; database probes wait');
        return;
      }
    }
    for (const database of names) {
      if (this.stopped) break;
      const plan = this.dueDatabaseProbes(database, now);
      if (plan.length === 0) continue;
      await this.runInDatabase(database, plan, now);
    }
  }

  private async runInDatabase(database: string, plan: Probe[], now: number): Promise<void> {
    const samples: NewSample[] = [];
    let session: ProbeSession | undefined;
    try {
      session = new ProbeSession(this.target, database);
      for (const probe of plan) {
        if (this.stopped) break;
        this.due.ran(`${probe.name}@${database}`, now);
        const at = new Date();
        const t0 = performance.now();
        try {
          const rows = await session.run(
            sqlForMajor(probe, this.major ?? 13)!,
            probe.timeoutMs,
            probe.sqlParams,
          );
          samples.push(...rowsToSamples(probe, rows, this.binding.serverId, at, `${database}/`));
          this.opts.sink.probeRan?.(probe.name, performance.now() - t0, rows.length);
        } catch (err) {
          this.failed(probe, at, err, performance.now() - t0, database);
          if (isLost(err)) {
            // cannot reach this database: the other probes of it fail the same way, and say so once each
            for (const rest of plan.slice(plan.indexOf(probe) + 1)) {
              this.due.ran(`${rest.name}@${database}`, now);
              this.failed(rest, at, err, 0, database);
            }
            break;
          }
        }
      }
    } catch (err) {
      for (const p of plan) this.failed(p, new Date(), err, 0, database);
    } finally {
      if (session) {
        this.databaseStatements += session.statements;
        await session.close();
      }
    }
    await this.opts.sink.record(samples);
  }
}

/** The PEM text of CA file `path`. @throws ConfigError naming the file when it cannot be read. */
function readCaFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw pharosError(
      'PHAROS_SETTINGS_FILE_UNREADABLE',
      { field: "the Patroni REST API's CA file", path, reason: messageOf(err) },
      { cause: err },
    );
  }
}

/** True for errors that mean the server (or the way to it) is gone, not that one probe failed. */
function isLost(err: unknown): boolean {
  if (err instanceof ConnectError) return true;
  return isFailoverError(err) && codeOf(err) !== '25006';
}
