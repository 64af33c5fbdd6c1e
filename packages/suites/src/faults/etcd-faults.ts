/**
 * Loss of etcd quorum: two of the three members stopped by PID (SIGTERM),
 * kept down for `outageMs`, then started again the way `lab up` starts them
 * (restart.ts: same command and environment; their data directories persist,
 * so they rejoin their cluster). With Patroni's `failsafe_mode` off, the
 * leader cannot renew its key and demotes itself: writes stop until quorum is
 * back. With it on (PATCH /config `{failsafe_mode: true}`, then waiting until
 * the leader has written the `/failsafe` key listing every member), the
 * leader keeps running as primary while it reaches every member over their
 * REST API: writes continue. The mode is switched off again afterwards.
 */
import { etcdHealthy } from '@pharos/ops/lab/etcd-api';
import { stopProcess } from '@pharos/ops/lab/processes';
import { waitFor } from '@pharos/testkit/wait/wait-for';
import { currentLeader, failsafeMembers, setFailsafeMode, waitHealthy } from './cluster.js';
import { type FaultLab, type FaultTimeline, mark, startTimeline } from './fault-lab.js';
import { restartProcess } from './restart.js';

/** Waits until every etcd member of the topology answers GET /health with health "true". */
export async function waitEtcdHealthy(lab: FaultLab, timeoutMs = 60_000): Promise<void> {
  for (const m of lab.topo.etcd) {
    await waitFor(`etcd member ${m.name} healthy`, async () => etcdHealthy(m.address, lab.access.etcd), {
      deadlineMs: timeoutMs,
      intervalMs: 250,
    });
  }
}

/**
 * The fault (see the module note). Marks: `etcdStopped`, `etcdStarted`
 * (restarted), `etcdHealthy`; the timeline recovers when the Patroni cluster
 * is healthy again (and, with `failsafe`, the mode is off again).
 */
export async function etcdQuorumLoss(
  lab: FaultLab,
  opts: { failsafe: boolean; outageMs: number },
): Promise<FaultTimeline> {
  await waitHealthy(lab);
  if (opts.failsafe) {
    const leader = (await currentLeader(lab))!;
    await setFailsafeMode(lab, leader.address, true);
    await waitFor(
      'the leader to list every member in the /failsafe key',
      async () => (await failsafeMembers(lab)).length === lab.topo.backends.length,
      { deadlineMs: 60_000, intervalMs: 500 },
    );
  }
  const victims = lab.state.processes.filter((p) => p.kind === 'etcd').slice(-2);
  const t = startTimeline(`etcd quorum loss, failsafe_mode ${opts.failsafe ? 'on' : 'off'}`);
  const stopped = await Promise.all(victims.map((p) => stopProcess(p, 15_000)));
  if (stopped.includes(false)) throw new Error('an etcd member did not stop');
  mark(t, 'etcdStopped');
  t.notes.push(`stopped ${victims.map((p) => p.host).join(', ')}`);
  await new Promise((r) => setTimeout(r, Math.max(0, t.startedMs + opts.outageMs - Date.now())));
  for (const p of victims) await restartProcess(lab.state, p);
  mark(t, 'etcdStarted');
  await waitEtcdHealthy(lab);
  mark(t, 'etcdHealthy');
  const leader = await waitHealthy(lab);
  if (opts.failsafe) {
    await setFailsafeMode(lab, lab.topo.backends.find((b) => b.name === leader)!.address, false);
  }
  t.recoveredMs = Date.now();
  return t;
}
