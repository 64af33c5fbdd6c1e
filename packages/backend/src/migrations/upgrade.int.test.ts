/**
 * Upgrade from the schema that landed (version 7, whose migrations restated
 * every function) to the layout of sql/README.md, on real PostgreSQL
 * (127.0.8.24) with data: the v7 database is built from the migration files
 * exactly as they landed (packages/backend/fixtures/schema-v7, copied from
 * commit 1a76b3e packages/server/sql/migrations), one transaction per
 * migration as that runner did, filled through v7's own functions (ingest,
 * probe catalogue, probe log, jobs, alert evaluation), then upgraded by this
 * runner. Asserted: nothing stored is lost, the database ends up equal to a
 * fresh install (pg_dump --schema-only, privileges included, normalised), the
 * built-in templates give the same values as v7's on the same data, an
 * administrator's template change and job interval are kept, and the
 * upgraded backend still ingests and evaluates.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { HaConnection } from '@pharos/core/ha/connection';
import { postgresBinDir, startPostgres, type TestPostgres } from '@pharos/testkit/postgres/postgres-server';
import { loadMigrations, makeRelease, migrate } from './run.js';

const V7_DIR = fileURLToPath(new URL('../../fixtures/schema-v7/', import.meta.url));
const ADDRESS = '127.0.8.24';
const PASSWORD = 'agent-upgrade-pw';

type Row = Record<string, unknown>;

/** pg_dump --schema-only of `db`, without the per-run \restrict key, privileges sorted within each object. */
async function schemaDump(pg: TestPostgres, db: string): Promise<string> {
  const { stdout } = await promisify(execFile)(
    `${postgresBinDir()}/pg_dump`,
    ['--schema-only', `host=${pg.address} port=${pg.port} user=postgres dbname=${db}`],
    { env: { ...process.env, PGPASSWORD: pg.superuserPassword }, maxBuffer: 64 * 1024 * 1024 },
  );
  const isAcl = (l: string) => /^(GRANT|REVOKE|ALTER DEFAULT PRIVILEGES)/.test(l);
  return stdout
    .split('\n')
    .filter((l) => !/^\\(un)?restrict /.test(l))
    .join('\n')
    .split(/\n(?=--\n-- Name: )/)
    .map((block) => {
      if (!/Type: (DEFAULT )?ACL;/.test(block)) return block;
      const lines = block.split('\n');
      return [...lines.filter((l) => !isAcl(l)), ...lines.filter(isAcl).sort()].join('\n');
    })
    .join('\n');
}

