/**
 * A monitored Patroni cluster as a DBA's team runs one (the lab's fleet,
 * lab/fleet/plan.ts; also the fleet tests' fresh hosts): PostgreSQL under
 * Patroni on each member's own address, its state on a given etcd under its
 * own scope, TLS with a certificate naming each member's address, its own
 * pg_hba rules (Patroni's users from 127.0.0.1, where Patroni's and the
 * replicas' connections come from on one machine, the caller's `hostssl`
 * rules for the monitoring role, nothing else), the REST API on
 * `<address>:<restPort>`. The first member bootstraps and leads; the others
 * join as streaming replicas.
 *
 * Open (no `security`): the REST API on plain HTTP and etcd over http, as
 * the reference's open setup. Secured (`security`, what a secured lab
 * gives; render/infrastructure.ts): the REST API over TLS with each
 * member's certificate (`patroniTls`, signed by `security.caFile`), AEAD
 * ciphers, basic authentication for unsafe methods and a `ctl` section
 * (as the PEM backends' Patroni: render/patroni.ts), and etcd over https
 * with that certificate as client certificate and the cluster's own etcd
 * user, whose role reads and writes only `/service/<scope>/` (the caller
 * creates it: lab/etcd-api.ts addEtcdUser). Patroni 4 "YAML Configuration
 * Settings": REST API, CTL, Etcdv3.
 * Every Patroni runs detached as the postgres OS user and is recorded, so
 * `lab down` stops it. Patroni 4 YAML configuration settings.
 */
import { chownSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OPENSSL_AEAD_CIPHERS } from '../../render/infrastructure.js';
import { toYaml } from '../../render/yaml.js';
import type { Credentials, PatroniAccess } from '../access.js';
import { getCluster, isHealthy } from '../patroni-api.js';
import { assertAlive, type LabProcess, spawnDetached, waitFor } from '../processes.js';
import { type FleetStartContext, type ServerTls, sqlOnSocket } from './postgres.js';

/** Patroni's users of a monitored cluster (its own, not the PEM backend's). */
export const MONITORED_PATRONI_USERS = {
  superuser: 'postgres',
  replication: 'replicator',
  rewind: 'rewinder',
};

/** One member to start. */
export interface MonitoredMember {
  name: string;
  address: string;
  /** Its host directory: data/, run/, tls/, log/, patroni.yml, patroni.out. */
  dir: string;
  /** PostgreSQL's server certificate. */
  tls: ServerTls;
  /** The REST API's certificate, also the etcd client certificate (no CN); needed with `security`. */
  patroniTls?: ServerTls;
}

/** A secured cluster's settings (module note). */
export interface MonitoredClusterSecurity {
  /** The CA (PEM file) that signed the members' certificates and etcd's. */
  caFile: string;
  /** Basic authentication of the REST API's unsafe methods. */
  restAuth: Credentials;
  /** The cluster's etcd user (its role: `/service/<scope>/` only). */
  etcdUser: Credentials;
}

/** Options of {@link startMonitoredCluster}. */
export interface MonitoredClusterOptions {
  scope: string;
  members: MonitoredMember[];
  /** etcd client endpoints (host:port). */
  etcdHosts: string[];
  port: number;
  restPort: number;
  passwords: { superuser: string; replication: string; rewind: string };
  /** Extra pg_hba rules (the DBA's: `hostssl all pem_monitor <agent>/32 scram-sha-256`). */
  hbaRules: string[];
  /** DCS timings (Patroni's dynamic configuration). */
  dcs: { ttl: number; loop_wait: number; retry_timeout: number };
  /** SQL run on the leader once the cluster is healthy, as its superuser. */
  setupSql?: string;
  /** TLS and authentication for the REST API and etcd (module note); open without. */
  security?: MonitoredClusterSecurity;
}

/** A started cluster. */
export interface MonitoredCluster {
  /** REST API base URLs of the members (http://address:restPort, https:// when secured). */
  restUrls: string[];
  /** How to reach its REST API (https with the CA and the password when secured). */
  access: PatroniAccess;
  /** Runs SQL as the superuser on the current leader, over its socket. */
  sqlOnLeader(text: string): Promise<Record<string, unknown>[]>;
}

