/**
 * The failover benchmark (issue 5): a whole lab on 127.0.15.X, then
 *
 * 1. time to the first connection when the first listed host is down, a
 *    standby or black-holed, Pharos vs psql (first-connection.ts), before any
 *    writer runs (so their load does not skew it);
 * 2. writers side by side on the same multi-host string, while the six
 *    agents keep sampling: two HaConnection writers committing a row every
 *    50 ms (suites/faults/writer.ts; one with `holdOtherHosts`, one with the
 *    default options) and psql in a loop every 100 ms (psql-writer.ts); and a
 *    writer on each backend directly every 50 ms
 *    (suites/faults/per-host-writer.ts) whose merged gap is the cluster's
 *    own, what no client can beat. Each writer (each backend's too) runs in a
 *    process of its own (writer-process.ts, remote-writer.ts) and timestamps
 *    its acknowledgements there with CLOCK_REALTIME, so no writer's gap
 *    carries another's, or this process's, event-loop stalls;
 * 3. faults one after another, each `runs` times (switchover, kill -9 of the
 *    leader's Patroni and PostgreSQL, optionally a 45 s SIGSTOP of the
 *    leader): per run, each writer's write gap, the agents' ship gap, and
 *    whether every sample the agents acknowledged is stored exactly once
 *    (suites/faults/measure.ts).
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@pharos/ops/lab/processes';
import { startTestLab } from '@pharos/ops/testing/test-lab';
import { freezeLeader, killLeader, switchover } from '@pharos/suites/faults/backend-faults';
import { currentLeader } from '@pharos/suites/faults/cluster';
import type { FaultLab, FaultTimeline } from '@pharos/suites/faults/fault-lab';
import { longestGap } from '@pharos/suites/faults/gap';
import { measureFault } from '@pharos/suites/faults/measure';
import { shipBatchTimes } from '@pharos/suites/faults/ship-gap';
import { createWriteTable, labWriterConninfo } from '@pharos/suites/faults/writer';
import { lostWrites } from '@pharos/suites/faults/writer-check';
import { type Summary, summarize } from '../stats.js';
import { startBlackHole } from './black-hole.js';
import { type ConnectFigures, measureFirstConnection } from './first-connection.js';
import { RemotePerHost, RemoteWriter } from './remote-writer.js';
import { runTimeline } from './run-timeline.js';

/** Options of {@link runFailoverBench}. */
export interface FailoverBenchOptions {
  /** Loopback /24 of the lab, e.g. '127.0.15'. */
  prefix: string;
  switchovers: number;
  kills: number;
  /** 45 s SIGSTOP runs (0 to skip). */
  freezes: number;
  connectRuns: number;
  /** Directory for one timeline per fault run (gap-trace.ts): where each writer's gap went. Unset: none written. */
  traceDir?: string;
  log: (line: string) => void;
}

/** One run of one fault. Gaps in seconds. */
export interface FaultRun {
  /** The cluster's own gap: writers on each backend directly (no host selection). */
  backendGapS: number;
  /** The Pharos writer (HaConnection with holdOtherHosts). */
  pharosGapS: number;
  /** A second Pharos writer with HaConnection's default options. */
  pharosDefaultGapS: number;
  psqlGapS: number;
  shipGapS: number;
  samplesChecked: number;
  lost: number;
  duplicated: number;
  holes: number;
  pharosWritesLost: number;
  pharosDefaultWritesLost: number;
  psqlWritesLost: number;
  marksS: Record<string, number>;
  notes: string[];
  /** 1-minute load average of the machine when the fault started (os.loadavg). */
  loadAvg1?: number;
  /**
   * Where the ship gap's excess over the cluster's own gap lies, s: how much
   * earlier its start (the last batch stored before it, by received_at = the
   * shipping transaction's start) was than the cluster's own last write, and
   * how much later its end (the first batch stored after it) than the
   * cluster's first write after the gap. The start depends on when an agent
   * last happened to ship (each ships when its probes have samples, every
   * probe interval) and on how long that transaction ran; the end is what
   * the ship path took to reach the new primary.
   */
  shipStartEarlyS?: number;
  shipEndLateS?: number;
}

