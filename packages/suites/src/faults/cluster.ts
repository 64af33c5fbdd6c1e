/**
 * The backend cluster's state as fault tests need it: who leads (asking
 * every Patroni member at once, since some may be killed or frozen), waiting
 * for health, and Patroni's `failsafe_mode` (Patroni docs, "DCS Failsafe
 * Mode": with it on, a leader that loses the DCS keeps running as primary
 * while it can reach every member listed in the `/failsafe` key, which the
 * leader writes to the DCS once the mode is on).
 */

import type { EtcdAccess, PatroniAccess } from '@pharos/ops/lab/access';
import { sqlOnBackend } from '@pharos/ops/lab/backend-sql';
import { etcdGet } from '@pharos/ops/lab/etcd-api';
import { getCluster, isHealthy, type PatroniMember, patchConfig } from '@pharos/ops/lab/patroni-api';
import type { LabSecrets } from '@pharos/ops/lab/secrets';
import type { Topology } from '@pharos/ops/topology/types';
import { waitFor } from '@pharos/testkit/wait/wait-for';

/** A lab's topology and how to reach its Patroni REST API and etcd (access.ts). */
export interface ClusterLab {
  topo: Topology;
  access: { patroni: PatroniAccess; etcd: EtcdAccess };
}

/** GET /cluster from the first backend that answers (all asked concurrently). @throws Error when none answers. */
export async function clusterView(lab: ClusterLab): Promise<{ members: PatroniMember[]; pause?: boolean }> {
  return Promise.any(lab.topo.backends.map((b) => getCluster(b.address, lab.access.patroni))).catch(
    (err: AggregateError) => {
      throw new Error(
        `no Patroni member answers GET /cluster: ${err.errors.map((e) => e.message).join('; ')}`,
      );
    },
  );
}

/** The current leader (name and address), or undefined when the cluster has none right now. */
export async function currentLeader(lab: ClusterLab): Promise<{ name: string; address: string } | undefined> {
  const c = await clusterView(lab);
  const l = c.members.find((m) => m.role === 'leader');
  if (!l) return undefined;
  const b = lab.topo.backends.find((x) => x.name === l.name);
  return b ? { name: b.name, address: b.address } : undefined;
}

/**
 * Waits until one running leader and every other backend a streaming replica
 * ({@link isHealthy}); resolves with the leader's name. Throws after
 * `timeoutMs` with the last member list seen.
 */
export async function waitHealthy(lab: ClusterLab, timeoutMs = 180_000): Promise<string> {
  return waitFor(
    'one Patroni leader and every other member streaming',
    async () => {
      const c = await clusterView(lab);
      if (!isHealthy(c.members, lab.topo.backends.length)) {
        throw new Error(`members: ${c.members.map((m) => `${m.name} ${m.role} ${m.state}`).join(', ')}`);
      }
      return c.members.find((m) => m.role === 'leader')!.name;
    },
    { deadlineMs: timeoutMs, intervalMs: 500 },
  );
}

/**
 * Sets Patroni's `failsafe_mode` in the dynamic configuration (PATCH /config on
 * `apiAddress`, then on the other members). @throws the last error after a minute of failures.
 */
export async function setFailsafeMode(lab: ClusterLab, apiAddress: string, on: boolean): Promise<void> {
  const topo = lab.topo;
  // Right after etcd came back a member's REST API can take more than the
  // request timeout to write the DCS config; the PATCH is idempotent, so it is
  // tried again, on each member in turn, for up to a minute.
  const addresses = [apiAddress, ...topo.backends.map((b) => b.address).filter((a) => a !== apiAddress)];
  const deadline = Date.now() + 60_000;
  for (let i = 0; ; i++) {
    try {
      await patchConfig(addresses[i % addresses.length]!, { failsafe_mode: on }, lab.access.patroni);
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

/**
 * Members listed in the DCS key `/service/<scope>/failsafe` (Patroni's etcd3
 * namespace `/service/`), read through etcd's v3 JSON gateway
 * (POST /v3/kv/range, as the etcd root user when authentication is on) from
 * the first etcd member that answers; [] when the key is absent.
 */
export async function failsafeMembers(lab: ClusterLab): Promise<string[]> {
  const key = `/service/${lab.topo.cluster}/failsafe`;
  const value = await Promise.any(lab.topo.etcd.map((m) => etcdGet(m.address, lab.access.etcd, key)));
  if (!value) return [];
  return Object.keys(JSON.parse(value) as Record<string, unknown>);
}

/**
 * Backends whose PostgreSQL says it is a primary right now
 * (`pg_is_in_recovery()` false), asked directly as patroni_super, all at
 * once; a backend that does not answer within `timeoutMs` (default 2000) is
 * not counted.
 */
export async function writablePrimaries(
  ctx: { topo: Topology; secrets: LabSecrets },
  timeoutMs = 2000,
): Promise<string[]> {
  const answers = await Promise.all(
    ctx.topo.backends.map(async (b) => {
      const ask = sqlOnBackend(ctx, b.address, 'postgres', 'SELECT pg_is_in_recovery() AS r').then(
        (rows) => rows[0]?.r === false,
        () => false,
      );
      const late = new Promise<boolean>((r) => setTimeout(() => r(false), timeoutMs).unref());
      return (await Promise.race([ask, late])) ? b.name : undefined;
    }),
  );
  return answers.filter((n): n is string => n !== undefined);
}
