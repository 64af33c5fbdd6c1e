/**
 * The agent: wires configuration, spool, probes, schedules and shipping
 * (DESIGN.md §2, §3 "Monitoring: probe -> sample -> spool -> ship"). Wiring
 * only: each part is in its own module.
 *
 * - The spool opens first; recovery findings (torn records) are logged.
 * - Two backend connections (backend-link/connections.ts): `ship` for
 *   batches, `control` for bindings, settings and heartbeats.
 * - Host probes run from the start, whatever the backend's state (samples
 *   wait in the spool). Monitors wake every `probe_interval_s` and run the
 *   probes that are due at their own intervals (schedule/due.ts).
 * - Probe settings (interval, enablement per agent/server/database) are read
 *   with the bindings every `short_wait_s`; probe failures go to
 *   `pem.probe_log` with each heartbeat; the backend's history jobs are
 *   called every minute (backend-link/backend-link.ts).
 * - Bindings (`pem.agent_bindings`) are read at start, every `short_wait_s`
 *   and at once when the backend notifies a change (backend-link/tasks.ts);
 *   each bound server gets its own ServerMonitor (monitor/fleet.ts).
 * - A heartbeat every `probe_interval_s` (backend-link/heartbeat.ts).
 * - Tasks (`test-connection`, `patroni-cluster`, `sessions`, `signal-backend`, `custom-probe-check`) asked of this agent:
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
import { messageOf, pharosError } from '@pharos/core/errors';
import type { HaConnection } from '@pharos/core/ha/connection';
import { createLogger, type Logger } from '@pharos/core/log';
import { BackendLink } from './backend-link/backend-link.js';
import { backendConnections } from './backend-link/connections.js';
import { Heartbeat } from './backend-link/heartbeat.js';
import { TaskRunner } from './backend-link/tasks.js';
import type { AgentConfig } from './config.js';
import { ClusterFollower } from './follow/cluster-follower.js';
import { parseReadClusterParams, readCluster } from './follow/read-cluster.js';
import { agentHealthRegistry } from './health/metrics.js';
import { type MetricsServer, startMetricsServer } from './health/metrics-server.js';
import { checkCustomProbe, parseCustomProbeCheckParams } from './monitor/custom-probe-check.js';
import { ServerFleet } from './monitor/fleet.js';
import { HostMonitor } from './monitor/host-monitor.js';
import {
  parseSessionsParams,
  parseSignalParams,
  readLiveSessions,
  signalBackend,
} from './monitor/live-sessions.js';
import { ProbeRunStats } from './monitor/probe-run-stats.js';
import { SpoolSink } from './monitor/sink.js';
import { parseTestConnectionParams, testConnection } from './monitor/test-connection.js';
import { agentStatusRow } from './probes/agent/agent-status.js';
import { ALL_PROBES } from './probes/catalog.js';
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
  /** URL of the health metrics (agent.yml metrics_listen); undefined when off. */
  metricsUrl: string | undefined;
}

