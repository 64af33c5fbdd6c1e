/**
 * Benchmark (not a timed test): what monitoring costs.
 *
 * 1. Probe cost on the monitored server, for the default probe set (every
 *    probe enabled by default; Patroni and hba_rules are not): a real
 *    PostgreSQL server (the machine's major) with pgbench data in `bench`,
 *    probed as a role with `pg_monitor` only.
 *    - per probe: server CPU (the probe session's backend, /proc) and wall
 *      time per run, averaged over repeated runs;
 *    - a full cycle (every default probe once, database probes in every
 *      database, through ServerMonitor): server CPU of the whole PostgreSQL
 *      server (closed sessions included) minus its idle CPU, and statements
 *      sent;
 *    - steady state at the default intervals: per-probe figures times runs
 *      per minute, plus the sessions the database lane opens (measured:
 *      connect, authenticate, one statement, close).
 * 2. The agent's resident memory with 1 and with 50 monitored servers: the
 *    real agent in a child process against a real backend (`pem`), default
 *    intervals, RSS sampled every second (targets: <= 80 MiB with 1, <= 150
 *    MiB with 50).
 *
 * Run: `node packages/bench/dist/agent/probe-cost.js [--cycles 5] [--rss-seconds 60] [--servers 1,50]
 * [--cost-only | --rss-only] [--agent-node-arg=OPTION ...]` (default: AGENT_NODE_OPTIONS of
 * node-options.ts; `--agent-node-arg=` alone runs with Node's defaults)
 * (after `npx tsc -b packages/agent`; as root or a user that can start
 * PostgreSQL). Addresses 127.0.11.231 (monitored) and 127.0.11.232 (backend).
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Binding } from '@pharos/agent/monitor/bindings';
import { ProbeSession } from '@pharos/agent/monitor/probe-session';
import { definitionDefaults } from '@pharos/agent/monitor/probe-settings';
import { ServerMonitor } from '@pharos/agent/monitor/server-monitor';
import { DATABASE_PROBES, SERVER_PROBES } from '@pharos/agent/probes/catalog';
import { sqlForExtension, sqlForMajor } from '@pharos/agent/probes/sql-for-major';
import type { Probe } from '@pharos/agent/probes/types';
import { migrate } from '@pharos/backend/migrations/run';
import { HaConnection } from '@pharos/core/ha/connection';
import { createLogger } from '@pharos/core/log';
import { pgbenchPath } from '@pharos/suites/probe-matrix/binaries';
import { runProgram, startPostgres, type TestPostgres } from '@pharos/testkit/postgres/postgres-server';
import { measureAgentRss, type RssResult } from './agent-rss.js';
import { processCpuMs, serverCpuMs } from './process-cpu.js';

/** Options of {@link runProbeCostBench}. */
export interface ProbeCostBenchOptions {
  /** Full cycles measured (default 5). */
  cycles?: number;
  /** Runs per probe for the per-probe figures (default 40). */
  runsPerProbe?: number;
  /** Seconds each agent RSS run lasts (default 60). */
  rssSeconds?: number;
  /** Monitored-server counts for the RSS runs (default [1, 50]). */
  serverCounts?: number[];
  /** Progress lines (default: none). */
  log?: (line: string) => void;
  /** Only the RSS runs (no probe cost measurements). */
  rssOnly?: boolean;
  /** Node.js options of the agent process in the RSS runs (default AGENT_NODE_OPTIONS). */
  agentNodeArgs?: string[];
}

/** Cost of one probe per run. */
export interface ProbeCost {
  probe: string;
  level: string;
  intervalS: number;
  serverCpuMs: number;
  wallMs: number;
  rows: number;
}

/** What {@link runProbeCostBench} measured. */
export interface ProbeCostBenchResult {
  postgresMajor: number;
  databases: number;
  defaultProbes: { server: number; database: number };
  perProbe: ProbeCost[];
  fullCycle: {
    cycles: number;
    serverCpuMsPerCycle: number;
    statementsPerCycle: number;
    wallMsPerCycle: number;
  };
  /** Server CPU of one database-lane session (connect, authenticate, one statement, close), ms. */
  connectionCpuMs: number;
  steadyState: {
    serverCpuMsPerMinute: number;
    statementsPerMinute: number;
    connectionsPerMinute: number;
    serverCpuPercentOfOneCore: number;
  };
  rss: RssResult[];
}

