/**
 * ServerMonitor on real PostgreSQL servers (the machine's major), run as a
 * role with only pg_monitor: a cycle on a primary and on its streaming
 * standby, a refused connection, a standby whose WAL receiver is down, a
 * probe that outlasts its statement timeout; and isolation: healthy servers
 * keep their schedule while one server is black-holed (accepts TCP, never
 * answers) and one is very slow (every answer delayed 400 ms by a proxy).
 * The probe matrix (suites/probe-matrix) covers every probe on every major.
 *
 * Addresses: 127.0.11.201 primary, .202 standby, .203 black hole, .204 slow
 * proxy (to .201), .205 nothing listening, .206 a second healthy server.
 */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '@pharos/core/log';
import { startPostgres, startStandby, type TestPostgres } from '@pharos/testkit/postgres/postgres-server';
import { waitFor } from '@pharos/testkit/wait/wait-for';
import { PROBES_BY_NAME } from '../probes/catalog.js';
import { serverInfoProbe } from '../probes/server/server-info.js';
import { serverUpProbe } from '../probes/server/server-up.js';
import type { Probe } from '../probes/types.js';
import type { NewSample } from '../sample.js';
import type { Binding } from './bindings.js';
import { definitionDefaults, type SettingsLookup } from './probe-settings.js';
import { type ProbeFailure, ServerMonitor } from './server-monitor.js';

const logger = createLogger('agent-test', { level: process.env.PHAROS_LOG_LEVEL ?? 'silent' });
const PRIMARY = '127.0.11.201';
const STANDBY = '127.0.11.202';
const HOLE = '127.0.11.203';
const SLOW = '127.0.11.204';
const NOTHING = '127.0.11.205';
const OTHER = '127.0.11.206';

let primary: TestPostgres;
let standby: TestPostgres;
let other: TestPostgres;
let dir: string;
let passfile: string;

function binding(serverId: number, host: string, port = 5432): Binding {
  return {
    serverId,
    displayName: `s${serverId}`,
    host,
    port,
    userName: 'monitor',
    sslmode: 'prefer',
    maintenanceDb: 'postgres',
  };
}

interface Collected {
  samples: NewSample[];
  failures: ProbeFailure[];
}

function monitor(
  b: Binding,
  into: Collected,
  opts: { intervalMs?: number; probes?: readonly Probe[]; settings?: SettingsLookup } = {},
): ServerMonitor {
  return new ServerMonitor({
    agentId: 1,
    binding: b,
    intervalMs: opts.intervalMs ?? 10_000,
    logger,
    passfile,
    probes: opts.probes,
    settings: opts.settings,
    sink: {
      record: async (s) => {
        into.samples.push(...s);
      },
      probeFailed: (f) => {
        into.failures.push(f);
      },
    },
  });
}

async function cycleOnce(b: Binding, probes?: readonly Probe[]): Promise<Collected> {
  const c: Collected = { samples: [], failures: [] };
  const m = monitor(b, c, { probes });
  try {
    await m.cycle();
  } finally {
    await m.stop();
  }
  return c;
}

const of = (samples: NewSample[], probe: string) => samples.filter((s) => s.probe === probe);

