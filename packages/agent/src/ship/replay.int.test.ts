/**
 * Re-ship after an asynchronous-replication loss, against a real PostgreSQL
 * with the pem schema (no mocks): when the agent finds another server
 * identity it asks that server once (pem.agent_stored_batches) which of its
 * retained batches it stores; the batches the backend acknowledged and then
 * lost (as a kill -9 of a primary that had not streamed them does) are shipped
 * again and stored exactly once, the ones it still has are not sent again.
 * An agent cannot ask about another agent's batches.
 *
 * The loss is simulated on one server: the last two batches' rows are deleted
 * from pem.ship_batch, pemhistory.sample and pemdata.latest, and the server is
 * restarted (a new postmaster start time: another identity, as a new primary
 * or a restarted cluster is).
 *
 * Addresses: 127.0.7.1 backend.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { migrate } from '@pharos/backend/migrations/run';
import { HaConnection } from '@pharos/core/ha/connection';
import { createLogger } from '@pharos/core/log';
import { restartPostgres, startPostgres, type TestPostgres } from '@pharos/testkit/postgres/postgres-server';
import { waitFor } from '@pharos/testkit/wait/wait-for';
import { Spool } from '../spool/spool.js';
import { Shipper } from './shipper.js';

const BACKEND = '127.0.7.1';
const logger = createLogger('replay-test', { level: 'silent' });

let pg: TestPostgres;
let admin: HaConnection;
let dir: string;
const conns: HaConnection[] = [];

const q = async <R = Record<string, unknown>>(sql: string, params?: unknown[]) =>
  (await admin.query<R>(sql, params)).rows;

function agentConn(user: string): HaConnection {
  const c = new HaConnection({
    conninfo: `host=${BACKEND} port=5432 dbname=pem user=${user} password=agent-pw connect_timeout=5 target_session_attrs=read-write`,
  });
  conns.push(c);
  return c;
}

async function openSpool(name: string): Promise<Spool> {
  return Spool.open({ dir: join(dir, name), maxBytes: 1 << 22, firstSampleId: 1, retainAckedMs: 3_600_000 });
}

async function append(spool: Spool, n: number): Promise<void> {
  await spool.append(
    Array.from({ length: n }, (_, i) => ({
      probe: 'replay_test',
      serverId: 0,
      object: `o${i % 3}`,
      collectedAt: new Date().toISOString(),
      value: { i },
    })),
  );
}

/** Drains the spool, retrying while the backend is not reachable yet (deadline 10 s). */
async function drain(shipper: Shipper): Promise<void> {
  await waitFor(
    'the shipper to drain the spool',
    async () => {
      await shipper.drainOnce();
      return true;
    },
    { deadlineMs: 10_000 },
  );
}

/** Every sample of `agentId` in history: rows, distinct ids, lowest and highest id. */
async function history(agentId: number): Promise<{ n: number; d: number; lo: number; hi: number }> {
  const [r] = await q<{ n: string; d: string; lo: string; hi: string }>(
    `SELECT count(*) AS n, count(DISTINCT sample_id) AS d, min(sample_id) AS lo, max(sample_id) AS hi
       FROM pemhistory.sample WHERE agent_id = $1`,
    [agentId],
  );
  return { n: Number(r!.n), d: Number(r!.d), lo: Number(r!.lo), hi: Number(r!.hi) };
}