const logger = createLogger('bench', { level: 'silent' });
const MONITORED = '127.0.11.231';
const BACKEND = '127.0.11.232';

const enabledByDefault = (p: Probe) => (p.enabledByDefault ?? true) && (p.defaultOn ?? 'all') === 'all';

function binding(serverId: number, db = 'postgres'): Binding {
  return {
    serverId,
    displayName: `bench-${serverId}`,
    host: MONITORED,
    port: 5432,
    userName: 'monitor',
    sslmode: 'disable',
    maintenanceDb: db,
  };
}

/** Per-probe server CPU and wall time, on one session whose backend we watch. */
async function perProbeCosts(
  passfile: string,
  major: number,
  probes: readonly Probe[],
  database: string,
  runs: number,
): Promise<ProbeCost[]> {
  const session = new ProbeSession(
    { agentId: 1, binding: binding(1, database), passfile, connectTimeoutS: 5, logger },
    database,
  );
  const out: ProbeCost[] = [];
  try {
    const [me] = await session.run(
      "SELECT pg_backend_pid() AS pid, (SELECT extversion FROM pg_extension WHERE extname = 'pg_stat_statements') AS pss",
      5000,
    );
    const pid = Number(me!.pid);
    for (const p of probes) {
      const sql = p.extensionSql
        ? me!.pss === null
          ? undefined
          : sqlForExtension(p, String(me!.pss), 'public')
        : sqlForMajor(p, major);
      if (!sql) continue;
      let rows = 0;
      await session.run(sql, p.timeoutMs); // warm the plan and caches
      const cpu0 = processCpuMs(pid);
      const t0 = performance.now();
      for (let i = 0; i < runs; i++) rows = (await session.run(sql, p.timeoutMs)).length;
      out.push({
        probe: p.name,
        level: p.level,
        intervalS: p.intervalS,
        serverCpuMs: (processCpuMs(pid) - cpu0) / runs,
        wallMs: (performance.now() - t0) / runs,
        rows,
      });
    }
  } finally {
    await session.close();
  }
  return out;
}

/** Server CPU of opening a probe session, running one statement and closing it (the database lane does this), ms. */
async function connectionCostMs(server: TestPostgres, passfile: string, times: number): Promise<number> {
  const cpu0 = serverCpuMs(server.pid);
  for (let i = 0; i < times; i++) {
    const s = new ProbeSession(
      { agentId: 1, binding: binding(1, 'bench'), passfile, connectTimeoutS: 5, logger },
      'bench',
    );
    await s.run('SELECT 1', 5000);
    await s.close();
  }
  await new Promise((r) => setTimeout(r, 200)); // let the postmaster reap the last sessions
  return (serverCpuMs(server.pid) - cpu0) / times;
}

/** Full cycles through ServerMonitor: server CPU above idle, statements, wall time. */
async function fullCycles(server: TestPostgres, passfile: string, cycles: number) {
  const every = definitionDefaults(
    Object.fromEntries([...SERVER_PROBES, ...DATABASE_PROBES].map((p) => [p.name, { intervalS: 0.001 }])),
  );
  const m = new ServerMonitor({
    agentId: 1,
    binding: binding(1),
    intervalMs: 10_000,
    logger,
    passfile,
    settings: (p, s, d) => ({ ...every(p, s, d), enabled: enabledByDefault(p) }),
    sink: { record: async () => {}, probeFailed: () => {} },
  });
  try {
    await m.cycle(); // connect, learn the role and major, list databases
    const idle0 = serverCpuMs(server.pid);
    const idleT0 = performance.now();
    await new Promise((r) => setTimeout(r, 3000));
    const idlePerMs = (serverCpuMs(server.pid) - idle0) / (performance.now() - idleT0);
    const st0 = m.statements;
    const cpu0 = serverCpuMs(server.pid);
    const t0 = performance.now();
    for (let i = 0; i < cycles; i++) await m.cycle();
    const wall = performance.now() - t0;
    return {
      cycles,
      serverCpuMsPerCycle: Math.max(0, serverCpuMs(server.pid) - cpu0 - idlePerMs * wall) / cycles,
      statementsPerCycle: (m.statements - st0) / cycles,
      wallMsPerCycle: wall / cycles,
    };
  } finally {
    await m.stop();
  }
}