/** All runs of one fault with their summaries and the target (when the issue sets one). */
export interface FaultFigures {
  fault: string;
  runs: FaultRun[];
  backendGap: Summary;
  pharosGap: Summary;
  pharosDefaultGap: Summary;
  psqlGap: Summary;
  shipGap: Summary;
  lost: number;
  duplicated: number;
  targetGapS?: number;
  /** Every run's Pharos gap within the target and nothing lost or duplicated. */
  targetMet?: boolean;
}

/** What {@link runFailoverBench} measured. */
export interface FailoverFigures {
  lab: { upS: number; ttlS: number; loopWaitS: number; retryTimeoutS: number; probeIntervalS: number };
  conninfo: string;
  firstConnection: ConnectFigures[];
  faults: FaultFigures[];
  /** Set when the run stopped early: what failed (the figures above are what was measured before). */
  error?: string;
}

const PROBE_INTERVAL_S = 2;
/** Period of the Pharos writers, ms: the cluster's own writers' (per-host-writer.ts). */
const WRITE_INTERVAL_MS = 50;

function figures(fault: string, runs: FaultRun[], targetGapS?: number): FaultFigures {
  const f: FaultFigures = {
    fault,
    runs,
    backendGap: summarize(
      runs.map((r) => r.backendGapS),
      's',
    ),
    pharosGap: summarize(
      runs.map((r) => r.pharosGapS),
      's',
    ),
    pharosDefaultGap: summarize(
      runs.map((r) => r.pharosDefaultGapS),
      's',
    ),
    psqlGap: summarize(
      runs.map((r) => r.psqlGapS),
      's',
    ),
    shipGap: summarize(
      runs.map((r) => r.shipGapS),
      's',
    ),
    lost: runs.reduce((n, r) => n + r.lost, 0),
    duplicated: runs.reduce((n, r) => n + r.duplicated, 0),
  };
  if (targetGapS !== undefined) {
    f.targetGapS = targetGapS;
    f.targetMet =
      runs.length > 0 &&
      runs.every((r) => r.pharosGapS <= targetGapS && r.lost === 0 && r.duplicated === 0 && r.holes === 0);
  }
  return f;
}

/**
 * Brings the lab up, measures (module note), brings it down. Throws what
 * starting the lab or the first-connection measurement throws; a failure
 * later (writers, faults) ends the run early with `error` set and the figures
 * measured so far.
 */
