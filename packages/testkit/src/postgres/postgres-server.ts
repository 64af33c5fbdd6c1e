/**
 * Test utility: real, throw-away PostgreSQL servers for unit and integration
 * tests (never mocks, DESIGN.md §5).
 *
 * Each server listens on exactly one address (`listen_addresses`) and has a
 * Unix socket directory of its own, so several servers can share a port on
 * different loopback addresses. When the test process runs as root the server
 * programs (initdb, pg_ctl, postgres, pg_basebackup) run as the `postgres` OS
 * user, because PostgreSQL refuses to run as root; the temporary directory is
 * then owned by `postgres`.
 *
 * Binaries: the highest `/usr/lib/postgresql/<major>/bin` (15 on Debian 12,
 * 17 on Debian 13), or `PHAROS_PG_BINDIR` when set.
 *
 * Usage:
 * ```ts
 * const pg = await startPostgres({ address: '127.0.2.10' });
 * await pg.psql('create table t (x int)');
 * const conninfo = pg.conninfo();          // host=127.0.2.10 port=5432 user=postgres dbname=postgres password=postgres
 * const standby = await startStandby(pg, { address: '127.0.2.11' });
 * await standby.stop(); await pg.stop();
 * ```
 */
import { type SpawnOptions, spawn } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, readdirSync } from 'node:fs';
import { appendFile, chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunAs, serverUser } from '../os/server-user.js';
import { watchLogs } from '../wait/log-set.js';

/** Options of {@link startPostgres}. */
export interface StartPostgresOptions {
  /** The one address the server listens on (`listen_addresses`), e.g. `127.0.2.10` or `::1`. */
  address: string;
  /** TCP port, default 5432 (servers on distinct addresses may share it). */
  port?: number;
  /**
   * Directory for the data directory, the socket directory and the log; created
   * if missing. Default: a new temporary directory, removed by `stop()`. A given
   * directory is kept by `stop()`.
   */
  dir?: string;
  /**
   * `pg_hba.conf` lines. Default: scram-sha-256 for every user and database
   * (including replication) from any address. Whatever is given, two lines are
   * always put first: `local all postgres trust` and `local replication postgres trust`,
   * so {@link TestPostgres.psql} and {@link startStandby} work through the socket.
   */
  hba?: string[];
  /**
   * TLS: PEM files copied into the data directory (owned by the server user,
   * mode 0600) and enabled with `ssl = on`; `caFile` becomes `ssl_ca_file`
   * (needed for `cert` authentication).
   */
  ssl?: { certFile: string; keyFile: string; caFile?: string };
  /** Password of the superuser `postgres` (scram-sha-256), default `postgres`. */
  superuserPassword?: string;
  /**
   * Extra `postgresql.conf` settings, written verbatim as `name = 'value'`
   * (string-quoted, single quotes doubled). Defaults already set:
   * `fsync = off`, `shared_buffers = 32MB`, `max_connections = 50`,
   * `password_encryption = scram-sha-256`.
   */
  settings?: Record<string, string>;
}

/** A running test server started by {@link startPostgres} or {@link startStandby}. */
export interface TestPostgres {
  /** The address it listens on. */
  readonly address: string;
  /** Its TCP port. */
  readonly port: number;
  /** Data directory (PGDATA). */
  readonly dataDir: string;
  /** Unix socket directory (its own). */
  readonly socketDir: string;
  /** Path of the server log. */
  readonly logFile: string;
  /** PID of the postmaster (a new one after {@link restartPostgres}). */
  readonly pid: number;
  /** Password of the superuser `postgres`. */
  readonly superuserPassword: string;
  /**
   * A key=value connection string over TCP to this server:
   * `host=<address> port=<port> user=<user> dbname=<dbname>`, plus
   * `password=<superuserPassword>` when `user` is `postgres`. Defaults:
   * user `postgres`, dbname `postgres`.
   */
  conninfo(user?: string, dbname?: string): string;
  /**
   * Runs SQL (one or more statements, each on its own, ON_ERROR_STOP) with psql
   * as `postgres` through the Unix socket, in database `db` (default
   * `postgres`). Resolves to psql's unaligned, tuples-only output (`-At`),
   * trailing newline removed; rejects with psql's stderr on error.
   */
  psql(sql: string, db?: string): Promise<string>;
  /** Stops the server (`pg_ctl stop -m fast`, SIGKILL of its PID as a fallback) and removes a temporary dir. */
  stop(): Promise<void>;
}

