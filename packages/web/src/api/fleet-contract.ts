/**
 * The fleet routes' answers checked against the contract the UI reads
 * (contract/fleet.ts) at build time: each backend type must be assignable
 * to the contract's shape, or this file does not compile. The routes
 * serialise these objects through their TypeBox shapes (shapes/fleet-servers.ts,
 * shapes/fleet-clusters.ts, shapes/fleet-agents.ts); fleet-contract.test.ts checks the lists both
 * sides enumerate (sslmodes, test causes) are the same.
 */

import type { EnrolmentToken, NewEnrolmentToken } from '@pharos/backend/enrol/tokens';
import type { FleetAgent } from '@pharos/backend/fleet/agents';
import type { ClusterMember, ClusterReading } from '@pharos/backend/fleet/cluster-reading';
import type { MonitoredCluster } from '@pharos/backend/fleet/clusters';
import type { TestConnectionResult } from '@pharos/backend/fleet/connection-test';
import type { Preparation } from '@pharos/backend/fleet/prepare';
import type { MonitoredServer } from '@pharos/backend/fleet/servers';
import type * as C from '../../ui/contract/fleet.js';

/** Compiles only when A is assignable to B. */
type Assignable<A extends B, B> = A;

/** The checks (a type: nothing of it exists at run time). */
export type FleetContractChecks = [
  Assignable<MonitoredServer, C.MonitoredServer>,
  Assignable<TestConnectionResult, C.TestConnectionResult>,
  Assignable<Preparation, C.Preparation>,
  Assignable<FleetAgent, C.FleetAgentView>,
  Assignable<EnrolmentToken, C.EnrolmentToken>,
  Assignable<NewEnrolmentToken, C.CreatedToken>,
  Assignable<ClusterMember, C.ClusterMember>,
  Assignable<ClusterReading, C.ClusterReading>,
  Assignable<MonitoredCluster, C.MonitoredClusterView>,
];
