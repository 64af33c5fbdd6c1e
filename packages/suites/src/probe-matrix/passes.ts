/**
 * What the probe matrix does to a cluster: runs the probes through the
 * agent's real path (a ServerMonitor cycle, as the monitoring role with
 * `pg_monitor` only), fills the `bench` database with pgbench and a few
 * objects the database probes look at, and stages a blocked session.
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Binding } from '@pharos/agent/monitor/bindings';
import { definitionDefaults, type ProbeSetting } from '@pharos/agent/monitor/probe-settings';
import { ServerMonitor } from '@pharos/agent/monitor/server-monitor';
import type { ProbeFailure } from '@pharos/agent/monitor/sink';
import type { Probe } from '@pharos/agent/probes/types';
import type { NewSample } from '@pharos/agent/sample';
import { HaConnection } from '@pharos/core/ha/connection';
import { createLogger } from '@pharos/core/log';
import type { TestPostgres } from '@pharos/testkit/postgres/postgres-server';
import { runProgram } from '@pharos/testkit/postgres/postgres-server';
import { waitFor } from '@pharos/testkit/wait/wait-for';
import { type MatrixCluster, MONITOR_PASSWORD } from './cluster.js';

const logger = createLogger('matrix', { level: process.env.PHAROS_LOG_LEVEL ?? 'silent' });

/** What one pass collected. */
export interface PassResult {
  samples: NewSample[];
  failures: ProbeFailure[];
  /** Statements the monitor sent. */
  statements: number;
}

let passfile: Promise<{ dir: string; file: string }> | undefined;

/** A .pgpass with the monitoring role's password (made once per process, whoever asks first). */
export async function monitorPassfile(): Promise<string> {
  passfile ??= (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pharos-matrix-'));
    const file = join(dir, 'pgpass');
    await writeFile(file, `*:*:*:monitor:${MONITOR_PASSWORD}\n`);
    await chmod(file, 0o600);
    return { dir, file };
  })();
  return (await passfile).file;
}

/** Removes the .pgpass made by {@link monitorPassfile}. */
export async function removePassfile(): Promise<void> {
  const p = passfile;
  passfile = undefined;
  if (p) await rm((await p).dir, { recursive: true, force: true });
}

/** The binding of a matrix server for the monitoring role. */
export function matrixBinding(server: TestPostgres, serverId: number): Binding {
  return {
    serverId,
    displayName: `matrix-${serverId}`,
    host: server.address,
    port: server.port,
    userName: 'monitor',
    sslmode: 'disable',
    maintenanceDb: 'postgres',
  };
}

/**
 * Runs one cycle of a fresh ServerMonitor on `server` (every enabled probe
 * is due, database probes in every database) and returns what it recorded.
 */
export async function runPass(
  server: TestPostgres,
  serverId: number,
  opts: {
    probes?: readonly Probe[];
    databaseProbes?: readonly Probe[];
    overrides?: Record<string, Partial<ProbeSetting>>;
  } = {},
): Promise<PassResult> {
  const samples: NewSample[] = [];
  const failures: ProbeFailure[] = [];
  const m = new ServerMonitor({
    agentId: 1,
    binding: matrixBinding(server, serverId),
    intervalMs: 10_000,
    logger,
    passfile: await monitorPassfile(),
    probes: opts.probes,
    databaseProbes: opts.databaseProbes,
    settings: definitionDefaults(opts.overrides),
    sink: {
      record: async (s) => {
        samples.push(...s);
      },
      probeFailed: (f) => {
        failures.push(f);
      },
    },
  });
  try {
    await m.cycle();
  } finally {
    await m.stop();
  }
  return { samples, failures, statements: m.statements };
}

