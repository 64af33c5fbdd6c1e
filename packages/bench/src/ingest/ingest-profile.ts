/**
 * Where a ship batch's time goes (issue 19, "Ingest"): the ingest
 * benchmark's load (ingest/rows.ts, `agents` agents shipping `batches`
 * batches of `batchSize` samples each through the agent's `shipBatch`, at
 * once) on a throw-away PostgreSQL with the ingest benchmark's durable
 * settings, plus `pg_stat_statements` (track = all, so the statements inside
 * `pem.ingest_batch` are counted apart) and `auto_explain` (EXPLAIN ANALYZE
 * with BUFFERS, nested statements and triggers, for one batch of agent 1
 * after the load). Prints, per statement, calls, total and mean time, and the
 * share of the time all top-level statements took, and how often and how
 * long each was planned; then the plans of one
 * batch from the server log.
 *
 * Sources: PostgreSQL 15 documentation, F.32 pg_stat_statements (columns
 * calls, total_exec_time in ms, toplevel; with track_planning, plans and
 * total_plan_time: how often and how long each statement was planned), F.4 auto_explain (log_analyze,
 * log_buffers, log_nested_statements, log_triggers, log_min_duration).
 *
 * Run (starts PostgreSQL on 127.0.15.51):
 * `/work/bin/int-run ingest-profile node packages/bench/dist/ingest/ingest-profile.js [--agents 8] [--batches 10] [--batch-size 1000]`
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { shipBatch } from '@pharos/agent/ship/ship-batch';
import { migrate } from '@pharos/backend/migrations/run';
import { HaConnection } from '@pharos/core/ha/connection';
import { startPostgres } from '@pharos/testkit/postgres/postgres-server';
import { createBenchAgents } from './bench-agents.js';
import { makeBatches, withFreshIds } from './rows.js';

const SETTINGS = {
  fsync: 'on',
  synchronous_commit: 'on',
  full_page_writes: 'on',
  shared_buffers: '128MB',
  max_wal_size: '2GB',
  max_connections: '100',
  shared_preload_libraries: 'pg_stat_statements,auto_explain',
  'pg_stat_statements.track': 'all',
  'pg_stat_statements.track_utility': 'on',
  'pg_stat_statements.track_planning': 'on',
  'auto_explain.log_min_duration': '-1',
  'auto_explain.log_analyze': 'on',
  'auto_explain.log_buffers': 'on',
  'auto_explain.log_timing': 'on',
  'auto_explain.log_triggers': 'on',
  'auto_explain.log_nested_statements': 'on',
};

interface StatementRow {
  toplevel: boolean;
  calls: string;
  total_ms: number;
  mean_ms: number;
  plans: string;
  plan_ms: number;
  rows: string;
  query: string;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      agents: { type: 'string', default: '8' },
      batches: { type: 'string', default: '10' },
      'batch-size': { type: 'string', default: '1000' },
      address: { type: 'string', default: '127.0.15.51' },
    },
  });
  const agents = Number(values.agents);
  const batches = Number(values.batches);
  const batchSize = Number(values['batch-size']);
  const pg = await startPostgres({ address: values.address, settings: SETTINGS });
  const conns: HaConnection[] = [];
  try {
    await pg.psql('CREATE DATABASE pem');
    const admin = new HaConnection({ conninfo: pg.conninfo('postgres', 'pem'), queryTimeoutMs: 300_000 });
    conns.push(admin);
    await migrate((fn) => admin.transaction(fn));
    await admin.query('CREATE EXTENSION pg_stat_statements');
    await admin.query('SELECT pem.ensure_history_partitions(2)');
    await createBenchAgents(admin, agents);
    const base = `host=${values.address} port=${pg.port} dbname=pem sslmode=disable`;
    const agentConns = Array.from(
      { length: agents },
      (_, i) =>
        new HaConnection({
          conninfo: `${base} user=agent${i + 1} password=bench${i + 1}`,
          queryTimeoutMs: 120_000,
        }),
    );
    conns.push(...agentConns);
    const startMs = Date.now();
    const work = Array.from({ length: agents }, (_, i) =>
      makeBatches(batches + 1, batchSize, 1 + i * 10_000_000, startMs),
    );
    // warm-up: one batch per agent (connections, plans, caches), then the counters from zero
    await Promise.all(
      agentConns.map((c, i) => shipBatch(c, i + 1, withFreshIds(work[i]!.slice(0, 1))[0]!, 120_000)),
    );
    await admin.query('SELECT pg_stat_statements_reset()');
    const started = performance.now();
    await Promise.all(
      agentConns.map(async (c, i) => {
        for (const b of work[i]!.slice(1)) await shipBatch(c, i + 1, b, 120_000);
      }),
    );
    const wallS = (performance.now() - started) / 1000;
    const samples = agents * batches * batchSize;
    console.log(
      `${agents} agents × ${batches} batches × ${batchSize} samples: ${wallS.toFixed(2)} s, ${(samples / wallS).toFixed(0)} samples/s`,
    );
    const stats = await admin.query<StatementRow>(
      `SELECT s.toplevel, sum(s.calls)::text AS calls, sum(s.total_exec_time) AS total_ms,
              sum(s.total_exec_time) / sum(s.calls) AS mean_ms, sum(s.rows)::text AS rows,
              sum(s.plans)::text AS plans, sum(s.total_plan_time) AS plan_ms,
              regexp_replace(s.query, '\\s+', ' ', 'g') AS query
         FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid
         JOIN pg_database d ON d.oid = s.dbid AND d.datname = 'pem'
        WHERE r.rolname LIKE 'agent%' OR NOT s.toplevel
        GROUP BY s.toplevel, s.query
        ORDER BY sum(s.total_exec_time) DESC`,
    );
    const topTotal = stats.rows.filter((r) => r.toplevel).reduce((a, r) => a + r.total_ms, 0);
    console.log(
      `\nstatements of the agents (pg_stat_statements; top-level total ${topTotal.toFixed(0)} ms):`,
    );
    console.log('level  calls  total ms  mean ms  share  rows  plans  plan ms  statement');
    for (const r of stats.rows) {
      console.log(
        `${r.toplevel ? 'top   ' : 'nested'} ${r.calls.padStart(5)} ${r.total_ms.toFixed(1).padStart(9)} ${r.mean_ms
          .toFixed(2)
          .padStart(
            8,
          )} ${`${((100 * r.total_ms) / topTotal).toFixed(1)}%`.padStart(6)} ${r.rows.padStart(6)} ${r.plans.padStart(6)} ${r.plan_ms.toFixed(1).padStart(8)}  ${r.query.slice(0, 160)}`,
      );
    }
    // one batch of agent 1 with EXPLAIN ANALYZE of every statement in the server log
    await admin.query('ALTER ROLE agent1 SET auto_explain.log_min_duration = 0');
    await agentConns[0]!.close();
    const explained = new HaConnection({
      conninfo: `${base} user=agent1 password=bench1`,
      queryTimeoutMs: 120_000,
    });
    conns.push(explained);
    const logBefore = (await readFile(pg.logFile, 'utf8')).length;
    await shipBatch(
      explained,
      1,
      withFreshIds(makeBatches(1, batchSize, 9_000_000, startMs + batches * batchSize + 1000))[0]!,
      120_000,
    );
    await admin.query('ALTER ROLE agent1 RESET auto_explain.log_min_duration');
    const log = (await readFile(pg.logFile, 'utf8')).slice(logBefore);
    console.log('\nauto_explain of one batch (agent 1):');
    console.log(log);
  } finally {
    for (const c of conns) await c.close().catch(() => {});
    await pg.stop();
  }
}

await main();