/** Runs the benchmark (see the module note). Starts and stops its own servers. */
export async function runProbeCostBench(opts: ProbeCostBenchOptions = {}): Promise<ProbeCostBenchResult> {
  const log = opts.log ?? (() => {});
  const dir = await mkdtemp(join(tmpdir(), 'pharos-bench-'));
  const passfile = join(dir, 'pgpass');
  await writeFile(passfile, '*:*:*:monitor:monitor-pw\n*:*:*:agent1:agent-pw\n');
  await chmod(passfile, 0o600);
  let monitored: TestPostgres | undefined;
  let backend: TestPostgres | undefined;
  try {
    log('starting the monitored server and the backend');
    [monitored, backend] = await Promise.all([
      startPostgres({
        address: MONITORED,
        settings: {
          max_connections: '300',
          shared_preload_libraries: 'pg_stat_statements',
          track_functions: 'pl',
        },
      }),
      startPostgres({ address: BACKEND, settings: { max_connections: '100' } }),
    ]);
    await monitored.psql(
      "CREATE ROLE monitor LOGIN PASSWORD 'monitor-pw' IN ROLE pg_monitor; CREATE EXTENSION pg_stat_statements; CREATE DATABASE bench;",
    );
    const pgbench = pgbenchPath();
    if (pgbench) {
      log('pgbench -i -s 5 bench');
      const env = {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        PGHOST: monitored.socketDir,
        PGUSER: 'postgres',
      };
      await runProgram(pgbench, ['-i', '-q', '-s', '5', 'bench'], { env });
      await runProgram(pgbench, ['-c', '2', '-t', '500', '-n', 'bench'], { env });
      await monitored.psql('ANALYZE', 'bench');
    }
    const major = Math.floor(Number(await monitored.psql('SHOW server_version_num')) / 10000);
    const dbs = (
      await monitored.psql('SELECT count(*) FROM pg_database WHERE datallowconn AND NOT datistemplate')
    ).trim();
    const server = SERVER_PROBES.filter((p) => enabledByDefault(p) && !p.http);
    const database = DATABASE_PROBES.filter(enabledByDefault);

    const runs = opts.runsPerProbe ?? 40;
    log(opts.rssOnly ? 'skipping probe costs' : 'per-probe costs');
    const perProbe = opts.rssOnly
      ? []
      : [
          ...(await perProbeCosts(passfile, major, server, 'postgres', runs)),
          ...(await perProbeCosts(passfile, major, database, 'bench', runs)),
        ];
    const full = opts.rssOnly
      ? { cycles: 0, serverCpuMsPerCycle: 0, statementsPerCycle: 0, wallMsPerCycle: 0 }
      : await fullCycles(monitored, passfile, opts.cycles ?? 5);

    const connectionCpuMs = opts.rssOnly ? 0 : await connectionCostMs(monitored, passfile, 20);
    const perMinute = (c: ProbeCost) => (60 / c.intervalS) * (c.level === 'database' ? Number(dbs) : 1);
    // the database lane opens a session per database whenever a database probe is due (at most every 300 s by default)
    const connPerMin = (60 / Math.min(...database.map((p) => p.intervalS))) * Number(dbs);
    const cpuPerMin =
      perProbe.reduce((n, c) => n + c.serverCpuMs * perMinute(c), 0) + connPerMin * connectionCpuMs;
    const stmtPerMin = perProbe.reduce((n, c) => n + perMinute(c), 0);

    log('agent RSS');
    await backend.psql('CREATE DATABASE pem');
    const admin = new HaConnection({ conninfo: backend.conninfo('postgres', 'pem') });
    const rss: RssResult[] = [];
    try {
      await migrate((fn) => admin.transaction(fn));
      await backend.psql("CREATE ROLE agent1 LOGIN PASSWORD 'agent-pw' IN ROLE pem_agent");
      await admin.query("INSERT INTO pem.agent (id, user_name, display_name) VALUES (1, 'agent1', 'bench')");
      for (const n of opts.serverCounts ?? [1, 50]) {
        await admin.query('DELETE FROM pem.server_binding; DELETE FROM pemdata.latest');
        await admin.query('DELETE FROM pem.server');
        for (let i = 1; i <= n; i++) {
          await admin.query(
            'INSERT INTO pem.server (id, display_name, host, port) VALUES ($1, $2, $3, 5432)',
            [i, `bench-${i}`, MONITORED],
          );
          await admin.query(
            "INSERT INTO pem.server_binding (server_id, agent_id, host, port, user_name, sslmode) VALUES ($1, 1, $2, 5432, 'monitor', 'disable')",
            [i, MONITORED],
          );
        }
        log(`agent with ${n} monitored server(s), ${opts.rssSeconds ?? 60} s`);
        rss.push(
          await measureAgentRss({
            dir,
            servers: n,
            seconds: opts.rssSeconds ?? 60,
            nodeArgs: opts.agentNodeArgs,
            config: {
              agent_id: 1,
              agent_user: 'agent1',
              backend: `host=${BACKEND} port=5432 dbname=pem user=agent1 target_session_attrs=read-write passfile=${passfile}`,
              spool_dir: join(dir, `spool-${n}`),
              passfile,
              log_level: 'warn',
            },
          }),
        );
      }
    } finally {
      await admin.close();
    }
    return {
      postgresMajor: major,
      databases: Number(dbs),
      defaultProbes: { server: server.length, database: database.length },
      perProbe,
      fullCycle: full,
      connectionCpuMs,
      steadyState: {
        serverCpuMsPerMinute: cpuPerMin,
        statementsPerMinute: stmtPerMin,
        connectionsPerMinute: connPerMin,
        serverCpuPercentOfOneCore: (cpuPerMin / 60_000) * 100,
      },
      rss,
    };
  } finally {
    await Promise.all([monitored?.stop(), backend?.stop()]);
    await rm(dir, { recursive: true, force: true });
  }
}