/** patroni.yml of one member, as an object. */
export function monitoredPatroniConfig(o: MonitoredClusterOptions, m: MonitoredMember, binDir: string) {
  const u = MONITORED_PATRONI_USERS;
  const hostPort = (a: string, p: number) => `${a}:${p}`;
  const sec = o.security;
  const tls = memberTlsPaths(m);
  return {
    scope: o.scope,
    name: m.name,
    restapi: {
      listen: hostPort(m.address, o.restPort),
      connect_address: hostPort(m.address, o.restPort),
      ...(sec
        ? {
            certfile: tls.patroniCert,
            keyfile: tls.patroniKey,
            cafile: tls.ca,
            ciphers: OPENSSL_AEAD_CIPHERS,
            authentication: { ...sec.restAuth },
          }
        : {}),
    },
    ...(sec ? { ctl: { cacert: tls.ca, authentication: { ...sec.restAuth } } } : {}),
    etcd3: {
      hosts: o.etcdHosts,
      ...(sec
        ? {
            protocol: 'https',
            cacert: tls.ca,
            cert: tls.patroniCert,
            key: tls.patroniKey,
            username: sec.etcdUser.username,
            password: sec.etcdUser.password,
          }
        : {}),
    },
    bootstrap: {
      dcs: {
        ...o.dcs,
        maximum_lag_on_failover: 1048576,
        postgresql: {
          use_pg_rewind: true,
          pg_hba: [
            'local all all trust',
            `host replication ${u.replication} 127.0.0.1/32 scram-sha-256`,
            `host all ${u.superuser} 127.0.0.1/32 scram-sha-256`,
            `host all ${u.rewind} 127.0.0.1/32 scram-sha-256`,
            ...o.hbaRules,
          ],
          parameters: { max_connections: 40, shared_preload_libraries: 'pg_stat_statements' },
        },
      },
      initdb: [{ encoding: 'UTF8' }],
    },
    postgresql: {
      listen: hostPort(m.address, o.port),
      connect_address: hostPort(m.address, o.port),
      use_unix_socket: true,
      data_dir: join(m.dir, 'data'),
      bin_dir: binDir,
      pgpass: join(m.dir, 'run', 'pgpass'),
      authentication: {
        replication: { username: u.replication, password: o.passwords.replication },
        superuser: { username: u.superuser, password: o.passwords.superuser },
        rewind: { username: u.rewind, password: o.passwords.rewind },
      },
      parameters: {
        unix_socket_directories: join(m.dir, 'run'),
        ssl: 'on',
        ssl_cert_file: join(m.dir, 'tls', 'server.crt'),
        ssl_key_file: join(m.dir, 'tls', 'server.key'),
        shared_buffers: '32MB',
        wal_retrieve_retry_interval: '250ms',
      },
      basebackup: [{ checkpoint: 'fast' }],
    },
  };
}

/** Where a member's TLS files go (its tls/ directory, owned by postgres). */
function memberTlsPaths(m: MonitoredMember) {
  const d = join(m.dir, 'tls');
  return {
    ca: join(d, 'ca.crt'),
    serverCert: join(d, 'server.crt'),
    serverKey: join(d, 'server.key'),
    patroniCert: join(d, 'patroni.crt'),
    patroniKey: join(d, 'patroni.key'),
  };
}

/** How to reach the REST API of a cluster started with `o` (reads the CA file when secured). */
export function monitoredClusterAccess(
  o: Pick<MonitoredClusterOptions, 'restPort' | 'security'>,
): PatroniAccess {
  return o.security
    ? { port: o.restPort, ca: readFileSync(o.security.caFile, 'utf8'), auth: { ...o.security.restAuth } }
    : { port: o.restPort };
}

/**
 * Starts the cluster (module note); resolves once one member leads and
 * every other streams, and the setup SQL ran on the leader.
 * @throws naming what did not happen, with the end of the member's log.
 */
