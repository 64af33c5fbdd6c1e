/**
 * Benchmark: a simulated fleet of monitored servers on one pem backend
 * (issue 19: "a fleet of 5,000 monitored servers on the 2-core backend:
 * simulated agents shipping real-shaped samples at the default intervals
 * (recorded from the lab's agents, not invented) for at least 10 minutes";
 * and the largest fleet that still meets the targets, found by stepping up).
 *
 * Real parts, on 127.0.96.X (used by no other test or bench): the pem
 * backend on .1 (startTestBackend: PostgreSQL with TLS and the migrations;
 * fsync, synchronous_commit, full_page_writes on; pg_stat_statements
 * loaded), with the built-in CA signing the agents' CSRs and the HBA rule of
 * agents (`hostssl pem +pem_agent 127.0.96.0/24 cert`); a web instance on
 * .2; `agents` agents (default 50) enrolled with `pharos token create` and
 * `pharos agent enrol` (hosts sim-agent-1.. on .11 up); servers registered
 * with `pem.server_add` (the SQL function behind POST /api/servers; its
 * trigger binds the default alert templates), server k bound to agent
 * k mod `agents` at that agent's address, port 10000 + k div `agents`.
 *
 * The simulated agents' directories (agent.yml, key, spool) are on tmpfs
 * (/dev/shm) when the machine has one: each real agent appends to and
 * fsyncs its spool on its own host, so 50 agents' spool fsyncs queued on the
 * backend's disk beside its WAL would charge the backend for the agents'
 * disks. The spool code, its batches and what reaches the backend are the same.
 *
 * Simulated: what the agents measure. `processes` (default 2) child
 * processes (sim-agents.ts) run the agents' own spool, shipper, heartbeat,
 * jobs call and bindings read, replaying packages/bench/fixtures/
 * lab-samples.jsonl.gz (recording.ts) instead of probing: the monitored
 * servers need not exist. Agent 1 runs the agent's alert worker
 * (pem.agent_alert_settings evaluate/notify, as an administrator sets it;
 * by default only agents of backend hosts evaluate).
 *
 * Why 50 agents × 100 servers at 5,000: a real agent serves its servers from
 * one process over two backend sessions; 50 agents keep the backend's
 * sessions (2 per agent, 2 of the alert worker, the web's pool: about 115)
 * under max_connections 200 as a deployment of that size would, while 100
 * servers per agent is what one agent process ships without falling behind
 * here (the simulator's own spool lag is reported apart from the backend's).
 *
 * Steps (default 500, 1000, 2000, 5000 servers): servers are added up to
 * the step's size, then, once every server has a sample at the backend, it
 * measures for `stepMinutes` (the last step: `minutes`, default 10):
 * - ingest lag two ways: the age of each server's newest sample at the
 *   backend (fleet/backend-figures.ts, every 15 s; with 10-s probes it is
 *   between 0 and 10 s when nothing waits) and the agents' ship lag: the
 *   age of the oldest sample not yet acknowledged in each agent's spool
 *   (every 5 s);
 * - alert evaluation: due alerts, how late the oldest is in units of its
 *   interval (backend-readings.ts, every 15 s), evaluations per second;
 * - the overview: GET /api/fleet through the web instance every 2.5 s;
 * - CPU: the backend's PostgreSQL (postmaster and children), each simulator
 *   process, this process (the web instance and the harness), per backend
 *   session kind (backend-readings.ts), the load average;
 * - history bytes per day (pg_total_relation_size of schema pemhistory,
 *   fleet/backend-figures.ts: whatever the layout), WAL bytes/s;
 * - pg_stat_statements' top statements of the window.
 *
 * Run alone: `node packages/bench/dist/fleet-sim/fleet-sim-bench.js
 * [--steps 500,1000,2000,5000] [--agents 50] [--processes 2]
 * [--step-minutes 3] [--minutes 10]` (JSON on stdout), or
 * `node packages/bench/dist/run.js fleet-sim` for the report.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { PASSWORDS, startTestBackend, type TestBackend } from '@pharos/web/testing/backend-fixture';
import { startTestInstance, type TestInstance } from '@pharos/web/testing/web-instance';
import { CLOCK_TICKS, processCpuMs, serverCpuMs } from '../agent/process-cpu.js';
import { administratorEnv, enrolAgents, type FleetAgent, waitForHeartbeats } from '../fleet/agents.js';
import { newestSampleAges, storageSnapshot } from '../fleet/backend-figures.js';
import { builtInCa } from '../fleet/fleet-bench.js';
import { login, pollOverview, type WebClient } from '../fleet/web-client.js';
import { type Summary, summarize } from '../stats.js';
import {
  addWaitCounts,
  alertBacklog,
  cpuByWho,
  resetStatements,
  type StatementFigures,
  sampleWaits,
  sessionCpu,
  topStatements,
  type WaitCounts,
  type WaitShare,
  waitShares,
} from './backend-readings.js';
import type { SimStart, SimStats } from './sim-agents.js';

/** The benchmark's addresses (127.0.96.X: no other test or bench uses them). */
export const SIM_PREFIX = '127.0.96';
const BACKEND = `${SIM_PREFIX}.1`;
const WEB = `${SIM_PREFIX}.2`;
const HARNESS = `${SIM_PREFIX}.3`;
/** Agent i's host address (at most 200 agents). */
const agentAddress = (i: number) => `${SIM_PREFIX}.${i + 11}`;

