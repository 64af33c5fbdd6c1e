/**
 * Benchmark (not a test): alert evaluation throughput with `servers`
 * servers' worth of default alerts (each server with its own agent, so
 * every built-in template of every level is bound: 25 alerts per
 * agent+server pair with the built-in set, 15 000 for 600). Probe data of
 * the shapes the templates read is put in pemdata.latest for every agent
 * and server, about 5 % of it in alert range, and one webhook is defined,
 * so evaluation does its real work: template queries, state changes,
 * history and outbox rows.
 *
 * Every alert is made due at once, then `workers` backend agents (each with
 * its own connection, as the lab's three backend agents) drain the queue
 * with `pem.evaluate_due_alerts` in batches of `batchSize`. Reported:
 * alerts evaluated per second, per worker count. Runs on a throw-away
 * PostgreSQL (startPostgres) at `address`.
 *
 * Each run also gives the milliseconds per evaluation of every template
 * (the evaluator's own `pem.alert.last_eval_ms`: its template group's
 * statement divided by the group's alerts, averaged over the template's
 * alerts), and runs may force PostgreSQL's plan choice (`planModes`,
 * plan_cache_mode for the workers' sessions), to choose each template's
 * plan on evidence. The servers get `historyMinutes` of 10-s
 * `patroni_cluster` history (what the failover template reads).
 *
 *   node packages/bench/dist/alerts/alert-bench.js [--servers 600] [--workers 1,3] [--batch 200] [--fsync on]
 *     [--paths main,per-alert,batched] [--plan-modes auto,custom,generic] [--history-minutes 120] [--agents N] [--profile]
 */

import { loadavg } from 'node:os';
import { evaluateDueAlerts } from '@pharos/backend/alerts/evaluate';
import { type AlertBackend, startAlertBackend } from '@pharos/backend/testing/backend';
import {
  installPerAlertOracle,
  MAIN_LATEST_COLUMN_SQL,
  restoreLatestColumn,
} from '@pharos/backend/testing/per-alert-oracle';
import type { HaConnection } from '@pharos/core/ha/connection';
import { PROFILE_SETTINGS, printProfile, resetProfile } from './alert-profile.js';

/** Options of {@link runAlertBench}. */
export interface AlertBenchOptions {
  /** Servers (each with its own agent), default 600. */
  servers?: number;
  /** Worker counts to measure, default [1, 3]. */
  workers?: number[];
  /**
   * Evaluation paths to measure, each with every worker count: 'batched'
   * (pem.evaluate_due_alerts), 'per-alert' (the old loop, kept as an
   * oracle: backend/src/testing/per-alert-oracle.ts) and 'main' (the old
   * loop with main's SQL-language pem.latest_column too: evaluation as it
   * was before batching). Default main and batched.
   */
  paths?: AlertEvalPath[];
  /** Alerts per transaction, default 200. */
  batchSize?: number;
  /** Address of the throw-away PostgreSQL, default 127.0.12.54. */
  address?: string;
  /** Run PostgreSQL with fsync and synchronous_commit on (default false: the test servers' fsync=off). */
  fsync?: boolean;
  /** Progress lines (default console.log). */
  print?: (line: string) => void;
  /**
   * Also profile (alert-profile.ts): pg_stat_statements and per-function
   * times of the first run, and each template's planning and execution
   * time (EXPLAIN ANALYZE), printed.
   */
  profile?: boolean;
  /**
   * plan_cache_mode of the workers' sessions, one run per mode and path and
   * worker count: 'auto' (PostgreSQL's choice; with the templates' own
   * choice where they store one), 'custom' (force_custom_plan), 'generic'
   * (force_generic_plan). Default ['auto'].
   */
  planModes?: AlertPlanMode[];
  /** Minutes of 10-s patroni_cluster history per server before now (default 120; 0: none). */
  historyMinutes?: number;
  /**
   * Monitoring agents the servers are spread over (default: one per server). Fewer agents, more
   * servers each, as in a fleet (the fleet simulation: 100 servers per agent): each agent's
   * history holds all of its servers' samples.
   */
  agents?: number;
}

/** See {@link AlertBenchOptions.planModes}. */
export type AlertPlanMode = 'auto' | 'custom' | 'generic';

const PLAN_CACHE_MODE: Record<AlertPlanMode, string> = {
  auto: 'auto',
  custom: 'force_custom_plan',
  generic: 'force_generic_plan',
};

/** One template's share of a run. */
export interface AlertTemplateTiming {
  template: string;
  alerts: number;
  /** Mean of pem.alert.last_eval_ms over the template's alerts, ms per evaluation. */
  msPerEvaluation: number;
}

/** How alerts are evaluated (see {@link AlertBenchOptions.paths}). */
export type AlertEvalPath = 'batched' | 'per-alert' | 'main';

