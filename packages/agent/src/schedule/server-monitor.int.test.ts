/**
 * Server probes on a real PostgreSQL primary and streaming standby (the
 * machine's major, 15 on Debian 12), run as a role with only pg_monitor,
 * through ServerMonitor (the agent's real path); and isolation: a black-holed
 * server does not delay a healthy one.
 *
 * Addresses: 127.0.3.1 (primary), 127.0.3.2 (standby), 127.0.3.3 (black hole),
 * 127.0.3.4 (nothing listening).
 */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '@pharos/core/log';
import { startPostgres, startStandby, type TestPostgres } from '@pharos/core/testing/postgres-server';
import { serverInfoProbe } from '../probes/server/server-info.js';
import { serverUpProbe } from '../probes/server/server-up.js';
import type { Probe } from '../probes/types.js';
import type { NewSample } from '../sample.js';
import type { Binding } from './bindings.js';
import { ServerMonitor } from './server-monitor.js';
import { sleep } from './ticker.js';

const logger = createLogger('agent-test', { level: process.env.PHAROS_LOG_LEVEL ?? 'silent' });

let primary: TestPostgres;
let standby: TestPostgres;
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

async function cycleOnce(b: Binding): Promise<{ samples: NewSample[]; failures: number }> {
  const samples: NewSample[] = [];
  let failures = 0;
  const m = new ServerMonitor({
    agentId: 1,
    binding: b,
    intervalMs: 10_000,
    logger,
    passfile,
    sink: {
      record: async (s) => {
        samples.push(...s);
      },
      probeFailed: () => {
        failures++;
      },
    },
  });
  try {
    await m.cycle();
    await m.cycle(); // the second cycle knows the role and major from the first
  } finally {
    await m.stop();
  }
  return { samples, failures };
}

const of = (samples: NewSample[], probe: string) => samples.filter((s) => s.probe === probe);

