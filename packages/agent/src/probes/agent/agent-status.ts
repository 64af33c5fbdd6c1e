/**
 * `agent_status` probe: the agent's own health (docs/reference/metrics.md family 19): spool
 * depth, oldest unshipped sample, upload latency, dropped samples, acknowledged
 * batches recovered after a failover (ship/shipper.ts), probe errors.
 * Values come from the running agent through {@link CollectorContext.agentStatus}.
 */
import type { ShipperStats } from '../../ship/shipper.js';
import type { SpoolStats } from '../../spool/spool.js';
import type { Probe, ProbeRow } from '../types.js';

/** The `agent_status` probe. */
export const agentStatusProbe: Probe = {
  name: 'agent_status',
  level: 'agent',
  runsOn: 'both',
  intervalS: 10,
  timeoutMs: 2000,
  description:
    "The agent's own metrics: spool depth, oldest unshipped sample, upload latency, drops, recovered batches",
  columns: [
    { name: 'spool_bytes', type: 'bigint', unit: 'bytes' },
    { name: 'spool_samples', type: 'bigint', unit: 'count' },
    { name: 'oldest_unshipped_age_s', type: 'double', unit: 's' },
    { name: 'last_upload_latency_ms', type: 'double', unit: 'ms' },
    { name: 'last_upload_at', type: 'timestamptz', unit: 'timestamp' },
    { name: 'dropped_samples', type: 'bigint', unit: 'count', counter: true },
    { name: 'shipped_samples', type: 'bigint', unit: 'count', counter: true },
    { name: 'ship_errors', type: 'bigint', unit: 'count', counter: true },
    // acknowledged batches a failover had lost (asynchronous replication), shipped again and stored
    { name: 'recovered_batches', type: 'bigint', unit: 'count', counter: true },
    { name: 'probe_errors', type: 'bigint', unit: 'count', counter: true },
    { name: 'monitored_servers', type: 'integer', unit: 'count' },
    { name: 'rss_bytes', type: 'bigint', unit: 'bytes' },
    { name: 'uptime_s', type: 'double', unit: 's' },
  ],
  collector: (ctx) => async () => [await ctx.agentStatus()],
};

/** What the running agent knows of itself, for {@link agentStatusRow}. */
export interface AgentFigures {
  spool: SpoolStats;
  ship: ShipperStats;
  probeErrors: number;
  monitoredServers: number;
  /** When the agent started, ms since the Unix epoch. */
  startedAtMs: number;
}

/** The `agent_status` row of `f` at `nowMs` (the process's resident memory read now). */
export function agentStatusRow(f: AgentFigures, nowMs: number = Date.now()): ProbeRow {
  const st = f.spool;
  const s = f.ship;
  return {
    spool_bytes: st.bytes,
    spool_samples: st.samples,
    oldest_unshipped_age_s:
      st.oldestCollectedAt === undefined ? null : (nowMs - Date.parse(st.oldestCollectedAt)) / 1000,
    last_upload_latency_ms: s.lastUploadLatencyMs,
    last_upload_at: s.lastUploadAt?.toISOString() ?? null,
    dropped_samples: st.droppedSamples,
    shipped_samples: s.shippedSamples,
    ship_errors: s.shipErrors,
    recovered_batches: s.recoveredBatches,
    probe_errors: f.probeErrors,
    monitored_servers: f.monitoredServers,
    rss_bytes: process.memoryUsage.rss(),
    uptime_s: (nowMs - f.startedAtMs) / 1000,
  };
}