/** Recorded sources the servers replay, by server id mod 3 (one of each kind the recording has). */
const SERVER_SOURCES = ['inventory', 'orders/db-host-2', 'orders/db-host-3'];
/** Recorded host sources the agents' hosts replay (agent index mod 3). */
const HOST_SOURCES = ['host:db-host-1', 'host:db-host-2', 'host:db-host-3'];

/** Where the simulated agents' files go when it exists (tmpfs: their spool's fsyncs cost the backend's disk nothing). */
const SPOOL_TMPFS = '/dev/shm';

/** The probe interval the ingest-lag target is measured against, s (probes.sql: the 10-s probes). */
export const PROBE_INTERVAL_S = 10;

/**
 * The targets of a step (issue 19): ingest lag below one probe interval,
 * alert evaluation keeping up, overview p95 <= 100 ms.
 *
 * Ingest lag: the ship lag (the oldest sample not yet stored, at the
 * agents) p95 < 10 s, and the newest sample age at the backend p95 < 20 s
 * with every server having data. The newest sample age of a server whose
 * 10-s probes are stored the instant they are collected already lies
 * anywhere between 0 and 10 s (p50 5 s, p95 9.5 s): the probe's own cadence.
 * What shipping adds comes on top, so a lag below one interval is an age
 * below two intervals.
 *
 * Alerts keep up when no alert was due for a whole interval of its own
 * (pem.alert.interval_s) without being evaluated.
 */
export function judgeStep(s: Omit<FleetSimStep, 'met'>): FleetSimStep['met'] {
  const ingestLag =
    s.shipLag.runs > 0 &&
    s.shipLag.p95 < PROBE_INTERVAL_S &&
    s.newestSampleAge.runs > 0 &&
    s.newestSampleAge.p95 < 2 * PROBE_INTERVAL_S &&
    s.newestSampleAge.serversWithoutDataAtEnd === 0;
  const alerts = s.alerts.maxLateIntervals < 1;
  const overview = s.overview.requests > s.overview.failed && s.overview.p95Ms <= 100;
  return { ingestLag, alerts, overview, all: ingestLag && alerts && overview };
}

/** Options of {@link runFleetSimBench}; every field has a default. */
export interface FleetSimOptions {
  steps?: number[];
  agents?: number;
  processes?: number;
  stepMinutes?: number;
  /** Length of the last (top) step, minutes (default 10). */
  minutes?: number;
  log?: (line: string) => void;
}