function arg(name: string): number | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : undefined;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await runProbeCostBench({
    cycles: arg('--cycles'),
    rssSeconds: arg('--rss-seconds'),
    rssOnly: process.argv.includes('--rss-only'),
    serverCounts: process.argv.includes('--cost-only')
      ? []
      : process.argv.includes('--servers')
        ? process.argv[process.argv.indexOf('--servers') + 1]!.split(',').map(Number)
        : undefined,
    agentNodeArgs: process.argv.some((a) => a.startsWith('--agent-node-arg='))
      ? process.argv
          .filter((a) => a.startsWith('--agent-node-arg='))
          .map((a) => a.slice('--agent-node-arg='.length))
          .filter((a) => a !== '')
      : undefined,
    log: (l) => console.error(`# ${l}`),
  });
  const f = (x: number) => x.toFixed(2);
  console.log(
    `PostgreSQL ${r.postgresMajor}, ${r.databases} databases; default set: ${r.defaultProbes.server} server + ${r.defaultProbes.database} database probes`,
  );
  console.log('\nper probe (server CPU ms/run, wall ms/run, rows, interval s):');
  for (const c of [...r.perProbe].sort((a, b) => b.serverCpuMs - a.serverCpuMs)) {
    console.log(
      `  ${c.probe.padEnd(24)} ${f(c.serverCpuMs).padStart(7)} ${f(c.wallMs).padStart(7)} ${String(c.rows).padStart(5)} ${String(c.intervalS).padStart(5)}`,
    );
  }
  const fc = r.fullCycle;
  console.log(
    `\nfull cycle (every default probe once, database probes in ${r.databases} databases), mean of ${fc.cycles}:`,
  );
  console.log(
    `  server CPU ${f(fc.serverCpuMsPerCycle)} ms, ${f(fc.statementsPerCycle)} statements, ${f(fc.wallMsPerCycle)} ms wall`,
  );
  console.log(
    `  (includes ${r.databases} database sessions opened and closed, ${f(r.connectionCpuMs)} ms server CPU each)`,
  );
  const ss = r.steadyState;
  console.log('\nsteady state at default intervals, one server:');
  console.log(
    `  server CPU ${f(ss.serverCpuMsPerMinute)} ms/min (${f(ss.serverCpuPercentOfOneCore)} % of one core), ${f(ss.statementsPerMinute)} statements/min, ${f(ss.connectionsPerMinute)} sessions opened/min`,
  );
  console.log('\nagent RSS (MiB):');
  for (const x of r.rss) {
    console.log(
      `  ${String(x.servers).padStart(3)} server(s): max ${x.maxRssMiB}, after start-up ${x.startRssMiB}, at the end ${x.lastRssMiB} (${x.seconds} s)`,
    );
  }
}
