/**
 * The probe set of this first cut (issue 2): which probes an agent runs.
 */
import { agentStatusProbe } from './agent-status.js';
import { cpuProbe } from './os/cpu.js';
import { loadAvgProbe } from './os/load-avg.js';
import { memoryProbe } from './os/memory.js';
import { connectionsByStateProbe } from './server/connections-by-state.js';
import { databaseStatsProbe } from './server/database-stats.js';
import { replicationLagProbe } from './server/replication-lag.js';
import { serverInfoProbe } from './server/server-info.js';
import { serverUpProbe } from './server/server-up.js';
import type { Probe } from './types.js';

/**
 * Server probes in the order a cycle runs them: `server_up` first (a failure
 * ends the cycle with up=0), then `server_info` (which tells the role, deciding
 * which of the rest run).
 */
export const SERVER_PROBES: readonly Probe[] = [
  serverUpProbe,
  serverInfoProbe,
  connectionsByStateProbe,
  databaseStatsProbe,
  replicationLagProbe,
];

/** Probes of the agent's own host, and the agent's own status. */
export const AGENT_PROBES: readonly Probe[] = [cpuProbe, loadAvgProbe, memoryProbe, agentStatusProbe];

/** Every probe, by name. */
export const ALL_PROBES: readonly Probe[] = [...SERVER_PROBES, ...AGENT_PROBES];