/** Options of {@link startStandby}: like {@link StartPostgresOptions} without initdb-only ones. */
export interface StartStandbyOptions {
  address: string;
  port?: number;
  dir?: string;
  settings?: Record<string, string>;
}

/** Highest installed PostgreSQL major's bin directory (or `PHAROS_PG_BINDIR`). Throws if none. */
export function postgresBinDir(): string {
  const fromEnv = process.env.PHAROS_PG_BINDIR;
  if (fromEnv) return fromEnv;
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((d) => /^\d+$/.test(d) && existsSync(join(root, d, 'bin', 'postgres')))
        .map(Number)
        .sort((a, b) => b - a)
    : [];
  if (majors.length === 0) throw new Error(`no PostgreSQL server binaries under ${root}/*/bin`);
  return join(root, String(majors[0]), 'bin');
}

/** A clean environment: no PG* variables of the caller leak into the server programs. */
function cleanEnv(home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    TZ: 'UTC',
  };
}

/** Exit code and output of a program run by {@link runProgram}. */
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program with `options.input` on stdin; resolves with its exit code and output (never rejects for a non-zero exit). */
export function runProgram(
  cmd: string,
  args: string[],
  options: SpawnOptions & { input?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...options, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin?.on('error', () => {});
    child.stdin?.end(options.input ?? '');
  });
}

async function runOk(
  cmd: string,
  args: string[],
  options: SpawnOptions & { input?: string },
): Promise<string> {
  const r = await runProgram(cmd, args, options);
  if (r.code !== 0) {
    throw new Error(
      `${cmd} ${args.join(' ')} failed (exit ${r.code}): ${r.stderr.trim() || r.stdout.trim()}`,
    );
  }
  return r.stdout;
}

function confValue(v: string): string {
  return `'${v.replace(/'/g, "''")}'`;
}

async function chownTree(path: string, who: RunAs): Promise<void> {
  if (who.uid !== undefined && who.gid !== undefined) await chown(path, who.uid, who.gid);
}

/** How to restart each server made by {@link startPostgres} / {@link startStandby}. */
const restarters = new WeakMap<TestPostgres, () => Promise<void>>();

/**
 * Restarts a server made by {@link startPostgres} or {@link startStandby}
 * (`pg_ctl restart -m fast -w`): same data directory and settings, a new
 * postmaster (new {@link TestPostgres.pid}, new `pg_postmaster_start_time()`);
 * its sessions are terminated. Rejects when the server was stopped, was not
 * made here, or pg_ctl fails (with its stderr).
 */
export async function restartPostgres(server: TestPostgres): Promise<void> {
  const restart = restarters.get(server);
  if (!restart) throw new Error(`server ${server.address}:${server.port} was not started by this module`);
  await restart();
}

/** PIDs of postmasters started by this process and not yet stopped: killed on exit. */
const live = new Map<number, string>();
let exitHookInstalled = false;
function trackExit(pid: number, dataDir: string): void {
  live.set(pid, dataDir);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const p of live.keys()) {
      try {
        process.kill(p, 'SIGQUIT'); // immediate shutdown; the test process is going away
      } catch {
        // already gone
      }
    }
  });
}

interface Layout {
  dir: string;
  ownsDir: boolean;
  dataDir: string;
  socketDir: string;
  logFile: string;
}

async function makeLayout(dirOpt: string | undefined, who: RunAs): Promise<Layout> {
  let dir: string;
  let ownsDir = false;
  if (dirOpt) {
    dir = dirOpt;
    await mkdir(dir, { recursive: true });
  } else {
    dir = await mkdtemp(join(tmpdir(), 'pharos-pg-'));
    ownsDir = true;
  }
  await chownTree(dir, who);
  await chmod(dir, 0o700);
  const socketDir = join(dir, 'sock');
  await mkdir(socketDir, { recursive: true });
  await chownTree(socketDir, who);
  return { dir, ownsDir, dataDir: join(dir, 'data'), socketDir, logFile: join(dir, 'postgres.log') };
}

function hostFor(address: string): string {
  return address;
}

