/**
 * The lab's fleet (plan.ts) brought up by `lab up`: first its servers
 * (started beside the PEM backends, right after etcd: they are the DBA's
 * servers, which exist before Pharos), then, once the web instances answer,
 * the DBA's commands (dba.ts), then the wait for every monitored server's
 * data (lab/wait-data.ts). With `lab up --no-fleet` none of it runs.
 */
import { chmodSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ETCD_CLIENT_PORT } from '../../render/etcd.js';
import { postgresUser } from '../backend-sql.js';
import type { UpContext } from '../context.js';
import { requestJson } from '../http.js';
import { issueLabCertificate } from '../pki.js';
import { waitFor } from '../processes.js';
import { startMonitoredCluster } from './patroni.js';
import type { LabFleet } from './plan.js';
import { startMonitoredPostgres } from './postgres.js';

/** Transactions per second of the standalone server's pgbench load. */
export const FLEET_PGBENCH_TPS = 5;

/**
 * Starts the fleet's servers: the standalone PostgreSQL under pgbench and
 * the Patroni cluster on the lab's etcd, each with the monitoring role
 * (member of pg_monitor, the lab's pem_monitor password) and the HBA rule
 * `pharos server prepare` gives for the agent on its host. Removes what a
 * previous lab left in the fleet's host directories first.
 */
export async function startFleetServers(ctx: UpContext, fleet: LabFleet): Promise<void> {
  for (const h of fleet.hosts) {
    // the host directory is traversable: the postgres OS user reaches its data directory inside
    const dir = ctx.layout.hostDir(h.name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
  }
  const start = { binDir: ctx.binDir, pg: postgresUser(), track: ctx.track.bind(ctx) };
  const tlsOf = (name: string, address: string) =>
    issueLabCertificate(ctx.layout, join(ctx.layout.hostDir(name), 'tls-issued'), 'server', {
      server: [address],
    });
  const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;
  const monitorSql = `CREATE ROLE pem_monitor LOGIN PASSWORD ${lit(ctx.secrets.pem_monitor)} IN ROLE pg_monitor;
    CREATE EXTENSION IF NOT EXISTS pg_stat_statements;`;
  const hbaFor = (addresses: string[]) =>
    addresses.map((a) => `hostssl all pem_monitor ${a}/32 scram-sha-256`);
  const s = fleet.standalone.host;
  const members = fleet.cluster.members;
  // both to the end, then the first failure: a start still in progress would record processes after a stop
  const settled = await Promise.allSettled([
    (async () =>
      startMonitoredPostgres(start, {
        host: s.name,
        address: s.address,
        port: ctx.topo.postgres.port,
        dir: ctx.layout.hostDir(s.name),
        tls: await tlsOf(s.name, s.address),
        hbaRules: hbaFor([s.address]),
        setupSql: monitorSql,
        pgbenchTps: FLEET_PGBENCH_TPS,
      }))(),
    (async () =>
      startMonitoredCluster(start, {
        scope: fleet.cluster.scope,
        members: await Promise.all(
          members.map(async (m) => ({
            name: m.name,
            address: m.address,
            dir: ctx.layout.hostDir(m.name),
            tls: await tlsOf(m.name, m.address),
          })),
        ),
        etcdHosts: ctx.topo.etcd.map((e) => `${e.address}:${ETCD_CLIENT_PORT}`),
        port: ctx.topo.postgres.port,
        restPort: ctx.topo.patroni.rest_port,
        passwords: {
          superuser: ctx.secrets.patroni_super,
          replication: ctx.secrets.patroni_rep,
          rewind: ctx.secrets.patroni_rew,
        },
        hbaRules: hbaFor(members.map((m) => m.address)),
        dcs: {
          ttl: ctx.topo.patroni.ttl,
          loop_wait: ctx.topo.patroni.loop_wait,
          retry_timeout: ctx.topo.patroni.retry_timeout,
        },
        setupSql: monitorSql,
      }))(),
  ]);
  for (const r of settled) if (r.status === 'rejected') throw r.reason;
}

/** Waits until the first web instance answers /api/health (the DBA's commands go through it). */
export async function waitForWeb(ctx: UpContext): Promise<void> {
  const url = ctx.state.webUrls[0]!;
  const ca = readFileSync(ctx.pki.caFile, 'utf8');
  await waitFor(
    `${url} to answer`,
    async () => (await requestJson(new URL('/api/health', url).href, { ca, timeoutMs: 2000 })).status === 200,
    { timeoutMs: 60_000, intervalMs: 250 },
  );
}
