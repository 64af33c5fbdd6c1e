/**
 * What an agent may write (issue 16 M1), on a real PostgreSQL (127.0.8.26):
 * agent 1 cannot store samples or probe failures for agent 2's server or for
 * a server that does not exist, nor stamp them further ahead of the
 * backend's clock than pem.ingest_settings allows; such samples are dropped,
 * counted and said, while the batch is acknowledged exactly once (a retry
 * stores nothing). Readers (the alert template helpers, the web's
 * pemdata.server_latest) take a server's values from its bound agent.
 * And (issue 16 M2) the probe catalogue ships with the release (127.0.8.27):
 * no agent can change it.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { HaConnection } from '@pharos/core/ha/connection';
import { migrate } from '../migrations/run.js';
import { type AlertBackend, startAlertBackend } from '../testing/backend.js';

type Sample = { server_id: number; probe: string; object?: string; collected_at?: Date; value: unknown };

describe('an agent writes only for its own host and its bound servers, never ahead of the clock', {
  timeout: 120_000,
}, () => {
  let b: AlertBackend;
  let agent1: HaConnection;
  let own: number; // server bound to agent 1
  let other: number; // server bound to agent 2
  let sampleId = 1;
  const inSeconds = (s: number) => new Date(Date.now() + s * 1000);

  /** Ships `samples` as agent 1 in one batch, as the agent does (temp table, pem.ingest_batch). */
  async function ship(samples: Sample[], batchId = randomUUID()): Promise<boolean> {
    return await agent1.transaction(async (tx) => {
      await tx.query(
        'CREATE TEMP TABLE incoming_sample (sample_id bigint, server_id integer, probe text, object text, collected_at timestamptz, value jsonb) ON COMMIT DROP',
      );
      await tx.query(
        `INSERT INTO incoming_sample SELECT * FROM jsonb_to_recordset($1::jsonb)
           AS x(sample_id bigint, server_id integer, probe text, object text, collected_at timestamptz, value jsonb)`,
        [
          JSON.stringify(
            samples.map((s) => ({ sample_id: sampleId++, object: '', collected_at: new Date(), ...s })),
          ),
        ],
      );
      return (await tx.query<{ s: boolean }>('SELECT pem.ingest_batch(1, $1::uuid) AS s', [batchId])).rows[0]!
        .s;
    });
  }
  const stored = async (probe: string) =>
    await b.sql<{ server_id: number; value: Record<string, unknown> }>(
      `SELECT * FROM (SELECT server_id, value FROM pemhistory.sample WHERE probe = $1
                      UNION ALL SELECT server_id, value FROM pemdata.latest WHERE probe = $1) x
        ORDER BY server_id, value::text`,
      [probe],
    );

  before(async () => {
    b = await startAlertBackend({ address: '127.0.8.26' });
    await b.addAgent(1);
    await b.addAgent(2);
    own = await b.addServer('own', 1);
    other = await b.addServer('other', 2);
    agent1 = b.agentConn(1);
  });

  after(async () => {
    await b?.stop();
  });

  it("drops agent 1's samples for agent 2's server, an unknown server and the future, and acknowledges the batch once", async () => {
    const batch = randomUUID();
    const samples: Sample[] = [
      { server_id: 0, probe: 'scope_test', value: { n: 'own host' } },
      { server_id: own, probe: 'scope_test', value: { n: 'own server' } },
      {
        server_id: own,
        probe: 'scope_test',
        object: 'soon',
        collected_at: inSeconds(60),
        value: { n: 'within skew' },
      },
      { server_id: other, probe: 'scope_test', value: { n: 'forged for agent 2' } },
      { server_id: 999, probe: 'scope_test', value: { n: 'no such server' } },
      {
        server_id: own,
        probe: 'scope_test',
        object: 'future',
        collected_at: inSeconds(86_400),
        value: { n: 'a day ahead' },
      },
    ];
    assert.equal(await ship(samples, batch), true);
    const rows = await stored('scope_test');
    assert.deepEqual(
      rows.map((r) => [r.server_id, r.value.n]),
      [
        [0, 'own host'],
        [0, 'own host'],
        [own, 'own server'],
        [own, 'own server'],
        [own, 'within skew'],
        [own, 'within skew'],
      ],
    );
    const [sb] = await b.sql<{
      sample_count: number;
      stored_count: number;
      refused_count: number;
      refused_reason: string;
    }>(
      'SELECT sample_count, stored_count, refused_count, refused_reason FROM pem.ship_batch WHERE batch_id = $1',
      [batch],
    );
    assert.deepEqual([sb!.sample_count, sb!.stored_count, sb!.refused_count], [6, 3, 3]);
    assert.match(sb!.refused_reason, new RegExp(`2 for servers not bound to agent 1 \\(${other}, 999\\)`));
    assert.match(sb!.refused_reason, /1 stamped more than 300 s ahead of the backend's clock/);
    const log = await b.sql<{ server_id: number; code: string; error: string }>(
      "SELECT server_id, code, error FROM pem.probe_log WHERE agent_id = 1 AND probe = 'ingest'",
    );
    assert.deepEqual(
      log.map((l) => [l.server_id, l.code]),
      [[0, '42501']],
    );
    assert.equal(log[0]!.error, sb!.refused_reason);
    // the retry of an acknowledged batch stores nothing, refused samples included
    assert.equal(await ship(samples, batch), false);
    assert.equal((await stored('scope_test')).length, 6);
    // a second refusal within the minute is counted in its batch, not logged again
    assert.equal(await ship([{ server_id: other, probe: 'scope_test', value: { n: 'again' } }]), true);
    assert.equal((await b.sql("SELECT 1 FROM pem.probe_log WHERE probe = 'ingest'")).length, 1);
    assert.equal(
      (
        await b.sql<{ n: number }>(
          'SELECT sum(refused_count)::int AS n FROM pem.ship_batch WHERE agent_id = 1',
        )
      )[0]!.n,
      4,
    );
  });

  it('takes the skew from pem.ingest_settings', async () => {
    await b.sql('UPDATE pem.ingest_settings SET max_future_skew_s = 30');
    try {
      assert.equal(
        await ship([{ server_id: own, probe: 'skew_test', collected_at: inSeconds(60), value: { n: 1 } }]),
        true,
      );
      assert.deepEqual(await stored('skew_test'), []);
    } finally {
      await b.sql('UPDATE pem.ingest_settings SET max_future_skew_s = 300');
    }
  });

  it("keeps agent 1's probe failures for agent 2's server and the future out of the probe log", async () => {
    const failures = [
      { server_id: own, probe: 'fail_test', failed_at: new Date(), error: 'own' },
      { server_id: 0, probe: 'fail_test', failed_at: new Date(), error: 'host' },
      { server_id: other, probe: 'fail_test', failed_at: new Date(), error: 'forged' },
      { server_id: own, probe: 'fail_test', failed_at: inSeconds(86_400), error: 'future' },
    ];
    const [r] = (
      await agent1.query<{ n: number }>('SELECT pem.log_probe_failures(1, $1::jsonb) AS n', [
        JSON.stringify(failures),
      ])
    ).rows;
    assert.equal(r!.n, 2);
    const logged = await b.sql<{ server_id: number; error: string }>(
      "SELECT server_id, error FROM pem.probe_log WHERE probe = 'fail_test' ORDER BY server_id",
    );
    assert.deepEqual(
      logged.map((l) => [l.server_id, l.error]),
      [
        [0, 'host'],
        [own, 'own'],
      ],
    );
    await assert.rejects(
      agent1.query("SELECT pem.log_probe_failure(1, $1, 'fail_test', '', now(), 'forged')", [other]),
      new RegExp(`server ${other} is not bound to agent 1`),
    );
    await assert.rejects(
      agent1.query("SELECT pem.log_probe_failure(1, $1, 'fail_test', '', now() + interval '1 day', 'x')", [
        own,
      ]),
      /is ahead of the backend's clock by more than 300 s/,
    );
    assert.equal((await b.sql("SELECT 1 FROM pem.probe_log WHERE probe = 'fail_test'")).length, 2);
  });

  it("reads a server's values from its bound agent: alert templates, and the web's server_latest first", async () => {
    // rows another agent stored for server `other` before this version (forged, newer, future-dated)
    await b.sql(
      `INSERT INTO pemdata.latest (agent_id, server_id, probe, object, sample_id, collected_at, value) VALUES
         (2, $1, 'server_up', '', 1, now() - interval '10 s', '{"up": 0}'),
         (1, $1, 'server_up', '', 2, now() + interval '1 hour', '{"up": 1}')`,
      [other],
    );
    const [t] = await b.sql<{ value: number }>(
      "SELECT r.value FROM pem.alert_template t, pem.alert_template_value(t.sql, 2, $1, '', t.params) r WHERE t.name = 'Server Down'",
      [other],
    );
    assert.equal(
      t!.value,
      1,
      'Server Down fires on the bound agent’s up = 0 despite the newer forged up = 1',
    );
    const [w] = await b.sql<{ agent_id: number; value: unknown }>(
      "SELECT agent_id, value FROM pemdata.server_latest WHERE server_id = $1 AND probe = 'server_up'",
      [other],
    );
    assert.deepEqual([w!.agent_id, w!.value], [2, { up: 0 }]);
  });
});