/** Fills `bench` on the primary: pgbench data and a run, sequences, a function, grants, a prepared transaction, a logical slot with decoded changes. */
export async function populate(c: MatrixCluster, pgbench: string): Promise<void> {
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    PGHOST: c.primary.socketDir,
    PGPORT: String(c.primary.port),
    PGUSER: 'postgres',
    LANG: 'C.UTF-8',
  };
  const init = await runProgram(pgbench, ['-i', '-q', '-s', '1', 'bench'], { env });
  if (init.code !== 0) throw new Error(`pgbench -i on ${c.major} failed: ${init.stderr}`);
  const run = await runProgram(pgbench, ['-c', '2', '-t', '150', '-n', 'bench'], { env });
  if (run.code !== 0) throw new Error(`pgbench on ${c.major} failed: ${run.stderr}`);
  // the logical slot first: creating one waits for every open transaction, a prepared one included
  await c.primary.psql(
    `SET statement_timeout = '60s';
     SET synchronous_commit = on; -- decoding reads flushed WAL only (the test servers commit asynchronously)
     SELECT 1 FROM pg_create_logical_replication_slot('matrix_logical', 'test_decoding');
     CREATE TABLE decoded (x int);
     INSERT INTO decoded SELECT generate_series(1, 100);
     SELECT count(*) FROM pg_logical_slot_get_changes('matrix_logical', NULL, NULL);`,
  );
  await c.primary.psql(
    `SET statement_timeout = '60s';
     CREATE SEQUENCE seen_seq;
     SELECT count(nextval('seen_seq')) FROM generate_series(1, 42);
     GRANT SELECT ON SEQUENCE seen_seq TO monitor;
     CREATE SEQUENCE hidden_seq;
     SELECT nextval('hidden_seq');
     CREATE FUNCTION add_one(i int) RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN i + 1; END $$;
     SELECT sum(add_one(x)) FROM generate_series(1, 10) x;
     GRANT SELECT ON pgbench_accounts TO monitor;
     CREATE TABLE prepared_target (x int);
     ANALYZE;
     BEGIN;
     INSERT INTO prepared_target VALUES (1);
     PREPARE TRANSACTION 'matrix_prepared';`,
    'bench',
  );
}

/**
 * Runs `probes` on the primary while one session holds an ACCESS EXCLUSIVE
 * lock on pgbench_branches and another waits for it, and a VACUUM (FREEZE)
 * of pgbench_tellers waits for a page another session's cursor pins.
 */
export async function runWithBlockedSession(
  c: MatrixCluster,
  serverId: number,
  probes: readonly Probe[],
): Promise<PassResult> {
  const admin = new HaConnection({ conninfo: c.primary.conninfo(), queryTimeoutMs: 30_000 });
  const holder = c.primary.psql(
    'BEGIN; LOCK TABLE pgbench_branches IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(30); COMMIT;',
    'bench',
  );
  holder.catch(() => {}); // it ends with "canceling statement due to user request", below
  let waiter: Promise<string> | undefined;
  let pinner: Promise<string> | undefined;
  let vacuum: Promise<string> | undefined;
  const waitUntil = (sql: string) =>
    waitFor(sql, async () => (await admin.query<{ ok: boolean }>(sql)).rows[0]?.ok === true, {
      deadlineMs: 15_000,
      intervalMs: 50,
    });
  try {
    await waitUntil(
      "SELECT count(*) > 0 AS ok FROM pg_locks WHERE mode = 'AccessExclusiveLock' AND granted AND relation IS NOT NULL",
    );
    waiter = c.primary.psql('SELECT count(*) FROM pgbench_branches;', 'bench');
    waiter.catch(() => {});
    await waitUntil('SELECT count(*) > 0 AS ok FROM pg_locks WHERE NOT granted');
    // a VACUUM (FREEZE) that waits for the cleanup lock of a page a cursor keeps pinned: in progress, visibly
    pinner = c.primary.psql(
      'BEGIN; DECLARE c CURSOR FOR SELECT * FROM pgbench_tellers; FETCH 1 FROM c; SELECT pg_sleep(30); COMMIT;',
      'bench',
    );
    pinner.catch(() => {});
    await waitUntil(
      "SELECT count(*) >= 2 AS ok FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()",
    );
    vacuum = c.primary.psql('VACUUM (FREEZE) pgbench_tellers;', 'bench');
    vacuum.catch(() => {});
    await waitUntil('SELECT count(*) > 0 AS ok FROM pg_stat_progress_vacuum');
    return await runPass(c.primary, serverId, { probes, databaseProbes: [] });
  } finally {
    // end the holder's sleep: its transaction and lock go, the waiter finishes
    await admin.query(
      "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()",
    );
    await admin.close();
    await Promise.allSettled([holder, waiter, pinner, vacuum]);
  }
}
