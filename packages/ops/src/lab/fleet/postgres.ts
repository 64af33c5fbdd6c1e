/**
 * A monitored PostgreSQL server as a DBA's host has one before Pharos
 * watches it (the lab's fleet, lab/fleet/plan.ts; also the fleet tests'
 * fresh hosts): its own data directory and address, TLS with a certificate
 * naming that address (signed by `tls` CA), its own pg_hba.conf (the
 * socket for its DBA, `hostssl` rules given by the caller — the ones
 * `pharos server prepare` prints — and nothing else), and the monitoring
 * role. Started detached as the postgres OS user and recorded like every
 * lab process, so `lab down` stops it. Optionally a light pgbench load
 * (`pgbench -R`, rate-limited, one client) runs against it, also recorded.
 */
import { execFile } from 'node:child_process';
import { chownSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { HaConnection } from '@pharos/core/ha/connection';
import { assertAlive, type LabProcess, spawnDetached, waitFor } from '../processes.js';

const run = promisify(execFile);

/** What starting a fleet server needs from the lab (or a test). */
export interface FleetStartContext {
  /** PostgreSQL's bin directory (initdb, postgres, pgbench). */
  binDir: string;
  /** The postgres OS user when running as root (PostgreSQL refuses root). */
  pg?: { uid: number; gid: number };
  track(p: LabProcess): void;
}

/** A certificate and key (PEM files) for a server's TLS. */
export interface ServerTls {
  certFile: string;
  keyFile: string;
}

/** Options of {@link startMonitoredPostgres}. */
export interface MonitoredPostgresOptions {
  /** Host name (the lab's host directory name; recorded with the process). */
  host: string;
  address: string;
  port: number;
  /** Host directory: data/, run/, tls/, postgres.out, pgbench.out go there. */
  dir: string;
  tls: ServerTls;
  /** pg_hba.conf rules after the DBA's `local all all trust` (e.g. `hostssl all pem_monitor 10.0.3.20/32 scram-sha-256`). */
  hbaRules: string[];
  /** SQL run once it accepts connections, as its superuser (e.g. the monitoring role). */
  setupSql?: string;
  /** Transactions per second of a pgbench load (none when undefined). */
  pgbenchTps?: number;
}

/** A started server. */
export interface MonitoredPostgres {
  dataDir: string;
  socketDir: string;
  /** Runs SQL as its superuser over the socket; returns the rows. */
  sql(text: string): Promise<Record<string, unknown>[]>;
}

/** Copies a file owned by postgres (when running as root), mode 0600. */
function placePrivate(from: string, to: string, pg: FleetStartContext['pg']): void {
  copyFileSync(from, to);
  if (pg) chownSync(to, pg.uid, pg.gid);
}

/** Runs SQL on a server over its socket as `postgres` (trust: the socket is the DBA's). */
export async function sqlOnSocket(socketDir: string, port: number, text: string, db = 'postgres') {
  const conn = new HaConnection({
    conninfo: `host=${socketDir} port=${port} dbname=${db} user=postgres connect_timeout=5 application_name=pharos-lab`,
    queryTimeoutMs: 60_000,
  });
  try {
    return (await conn.query(text)).rows;
  } finally {
    await conn.close();
  }
}

/**
 * initdb, configure and start one server (module note); resolves once it
 * accepts connections and its setup SQL (and pgbench's tables) are done.
 * @throws naming the step and the end of the server's log.
 */
export async function startMonitoredPostgres(
  ctx: FleetStartContext,
  o: MonitoredPostgresOptions,
): Promise<MonitoredPostgres> {
  const dataDir = join(o.dir, 'data');
  const socketDir = join(o.dir, 'run');
  const tlsDir = join(o.dir, 'tls');
  const owned = (d: string) => {
    mkdirSync(d, { recursive: true, mode: 0o700 });
    if (ctx.pg) chownSync(d, ctx.pg.uid, ctx.pg.gid);
  };
  mkdirSync(o.dir, { recursive: true, mode: 0o755 });
  for (const d of [dataDir, socketDir, tlsDir]) owned(d);
  const as = ctx.pg ? { uid: ctx.pg.uid, gid: ctx.pg.gid } : {};
  await run(
    join(ctx.binDir, 'initdb'),
    [
      '-D',
      dataDir,
      '-U',
      'postgres',
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      '-E',
      'UTF8',
      '--no-sync',
    ],
    { ...as, env: { PATH: process.env.PATH, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' }, cwd: o.dir },
  ).catch((err: Error & { stderr?: string }) => {
    throw new Error(`initdb of ${o.host} (${dataDir}) failed: ${err.stderr || err.message}`);
  });
  placePrivate(o.tls.certFile, join(tlsDir, 'server.crt'), ctx.pg);
  placePrivate(o.tls.keyFile, join(tlsDir, 'server.key'), ctx.pg);
  const conf = [
    `listen_addresses = '${o.address}'`,
    `port = ${o.port}`,
    `unix_socket_directories = '${socketDir}'`,
    'ssl = on',
    `ssl_cert_file = '${join(tlsDir, 'server.crt')}'`,
    `ssl_key_file = '${join(tlsDir, 'server.key')}'`,
    'shared_buffers = 32MB',
    'max_connections = 40',
    "shared_preload_libraries = 'pg_stat_statements'",
    '',
  ].join('\n');
  writeFileSync(join(dataDir, 'postgresql.auto.conf'), conf);
  writeFileSync(join(dataDir, 'pg_hba.conf'), ['local all all trust', ...o.hbaRules, ''].join('\n'));
  for (const f of ['postgresql.auto.conf', 'pg_hba.conf'])
    if (ctx.pg) chownSync(join(dataDir, f), ctx.pg.uid, ctx.pg.gid);
  const logFile = join(o.dir, 'postgres.out');
  writeFileSync(logFile, '');
  if (ctx.pg) chownSync(logFile, ctx.pg.uid, ctx.pg.gid);
  const command = [join(ctx.binDir, 'postgres'), '-D', dataDir];
  const p = await spawnDetached(command, {
    env: { PATH: process.env.PATH, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' },
    cwd: o.dir,
    logFile,
    ...as,
  });
  const proc: LabProcess = { host: o.host, kind: 'postgres', ...p, command, logFile };
  ctx.track(proc);
  const sql = (text: string) => sqlOnSocket(socketDir, o.port, text);
  await waitFor(
    `PostgreSQL of ${o.host} to accept connections on ${o.address}:${o.port} (log: ${logFile})`,
    async () => {
      assertAlive([proc]);
      await sql('SELECT 1');
      return true;
    },
    { timeoutMs: 60_000, intervalMs: 200 },
  );
  if (o.setupSql) await sql(o.setupSql);
  if (o.pgbenchTps !== undefined) {
    const bench = join(ctx.binDir, 'pgbench');
    const conn = ['-h', socketDir, '-p', String(o.port), '-U', 'postgres'];
    await run(bench, ['-i', '-q', '-s', '1', ...conn, 'postgres'], { ...as, cwd: o.dir }).catch(
      (err: Error & { stderr?: string }) => {
        throw new Error(`pgbench -i on ${o.host} failed: ${err.stderr || err.message}`);
      },
    );
    const loadCmd = [
      bench,
      '-n',
      '-c',
      '1',
      '-R',
      String(o.pgbenchTps),
      '-T',
      '315360000',
      ...conn,
      'postgres',
    ];
    const loadLog = join(o.dir, 'pgbench.out');
    writeFileSync(loadLog, '');
    if (ctx.pg) chownSync(loadLog, ctx.pg.uid, ctx.pg.gid);
    const l = await spawnDetached(loadCmd, {
      env: { PATH: process.env.PATH },
      cwd: o.dir,
      logFile: loadLog,
      ...as,
    });
    ctx.track({ host: o.host, kind: 'pgbench', ...l, command: loadCmd, logFile: loadLog });
  }
  return { dataDir, socketDir, sql };
}
