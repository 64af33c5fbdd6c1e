/**
 * `pharos lab up`: the whole reference deployment on one machine, each host
 * on its own loopback address (DESIGN.md §1, §5), started step by step:
 *
 *  1. preflight (programs, the postgres user can enter the lab directory,
 *     free addresses, no lab already running)
 *  2. certificates (CA, backend server certificate, one per agent, one per web host)
 *  3. three etcd members; wait for /health on each; for a secured topology
 *     (the default) the etcd users and roles, then `auth enable`
 *  4. three Patroni nodes with PostgreSQL (as the postgres OS user); wait for
 *     one leader and two streaming replicas
 *  5. SSL and the PEM HBA rules through the dynamic configuration (PATCH /config,
 *     what `patronictl edit-config` does); wait for ssl = on everywhere
 *  6. the installing superuser (pemsuper) and the monitoring role
 *  7. `pharos configure` on the primary, each standby and each web host, with
 *     the reference's command lines (rendered by render/configure-command.ts)
 *  8. six agents and three web instances; wait until every agent's samples are
 *     in the backend, every monitored server has fresh PostgreSQL probe data
 *     (what `pharos check` judges), and every web instance shows them
 *  9. the fleet (lab/fleet/, unless `fleet: false`): its servers (a standalone
 *     PostgreSQL under pgbench, a two-member Patroni cluster on the lab's
 *     etcd) start right after etcd, beside steps 4-8; once the web instances
 *     answer, an agent is enrolled on each fleet host and the servers are
 *     added with the commands docs/monitoring-a-server.md gives a DBA
 *     (beside step 8's wait); then the wait for their data
 *
 * On any failure everything started is stopped (by PID) and the error says
 * which step failed. Processes run detached: they survive the terminal.
 */
