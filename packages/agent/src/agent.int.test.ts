/**
 * The whole agent against a real `pem` backend (PostgreSQL of the machine's
 * major) with TLS and certificate authentication, as in the reference
 * deployment: samples of every probe arrive in `pemhistory.sample` and
 * `pemdata.latest` exactly once, with no sample id missing, across
 * terminations of the shipping connection, a lost acknowledgement, a graceful
 * restart, and a kill -9 of the agent process.
 *
 * Addresses: 127.0.3.10 backend primary (also monitored, server 1),
 * 127.0.3.11 its streaming standby (monitored, server 2; listed first in the
 * backend string, so read-write must skip it), 127.0.3.12 nothing (listed in
 * the backend string: refused), 127.0.3.20 the agent's source address (the
 * only address HBA accepts pem_agent certificates from).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { migrate } from '@pharos/backend/migrations/run';
import { HaConnection } from '@pharos/core/ha/connection';
import { createLogger } from '@pharos/core/log';
import type { Queryable, QueryOptions } from '@pharos/core/query';
import { startPostgres, startStandby, type TestPostgres } from '@pharos/testkit/postgres/postgres-server';
import { checkExposition, type ParsedFamily } from '@pharos/testkit/prometheus/exposition-check';
import { watchLogs } from '@pharos/testkit/wait/log-set';
import { waitFor } from '@pharos/testkit/wait/wait-for';
import { type AgentConfig, loadAgentConfig, parseAgentConfig } from './config.js';
import { ALL_PROBES } from './probes/catalog.js';
import { AGENT_VERSION, runAgent } from './run.js';
import { Shipper } from './ship/shipper.js';
import { Spool } from './spool/spool.js';

/** Probes with rows in this setup, from both servers (server probes) or the host. */
const EXPECTED = new Set([
  'server_up',
  'server_info',
  'connections_by_state',
  'session_activity',
  'database_stats',
  'database_size',
  'locks',
  'wal',
  'checkpointer',
  'replication_lag',
  'settings',
  'table_stats',
  'cpu',
  'load_avg',
  'memory',
  'swap',
  'network',
  'os_info',
  'agent_status',
]);

const PRIMARY = '127.0.3.10';
const STANDBY = '127.0.3.11';
const NOWHERE = '127.0.3.12';
const SOURCE = '127.0.3.20';

let dir: string;
let primary: TestPostgres;
let standby: TestPostgres;
let admin: HaConnection;

