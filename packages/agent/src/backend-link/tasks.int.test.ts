/**
 * Agent tasks against a real backend: a request wakes the agent through
 * NOTIFY (an answer well within a second, without waiting for the short
 * wait), a task runs once, an unknown kind fails naming what the agent
 * knows, an agent can neither take nor answer another agent's tasks, and a
 * task past its deadline is never started.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type AlertBackend, startAlertBackend } from '@pharos/backend/testing/backend';
import { createLogger } from '@pharos/core/log';
import { waitFor } from '@pharos/testkit/wait/wait-for';
import { CLAIM_TASKS_SQL, FINISH_TASK_SQL, TaskRunner } from './tasks.js';

const ADDRESS = '127.0.2.82';
const logger = createLogger('agent', { level: process.env.PHAROS_LOG_LEVEL ?? 'silent' });

type TaskRow = { state: string; result: unknown; started_at: Date | null };

describe('agent tasks (real PostgreSQL)', () => {
  let b: AlertBackend;
  before(async () => {
    b = await startAlertBackend({ address: ADDRESS });
    await b.addAgent(1);
    await b.addAgent(2);
  });
  after(async () => {
    await b?.stop();
  });

  const request = async (agentId: number, kind: string, params: unknown = {}, timeoutMs = 5000) =>
    (
      await b.sql<{ id: string }>('SELECT pem.agent_task_request($1, $2, $3, $4, $5) AS id', [
        'alice',
        agentId,
        kind,
        JSON.stringify(params),
        timeoutMs,
      ])
    )[0]!.id;
  const task = async (id: string) =>
    (await b.sql<TaskRow>('SELECT state, result, started_at FROM pem.agent_task WHERE id = $1', [id]))[0]!;
  const until = (id: string, states: string[], ms = 5000) =>
    waitFor(
      `task ${id} to be ${states.join(' or ')}`,
      async () => {
        const t = await task(id);
        return states.includes(t.state) ? t : undefined;
      },
      { deadlineMs: ms, intervalMs: 20 },
    );

  it('wakes the agent by NOTIFY, runs each task once, fails unknown kinds by name', async () => {
    const runs: unknown[] = [];
    const runner = new TaskRunner({
      agentId: 1,
      conn: b.agentConn(1),
      logger,
      handlers: {
        echo: async (params) => {
          runs.push(params);
          return { echoed: params };
        },
      },
    });
    await runner.refresh(); // listens; nothing pending yet
    try {
      const t0 = Date.now();
      const id = await request(1, 'echo', { n: 1 });
      const done = await until(id, ['done', 'failed']);
      const ms = Date.now() - t0;
      assert.equal(done.state, 'done');
      assert.deepEqual(done.result, { echoed: { n: 1 } });
      assert.ok(ms < 1000, `answered in ${ms} ms, without waiting for a short wait`);
      const unknown = await until(await request(1, 'sessions'), ['done', 'failed']);
      assert.equal(unknown.state, 'failed');
      assert.deepEqual(unknown.result, {
        error: "this agent does not run 'sessions' tasks (it knows: echo)",
      });
      await runner.poll();
      assert.equal(runs.length, 1, 'run once');
    } finally {
      await runner.stop();
    }
  });

  it('a server added for the agent wakes it to read its bindings (NOTIFY bindings), not to claim tasks', async () => {
    let claims = 0;
    let told!: () => void;
    const bindingsChanged = new Promise<void>((resolve) => {
      told = resolve;
    });
    const conn = b.agentConn(1);
    const runner = new TaskRunner({
      agentId: 1,
      conn: {
        query: (sql, params) => {
          if (sql === CLAIM_TASKS_SQL) claims++;
          return conn.query(sql, params);
        },
        listen: (channel, handler) => conn.listen(channel, handler),
      },
      logger,
      handlers: {},
      onBindingsChanged: () => told(),
    });
    await runner.refresh(); // listens, claims
    try {
      const claimsBefore = claims;
      const t0 = Date.now();
      await b.sql('SELECT pem.server_add($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)', [
        'alice',
        'notified',
        '127.0.2.90',
        5432,
        'postgres',
        'pem_monitor',
        'verify-full',
        null,
        1,
        [],
        '',
      ]);
      const timeout = new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('no bindings notice within 2 s')), 2000).unref(),
      );
      await Promise.race([bindingsChanged, timeout]);
      assert.ok(Date.now() - t0 < 2000);
      assert.equal(claims, claimsBefore, 'the notice is not a task: no claim');
    } finally {
      await runner.stop();
    }
  });

  it('keeps agents to their own tasks and never starts an expired one', async () => {
    const id = await request(1, 'echo');
    const other = b.agentConn(2);
    assert.deepEqual((await other.query(CLAIM_TASKS_SQL, [2])).rows, [], "agent 2 sees none of agent 1's");
    await assert.rejects(other.query(CLAIM_TASKS_SQL, [1]), /user agent2 may not take tasks of agent 1/);
    const mine = b.agentConn(1);
    const claimed = (await mine.query<{ id: string }>(CLAIM_TASKS_SQL, [1])).rows.map((r) => r.id);
    assert.deepEqual(claimed, [id]);
    await assert.rejects(
      other.query(FINISH_TASK_SQL, [2, id, true, '{}']),
      new RegExp(`task ${id} is not agent 2's`),
    );
    assert.equal((await task(id)).state, 'running');
    const late = await request(1, 'echo', {}, 100);
    await waitFor(
      `task ${late}'s deadline to pass on the backend's clock`,
      async () =>
        (
          await b.sql<{ past: boolean }>(
            'SELECT deadline_at <= clock_timestamp() AS past FROM pem.agent_task WHERE id = $1',
            [late],
          )
        )[0]!.past,
      { deadlineMs: 5000, intervalMs: 20 },
    );
    assert.deepEqual((await mine.query(CLAIM_TASKS_SQL, [1])).rows, [], 'past its deadline: not started');
    const [e] = await b.sql<{ state: string; heartbeat_age_s: number }>(
      'SELECT * FROM pem.agent_task_expire($1)',
      [late],
    );
    assert.equal(e!.state, 'expired');
    assert.ok(e!.heartbeat_age_s >= 0);
    const finished = await mine.query<{ finished: boolean }>(FINISH_TASK_SQL, [1, late, true, '{}']);
    assert.equal(finished.rows[0]!.finished, false, 'an answer after the requester gave up is dropped');
  });
});