describe('re-ship of acknowledged batches after a server change (real PostgreSQL)', {
  timeout: 120_000,
}, () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pharos-replay-int-'));
    pg = await startPostgres({ address: BACKEND });
    await pg.psql('CREATE DATABASE pem');
    admin = new HaConnection({ conninfo: pg.conninfo('postgres', 'pem') });
    await migrate((fn) => admin.transaction(fn));
    await pg.psql(`CREATE ROLE agent1 LOGIN PASSWORD 'agent-pw' IN ROLE pem_agent;
                   CREATE ROLE agent2 LOGIN PASSWORD 'agent-pw' IN ROLE pem_agent;`);
    await q(
      `INSERT INTO pem.agent (id, user_name, display_name) VALUES (1, 'agent1', 'one'), (2, 'agent2', 'two')`,
    );
  });

  after(async () => {
    for (const c of conns) await c.close();
    await admin?.close();
    await pg?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('re-ships nothing while the same server acknowledges', async () => {
    const spool = await openSpool('same');
    const shipper = new Shipper({ agentId: 1, spool, conn: agentConn('agent1'), logger, batchSize: 10 });
    await append(spool, 30);
    await drain(shipper);
    await append(spool, 10);
    await drain(shipper);
    // an unprivileged agent role reads the identity functions
    assert.match(shipper.stats.backendServer ?? '', /^127\.0\.7\.1:5432@\d+(\.\d+)?$/);
    assert.equal(shipper.stats.shippedBatches, 4);
    assert.equal(shipper.stats.replayedBatches, 0);
    assert.equal(shipper.stats.recoveredBatches, 0);
    assert.equal((await spool.stats()).retainedBatches, 4, 'acknowledged batches are retained');
    assert.deepEqual(await history(1), { n: 40, d: 40, lo: 1, hi: 40 });
    await spool.close();
  });

  it('after the backend lost the last two acknowledged batches and restarted, stores them again, once', async () => {
    const spool = await openSpool('lost');
    const shipper = new Shipper({ agentId: 2, spool, conn: agentConn('agent2'), logger, batchSize: 10 });
    await append(spool, 50);
    await drain(shipper);
    assert.equal(shipper.stats.shippedBatches, 5);
    const before = shipper.stats.backendServer;
    assert.deepEqual(await history(2), { n: 50, d: 50, lo: 1, hi: 50 });

    // what a standby that had not received the last two commits holds after taking over
    const lost = await q<{ batch_id: string; first_sample_id: string; last_sample_id: string }>(
      `SELECT batch_id, first_sample_id, last_sample_id FROM pem.ship_batch
        WHERE agent_id = 2 ORDER BY first_sample_id DESC LIMIT 2`,
    );
    assert.deepEqual(
      lost.map((b) => [Number(b.first_sample_id), Number(b.last_sample_id)]),
      [
        [41, 50],
        [31, 40],
      ],
    );
    await q(
      `WITH gone AS (DELETE FROM pem.ship_batch WHERE agent_id = 2 AND first_sample_id >= 31 RETURNING 1),
            h AS (DELETE FROM pemhistory.sample WHERE agent_id = 2 AND sample_id >= 31 RETURNING 1)
       DELETE FROM pemdata.latest WHERE agent_id = 2 AND sample_id >= 31`,
    );
    assert.deepEqual(await history(2), { n: 30, d: 30, lo: 1, hi: 30 });
    const startedBefore = await pg.psql('SELECT pg_postmaster_start_time()');
    await restartPostgres(pg);
    await admin.close(); // its session ended with the old postmaster
    admin = new HaConnection({ conninfo: pg.conninfo('postgres', 'pem') });
    assert.notEqual(await pg.psql('SELECT pg_postmaster_start_time()'), startedBefore);

    await append(spool, 10);
    await drain(shipper);
    assert.notEqual(shipper.stats.backendServer, before, 'another server identity');
    assert.equal(shipper.stats.confirmedBatches, 3, 'the three the server still has: confirmed, not sent');
    assert.equal(shipper.stats.replayedBatches, 2, 'only the two lost batches were shipped again');
    assert.equal(shipper.stats.recoveredBatches, 2, 'the two lost batches were stored again');
    assert.equal(shipper.stats.shippedBatches, 6);
    // every acknowledged sample exactly once (by agent and sample id), every batch recorded once
    assert.deepEqual(await history(2), { n: 60, d: 60, lo: 1, hi: 60 });
    const [b] = await q<{ batches: string; samples: string; stored: string }>(
      `SELECT count(*) AS batches, sum(sample_count) AS samples, sum(stored_count) AS stored
         FROM pem.ship_batch WHERE agent_id = 2`,
    );
    assert.deepEqual(b, { batches: '6', samples: '60', stored: '60' });
    const again = await q<{ n: string }>(
      'SELECT count(*) AS n FROM pem.ship_batch WHERE agent_id = 2 AND batch_id = ANY($1::uuid[])',
      [lost.map((l) => l.batch_id)],
    );
    assert.equal(again[0]!.n, '2', 'stored under their original ids');
    const [latest] = await q<{ hi: string }>(
      'SELECT max(sample_id) AS hi FROM pemdata.latest WHERE agent_id = 2',
    );
    assert.equal(latest!.hi, '60');

    // no change since: shipping more re-ships nothing
    await append(spool, 10);
    await drain(shipper);
    assert.equal(shipper.stats.replayedBatches, 2);
    assert.equal(shipper.stats.confirmedBatches, 3);
    assert.deepEqual(await history(2), { n: 70, d: 70, lo: 1, hi: 70 });
    await spool.close();
  });

  it('answers an agent about its own batches only', async () => {
    const agent2 = agentConn('agent2');
    const own = await q<{ batch_id: string }>(
      'SELECT batch_id FROM pem.ship_batch WHERE agent_id = 2 ORDER BY first_sample_id LIMIT 2',
    );
    const other = await q<{ batch_id: string }>(
      'SELECT batch_id FROM pem.ship_batch WHERE agent_id = 1 LIMIT 2',
    );
    assert.equal(own.length, 2);
    assert.equal(other.length, 2);
    const unknown = '00000000-0000-4000-8000-000000000000';
    const ask = async (agentId: number, ids: string[]) =>
      (
        await agent2.query<{ stored: string[] }>(
          'SELECT pem.agent_stored_batches($1, $2::uuid[])::text[] AS stored',
          [agentId, ids],
        )
      ).rows[0]!.stored;
    // its own ids, another agent's ids and an unknown id: only its own come back
    assert.deepEqual(
      await ask(2, [unknown, ...other.map((b) => b.batch_id), ...own.map((b) => b.batch_id)]),
      own.map((b) => b.batch_id),
    );
    assert.deepEqual(await ask(2, []), []);
    // asking as another agent is refused, naming the user
    await assert.rejects(
      ask(
        1,
        other.map((b) => b.batch_id),
      ),
      (err: Error & { code?: string }) => {
        assert.equal(err.code, '42501');
        assert.match(err.message, /user agent2 may not read the batches of agent 1/);
        return true;
      },
    );
  });
});