function openssl(args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

async function makeCerts(): Promise<void> {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl([
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    '-subj',
    '/CN=pharos-test-ca',
  ]);
  await writeFile(join(dir, 'server.ext'), `subjectAltName=IP:${PRIMARY},IP:${STANDBY}\n`);
  openssl(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', `/CN=${PRIMARY}`]);
  openssl(
    ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial'].concat([
      '-out',
      'server.crt',
      '-days',
      '2',
      '-extfile',
      'server.ext',
    ]),
  );
  for (const user of ['agent1', 'agent2']) {
    openssl(['req', ...ec, '-keyout', `${user}.key`, '-out', `${user}.csr`, '-subj', `/CN=${user}`]);
    openssl(
      ['x509', '-req', '-in', `${user}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial'].concat([
        '-out',
        `${user}.crt`,
        '-days',
        '2',
      ]),
    );
    await chmod(join(dir, `${user}.key`), 0o600);
  }
}

function backendString(user: string): string {
  return [
    `host=${STANDBY},${NOWHERE},${PRIMARY} port=5432 dbname=pem user=${user}`,
    `sslmode=verify-full sslrootcert=${dir}/ca.crt sslcert=${dir}/${user}.crt sslkey=${dir}/${user}.key`,
    'connect_timeout=2 target_session_attrs=read-write',
  ].join(' ');
}

function agentConfig(): AgentConfig {
  return parseAgentConfig({
    agent_id: 1,
    agent_user: 'agent1',
    backend: backendString('agent1'),
    source_address: SOURCE,
    spool_dir: join(dir, 'spool'),
    probe_interval_s: 1,
    short_wait_s: 1,
    long_wait_s: 2,
    passfile: join(dir, 'pgpass'),
    server_sslrootcert: join(dir, 'ca.crt'),
    log_file: join(dir, 'agent.log'),
    log_level: 'info',
  });
}

async function q<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]> {
  return (await admin.query<R>(sql, params)).rows;
}

/**
 * Holds `pem.ship_batch` locked in EXCLUSIVE mode (reads go on, inserts wait) until `release()`:
 * a ship that reaches `pem.ingest_samples` then waits in flight, inside its transaction, with its
 * batch recorded as pending in the spool.
 */
async function holdShipBatches(): Promise<{ release(): Promise<void> }> {
  const lockConn = new HaConnection({ conninfo: primary.conninfo('postgres', 'pem') });
  let open!: () => void;
  const gate = new Promise<void>((r) => {
    open = r;
  });
  let locked!: () => void;
  const isLocked = new Promise<void>((r) => {
    locked = r;
  });
  const held = lockConn.transaction(
    async (tx) => {
      await tx.query('LOCK TABLE pem.ship_batch IN EXCLUSIVE MODE');
      locked();
      await gate;
    },
    { deadlineMs: 120_000 },
  );
  await Promise.race([isLocked, held]);
  return {
    async release() {
      open();
      await held;
      await lockConn.close();
    },
  };
}

/** PID of agent 1's ship session once it waits in flight on the held lock ({@link holdShipBatches}). */
function shipInFlight(): Promise<number> {
  return waitFor(
    'a ship of agent 1 in flight (its session waiting on the held pem.ship_batch lock)',
    async () => {
      const [r] = await q<{ pid: number }>(
        "SELECT pid FROM pg_stat_activity WHERE application_name = 'pharos-agent-1-ship' AND wait_event_type = 'Lock' AND state = 'active'",
      );
      return r?.pid;
    },
    { deadlineMs: 30_000 },
  );
}

/** Stored batches of agent 1 so far. */
async function shipBatches(): Promise<number> {
  const [r] = await q<{ n: string }>('SELECT count(*) AS n FROM pem.ship_batch WHERE agent_id = 1');
  return Number(r!.n);
}

/** The batch the spool in `spoolDir` records as in flight (state.json `pending`), or undefined. */
async function pendingBatch(spoolDir: string): Promise<string | undefined> {
  const state = JSON.parse(await readFile(join(spoolDir, 'state.json'), 'utf8')) as {
    pending: { batchId: string } | null;
  };
  return state.pending?.batchId;
}

/** Starts the agent in a child process (`runAgent(loadAgentConfig(file), { handleSignals: true })`). */
function spawnAgent(configFile: string): ChildProcess {
  const runJs = fileURLToPath(new URL('./run.js', import.meta.url));
  const configJs = fileURLToPath(new URL('./config.js', import.meta.url));
  const script = `
    const { runAgent } = await import(${JSON.stringify(runJs)});
    const { loadAgentConfig } = await import(${JSON.stringify(configJs)});
    await runAgent(loadAgentConfig(${JSON.stringify(configFile)}), { handleSignals: true });
    process.stdout.write('started\\n');
  `;
  return spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

function started(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      if (String(d).includes('started')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`agent exited early with ${code}`)));
  });
}

describe('agent end to end (TLS, certificate auth, multi-host backend)', { timeout: 240_000 }, () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pharos-agent-int-'));
    await makeCerts();
    primary = await startPostgres({
      address: PRIMARY,
      ssl: {
        certFile: join(dir, 'server.crt'),
        keyFile: join(dir, 'server.key'),
        caFile: join(dir, 'ca.crt'),
      },
      hba: [
        `hostssl pem +pem_agent ${SOURCE}/32 cert`,
        'host all +pem_agent 0.0.0.0/0 reject',
        'host all all 0.0.0.0/0 scram-sha-256',
      ],
    });
    watchLogs(join(dir, 'agent.log'));
    await primary.psql('CREATE DATABASE pem');
    admin = new HaConnection({ conninfo: primary.conninfo('postgres', 'pem') });
    await migrate((fn) => admin.transaction(fn));
    await primary.psql(`
      CREATE ROLE agent1 LOGIN IN ROLE pem_agent;
      CREATE ROLE agent2 LOGIN IN ROLE pem_agent;
      CREATE ROLE monitor LOGIN PASSWORD 'monitor-pw' IN ROLE pg_monitor;`);
    await primary.psql(
      `INSERT INTO pem.agent (id, user_name, display_name) VALUES (1, 'agent1', 'agent one'), (2, 'agent2', 'agent two');
       INSERT INTO pem.server (id, display_name, host, port, is_pem_backend) VALUES
         (1, 'backend-1', '${PRIMARY}', 5432, true), (2, 'backend-2', '${STANDBY}', 5432, true);
       INSERT INTO pem.server_binding (server_id, agent_id, host, port, user_name, sslmode) VALUES
         (1, 1, '${PRIMARY}', 5432, 'monitor', 'require'), (2, 1, '${STANDBY}', 5432, 'monitor', 'verify-full');`,
      'pem',
    );
    await writeFile(join(dir, 'pgpass'), '*:5432:*:monitor:monitor-pw\n', { mode: 0o600 });
    standby = await startStandby(primary, { address: STANDBY });
  });

  after(async () => {
    await admin?.close();
    await standby?.stop();
    await primary?.stop();
    if (process.env.PHAROS_KEEP_TEST_DIR) console.log(`kept ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  });

  it('serves its own health metrics on metrics_listen when enabled', async () => {
    const config = { ...agentConfig(), metrics_listen: `${SOURCE}:9187` };
    const agent = await runAgent(config, { logger: createLogger('agent', { level: 'silent' }) });
    try {
      assert.equal(agent.metricsUrl, `http://${SOURCE}:9187/metrics`);
      const families = async () => {
        const r = await fetch(agent.metricsUrl!);
        assert.equal(r.status, 200);
        assert.match(r.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
        return checkExposition(await r.text());
      };
      const value = (f: Map<string, ParsedFamily>, name: string) => Number(f.get(name)?.metrics[0]?.value);
      let last: Map<string, ParsedFamily> | undefined;
      await waitFor(
        'the health metrics to show a shipped batch, a heartbeat and the backend connection',
        async () => {
          last = await families();
          return (
            value(last, 'pharos_agent_shipped_samples_total') > 0 &&
            value(last, 'pharos_agent_backend_connected') === 1 &&
            value(last, 'pharos_agent_last_heartbeat_timestamp_seconds') > 0
          );
        },
        { deadlineMs: 30_000 },
      );
      const f = last!;
      assert.equal(f.get('pharos_agent_shipped_samples_total')!.type, 'COUNTER');
      assert.equal(value(f, 'pharos_agent_monitored_servers'), 2);
      assert.ok(Math.abs(value(f, 'pharos_agent_last_ship_timestamp_seconds') - Date.now() / 1000) < 60);
      assert.ok(value(f, 'pharos_agent_spool_bytes') > 0);
      assert.ok(f.has('process_resident_memory_bytes'));
      assert.equal((await fetch(`http://${SOURCE}:9187/other`)).status, 404);
    } finally {
      await agent.stop();
    }
    await assert.rejects(fetch(`http://${SOURCE}:9187/metrics`), 'the endpoint closes with the agent');
  });

  it('refuses agent certificates from any address but the agent host', async () => {
    const c = new HaConnection({ conninfo: backendString('agent1'), sourceAddress: '127.0.3.21' });
    await assert.rejects(c.query('SELECT 1'), /reject|no pg_hba|no database host/i);
    await c.close();
  });

  it('recognises a batch retried after a lost acknowledgement (real backend)', async () => {
    const spool = await Spool.open({ dir: join(dir, 'spool2'), maxBytes: 1 << 20 });
    const conn = new HaConnection({ conninfo: backendString('agent2'), sourceAddress: SOURCE });
    let lose = 2;
    const lossy: Queryable = {
      async query<R>(sql: string, params?: unknown[], opts?: QueryOptions) {
        const r = await conn.query<R>(sql, params, opts);
        if (lose-- > 0) throw new Error('Connection terminated unexpectedly'); // committed, but we never hear it
        return r;
      },
    };
    const shipper = new Shipper({
      agentId: 2,
      spool,
      conn: lossy,
      logger: createLogger('t', { level: 'silent' }),
      batchSize: 10,
      maxFailoverBackoffMs: 50,
    });
    await spool.append(
      Array.from({ length: 25 }, (_, i) => ({
        probe: 'test',
        serverId: 0,
        object: `o${i}`,
        collectedAt: new Date().toISOString(),
        value: { i },
      })),
    );
    shipper.start();
    await waitFor('agent 2 spool drained', async () => (await spool.stats()).samples === 0, {
      deadlineMs: 20_000,
    });
    await shipper.stop();
    await spool.close();
    await conn.close();
    const [r] = await q<{ n: string; d: string; batches: string; s: string }>(
      `SELECT count(*) AS n, count(DISTINCT sample_id) AS d,
              (SELECT count(*) FROM pem.ship_batch WHERE agent_id = 2) AS batches,
              (SELECT sum(sample_count) FROM pem.ship_batch WHERE agent_id = 2) AS s
         FROM pemhistory.sample WHERE agent_id = 2`,
    );
    assert.deepEqual(r, { n: '25', d: '25', batches: '3', s: '25' });
    assert.ok(shipper.stats.repeatedBatches >= 1, 'the retried batch was recognised by ingest_samples');
  });

  it('ships every probe exactly once across connection kills, a restart and kill -9', async () => {
    const config = agentConfig();
    // Phase 1: in process, with the shipping connection terminated now and then.
    let agent = await runAgent(config, { batchSize: 50 });
    const probeNames = ALL_PROBES.filter((p) => EXPECTED.has(p.name)).map((p) => p.name);
    await waitFor(
      'samples of every probe',
      async () => {
        const rows = await q<{ probe: string }>(
          'SELECT DISTINCT probe FROM pemhistory.sample WHERE agent_id = 1',
        );
        return probeNames.every((n) => rows.some((r) => r.probe === n));
      },
      { deadlineMs: 30_000 },
    );
    // Kill the shipping connection while a batch is in flight (held at ingest), three times;
    // each time the agent ships again (the same batch, by its id) once the lock is released.
    let terminated = 0;
    for (let i = 0; i < 3; i++) {
      const hold = await holdShipBatches();
      const pid = await shipInFlight();
      const before = await shipBatches();
      const [t] = await q<{ t: boolean }>('SELECT pg_terminate_backend($1) AS t', [pid]);
      if (t!.t) terminated++;
      await hold.release();
      await waitFor(
        `agent 1 to ship again after termination ${i + 1}`,
        async () => (await shipBatches()) > before,
        {
          deadlineMs: 30_000,
        },
      );
    }
    assert.equal(terminated, 3, 'the in-flight shipping connection was terminated three times');
    const st1 = await waitFor('agent 1 to send a heartbeat', async () => {
      const s = await agent.status();
      return s.lastHeartbeatAt && s.ship.shipErrors >= 3 ? s : undefined;
    });
    assert.equal(st1.monitoredServers.length, 2);
    assert.ok(st1.ship.shipErrors >= 3, `ship errors: ${st1.ship.shipErrors}`);
    await agent.stop(); // graceful

    // Phase 2: as a process; kill -9 it mid-flight, start it again, then SIGTERM.
    const file = join(dir, 'agent.yml');
    await writeFile(
      file,
      [
        `agent_id: 1`,
        `agent_user: agent1`,
        `backend: "${config.backend}"`,
        `source_address: ${SOURCE}`,
        `spool_dir: ${config.spool_dir}`,
        'probe_interval_s: 1',
        'short_wait_s: 1',
        'long_wait_s: 2',
        `passfile: ${config.passfile}`,
        `server_sslrootcert: ${config.server_sslrootcert}`,
        `log_file: ${config.log_file}`,
        '',
      ].join('\n'),
    );
    assert.equal(loadAgentConfig(file).backend, config.backend);
    let child = spawnAgent(file);
    await started(child);
    // kill -9 while a batch is in flight: held at ingest, recorded as pending in the spool
    const hold = await holdShipBatches();
    await shipInFlight();
    const inFlight = await pendingBatch(config.spool_dir);
    assert.ok(inFlight, 'the spool records the batch in flight');
    const killed = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await killed;
    await hold.release();
    const [lost] = await q<{ n: string }>('SELECT count(*) AS n FROM pem.ship_batch WHERE batch_id = $1', [
      inFlight,
    ]);
    assert.equal(lost!.n, '0', 'the batch in flight was not committed (its agent died before COMMIT)');
    child = spawnAgent(file);
    await started(child);
    await waitFor(`the restarted agent to ship batch ${inFlight} again, under its id`, async () => {
      const [r] = await q<{ n: string }>('SELECT count(*) AS n FROM pem.ship_batch WHERE batch_id = $1', [
        inFlight,
      ]);
      return r!.n === '1';
    });
    const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    assert.equal(await exit, 0, 'graceful exit on SIGTERM');

    // Phase 3: in process again until the spool is empty.
    agent = await runAgent(config, { logger: createLogger('agent', { level: 'silent' }) });
    const shipped = await shipBatches();
    await waitFor(
      'the agent, in process again, to ship a batch',
      async () => (await shipBatches()) > shipped,
    );
    const stopAt = Date.now();
    await agent.stop();
    agent = await runAgent(config, { logger: createLogger('agent', { level: 'silent' }) });
    // no new samples would be needed, but the host probes keep producing; wait until what was spooled before stopAt is in
    await waitFor(
      'spool drained',
      async () => {
        const s = await agent.status();
        return s.spool.oldestCollectedAt === undefined || Date.parse(s.spool.oldestCollectedAt) > stopAt;
      },
      { deadlineMs: 30_000 },
    );
    await agent.stop();
    const log = await readFile(config.log_file!, 'utf8');

    // Drain the rest with a bare shipper so the spool ends empty and the last id is known.
    const spool = await Spool.open({ dir: config.spool_dir, maxBytes: config.spool_max_bytes });
    const conn = new HaConnection({ conninfo: backendString('agent1'), sourceAddress: SOURCE });
    const drained = new Shipper({ agentId: 1, spool, conn, logger: createLogger('t', { level: 'silent' }) });
    await drained.drainOnce();
    const final = await spool.stats();
    await spool.close();
    await conn.close();
    assert.equal(final.samples, 0);
    assert.equal(final.droppedSamples, 0);

    // Exactly once, nothing missing.
    const [h] = await q<{ n: string; d: string; lo: string; hi: string }>(
      `SELECT count(*) AS n, count(DISTINCT sample_id) AS d, min(sample_id) AS lo, max(sample_id) AS hi
         FROM pemhistory.sample WHERE agent_id = 1`,
    );
    assert.equal(h!.n, h!.d, 'no sample stored twice');
    const [ids] = await q<{ n: string; s: string; lo: string; hi: string }>(
      `SELECT sum(sample_count) AS n, sum(stored_count) AS s, min(first_sample_id) AS lo, max(last_sample_id) AS hi
         FROM pem.ship_batch WHERE agent_id = 1`,
    );
    assert.equal(Number(ids!.hi) - Number(ids!.lo) + 1, Number(ids!.n), 'no sample id missing');
    assert.equal(Number(ids!.hi), final.nextSampleId - 1, 'every sample the spool issued was shipped');
    assert.equal(ids!.s, h!.n, 'history holds exactly the samples ingest stored');
    assert.ok(Number(ids!.n) > Number(ids!.s), 'unchanged values took no history space');
    const [b] = await q<{ s: string }>(
      'SELECT sum(sample_count) AS s FROM pem.ship_batch WHERE agent_id = 1',
    );
    assert.equal(b!.s, ids!.n, 'batches account for every shipped sample');

    // Every probe, from the right servers.
    const per = await q<{ probe: string; server_id: number; n: string }>(
      'SELECT probe, server_id, count(*) AS n FROM pemhistory.sample WHERE agent_id = 1 GROUP BY 1, 2',
    );
    const has = (probe: string, server: number) =>
      per.some((r) => r.probe === probe && r.server_id === server);
    for (const p of ALL_PROBES.filter((x) => EXPECTED.has(x.name))) {
      if (p.level === 'agent') assert.ok(has(p.name, 0), `${p.name} from the host`);
      else {
        assert.ok(has(p.name, 1), `${p.name} from server 1`);
        assert.ok(has(p.name, 2), `${p.name} from server 2`);
      }
    }
    const roles = await q<{ server_id: number; role: string }>(
      "SELECT server_id, value->>'role' AS role FROM pemdata.latest WHERE agent_id = 1 AND probe = 'server_info' ORDER BY 1",
    );
    assert.deepEqual(
      roles.map((r) => r.role),
      ['primary', 'standby'],
    );
    const lag = await q<{ object: string; broken: boolean }>(
      "SELECT object, (value->>'broken')::boolean AS broken FROM pemdata.latest WHERE agent_id = 1 AND probe = 'replication_lag' ORDER BY server_id",
    );
    assert.ok(lag.some((r) => r.object === 'upstream' && r.broken === false));
    assert.ok(lag.some((r) => r.object.includes('@')));

    // pemdata.latest: one row per (server, probe, object), holding the newest sample of it.
    const [l] = await q<{ stale: string; keys: string; latest: string }>(
      `SELECT (SELECT count(*) FROM pemdata.latest l
                WHERE l.agent_id = 1 AND l.collected_at < (SELECT max(collected_at) FROM pemhistory.sample s
                  WHERE s.agent_id = 1 AND s.server_id = l.server_id AND s.probe = l.probe AND s.object = l.object)) AS stale,
              (SELECT count(*) FROM (SELECT DISTINCT server_id, probe, object FROM pemhistory.sample WHERE agent_id = 1) k) AS keys,
              (SELECT count(*) FROM pemdata.latest WHERE agent_id = 1) AS latest`,
    );
    assert.equal(l!.stale, '0');
    assert.equal(l!.latest, l!.keys);

    // The agent row: heartbeat, version, no drops.
    const [a] = await q<{ v: string; d: string; hb: boolean }>(
      "SELECT agent_version AS v, dropped_samples AS d, last_heartbeat > now() - interval '1 minute' AS hb FROM pem.agent WHERE id = 1",
    );
    assert.deepEqual(a, { v: AGENT_VERSION, d: '0', hb: true });

    // The agent's own metrics and the log tell what happened.
    const [status] = await q<{ v: Record<string, unknown> }>(
      "SELECT value AS v FROM pemdata.latest WHERE agent_id = 1 AND probe = 'agent_status'",
    );
    assert.equal(typeof status!.v.spool_bytes, 'number');
    assert.match(log, /agent started/);
    assert.match(log, /signal received/);
  });
});