describe('upgrade from the landed schema (version 7) to the SQL layout', { timeout: 300_000 }, () => {
  let pg: TestPostgres;
  const conns: HaConnection[] = [];
  const connect = (db: string, user = 'postgres') => {
    const c = new HaConnection({
      conninfo:
        user === 'postgres'
          ? pg.conninfo('postgres', db)
          : `host=${ADDRESS} port=${pg.port} dbname=${db} user=${user} password=${PASSWORD}`,
      queryTimeoutMs: 60_000,
    });
    conns.push(c);
    return c;
  };
  let admin: HaConnection;
  const q = async <R = Row>(sql: string, params?: unknown[]) => (await admin.query<R>(sql, params)).rows;
  let sampleId = 1;

  /** Ships rows as agent `agentId` the way the agent does (temp table, pem.ingest_batch). */
  async function ship(agent: HaConnection, agentId: number, rows: Row[]): Promise<boolean> {
    return await agent.transaction(async (tx) => {
      await tx.query(
        'CREATE TEMP TABLE incoming_sample (sample_id bigint, server_id integer, probe text, object text, collected_at timestamptz, value jsonb) ON COMMIT DROP',
      );
      await tx.query(
        `INSERT INTO incoming_sample SELECT * FROM jsonb_to_recordset($1::jsonb)
           AS x(sample_id bigint, server_id integer, probe text, object text, collected_at timestamptz, value jsonb)`,
        [
          JSON.stringify(
            rows.map((r) => ({ sample_id: sampleId++, object: '', collected_at: new Date(), ...r })),
          ),
        ],
      );
      return (
        await tx.query<{ s: boolean }>('SELECT pem.ingest_batch($1, gen_random_uuid()) AS s', [agentId])
      ).rows[0]!.s;
    });
  }

  /** value/detail of the built-in templates on agent 1 (agent level) or server 1, as the evaluator calls them. */
  async function templateValues(): Promise<Row[]> {
    return await q(
      `SELECT t.name, r.value, r.detail
         FROM pem.alert_template t,
              pem.alert_template_value(t.sql, 1, CASE WHEN t.level = 'agent' THEN NULL ELSE 1 END, '',
                                       t.params) r
        WHERE t.builtin AND t.name <> 'Agent Down' ORDER BY t.name`, // Agent Down: an age, it grows
    );
  }

  /** What must survive the upgrade unchanged. */
  async function stored(): Promise<Row> {
    const one = async (sql: string) => (await q(sql)).map((r) => JSON.stringify(r));
    return {
      agents: await one(
        'SELECT id, user_name, display_name, active, agent_version FROM pem.agent ORDER BY id',
      ),
      // the columns version 7 had (version 10 adds the fleet's)
      servers: await one(
        'SELECT id, display_name, host, port, maintenance_db, is_pem_backend, active, registered_at FROM pem.server ORDER BY id',
      ),
      bindings: await one('SELECT * FROM pem.server_binding ORDER BY server_id'),
      // the administrator's part of the probes v7's agents had defined (the release's catalogue owns the rest)
      probes: await one(
        `SELECT name, interval_s, enabled, history_mode, retention_days, history_expired_through FROM pem.probe
          WHERE name IN ('cpu', 'server_up', 'xid_wraparound') ORDER BY name`,
      ),
      batches: await one(
        `SELECT agent_id, batch_id, first_sample_id, last_sample_id, sample_count, received_at, stored_count
           FROM pem.ship_batch ORDER BY agent_id, first_sample_id`,
      ),
      // statement_texts apart: migration 017 takes passwords out of them (its own test below)
      history: await one(
        "SELECT * FROM pemhistory.sample WHERE probe <> 'statement_texts' ORDER BY agent_id, sample_id",
      ),
      latest: await one(
        "SELECT * FROM pemdata.latest WHERE probe <> 'statement_texts' ORDER BY agent_id, server_id, probe, object",
      ),
      probeLog: await one('SELECT * FROM pem.probe_log ORDER BY id'),
      // the columns version 7 had (version 14 adds the maintenance windows')
      alerts: await one("SELECT to_jsonb(a) - 'maintenance_held' AS a FROM pem.alert a ORDER BY id"),
      alertHistory: await one(
        "SELECT to_jsonb(h) - 'maintenance_id' AS h FROM pem.alert_history h ORDER BY id",
      ),
      outbox: await one('SELECT * FROM pem.notification_outbox ORDER BY id'),
      webhooks: await one('SELECT * FROM pem.webhook ORDER BY id'),
      // the jobs version 7 had (later versions add theirs)
      jobs: await one(
        `SELECT name, interval_s, last_run_at, last_status FROM pem.job
          WHERE name IN ('alert_housekeeping', 'history_partitions', 'history_retention', 'history_rollup', 'ship_batch_retention')
          ORDER BY name`,
      ),
      partitions: await one(
        `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
          WHERE i.inhparent = 'pemhistory.sample'::regclass ORDER BY 1`,
      ),
      customTemplate: await one(
        "SELECT name, level, sql, operator, low, medium, high, builtin, updated_at FROM pem.alert_template WHERE name = 'My template'",
      ),
    };
  }

  /** statement_texts objects and texts shipped by version 7, and what migration 017 leaves of them. */
  const STATEMENT_TEXTS: [string, string, string][] = [
    [
      'postgres/postgres/1',
      "CREATE ROLE pem_monitor LOGIN PASSWORD 'Sup3r-secret' IN ROLE pg_monitor",
      "CREATE ROLE pem_monitor LOGIN PASSWORD '***' IN ROLE pg_monitor",
    ],
    [
      'postgres/postgres/2',
      "CREATE SUBSCRIPTION s CONNECTION 'host=h password=Sup3r-secret user=u' PUBLICATION p",
      "CREATE SUBSCRIPTION s CONNECTION 'host=h password=*** user=u' PUBLICATION p",
    ],
    [
      'postgres/postgres/3',
      'SELECT name FROM pg_settings WHERE name = $1',
      'SELECT name FROM pg_settings WHERE name = $1',
    ],
  ];

  let v7Values: Row[];
  let v7Stored: Row;

  before(async () => {
    pg = await startPostgres({ address: ADDRESS });
    await pg.psql('CREATE DATABASE upgraded');
    await pg.psql('CREATE DATABASE fresh');
    admin = connect('upgraded');
    // version 7 as it landed: one transaction per migration, as that runner did
    const v7 = loadMigrations(V7_DIR);
    assert.equal(v7.length, 7);
    for (let v = 1; v <= 7; v++) await migrate((fn) => admin.transaction(fn), makeRelease(v7.slice(0, v)));
    await q('DROP TABLE public.pharos_schema_definitions'); // that runner had none
    // data, through v7's own functions
    for (const id of [1, 2]) {
      await q(`CREATE ROLE agent${id} LOGIN PASSWORD '${PASSWORD}' IN ROLE pem_agent`);
      await q(
        'INSERT INTO pem.agent (id, user_name, display_name, last_heartbeat) VALUES ($1, $2, $3, now())',
        [id, `agent${id}`, `host-${id}`],
      );
      const [s] = await q<{ id: number }>(
        'INSERT INTO pem.server (display_name, host, port, is_pem_backend) VALUES ($1, $2, 5432, $3) RETURNING id',
        [`server-${id}`, `10.0.0.${id}`, id === 1],
      );
      await q(
        "INSERT INTO pem.server_binding (server_id, agent_id, host, port, user_name) VALUES ($1, $2, '127.0.0.1', 5432, 'pem_monitor')",
        [s!.id, id],
      );
    }
    const a1 = connect('upgraded', 'agent1');
    await a1.query('SELECT pem.agent_sync_probes(1, $1::jsonb)', [
      JSON.stringify([
        { name: 'cpu', level: 'agent', interval_s: 10, description: 'CPU', counter_columns: [] },
        { name: 'server_up', level: 'server', interval_s: 10, history_mode: 'changes' },
        { name: 'xid_wraparound', level: 'database', interval_s: 300, retention_days: 30 },
      ]),
    ]);
    const ago = (s: number) => new Date(Date.now() - s * 1000);
    const host = (probe: string, value: Row, object = '') => ({ server_id: 0, probe, object, value });
    const srv = (probe: string, value: Row, object = '') => ({ server_id: 1, probe, object, value });
    assert.equal(
      await ship(a1, 1, [
        { ...host('cpu', { busy_pct: 42.5 }), collected_at: ago(30) },
        host('cpu', { busy_pct: 97.25 }),
        host('memory', { used_pct: 91 }),
        host('swap', { used_pct: 12 }),
        host('load_avg', { load5: 6, cpus: 2 }),
        host('disk_space', { used_pct: 81 }, '/'),
        host('disk_space', { used_pct: 96 }, '/var'),
        srv('server_up', { up: 0, error: 'connection refused' }),
        srv('connections_by_state', { connections: 80 }, 'active'),
        srv('connections_by_state', { connections: 12 }, 'idle in transaction'),
        srv('server_info', { max_connections: 100 }),
        srv('session_activity', { longest_query_s: 1000, oldest_xact_age_s: 4000 }),
        srv('table_stats', { n_live_tup: 2000, n_dead_tup: 1500 }, 'app/public.t1'),
        srv('table_stats', { n_live_tup: 5000, n_dead_tup: 100 }, 'app/public.t2'),
        srv('database_stats', { hit_ratio_pct: 75 }),
        srv('xid_wraparound', { xid_age: 1200000000, mxid_age: 10 }, 'app'),
        srv('xid_wraparound', { xid_age: 600000000, mxid_age: 700000000 }, 'postgres'),
        srv('replication_lag', { lag_bytes: 70000000, replay_lag_s: 40 }, 'standby-a'),
        srv('replication_lag', { lag_bytes: 1000, replay_lag_s: 1 }, 'standby-b'),
        srv('replication_slots', { active: false }, 'slot_a'),
        srv('replication_slots', { active: true }, 'slot_b'),
        srv('wal_archive', { pending_files: 60, last_failed_wal: '000000010000000000000007' }),
        srv('patroni_cluster', {
          leader: '',
          scope: 'pem',
          dcs_healthy: false,
          dcs_last_seen_age_s: 40,
          paused: true,
          timeline: 3,
          members: 3,
          members_running: 2,
        }),
        srv('patroni_node', { member: 'pem-2', role: 'replica', timeline: 2 }),
        // texts as pg_stat_statements keeps utility statements: constants and all (migration 017)
        ...STATEMENT_TEXTS.map(([object, query]) =>
          srv('statement_texts', { queryid: object, query }, object),
        ),
      ]),
      true,
    );
    await a1.query('SELECT pem.log_probe_failures(1, $1::jsonb)', [
      JSON.stringify([
        { server_id: 1, probe: 'settings', failed_at: new Date(), error: 'permission denied', code: '42501' },
      ]),
    ]);
    await q("INSERT INTO pem.webhook (name, url) VALUES ('ops', 'https://hooks.example/ops')");
    await q('SELECT * FROM pem.run_due_jobs(true)');
    await q("UPDATE pem.alert SET next_due = now() - interval '1 ms'");
    await a1.query('SELECT * FROM pem.evaluate_due_alerts(1, 1000)');
    // an administrator's changes: a built-in template edited in the web application, a job interval
    await q(
      "UPDATE pem.alert_template SET sql = 'SELECT 7::float8 AS value', updated_at = now() WHERE name = 'Swap used'",
    );
    await q("UPDATE pem.job SET interval_s = 7200 WHERE name = 'history_partitions'");
    await q(
      `INSERT INTO pem.alert_template (name, level, sql, operator, low, medium, high)
       VALUES ('My template', 'server', 'SELECT 1::float8 AS value', '>', 1, 2, 3)`,
    );
    v7Values = await templateValues();
    v7Stored = await stored();
  });

  after(async () => {
    for (const c of conns) await c.close().catch(() => {});
    await pg?.stop();
  });

  it('applies version 8 and the definitions, in one run', async () => {
    const r = await migrate((fn) => admin.transaction(fn));
    assert.deepEqual(
      [r.before, r.after, r.applied.map((m) => m.version), r.definitionsApplied],
      [
        7,
        loadMigrations().at(-1)!.version,
        loadMigrations()
          .slice(7)
          .map((m) => m.version),
        true,
      ],
    );
    const again = await migrate((fn) => admin.transaction(fn));
    assert.deepEqual([again.applied, again.definitionsApplied], [[], false]);
  });

  it('loses nothing stored, and keeps what an administrator changed', async () => {
    assert.deepEqual(await stored(), v7Stored);
    const [swap] = await q<{ sql: string; shipped_at: Date | null }>(
      "SELECT sql, shipped_at FROM pem.alert_template WHERE name = 'Swap used'",
    );
    assert.deepEqual([swap!.sql, swap!.shipped_at], ['SELECT 7::float8 AS value', null]);
    // the probe catalogue now ships with the release: every probe, described as the release does
    const [p] = await q<{ n: number; cpu: string }>(
      "SELECT count(*)::int AS n, max(description) FILTER (WHERE name = 'cpu') AS cpu FROM pem.probe",
    );
    assert.ok(p!.n >= 40, `${p!.n} probes`);
    assert.notEqual(p!.cpu, 'CPU');
  });

  it('takes the passwords out of the SQL texts stored before agents redacted them (017), and only them', async () => {
    for (const table of ['pemhistory.sample', 'pemdata.latest']) {
      const rows = await q<{ object: string; query: string }>(
        `SELECT object, value->>'query' AS query FROM ${table} WHERE probe = 'statement_texts' ORDER BY object`,
      );
      assert.deepEqual(
        rows.map((r) => [r.object, r.query]),
        STATEMENT_TEXTS.map(([object, , redacted]) => [object, redacted]),
        table,
      );
    }
  });

  it('gives the same template values as version 7 on the same data', async () => {
    const now = await templateValues();
    const changed = (
      await q<{ name: string }>(
        "SELECT name FROM pem.alert_template WHERE builtin AND sql LIKE '%pem.latest_%' ORDER BY name",
      )
    ).map((r) => r.name);
    assert.ok(changed.length >= 20, `templates on the helpers: ${changed.join(', ')}`);
    assert.deepEqual(now, v7Values);
    // not all NULL: the data made most of them fire
    assert.ok(now.filter((r) => r.value !== null && Number(r.value) !== 0).length >= 15, JSON.stringify(now));
  });

  it('ends up equal to a fresh install: schema, functions, views and privileges', async () => {
    const fresh = connect('fresh');
    await migrate((fn) => fresh.transaction(fn));
    await fresh.query('SELECT * FROM pem.run_due_jobs(true)'); // the daily partitions, as in the upgraded one
    assert.equal(await schemaDump(pg, 'upgraded'), await schemaDump(pg, 'fresh'));
    const catalogue = `SELECT name, level, sql, operator, low, medium, high, interval_s, description, unit, params,
                              auto_bind, builtin, probes, shipped_at = updated_at AS shipped
                         FROM pem.alert_template WHERE builtin AND name <> 'Swap used' ORDER BY name`;
    const jobs = 'SELECT name, fn::text FROM pem.job ORDER BY name';
    assert.deepEqual(await q(catalogue), (await fresh.query(catalogue)).rows);
    assert.deepEqual(await q(jobs), (await fresh.query(jobs)).rows);
  });

  it('still ingests and runs its jobs and alerts after the upgrade', async () => {
    const a2 = connect('upgraded', 'agent2');
    assert.equal(await ship(a2, 2, [{ server_id: 2, probe: 'server_up', value: { up: 1 } }]), true);
    // the history as of three days ago too, so that the compaction (migration 019) has a closed day
    await q(`INSERT INTO pemhistory.sample SELECT agent_id, sample_id + 1000000, server_id, probe, object,
                    collected_at - interval '3 days', value FROM pemhistory.sample`);
    const samples = `SELECT agent_id, sample_id, server_id, probe, object, collected_at, value::text AS value
                       FROM %s ORDER BY agent_id, sample_id`;
    const before = await q(samples.replace('%s', 'pemhistory.sample'));
    const jobs = await q<{ job: string; status: string }>('SELECT job, status FROM pem.run_due_jobs(true)');
    const again = await q<{ job: string; detail: string }>('SELECT job, detail FROM pem.run_due_jobs(true)');
    assert.match(again.find((j) => j.job === 'history_compact')!.detail, /: [1-9]\d* samples compacted$/);
    assert.deepEqual(
      await q(samples.replace('%s', "pem.history_samples(NULL, NULL, '-infinity', 'infinity')")),
      before,
    );
    assert.deepEqual(
      jobs.map((j) => [j.job, j.status]),
      [
        ['agent_task_retention', 'ok'],
        ['history_compact', 'ok'],
        ['history_partitions', 'ok'],
        ['history_retention', 'ok'],
        ['history_rollup', 'ok'],
        ['ship_batch_retention', 'ok'],
      ],
    );
    await q("UPDATE pem.alert SET next_due = now() - interval '1 ms'");
    const a1 = connect('upgraded', 'agent1');
    const [e] = (
      await a1.query<{ evaluated: number; problems: number }>(
        'SELECT * FROM pem.evaluate_due_alerts(1, 1000)',
      )
    ).rows;
    assert.ok(e!.evaluated > 0);
    assert.equal(e!.problems, 0);
  });
});
