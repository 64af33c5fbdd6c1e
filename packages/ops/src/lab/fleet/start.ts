/**
 * The lab's fleet (plan.ts) brought up by `lab up`: first its servers
 * (started beside the PEM backends, right after etcd: they are the DBA's
 * servers, which exist before Pharos), then, once the web instances answer,
 * the DBA's commands (dba.ts), then the wait for every monitored server's
 * data (lab/wait-data.ts). With `lab up --no-fleet` none of it runs.
 *
 * In a secured lab (the default, render/infrastructure.ts) the fleet's
 * Patroni cluster is secured as the PEM backends' is, with its own
 * credentials: its REST API on https with a certificate from the lab's CA
 * per member and its own password for unsafe methods, and etcd over https
 * with a client certificate and its own etcd user, `patroni-<scope>`,
 * whose role reads and writes only `/service/<scope>/`: a monitored
 * cluster on the lab's etcd can neither read nor change the PEM cluster's
 * keys (nor the PEM cluster its).
 */
import { chmodSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ETCD_CLIENT_PORT } from '../../render/etcd.js';
import { isSecured, PATRONI_NAMESPACE, PATRONI_REST_USER } from '../../render/infrastructure.js';
import type { PatroniAccess } from '../access.js';
import { postgresUser } from '../backend-sql.js';
import type { UpContext } from '../context.js';
import { addEtcdUser } from '../etcd-api.js';
import { requestJson } from '../http.js';
import { issueLabCertificate } from '../pki.js';
import { waitFor } from '../processes.js';
import type { LabSecrets } from '../secrets.js';
import { type MonitoredClusterSecurity, monitoredClusterAccess, startMonitoredCluster } from './patroni.js';
import type { LabFleet } from './plan.js';
import { startMonitoredPostgres } from './postgres.js';

/** Transactions per second of the standalone server's pgbench load. */
export const FLEET_PGBENCH_TPS = 5;

/**
 * The fleet cluster's etcd user: `patroni-<scope>`, role of the same name,
 * READWRITE on `/service/<scope>/` (Patroni's namespace + its scope) only.
 */
export function fleetEtcdUser(scope: string, secrets: Pick<LabSecrets, 'fleet_etcd_patroni'>) {
  return {
    name: `patroni-${scope}`,
    role: `patroni-${scope}`,
    prefix: `${PATRONI_NAMESPACE}${scope}/`,
    password: secrets.fleet_etcd_patroni,
  };
}

/** The fleet cluster's security settings in a secured lab (module note); undefined in an open one. */
export function fleetClusterSecurity(
  ctx: Pick<UpContext, 'topo' | 'secrets'> & { caFile: string },
  scope: string,
): MonitoredClusterSecurity | undefined {
  if (!isSecured(ctx.topo)) return undefined;
  const etcd = fleetEtcdUser(scope, ctx.secrets);
  return {
    caFile: ctx.caFile,
    restAuth: { username: PATRONI_REST_USER, password: ctx.secrets.fleet_patroni_restapi },
    etcdUser: { username: etcd.name, password: etcd.password },
  };
}

/** How to reach the fleet cluster's REST API (https with the lab's CA and its own password when secured). */
export function fleetPatroniAccess(
  ctx: Pick<UpContext, 'topo' | 'secrets'> & { caFile: string },
  scope: string,
): PatroniAccess {
  return monitoredClusterAccess({
    restPort: ctx.topo.patroni.rest_port,
    security: fleetClusterSecurity(ctx, scope),
  });
}

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
  const scope = fleet.cluster.scope;
  const security = fleetClusterSecurity({ ...ctx, caFile: ctx.pki.caFile }, scope);
  const patroniTlsOf = (name: string, address: string) =>
    issueLabCertificate(ctx.layout, join(ctx.layout.hostDir(name), 'tls-issued'), name, {
      patroni: [address],
    });
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
    (async () => {
      if (security) {
        // its own etcd user before it starts (etcd's root creates it: authentication is on)
        const e = ctx.topo.etcd[0]!;
        await addEtcdUser(e.address, ctx.access.etcd, fleetEtcdUser(scope, ctx.secrets));
      }
      return startMonitoredCluster(start, {
        scope,
        members: await Promise.all(
          members.map(async (m) => ({
            name: m.name,
            address: m.address,
            dir: ctx.layout.hostDir(m.name),
            tls: await tlsOf(m.name, m.address),
            ...(security ? { patroniTls: await patroniTlsOf(m.name, m.address) } : {}),
          })),
        ),
        etcdHosts: ctx.topo.etcd.map((e) => `${e.address}:${ETCD_CLIENT_PORT}`),
        port: ctx.topo.postgres.port,
        restPort: ctx.topo.patroni.rest_port,
        // its own passwords: a monitored cluster's host holds nothing of the PEM cluster's
        passwords: {
          superuser: ctx.secrets.fleet_patroni_super,
          replication: ctx.secrets.fleet_patroni_rep,
          rewind: ctx.secrets.fleet_patroni_rew,
        },
        hbaRules: hbaFor(members.map((m) => m.address)),
        dcs: {
          ttl: ctx.topo.patroni.ttl,
          loop_wait: ctx.topo.patroni.loop_wait,
          retry_timeout: ctx.topo.patroni.retry_timeout,
        },
        setupSql: monitorSql,
        ...(security ? { security } : {}),
      });
    })(),
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