/** The CA of Patroni's REST API (`patroni_rest_ca_file`), read once. @throws ConfigError naming the file. */
function readPatroniCa(path: string | undefined): Buffer | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path);
  } catch (err) {
    throw pharosError(
      'PHAROS_SETTINGS_FILE_UNREADABLE',
      { field: 'patroni_rest_ca_file', path, reason: messageOf(err) },
      { cause: err },
    );
  }
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
  const patroniCa = readPatroniCa(config.patroni_rest_ca_file);

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
  let conns: { ship: HaConnection; control: HaConnection };
  try {
    conns = backendConnections(config, log);
  } catch (err) {
    await spool.close();
    throw err;
  }

  const link = new BackendLink({
    agentId: config.agent_id,
    conn: conns.control,
    probes: ALL_PROBES,
    logger: log.child({ component: 'probes' }),
  });
  const runStats = new ProbeRunStats();
  const sink = new SpoolSink({ spool, probeLog: link, runStats, logger: log });
  const shipper = new Shipper({
    agentId: config.agent_id,
    spool,
    conn: conns.ship,
    logger: log.child({ component: 'ship' }),
    batchSize: options.batchSize,
    longWaitMs: config.long_wait_s * 1000,
  });
  // Monitored Patroni clusters this agent follows (follow/cluster-follower.ts).
  const restAddress = config.source_address ?? config.host_address;
  const follower = new ClusterFollower({
    agentId: config.agent_id,
    conn: conns.control,
    logger: log.child({ component: 'follow' }),
    localAddress: restAddress,
  });

  const fleet = new ServerFleet({
    agentId: config.agent_id,
    conn: conns.control,
    intervalMs,
    sink,
    logger: log,
    settings: link.settings.lookup,
    refreshSettings: async () => {
      await link.refresh();
      await follower.refresh();
    },
    monitor: {
      patroniCa,
      passfile: config.passfile,
      sslrootcert: config.server_sslrootcert,
      sourceAddress: config.source_address,
      hostAddress: config.host_address,
      customProbes: link.customProbes.forServer,
    },
  });
  const host = new HostMonitor({
    intervalMs,
    sink,
    logger: log.child({ serverId: 0 }),
    settings: link.settings.lookup,
    context: {
      procRoot: options.procRoot ?? '/proc',
      agentStatus: async () =>
        agentStatusRow({
          spool: await spool.stats(),
          ship: shipper.stats,
          probeErrors: sink.probeErrors,
          monitoredServers: fleet.size,
          startedAtMs: started,
        }),
      probeStats: () => runStats.rows(),
    },
  });
  const heartbeat = new Heartbeat({
    agentId: config.agent_id,
    version: AGENT_VERSION,
    conn: conns.control,
    droppedSamples: () => spool.droppedSamples,
    flushProbeLog: () => link.flushProbeLog(),
    logger: log,
  });

  // Tasks the web tier or the CLI asks of this agent (backend-link/tasks.ts).
  const tasks = new TaskRunner({
    agentId: config.agent_id,
    conn: conns.control,
    logger: log.child({ component: 'tasks' }),
    // a server added or a cluster to follow: read the bindings now, not on the next short wait
    onBindingsChanged: () => void fleet.refresh(),
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
      sessions: (params) => readLiveSessions(fleet.sessionTarget(parseSessionsParams(params).serverId)),
      'signal-backend': (params) => {
        const p = parseSignalParams(params);
        return signalBackend(fleet.sessionTarget(p.serverId), p.pid, p.action);
      },
      'custom-probe-check': (params) =>
        checkCustomProbe(parseCustomProbeCheckParams(params), {
          agentId: config.agent_id,
          bindingOf: (id) => fleet.binding(id),
          passfile: config.passfile,
          sslrootcert: config.server_sslrootcert,
          sourceAddress: config.source_address,
          hostAddress: config.host_address,
          logger: log.child({ component: 'custom-probe-check' }),
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

  // the agent's own health for a local Prometheus (health/; agent.yml metrics_listen, default off)
  let metricsServer: MetricsServer | undefined;
  if (config.metrics_listen !== undefined) {
    const registry = agentHealthRegistry(async () => ({
      spool: await spool.stats(),
      ship: shipper.stats,
      probeErrors: sink.probeErrors,
      monitoredServers: fleet.size,
      backendConnected: conns.ship.current !== undefined,
      lastHeartbeatAt: heartbeat.lastAt,
    }));
    try {
      metricsServer = await startMetricsServer(config.metrics_listen, registry);
    } catch (err) {
      await Promise.all([conns.ship.close(), conns.control.close()]);
      await spool.close();
      throw pharosError(
        'PHAROS_METRICS_LISTEN_FAILED',
        { listen: config.metrics_listen, reason: messageOf(err) },
        { cause: err },
      );
    }
    log.info({ url: metricsServer.url }, 'health metrics listening');
  }

  shipper.start();
  host.start();
  // alert evaluation and notifications (issue 8; on by default only for backend agents)
  const alerting = startAlertWorker({
    config,
    logger: log.child({ component: 'alerting' }),
    version: AGENT_VERSION,
    control: conns.control,
  });
  const tickers: Ticker[] = [
    startTicker(config.short_wait_s * 1000, () => fleet.refresh(), {
      onError: (err) => log.error({ err: messageOf(err) }, 'bindings refresh failed'),
    }),
    startTicker(intervalMs, () => heartbeat.beat(), { initialDelayMs: 500 }),
    startTicker(60_000, () => link.runJobs(), { initialDelayMs: 5000 }),
    startTicker(config.short_wait_s * 1000, () => tasks.refresh(), { initialDelayMs: 0 }),
    startTicker(intervalMs, () => follower.tick(), { initialDelayMs: 1000 }),
  ];
  log.info(
    { version: AGENT_VERSION, spoolDir: config.spool_dir, intervalS: config.probe_interval_s },
    'agent started',
  );

  let stopping: Promise<void> | undefined;
  let detachSignals = () => {};
  const stop = () => {
    stopping ??= (async () => {
      log.info('agent stopping');
      await Promise.all([...tickers.map((t) => t.stop()), host.stop(), tasks.stop(), follower.stop()]);
      await fleet.stop();
      const inTime = await shipper.stop();
      if (!inTime) log.warn('a batch was still in flight at stop; it stays in the spool with its id');
      await alerting.stop();
      await metricsServer?.close();
      await Promise.all([conns.ship.close(), conns.control.close()]);
      await spool.close();
      detachSignals();
      log.info('agent stopped');
      logger.flush?.();
    })();
    return stopping;
  };
  if (options.handleSignals) detachSignals = stopOnSignals(stop, log);

  return {
    stop,
    metricsUrl: metricsServer?.url,
    refreshBindings: () => fleet.refresh(),
    async status() {
      return {
        agentId: config.agent_id,
        spool: await spool.stats(),
        ship: { ...shipper.stats },
        probeErrors: sink.probeErrors,
        monitoredServers: fleet.serverIds,
        lastBindingsAt: fleet.lastBindingsAt,
        lastHeartbeatAt: heartbeat.lastAt,
      };
    },
  };
}

/**
 * SIGTERM and SIGINT stop the agent (`stop`) and exit the process: 0 once
 * stopped, 1 when stopping failed. Returns the function that removes the handlers.
 */
function stopOnSignals(stop: () => Promise<void>, log: Logger): () => void {
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
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
}