export async function startMonitoredCluster(
  ctx: FleetStartContext,
  o: MonitoredClusterOptions,
): Promise<MonitoredCluster> {
  const procs: LabProcess[] = [];
  const access = monitoredClusterAccess(o);
  const start = async (m: MonitoredMember) => {
    mkdirSync(m.dir, { recursive: true, mode: 0o755 });
    for (const d of ['data', 'run', 'tls', 'log'].map((x) => join(m.dir, x))) {
      mkdirSync(d, { recursive: true, mode: 0o700 });
      if (ctx.pg) chownSync(d, ctx.pg.uid, ctx.pg.gid);
    }
    const tls = memberTlsPaths(m);
    const files: [string, string][] = [
      [m.tls.certFile, tls.serverCert],
      [m.tls.keyFile, tls.serverKey],
    ];
    if (o.security) {
      if (!m.patroniTls) throw new Error(`${m.name}: a secured cluster needs the member's patroniTls`);
      files.push(
        [o.security.caFile, tls.ca],
        [m.patroniTls.certFile, tls.patroniCert],
        [m.patroniTls.keyFile, tls.patroniKey],
      );
    }
    for (const [from, to] of files) {
      copyFileSync(from, to);
      if (ctx.pg) chownSync(to, ctx.pg.uid, ctx.pg.gid);
    }
    const yml = join(m.dir, 'patroni.yml');
    writeFileSync(yml, toYaml(monitoredPatroniConfig(o, m, ctx.binDir)), { mode: 0o600 });
    const logFile = join(m.dir, 'patroni.out');
    if (!existsSync(logFile)) writeFileSync(logFile, '');
    if (ctx.pg) for (const f of [yml, logFile]) chownSync(f, ctx.pg.uid, ctx.pg.gid);
    const command = ['patroni', yml];
    const p = await spawnDetached(command, {
      env: { PATH: process.env.PATH, HOME: m.dir, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' },
      cwd: m.dir,
      logFile,
      uid: ctx.pg?.uid,
      gid: ctx.pg?.gid,
    });
    const proc: LabProcess = { host: m.name, kind: 'patroni', ...p, command, logFile };
    procs.push(proc);
    ctx.track(proc);
  };
  const [first, ...rest] = o.members;
  await start(first!);
  await waitFor(
    `${first!.name} to initialise cluster ${o.scope} and lead`,
    async () => {
      assertAlive(procs);
      const c = await getCluster(first!.address, access);
      const me = c.members.find((x) => x.name === first!.name);
      if (me?.role !== 'leader' || me.state !== 'running')
        throw new Error(`${first!.name}: ${me?.role ?? 'no member'} ${me?.state ?? ''}`);
      return true;
    },
    { timeoutMs: 120_000, intervalMs: 300 },
  );
  await Promise.all(rest.map(start));
  await waitFor(
    `cluster ${o.scope}: one leader and ${rest.length} streaming replica(s)`,
    async () => {
      assertAlive(procs);
      const c = await getCluster(first!.address, access);
      if (!isHealthy(c.members, o.members.length))
        throw new Error(
          `members: ${c.members.map((x) => `${x.name} ${x.role} ${x.state}`).join(', ') || 'none'}`,
        );
      return true;
    },
    { timeoutMs: 180_000, intervalMs: 500 },
  );
  const sqlOnLeader = async (text: string) => {
    for (const m of o.members) {
      const c = await getCluster(m.address, access).catch(() => undefined);
      const leader = c?.members.find((x) => x.role === 'leader');
      const member = o.members.find((x) => x.name === leader?.name);
      if (member) return sqlOnSocket(join(member.dir, 'run'), o.port, text);
    }
    throw new Error(`cluster ${o.scope} has no leader`);
  };
  if (o.setupSql) await sqlOnLeader(o.setupSql);
  const scheme = o.security ? 'https' : 'http';
  return {
    restUrls: o.members.map((m) => `${scheme}://${m.address}:${o.restPort}`),
    access,
    sqlOnLeader,
  };
}