/** One measurement. */
export interface AlertBenchRun {
  path: AlertEvalPath;
  workers: number;
  planMode: AlertPlanMode;
  /** Slowest first. */
  templates: AlertTemplateTiming[];
  /** os.loadavg() (1, 5, 15 min) when the run started and ended: the machine is shared. */
  loadAvgStart: number[];
  loadAvgEnd: number[];
  alerts: number;
  evaluated: number;
  seconds: number;
  alertsPerSecond: number;
  notifications: number;
}

/** Result of {@link runAlertBench}. */
export interface AlertBenchResult {
  servers: number;
  alerts: number;
  /** Evaluations per second the default intervals of these alerts need. */
  requiredPerSecond: number;
  postgresVersion: string;
  runs: AlertBenchRun[];
}

const DATA_SQL = `
WITH a AS (SELECT id, (id % 20 = 0) AS hot FROM pem.agent WHERE id > 3 OR id <= 3),
s AS (SELECT s.id, b.agent_id, (s.id % 20 = 0) AS hot FROM pem.server s JOIN pem.server_binding b ON b.server_id = s.id),
rows AS (
  SELECT id AS agent_id, 0 AS server_id, 'cpu' AS probe, '' AS object, jsonb_build_object('busy_pct', CASE WHEN hot THEN 97 ELSE 20 END) AS value FROM a
  UNION ALL SELECT id, 0, 'memory', '', jsonb_build_object('used_pct', CASE WHEN hot THEN 92 ELSE 40 END) FROM a
  UNION ALL SELECT id, 0, 'swap', '', jsonb_build_object('used_pct', 5) FROM a
  UNION ALL SELECT id, 0, 'load_avg', '', jsonb_build_object('load5', 0.5, 'cpus', 4) FROM a
  UNION ALL SELECT id, 0, 'disk_space', m, jsonb_build_object('mount_point', m, 'used_pct', CASE WHEN hot AND m = '/' THEN 91 ELSE 30 END)
    FROM a, unnest(ARRAY['/', '/var/lib/postgresql']) m
  UNION ALL SELECT agent_id, id, 'server_up', '', jsonb_build_object('up', 1, 'error', NULL) FROM s
  UNION ALL SELECT agent_id, id, 'server_info', '', jsonb_build_object('max_connections', 100, 'timeline', 1) FROM s
  UNION ALL SELECT agent_id, id, 'connections_by_state', st, jsonb_build_object('state', st, 'connections', CASE WHEN hot THEN 30 ELSE 3 END)
    FROM s, unnest(ARRAY['active', 'idle', 'idle in transaction', 'idle in transaction (aborted)', 'fastpath function call', 'disabled', 'unknown']) st
  UNION ALL SELECT agent_id, id, 'database_stats', '', jsonb_build_object('hit_ratio_pct', 99.5) FROM s
  UNION ALL SELECT agent_id, id, 'session_activity', '', jsonb_build_object('longest_query_s', 2, 'oldest_xact_age_s', 3) FROM s
  UNION ALL SELECT agent_id, id, 'replication_lag', 'upstream', jsonb_build_object('lag_bytes', 0, 'replay_lag_s', 0) FROM s
  UNION ALL SELECT agent_id, id, 'replication_slots', 'slot1', jsonb_build_object('slot_name', 'slot1', 'active', true) FROM s
  UNION ALL SELECT agent_id, id, 'wal_archive', '', jsonb_build_object('pending_files', 0) FROM s
  UNION ALL SELECT agent_id, id, 'xid_wraparound', d, jsonb_build_object('database', d, 'xid_age', 1000000, 'mxid_age', 10)
    FROM s, unnest(ARRAY['postgres', 'app']) d
  UNION ALL SELECT agent_id, id, 'table_stats', 'app/public.t' || t, jsonb_build_object('relation', 'public.t' || t, 'n_live_tup', 10000, 'n_dead_tup', 100)
    FROM s, generate_series(1, 10) t
  UNION ALL SELECT agent_id, id, 'patroni_cluster', '', jsonb_build_object('scope', 'c', 'leader', 'n1', 'has_leader', true, 'timeline', 1,
    'members', 3, 'members_running', 3, 'paused', false, 'dcs_healthy', true, 'dcs_last_seen_age_s', 1) FROM s
  UNION ALL SELECT agent_id, id, 'patroni_node', '', jsonb_build_object('member', 'n1', 'role', 'replica', 'state', 'streaming', 'timeline', 1) FROM s
)
INSERT INTO pemdata.latest (agent_id, server_id, probe, object, sample_id, collected_at, value)
SELECT agent_id, server_id, probe, object, row_number() OVER (), now(), value FROM rows
ON CONFLICT (agent_id, server_id, probe, object) DO UPDATE SET collected_at = now(), value = excluded.value`;

