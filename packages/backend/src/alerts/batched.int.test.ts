/**
 * The batched evaluation path (pem.evaluate_due_alerts) against the per-alert
 * path it replaced (testing/per-alert-oracle.ts), on two real PostgreSQL
 * servers (127.0.12.57, .58) given the same registrations, templates and
 * probe data round after round: the same states, values, details, flapping,
 * history, outbox rows and problems. Among the templates: one that fails
 * for every alert, one that fails for one alert's data only (its group goes
 * one by one), one whose row has no value column, one whose value is text,
 * one with a trailing semicolon, and thresholds out of order. The data has
 * no ties where a template orders by value alone (ORDER BY 1 DESC LIMIT 1):
 * which of two equal rows comes first is the plan's choice, and the two
 * paths plan differently (seen here: Multixact wraparound's detail named
 * either of two databases of equal age; the value was the same). Also: a
 * function of the batched path's name made beforehand by the agent's own
 * user is never called, and each template runs under its own plan_cache_mode
 * (migration 024), the session's own setting put back after it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HaConnection } from '@pharos/core/ha/connection';
import { type AlertBackend, startAlertBackend, TEST_AGENT_PASSWORD } from '../testing/backend.js';
import { installPerAlertOracle } from '../testing/per-alert-oracle.js';
import { evaluateDueAlerts } from './evaluate.js';

const AGENTS = 12;
const ROUNDS = 6;

const CUSTOM_TEMPLATES = `INSERT INTO pem.alert_template (name, level, sql, operator, low, medium, high, auto_bind) VALUES
  ('Broken', 'agent', 'SELECT 1/0 AS value', '>', 1, 2, 3, false),
  ('No value column', 'agent', 'SELECT 1 AS x', '>', 1, 2, 3, false),
  ('Text value', 'agent', 'SELECT ''7''::text AS value', '>', 1, 5, 10, false),
  ('Semicolon', 'agent', 'SELECT 6::float8 AS value, ''six'' AS detail;  ', '>', 1, 5, 10, false),
  ('Picky', 'agent', $q$SELECT (l.value ->> 'v')::float8 AS value, l.value ->> 'v' AS detail
     FROM pem.latest_row($1, 0, 'custom', 300) l$q$, '>', 10, 20, 30, false)`;

/** Probe data of round r, every shape the built-in templates read, values moving between rounds. */
const DATA_SQL = `
WITH a AS (SELECT id, id + $1::int AS k FROM pem.agent),
s AS (SELECT s.id, b.agent_id, s.id + $1::int AS k FROM pem.server s JOIN pem.server_binding b ON b.server_id = s.id),
rows AS (
  SELECT id AS agent_id, 0 AS server_id, 'cpu' AS probe, '' AS object, jsonb_build_object('busy_pct', (k * 37) % 100) AS value FROM a
  UNION ALL SELECT id, 0, 'memory', '', jsonb_build_object('used_pct', CASE WHEN k % 2 = 0 THEN 97 ELSE 20 END) FROM a
  UNION ALL SELECT id, 0, 'swap', '', jsonb_build_object('used_pct', (k * 13) % 90) FROM a
  UNION ALL SELECT id, 0, 'load_avg', '', jsonb_build_object('load5', (k % 9) * 1.5, 'cpus', 4) FROM a
  UNION ALL SELECT id, 0, 'disk_space', m, jsonb_build_object('mount_point', m, 'used_pct', (k * 7 + length(m)) % 100)
    FROM a, unnest(ARRAY['/', '/var/lib/postgresql']) m
  UNION ALL SELECT id, 0, 'custom', '', jsonb_build_object('v', CASE WHEN id = 3 AND $1::int IN (2, 3) THEN 'abc' ELSE ((k * 11) % 40)::text END) FROM a
  UNION ALL SELECT agent_id, id, 'server_up', '', jsonb_build_object('up', CASE WHEN k % 5 = 0 THEN 0 ELSE 1 END, 'error', CASE WHEN k % 5 = 0 THEN 'refused' END) FROM s
  UNION ALL SELECT agent_id, id, 'server_info', '', jsonb_build_object('max_connections', 100, 'timeline', 1, 'in_recovery', k % 2 = 0) FROM s
  UNION ALL SELECT agent_id, id, 'connections_by_state', st, jsonb_build_object('state', st, 'connections', (k * 3 + length(st)) % 25)
    FROM s, unnest(ARRAY['active', 'idle', 'idle in transaction', 'idle in transaction (aborted)']) st
  UNION ALL SELECT agent_id, id, 'database_stats', '', jsonb_build_object('hit_ratio_pct', 60 + (k * 7) % 40) FROM s
  UNION ALL SELECT agent_id, id, 'session_activity', '', jsonb_build_object('longest_query_s', (k * 301) % 4000, 'oldest_xact_age_s', (k * 433) % 4000) FROM s
  UNION ALL SELECT agent_id, id, 'replication_lag', 'upstream', jsonb_build_object('lag_bytes', (k % 4) * 50000000, 'replay_lag_s', (k % 4) * 40) FROM s
  UNION ALL SELECT agent_id, id, 'replication_slots', 'slot' || n, jsonb_build_object('slot_name', 'slot' || n, 'active', (k + n) % 3 <> 0, 'slot_type', CASE WHEN n = 1 THEN 'logical' ELSE 'physical' END)
    FROM s, generate_series(1, 2) n
  UNION ALL SELECT agent_id, id, 'wal_archive', '', jsonb_build_object('pending_files', (k * 17) % 120, 'last_failed_wal', NULL) FROM s
  UNION ALL SELECT agent_id, id, 'xid_wraparound', d, jsonb_build_object('database', d, 'xid_age', ((k * 3 + length(d)) % 8) * 250000000, 'mxid_age', 10 + length(d) * (1 + k % 3))
    FROM s, unnest(ARRAY['postgres', 'app']) d
  UNION ALL SELECT agent_id, id, 'table_stats', 'app/public.t' || t, jsonb_build_object('relation', 'public.t' || t, 'n_live_tup', 10000, 'n_dead_tup', ((k + t) % 5) * 1500)
    FROM s, generate_series(1, 3) t
  UNION ALL SELECT agent_id, id, 'patroni_cluster', '', jsonb_build_object('scope', 'c', 'leader', CASE WHEN k % 6 = 0 THEN '' ELSE 'n1' END, 'has_leader', k % 6 <> 0,
    'timeline', 1 + k % 2, 'members', 3, 'members_running', 3 - k % 3, 'paused', k % 4 = 0, 'dcs_healthy', k % 3 <> 0, 'dcs_last_seen_age_s', 1) FROM s
  UNION ALL SELECT agent_id, id, 'patroni_node', '', jsonb_build_object('member', 'n' || id, 'role', CASE WHEN k % 3 = 0 THEN 'leader' ELSE 'replica' END, 'state', 'streaming', 'timeline', 1) FROM s
)
INSERT INTO pemdata.latest (agent_id, server_id, probe, object, sample_id, collected_at, value)
SELECT agent_id, server_id, probe, object, row_number() OVER () + $1::int * 100000, now(), value FROM rows
ON CONFLICT (agent_id, server_id, probe, object) DO UPDATE
  SET sample_id = excluded.sample_id, collected_at = now(), value = excluded.value`;