async function launch(
  layout: Layout,
  address: string,
  port: number,
  superuserPassword: string,
  who: RunAs,
  binDir: string,
): Promise<TestPostgres> {
  const env = cleanEnv(layout.dir);
  const spawnOpts: SpawnOptions = { ...who, env, cwd: layout.dir };
  const r = await runProgram(
    join(binDir, 'pg_ctl'),
    ['start', '-w', '-t', '60', '-D', layout.dataDir, '-l', layout.logFile],
    spawnOpts,
  );
  if (r.code !== 0) {
    let log = '';
    try {
      log = (await readFile(layout.logFile, 'utf8')).split('\n').slice(-20).join('\n');
    } catch {
      // no log
    }
    throw new Error(
      `pg_ctl start failed for ${address}:${port} (exit ${r.code}): ${r.stderr.trim()}\n${log}`,
    );
  }
  const pidText = await readFile(join(layout.dataDir, 'postmaster.pid'), 'utf8');
  let pid = Number(pidText.split('\n')[0]);
  trackExit(pid, layout.dataDir);
  let stopped = false;
  const unwatch = watchLogs(layout.logFile); // a failed waitFor shows this server's log

  const server: TestPostgres = {
    address,
    port,
    dataDir: layout.dataDir,
    socketDir: layout.socketDir,
    logFile: layout.logFile,
    get pid() {
      return pid;
    },
    superuserPassword,
    conninfo(user = 'postgres', dbname = 'postgres') {
      const q = (v: string) => (/^[^\s'\\]+$/.test(v) ? v : `'${v.replace(/[\\']/g, (c) => `\\${c}`)}'`);
      let s = `host=${q(hostFor(address))} port=${port} user=${q(user)} dbname=${q(dbname)}`;
      if (user === 'postgres') s += ` password=${q(superuserPassword)}`;
      return s;
    },
    async psql(sql: string, db = 'postgres') {
      const r2 = await runProgram(
        'psql',
        [
          '-X',
          '-At',
          '-v',
          'ON_ERROR_STOP=1',
          '-h',
          layout.socketDir,
          '-p',
          String(port),
          '-U',
          'postgres',
          '-d',
          db,
          '-f',
          '-',
        ],
        { env: cleanEnv(layout.dir), cwd: layout.dir, input: sql },
      );
      if (r2.code !== 0) throw new Error(`psql on ${address}:${port} failed: ${r2.stderr.trim()}`);
      return r2.stdout.replace(/\n$/, '');
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      unwatch();
      const s = await runProgram(
        join(binDir, 'pg_ctl'),
        ['stop', '-m', 'fast', '-w', '-t', '30', '-D', layout.dataDir],
        spawnOpts,
      );
      if (s.code !== 0) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      live.delete(pid);
      if (layout.ownsDir) await rm(layout.dir, { recursive: true, force: true });
    },
  };
  restarters.set(server, async () => {
    if (stopped) throw new Error(`server ${address}:${port} was stopped; cannot restart it`);
    const rr = await runProgram(
      join(binDir, 'pg_ctl'),
      ['restart', '-m', 'fast', '-w', '-t', '60', '-D', layout.dataDir, '-l', layout.logFile],
      spawnOpts,
    );
    if (rr.code !== 0) {
      throw new Error(`pg_ctl restart failed for ${address}:${port} (exit ${rr.code}): ${rr.stderr.trim()}`);
    }
    live.delete(pid);
    pid = Number((await readFile(join(layout.dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
    trackExit(pid, layout.dataDir);
  });
  return server;
}

function baseSettings(address: string, port: number, socketDir: string): Record<string, string> {
  return {
    listen_addresses: address,
    port: String(port),
    unix_socket_directories: socketDir,
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    shared_buffers: '32MB',
    max_connections: '50',
    password_encryption: 'scram-sha-256',
    logging_collector: 'off',
    log_line_prefix: '%m [%p] %q%u@%d ',
  };
}

function settingsText(settings: Record<string, string>): string {
  return `\n# --- pharos test server ---\n${Object.entries(settings)
    .map(([k, v]) => `${k} = ${confValue(v)}`)
    .join('\n')}\n`;
}

/**
 * Initialises and starts a throw-away PostgreSQL server (initdb + pg_ctl start -w).
 *
 * @throws Error naming the failing program and its stderr (and the server log
 *   tail when the server does not start), e.g. when the address is already in use.
 */
export async function startPostgres(opts: StartPostgresOptions): Promise<TestPostgres> {
  const binDir = postgresBinDir();
  const who = serverUser();
  const port = opts.port ?? 5432;
  const superuserPassword = opts.superuserPassword ?? 'postgres';
  const layout = await makeLayout(opts.dir, who);
  const env = cleanEnv(layout.dir);
  const pwFile = join(layout.dir, 'pwfile');
  await writeFile(pwFile, `${superuserPassword}\n`, { mode: 0o600 });
  await chownTree(pwFile, who);
  try {
    await runOk(
      join(binDir, 'initdb'),
      [
        '-D',
        layout.dataDir,
        '-U',
        'postgres',
        '--pwfile',
        pwFile,
        '--auth-local=trust',
        '--auth-host=scram-sha-256',
        '-E',
        'UTF8',
        '--locale=C',
        '--no-sync',
      ],
      { ...who, env, cwd: layout.dir },
    );
  } finally {
    await rm(pwFile, { force: true });
  }
  const settings = baseSettings(opts.address, port, layout.socketDir);
  if (opts.ssl) {
    const files: [string, string][] = [
      [opts.ssl.certFile, 'server.crt'],
      [opts.ssl.keyFile, 'server.key'],
    ];
    if (opts.ssl.caFile) files.push([opts.ssl.caFile, 'root.crt']);
    for (const [src, name] of files) {
      const dst = join(layout.dataDir, name);
      copyFileSync(src, dst);
      chmodSync(dst, 0o600);
      if (who.uid !== undefined && who.gid !== undefined) chownSync(dst, who.uid, who.gid);
    }
    settings.ssl = 'on';
    settings.ssl_cert_file = 'server.crt';
    settings.ssl_key_file = 'server.key';
    if (opts.ssl.caFile) settings.ssl_ca_file = 'root.crt';
  }
  Object.assign(settings, opts.settings ?? {});
  await appendFile(join(layout.dataDir, 'postgresql.conf'), settingsText(settings));
  const hba = [
    'local all postgres trust',
    'local replication postgres trust',
    ...(opts.hba ?? [
      'local all all trust',
      'host all all 0.0.0.0/0 scram-sha-256',
      'host all all ::/0 scram-sha-256',
      'host replication all 0.0.0.0/0 scram-sha-256',
      'host replication all ::/0 scram-sha-256',
    ]),
  ];
  await writeFile(join(layout.dataDir, 'pg_hba.conf'), `${hba.join('\n')}\n`);
  return launch(layout, opts.address, port, superuserPassword, who, binDir);
}

/**
 * Creates and starts a streaming standby of `primary`: `pg_basebackup -R -X stream
 * -c fast` through the primary's Unix socket (so the primary's HBA rules do not
 * matter), then `listen_addresses`, `port` and `unix_socket_directories` of its own.
 * It inherits the primary's settings, TLS files, HBA rules and superuser password.
 * Resolves once the standby accepts connections (`pg_ctl start -w`, i.e. consistent).
 *
 * @throws Error with pg_basebackup's or pg_ctl's stderr.
 */
export async function startStandby(primary: TestPostgres, opts: StartStandbyOptions): Promise<TestPostgres> {
  const binDir = postgresBinDir();
  const who = serverUser();
  const port = opts.port ?? 5432;
  const layout = await makeLayout(opts.dir, who);
  await runOk(
    join(binDir, 'pg_basebackup'),
    [
      '-D',
      layout.dataDir,
      '-h',
      primary.socketDir,
      '-p',
      String(primary.port),
      '-U',
      'postgres',
      '-R',
      '-X',
      'stream',
      '-c',
      'fast',
      '--no-sync',
    ],
    { ...who, env: cleanEnv(layout.dir), cwd: layout.dir },
  );
  await chmod(layout.dataDir, 0o700);
  const settings: Record<string, string> = {
    listen_addresses: opts.address,
    port: String(port),
    unix_socket_directories: layout.socketDir,
    hot_standby: 'on',
    ...(opts.settings ?? {}),
  };
  await appendFile(join(layout.dataDir, 'postgresql.conf'), settingsText(settings));
  return launch(layout, opts.address, port, primary.superuserPassword, who, binDir);
}
