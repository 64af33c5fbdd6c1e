/**
 * The agent: wires configuration, spool, probes, schedules and shipping
 * (DESIGN.md §2, §3 "Monitoring: probe -> sample -> spool -> ship").
 *
 * - The spool opens first; recovery findings (torn records) are logged.
 * - Two backend connections (`HaConnection`s on the multi-host string, bound
 *   to `source_address`): `ship` for batches, `control` for bindings and
 *   heartbeats, so neither waits behind the other. Application names
 *   `pharos-agent-<id>-ship` / `-control`.
 * - Host probes run from the start, whatever the backend's state (samples
 *   wait in the spool). Monitors wake every `probe_interval_s` and run the
 *   probes that are due at their own intervals (schedule/due.ts).
 * - Probe settings (interval, enablement per agent/server/database) are read
 *   with the bindings every `short_wait_s`; probe failures go to
 *   `pem.probe_log` with each heartbeat; the backend's history jobs are
 *   called every minute (backend-link/backend-link.ts).
 * - Bindings (`pem.agent_bindings`) are read at start, every `short_wait_s`,
 *   and at once when the backend notifies a change (backend-link/tasks.ts);
 *   each bound server gets its own {@link ServerMonitor}; servers that appear,
 *   vanish or change binding are started, stopped or restarted. When the read
 *   fails the servers in use keep being monitored.
 * - A heartbeat (`pem.agent_heartbeat(id, version, dropped samples)`) every
 *   `probe_interval_s`.
 * - Tasks (`test-connection`, `patroni-cluster`...) asked of this agent:
 *   LISTEN on the control connection, and a look every `short_wait_s`
 *   (backend-link/tasks.ts).
 * - Monitored Patroni clusters this agent follows (`pem.agent_clusters`,
 *   read with the bindings): their `GET /cluster` every `probe_interval_s`,
 *   reconciled by the backend (follow/cluster-follower.ts).
 * - {@link AgentHandle.stop} (and SIGTERM/SIGINT when `handleSignals`) stops
 *   the schedules, lets a batch in flight finish (5 s grace), closes the spool
 *   and the connections. Nothing is lost by a stop or a crash: samples are in
 *   the spool before anything else, and a batch keeps its id.
 * - Acknowledged batches stay in the spool for `spool_retain_acked_s` and are
 *   shipped again (same ids) when another backend server acknowledges a ship:
 *   a failover of the asynchronously replicated backend may have lost them
 *   (ship/shipper.ts). The count recovered is `recovered_batches` in
 *   `agent_status`.
 */
import { readFileSync } from 'node:fs';
import { parseConninfo } from '@pharos/core/conninfo';
import { messageOf } from '@pharos/core/errors';
import { HaConnection } from '@pharos/core/ha-connection';
import { createLogger, type Logger } from '@pharos/core/log';
import { BackendLink } from './backend-link/backend-link.js';
import { TaskRunner } from './backend-link/tasks.js';
import { type AgentConfig, backendConninfo } from './config.js';
import { ClusterFollower } from './follow/cluster-follower.js';
import { parseReadClusterParams, readCluster } from './follow/read-cluster.js';
import { type Binding, type BindingRow, bindingFromRow, diffBindings } from './monitor/bindings.js';
import { HostMonitor } from './monitor/host-monitor.js';
import { ProbeRunStats } from './monitor/probe-run-stats.js';
import { type MonitorSink, ServerMonitor } from './monitor/server-monitor.js';
import { parseTestConnectionParams, testConnection } from './monitor/test-connection.js';
import { ALL_PROBES } from './probes/catalog.js';
import type { ProbeRow } from './probes/types.js';
import type { NewSample } from './sample.js';
import { startTicker, type Ticker } from './schedule/ticker.js';
import { Shipper, type ShipperStats } from './ship/shipper.js';
import { Spool, type SpoolStats } from './spool/spool.js';
import { startAlertWorker } from './workers/alert-worker.js';

/** The agent's version (packages/agent/package.json), sent with heartbeats. */
export const AGENT_VERSION: string = (() => {
  try {
    return (
      JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
    ).version;
  } catch {
    return 'unknown';
  }
})();

/** Options of {@link runAgent} beyond the configuration file. */
export interface RunAgentOptions {
  /** Logger to use instead of one built from `log_file`/`log_level`. */
  logger?: Logger;
  /** Install SIGTERM/SIGINT handlers that stop the agent and exit the process with 0 (default false). */
  handleSignals?: boolean;
  /** procfs root for the OS probes (default /proc). */
  procRoot?: string;
  /** Samples per shipped batch (default 1000). */
  batchSize?: number;
}

/** A snapshot of the agent's state. */
export interface AgentStatus {
  agentId: number;
  spool: SpoolStats;
  ship: ShipperStats;
  probeErrors: number;
  monitoredServers: number[];
  lastBindingsAt: Date | null;
  lastHeartbeatAt: Date | null;
}

/** A running agent. */
export interface AgentHandle {
  /** Stops everything gracefully (idempotent); resolves when stopped. */
  stop(): Promise<void>;
  /** Current figures. */
  status(): Promise<AgentStatus>;
  /** Runs a bindings refresh now (resolves when done). */
  refreshBindings(): Promise<void>;
}