describe('server probes on PostgreSQL (primary and standby, pg_monitor only)', { timeout: 120_000 }, () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pharos-probe-int-'));
    passfile = join(dir, 'pgpass');
    await writeFile(passfile, '*:*:*:monitor:monitor-pw\n');
    await chmod(passfile, 0o600);
    primary = await startPostgres({ address: '127.0.3.1' });
    await primary.psql("CREATE ROLE monitor LOGIN PASSWORD 'monitor-pw' IN ROLE pg_monitor");
    standby = await startStandby(primary, { address: '127.0.3.2' });
    // wait until the standby streams
    for (let i = 0; i < 100; i++) {
      if ((await primary.psql("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")) === '1')
        break;
      await sleep(100);
    }
  });

  after(async () => {
    await standby?.stop();
    await primary?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('collects every server probe on the primary', async () => {
    const { samples, failures } = await cycleOnce(binding(1, '127.0.3.1'));
    assert.equal(failures, 0);
    const up = of(samples, 'server_up');
    assert.deepEqual(up[0]!.value, { up: 1, error: null });
    const info = of(samples, 'server_info').at(-1)!.value;
    assert.equal(info.role, 'primary');
    assert.equal(info.in_recovery, false);
    assert.equal(info.timeline, 1);
    assert.match(String(info.system_identifier), /^\d{10,}$/);
    assert.ok((info.server_version_num as number) >= 130000);
    assert.ok((info.uptime_s as number) >= 0);
    const conns = of(samples, 'connections_by_state').slice(-7);
    const byState = Object.fromEntries(conns.map((s) => [s.object, s.value.connections]));
    assert.ok((byState.active as number) >= 1, 'the probe itself is an active client backend');
    assert.equal(byState['idle in transaction'], 0);
    const db = of(samples, 'database_stats').at(-1)!.value;
    assert.ok((db.databases as number) >= 3, 'real databases only (the datid=0 row is not counted)');
    assert.ok((db.xact_commit as number) > 0);
    assert.ok(
      db.hit_ratio_pct === null || ((db.hit_ratio_pct as number) >= 0 && (db.hit_ratio_pct as number) <= 100),
    );
    const rep = of(samples, 'replication_lag').at(-1)!;
    assert.match(rep.object, /@/);
    assert.equal(rep.value.direction, 'sender');
    assert.equal(rep.value.state, 'streaming');
    assert.equal(rep.value.broken, false);
    assert.ok((rep.value.lag_bytes as number) >= 0);
    for (const s of samples) {
      assert.equal(s.serverId, 1);
      assert.ok(!Number.isNaN(Date.parse(s.collectedAt)));
    }
  });

  it('collects every server probe on the standby, lag 0 bytes when idle', async () => {
    // let the standby replay everything
    await sleep(500);
    const { samples, failures } = await cycleOnce(binding(2, '127.0.3.2'));
    assert.equal(failures, 0);
    const info = of(samples, 'server_info').at(-1)!.value;
    assert.equal(info.role, 'standby');
    assert.equal(info.timeline, 1);
    const primaryInfo = (await primary.psql('SELECT system_identifier FROM pg_control_system()')).trim();
    assert.equal(info.system_identifier, primaryInfo);
    const rep = of(samples, 'replication_lag').filter((s) => s.object === 'upstream');
    assert.equal(rep.length, 2);
    const v = rep.at(-1)!.value;
    assert.equal(v.direction, 'receiver');
    assert.equal(v.wal_receiver_status, 'streaming');
    assert.equal(v.broken, false);
    assert.equal(v.lag_bytes, 0);
    assert.equal(v.replay_lag_s, 0);
    assert.match(String(v.receive_lsn), /^[0-9A-F]+\/[0-9A-F]+$/);
  });

  it('records server_up=0 with the error for a server that refuses connections, and nothing else', async () => {
    const { samples, failures } = await cycleOnce(binding(3, '127.0.3.4'));
    assert.equal(failures, 2);
    assert.deepEqual(
      samples.map((s) => s.probe),
      ['server_up', 'server_up'],
    );
    assert.equal(samples[0]!.value.up, 0);
    assert.match(String(samples[0]!.value.error), /ECONNREFUSED|refused|no database host/i);
  });

  it('reports a standby whose WAL receiver is down as broken, not as zero lag', async () => {
    const original = await standby.psql('SHOW primary_conninfo');
    const q = (v: string) => `'${v.replaceAll("'", "''")}'`;
    try {
      // point the WAL receiver at nothing: it stops and cannot come back (primary_conninfo reloads since 13)
      await standby.psql(
        `ALTER SYSTEM SET primary_conninfo = ${q('host=127.0.3.4 port=5432 connect_timeout=2')}`,
      );
      await standby.psql('SELECT pg_reload_conf()');
      for (let i = 0; i < 50; i++) {
        if (
          (await standby.psql("SELECT count(*) FROM pg_stat_wal_receiver WHERE status = 'streaming'")) === '0'
        )
          break;
        await sleep(100);
      }
      const { samples, failures } = await cycleOnce(binding(2, '127.0.3.2'));
      assert.equal(failures, 0);
      const v = of(samples, 'replication_lag').at(-1)!.value;
      assert.equal(v.direction, 'receiver');
      assert.equal(v.broken, true);
      assert.notEqual(v.wal_receiver_status, 'streaming');
      assert.equal(v.lag_bytes, null, 'unknown, not 0');
      assert.notEqual(v.replay_lag_s, 0);
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
    const samples: NewSample[] = [];
    let failures = 0;
    const m = new ServerMonitor({
      agentId: 1,
      binding: binding(1, '127.0.3.1'),
      intervalMs: 10_000,
      logger,
      passfile,
      probes: [serverUpProbe, slow, serverInfoProbe],
      sink: {
        record: async (s) => {
          samples.push(...s);
        },
        probeFailed: () => {
          failures++;
        },
      },
    });
    const t0 = Date.now();
    await m.cycle();
    await m.stop();
    assert.ok(Date.now() - t0 < 2500, `cycle took ${Date.now() - t0} ms`);
    assert.equal(failures, 1);
    assert.deepEqual(
      samples.map((s) => s.probe),
      ['server_up', 'server_info'],
    );
  });

  it('keeps a healthy server on time while another is black-holed', async () => {
    const sockets: Socket[] = [];
    const hole: Server = createServer((s) => {
      sockets.push(s); // accept and never answer
    });
    await new Promise<void>((r) => hole.listen(5432, '127.0.3.3', r));
    const at: Record<number, number[]> = { 1: [], 9: [] };
    const mk = (b: Binding) =>
      new ServerMonitor({
        agentId: 1,
        binding: b,
        intervalMs: 1000,
        logger,
        passfile,
        sink: {
          record: async (s) => {
            for (const x of s)
              if (x.probe === 'server_up' && x.value.up === 1) at[x.serverId]!.push(Date.now());
          },
          probeFailed: () => {},
        },
      });
    const healthy = mk(binding(1, '127.0.3.1'));
    const dead = mk(binding(9, '127.0.3.3'));
    const t0 = Date.now();
    dead.start();
    healthy.start();
    await sleep(4500);
    await Promise.all([healthy.stop(), dead.stop()]);
    for (const s of sockets) s.destroy();
    hole.close();
    assert.equal(at[9]!.length, 0, 'the black hole never answers');
    assert.ok(at[1]!.length >= 4, `healthy server sampled every second (${at[1]!.length} cycles)`);
    assert.ok(at[1]![0]! - t0 < 1000, 'first healthy cycle on time');
  });
});