export async function runFailoverBench(opts: FailoverBenchOptions): Promise<FailoverFigures> {
  const { log } = opts;
  log(`failover: starting a lab on ${opts.prefix}.X ...`);
  const tl = await startTestLab({ name: 'bench', prefix: opts.prefix, probeIntervalS: PROBE_INTERVAL_S });
  const lab: FaultLab = {
    topo: tl.topo,
    secrets: tl.secrets,
    dir: tl.dir,
    state: tl.state,
    access: tl.access,
  };
  const p = lab.topo.patroni;
  log(`failover: lab up in ${((tl.state.upDurationMs ?? 0) / 1000).toFixed(1)} s`);
  const password = lab.secrets.patroni_super;
  const conninfo = labWriterConninfo(lab.topo, lab.dir);
  let pharos: RemoteWriter | undefined;
  let pharosDefault: RemoteWriter | undefined;
  let lagTimer: NodeJS.Timeout | undefined;
  let psql: RemoteWriter | undefined;
  let perHost: RemotePerHost | undefined;
  try {
    const leader = (await currentLeader(lab))!;
    const standby = lab.topo.backends.find((b) => b.name !== leader.name)!;
    await createWriteTable(lab, leader.address);
    const hole = await startBlackHole(`${opts.prefix}.241`, lab.topo.postgres.port);
    const rest = `port=${lab.topo.postgres.port} ${conninfo.slice(conninfo.indexOf('dbname='))}`;
    const firstConnection = await measureFirstConnection(
      [
        { name: 'primary first', conninfo: `host=${leader.address},${standby.address} ${rest}` },
        { name: 'first host down', conninfo: `host=${opts.prefix}.240,${leader.address} ${rest}` },
        { name: 'first host a standby', conninfo: `host=${standby.address},${leader.address} ${rest}` },
        { name: 'first host black-holed', conninfo: `host=${hole.address},${leader.address} ${rest}` },
      ],
      password,
      opts.connectRuns,
      log,
      opts.traceDir,
    ).finally(() => hole.close());

    const result: FailoverFigures = {
      lab: {
        upS: (tl.state.upDurationMs ?? 0) / 1000,
        ttlS: p.ttl,
        loopWaitS: p.loop_wait,
        retryTimeoutS: p.retry_timeout,
        probeIntervalS: PROBE_INTERVAL_S,
      },
      conninfo,
      firstConnection,
      faults: [],
    };
    // Every measured writer runs in a process of its own (writer-process.ts):
    // a stall of this process's event loop, or of another writer's, delays
    // only when its reports arrive here, not the times they carry.
    // Same cadence as the cluster's own writers, so neither gap is inflated
    // by a coarser cadence than the other.
    pharos = new RemoteWriter({
      type: 'start',
      kind: 'ha',
      label: 'pharos',
      conninfo,
      password,
      intervalMs: WRITE_INTERVAL_MS,
      holdOtherHosts: true,
    });
    pharosDefault = new RemoteWriter({
      type: 'start',
      kind: 'ha',
      label: 'pharos-default',
      conninfo,
      password,
      intervalMs: WRITE_INTERVAL_MS,
      holdOtherHosts: false,
    });
    psql = new RemoteWriter({
      type: 'start',
      kind: 'psql',
      label: 'psql',
      conninfo,
      password,
      intervalMs: 100,
    });
    perHost = new RemotePerHost({
      backends: lab.topo.backends,
      port: lab.topo.postgres.port,
      labDir: lab.dir,
      password,
      label: 'per-host',
      intervalMs: WRITE_INTERVAL_MS,
    });
    // How late this process's event loop runs (the faults, the exactly-once
    // checks): every lateness over 100 ms, for the timelines.
    const lags: { atMs: number; lateMs: number }[] = [];
    let expected = Date.now() + 50;
    lagTimer = setInterval(() => {
      const now = Date.now();
      if (now - expected > 100) lags.push({ atMs: expected, lateMs: now - expected });
      expected = now + 50;
    }, 50);
    const w = { pharos, pharosDefault, psql, perHost };
    await Promise.all([pharos.run(), pharosDefault.run(), psql.run(), perHost.run()]);
    try {
      await waitFor(
        'both writers to write 5 rows',
        async () => {
          if (w.pharos.acks.length >= 5 && w.psql.acks.length >= 5) return true;
          throw new Error(
            `Pharos ${w.pharos.acks.length} written, ${w.pharos.errors} failed; psql ${w.psql.acks.length} written, ${w.psql.errors} failed`,
          );
        },
        { timeoutMs: 120_000 },
      );

      let currentFault = '';
      const runFault = async (fault: () => Promise<FaultTimeline>): Promise<FaultRun> => {
        const loadAvg1 = loadavg()[0]!;
        const t = await fault();
        const m = await measureFault(lab, w.pharos, t, new Map());
        // The cluster's own gap over the same window, once every backend's
        // writer process has reported up to its end.
        await w.perHost.reportedUntil(m.windowEndMs);
        const r = { ...m, backendGap: longestGap(w.perHost.acks, t.startedMs, m.windowEndMs) };
        await waitFor('psql to write again', async () => (w.psql.acks.at(-1) ?? 0) > t.recoveredMs, {
          timeoutMs: 60_000,
          intervalMs: 100,
        });
        await waitFor(
          'the default Pharos writer to write again',
          async () => (w.pharosDefault.lastAckMs ?? 0) > t.recoveredMs,
          { timeoutMs: 60_000, intervalMs: 100 },
        );
        const psqlGap = longestGap(w.psql.acks, t.startedMs, w.psql.acks.at(-1)!);
        const defaultGap = longestGap(w.pharosDefault.acks, t.startedMs, w.pharosDefault.lastAckMs!);
        const defaultLost = await lostWrites(
          lab,
          w.pharosDefault.label,
          w.pharosDefault.ackedBetween(t.startedMs - 10_000, Date.now()),
        );
        const psqlLost = await lostWrites(
          lab,
          w.psql.label,
          w.psql.ackedBetween(t.startedMs - 10_000, Date.now()),
        );
        const shipBatches = await shipBatchTimes(lab, t.startedMs - 10_000, r.windowEndMs);
        const shipGap = longestGap(
          shipBatches.map((b) => b.atMs),
          t.startedMs,
          r.windowEndMs,
        );
        if (opts.traceDir !== undefined) {
          const n = result.faults.find((f) => f.fault === currentFault)!.runs.length + 1;
          const file = join(opts.traceDir, `failover-${currentFault.split(/\W+/)[0]}-${n}.txt`);
          mkdirSync(opts.traceDir, { recursive: true });
          writeFileSync(
            file,
            runTimeline({
              t,
              backendGap: r.backendGap,
              pharosGap: r.writeGap,
              psqlGap,
              perHost: w.perHost,
              pharos: w.pharos,
              pharosDefault: w.pharosDefault,
              pharosDefaultGap: defaultGap,
              lags,
              psql: w.psql,
              shipBatches,
              shipGap,
            }),
          );
          log(`failover: timeline of this run in ${file}`);
        }
        for (const x of [w.pharos, w.pharosDefault, w.psql, ...w.perHost.byHost.values()]) {
          x.events.length = 0;
          x.lags.length = 0;
        }
        lags.length = 0;
        const run: FaultRun = {
          backendGapS: (r.backendGap?.gapMs ?? Number.NaN) / 1000,
          pharosGapS: r.writeGap.gapMs / 1000,
          pharosDefaultGapS: defaultGap.gapMs / 1000,
          psqlGapS: psqlGap.gapMs / 1000,
          shipGapS: r.shipGapAnyMs / 1000,
          samplesChecked: r.tallies.reduce((n, x) => n + x.expected, 0),
          lost: r.lost,
          duplicated: r.duplicated,
          holes: r.holes,
          pharosWritesLost: r.lostWrites,
          pharosDefaultWritesLost: defaultLost.length,
          psqlWritesLost: psqlLost.length,
          marksS: Object.fromEntries(Object.entries(t.marks).map(([k, v]) => [k, v / 1000])),
          notes: [...t.notes, ...r.problems],
          loadAvg1,
          ...(r.backendGap
            ? {
                shipStartEarlyS: (r.backendGap.fromMs - shipGap.fromMs) / 1000,
                shipEndLateS: (shipGap.toMs - r.backendGap.toMs) / 1000,
              }
            : {}),
        };
        log(
          `failover: ${t.fault}: cluster's own gap ${run.backendGapS.toFixed(2)} s, Pharos gap ${run.pharosGapS.toFixed(2)} s (default options ${run.pharosDefaultGapS.toFixed(2)} s), psql gap ${run.psqlGapS.toFixed(2)} s, ship gap ${run.shipGapS.toFixed(2)} s (start ${run.shipStartEarlyS?.toFixed(2)} s earlier, end ${run.shipEndLateS?.toFixed(2)} s later than the cluster's own), load ${loadAvg1.toFixed(1)}, lost ${run.lost}, duplicated ${run.duplicated}`,
        );
        return run;
      };
      const repeat = async (
        name: string,
        n: number,
        fault: () => Promise<FaultTimeline>,
        targetGapS?: number,
      ) => {
        const runs: FaultRun[] = [];
        currentFault = name;
        const figs = figures(name, runs, targetGapS);
        result.faults.push(figs);
        for (let i = 0; i < n; i++) {
          runs.push(await runFault(fault));
          Object.assign(figs, figures(name, runs, targetGapS));
        }
      };
      await repeat('switchover', opts.switchovers, () => switchover(lab), 2);
      await repeat(
        'kill -9 of the leader (Patroni + PostgreSQL)',
        opts.kills,
        () => killLeader(lab),
        p.ttl + p.loop_wait + 2,
      );
      if (opts.freezes > 0) {
        await repeat('SIGSTOP of the leader for 45 s', opts.freezes, () => freezeLeader(lab, 45_000));
      }
    } catch (err) {
      result.error = (err as Error).message;
      log(`failover: stopped early: ${result.error}`);
    }
    return result;
  } finally {
    clearInterval(lagTimer);
    await pharos?.stop();
    await pharosDefault?.stop();
    await psql?.stop();
    await perHost?.stop();
    await tl.down();
  }
}
