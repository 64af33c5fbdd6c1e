/**
 * The probe set (issue 6; docs/reference/metrics.md families 1-19, docs/reference/pem-facts.md §4): which
 * probes an agent runs. docs/probes.md lists them with their columns.
 */
import { agentStatusProbe } from './agent/agent-status.js';
import { probeStatsProbe } from './agent/probe-stats.js';
import { functionStatsProbe } from './database/function-stats.js';
import { indexStatsProbe } from './database/index-stats.js';
import { sequencesProbe } from './database/sequences.js';
import { tableBloatProbe } from './database/table-bloat.js';
import { tableIoProbe } from './database/table-io.js';
import { tableStatsProbe } from './database/table-stats.js';
import { cpuProbe } from './os/cpu.js';
import { diskIoProbe } from './os/disk-io.js';
import { diskSpaceProbe } from './os/disk-space.js';
import { loadAvgProbe } from './os/load-avg.js';
import { memoryProbe } from './os/memory.js';
import { networkProbe } from './os/network.js';
import { osInfoProbe } from './os/os-info.js';
import { swapProbe } from './os/swap.js';
import { patroniClusterProbe } from './patroni/patroni-cluster.js';
import { patroniNodeProbe } from './patroni/patroni-node.js';
import { backendsByTypeProbe } from './server/backends-by-type.js';
import { bgwriterProbe } from './server/bgwriter.js';
import { blockedSessionsProbe } from './server/blocked-sessions.js';
import { checkpointerProbe } from './server/checkpointer.js';
import { connectionsByStateProbe } from './server/connections-by-state.js';
import { databaseActivityProbe } from './server/database-activity.js';
import { databaseSizeProbe } from './server/database-size.js';
import { databaseStatsProbe } from './server/database-stats.js';
import { hbaRulesProbe } from './server/hba-rules.js';
import { ioProbe } from './server/io.js';
import { locksProbe } from './server/locks.js';
import { preparedXactsProbe } from './server/prepared-xacts.js';
import { replicationConflictsProbe } from './server/replication-conflicts.js';
import { replicationLagProbe } from './server/replication-lag.js';
import { replicationSlotStatsProbe } from './server/replication-slot-stats.js';
import { replicationSlotsProbe } from './server/replication-slots.js';
import { serverInfoProbe } from './server/server-info.js';
import { serverUpProbe } from './server/server-up.js';
import { sessionActivityProbe } from './server/session-activity.js';
import { settingsProbe } from './server/settings.js';
import { sslProbe } from './server/ssl.js';
import { statementTextsProbe } from './server/statement-texts.js';
import { statementsProbe } from './server/statements.js';
import { statementsInfoProbe } from './server/statements-info.js';
import { tablespaceSizeProbe } from './server/tablespace-size.js';
import { userInfoProbe } from './server/user-info.js';
import { vacuumProgressProbe } from './server/vacuum-progress.js';
import { waitEventsProbe } from './server/wait-events.js';
import { walProbe } from './server/wal.js';
import { walArchiveProbe } from './server/wal-archive.js';
import { walFilesProbe } from './server/wal-files.js';
import { xidWraparoundProbe } from './server/xid-wraparound.js';
import type { Probe } from './types.js';

/**
 * Server-level probes in the order a cycle runs them: `server_up` first (a
 * failed connection ends the cycle with up=0), then `server_info` (which
 * tells the role and the major, deciding which of the rest run and which
 * SQL text), then the rest. SQL probes run one after the other on the
 * server's connection; HTTP probes (Patroni) run beside them.
 */
export const SERVER_PROBES: readonly Probe[] = [
  serverUpProbe,
  serverInfoProbe,
  connectionsByStateProbe,
  sessionActivityProbe,
  backendsByTypeProbe,
  waitEventsProbe,
  blockedSessionsProbe,
  locksProbe,
  databaseStatsProbe,
  databaseActivityProbe,
  databaseSizeProbe,
  xidWraparoundProbe,
  checkpointerProbe,
  bgwriterProbe,
  walProbe,
  walFilesProbe,
  walArchiveProbe,
  ioProbe,
  replicationLagProbe,
  replicationSlotsProbe,
  replicationSlotStatsProbe,
  replicationConflictsProbe,
  preparedXactsProbe,
  vacuumProgressProbe,
  statementsProbe,
  statementTextsProbe,
  statementsInfoProbe,
  settingsProbe,
  hbaRulesProbe,
  sslProbe,
  userInfoProbe,
  tablespaceSizeProbe,
  patroniClusterProbe,
  patroniNodeProbe,
];

/** Database-level probes: run in every connectable database of a monitored server. */
export const DATABASE_PROBES: readonly Probe[] = [
  tableStatsProbe,
  indexStatsProbe,
  tableIoProbe,
  tableBloatProbe,
  functionStatsProbe,
  sequencesProbe,
];

/** Probes of the agent's own host, and the agent's own status. */
export const AGENT_PROBES: readonly Probe[] = [
  cpuProbe,
  loadAvgProbe,
  memoryProbe,
  swapProbe,
  diskSpaceProbe,
  diskIoProbe,
  networkProbe,
  osInfoProbe,
  agentStatusProbe,
  probeStatsProbe,
];

/** Every probe. */
export const ALL_PROBES: readonly Probe[] = [...SERVER_PROBES, ...DATABASE_PROBES, ...AGENT_PROBES];

/** Every probe by name. */
export const PROBES_BY_NAME: ReadonlyMap<string, Probe> = new Map(ALL_PROBES.map((p) => [p.name, p]));