/** What one step measured. */
export interface FleetSimStep {
  servers: number;
  windowS: number;
  /** Time from the last add until every server had a sample at the backend, s. */
  toDataS: number;
  loadAverage: { start: number[]; end: number[] };
  /** CPU over the window, cores. */
  cpu: {
    backend: number;
    simulator: number;
    /** This process: the web instance and the harness's readings. */
    webAndHarness: number;
    /** The whole machine (every process, other work included): busy cores of its 2. */
    machineBusy: number;
    /** The whole machine: cores idle waiting for I/O (/proc/stat iowait). */
    machineIowait: number;
    /** The backend's sessions by kind (live at both ends of the window). */
    backendByWho: { who: string; cores: number; processes: number }[];
  };
  newestSampleAge: Summary & { readings: number; serversWithoutDataAtEnd: number };
  /** Age of the oldest unacknowledged sample of each agent's spool, every 5 s, s. */
  shipLag: Summary & { readings: number };
  sim: {
    appendedPerS: number;
    shippedPerS: number;
    shipErrors: number;
    heartbeatsFailed: number;
    skippedTicks: number;
    spooledAtEnd: number;
  };
  alerts: {
    enabled: number;
    evaluatedPerS: number;
    due: Summary;
    oldestLateS: Summary;
    maxLateIntervals: number;
    workerError: string | null;
  };
  overview: {
    requests: number;
    failed: number;
    p50Ms: number;
    p95Ms: number;
    maxMs: number;
    answerBytes: number;
    /** Failed requests by HTTP status (0: no answer: a network error or the client's timeout). */
    failedByStatus: Record<string, number>;
  };
  storage: { bytesPerDay: number; historyBytesAtEnd: number; insertedRowsPerS: number };
  walBytesPerS: number;
  topStatements: StatementFigures[];
  /**
   * What the backend's sessions waited on (pg_stat_activity sampled every
   * 0.25 s through the window, backend-readings.ts sampleWaits): average
   * active sessions by wait event (`CPU`: active, waiting on nothing), and
   * the largest by session kind, wait and statement.
   */
  waits: { samples: number; byWait: { wait: string; sessions: number }[]; top: WaitShare[] };
  /** Each target of the step: met or not. */
  met: { ingestLag: boolean; alerts: boolean; overview: boolean; all: boolean };
}

/** What {@link runFleetSimBench} measured. */
export interface FleetSimFigures {
  setup: {
    agents: number;
    processes: number;
    postgresSettings: string;
    recording: { samples: number; sources: number };
    startS: number;
    enrolS: number;
  };
  steps: FleetSimStep[];
  /** The largest step that met every target (0: none). */
  largestMeetingTargets: number;
}

