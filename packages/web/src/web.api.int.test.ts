/**
 * Integration test of the dashboard API against a real backend: preferences
 * (CSRF, validation, per role), downsampled series (bucket count, counter
 * rates that stay positive across a reset, gauges per object), server detail
 * and latest values, alerts and their counts in the fleet, the probe log
 * (written through pem.log_probe_failure as the agent), the OpenAPI document,
 * and the HA cluster status with a real etcd member and no Patroni.
 * History is stored through pem.ingest_batch (testing/synthetic-history.ts).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ApiRequestOptions, apiRequest, cookieFrom } from '@pharos/testkit/http/https-client';
import { waitFor } from '@pharos/testkit/wait/wait-for';
import { SESSION_COOKIE } from './auth/cookie.js';
import { PASSWORDS, startTestBackend, type TestBackend } from './testing/backend-fixture.js';
import { historySql } from './testing/synthetic-history.js';
import { startTestInstance, type TestInstance } from './testing/web-instance.js';

const BACKEND = '127.0.4.60';
const WEB = '127.0.4.61';
const HARNESS = '127.0.4.62';
const ETCD = '127.0.4.63';
const NO_PATRONI = '127.0.4.64';

interface Series {
  object: string;
  field: string;
  values: (number | null)[];
  min?: (number | null)[];
  resets?: number;
}
interface SeriesAnswer {
  bucketS: number;
  t: number[];
  series: Series[];
  mode: string;
}

/** Starts a one-member etcd on `address` (client 2379, peer 2380) in `dir`; resolves once /health answers. */
async function startEtcd(address: string, dir: string): Promise<ChildProcess> {
  const etcd = spawn(
    '/usr/bin/etcd',
    [
      '--name',
      'etcd-test',
      '--data-dir',
      join(dir, 'etcd-data'),
      '--listen-client-urls',
      `http://${address}:2379`,
      '--advertise-client-urls',
      `http://${address}:2379`,
      '--listen-peer-urls',
      `http://${address}:2380`,
      '--initial-advertise-peer-urls',
      `http://${address}:2380`,
      '--initial-cluster',
      `etcd-test=http://${address}:2380`,
    ],
    { stdio: 'ignore' },
  );
  try {
    await waitFor('etcd to answer /health', async () => (await fetch(`http://${address}:2379/health`)).ok, {
      deadlineMs: 10_000,
    });
  } catch (err) {
    etcd.kill('SIGKILL');
    throw err;
  }
  return etcd;
}