/**
 * Fills a fresh test backend as the benchmark measures it: agents 1..`backendAgents`
 * (backend agents, which evaluate), `agents` more agents (default: one per server) and servers up to
 * `servers` (server k bound to agent k, or to agent k mod `agents` when agents are fewer),
 * their probe data in pemdata.latest (DATA_SQL), one webhook, and `historyMinutes` of 10-s
 * patroni_cluster history per server. Throws the database's errors.
 */
export async function seedAlertBench(
  b: AlertBackend,
  servers: number,
  backendAgents: number,
  historyMinutes: number,
  agents = servers - backendAgents,
): Promise<void> {
  const maxWorkers = backendAgents;
  for (let i = 1; i <= maxWorkers; i++) await b.addAgent(i, { backend: true });
  await b.sql(
    `INSERT INTO pem.agent (id, user_name, display_name, last_heartbeat)
     SELECT i, 'agent' || i, 'host-' || i, now() FROM generate_series($1::int, $2::int) i`,
    [maxWorkers + 1, maxWorkers + agents],
  );
  await b.sql(
    `WITH s AS (INSERT INTO pem.server (display_name, host, port) SELECT 'db-' || i, 'h' || i, 5432 FROM generate_series($1::int, $2::int) i RETURNING id, display_name)
     INSERT INTO pem.server_binding (server_id, agent_id, host, port, user_name)
     SELECT id, $3::int + 1 + (substr(display_name, 4)::int - $3::int - 1) % $4::int, '127.0.0.1', 5432, 'pharos_monitor' FROM s`,
    [maxWorkers + 1, servers, maxWorkers, agents],
  );
  await b.sql("INSERT INTO pem.webhook (name, url) VALUES ('bench', 'http://127.0.0.1:9/none')");
  await b.sql(DATA_SQL);
  if (historyMinutes > 0) {
    await b.sql('SELECT pem.ensure_history_partitions(7)');
    // as agents store them: one 10-s patroni_cluster sample per server, the timeline unchanged
    await b.sql(
      `INSERT INTO pemhistory.sample (agent_id, sample_id, server_id, probe, object, collected_at, value)
       SELECT b.agent_id, b.server_id::bigint * 100000 + k, b.server_id, 'patroni_cluster', '', now() - k * interval '10 seconds',
              jsonb_build_object('scope', 'c', 'leader', 'n1', 'has_leader', true, 'timeline', 1, 'members', 3,
                                 'members_running', 3, 'paused', false, 'dcs_healthy', true, 'dcs_last_seen_age_s', 1)
         FROM pem.server_binding b, generate_series(1, $1::int * 6) k`,
      [historyMinutes],
    );
  }
}