/**
 * Starts the agent described by `config` and resolves once it runs (the spool
 * is open and the schedules started; the backend need not be reachable).
 * Throws ConfigError/InputError for an unusable configuration (a TLS file that
 * cannot be read, a malformed connection string) and the spool's open errors.
 */
export async function runAgent(config: AgentConfig, options: RunAgentOptions = {}): Promise<AgentHandle> {
  const logger =
    options.logger ??
    createLogger('agent', {
      level: config.log_level,
      ...(config.log_file ? { destination: config.log_file } : {}),
    });
  const log = logger.child({ agentId: config.agent_id });
  const intervalMs = config.probe_interval_s * 1000;
  const started = Date.now();

  const spool = await Spool.open({
    dir: config.spool_dir,
    maxBytes: config.spool_max_bytes,
    retainAckedMs: config.spool_retain_acked_s * 1000,
    logger: log,
  });
  if (spool.openReport.tornRecords > 0) {
    log.warn(
      { tornRecords: spool.openReport.tornRecords, discardedBytes: spool.openReport.discardedBytes },
      'spool recovered from an interrupted write',
    );
  }

  const backend = backendConninfo(config);
  const connFor = (role: 'ship' | 'control') => {
    const ci = parseConninfo(backend, {});
    ci.applicationName = `pharos-agent-${config.agent_id}-${role}`;
    return new HaConnection({
      conninfo: ci,
      sourceAddress: config.source_address ?? config.host_address,
      queryTimeoutMs: 15000,
      logger: log.child({ conn: role }),
    });
  };
  let shipConn: HaConnection;
  let controlConn: HaConnection;
  try {
    shipConn = connFor('ship');
    controlConn = connFor('control');
  } catch (err) {
    await spool.close();
    throw err;
  }

  let probeErrors = 0;
  const link = new BackendLink({
    agentId: config.agent_id,
    conn: controlConn,
    probes: ALL_PROBES,
    logger: log.child({ component: 'probes' }),
  });
  const runStats = new ProbeRunStats();
  const sink: MonitorSink = {
    async record(samples: NewSample[]) {
      if (samples.length === 0) return;
      try {
        await spool.append(samples);
      } catch (err) {
        log.error({ err: messageOf(err), samples: samples.length }, 'cannot append samples to the spool');
      }
    },
    probeFailed(failure) {
      probeErrors++;
      link.failed(failure);
    },
    probeRan(probe, runTimeMs, rows, error) {
      runStats.record(probe, runTimeMs, rows, error);
    },
  };

  const shipper = new Shipper({
    agentId: config.agent_id,
    spool,
    conn: shipConn,
    logger: log.child({ component: 'ship' }),
    batchSize: options.batchSize,
    longWaitMs: config.long_wait_s * 1000,
  });

  const monitors = new Map<number, ServerMonitor>();
  let lastBindingsAt: Date | null = null;
  let lastHeartbeatAt: Date | null = null;

  const agentStatusRow = async (): Promise<ProbeRow> => {
    const st = await spool.stats();
    const s = shipper.stats;
    return {
      spool_bytes: st.bytes,
      spool_samples: st.samples,
      oldest_unshipped_age_s:
        st.oldestCollectedAt === undefined ? null : (Date.now() - Date.parse(st.oldestCollectedAt)) / 1000,
      last_upload_latency_ms: s.lastUploadLatencyMs,
      last_upload_at: s.lastUploadAt?.toISOString() ?? null,
      dropped_samples: st.droppedSamples,
      shipped_samples: s.shippedSamples,
      ship_errors: s.shipErrors,
      recovered_batches: s.recoveredBatches,
      probe_errors: probeErrors,
      monitored_servers: monitors.size,
      rss_bytes: process.memoryUsage.rss(),
      uptime_s: (Date.now() - started) / 1000,
    };
  };

  const host = new HostMonitor({
    intervalMs,
    sink,
    logger: log.child({ serverId: 0 }),
    settings: link.settings.lookup,
    context: {
      procRoot: options.procRoot ?? '/proc',
      agentStatus: agentStatusRow,
      probeStats: () => runStats.rows(),
    },
  });

  const startMonitor = (b: Binding) => {
    try {
      const m = new ServerMonitor({
        agentId: config.agent_id,
        binding: b,
        intervalMs,
        sink,
        logger: log,
        passfile: config.passfile,
        sslrootcert: config.server_sslrootcert,
        sourceAddress: config.source_address,
        hostAddress: config.host_address,
        settings: link.settings.lookup,
        // spread servers over the first tick so their cycles (and memory peaks) do not all start together
        initialDelayMs: Math.floor(Math.random() * intervalMs),
      });
      monitors.set(b.serverId, m);
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
  };

  // Monitored Patroni clusters this agent follows (follow/cluster-follower.ts).
  const restAddress = config.source_address ?? config.host_address;
  const follower = new ClusterFollower({
    agentId: config.agent_id,
    conn: controlConn,
    logger: log.child({ component: 'follow' }),
    localAddress: restAddress,
  });

  // Tasks the web tier or the CLI asks of this agent (backend-link/tasks.ts).
  const tasks = new TaskRunner({
    agentId: config.agent_id,
    conn: controlConn,
    logger: log.child({ component: 'tasks' }),
    onBindingsChanged: () => void refreshBindingsOnce(),
    handlers: {
      'test-connection': (params) =>
        testConnection(parseTestConnectionParams(params), {
          agentId: config.agent_id,
          passfile: config.passfile,
          sslrootcert: config.server_sslrootcert,
          sourceAddress: config.source_address,
          hostAddress: config.host_address,
          logger: log.child({ component: 'test-connection' }),
        }),
      'patroni-cluster': (params) => {
        const p = parseReadClusterParams(params);
        return readCluster(p.endpoints, {
          timeoutMs: 3000,
          localAddress: restAddress,
          ca: p.cafile ? readFileSync(p.cafile, 'utf8') : undefined,
        });
      },
    },
  });

  const refreshBindings = async () => {
    let rows: BindingRow[];
    try {
      rows = (await controlConn.query<BindingRow>('SELECT * FROM pem.agent_bindings($1)', [config.agent_id]))
        .rows;
    } catch (err) {
      log.warn({ err: messageOf(err) }, 'cannot read server bindings; keeping the current ones');
      return;
    }
    lastBindingsAt = new Date();
    await link.refresh();
    await follower.refresh();
    const current = new Map([...monitors].map(([id, m]) => [id, m.binding]));
    const diff = diffBindings(current, rows.map(bindingFromRow));
    for (const id of [...diff.removed, ...diff.changed.map((b) => b.serverId)]) {
      const m = monitors.get(id);
      monitors.delete(id);
      if (m) {
        log.info({ serverId: id }, 'server binding removed or changed; stopping its monitor');
        await m.stop();
      }
    }
    for (const b of [...diff.added, ...diff.changed]) startMonitor(b);
  };

  // One refresh at a time; a change notified during one is read by another right after.
  let refreshing: Promise<void> | undefined;
  let refreshAgain = false;
  const refreshBindingsOnce = async (): Promise<void> => {
    if (refreshing) {
      refreshAgain = true;
      return refreshing;
    }
    refreshing = (async () => {
      do {
        refreshAgain = false;
        await refreshBindings();
      } while (refreshAgain);
    })().finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  };

  const heartbeat = async () => {
    try {
      await controlConn.query('SELECT pem.agent_heartbeat($1, $2, $3)', [
        config.agent_id,
        AGENT_VERSION,
        spool.droppedSamples,
      ]);
      lastHeartbeatAt = new Date();
    } catch (err) {
      log.warn({ err: messageOf(err) }, 'heartbeat failed');
    }
    await link.flushProbeLog();
  };

  shipper.start();
  host.start();
  // alert evaluation and notifications (issue 8; on by default only for backend agents)
  const alerting = startAlertWorker({
    config,
    logger: log.child({ component: 'alerting' }),
    version: AGENT_VERSION,
    control: controlConn,
  });
  const tickers: Ticker[] = [
    startTicker(config.short_wait_s * 1000, refreshBindingsOnce, {
      onError: (err) => log.error({ err: messageOf(err) }, 'bindings refresh failed'),
    }),
    startTicker(intervalMs, heartbeat, { initialDelayMs: 500 }),
    startTicker(60_000, () => link.runJobs(), { initialDelayMs: 5000 }),
    startTicker(config.short_wait_s * 1000, () => tasks.refresh(), { initialDelayMs: 0 }),
    startTicker(intervalMs, () => follower.tick(), { initialDelayMs: 1000 }),
  ];
  log.info(
    { version: AGENT_VERSION, spoolDir: config.spool_dir, intervalS: config.probe_interval_s },
    'agent started',
  );

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      log.info('agent stopping');
      await Promise.all([...tickers.map((t) => t.stop()), host.stop(), tasks.stop(), follower.stop()]);
      await Promise.all([...monitors.values()].map((m) => m.stop()));
      monitors.clear();
      const inTime = await shipper.stop();
      if (!inTime) log.warn('a batch was still in flight at stop; it stays in the spool with its id');
      await alerting.stop();
      await Promise.all([shipConn.close(), controlConn.close()]);
      await spool.close();
      if (options.handleSignals) {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      }
      log.info('agent stopped');
      logger.flush?.();
    })();
    return stopping;
  };
  const onSignal = (sig: NodeJS.Signals) => {
    log.info({ signal: sig }, 'signal received');
    void stop().then(
      () => process.exit(0),
      (err) => {
        log.error({ err: messageOf(err) }, 'stop failed');
        process.exit(1);
      },
    );
  };
  if (options.handleSignals) {
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }

  return {
    stop,
    refreshBindings: refreshBindingsOnce,
    async status() {
      return {
        agentId: config.agent_id,
        spool: await spool.stats(),
        ship: { ...shipper.stats },
        probeErrors,
        monitoredServers: [...monitors.keys()],
        lastBindingsAt,
        lastHeartbeatAt,
      };
    },
  };
}
