/**
 * The overview's statement (fleet-query.ts, reading the overview rows that
 * pem.overview_refresh keeps at ingest, migration 020) against the one it
 * replaced (testing/fleet-reference.ts, computed over pemdata.latest before
 * migration 018) on the same data in the same transaction (so the same
 * now()): the whole fleet in one page, by id, must equal it field by field,
 * and each server's status must be the one the UI's rules give
 * (ui/lib/server-state.js). Pages, orders and filters are checked against the
 * whole answer. The data is stored through the real ingest function by agents, as
 * they store it: servers with two samples of every overview probe (rates),
 * a server rebound from one agent to another (objects only the former agent
 * reported), a probe whose objects changed between runs (a standby that went
 * away), idle connection states (0 connections), a server with no values,
 * agents with host values and an agent never seen; plus the backend
 * fixture's rows; then again after a rebinding back and after deletions from
 * pemdata.latest, and after concurrent alert changes, ingest and rebinding
 * (the bound agent and server_up's state kept in the overview rows,
 * migration 023). It also checks that the overview rows are rewritten through
 * the partial index of migration 018, not by reading all of pemdata.latest,
 * and that the statement reads no pemdata.latest at all.
 *
 * Addresses: 127.0.5.40 backend, 127.0.5.43 harness.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HaConnection } from '@pharos/core/ha/connection';
import { PASSWORDS, startTestBackend, type TestBackend } from '../testing/backend-fixture.js';
import { asReference, REFERENCE_FLEET_SQL, WHOLE_FLEET } from '../testing/fleet-reference.js';
import { historySql } from '../testing/synthetic-history.js';
import {
  DEFAULT_HEARTBEAT_INTERVAL_S,
  FLEET_SQL,
  type FleetPageQuery,
  fleetParams,
  OVERVIEW_PROBES,
  readFleetJson,
} from './fleet-query.js';

// biome-ignore lint/suspicious/noExplicitAny: a plain JavaScript module (type-checked with JSDoc by tsc -p packages/web/ui)
const ui: any = await import(new URL('../../ui/lib/server-state.js', import.meta.url).href);

const BACKEND = '127.0.5.40';
const HARNESS = '127.0.5.43';
const WHOLE = WHOLE_FLEET;

type Row = Record<string, unknown> & { id: number; name: string };

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
        const cur = await tx.query<{ fleet: string }>(FLEET_SQL, fleetParams(WHOLE));
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

  /** A page of the answer, read as GET /api/fleet reads it. */
  const page = async (q: Partial<FleetPageQuery>) => JSON.parse(await readFleetJson(web, { ...WHOLE, ...q }));

  /** Asserts the whole answer equals the reference and each status is the UI's. */
  const assertSame = async () => {
    const { old, cur } = await both();
    assert.deepEqual(asReference(cur), old);
    const agents = new Map(cur.agents.map((a: Row) => [a.id, a]));
    for (const s of cur.servers) {
      const agent =
        s.agentId === null ? undefined : (agents.get(s.agentId) as { alive: boolean } | undefined);
      assert.equal(s.agentAlive, agent ? agent.alive : null, `server ${s.id} agentAlive`);
      const up =
        s.latest.server_up?.find((x: { object: string }) => x.object === '') ?? s.latest.server_up?.[0];
      const [word] = ui.serverState({
        active: s.active,
        up,
        agentAlive: agent?.alive,
        heartbeatIntervalS: cur.heartbeatIntervalS,
      });
      assert.equal(s.status, word, `server ${s.id} status`);
      const times = Object.values(s.latest as Record<string, { collectedAt: string }[]>).flatMap((l) =>
        l.map((x) => x.collectedAt),
      );
      if (times.length > 0)
        assert.ok(s.newestSampleAt >= times.sort().at(-1)!, `server ${s.id} newest sample`);
      else assert.equal(s.newestSampleAt, null);
    }
    return cur;
  };

  it('gives the same answer as before, field by field', async () => {
    const cur = await assertSame();
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

  it('pages, orders problems first and filters by status, cluster and name', async () => {
    const whole = await page({});
    const ids = (a: { servers: Row[] }) => a.servers.map((s) => s.id);
    assert.equal(whole.servers.length, 7, "the fixture's 2 servers and this test's 5");
    assert.equal(whole.totals.servers, whole.servers.length);
    assert.equal(whole.page.serversMatched, whole.servers.length);
    assert.equal(whole.totals.agentsAlive, whole.agents.filter((a: { alive: boolean }) => a.alive).length);
    const byStatus: Record<string, number> = {};
    for (const s of whole.servers) byStatus[s.status] = (byStatus[s.status] ?? 0) + 1;
    assert.deepEqual(whole.totals.serversByStatus, byStatus);

    // Pages of 3 by id cover the fleet once, in order.
    const paged: number[] = [];
    for (let offset = 0; offset < whole.servers.length; offset += 3) {
      const p = await page({ limit: 3, offset });
      assert.ok(p.servers.length <= 3);
      assert.equal(p.page.serversMatched, whole.servers.length);
      assert.deepEqual(p.totals, whole.totals, 'totals are the whole fleet whatever the page');
      paged.push(...ids(p));
    }
    assert.deepEqual(paged, ids(whole));
    const agentPage = await page({ limit: 2, agentOffset: 2 });
    assert.deepEqual(
      agentPage.agents.map((a: Row) => a.id),
      whole.agents.slice(2, 4).map((a: Row) => a.id),
    );

    // Problems first: worst status, then most alerts; the same servers as the whole answer.
    const problems = await page({ order: 'problems' });
    const rank = (s: { status: string }) =>
      ['down', 'agent down', 'stale', 'no data', 'unknown', 'up', 'inactive'].indexOf(s.status);
    const ranks = problems.servers.map(rank);
    assert.deepEqual(
      ranks,
      [...ranks].sort((a: number, b: number) => a - b),
    );
    assert.deepEqual(
      [...ids(problems)].sort((a, b) => a - b),
      ids(whole),
    );
    assert.ok(ranks[0] < ranks.at(-1), 'the fixture has servers in different statuses');
    const byName = await page({ order: 'name' });
    const names = byName.servers.map((s: Row) => s.name);
    assert.deepEqual(
      names,
      [...names].sort((a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)),
    );

    // Filters.
    const statusOf12 = whole.servers.find((s: Row) => s.id === 12).status;
    const same = await page({ status: [statusOf12] });
    assert.ok(ids(same).includes(12));
    assert.ok(same.servers.every((s: { status: string }) => s.status === statusOf12));
    assert.equal(same.page.serversMatched, byStatus[statusOf12]);
    const named = await page({ name: 'PG-1' });
    assert.deepEqual(ids(named), [11, 12, 13, 14, 15], 'any case, a part of the name');
    assert.ok(named.agents.every((a: Row) => a.name.toLowerCase().includes('pg-1')));
    await backend.psql(`INSERT INTO pem.monitored_cluster (id, name, rest_endpoints, agent_id)
      VALUES (77, 'main', '{https://127.0.2.11:8008}', 11);
      UPDATE pem.server SET cluster_id = 77, kind = 'patroni-member' WHERE id IN (11, 14);`);
    const cluster = await page({ clusterId: 77 });
    assert.deepEqual(ids(cluster), [11, 14]);
    assert.deepEqual(
      cluster.servers.map((s: { clusterId: number }) => s.clusterId),
      [77, 77],
    );
    assert.deepEqual(ids(await page({ clusterId: 77, name: 'pg-14' })), [14]);
    assert.deepEqual(ids(await page({ clusterId: 78 })), []);
  });

  it('stays the same after a rebinding back and after deletions from the latest values', async () => {
    await backend.psql(`UPDATE pem.server_binding SET agent_id = 12, user_name = 'agent12' WHERE server_id = 13;
      DELETE FROM pemdata.latest WHERE server_id = 14 AND probe = 'replication_lag';
      DELETE FROM pemdata.latest WHERE agent_id = 11 AND server_id = 0 AND probe = 'cpu';`);
    const cur = await assertSame();
    const server = (id: number) => cur.servers.find((s: { id: number }) => s.id === id);
    assert.equal(server(13).agentId, 12);
    assert.equal(server(14).latest.replication_lag, undefined);
    assert.equal(cur.agents.find((a: { id: number }) => a.id === 11).latest.cpu, undefined);
  });

  it('keeps statuses, bound agents and alert counts true after concurrent alert changes, ingest and rebinding', async () => {
    // Three writers change the state or enabled flag of random alerts of servers 11-14 and agents
    // 11-13, three alerts per transaction; meanwhile agents 12 and 13 ship server 13's values
    // while its binding moves between them (pem.overview_refresh of the binding change and of
    // the ingest race for server 13's row), and agent 11 ships servers 11 and 12. Afterwards the
    // answer must be the reference's (statuses, agentId, alerts per server and agent), which
    // reads only the source tables.
    const admin = () =>
      new HaConnection({
        conninfo: `host=${BACKEND} dbname=pem user=postgres password=${backend.primary.superuserPassword} sslmode=verify-full sslrootcert=${backend.pki.caCert}`,
        sourceAddress: HARNESS,
      });
    const ids = (
      await backend.psql(
        'SELECT id FROM pem.alert WHERE server_id BETWEEN 11 AND 14 OR agent_id BETWEEN 11 AND 13',
      )
    )
      .split('\n')
      .map((l) => Number(l.trim()))
      .filter((n) => n > 0);
    assert.ok(ids.length > 20, 'the default alerts of the servers and agents');
    const states = ['none', 'low', 'medium', 'high'];
    let seed = 19;
    const rnd = (n: number) => {
      seed = (seed * 48271) % 2147483647; // Park-Miller: exact in a double
      return seed % n;
    };
    const plans = [0, 1, 2].map(() =>
      Array.from({ length: 25 }, () =>
        Array.from({ length: 3 }, () => ({
          id: ids[rnd(ids.length)]!,
          state: states[rnd(4)]!,
          flip: rnd(5) === 0,
        }))
          // in id order, as a careful client takes its rows (in random order two writers deadlock)
          .sort((a, b) => a.id - b.id),
      ),
    );
    const writers = plans.map(async (plan) => {
      const c = admin();
      try {
        for (const tx of plan)
          await c.transaction(async (t) => {
            for (const u of tx)
              await t.query(
                'UPDATE pem.alert SET state = $2, enabled = CASE WHEN $3 THEN NOT enabled ELSE enabled END WHERE id = $1',
                [u.id, u.state, u.flip],
              );
          });
      } finally {
        await c.close();
      }
    });
    const ship = (agent: number, servers: number[], firstSampleId: number) => {
      const t = Math.floor(Date.now() / 1000);
      return backend.psql(`SET SESSION AUTHORIZATION agent${agent};
        ${historySql({ agentId: agent, serverIds: servers, fromS: t, toS: t + 1, stepS: 1, firstSampleId, probes: ['server_up', 'database_stats'] })}
        RESET SESSION AUTHORIZATION;`);
    };
    const shippers = (async () => {
      for (let i = 0; i < 6; i++)
        await Promise.all([
          ship(12, [13], 10_000 + i * 100),
          ship(13, [13], 10_000 + i * 100),
          ship(11, [11, 12], 10_000 + i * 100),
          backend.psql(
            `UPDATE pem.server_binding SET agent_id = ${i % 2 ? 12 : 13}, user_name = 'agent${i % 2 ? 12 : 13}' WHERE server_id = 13`,
          ),
        ]);
    })();
    await Promise.all([...writers, shippers]);
    const cur = await assertSame();
    const raised = (rows: { alerts: { high: number; medium: number; low: number } }[]) =>
      rows.reduce((n, r) => n + r.alerts.high + r.alerts.medium + r.alerts.low, 0);
    assert.ok(raised(cur.servers) > 0, "some servers' alerts are raised at the end");
    assert.ok(raised(cur.agents) > 0, "some agents' alerts are raised at the end");
    assert.equal(cur.servers.find((s: { id: number }) => s.id === 13).agentId, 12, 'the last rebinding');
  });

  it('rewrites the overview rows through the partial index and reads no latest values', async () => {
    // enable_seqscan off: on a table this small a scan is cheapest anyway; the question is what the
    // plan can use. pg_stat_xact_user_tables counts this transaction's scans.
    const scans = await backend.psql(`BEGIN; SET LOCAL enable_seqscan = off;
      SELECT pem.overview_refresh(11, ARRAY[0, 11, 12, 13, 14, 15]);
      SELECT 'scans=' || seq_scan || ',' || coalesce(idx_scan, 0) FROM pg_stat_xact_user_tables
       WHERE schemaname = 'pemdata' AND relname = 'latest';
      COMMIT;`);
    const [seq, idx] = /scans=(\d+),(\d+)/.exec(scans)!.slice(1).map(Number);
    assert.equal(seq, 0, 'no sequential scan of pemdata.latest');
    assert.ok(idx! > 0);
    const plan = await backend.psql(`PREPARE q(int, int, int, text, text[], int, text, int) AS ${FLEET_SQL};
      EXPLAIN (COSTS OFF) EXECUTE q(10, 100, 0, 'problems', NULL, NULL, NULL, 0);`);
    assert.doesNotMatch(plan, / on latest\b/);
    assert.match(plan, /server_overview/);
  });
});