/** What evaluation decided, without times (the two servers evaluate at different moments). */
const OUTCOME_SQL = {
  alerts: `SELECT id, template, state, previous_state, last_value, last_detail, flap_bits, flap_seen, flapping, event_seq,
                  maintenance_held, last_notified_state, last_error, error_count, evaluations, missed_slots
             FROM pem.alert ORDER BY id`,
  history: `SELECT alert_id, event, old_state, new_state, value, detail, threshold, flapping, notified, maintenance_id
              FROM pem.alert_history ORDER BY alert_id, id`,
  outbox: `SELECT alert_id, idempotency_key, channel, event, context - 'raised_at' - 'event_at' AS context
             FROM pem.notification_outbox ORDER BY alert_id, id`,
  problems: 'SELECT alert_id, template, kind, message FROM pem.alert_problem ORDER BY alert_id, id',
};

async function prepare(b: AlertBackend): Promise<void> {
  for (let i = 1; i <= AGENTS; i++) await b.addAgent(i, { backend: i === 1 });
  for (let i = 2; i <= AGENTS; i++) await b.addServer(`db${i}`, i);
  await b.sql(CUSTOM_TEMPLATES);
  await b.sql(
    `INSERT INTO pem.alert (template, agent_id, operator, low, medium, high, interval_s)
     SELECT t.name, a.id, t.operator, t.low, t.medium, t.high, 60
       FROM pem.alert_template t CROSS JOIN pem.agent a WHERE NOT t.auto_bind`,
  );
  // Agent Down's value is the heartbeat's age at the moment of evaluation: not the same on both servers
  await b.sql("UPDATE pem.alert SET enabled = false WHERE template = 'Agent Down'");
  await b.sql(
    `UPDATE pem.alert SET low = 4, medium = 2, high = 8 WHERE template = 'Load per core' AND agent_id = 2`,
  );
  await b.sql("INSERT INTO pem.webhook (name, url) VALUES ('sink', 'http://127.0.12.57:9/none')");
  await installPerAlertOracle(b.admin);
}

