/**
 * `npm run bench` (scripts/bench.sh runs the setup, builds this package,
 * then this file): measures, in one run on this machine,
 *
 * - failover (failover/failover-bench.ts): write gaps per fault and time to
 *   the first connection, Pharos vs psql, on a lab on 127.0.15.X;
 * - ingest (ingest/ingest-bench.ts): ship path vs plain COPY, on 127.0.15.50;
 * - web API latency (web/api-latency.ts, on 127.0.15.90-92; at 600 and at
 *   5,000 servers' recorded latest values: `web` and `web5000`) and the agent's
 *   probe cost (agent/probe-cost.ts, on the addresses it chooses itself);
 * - alert evaluation throughput with 600 servers' worth of default alerts
 *   (alerts/alert-bench.ts, on 127.0.15.60);
 * - a fleet of `--servers` (default 600) registered servers monitored by
 *   real agents for `--minutes` (default 10) (fleet/fleet-bench.ts, on
 *   127.0.64.X upwards): backend CPU, ingest lag, rows, values and bytes
 *   stored, WAL, overview latency;
 * - storage (storage/storage-bench.ts, on 127.0.15.70): history layouts
 *   (today's jsonb rows, narrow typed rows, per-series compressed arrays)
 *   loaded with the same replayed lab samples: bytes per value, write vs
 *   COPY, 7-day chart p95, dropping a day;
 * - history (storage/compaction-bench.ts, on 127.0.15.71): the product's
 *   history (hot rows, the compaction job, the rollup) on replayed lab
 *   samples: whole-history bytes per value, compaction values/s against a
 *   5,000-server fleet's day, the 7-day chart on compacted days, retention
 *   by whole partitions;
 * - a simulated fleet (fleet-sim/fleet-sim-bench.ts, on 127.0.96.X):
 *   `--sim-agents` (default 50) agents' real ship path replaying recorded
 *   samples, stepping up through `--sim-steps` (default 500,1000,2000,5000
 *   servers, `--sim-step-minutes` each, the last `--minutes`): ingest lag,
 *   alert evaluation, overview, backend CPU, bytes/day, WAL; the largest
 *   fleet meeting the targets;
 *
 * judges issues 19's and 14's targets on those figures (report/targets.ts), and writes
 * bench/results/<YYYY-MM-DD>-<host>.{md,json}. Progress goes to
 * stderr; the last lines printed are the report's paths. Options:
 * `--only failover,ingest,web,agent,alerts,fleet,storage,history,fleet-sim` (or the names as
 * arguments: `run.js fleet`), `--quick` (fewer runs; a 100-server, 2-minute fleet),
 * `--servers N`, `--agents N`, `--minutes M`, `--test-adds` (the fleet's),
 * `--switchovers N`, `--kills N`, `--freezes N`, `--connect-runs N` (the
 * failover benchmark's runs; 0 skips), `--trace DIR` (a timeline per fault
 * run: where each writer's gap went), `--sim-steps`, `--sim-agents`,
 * `--sim-processes`, `--sim-step-minutes` (the simulated fleet's; `--minutes`
 * is its top step's length too), `--out DIR`. A run with `--only` leaves the
 * other sections out.
 * Exits 1 when a section of its own failed (the report is written anyway).
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { postgresBinDir } from '@pharos/testkit/postgres/postgres-server';
import { runProbeCostBench } from './agent/probe-cost.js';
import { runAlertBench } from './alerts/alert-bench.js';
import { runFailoverBench } from './failover/failover-bench.js';
import { runFleetBench } from './fleet/fleet-bench.js';
import { runFleetSimBench } from './fleet-sim/fleet-sim-bench.js';
import { runIngestBench } from './ingest/ingest-bench.js';
import { loadAverage, machineInfo, reportStem } from './machine.js';
import { historyRows } from './report/history-report.js';
import { storageRows } from './report/storage-report.js';
import { issue19Targets } from './report/targets.js';
import type { BenchReport, Section, SourcedSection } from './report/types.js';
import { webTargets } from './report/web-targets.js';
import { writeReport } from './report/write.js';
import { runCompactionBench } from './storage/compaction-bench.js';
import { runStorageBench } from './storage/storage-bench.js';
import { runApiLatencyBench } from './web/api-latency.js';

const PREFIX = '127.0.15';
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function log(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

async function section<F>(name: string, enabled: boolean, fn: () => Promise<F>): Promise<Section<F>> {
  if (!enabled) return { measured: false, reason: `skipped (--only)` };
  const started = performance.now();
  log(`${name} ...`);
  try {
    const figures = await fn();
    const seconds = (performance.now() - started) / 1000;
    log(`${name}: done in ${seconds.toFixed(0)} s`);
    return { measured: true, seconds, figures };
  } catch (err) {
    log(`${name}: FAILED: ${(err as Error).stack ?? err}`);
    return { measured: false, reason: `failed: ${(err as Error).message}` };
  }
}

/** {@link section} for a benchmark module, recording which module measured it. */
async function sourced<F>(
  source: string,
  enabled: boolean,
  fn: () => Promise<F>,
): Promise<SourcedSection<F>> {
  const s = await section(source, enabled, fn);
  return { ...s, source };
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      only: { type: 'string' },
      quick: { type: 'boolean', default: false },
      out: { type: 'string' },
      servers: { type: 'string' },
      agents: { type: 'string' },
      minutes: { type: 'string' },
      'test-adds': { type: 'boolean', default: false },
      switchovers: { type: 'string' },
      kills: { type: 'string' },
      freezes: { type: 'string' },
      'connect-runs': { type: 'string' },
      trace: { type: 'string' },
      'sim-steps': { type: 'string' },
      'sim-agents': { type: 'string' },
      'sim-processes': { type: 'string' },
      'sim-step-minutes': { type: 'string' },
    },
  });
  const names = ['failover', 'ingest', 'web', 'agent', 'alerts', 'fleet', 'storage', 'history', 'fleet-sim'];
  const asked = [...(values.only ?? '').split(','), ...positionals]
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const n of asked)
    if (!names.includes(n)) throw new Error(`--only: '${n}' is not a benchmark (${names.join(', ')})`);
  const only = new Set(asked.length > 0 ? asked : names);
  const num = (flag: string, x: string | undefined) => {
    if (x === undefined) return undefined;
    const n = Number(x);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${flag}: '${x}' is not a positive number`);
    return n;
  };
  const count = (flag: string, x: string | undefined) => {
    if (x === undefined) return undefined;
    const n = Number(x);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${flag}: '${x}' is not a whole number >= 0`);
    return n;
  };
  const failoverRuns = {
    switchovers: count('switchovers', values.switchovers),
    kills: count('kills', values.kills),
    freezes: count('freezes', values.freezes),
    connectRuns: count('connect-runs', values['connect-runs']),
  };
  const fleetOpts = {
    servers: num('servers', values.servers) ?? (values.quick === true ? 100 : 600),
    agents: num('agents', values.agents) ?? (values.quick === true ? 2 : 6),
    minutes: num('minutes', values.minutes) ?? (values.quick === true ? 2 : 10),
    testAdds: values['test-adds'] === true,
  };
  const quick = values.quick === true;
  const simSteps =
    values['sim-steps']?.split(',').map((x) => num('sim-steps', x)!) ?? (quick ? [100, 200] : undefined);
  const simOpts = {
    ...(simSteps ? { steps: simSteps } : {}),
    agents: num('sim-agents', values['sim-agents']) ?? (quick ? 4 : 50),
    processes: num('sim-processes', values['sim-processes']) ?? 2,
    stepMinutes: num('sim-step-minutes', values['sim-step-minutes']) ?? (quick ? 1 : 3),
    minutes: num('minutes', values.minutes) ?? (quick ? 2 : 10),
  };
  const startedAt = new Date();
  const t0 = performance.now();
  const machine = machineInfo(postgresBinDir());
  log(`machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, ${machine.os}`);

  const failover = await section('failover', only.has('failover'), () =>
    runFailoverBench({
      prefix: PREFIX,
      switchovers: failoverRuns.switchovers ?? (quick ? 1 : 3),
      kills: failoverRuns.kills ?? (quick ? 1 : 2),
      freezes: failoverRuns.freezes ?? (quick ? 0 : 1),
      connectRuns: failoverRuns.connectRuns ?? (quick ? 3 : 7),
      ...(values.trace !== undefined ? { traceDir: values.trace } : {}),
      log,
    }),
  );
  const ingest = await section('ingest', only.has('ingest'), () =>
    runIngestBench({
      address: `${PREFIX}.50`,
      agents: 8,
      batchesPerAgent: quick ? 5 : 10,
      batchSize: 1000,
      runs: quick ? 2 : 3,
      log,
    }),
  );
  const web = await sourced('bench/src/web/api-latency.ts', only.has('web'), () =>
    runApiLatencyBench({
      addresses: { backend: `${PREFIX}.90`, web: `${PREFIX}.91`, harness: `${PREFIX}.92` },
      ...(quick ? { servers: 100, days: 2, requests: 50, overviewRequests: 20 } : {}),
      log,
    }),
  );
  const web5000 = await sourced('bench/src/web/api-latency.ts', only.has('web'), () =>
    runApiLatencyBench({
      addresses: { backend: `${PREFIX}.90`, web: `${PREFIX}.91`, harness: `${PREFIX}.92` },
      servers: quick ? 1000 : 5000,
      ...(quick ? { days: 2, requests: 50, overviewRequests: 20 } : {}),
      log,
    }),
  );
  const agent = await sourced('bench/src/agent/probe-cost.ts', only.has('agent'), () =>
    runProbeCostBench({ ...(quick ? { cycles: 2, runsPerProbe: 10, rssSeconds: 20 } : {}), log }),
  );
  const alerts = await sourced('bench/src/alerts/alert-bench.ts', only.has('alerts'), () =>
    runAlertBench({ address: `${PREFIX}.60`, servers: quick ? 100 : 600, print: log }),
  );
  const fleet = await sourced('bench/src/fleet/fleet-bench.ts', only.has('fleet'), () =>
    runFleetBench({ ...fleetOpts, log }),
  );
  const storage = await sourced('bench/src/storage/storage-bench.ts', only.has('storage'), () =>
    runStorageBench({
      address: `${PREFIX}.70`,
      servers: quick ? 1 : 3,
      hours: quick ? 2 : 12,
      chartRuns: quick ? 10 : 30,
      log,
    }),
  );
  const history = await sourced('bench/src/storage/compaction-bench.ts', only.has('history'), () =>
    runCompactionBench({
      address: `${PREFIX}.71`,
      servers: quick ? 1 : 2,
      hours: quick ? 2 : 26,
      chartRuns: quick ? 10 : 30,
      loadAvg: loadAverage,
      log,
    }),
  );
  const fleetSim = await sourced('bench/src/fleet-sim/fleet-sim-bench.ts', only.has('fleet-sim'), () =>
    runFleetSimBench({ ...simOpts, log }),
  );

  const report: BenchReport = {
    version: 1,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    durationS: (performance.now() - t0) / 1000,
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    machine,
    loadAverageAtEnd: loadAverage(),
    targets: [
      ...issue19Targets(failover, ingest, fleet, fleetSim),
      ...storageRows(storage),
      ...historyRows(history),
      ...webTargets([
        { servers: quick ? 100 : 600, section: web },
        { servers: quick ? 1000 : 5000, section: web5000 },
      ]),
    ],
    failover,
    ingest,
    web,
    web5000,
    agent,
    alerts,
    fleet,
    storage,
    history,
    fleetSim,
  };
  const paths = writeReport(report, values.out ?? `${ROOT}bench/results`, reportStem(machine, startedAt));
  log(`took ${(report.durationS / 60).toFixed(1)} min`);
  process.stdout.write(`${paths.md}\n${paths.json}\n`);
  const ownFailed = [failover, ingest, fleet, storage, history, fleetSim].some(
    (s) => !s.measured && s.reason.startsWith('failed'),
  );
  return ownFailed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