/** A TCP proxy to `target` that delays every chunk from the server by `delayMs`. */
async function slowProxy(
  address: string,
  target: string,
  delayMs: number,
): Promise<{ close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(5432, target);
    sockets.add(client).add(upstream);
    client.on('data', (d) => upstream.write(d));
    upstream.on('data', (d) => setTimeout(() => client.writable && client.write(d), delayMs));
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((r) => server.listen(5432, address, r));
  return {
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

describe('server probes on PostgreSQL (primary and standby, pg_monitor only)', { timeout: 180_000 }, () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pharos-probe-int-'));
    passfile = join(dir, 'pgpass');
    await writeFile(passfile, '*:*:*:monitor:monitor-pw\n');
    await chmod(passfile, 0o600);
    primary = await startPostgres({ address: PRIMARY });
    await primary.psql("CREATE ROLE monitor LOGIN PASSWORD 'monitor-pw' IN ROLE pg_monitor");
    [standby, other] = await Promise.all([
      startStandby(primary, { address: STANDBY }),
      startPostgres({ address: OTHER }),
    ]);
    await other.psql("CREATE ROLE monitor LOGIN PASSWORD 'monitor-pw' IN ROLE pg_monitor");
    await waitFor(
      'the standby to stream from the primary',
      async () =>
        (await primary.psql("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")) === '1',
    );
  });

  after(async () => {
    await Promise.all([standby?.stop(), other?.stop()]);
    await primary?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('collects every applicable probe on the primary in one cycle', async () => {
    const { samples, failures } = await cycleOnce(binding(1, PRIMARY));
    assert.deepEqual(failures, []);
    assert.deepEqual(of(samples, 'server_up')[0]!.value, { up: 1, error: null });
    const info = of(samples, 'server_info').at(-1)!.value;
    assert.equal(info.role, 'primary');
    assert.equal(info.timeline, 1);
    assert.match(String(info.system_identifier), /^\d{10,}$/);
    const byState = Object.fromEntries(
      of(samples, 'connections_by_state').map((s) => [s.object, s.value.connections]),
    );
    assert.ok((byState.active as number) >= 1, 'the probe itself is an active client backend');
    const db = of(samples, 'database_stats').at(-1)!.value;
    assert.ok((db.databases as number) >= 3, 'real databases only (the datid=0 row is not counted)');
    const rep = of(samples, 'replication_lag').at(-1)!;
    assert.equal(rep.value.direction, 'sender');
    assert.equal(rep.value.state, 'streaming');
    assert.equal(
      of(samples, 'replication_conflicts').length,
      0,
      'a standby-only probe does not run on a primary',
    );
    assert.ok(of(samples, 'table_stats').length === 0 && of(samples, 'database_size').length >= 3);
    for (const s of samples) assert.equal(s.serverId, 1);
  });

  it('collects on the standby: role, same system, lag 0 bytes when idle, standby-only probes', async () => {
    const lsn = await primary.psql('SELECT pg_current_wal_lsn()');
    await waitFor(
      `the standby to replay up to the primary's ${lsn}`,
      async () => (await standby.psql(`SELECT pg_last_wal_replay_lsn() >= '${lsn}'::pg_lsn`)) === 't',
    );
    const { samples, failures } = await cycleOnce(binding(2, STANDBY));
    assert.deepEqual(failures, []);
    const info = of(samples, 'server_info').at(-1)!.value;
    assert.equal(info.role, 'standby');
    assert.equal(
      info.system_identifier,
      await primary.psql('SELECT system_identifier FROM pg_control_system()'),
    );
    const v = of(samples, 'replication_lag').find((s) => s.object === 'upstream')!.value;
    assert.equal(v.wal_receiver_status, 'streaming');
    assert.equal(v.broken, false);
    assert.equal(v.lag_bytes, 0);
    assert.ok(of(samples, 'replication_conflicts').length >= 3);
    assert.equal(of(samples, 'wal').at(-1)!.value.current_lsn, null);
  });

  it('records server_up=0 with the error for a server that refuses connections, and nothing else', async () => {
    const { samples, failures } = await cycleOnce(binding(3, NOTHING));
    assert.deepEqual(
      samples.map((s) => s.probe),
      ['server_up'],
    );
    assert.equal(samples[0]!.value.up, 0);
    assert.match(String(samples[0]!.value.error), /ECONNREFUSED|refused|no database host/i);
    assert.deepEqual(
      failures.map((f) => f.probe),
      ['server_up'],
      'one failure, not one per probe',
    );
  });

  it('reports a standby whose WAL receiver is down as broken, not as zero lag', async () => {
    const original = await standby.psql('SHOW primary_conninfo');
    const q = (v: string) => `'${v.replaceAll("'", "''")}'`;
    try {
      await standby.psql(
        `ALTER SYSTEM SET primary_conninfo = ${q(`host=${NOTHING} port=5432 connect_timeout=2`)}`,
      );
      await standby.psql('SELECT pg_reload_conf()');
      await waitFor(
        'the WAL receiver to stop streaming',
        async () =>
          (await standby.psql("SELECT count(*) FROM pg_stat_wal_receiver WHERE status = 'streaming'")) ===
          '0',
        { deadlineMs: 5_000 },
      );
      const { samples, failures } = await cycleOnce(binding(2, STANDBY), [
        serverUpProbe,
        serverInfoProbe,
        PROBES_BY_NAME.get('replication_lag')!,
      ]);
      assert.deepEqual(failures, []);
      const v = of(samples, 'replication_lag').at(-1)!.value;
      assert.equal(v.broken, true);
      assert.notEqual(v.wal_receiver_status, 'streaming');
      assert.equal(v.lag_bytes, null, 'unknown, not 0');
    } finally {
      await standby.psql(`ALTER SYSTEM SET primary_conninfo = ${q(original)}`);
      await standby.psql('SELECT pg_reload_conf()');
    }
  });

  it('ends a slow probe at its statement timeout, logs it, and runs the next probe', async () => {
    const slow: Probe = {
      ...serverInfoProbe,
      name: 'slow',
      timeoutMs: 300,
      sql: { 13: 'SELECT pg_sleep(5) AS x' },
    };
    const t0 = Date.now();
    const { samples, failures } = await cycleOnce(binding(1, PRIMARY), [
      serverUpProbe,
      slow,
      serverInfoProbe,
    ]);
    assert.ok(Date.now() - t0 < 2500, `cycle took ${Date.now() - t0} ms`);
    assert.deepEqual(
      failures.map((f) => [f.probe, f.code]),
      [['slow', '57014']],
    );
    assert.deepEqual(
      samples.map((s) => s.probe),
      ['server_up', 'server_info'],
    );
  });

  it('keeps healthy servers on time while one is black-holed and one is very slow', async () => {
    const sockets: Socket[] = [];
    const hole: Server = createServer((s) => {
      sockets.push(s); // accept and never answer
    });
    await new Promise<void>((r) => hole.listen(5432, HOLE, r));
    const proxy = await slowProxy(SLOW, PRIMARY, 400);
    const probes = ['server_up', 'server_info', 'connections_by_state', 'locks', 'session_activity'].map(
      (n) => PROBES_BY_NAME.get(n)!,
    );
    const everySecond = definitionDefaults(Object.fromEntries(probes.map((p) => [p.name, { intervalS: 1 }])));
    const got = new Map<number, Collected>();
    const monitors = [
      [1, PRIMARY],
      [6, OTHER],
      [2, STANDBY],
      [9, HOLE],
      [8, SLOW],
    ].map(([id, host]) => {
      const c: Collected = { samples: [], failures: [] };
      got.set(id as number, c);
      return monitor(binding(id as number, host as string), c, {
        intervalMs: 1000,
        probes,
        settings: everySecond,
      });
    });
    const upAt = (id: number) =>
      got
        .get(id)!
        .samples.filter((s) => s.probe === 'server_up' && s.value.up === 1)
        .map((s) => Date.parse(s.collectedAt));
    const t0 = Date.now();
    for (const m of monitors) m.start();
    const downAt = (id: number) =>
      got.get(id)!.samples.filter((s) => s.probe === 'server_up' && s.value.up === 0);
    await waitFor(
      'six cycles of each healthy server, and the black hole recorded as down',
      () => [1, 6, 2].every((id) => upAt(id).length >= 6) && downAt(9).length >= 1,
      { deadlineMs: 20_000 },
    );
    await Promise.all(monitors.map((m) => m.stop()));
    for (const s of sockets) s.destroy();
    hole.close();
    await proxy.close();

    for (const id of [1, 6, 2]) {
      const at = upAt(id);
      assert.ok(at[0]! - t0 < 1000, `server ${id}: first cycle on time`);
      const gaps = at.slice(1).map((x, i) => x - at[i]!);
      assert.ok(Math.max(...gaps) < 2100, `server ${id}: gaps ${gaps.join(', ')} ms`);
      assert.deepEqual(got.get(id)!.failures, [], `server ${id}: no failures`);
      for (const p of probes)
        assert.ok(
          got.get(id)!.samples.some((s) => s.probe === p.name),
          `${id}: ${p.name}`,
        );
    }
    assert.equal(upAt(9).length, 0, 'the black hole never answers');
    assert.ok(downAt(9).length >= 1, 'and is recorded as down');
    const slow = got.get(8)!;
    assert.ok(upAt(8).length < upAt(1).length, `the slow server falls behind (${upAt(8).length} cycles)`);
    assert.ok(slow.samples.length < got.get(1)!.samples.length / 2);
  });
});
