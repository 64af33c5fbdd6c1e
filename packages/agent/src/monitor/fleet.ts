/**
 * The agent's server fleet: one {@link ServerMonitor} per bound server,
 * reconciled with the backend's bindings (`pem.agent_bindings`). Read at start,
 * every `short_wait_s` and when the backend says they changed (NOTIFY, backend-link/tasks.ts); servers that appear, vanish or change binding are
 * started, stopped or restarted. When the read fails the servers in use keep
 * being monitored.
 */
import { messageOf, pharosError } from '@pharos/core/errors';
import type { Logger } from '@pharos/core/log';
import type { Queryable } from '@pharos/core/query';
import { type Binding, type BindingRow, bindingFromRow, diffBindings } from './bindings.js';
import type { SessionTarget } from './probe-session.js';
import type { SettingsLookup } from './probe-settings.js';
import { ServerMonitor, type ServerMonitorOptions } from './server-monitor.js';
import type { MonitorSink } from './sink.js';

/** Options of {@link ServerFleet}. */
export interface ServerFleetOptions {
  agentId: number;
  /** The agent's control connection (reads the bindings). */
  conn: Queryable;
  /** Tick of every monitor, ms (the agent's `probe_interval_s`). */
  intervalMs: number;
  sink: MonitorSink;
  logger: Logger;
  settings: SettingsLookup;
  /** Called after each successful read of the bindings, before they are applied (refreshes the probe settings and the followed clusters). */
  refreshSettings: () => Promise<void>;
  /** Connection settings every monitor shares: password file, root certificate, addresses, Patroni REST CA, custom probes. */
  monitor: Pick<
    ServerMonitorOptions,
    'passfile' | 'sslrootcert' | 'sourceAddress' | 'hostAddress' | 'patroniCa' | 'customProbes'
  >;
}

/** The monitors of the servers bound to this agent; see the module note. */
export class ServerFleet {
  private readonly monitors = new Map<number, ServerMonitor>();
  private readonly opts: ServerFleetOptions;
  /** When the bindings were last read, null before the first read. */
  lastBindingsAt: Date | null = null;
  private refreshing: Promise<void> | undefined;
  private again = false;

  constructor(opts: ServerFleetOptions) {
    this.opts = opts;
  }

  /** Ids of the servers monitored now. */
  get serverIds(): number[] {
    return [...this.monitors.keys()];
  }

  /**
   * How the monitor of server `serverId` reaches it (agent tasks on a
   * monitored server: live-sessions.ts). @throws PharosError when this
   * agent does not monitor that server (PHAROS_TASK_SERVER_NOT_MONITORED).
   */
  sessionTarget(serverId: number): SessionTarget {
    const m = this.monitors.get(serverId);
    if (!m) throw pharosError('PHAROS_TASK_SERVER_NOT_MONITORED', { serverId });
    return m.sessionTarget;
  }

  /** The binding of server `serverId` when this agent monitors it now. */
  binding(serverId: number): Binding | undefined {
    return this.monitors.get(serverId)?.binding;
  }

  /** Number of servers monitored now. */
  get size(): number {
    return this.monitors.size;
  }

  /**
   * Reads the bindings and starts, stops or restarts monitors to match.
   * One read at a time: a call during a read (the short wait's and a
   * backend notice's) reads again after it. Never throws.
   */
  refresh(): Promise<void> {
    if (this.refreshing) {
      this.again = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      do {
        this.again = false;
        await this.readAndApply();
      } while (this.again);
    })().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async readAndApply(): Promise<void> {
    const { conn, agentId, logger: log } = this.opts;
    let rows: BindingRow[];
    try {
      rows = (await conn.query<BindingRow>('SELECT * FROM pem.agent_bindings($1)', [agentId])).rows;
    } catch (err) {
      log.warn({ err: messageOf(err) }, 'cannot read server bindings; keeping the current ones');
      return;
    }
    this.lastBindingsAt = new Date();
    await this.opts.refreshSettings();
    const current = new Map([...this.monitors].map(([id, m]) => [id, m.binding]));
    const diff = diffBindings(current, rows.map(bindingFromRow));
    for (const id of [...diff.removed, ...diff.changed.map((b) => b.serverId)]) {
      const m = this.monitors.get(id);
      this.monitors.delete(id);
      if (m) {
        log.info({ serverId: id }, 'server binding removed or changed; stopping its monitor');
        await m.stop();
      }
    }
    for (const b of [...diff.added, ...diff.changed]) this.start(b);
  }

  /** Stops every monitor (each lets its cycle in progress end). */
  async stop(): Promise<void> {
    await Promise.all([...this.monitors.values()].map((m) => m.stop()));
    this.monitors.clear();
  }

  private start(b: Binding): void {
    const { opts } = this;
    const log = opts.logger;
    try {
      const m = new ServerMonitor({
        agentId: opts.agentId,
        binding: b,
        intervalMs: opts.intervalMs,
        sink: opts.sink,
        logger: log,
        ...opts.monitor,
        settings: opts.settings,
        // spread servers over the first tick so their cycles (and memory peaks) do not all start together
        initialDelayMs: Math.floor(Math.random() * opts.intervalMs),
      });
      this.monitors.set(b.serverId, m);
      m.start();
      log.info(
        { serverId: b.serverId, server: b.displayName, host: b.host, port: b.port },
        'monitoring server',
      );
    } catch (err) {
      log.error(
        { serverId: b.serverId, server: b.displayName, err: messageOf(err) },
        'cannot monitor server',
      );
    }
  }
}
