/**
 * Custom probes against a real PostgreSQL (issue 18): the agent's check
 * (custom-probe-check.ts) answers PostgreSQL's error with its SQLSTATE and
 * its position in the administrator's text, columns that differ from the
 * declared ones, and a good probe's rows; it runs as the monitoring role
 * (no write: read-only session), one statement only, under the probe's
 * statement timeout. A server monitor given the probe (as the agent's
 * CustomProbeSet gives it) records its samples, per database for a
 * database-level probe, and its failures in the probe log.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '@pharos/core/log';
import { makeTestPki } from '@pharos/testkit/pki/test-pki';
import { startPostgres, type TestPostgres } from '@pharos/testkit/postgres/postgres-server';
import { CustomProbeSet } from '../backend-link/custom-probe-set.js';
import type { CustomProbeRow } from '../probes/custom.js';
import { serverInfoProbe } from '../probes/server/server-info.js';
import type { NewSample } from '../sample.js';
import type { Binding } from './bindings.js';
import { checkCustomProbe, parseCustomProbeCheckParams } from './custom-probe-check.js';
import { definitionDefaults } from './probe-settings.js';
import { ServerMonitor } from './server-monitor.js';
import type { MonitorSink, ProbeFailure } from './sink.js';

const SERVER = '127.0.31.40';
const AGENT = '127.0.31.41';
const logger = createLogger('agent', { level: 'silent' });

describe('custom probes on a real PostgreSQL', () => {
  let dir: string;
  let pg: TestPostgres;
  let binding: Binding;
  let ctx: Parameters<typeof checkCustomProbe>[1];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pharos-custom-probe-'));
    const pki = makeTestPki(dir);
    const cert = pki.issue('server', [SERVER]);
    pg = await startPostgres({
      address: SERVER,
      hba: [`hostssl all all ${AGENT}/32 scram-sha-256`],
      ssl: { certFile: cert.cert, keyFile: cert.key },
    });
    await pg.psql(`CREATE ROLE monitor LOGIN PASSWORD 'mon-pw' IN ROLE pg_monitor;
      CREATE TABLE public.orders_queue (id int PRIMARY KEY, state text);
      INSERT INTO public.orders_queue SELECT g, CASE WHEN g % 3 = 0 THEN 'done' ELSE 'waiting' END FROM generate_series(1, 9) g;
      GRANT SELECT ON public.orders_queue TO monitor;
      CREATE DATABASE other;`);
    const passfile = join(dir, 'pgpass');
    writeFileSync(passfile, `${SERVER}:5432:*:monitor:mon-pw\n`, { mode: 0o600 });
    binding = {
      serverId: 7,
      displayName: 'db-7',
      host: SERVER,
      port: 5432,
      userName: 'monitor',
      sslmode: 'verify-full',
      maintenanceDb: 'postgres',
    };
    ctx = {
      agentId: 1,
      bindingOf: (id) => (id === 7 ? binding : undefined),
      passfile,
      sslrootcert: pki.caCert,
      sourceAddress: AGENT,
      logger,
    };
  });
  after(async () => {
    await pg?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const check = (sql: Record<string, string>, columns: unknown[], extra: Record<string, unknown> = {}) =>
    checkCustomProbe(
      parseCustomProbeCheckParams({ serverId: 7, sql, columns, timeoutMs: 2000, ...extra }),
      ctx,
    );
  const queue = [
    { name: 'state', type: 'text', unit: 'text' },
    { name: 'orders', type: 'bigint', unit: 'count' },
  ];
  const QUEUE_SQL =
    'SELECT state, count(*) AS orders FROM public.orders_queue GROUP BY state ORDER BY state;';

  it("answers the rows of a good probe, the SQL for the highest major at or below the server's", async () => {
    const r = await check({ '13': QUEUE_SQL, '99': 'SELECT nonsense' }, queue);
    assert.equal(r.ok, true, r.message);
    assert.equal(r.sqlKey, '13');
    assert.equal(r.rows, 2);
    assert.deepEqual(r.sample, [
      { state: 'done', orders: 3 },
      { state: 'waiting', orders: 6 },
    ]);
    assert.deepEqual(
      r.columns?.map((c) => `${c.name}:${c.pgType}`),
      ['state:text', 'orders:bigint'],
    );
  });

  it("refuses invalid SQL with PostgreSQL's message, SQLSTATE and position in the administrator's text", async () => {
    const text = 'SELECT state, count(*) AS orders\n  FROM public.orders_queue WHER state = 1';
    const r = await check({ '13': text }, queue);
    assert.equal(r.ok, false);
    assert.equal(r.sqlstate, '42601');
    assert.match(r.message, /syntax error at or near "state"/);
    // PostgreSQL points at the token after the misspelt WHERE, counted in the text as typed
    assert.equal(text.slice(r.position! - 1, r.position! - 1 + 5), 'state');
    const missing = await check({ '13': 'SELECT no_such_column FROM public.orders_queue' }, queue);
    assert.equal(missing.sqlstate, '42703');
    assert.equal(missing.position, 8);
  });

  it('refuses columns that differ from the declared ones, naming each', async () => {
    const r = await check({ '13': "SELECT 'x'::text AS state, now() AS orders, 1 AS extra" }, queue);
    assert.equal(r.ok, false);
    assert.match(r.message, /orders is timestamptz, which a bigint column cannot store/);
    assert.match(r.message, /returns extra, which is not declared/);
  });

  it('runs as the monitoring role, read-only, one statement, under the timeout', async () => {
    const write = await check(
      { '13': 'WITH d AS (DELETE FROM public.orders_queue RETURNING id) SELECT count(*) AS n FROM d' },
      [{ name: 'n', type: 'bigint', unit: 'count' }],
    );
    assert.equal(write.ok, false);
    assert.ok(
      write.sqlstate === '0A000' || write.sqlstate === '25006' || write.sqlstate === '42501',
      write.message,
    );
    const two = await check({ '13': 'SELECT 1 AS n; DROP TABLE public.orders_queue' }, [
      { name: 'n', type: 'integer', unit: 'count' },
    ]);
    assert.equal(two.ok, false, two.message);
    const slow = await check({ '13': 'SELECT pg_sleep(5)::text AS n' }, [
      { name: 'n', type: 'text', unit: 'text' },
    ]);
    assert.equal(slow.sqlstate, '57014', slow.message);
    const who = await check(
      { '13': "SELECT current_user::text AS who, current_setting('transaction_read_only') AS ro" },
      [
        { name: 'who', type: 'text', unit: 'text' },
        { name: 'ro', type: 'text', unit: 'text' },
      ],
    );
    assert.deepEqual(who.sample, [{ who: 'monitor', ro: 'on' }]);
    assert.equal(await pg.psql('SELECT count(*) FROM public.orders_queue'), '9');
  });

  it('is run by a server monitor like a built-in probe: samples per object and per database, failures logged', async () => {
    const rows: CustomProbeRow[] = [
      {
        name: 'custom_orders_queue',
        level: 'server',
        runs_on: 'both',
        interval_s: 1,
        timeout_ms: 2000,
        sql: { '13': QUEUE_SQL },
        columns: queue as CustomProbeRow['columns'],
        object_column: 'state',
        description: '',
        server_ids: [7],
      },
      {
        name: 'custom_queue_tables',
        level: 'database',
        runs_on: 'both',
        interval_s: 1,
        timeout_ms: 2000,
        sql: { '13': "SELECT count(*) AS waiting FROM public.orders_queue WHERE state = 'waiting'" },
        columns: [{ name: 'waiting', type: 'bigint', unit: 'count' }],
        object_column: null,
        description: '',
        server_ids: [7],
      },
    ];
    const set = new CustomProbeSet();
    set.update(rows);
    const samples: NewSample[] = [];
    const failures: ProbeFailure[] = [];
    const sink: MonitorSink = {
      record: async (s) => {
        samples.push(...s);
      },
      probeFailed: (f) => failures.push(f),
    };
    const m = new ServerMonitor({
      agentId: 1,
      binding,
      intervalMs: 1000,
      sink,
      logger,
      passfile: ctx.passfile,
      sslrootcert: ctx.sslrootcert,
      sourceAddress: AGENT,
      settings: definitionDefaults(),
      customProbes: set.forServer,
      probes: [serverInfoProbe],
    });
    try {
      await m.cycle(); // server_info tells the role and major; the database lane runs after it
      await m.cycle();
    } finally {
      await m.stop();
    }
    const queueSamples = samples.filter((s) => s.probe === 'custom_orders_queue');
    assert.deepEqual([...new Set(queueSamples.map((s) => `${s.object}=${JSON.stringify(s.value)}`))].sort(), [
      'done={"state":"done","orders":3}',
      'waiting={"state":"waiting","orders":6}',
    ]);
    assert.equal(set.forServer(8).server.length, 0, 'another server runs none');
    // the database probe ran where the table is (postgres) and failed where it is not (other)
    const db = samples.filter((s) => s.probe === 'custom_queue_tables');
    assert.ok(
      db.some((s) => s.object === 'postgres/' && (s.value as { waiting: number }).waiting === 6),
      JSON.stringify(db),
    );
    assert.ok(
      failures.some((f) => f.probe === 'custom_queue_tables' && f.object === 'other' && f.code === '42P01'),
      JSON.stringify(failures),
    );
  });
});