import { chmodSync, chownSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import { messageOf, PharosError, pharosError } from '@pharos/core/errors';
import { sslDynamicConfig } from '../render/dynamic-config.js';
import { etcdEnvironment, renderEtcdConf } from '../render/etcd.js';
import { isSecured } from '../render/infrastructure.js';
import { patroniLabPaths, renderPatroniYml } from '../render/patroni.js';
import { allHosts } from '../topology/hosts.js';
import { loadTopology } from '../topology/load.js';
import type { Topology } from '../topology/types.js';
import { labAccess, openAccess } from './access.js';
import { postgresUser, sqlOnBackend } from './backend-sql.js';
import { runConfigureSteps } from './configure-steps.js';
import type { UpContext } from './context.js';
import { etcdHealthy, setUpEtcdAuth } from './etcd-api.js';
import { enrolFleet } from './fleet/dba.js';
import { type LabFleet, labFleet } from './fleet/plan.js';
import { startFleetServers, waitForWeb } from './fleet/start.js';
import { labLayout } from './layout.js';
import { getCluster, isHealthy, patchConfig } from './patroni-api.js';
import { createLabPki, type LabPki, placeServerFiles } from './pki.js';
import {
  type Endpoint,
  findPostgresBinDir,
  requireEnterable,
  requireFreeEndpoints,
  requireNoRunningLab,
  requirePrograms,
} from './preflight.js';
import { assertAlive, spawnDetached, stopProcess, waitFor } from './processes.js';
import { removeStoppedLab } from './reuse.js';
import { loadOrCreateSecrets } from './secrets.js';
import { type LabState, readState, writeState } from './state.js';
import { waitForAgentsAndServers, waitForData } from './wait-data.js';

/** Options of {@link labUp}. */
export interface LabUpOptions {
  topologyFile: string;
  dir: string;
  /** Progress lines go here (one per step, and the final summary). */
  print: (line: string) => void;
  /** Seconds between agent probe cycles (default 5 in the lab). */
  probeIntervalS?: number;
  /** Start the lab's fleet of monitored hosts (lab/fleet/plan.ts; default true). */
  fleet?: boolean;
  /**
   * `webhook_allow` of every agent (default none): webhook receivers the lab's
   * agents may send to although the target policy refuses them (the lab is on
   * loopback, so a receiver on this machine needs one). docs/alerts.md.
   */
  webhookAllow?: string[];
}

function endpointsOf(topo: Topology): Endpoint[] {
  const e: Endpoint[] = [];
  for (const m of topo.etcd) {
    e.push({ host: m.name, service: 'etcd client', address: m.address, port: 2379 });
    e.push({ host: m.name, service: 'etcd peer', address: m.address, port: 2380 });
  }
  for (const b of topo.backends) {
    e.push({ host: b.name, service: 'PostgreSQL', address: b.address, port: topo.postgres.port });
    e.push({ host: b.name, service: 'Patroni REST API', address: b.address, port: topo.patroni.rest_port });
  }
  for (const w of topo.webapps)
    e.push({ host: w.name, service: 'web application', address: w.address, port: topo.pem.web_port });
  return e;
}

function fleetEndpointsOf(topo: Topology, fleet: LabFleet): Endpoint[] {
  const e: Endpoint[] = [];
  for (const h of fleet.hosts) {
    e.push({ host: h.name, service: 'PostgreSQL', address: h.address, port: topo.postgres.port });
    if (h.runs === 'patroni')
      e.push({ host: h.name, service: 'Patroni REST API', address: h.address, port: topo.patroni.rest_port });
  }
  return e;
}

/** True when `host` is one of the topology's backends (not a fleet host's Patroni). */
function isBackend(ctx: UpContext, host: string): boolean {
  return ctx.topo.backends.some((b) => b.name === host);
}

/** Creates `dir` and its missing parents with mode 0755 whatever the umask: the postgres user traverses them. */
function makeTraversableDir(dir: string): void {
  const missing: string[] = [];
  for (let d = dir; !existsSync(d); d = dirname(d)) missing.unshift(d);
  for (const d of missing) {
    mkdirSync(d);
    chmodSync(d, 0o755);
  }
}

async function step<T>(
  ctx: { print: (l: string) => void },
  n: number,
  total: number,
  what: string,
  fn: () => Promise<T>,
): Promise<T> {
  const t0 = Date.now();
  ctx.print(`[${n}/${total}] ${what} ...`);
  const v = await fn();
  ctx.print(`[${n}/${total}] ${what}: ok (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  return v;
}

async function startEtcd(ctx: UpContext): Promise<void> {
  for (const m of ctx.topo.etcd) {
    const dir = ctx.layout.hostDir(m.name);
    mkdirSync(dir, { recursive: true, mode: 0o750 });
    writeFileSync(`${dir}/etcd.conf`, renderEtcdConf(ctx.topo, m.name, ctx.layout.site(ctx.binDir)));
    const env = { PATH: process.env.PATH, ...etcdEnvironment(ctx.topo, m.name, ctx.layout.site(ctx.binDir)) };
    const logFile = ctx.layout.outFile(m.name, 'etcd');
    const { pid, startTicks } = await spawnDetached(['etcd'], { env, cwd: dir, logFile });
    ctx.track({ host: m.name, kind: 'etcd', pid, startTicks, command: ['etcd'], logFile });
  }
  for (const m of ctx.topo.etcd) {
    await waitFor(
      `etcd member ${m.name} to report healthy on ${m.address}:2379 (log: ${ctx.layout.outFile(m.name, 'etcd')})`,
      async () => {
        assertAlive(ctx.state.processes.filter((p) => p.kind === 'etcd'));
        return etcdHealthy(m.address, ctx.access.etcd);
      },
      { timeoutMs: 60_000 },
    );
  }
  if (isSecured(ctx.topo)) {
    const first = ctx.topo.etcd[0]!;
    const outcome = await setUpEtcdAuth(ctx.topo, first.address, ctx.access.etcd, {
      etcdRoot: ctx.secrets.etcd_root,
      etcdPatroni: ctx.secrets.etcd_patroni,
    });
    ctx.print(`      etcd users root and patroni, authentication ${outcome}`);
  }
}

async function startPatroni(ctx: UpContext): Promise<void> {
  const pg = postgresUser();
  const site = ctx.layout.site(ctx.binDir);
  const secrets = {
    superuser: ctx.secrets.patroni_super,
    replication: ctx.secrets.patroni_rep,
    rewind: ctx.secrets.patroni_rew,
    restApi: ctx.secrets.patroni_restapi,
    etcdPatroni: ctx.secrets.etcd_patroni,
  };
  const start = async (b: { name: string; address: string }) => {
    const dir = ctx.layout.hostDir(b.name);
    const paths = patroniLabPaths(ctx.topo, b.name, site);
    for (const d of [dir, paths.logDir, paths.socketDir]) {
      mkdirSync(d, { recursive: true, mode: 0o750 });
      if (pg) chownSync(d, pg.uid, pg.gid);
    }
    const yml = `${dir}/patroni.yml`;
    writeFileSync(yml, renderPatroniYml(ctx.topo, b.name, secrets, site), { mode: 0o600 });
    if (pg) chownSync(yml, pg.uid, pg.gid);
    const logFile = ctx.layout.outFile(b.name, 'patroni');
    if (!existsSync(logFile)) writeFileSync(logFile, '');
    if (pg) chownSync(logFile, pg.uid, pg.gid);
    const env = { PATH: process.env.PATH, HOME: dir, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };
    const { pid, startTicks } = await spawnDetached(['patroni', yml], {
      env,
      cwd: dir,
      logFile,
      uid: pg?.uid,
      gid: pg?.gid,
    });
    ctx.track({ host: b.name, kind: 'patroni', pid, startTicks, command: ['patroni', yml], logFile });
  };
  // The first backend bootstraps the cluster (the reference's primary); the
  // others start once it leads, so the roles are those the reference's
  // configure commands expect (primary on the first backend).
  const [first, ...rest] = ctx.topo.backends;
  await start(first!);
  await waitFor(
    `${first!.name} to initialise the cluster and lead`,
    async () => {
      assertAlive(ctx.state.processes.filter((p) => p.kind === 'patroni' && isBackend(ctx, p.host)));
      const c = await getCluster(first!.address, ctx.access.patroni);
      const me = c.members.find((m) => m.name === first!.name);
      if (me?.role !== 'leader' || me.state !== 'running')
        throw new Error(`${first!.name}: ${me?.role ?? 'no member'} ${me?.state ?? ''}`);
      return true;
    },
    { timeoutMs: 120_000, intervalMs: 500 },
  );
  for (const b of rest) await start(b);
  await waitFor(
    'one Patroni leader and two streaming replicas',
    async () => {
      assertAlive(ctx.state.processes.filter((p) => p.kind === 'patroni' && isBackend(ctx, p.host)));
      const c = await getCluster(ctx.topo.backends[0]!.address, ctx.access.patroni);
      if (!isHealthy(c.members, ctx.topo.backends.length)) {
        throw new Error(
          `members: ${c.members.map((m) => `${m.name} ${m.role} ${m.state}`).join(', ') || 'none yet'}`,
        );
      }
      return true;
    },
    { timeoutMs: 180_000, intervalMs: 1000 },
  );
}

async function enableSsl(ctx: UpContext): Promise<void> {
  for (const b of ctx.topo.backends)
    placeServerFiles(ctx.pki, patroniLabPaths(ctx.topo, b.name, ctx.layout.site(ctx.binDir)).dataDir);
  const c = await getCluster(ctx.topo.backends[0]!.address, ctx.access.patroni);
  const leader = c.members.find((m) => m.role === 'leader')!;
  await patchConfig(leader.host, sslDynamicConfig(ctx.topo), ctx.access.patroni);
  for (const b of ctx.topo.backends) {
    await waitFor(
      `ssl = on on ${b.name}`,
      async () => {
        const rows = await sqlOnBackend(ctx, b.address, 'postgres', 'SHOW ssl');
        return rows[0]?.ssl === 'on';
      },
      { timeoutMs: 60_000, intervalMs: 1000 },
    );
  }
}

async function createInstallRoles(ctx: UpContext): Promise<void> {
  const c = await getCluster(ctx.topo.backends[0]!.address, ctx.access.patroni);
  const leader = c.members.find((m) => m.role === 'leader')!;
  const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;
  const su = ctx.topo.pem.superuser;
  // The reference: "create role pemsuper login superuser password '...'", run once on the primary.
  await sqlOnBackend(
    ctx,
    leader.host,
    'postgres',
    `DO $$ BEGIN
       IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${su}') THEN
         CREATE ROLE "${su}" LOGIN SUPERUSER PASSWORD ${lit(ctx.secrets.pemsuper)};
       END IF;
       IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pem_monitor') THEN
         CREATE ROLE pem_monitor LOGIN PASSWORD ${lit(ctx.secrets.pem_monitor)} IN ROLE pg_monitor;
       END IF;
     END $$`,
  );
}

/**
 * Brings the lab up. Resolves with the final state when every step passed;
 * otherwise stops what it started and rethrows (the message names the step).
 */
export async function labUp(options: LabUpOptions): Promise<LabState> {
  const t0 = Date.now();
  const dir = resolve(options.dir);
  const topo = loadTopology(options.topologyFile, 'lab');
  requireNoRunningLab(dir);
  requirePrograms({ etcd: 'etcd-server', patroni: 'patroni' });
  const { binDir } = findPostgresBinDir(topo.postgres.bin_dir);
  const pg = postgresUser();
  if (userInfo().uid === 0 && !pg) {
    throw pharosError('PHAROS_LAB_NO_POSTGRES_USER');
  }
  if (pg) requireEnterable(dir, { name: 'postgres', ...pg });
  const fleet = options.fleet === false ? undefined : labFleet(topo);
  await requireFreeEndpoints([...endpointsOf(topo), ...(fleet ? fleetEndpointsOf(topo, fleet) : [])]);
  const stopped = readState(dir);
  if (stopped) {
    const hosts = [
      ...allHosts(topo).map((h) => h.name),
      ...(fleet?.hosts ?? []).map((h) => h.name),
      ...(stopped.fleet?.hosts ?? []).map((h) => h.name),
    ];
    removeStoppedLab(dir, hosts, options.topologyFile);
    options.print(`reusing lab directory ${dir}: the previous lab was stopped; its data is removed`);
  }
  makeTraversableDir(dir);
  const layout = labLayout(dir);
  const state: LabState = {
    version: 1,
    topologyFile: resolve(options.topologyFile),
    dir,
    createdAt: new Date().toISOString(),
    phase: 'starting',
    processes: [],
    webUrls: topo.webapps.map((w) => `https://${w.address}:${topo.pem.web_port}/`),
    ...(fleet ? { fleet } : {}),
  };
  writeState(state);
  const secrets = loadOrCreateSecrets(dir);
  const ctx: UpContext = {
    topo,
    layout,
    secrets,
    pki: undefined as unknown as LabPki,
    binDir,
    state,
    print: options.print,
    probeIntervalS: options.probeIntervalS ?? 5,
    webhookAllow: options.webhookAllow ?? [],
    track(p) {
      state.processes.push(p);
      writeState(state);
    },
    access: openAccess(topo),
  };
  const total = fleet ? 9 : 8;
  // The fleet's servers start beside steps 4-8; a failure is reported at step 9 (or when the lab stops).
  let fleetServers: Promise<void> | undefined;
  const fleetStarted = () => {
    if (!fleet) return;
    fleetServers = startFleetServers(ctx, fleet);
    fleetServers.catch(() => {}); // awaited at step 8
  };
  try {
    await step(
      ctx,
      1,
      total,
      'preflight (programs, lab directory, free addresses, no running lab)',
      async () => undefined,
    );
    ctx.pki = await step(ctx, 2, total, 'certificates (CA, backend server, agents, web hosts)', () =>
      createLabPki(ctx),
    );
    ctx.access = labAccess(topo, dir);
    await step(ctx, 3, total, `etcd: ${topo.etcd.length} members`, () => startEtcd(ctx));
    fleetStarted();
    await step(ctx, 4, total, `Patroni + PostgreSQL (${binDir}): ${topo.backends.length} members`, () =>
      startPatroni(ctx),
    );
    await step(ctx, 5, total, 'SSL and PEM HBA rules through the dynamic configuration', () =>
      enableSsl(ctx),
    );
    await step(ctx, 6, total, `installing superuser ${topo.pem.superuser} and monitoring role`, () =>
      createInstallRoles(ctx),
    );
    await step(ctx, 7, total, 'pharos configure on the primary, the standbys and the web hosts', () =>
      runConfigureSteps(ctx),
    );
    await step(
      ctx,
      8,
      total,
      `agents and web instances; waiting for PostgreSQL probe data of every server and live data in every web instance${fleet ? '; meanwhile the fleet: an agent enrolled on each host, its servers added (the DBA’s commands)' : ''}`,
      () =>
        Promise.all([
          waitForData(ctx),
          (async () => {
            if (!fleet) return;
            await fleetServers;
            await waitForWeb(ctx);
            state.fleetCommands = await enrolFleet(ctx, fleet);
            writeState(state);
          })(),
        ]),
    );
    if (fleet)
      await step(
        ctx,
        9,
        total,
        `the fleet: data of ${fleet.serverNames.join(', ')} from agents ${fleet.hosts.map((h) => h.agentId).join(', ')}`,
        () =>
          waitForAgentsAndServers(
            ctx,
            fleet.hosts.map((h) => h.agentId),
            fleet.serverNames,
          ),
      );
  } catch (err) {
    await fleetServers?.catch(() => {}); // let a start in progress record its processes before they are stopped
    options.print(`lab up failed: ${messageOf(err)}`);
    options.print(`stopping the ${state.processes.length} processes started so far ...`);
    for (const p of [...state.processes].reverse()) await stopProcess(p);
    state.phase = 'failed';
    writeState(state);
    throw err instanceof PharosError
      ? err
      : pharosError('PHAROS_LAB_UP_FAILED', { reason: messageOf(err) }, { cause: err });
  }
  state.phase = 'up';
  state.upDurationMs = Date.now() - t0;
  writeState(state);
  return state;
}
