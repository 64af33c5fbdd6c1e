/**
 * The agent's own health as Prometheus metrics (issue 18; docs/settings.md
 * `metrics_listen`, docs/web-api.md "Prometheus"): the same figures the
 * `agent_status` probe ships to the backend, readable here even when the
 * backend is not (a full spool, a lost connection), plus whether the
 * backend connection is up. Formatted by prom-client; each scrape reads the
 * running agent's figures once (a collect() callback per metric reads the
 * same snapshot). Process metrics (`process_*`, `nodejs_*`) are
 * prom-client's defaults.
 *
 * | metric | type | from |
 * |---|---|---|
 * | pharos_agent_spool_bytes, pharos_agent_spool_samples | gauge | the spool's size and unacknowledged samples |
 * | pharos_agent_spool_oldest_unshipped_age_seconds | gauge | age of the oldest sample not yet shipped (absent: none) |
 * | pharos_agent_last_ship_timestamp_seconds | gauge | Unix time of the last acknowledged batch (absent: none yet) |
 * | pharos_agent_last_ship_latency_seconds | gauge | that batch's upload time |
 * | pharos_agent_shipped_samples_total, pharos_agent_ship_errors_total, pharos_agent_dropped_samples_total, pharos_agent_recovered_batches_total, pharos_agent_probe_failures_total | counter | since the agent started (dropped: the spool's bound) |
 * | pharos_agent_ship_consecutive_failures | gauge | failed ships in a row (0 when shipping works) |
 * | pharos_agent_backend_connected | gauge | 1 when the ship connection holds a backend session, else 0 |
 * | pharos_agent_monitored_servers | gauge | servers bound to this agent |
 * | pharos_agent_last_heartbeat_timestamp_seconds | gauge | Unix time of the last heartbeat written (absent: none yet) |
 */
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { ShipperStats } from '../ship/shipper.js';
import type { SpoolStats } from '../spool/spool.js';

/** What one scrape reads of the running agent. */
export interface AgentHealth {
  spool: SpoolStats;
  ship: ShipperStats;
  probeErrors: number;
  monitoredServers: number;
  backendConnected: boolean;
  lastHeartbeatAt: Date | null;
}

/** The registry of the agent's health metrics, reading `read()` once per scrape. */
export function agentHealthRegistry(
  read: () => Promise<AgentHealth>,
  nowMs: () => number = Date.now,
): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // one snapshot per scrape: the first collect() of a scrape reads, the others reuse it
  let pending: Promise<AgentHealth> | undefined;
  const snapshot = () => {
    pending ??= read().finally(() => setImmediate(() => (pending = undefined)));
    return pending;
  };
  const gauge = (name: string, help: string, value: (h: AgentHealth) => number | null) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        const v = value(await snapshot());
        this.reset();
        if (v !== null) this.set(v);
      },
    });
  const counter = (name: string, help: string, value: (h: AgentHealth) => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      async collect() {
        const v = value(await snapshot());
        this.reset();
        if (v > 0) this.inc(v);
      },
    });
  gauge(
    'pharos_agent_spool_bytes',
    'bytes the spool holds (unacknowledged and retained samples)',
    (h) => h.spool.bytes,
  );
  gauge(
    'pharos_agent_spool_samples',
    'samples in the spool not yet acknowledged by the backend',
    (h) => h.spool.samples,
  );
  gauge('pharos_agent_spool_oldest_unshipped_age_seconds', 'age of the oldest sample not yet shipped', (h) =>
    h.spool.oldestCollectedAt === undefined
      ? null
      : Math.max(0, (nowMs() - Date.parse(h.spool.oldestCollectedAt)) / 1000),
  );
  gauge(
    'pharos_agent_last_ship_timestamp_seconds',
    'Unix time of the last batch the backend acknowledged',
    (h) => (h.ship.lastUploadAt === null ? null : h.ship.lastUploadAt.getTime() / 1000),
  );
  gauge('pharos_agent_last_ship_latency_seconds', 'upload time of the last acknowledged batch', (h) =>
    h.ship.lastUploadLatencyMs === null ? null : h.ship.lastUploadLatencyMs / 1000,
  );
  counter(
    'pharos_agent_shipped_samples_total',
    'samples shipped and acknowledged since the agent started',
    (h) => h.ship.shippedSamples,
  );
  counter(
    'pharos_agent_ship_errors_total',
    'failed ship attempts since the agent started',
    (h) => h.ship.shipErrors,
  );
  counter(
    'pharos_agent_dropped_samples_total',
    'samples dropped at the spool bound since the agent started',
    (h) => h.spool.droppedSamples,
  );
  counter(
    'pharos_agent_recovered_batches_total',
    'acknowledged batches a failover had lost, shipped again and stored',
    (h) => h.ship.recoveredBatches,
  );
  counter(
    'pharos_agent_probe_failures_total',
    'failed probe runs since the agent started',
    (h) => h.probeErrors,
  );
  gauge(
    'pharos_agent_ship_consecutive_failures',
    'failed ships in a row (0 when shipping works)',
    (h) => h.ship.consecutiveFailures,
  );
  gauge(
    'pharos_agent_backend_connected',
    '1 when the ship connection holds a backend session, else 0',
    (h) => (h.backendConnected ? 1 : 0),
  );
  gauge('pharos_agent_monitored_servers', 'servers bound to this agent', (h) => h.monitoredServers);
  gauge(
    'pharos_agent_last_heartbeat_timestamp_seconds',
    'Unix time of the last heartbeat written to the backend',
    (h) => (h.lastHeartbeatAt === null ? null : h.lastHeartbeatAt.getTime() / 1000),
  );
  return registry;
}