/** Runs the benchmark; resolves to its figures. Throws when PostgreSQL cannot start. */
export async function runAlertBench(opts: AlertBenchOptions = {}): Promise<AlertBenchResult> {
  const servers = opts.servers ?? 600;
  const print = opts.print ?? ((l: string) => console.log(l));
  const b = await startAlertBackend({
    address: opts.address ?? '127.0.12.54',
    settings: {
      shared_buffers: '256MB',
      ...(opts.fsync ? { fsync: 'on', synchronous_commit: 'on' } : {}),
      ...(opts.profile ? PROFILE_SETTINGS : {}),
    },
  });
  try {
    const maxWorkers = Math.max(...(opts.workers ?? [1, 3]));
    await seedAlertBench(
      b,
      servers,
      maxWorkers,
      opts.historyMinutes ?? 120,
      opts.agents ?? servers - maxWorkers,
    );
    await installPerAlertOracle(b.admin);
    await b.sql('ANALYZE');
    const [{ n: alerts }] = (await b.sql<{ n: number }>('SELECT count(*)::int AS n FROM pem.alert')) as [
      { n: number },
    ];
    const [{ v }] = (await b.sql<{ v: string }>("SELECT current_setting('server_version') AS v")) as [
      { v: string },
    ];
    const [{ need }] = (await b.sql<{ need: number }>(
      'SELECT sum(1.0 / interval_s)::float8 AS need FROM pem.alert WHERE enabled',
    )) as [{ need: number }];
    // each alert once per measurement: the intervals are stretched so nothing comes due again meanwhile
    await b.sql('UPDATE pem.alert SET interval_s = 86400');
    print(
      `alert bench: ${servers} servers + ${opts.agents ?? servers} agents, ${alerts} alerts (their default intervals need ${Math.round(need)} evaluations/s), PostgreSQL ${v}${opts.fsync ? ', fsync on' : ', fsync off'}`,
    );
    const runs: AlertBenchRun[] = [];
    const plan = (opts.planModes ?? ['auto']).flatMap((planMode) =>
      (opts.paths ?? ['main', 'batched']).flatMap((path) =>
        (opts.workers ?? [1, 3]).map((workers) => ({ path, workers, planMode })),
      ),
    );
    for (const { path, workers, planMode } of plan) {
      // the workers' sessions (opened below) take it from the database's settings
      await b.sql(
        `DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET plan_cache_mode = %L', current_database(), '${PLAN_CACHE_MODE[planMode]}'); END $$`,
      );
      // due in the last second, spread as bound alerts are (pem.bind_alerts spreads first evaluations)
      await b.sql(
        `UPDATE pem.alert SET next_due = now() - interval '1 second' + (id % 997) * interval '1 millisecond',
                state = 'none', flap_bits = 0, flap_seen = 0, flapping = false, event_seq = 0,
                last_notified_at = NULL, last_notified_state = NULL`,
      );
      // Agent Down reads the heartbeat's age: fresh for every run, so each path sees the same states
      await b.sql('UPDATE pem.agent SET last_heartbeat = now()');
      if (path === 'main') await b.sql(MAIN_LATEST_COLUMN_SQL);
      else await restoreLatestColumn(b.admin);
      await b.sql('SELECT pg_sleep(1)'); // all of them due
      await b.sql('DELETE FROM pem.notification_outbox');
      await b.sql('UPDATE pem.alert SET last_eval_ms = NULL');
      await b.sql('VACUUM ANALYZE pem.alert');
      const conns: HaConnection[] = [];
      for (let i = 1; i <= workers; i++) conns.push(b.agentConn(i, { queryTimeoutMs: 120_000 }));
      for (const c of conns) await c.query('SELECT 1');
      if (opts.profile) await resetProfile(b.admin);
      const loadAvgStart = loadavg().map((x) => Math.round(x * 100) / 100);
      const t0 = process.hrtime.bigint();
      const per = await Promise.all(
        conns.map(async (c, i) => {
          let n = 0;
          let notes = 0;
          for (;;) {
            const s = await evaluateDueAlerts(c, i + 1, {
              batchSize: opts.batchSize ?? 200,
              statementTimeoutMs: 60_000,
              maxBatches: 1000,
              perAlertOracle: path !== 'batched',
            });
            n += s.evaluated;
            notes += s.notifications;
            if (s.evaluated === 0) break;
          }
          return { n, notes };
        }),
      );
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const evaluated = per.reduce((x, p) => x + p.n, 0);
      const templates = await b.sql<AlertTemplateTiming>(
        `SELECT template, count(*)::int AS alerts, round(avg(last_eval_ms)::numeric, 3)::float8 AS "msPerEvaluation"
           FROM pem.alert WHERE last_eval_ms IS NOT NULL GROUP BY template ORDER BY 3 DESC`,
      );
      const run: AlertBenchRun = {
        path,
        workers,
        planMode,
        templates,
        loadAvgStart,
        loadAvgEnd: loadavg().map((x) => Math.round(x * 100) / 100),
        alerts,
        evaluated,
        seconds: Math.round(seconds * 1000) / 1000,
        alertsPerSecond: Math.round(evaluated / seconds),
        notifications: per.reduce((x, p) => x + p.notes, 0),
      };
      runs.push(run);
      print(
        `  ${path}, ${workers} worker(s), plans ${planMode}: ${evaluated} alerts in ${run.seconds} s = ${run.alertsPerSecond} alerts/s (${run.notifications} outbox rows; load average ${run.loadAvgStart.join(' / ')} at the start, ${run.loadAvgEnd.join(' / ')} at the end)`,
      );
      for (const t of templates)
        print(`    ${t.msPerEvaluation.toFixed(3)} ms  ${t.template} (${t.alerts} alerts)`);
      for (const c of conns) await c.close();
      if (opts.profile && workers === 1) await printProfile(b.admin, print, path !== 'batched');
    }
    return { servers, alerts, requiredPerSecond: Math.round(need), postgresVersion: v, runs };
  } finally {
    await b.stop();
  }
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runAlertBench({
    servers: Number(arg('servers') ?? 600),
    workers: (arg('workers') ?? '1,3').split(',').map(Number),
    paths: (arg('paths') ?? 'main,batched').split(',') as AlertEvalPath[],
    batchSize: Number(arg('batch') ?? 200),
    fsync: arg('fsync') === 'on',
    profile: process.argv.includes('--profile'),
    planModes: (arg('plan-modes') ?? 'auto').split(',') as AlertPlanMode[],
    historyMinutes: Number(arg('history-minutes') ?? 120),
    ...(arg('agents') ? { agents: Number(arg('agents')) } : {}),
  }).then(
    (r) => console.log(JSON.stringify(r)),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