/** The machine's CPU time so far from /proc/stat's `cpu` line (proc(5)), ms: busy (all but idle and iowait) and total. */
function machineCpuMs(): { busy: number; iowait: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return {
    busy: ((total - f[3]! - f[4]!) * 1000) / CLOCK_TICKS,
    iowait: (f[4]! * 1000) / CLOCK_TICKS,
    total: (total * 1000) / CLOCK_TICKS,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

/** dist/fleet-sim/fleet-sim-bench.js -> dist/fleet-sim/sim-agents.js */
const SIM_JS = fileURLToPath(new URL('./sim-agents.js', import.meta.url));

interface SimProcess {
  child: ChildProcess;
  last?: SimStats;
  /** Per reading: the age of the oldest unacknowledged sample (its max over the process's agents). */
  lags: number[];
  error?: string;
}

function startSim(start: SimStart): Promise<SimProcess> {
  const child = fork(SIM_JS, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const p: SimProcess = { child, lags: [] };
  return new Promise((resolve, reject) => {
    child.on('message', (m: SimStats | { type: 'ready' } | { type: 'error'; message: string }) => {
      if (m.type === 'ready') resolve(p);
      else if (m.type === 'error') {
        p.error = m.message;
        reject(new Error(`simulated agents: ${m.message}`));
      } else if (m.type === 'stats') {
        p.last = m;
        p.lags.push(...m.oldestSpooledAgeS);
      }
    });
    child.once('exit', (code) =>
      reject(new Error(`simulated agents exited with ${code} before they were ready`)),
    );
    child.send(start);
  });
}

async function stopSim(p: SimProcess): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  const exited = new Promise<void>((r) => p.child.once('exit', () => r()));
  p.child.send({ type: 'stop' });
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Adds servers from..to-1 with pem.server_add (batches of 250 per statement);
 * resolves to their ids in order.
 */
async function addServers(
  sql: (s: string) => Promise<string>,
  agents: readonly FleetAgent[],
  from: number,
  to: number,
) {
  const ids: number[] = [];
  const agentIds = `ARRAY[${agents.map((a) => a.id).join(',')}]`;
  const n = agents.length;
  for (let a = from; a < to; a += 250) {
    const b = Math.min(to, a + 250);
    ids.push(
      ...(JSON.parse(
        await sql(`SELECT json_agg(id ORDER BY k) FROM (
          SELECT k, pem.server_add('alice', 'sim-' || (k + 1), '${SIM_PREFIX}.' || (11 + k % ${n}), 10000 + k / ${n},
                                   'postgres', 'pem_monitor', 'verify-full', NULL, (${agentIds})[1 + k % ${n}],
                                   '{fleet-sim}', '') AS id
            FROM generate_series(${a}, ${b - 1}) k) s`),
      ) as number[]),
    );
  }
  return ids;
}

/**
 * Sets up the backend, the web instance and the agents, runs the steps, and
 * stops everything it started (module note).
 * @throws the setup's errors (an address in use, a failed enrolment) after stopping what was started.
 */
export async function runFleetSimBench(opts: FleetSimOptions = {}): Promise<FleetSimFigures> {
  const o = {
    steps: opts.steps ?? [500, 1000, 2000, 5000],
    agents: opts.agents ?? 50,
    processes: opts.processes ?? 2,
    stepMinutes: opts.stepMinutes ?? 3,
    minutes: opts.minutes ?? 10,
    log: opts.log ?? ((l: string) => process.stderr.write(`${l}\n`)),
  };
  const { log } = o;
  if (!Number.isInteger(o.agents) || o.agents < 1 || o.agents > 190)
    throw new Error(`--agents: ${o.agents} is not a whole number from 1 to 190`);
  if (!Number.isInteger(o.processes) || o.processes < 1 || o.processes > o.agents)
    throw new Error(`--processes: ${o.processes} is not a whole number from 1 to the agents (${o.agents})`);
  if (
    o.steps.length === 0 ||
    o.steps.some((s, i) => !Number.isInteger(s) || s < 1 || (i > 0 && s <= o.steps[i - 1]!))
  )
    throw new Error(`--steps: ${o.steps.join(',')} is not a rising list of whole numbers of servers`);
  if (!(o.stepMinutes > 0) || !(o.minutes > 0))
    throw new Error('--step-minutes and --minutes: positive numbers of minutes');
  // the agents' files (agent.yml, keys, spools) on tmpfs when there is one: real agents spool on
  // their own hosts' disks, so their appends' and acknowledgements' fsyncs must not queue on the
  // backend's disk beside its WAL (module note)
  const dir = mkdtempSync(join(existsSync(SPOOL_TMPFS) ? SPOOL_TMPFS : tmpdir(), 'pharos-fleet-sim-'));
  const pgSettings = {
    fsync: 'on',
    synchronous_commit: 'on',
    full_page_writes: 'on',
    shared_buffers: '256MB',
    max_wal_size: '2GB',
    max_connections: '200',
    shared_preload_libraries: 'pg_stat_statements',
  };
  let backend: TestBackend | undefined;
  let web: TestInstance | undefined;
  let sims: SimProcess[] = [];
  const clients: WebClient[] = [];
  let cleaned: Promise<void> | undefined;
  const cleanup = () =>
    (cleaned ??= (async () => {
      for (const c of clients) c.close();
      await Promise.all(sims.map(stopSim));
      await web?.close().catch(() => {});
      await backend?.stop();
      rmSync(dir, { recursive: true, force: true });
    })());
  const onSignal = (signal: NodeJS.Signals) => {
    log(`fleet-sim: ${signal}: stopping the simulated agents and servers`);
    void cleanup().finally(() => process.exit(1));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const t0 = performance.now();
    log(`fleet-sim: backend ${BACKEND}, web ${WEB}, ${o.agents} agents on ${SIM_PREFIX}.11 upwards`);
    backend = await startTestBackend({
      primaryAddress: BACKEND,
      clientAddresses: [WEB, HARNESS],
      harnessAddress: HARNESS,
      hba: [`hostssl pem +pem_agent ${SIM_PREFIX}.0/24 cert`],
      fleet: false,
      settings: pgSettings,
    });
    const sql = (text: string) => backend!.psql(text);
    await sql('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    // the history's daily partitions, as the backend's first jobs run makes them: without them the
    // first step's window would hold that run, which moves what ingest put in the default partition
    // under a lock that stops every ship for seconds (fleet-sim-8: 2.6 sessions waiting on it)
    await sql('SELECT pem.ensure_history_partitions(7)');
    await builtInCa(backend);
    web = await startTestInstance(backend, WEB, { login_rate_limit_per_minute: 100 });
    const startS = (performance.now() - t0) / 1000;

    const t1 = performance.now();
    const adminEnv = administratorEnv(web.url, backend.pki.caCert, HARNESS, dir);
    log(`fleet-sim: enrolling ${o.agents} agents (one at a time)`);
    const agents = await enrolAgents(
      {
        webUrl: web.url,
        caFile: backend.pki.caCert,
        adminEnv,
        dir,
        host: (k) => ({ name: `sim-agent-${k + 1}`, address: agentAddress(k) }),
      },
      o.agents,
    );
    // the administrator's setting that makes agent 1 evaluate alerts and send notifications
    await sql(
      `INSERT INTO pem.agent_alert_settings (agent_id, evaluate, notify) VALUES (${agents[0]!.id}, true, true)`,
    );
    const perProcess = Math.ceil(agents.length / o.processes);
    sims = await Promise.all(
      Array.from({ length: o.processes }, (_, p) =>
        startSim({
          type: 'start',
          agents: agents.slice(p * perProcess, (p + 1) * perProcess).map((a, i) => ({
            id: a.id,
            config: a.config,
            hostSource: HOST_SOURCES[(p * perProcess + i) % HOST_SOURCES.length]!,
          })),
          serverSources: SERVER_SOURCES,
          alertAgentId: agents[0]!.id,
          statsEveryMs: 5000,
          logDir: join(dir, `sim-${p + 1}`),
        }),
      ),
    );
    await waitForHeartbeats(sql, agents);
    const enrolS = (performance.now() - t1) / 1000;
    log(`fleet-sim: ${agents.length} agents enrolled and running (${enrolS.toFixed(0)} s)`);
    const user = await login(web.url, backend.pki.caCert, HARNESS, 'bob', PASSWORDS.bob);
    clients.push(user);

    const rec = { samples: 0, sources: 0 };
    {
      const { loadRecording } = await import('./recording.js');
      const r = loadRecording();
      rec.samples = r.samples;
      rec.sources = r.streams.size;
    }
    const steps: FleetSimStep[] = [];
    const ids: number[] = [];
    for (const [si, size] of o.steps.entries()) {
      const minutes = si === o.steps.length - 1 ? o.minutes : o.stepMinutes;
      log(`fleet-sim: step ${size} servers: adding ${size - ids.length}`);
      ids.push(...(await addServers(sql, agents, ids.length, size)));
      const t3 = performance.now();
      let missing = ids.length;
      while (performance.now() - t3 < 300_000) {
        missing = (await newestSampleAges(sql, ids)).missing;
        if (missing === 0) break;
        await sleep(2000);
      }
      const toDataS = (performance.now() - t3) / 1000;
      log(
        `fleet-sim: ${ids.length - missing}/${ids.length} servers have data (${toDataS.toFixed(0)} s); measuring ${minutes} min`,
      );
      steps.push(await measure(sql, backend, user, sims, ids, minutes, toDataS, log));
      const s = steps[steps.length - 1]!;
      log(
        `fleet-sim: ${size} servers: backend ${s.cpu.backend} cores, sim ${s.cpu.simulator}; newest age p95 ${s.newestSampleAge.p95.toFixed(1)} s, ship lag p95 ${s.shipLag.p95.toFixed(1)} s; alerts late max ${s.alerts.maxLateIntervals.toFixed(2)} intervals; overview p95 ${s.overview.p95Ms} ms; met ${JSON.stringify(s.met)}`,
      );
    }
    let largest = 0;
    for (const s of steps) if (s.met.all) largest = s.servers;
    return {
      setup: {
        agents: agents.length,
        processes: sims.length,
        postgresSettings: Object.entries(pgSettings)
          .map(([k, x]) => `${k}=${x}`)
          .join(', '),
        recording: rec,
        startS: round(startS),
        enrolS: round(enrolS),
      },
      steps,
      largestMeetingTargets: largest,
    };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cleanup();
  }
}

const FIGURE_EVERY_MS = 15_000;
const OVERVIEW_EVERY_MS = 2_500;

/** One step's window (module note). */
async function measure(
  sql: (s: string) => Promise<string>,
  backend: TestBackend,
  user: WebClient,
  sims: SimProcess[],
  ids: readonly number[],
  minutes: number,
  toDataS: number,
  log: (l: string) => void,
): Promise<FleetSimStep> {
  const simStats = () => sims.map((p) => p.last!);
  const simTotal = (
    k:
      | 'appendedSamples'
      | 'shippedSamples'
      | 'shipErrors'
      | 'heartbeatsFailed'
      | 'skippedTicks'
      | 'spooledSamples',
  ) => simStats().reduce((n, s) => n + (s?.[k] ?? 0), 0);
  const evaluated = () => simStats().reduce((n, s) => n + (s?.alerts?.evaluated ?? 0), 0);
  await resetStatements(sql);
  const load0 = loadavg();
  const s0 = await storageSnapshot(sql);
  const who0 = await sessionCpu(sql);
  const cpu0 = serverCpuMs(backend.primary.pid);
  const simCpu = () => sims.reduce((n, p) => n + processCpuMs(p.child.pid!), 0);
  const sim0 = simCpu();
  const self0 = process.cpuUsage();
  const m0 = machineCpuMs();
  const c0 = {
    appended: simTotal('appendedSamples'),
    shipped: simTotal('shippedSamples'),
    errors: simTotal('shipErrors'),
    hb: simTotal('heartbeatsFailed'),
    skipped: simTotal('skippedTicks'),
    evaluated: evaluated(),
  };
  for (const p of sims) p.lags = [];
  const w0 = performance.now();
  const w0Ms = Date.now();
  const windowMs = minutes * 60_000;
  const ages: number[] = [];
  let lastMissing = 0;
  const due: number[] = [];
  const late: number[] = [];
  let maxLateIntervals = 0;
  let enabled = 0;
  const overviewLoop = pollOverview(user, windowMs, OVERVIEW_EVERY_MS);
  const waits: WaitCounts = { samples: 0, byKey: new Map() };
  const waitLoop = (async () => {
    // 5-s sampling calls back to back until the window ends (one psql process each)
    while (performance.now() - w0 < windowMs - 5_000)
      addWaitCounts(waits, await sampleWaits(sql, 20, 0.25).catch(() => ({ samples: 0, byKey: new Map() })));
  })();
  let nextLog = 60_000;
  while (performance.now() - w0 < windowMs) {
    const started = performance.now();
    const a = await newestSampleAges(sql, ids);
    ages.push(...a.agesS);
    lastMissing = a.missing;
    const b = await alertBacklog(sql);
    enabled = b.enabled;
    due.push(b.due);
    late.push(b.oldestLateS);
    maxLateIntervals = Math.max(maxLateIntervals, b.maxLateIntervals);
    if (performance.now() - w0 >= nextLog) {
      const s = summarize(a.agesS, 's');
      log(
        `  ${Math.round((performance.now() - w0) / 60_000)} min: newest sample age p50 ${s.median.toFixed(1)} s, max ${s.max.toFixed(1)} s; spooled ${simTotal('spooledSamples')}; alerts due ${b.due}, oldest ${b.oldestLateS.toFixed(0)} s late; load ${loadavg()[0]!.toFixed(1)}`,
      );
      nextLog += 60_000;
    }
    await sleep(
      Math.min(FIGURE_EVERY_MS - (performance.now() - started), windowMs - (performance.now() - w0)),
    );
  }
  const { ms: overviewMs, failed: overviewFailed, answerBytes, failedByStatus } = await overviewLoop;
  await waitLoop;
  const elapsedMs = performance.now() - w0;
  const cpu1 = serverCpuMs(backend.primary.pid);
  const sim1 = simCpu();
  const self1 = process.cpuUsage(self0);
  const m1 = machineCpuMs();
  const who1 = await sessionCpu(sql);
  const s1 = await storageSnapshot(sql);
  const w1Ms = Date.now();
  const load1 = loadavg();
  const statements = await topStatements(sql, 10);
  const spanS = (w1Ms - w0Ms) / 1000;
  const windowS = elapsedMs / 1000;
  const ov = summarize(overviewMs, 'ms');
  const age = summarize(ages, 's');
  const lag = summarize(
    sims.flatMap((p) => p.lags),
    's',
  );
  const workerError = simStats().find((s) => s?.alerts)?.alerts?.lastError ?? null;
  const step: Omit<FleetSimStep, 'met'> = {
    servers: ids.length,
    windowS: round(windowS),
    toDataS: round(toDataS),
    loadAverage: { start: load0.map((x) => round(x, 2)), end: load1.map((x) => round(x, 2)) },
    cpu: {
      backend: round((cpu1 - cpu0) / elapsedMs, 3),
      simulator: round((sim1 - sim0) / elapsedMs, 3),
      webAndHarness: round((self1.user + self1.system) / 1000 / elapsedMs, 3),
      machineBusy: round((m1.busy - m0.busy) / elapsedMs, 2),
      machineIowait: round((m1.iowait - m0.iowait) / elapsedMs, 2),
      backendByWho: cpuByWho(who0, who1, elapsedMs).slice(0, 10),
    },
    newestSampleAge: { ...age, readings: ages.length, serversWithoutDataAtEnd: lastMissing },
    shipLag: { ...lag, readings: lag.runs },
    sim: {
      appendedPerS: round((simTotal('appendedSamples') - c0.appended) / spanS),
      shippedPerS: round((simTotal('shippedSamples') - c0.shipped) / spanS),
      shipErrors: simTotal('shipErrors') - c0.errors,
      heartbeatsFailed: simTotal('heartbeatsFailed') - c0.hb,
      skippedTicks: simTotal('skippedTicks') - c0.skipped,
      spooledAtEnd: simTotal('spooledSamples'),
    },
    alerts: {
      enabled,
      evaluatedPerS: round((evaluated() - c0.evaluated) / spanS, 2),
      due: summarize(due, 'alerts'),
      oldestLateS: summarize(late, 's'),
      maxLateIntervals: round(maxLateIntervals, 2),
      workerError,
    },
    overview: {
      requests: overviewMs.length + overviewFailed,
      failed: overviewFailed,
      p50Ms: round(ov.median),
      p95Ms: round(ov.p95),
      maxMs: round(ov.max),
      answerBytes,
      failedByStatus,
    },
    storage: {
      bytesPerDay: Math.round(((s1.historyBytes - s0.historyBytes) / spanS) * 86400),
      historyBytesAtEnd: s1.historyBytes,
      insertedRowsPerS: round((s1.sampleRowsInserted - s0.sampleRowsInserted) / spanS),
    },
    walBytesPerS: Math.round((s1.walLsnBytes - s0.walLsnBytes) / spanS),
    topStatements: statements,
    waits: { samples: waits.samples, ...waitShares(waits, 15) },
  };
  return { ...step, met: judgeStep(step) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      steps: { type: 'string' },
      agents: { type: 'string' },
      processes: { type: 'string' },
      'step-minutes': { type: 'string' },
      minutes: { type: 'string' },
    },
  });
  const o: FleetSimOptions = {};
  if (values.steps) o.steps = values.steps.split(',').map(Number);
  if (values.agents) o.agents = Number(values.agents);
  if (values.processes) o.processes = Number(values.processes);
  if (values['step-minutes']) o.stepMinutes = Number(values['step-minutes']);
  if (values.minutes) o.minutes = Number(values.minutes);
  const r = await runFleetSimBench(o);
  process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    process.stderr.write(`fleet-sim benchmark: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
