/**
 * After a fault: the figures the fault tests and the benchmark report —
 * the probe writer's write gap, the agents' ship gaps and the exactly-once
 * tally of every agent's samples.
 */
import { waitFor } from '@pharos/testkit/wait/wait-for';
import { type AgentTally, checkExactlyOnce, exactlyOnceProblems, type IdRange } from './exactly-once.js';
import type { FaultLab, FaultTimeline } from './fault-lab.js';
import { longestGap, type WriteGap } from './gap.js';
import { shipGaps } from './ship-gap.js';
import type { AckLog } from './writer.js';
import { lostWrites } from './writer-check.js';

/** What one fault measured. Times in ms. */
export interface FaultResult {
  timeline: FaultTimeline;
  /** Longest time without an acknowledged probe write, from the fault's start until writes resumed after recovery. */
  writeGap: WriteGap;
  /** End of the window the gaps were taken over: the probe writer's first acknowledgement after recovery (ms since the epoch). */
  windowEndMs: number;
  /** The cluster's own gap (per-host-writer.ts) over the same window, when a per-host writer ran. */
  backendGap?: WriteGap;
  /** Longest time without a stored batch from any agent / from the worst agent (pem.ship_batch). */
  shipGapAnyMs: number;
  shipGapWorstAgentMs: number;
  /** Probe writes acknowledged from 10 s before the fault to the end that the primary no longer has. */
  lostWrites: number;
  lost: number;
  duplicated: number;
  holes: number;
  skipped: number;
  tallies: AgentTally[];
  /** exactlyOnceProblems(tallies): empty when every agent's samples are stored exactly once. */
  problems: string[];
}

/**
 * Waits until `writer` has an acknowledgement after the fault's recovery (up
 * to 60 s), then measures (module note). `skipped`: ids a killed agent never
 * made durable (agent id -> ranges). `perHost`: a running per-host writer,
 * whose gap over the same window is the cluster's own.
 *
 * @throws Error when writes do not resume, or what checkExactlyOnce throws.
 */
export async function measureFault(
  lab: FaultLab,
  writer: AckLog,
  t: FaultTimeline,
  skipped: ReadonlyMap<number, readonly IdRange[]> = new Map(),
  perHost?: { readonly acks: readonly number[] },
): Promise<FaultResult> {
  await waitFor('the probe writer to write again', async () => (writer.lastAckMs ?? 0) > t.recoveredMs, {
    deadlineMs: 60_000,
    intervalMs: 100,
  });
  const end = writer.lastAckMs!;
  const writeGap = longestGap(writer.acks, t.startedMs, end);
  const tallies = await checkExactlyOnce(lab, skipped);
  const ship = await shipGaps(lab, t.startedMs, end);
  const gone = await lostWrites(lab, writer.label, writer.ackedBetween(t.startedMs - 10_000, end));
  const sum = (f: (x: AgentTally) => number) => tallies.reduce((n, x) => n + f(x), 0);
  return {
    timeline: t,
    writeGap,
    windowEndMs: end,
    ...(perHost ? { backendGap: longestGap(perHost.acks, t.startedMs, end) } : {}),
    shipGapAnyMs: ship.anyAgentMs,
    shipGapWorstAgentMs: Math.max(0, ...ship.perAgentMs.values()),
    lostWrites: gone.length,
    lost: sum((x) => x.lost),
    duplicated: sum((x) => x.duplicates),
    holes: sum((x) => x.holes),
    skipped: sum((x) => x.skipped),
    tallies,
    problems: exactlyOnceProblems(tallies),
  };
}