describe('dashboard API (preferences, series, alerts, probe log, OpenAPI, cluster)', () => {
  let backend: TestBackend;
  let web: TestInstance;
  let ca: Buffer;
  let etcd: ChildProcess | undefined;
  const etcdDir = mkdtempSync(join(tmpdir(), 'pharos-web-etcd-'));
  const nowS = Math.floor(Date.now() / 1000);
  const call = (path: string, opts: Partial<ApiRequestOptions> = {}) =>
    apiRequest(new URL(path, web.url).toString(), { ca, localAddress: HARNESS, ...opts });
  const login = async (user: 'alice' | 'bob') => {
    const r = await call('/api/login', { json: { user, password: PASSWORDS[user] } });
    assert.equal(r.status, 200, r.text);
    return {
      cookie: cookieFrom(r.setCookie, SESSION_COOKIE)!,
      csrf: (r.body as { csrfToken: string }).csrfToken,
    };
  };

  before(async () => {
    backend = await startTestBackend({
      primaryAddress: BACKEND,
      clientAddresses: [WEB, HARNESS],
      harnessAddress: HARNESS,
    });
    ca = readFileSync(backend.pki.caCert);
    etcd = await startEtcd(ETCD, etcdDir);
    web = await startTestInstance(backend, WEB, {
      etcd_endpoints: [`http://${ETCD}:2379`],
      patroni_rest_urls: [`http://${NO_PATRONI}:8008`],
    });
    // Two hours of history at 20 s for server 1 (agent 1), counters reset at sample 200.
    await backend.psql(`CREATE ROLE agent1 IN ROLE pem_agent; CREATE ROLE agent2 IN ROLE pem_agent;
      SET SESSION AUTHORIZATION agent1;
      ${historySql({ agentId: 1, serverIds: [1], fromS: nowS - 7200, toS: nowS, stepS: 20, firstSampleId: 1000, resetAt: 200, tableStats: true })}
      RESET SESSION AUTHORIZATION;`);
  });

  after(async () => {
    await web?.close();
    etcd?.kill('SIGTERM');
    await backend?.stop();
    rmSync(etcdDir, { recursive: true, force: true });
  });

  it('keeps preferences per role in the backend, CSRF-protected and validated', async () => {
    const bob = await login('bob');
    const initial = await call('/api/preferences', { cookie: bob.cookie });
    assert.equal(initial.status, 200, initial.text);
    assert.deepEqual(initial.body, {
      timeRange: '1h',
      refreshIntervalS: 10,
      dashboards: [],
      theme: 'system',
    });

    const noCsrf = await call('/api/preferences', {
      method: 'PATCH',
      cookie: bob.cookie,
      json: { theme: 'dark' },
    });
    assert.equal(noCsrf.status, 403);
    const forged = await call('/api/preferences', {
      method: 'PATCH',
      cookie: bob.cookie,
      json: { theme: 'dark' },
      headers: { 'x-csrf-token': 'x'.repeat(43) },
    });
    assert.equal(forged.status, 403);

    const patch = (json: unknown) =>
      call('/api/preferences', {
        method: 'PATCH',
        cookie: bob.cookie,
        json,
        headers: { 'x-csrf-token': bob.csrf },
      });
    const ok = await patch({ theme: 'dark', timeRange: '7d', dashboards: ['tps', 'cache_hit'] });
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(ok.body, {
      timeRange: '7d',
      refreshIntervalS: 10,
      dashboards: ['tps', 'cache_hit'],
      theme: 'dark',
    });
    assert.equal((await patch({ refreshIntervalS: 30 })).status, 200);
    for (const bad of [
      { theme: 'pink' },
      { colour: 'x' },
      {},
      { refreshIntervalS: -1 },
      { dashboards: ['A B'] },
    ]) {
      assert.equal((await patch(bad)).status, 400, JSON.stringify(bad));
    }
    // A new session of the same role (any instance) sees them; another role does not.
    const again = await login('bob');
    const seen = await call('/api/preferences', { cookie: again.cookie });
    assert.deepEqual(seen.body, {
      timeRange: '7d',
      refreshIntervalS: 30,
      dashboards: ['tps', 'cache_hit'],
      theme: 'dark',
    });
    const alice = await login('alice');
    assert.equal(
      ((await call('/api/preferences', { cookie: alice.cookie })).body as { theme: string }).theme,
      'system',
    );
    assert.equal(
      await backend.psql(`SELECT prefs->>'theme' FROM pem.user_preference WHERE role_name = 'bob'`),
      'dark',
    );
    assert.equal((await call('/api/preferences')).status, 401);
  });

  it('downsamples a counter into rates that stay positive across a reset, at most N points', async () => {
    const { cookie } = await login('bob');
    const from = new Date((nowS - 3 * 3600) * 1000).toISOString();
    const to = new Date(nowS * 1000).toISOString();
    const r = await call(
      `/api/servers/1/series?probe=database_stats&fields=xact_commit,xact_rollback&mode=rate&from=${from}&to=${to}&points=100`,
      { cookie },
    );
    assert.equal(r.status, 200, r.text);
    const a = r.body as SeriesAnswer;
    assert.ok(a.t.length <= 100, `${a.t.length} buckets`);
    assert.equal(a.bucketS, Math.ceil((3 * 3600) / 99));
    const commits = a.series.find((s) => s.field === 'xact_commit')!;
    assert.equal(commits.values.length, a.t.length);
    const numbers = commits.values.filter((x): x is number => x !== null);
    assert.ok(numbers.length >= 60, `${numbers.length} points with data`);
    assert.ok(
      numbers.every((x) => x >= 0),
      'no negative rate',
    );
    const mean = numbers.reduce((s, x) => s + x, 0) / numbers.length;
    assert.ok(mean > 40 && mean < 60, `mean commit rate ${mean}/s (about 50/s generated)`);
    assert.equal(commits.resets, 1);
    // The first hour of the 3 h range has no data: gaps, not zeros.
    assert.equal(commits.values[0], null);
  });

  it('averages gauges per object and bucket, and answers empty for a probe without data', async () => {
    const { cookie } = await login('bob');
    const r = await call('/api/servers/1/series?probe=connections_by_state&fields=connections&points=60', {
      cookie,
    });
    assert.equal(r.status, 200, r.text);
    const a = r.body as SeriesAnswer;
    assert.equal(a.mode, 'gauge');
    assert.ok(a.t.length <= 60);
    assert.equal(a.series.length, 7);
    const active = a.series.find((s) => s.object === 'active')!;
    const values = active.values.filter((x): x is number => x !== null);
    assert.ok(values.length >= 50);
    assert.ok(
      values.every((x) => x >= 2 && x <= 6),
      `active between 2 and 6: ${values.slice(0, 5)}`,
    );
    assert.ok(active.min!.every((x, i) => x === null || x <= active.values[i]!));
    const one = await call(
      '/api/servers/1/series?probe=replication_lag&fields=lag_bytes&object=standby2@127.0.1.6',
      {
        cookie,
      },
    );
    assert.deepEqual(
      (one.body as SeriesAnswer).series.map((s) => s.object),
      ['standby2@127.0.1.6'],
    );
    const none = await call('/api/servers/1/series?probe=wal&fields=wal_bytes&mode=rate', { cookie });
    assert.equal(none.status, 200);
    assert.deepEqual((none.body as SeriesAnswer).series, []);
  });

  it('refuses bad series requests with 400 and no session with 401', async () => {
    const { cookie } = await login('bob');
    const bad = [
      '/api/servers/1/series?probe=database_stats&fields=xact_commit&from=2025-01-02T00:00:00Z&to=2025-01-01T00:00:00Z',
      '/api/servers/1/series?probe=database_stats&fields=xact_commit&points=5000',
      '/api/servers/1/series?probe=database_stats&fields=xact_commit&from=2024-01-01T00:00:00Z',
      "/api/servers/1/series?probe=x';drop&fields=xact_commit",
      '/api/servers/1/series?probe=database_stats&fields=a,b,c,d,e,f,g,h,i',
      '/api/servers/1/series?probe=database_stats&fields=xact_commit&mode=sum',
      '/api/servers/1/series?probe=database_stats',
    ];
    for (const path of bad) assert.equal((await call(path, { cookie })).status, 400, path);
    assert.equal((await call('/api/servers/1/series?probe=database_stats&fields=xact_commit')).status, 401);
  });

  it('describes a server with the probes that have data, and its latest per-table values', async () => {
    const { cookie } = await login('bob');
    const r = await call('/api/servers/1', { cookie });
    assert.equal(r.status, 200, r.text);
    const d = r.body as { name: string; agentName: string; probes: { probe: string; objects: number }[] };
    assert.equal(d.name, 'pem-backend-1');
    assert.equal(d.agentName, 'pem-backend-1');
    const probes = Object.fromEntries(d.probes.map((p) => [p.probe, p.objects]));
    assert.equal(probes.connections_by_state, 7);
    assert.equal(probes.table_stats, 20);
    assert.equal(probes.wal, undefined);
    assert.equal((await call('/api/servers/99', { cookie })).status, 404);
    const t = await call('/api/servers/1/latest?probe=table_stats', { cookie });
    const rows = (t.body as { rows: { object: string; value: { total_bytes: number } }[] }).rows;
    assert.equal(rows.length, 20);
    assert.equal(rows.find((x) => x.object === 'public.t20')!.value.total_bytes, 40_000_000);
  });

  it('lists alerts by level with their history, and counts them in the fleet', async () => {
    await backend.psql(`
      INSERT INTO pem.alert_template (name, level, sql, operator, low, medium, high) VALUES
        ('Test connections', 'server', 'SELECT 1', '>', 50, 75, 90),
        ('Test agent', 'agent', 'SELECT 1', '>', 0, 0, 1);
      INSERT INTO pem.alert (template, server_id, object, state, enabled, changed_at, operator, low, medium, high, interval_s) VALUES
        ('Test connections', 1, '', 'high', true, now() - interval '5 min', '>', 50, 75, 90, 60),
        ('Test connections', 2, '', 'none', true, now() - interval '1 min', '>', 50, 75, 90, 60),
        ('Test connections', 2, 'db2', 'medium', false, now(), '>', 50, 75, 90, 60);
      INSERT INTO pem.alert (template, agent_id, state, changed_at, operator, low, medium, high, interval_s)
        VALUES ('Test agent', 2, 'low', now() - interval '2 min', '>', 0, 0, 1, 60);
      INSERT INTO pem.alert_history (alert_id, at, event, old_state, new_state, value, flapping, notified)
        SELECT id, now() - interval '5 min', 'raised', 'none', 'high', 93, false, true FROM pem.alert
         WHERE template = 'Test connections' AND server_id = 1
        UNION ALL
        SELECT id, now() - interval '1 min', 'cleared', 'low', 'none', 12, false, true FROM pem.alert
         WHERE template = 'Test connections' AND server_id = 2 AND object = '';`);
    const { cookie } = await login('bob');
    const r = await call('/api/alerts', { cookie });
    assert.equal(r.status, 200, r.text);
    const a = r.body as {
      counts: Record<string, number>;
      current: { template: string; state: string; serverName: string | null; agentName: string | null }[];
      history: { event: string; oldState: string; newState: string; value: number; serverName: string }[];
      historySource: string;
    };
    assert.deepEqual(a.counts, { high: 1, medium: 0, low: 1 });
    assert.deepEqual(
      a.current.map((x) => [x.state, x.template, x.serverName ?? x.agentName]),
      [
        ['high', 'Test connections', 'pem-backend-1'],
        ['low', 'Test agent', 'pem-web-1'],
      ],
    );
    assert.equal(a.historySource, 'alert_history');
    assert.deepEqual(
      a.history.map((x) => [x.event, x.oldState, x.newState, x.value, x.serverName]),
      [
        ['cleared', 'low', 'none', 12, 'pem-backend-2'],
        ['raised', 'none', 'high', 93, 'pem-backend-1'],
      ],
    );
    const fleet = (await call('/api/fleet', { cookie })).body as {
      alertCounts: Record<string, number>;
      servers: { id: number; alerts: Record<string, number> }[];
      agents: { id: number; alerts: Record<string, number> }[];
    };
    assert.deepEqual(fleet.alertCounts, { high: 1, medium: 0, low: 1 });
    assert.deepEqual(fleet.servers.find((s) => s.id === 1)!.alerts, { high: 1, medium: 0, low: 0 });
    assert.deepEqual(fleet.agents.find((x) => x.id === 2)!.alerts, { high: 0, medium: 0, low: 1 });
  });

  it('shows probe failures logged by agents through pem.log_probe_failure, and only theirs', async () => {
    await backend.psql(`SET SESSION AUTHORIZATION agent1;
      SELECT pem.log_probe_failure(1, 1, 'table_stats', 'app', now() - interval '1 min', 'permission denied for table secret');
      SELECT pem.log_probe_failure(1, 0, 'memory', '', now(), '/proc/meminfo has no MemTotal');
      RESET SESSION AUTHORIZATION;`);
    await assert.rejects(
      backend.psql(
        `SET SESSION AUTHORIZATION agent2; SELECT pem.log_probe_failure(1, 1, 'x', '', now(), 'forged');`,
      ),
      /may not log probe failures for agent 1/,
    );
    const { cookie } = await login('bob');
    const r = await call('/api/probe-log', { cookie });
    assert.equal(r.status, 200, r.text);
    const f = (
      r.body as {
        failures: { probe: string; serverId: number | null; serverName: string | null; error: string }[];
      }
    ).failures;
    assert.deepEqual(
      f.map((x) => [x.probe, x.serverId, x.serverName]),
      [
        ['memory', null, null],
        ['table_stats', 1, 'pem-backend-1'],
      ],
    );
    const one = await call('/api/probe-log?serverId=1', { cookie });
    assert.equal((one.body as { failures: unknown[] }).failures.length, 1);
  });

  it('serves the OpenAPI document generated from the route schemas', async () => {
    const r = await call('/api/openapi.json');
    assert.equal(r.status, 200, r.text);
    const doc = r.body as {
      openapi: string;
      paths: Record<string, Record<string, { parameters?: { name: string }[] }>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    assert.equal(doc.openapi, '3.1.0');
    for (const path of [
      '/api/login',
      '/api/fleet',
      '/api/preferences',
      '/api/servers/{id}',
      '/api/servers/{id}/series',
      '/api/servers/{id}/latest',
      '/api/alerts',
      '/api/probe-log',
      '/api/cluster',
    ])
      assert.ok(doc.paths[path], `${path} documented`);
    assert.ok(doc.paths['/api/preferences']!.patch, 'PATCH /api/preferences documented');
    const params = doc.paths['/api/servers/{id}/series']!.get!.parameters!.map((p) => p.name).sort();
    assert.deepEqual(params, ['fields', 'from', 'id', 'mode', 'object', 'points', 'probe', 'to']);
    assert.ok(doc.components.securitySchemes.session);
    assert.equal(doc.paths['/ui/{name}'], undefined, 'UI files are not part of the API');
  });

  it('reports the HA stack: etcd healthy, an unreachable Patroni named with its error', async () => {
    const { cookie } = await login('bob');
    const r = await call('/api/cluster', { cookie });
    assert.equal(r.status, 200, r.text);
    const c = r.body as {
      patroni: { members: unknown[]; apis: { url: string; reachable: boolean; error?: string }[] };
      etcd: { configured: boolean; members: { endpoint: string; healthy: boolean }[] };
    };
    assert.deepEqual(c.etcd, {
      configured: true,
      members: [{ endpoint: `http://${ETCD}:2379`, healthy: true }],
    });
    assert.deepEqual(c.patroni.members, []);
    assert.equal(c.patroni.apis[0]!.reachable, false);
    assert.match(c.patroni.apis[0]!.error!, /ECONNREFUSED|no answer/);
  });
});
