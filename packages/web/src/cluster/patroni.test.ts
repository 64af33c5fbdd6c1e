/**
 * Unit test of the Patroni answer parser with the shape of GET /cluster as
 * Patroni 4.0 answers it (members with name, role, state, api_url, host,
 * port, timeline, lag; `pause` only while paused).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCluster, readPatroni } from './patroni.js';

const ANSWER = {
  members: [
    {
      name: 'pem-backend-1',
      role: 'leader',
      state: 'running',
      api_url: 'http://127.0.1.4:8008/patroni',
      host: '127.0.1.4',
      port: 5432,
      timeline: 3,
    },
    {
      name: 'pem-backend-2',
      role: 'replica',
      state: 'streaming',
      api_url: 'http://127.0.1.5:8008/patroni',
      host: '127.0.1.5',
      port: 5432,
      timeline: 3,
      lag: 0,
    },
    {
      name: 'pem-backend-3',
      role: 'replica',
      state: 'stopped',
      api_url: 'http://127.0.1.6:8008/patroni',
      host: '127.0.1.6',
      port: 5432,
      lag: 'unknown',
    },
  ],
  scope: 'pem-cluster',
};

describe('Patroni cluster status', () => {
  it('reads members, roles, states, timelines and lag; marks which APIs answered', () => {
    const c = parseCluster(ANSWER, new Set(['http://127.0.1.4:8008', 'http://127.0.1.5:8008']));
    assert.equal(c.scope, 'pem-cluster');
    assert.equal(c.paused, false);
    assert.deepEqual(
      c.members.map((m) => [m.name, m.role, m.state, m.timeline, m.lagBytes, m.apiReachable]),
      [
        ['pem-backend-1', 'leader', 'running', 3, null, true],
        ['pem-backend-2', 'replica', 'streaming', 3, 0, true],
        ['pem-backend-3', 'replica', 'stopped', null, null, false],
      ],
    );
    assert.equal(parseCluster({ ...ANSWER, pause: true }, new Set()).paused, true);
    assert.throws(() => parseCluster({ scope: 'x' }, new Set()), /no members/);
  });

  it('answers with every API error when none answers, never throwing', async () => {
    const s = await readPatroni(['http://127.0.4.254:1'], { timeoutMs: 500 });
    assert.deepEqual(s.members, []);
    assert.equal(s.apis.length, 1);
    assert.equal(s.apis[0]!.reachable, false);
    assert.ok(s.apis[0]!.error);
  });
});