describe('the probe catalogue ships with the release; agents read it, never write it', {
  timeout: 120_000,
}, () => {
  let b: AlertBackend;
  let agent1: HaConnection;
  const probes = async () => await b.sql('SELECT * FROM pem.probe ORDER BY name');

  before(async () => {
    b = await startAlertBackend({ address: '127.0.8.27' });
    await b.addAgent(1);
    agent1 = b.agentConn(1);
  });

  after(async () => {
    await b?.stop();
  });

  it('is in pem.probe after the migration, before any agent connects', async () => {
    const [cpu] = await b.sql<{ level: string; counter_columns: string[]; enabled_on: string }>(
      "SELECT level, counter_columns, enabled_on FROM pem.probe WHERE name = 'database_stats'",
    );
    assert.deepEqual([cpu!.level, cpu!.enabled_on], ['server', 'all']);
    assert.ok(cpu!.counter_columns.includes('xact_commit'));
    assert.ok((await probes()).length >= 40);
  });

  it('cannot be changed by an agent: pem.agent_sync_probes reads, and pem_agent holds no privilege on pem.probe', async () => {
    const before = await probes();
    const rewritten = [
      {
        name: 'database_stats',
        level: 'agent',
        interval_s: 1,
        runs_on: 'standby',
        timeout_ms: 1,
        enabled_on: 'pem_backends',
        description: 'rewritten by agent 1',
        counter_columns: ['x'],
      },
      {
        name: 'sec_probe_demo',
        level: 'server',
        interval_s: 3600,
        enabled: false,
        description: 'made by agent 1',
      },
    ];
    const [r] = (
      await agent1.query<{ n: number }>('SELECT pem.agent_sync_probes(1, $1::jsonb) AS n', [
        JSON.stringify(rewritten),
      ])
    ).rows;
    assert.equal(r!.n, 1, 'one probe the backend does not know');
    assert.deepEqual(await probes(), before);
    await assert.rejects(
      agent1.query("UPDATE pem.probe SET enabled_on = 'pem_backends' WHERE name = 'cpu'"),
      /permission denied for table probe/,
    );
    await assert.rejects(
      agent1.query('SELECT pem.merge_probe_catalogue($1::jsonb)', [JSON.stringify(rewritten)]),
      /permission denied for function merge_probe_catalogue/,
    );
  });

  it("is merged again on upgrade: new probes added, descriptions kept in step, the administrator's settings kept", async () => {
    await b.sql(`UPDATE pem.probe SET interval_s = 77, retention_days = 7, enabled = false, description = 'old'
                  WHERE name = 'locks'`);
    await b.sql("DELETE FROM pem.probe WHERE name = 'cpu'");
    await b.sql('DELETE FROM public.pharos_schema_definitions'); // as after an upgrade: the files are applied again
    const r = await migrate((fn) => b.admin.transaction(fn));
    assert.equal(r.definitionsApplied, true);
    const [locks] = await b.sql<{
      interval_s: number;
      retention_days: number;
      enabled: boolean;
      description: string;
    }>("SELECT interval_s, retention_days, enabled, description FROM pem.probe WHERE name = 'locks'");
    assert.deepEqual([locks!.interval_s, locks!.retention_days, locks!.enabled], [77, 7, false]);
    assert.notEqual(locks!.description, 'old');
    assert.equal((await b.sql("SELECT 1 FROM pem.probe WHERE name = 'cpu'")).length, 1);
  });
});
