/**
 * Faults of the backend cluster, each induced on the lab's own processes and
 * followed by recovery to one leader and streaming replicas:
 *
 * - {@link switchover}: POST /switchover to another member;
 * - {@link killLeader}: kill -9 of the leader's Patroni and its postmaster
 *   (a lost node), then, once another member leads, the killed Patroni is
 *   started again and rejoins as a replica;
 * - {@link freezeLeader}: SIGSTOP of the leader's Patroni, postmaster and
 *   backends for `freezeMs`, then SIGCONT (a stalled machine that comes back);
 * - {@link restartBackends}: SIGTERM to all three Patroni (each stops its
 *   PostgreSQL), then started again as `lab up` does: the last leader first.
 */
import { join } from 'node:path';
import { switchover as postSwitchover } from '@pharos/ops/lab/patroni-api';
import { sleep, stopProcess } from '@pharos/ops/lab/processes';
import { waitFor } from '@pharos/testkit/wait/wait-for';
import { clusterView, currentLeader, waitHealthy, writablePrimaries } from './cluster.js';
import { type FaultLab, type FaultTimeline, mark, startTimeline } from './fault-lab.js';
import { findProcess, restartProcess } from './restart.js';
import { childrenOf, freeze, postmasterPid, signal, thaw, waitGone } from './signals.js';

function dataDirOf(lab: FaultLab, backend: string): string {
  return join(lab.dir, backend, lab.topo.postgres.data_dir);
}

function addressOf(lab: FaultLab, backend: string): string {
  return lab.topo.backends.find((b) => b.name === backend)!.address;
}

/** Waits until a member other than `old` leads; records the mark `newLeader`. */
async function waitNewLeader(
  lab: FaultLab,
  t: FaultTimeline,
  old: string,
  timeoutMs: number,
): Promise<string> {
  const name = await waitFor(
    `a leader other than ${old}`,
    async () => {
      const l = await currentLeader(lab);
      return l && l.name !== old ? l.name : undefined;
    },
    { deadlineMs: timeoutMs, intervalMs: 200 },
  );
  mark(t, 'newLeader');
  t.notes.push(`${old} -> ${name}`);
  return name;
}

/** Switchover from the current leader to the next member in topology order; resolves when healthy again. */
export async function switchover(lab: FaultLab): Promise<FaultTimeline> {
  const leader = await waitHealthy(lab);
  const candidate = lab.topo.backends.find((b) => b.name !== leader)!.name;
  const t = startTimeline('switchover');
  await postSwitchover(addressOf(lab, leader), leader, candidate, lab.access.patroni);
  mark(t, 'switchoverAnswered');
  await waitNewLeader(lab, t, leader, 60_000);
  await waitHealthy(lab);
  t.recoveredMs = Date.now();
  return t;
}

/**
 * kill -9 of the leader's Patroni and postmaster; waits for another leader
 * (Patroni: after the leader key's ttl), restarts the killed Patroni and waits
 * until it streams again. Backends the postmaster leaves behind exit by
 * themselves when they notice its death; any still there after 10 s are
 * killed too, so the restarted server can take the shared memory.
 */
export async function killLeader(lab: FaultLab): Promise<FaultTimeline> {
  const leader = await waitHealthy(lab);
  const patroni = findProcess(lab.state, 'patroni', leader);
  const pm = postmasterPid(dataDirOf(lab, leader));
  if (pm === undefined) throw new Error(`no running postmaster in ${dataDirOf(lab, leader)}`);
  const backends = childrenOf(pm);
  const t = startTimeline('kill -9 leader');
  signal(patroni.pid, 'SIGKILL');
  signal(pm, 'SIGKILL');
  await Promise.all([waitGone(patroni.pid), waitGone(pm)]);
  mark(t, 'killed');
  for (const pid of backends) if (!(await waitGone(pid, 10_000))) signal(pid, 'SIGKILL');
  await waitNewLeader(lab, t, leader, 120_000);
  await restartProcess(lab.state, patroni);
  mark(t, 'restarted');
  await waitHealthy(lab);
  t.recoveredMs = Date.now();
  return t;
}

/**
 * SIGSTOP of the leader's Patroni, postmaster and backends for `freezeMs`
 * (default 45 s), then SIGCONT; records when another member led (`newLeader`),
 * how many polls (every 200 ms for 10 s after SIGCONT) found two PostgreSQL
 * servers out of recovery at once, and when the cluster was healthy again.
 */
export async function freezeLeader(lab: FaultLab, freezeMs = 45_000): Promise<FaultTimeline> {
  const leader = await waitHealthy(lab);
  const patroni = findProcess(lab.state, 'patroni', leader);
  const pm = postmasterPid(dataDirOf(lab, leader));
  if (pm === undefined) throw new Error(`no running postmaster in ${dataDirOf(lab, leader)}`);
  const t = startTimeline(`SIGSTOP leader ${Math.round(freezeMs / 1000)} s`);
  const frozen = freeze(patroni.pid, pm);
  try {
    const watch = waitNewLeader(lab, t, leader, freezeMs).catch(() => {
      t.notes.push(`no other leader while ${leader} was frozen`);
    });
    await sleep(freezeMs);
    await watch;
  } finally {
    thaw(frozen);
  }
  mark(t, 'thawed');
  // Right after SIGCONT the old primary runs again until its Patroni demotes it: count the moments with two.
  let polls = 0;
  let both = 0;
  const until = Date.now() + 10_000;
  while (Date.now() < until) {
    polls++;
    if ((await writablePrimaries(lab)).length > 1) both++;
    await sleep(200);
  }
  t.notes.push(`after SIGCONT ${both} of ${polls} polls (10 s) saw two primaries`);
  await waitHealthy(lab);
  t.recoveredMs = Date.now();
  return t;
}

/**
 * Stops all three Patroni by PID at once (SIGTERM: each stops its PostgreSQL;
 * SIGKILL after 60 s), then starts them again as `lab up` does: one first,
 * and the others once it leads. The one started first is the member that led
 * before the stop: it stopped last in its own shutdown and holds every
 * commit it acknowledged, while the standbys, stopping at the same moment,
 * may have missed the last WAL. Started the other way round (or all at once),
 * whichever Patroni starts first wins the leader race as long as it lags the
 * last leader by less than `maximum_lag_on_failover`, and the commits only the
 * old leader had are rewound away: acknowledged samples are lost (seen in
 * this suite before the order was fixed: 11 samples of one agent).
 */
export async function restartBackends(lab: FaultLab): Promise<FaultTimeline> {
  const leader = await waitHealthy(lab);
  const procs = lab.topo.backends.map((b) => findProcess(lab.state, 'patroni', b.name));
  const t = startTimeline('restart of the backend cluster');
  const stopped = await Promise.all(procs.map((p) => stopProcess(p, 60_000)));
  if (stopped.includes(false)) throw new Error('a Patroni did not stop within 60 s');
  mark(t, 'stopped');
  const first = procs.find((p) => p.host === leader)!;
  await restartProcess(lab.state, first);
  await waitFor(`${leader} to lead again`, async () => (await currentLeader(lab))?.name === leader, {
    deadlineMs: 120_000,
    intervalMs: 250,
  });
  mark(t, 'leaderBack');
  for (const p of procs) if (p !== first) await restartProcess(lab.state, p);
  mark(t, 'started');
  await waitHealthy(lab);
  t.recoveredMs = Date.now();
  const c = await clusterView(lab);
  t.notes.push(
    `${leader} started first and leads; timeline ${c.members.find((m) => m.role === 'leader')?.timeline ?? '?'}`,
  );
  return t;
}
