/**
 * The overview's statement (fleet-query.ts) against the one it replaced
 * (testing/fleet-reference.ts, before migration 018) on the same data in the
 * same transaction (so the same now()): the answers must be equal, field by
 * field. The data is stored through the real ingest function by agents, as
 * they store it: servers with two samples of every overview probe (rates),
 * a server rebound from one agent to another (objects only the former agent
 * reported), a probe whose objects changed between runs (a standby that went
 * away), idle connection states (0 connections), a server with no values,
 * agents with host values and an agent never seen; plus the backend
 * fixture's rows. It also checks that the statement reads the partial index
 * rather than the whole of pemdata.latest.
 *
 * Addresses: 127.0.5.40 backend, 127.0.5.43 harness.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HaConnection } from '@pharos/core/ha/connection';
import { PASSWORDS, startTestBackend, type TestBackend } from '../testing/backend-fixture.js';
import { REFERENCE_FLEET_SQL } from '../testing/fleet-reference.js';
import { historySql } from '../testing/synthetic-history.js';
import { DEFAULT_HEARTBEAT_INTERVAL_S, FLEET_SQL, OVERVIEW_PROBES } from './fleet-query.js';

const BACKEND = '127.0.5.40';
const HARNESS = '127.0.5.43';

describe('overview statement against the one it replaced', { timeout: 300_000 }, () => {
  let backend: TestBackend;
  let web: HaConnection;
  const nowS = Math.floor(Date.now() / 1000);

  /** Both answers, parsed, read in one transaction (one now()). */
  const both = async () =>
    web.transaction(
      async (tx) => {
        await tx.query('SET LOCAL jit = off'); // as readFleetJson reads it
        const old = await tx.query<{ fleet: string }>(REFERENCE_FLEET_SQL, [
          DEFAULT_HEARTBEAT_INTERVAL_S,
          OVERVIEW_PROBES,
        ]);
        const cur = await tx.query<{ fleet: string }>(FLEET_SQL, [DEFAULT_HEARTBEAT_INTERVAL_S]);
        return { old: JSON.parse(old.rows[0]!.fleet), cur: JSON.parse(cur.rows[0]!.fleet) };
      },
      { deadlineMs: 120_000 },
    ); // a shared machine at load 16 took over 15 s

  before(async () => {
    backend = await startTestBackend({
      primaryAddress: BACKEND,
      clientAddresses: [HARNESS],
      harnessAddress: HARNESS,
    });
    web = new HaConnection({
      conninfo: `${backend.backendConninfo()} password=${PASSWORDS.pemweb}`,
      sourceAddress: HARNESS,
    });
    // Agents 11-13 (the fixture has 1-3), servers 11-15. Server 13 is first bound to agent 12,
    // then rebound to agent 13; server 15 has no values.
    await backend.psql(`
      CREATE ROLE agent11 IN ROLE pem_agent; CREATE ROLE agent12 IN ROLE pem_agent; CREATE ROLE agent13 IN ROLE pem_agent;
      INSERT INTO pem.agent (id, user_name, display_name, host_address, last_heartbeat, agent_version) VALUES
        (11, 'agent11', 'db-host-11', '127.0.2.11', now(), '0.1.0'),
        (12, 'agent12', 'db-host-12', '127.0.2.12', now() - interval '1 min', '0.1.0'),
        (13, 'agent13', 'db-host-13', '127.0.2.13', now(), '0.1.0');
      INSERT INTO pem.server (id, display_name, host, port) VALUES
        (11, 'pg-11', '127.0.2.11', 5432), (12, 'pg-12', '127.0.2.11', 5433), (13, 'pg-13', '127.0.2.12', 5432),
        (14, 'pg-14', '127.0.2.13', 5432), (15, 'pg-15', '127.0.2.13', 5433);
      INSERT INTO pem.server_binding (server_id, agent_id, host, port, user_name) VALUES
        (11, 11, '127.0.0.1', 5432, 'agent11'), (12, 11, '127.0.0.1', 5433, 'agent11'),
        (13, 12, '127.0.0.1', 5432, 'agent12'), (14, 13, '127.0.0.1', 5432, 'agent13'),
        (15, 13, '127.0.0.1', 5433, 'agent13');
      SET SESSION AUTHORIZATION agent11;
      ${historySql({ agentId: 11, serverIds: [11], fromS: nowS - 120, toS: nowS, stepS: 60, firstSampleId: 1, probes: ['host', 'database_stats', 'connections_by_state', 'replication_lag', 'server_up', 'server_info'] })}
      ${historySql({ agentId: 11, serverIds: [12], fromS: nowS - 180, toS: nowS, stepS: 60, firstSampleId: 500, resetAt: 2, probes: ['database_stats', 'connections_by_state', 'server_up'] })}
      RESET SESSION AUTHORIZATION;
      SET SESSION AUTHORIZATION agent12;
      ${historySql({ agentId: 12, serverIds: [13], fromS: nowS - 600, toS: nowS - 480, stepS: 60, firstSampleId: 1, probes: ['host', 'database_stats', 'connections_by_state', 'replication_lag', 'server_up'] })}
      RESET SESSION AUTHORIZATION;
      UPDATE pem.server_binding SET agent_id = 13, user_name = 'agent13' WHERE server_id = 13;
      SET SESSION AUTHORIZATION agent13;
      ${historySql({ agentId: 13, serverIds: [13, 14], fromS: nowS - 60, toS: nowS, stepS: 30, firstSampleId: 1, probes: ['host', 'database_stats', 'server_up', 'server_info'] })}
      RESET SESSION AUTHORIZATION;`);
    // A standby went away: server 14's newest replication_lag run has one object of the two.
    await backend.psql(`
      SET SESSION AUTHORIZATION agent13;
      ${historySql({ agentId: 13, serverIds: [14], fromS: nowS - 90, toS: nowS - 60, stepS: 30, firstSampleId: 1000, probes: ['replication_lag'] })}
      RESET SESSION AUTHORIZATION;
      CREATE TEMP TABLE incoming_sample (sample_id bigint, server_id integer, probe text, object text,
        collected_at timestamptz, value jsonb);
      INSERT INTO pg_temp.incoming_sample
        SELECT 2000, 14, 'replication_lag', object, now() - interval '5 s', value
          FROM pemdata.latest WHERE agent_id = 13 AND server_id = 14 AND probe = 'replication_lag'
           AND object = 'standby1@127.0.1.5';
      SET SESSION AUTHORIZATION agent13;
      SELECT pem.ingest_batch(13, gen_random_uuid());
      RESET SESSION AUTHORIZATION;
      DROP TABLE pg_temp.incoming_sample;
      ANALYZE pemdata.latest;`);
    // Maintenance: a server window (11), a group window (12 is tagged), an agent window (agent 13 and its
    // servers 13-15) overlapping a later-ending server window (14), a stopped fleet window, a future one (15).
    await backend.psql(`
      UPDATE pem.server SET tags = '{prod}' WHERE id = 12;
      INSERT INTO pem.maintenance_window (scope, server_id, agent_id, group_tag, schedule, starts_at, ends_at, reason, created_by, stopped_at) VALUES
        ('server', 11, NULL, NULL, 'once', now() - interval '1 hour', now() + interval '1 hour', 'patching', 'alice', NULL),
        ('group', NULL, NULL, 'prod', 'once', now() - interval '10 min', now() + interval '20 min', 'prod freeze', 'alice', NULL),
        ('agent', NULL, 13, NULL, 'once', now() - interval '5 min', now() + interval '30 min', 'host reboot', 'alice', NULL),
        ('server', 14, NULL, NULL, 'once', now() - interval '5 min', now() + interval '2 hours', 'upgrade', 'alice', NULL),
        ('fleet', NULL, NULL, NULL, 'once', now() - interval '2 hours', now() + interval '2 hours', 'stopped', 'alice', now() - interval '1 hour'),
        ('server', 15, NULL, NULL, 'once', now() + interval '1 hour', now() + interval '2 hours', 'later', 'alice', NULL);`);
  });

  after(async () => {
    await web?.close();
    await backend?.stop();
  });

  it('gives the same answer as before, field by field', async () => {
    const { old, cur } = await both();
    assert.deepEqual(cur, old);
    // The data exercises what the comparison is about.
    const server = (id: number) => cur.servers.find((s: { id: number }) => s.id === id);
    assert.equal(server(11).window.seconds, 60, 'a rate between two samples');
    assert.ok(server(11).window.commitsPerS > 0);
    assert.equal(server(12).window.commitsPerS, null, 'no rate across a counter reset');
    assert.deepEqual(
      [11, 12, 13, 14, 15].map((id) => server(id).maintenance?.reason ?? null),
      ['patching', 'prod freeze', 'host reboot', 'upgrade', 'host reboot'],
    );
    assert.equal(cur.agents.find((a: { id: number }) => a.id === 13).maintenance.reason, 'host reboot');
    assert.deepEqual(
      server(14).latest.replication_lag.map((x: { object: string }) => x.object),
      ['standby1@127.0.1.5'],
      "only the newest run's objects",
    );
    assert.ok(server(13).latest.connections_by_state, "the former agent's values of a rebound server");
    assert.equal(server(13).agentId, 13);
    assert.deepEqual(server(15).latest, {});
    assert.ok(
      server(11).latest.connections_by_state.every(
        (x: { value: { connections: number } }) => x.value.connections > 0,
      ),
      'idle states are left out',
    );
    assert.equal(cur.agents.length, 6);
  });

  it('reads the overview rows through the partial index, not the whole table', async () => {
    // enable_seqscan off: on a table this small a scan is cheapest anyway; the question is what the plan can use
    const plan = await backend.psql(`SET enable_seqscan = off;
      PREPARE q(int) AS ${FLEET_SQL};
      EXPLAIN (COSTS OFF) EXECUTE q(10);`);
    assert.match(plan, /latest_overview_idx/);
    assert.doesNotMatch(plan, /Seq Scan on latest/);
  });
});