describe('batched alert evaluation = the per-alert path (two real PostgreSQL servers)', {
  timeout: 300_000,
}, () => {
  let oracle: AlertBackend;
  let batched: AlertBackend;
  let oracleAgent: HaConnection;
  let batchedAgent: HaConnection;

  before(async () => {
    [oracle, batched] = await Promise.all([
      startAlertBackend({ address: '127.0.12.57' }),
      startAlertBackend({ address: '127.0.12.58' }),
    ]);
    await prepare(oracle);
    await prepare(batched);
    oracleAgent = oracle.agentConn(1);
    batchedAgent = batched.agentConn(1);
  });
  after(async () => {
    await Promise.all([oracle?.stop(), batched?.stop()]);
  });

  it(`gives the same states, values, history, notifications and problems over ${ROUNDS} rounds`, async () => {
    const [{ n: alerts }] = (await batched.sql<{ n: number }>(
      'SELECT count(*)::int AS n FROM pem.alert WHERE enabled',
    )) as [{ n: number }];
    assert.ok(alerts > 200, `${alerts} alerts enabled`);
    let changes = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [b, conn, perAlertOracle] of [
        [oracle, oracleAgent, true],
        [batched, batchedAgent, false],
      ] as const) {
        await b.sql(DATA_SQL, [round]);
        await b.sql("UPDATE pem.alert SET next_due = now() - interval '1 millisecond' WHERE enabled");
        const s = await evaluateDueAlerts(conn, 1, { batchSize: 97, perAlertOracle });
        assert.equal(s.evaluated, alerts, `round ${round}: every alert evaluated once`);
      }
      for (const [what, sql] of Object.entries(OUTCOME_SQL)) {
        const [want, got] = await Promise.all([oracle.sql(sql), batched.sql(sql)]);
        assert.deepEqual(
          got,
          want,
          `round ${round}: ${what} of the batched path differ from the per-alert path's`,
        );
      }
      changes = (await batched.sql<{ n: number }>('SELECT count(*)::int AS n FROM pem.alert_history'))[0]!.n;
    }
    // the comparison covered what it should: state changes, flapping, notifications, each kind of problem
    const seen = (
      await batched.sql<{ what: string }>(
        `SELECT DISTINCT event AS what FROM pem.alert_history
         UNION SELECT DISTINCT template || ': ' || kind FROM pem.alert_problem ORDER BY 1`,
      )
    ).map((r) => r.what);
    for (const w of ['raised', 'cleared', 'changed', 'flapping_started'])
      assert.ok(seen.includes(w), `${w} in ${seen}`);
    for (const w of [
      'Broken: template_error',
      'No value column: template_error',
      'Picky: template_error',
      'Load per core: thresholds',
    ])
      assert.ok(seen.includes(w), `${w} in ${seen}`);
    assert.ok(changes > 100, `${changes} history rows`);
    const picky = await batched.sql<{ agent_id: number; last_value: number | null; state: string }>(
      "SELECT agent_id, last_value, state FROM pem.alert WHERE template = 'Picky' ORDER BY agent_id",
    );
    assert.equal(
      picky.filter((p) => p.last_value !== null).length,
      AGENTS,
      'the Picky alerts of the other agents kept their values',
    );
    const textValue = await batched.sql<{ last_value: number; state: string }>(
      "SELECT last_value, state FROM pem.alert WHERE template = 'Text value'",
    );
    assert.ok(textValue.every((t) => t.last_value === 7 && t.state === 'medium'));
    const semicolon = await batched.sql<{ last_value: number; last_detail: string }>(
      "SELECT last_value, last_detail FROM pem.alert WHERE template = 'Semicolon'",
    );
    assert.ok(semicolon.every((t) => t.last_value === 6 && t.last_detail === 'six'));
    // the batched path did run: one function per template text in the agent's session, none in the oracle's
    const made = async (c: HaConnection) =>
      (
        await c.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_proc WHERE pronamespace = pg_my_temp_schema() AND proname LIKE 'alert\\_tpl\\_%'",
        )
      ).rows[0]!.n;
    assert.ok((await made(batchedAgent)) >= 20, 'one function per template in the batched session');
    assert.equal(await made(oracleAgent), 0);
  });

  it("never calls a function of the batched path's name that another user made in the session", async () => {
    const conn = new HaConnection({
      conninfo: `host=127.0.12.58 port=${batched.pg.port} dbname=pem user=agent1 password=${TEST_AGENT_PASSWORD} application_name=pharos-alert-test`,
    });
    try {
      const [{ sql, md5 }] = (await batched.sql<{ sql: string; md5: string }>(
        "SELECT sql, md5(sql) AS md5 FROM pem.alert_template WHERE name = 'Memory used'",
      )) as [{ sql: string; md5: string }];
      assert.ok(sql.length > 0);
      await conn.query(
        `CREATE FUNCTION pg_temp.alert_tpl_${md5}(integer, integer, text, jsonb) RETURNS jsonb LANGUAGE sql STABLE
           AS $$ SELECT '{"value": 12345}'::jsonb $$`,
      );
      await batched.sql(
        "UPDATE pem.alert SET next_due = now() - interval '1 millisecond' WHERE template = 'Memory used' AND agent_id = 2",
      );
      await batched.sql(
        `UPDATE pemdata.latest SET value = '{"used_pct": 91}', collected_at = now()
          WHERE agent_id = 2 AND server_id = 0 AND probe = 'memory'`,
      );
      const s = await evaluateDueAlerts(conn, 1);
      assert.equal(s.evaluated, 1);
      const [row] = await batched.sql<{ last_value: number; state: string }>(
        "SELECT last_value, state FROM pem.alert WHERE template = 'Memory used' AND agent_id = 2",
      );
      assert.deepEqual(
        row,
        { last_value: 91, state: 'medium' },
        'the template ran, not the planted function',
      );
    } finally {
      await conn.close();
    }
  });

  it("runs each template under its plan_cache_mode and puts the session's setting back", async () => {
    const conn = new HaConnection({
      conninfo: `host=127.0.12.58 port=${batched.pg.port} dbname=pem user=agent1 password=${TEST_AGENT_PASSWORD} application_name=pharos-alert-test`,
    });
    try {
      await batched.sql(
        `INSERT INTO pem.alert_template (name, level, sql, operator, low, medium, high, auto_bind, plan_cache_mode)
         SELECT 'Plans ' || m, 'agent', $q$SELECT 1::float8 AS value, current_setting('plan_cache_mode') AS detail$q$,
                '>', 5, 6, 7, false, m
           FROM unnest(ARRAY['auto', 'force_generic_plan', 'force_custom_plan']) m`,
      );
      await batched.sql(
        `INSERT INTO pem.alert (template, agent_id, operator, low, medium, high, interval_s, next_due)
         SELECT name, 2, '>', 5, 6, 7, 60, now() - interval '1 millisecond' FROM pem.alert_template WHERE name LIKE 'Plans %'`,
      );
      await conn.query('SET plan_cache_mode = force_custom_plan');
      const s = await evaluateDueAlerts(conn, 1);
      assert.equal(s.evaluated, 3);
      const rows = await batched.sql<{ template: string; last_detail: string }>(
        "SELECT template, last_detail FROM pem.alert WHERE template LIKE 'Plans %' ORDER BY template",
      );
      assert.deepEqual(rows, [
        { template: 'Plans auto', last_detail: 'force_custom_plan' },
        { template: 'Plans force_custom_plan', last_detail: 'force_custom_plan' },
        { template: 'Plans force_generic_plan', last_detail: 'force_generic_plan' },
      ]);
      const [session] = (await conn.query<{ m: string }>("SELECT current_setting('plan_cache_mode') AS m"))
        .rows;
      assert.equal(session!.m, 'force_custom_plan', "the session's own setting after the batch");
      await assert.rejects(
        batched.sql("UPDATE pem.alert_template SET plan_cache_mode = 'sometimes' WHERE name = 'Plans auto'"),
        /alert_template_plan_cache_mode_check/,
      );
    } finally {
      await batched.sql("UPDATE pem.alert SET enabled = false WHERE template LIKE 'Plans %'");
      await conn.close();
    }
  });
});
