import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PatroniMember } from '../lab/patroni-api.js';
import { testTopology } from '../testing/check-fixtures.js';
import {
  evaluatePatroni,
  lagBytes,
  liveLagBytes,
  type PatroniMemberObservation,
} from './patroni-evaluate.js';
import type { CheckResult } from './result.js';

const topo = testTopology();

function clusterMembers(): PatroniMember[] {
  return [
    { name: 'pem-backend-1', role: 'leader', state: 'running', host: '10.0.0.20', port: 5432, timeline: 3 },
    {
      name: 'pem-backend-2',
      role: 'replica',
      state: 'streaming',
      host: '10.0.0.21',
      port: 5432,
      timeline: 3,
      lag: 0,
    },
    {
      name: 'pem-backend-3',
      role: 'replica',
      state: 'streaming',
      host: '10.0.0.22',
      port: 5432,
      timeline: 3,
      lag: 120,
    },
  ];
}

function observations(members = clusterMembers(), pause?: boolean): PatroniMemberObservation[] {
  return topo.backends.map((b, i) => ({
    name: b.name,
    address: b.address,
    status: {
      state: 'running',
      role: i === 0 ? 'primary' : 'replica',
      timeline: 3,
      patroni: { version: '4.0.7', scope: 'pem', name: b.name },
    },
    cluster: { members, ...(pause === undefined ? {} : { pause }) },
  }));
}

const notOk = (rs: CheckResult[]) =>
  rs.filter((r) => r.status !== 'ok').map((r) => `${r.status} ${r.check} ${r.subject}`);
const line = (rs: CheckResult[], check: string, subject = 'cluster') =>
  rs.find((r) => r.check === check && r.subject === subject)!;

describe('evaluatePatroni', () => {
  it('passes one leader and two streaming replicas on its timeline', () => {
    const rs = evaluatePatroni(topo, observations());
    assert.deepEqual(notOk(rs), []);
    assert.deepEqual(
      rs.map((r) => `${r.check} ${r.subject}`),
      [
        'patroni.api pem-backend-1',
        'patroni.api pem-backend-2',
        'patroni.api pem-backend-3',
        'patroni.leader cluster',
        'patroni.replica pem-backend-2',
        'patroni.replica pem-backend-3',
        'patroni.pause cluster',
      ],
    );
    assert.match(
      line(rs, 'patroni.replica', 'pem-backend-3').measured,
      /streaming, timeline 3, lag 120 bytes \(max 1048576\)/,
    );
  });
  it('fails exactly the stopped replica: API unreachable and not in the cluster', () => {
    const obs = observations(clusterMembers().slice(0, 2)).slice(0, 2);
    obs.push({ name: 'pem-backend-3', address: '10.0.0.22', error: 'connect ECONNREFUSED 10.0.0.22:8008' });
    assert.deepEqual(notOk(evaluatePatroni(topo, obs)), [
      'failed patroni.api pem-backend-3',
      'failed patroni.replica pem-backend-3',
    ]);
  });
  it('fails a replica on another timeline, one lagging too far, and one not streaming', () => {
    const m = clusterMembers();
    m[1] = { ...m[1]!, timeline: 2 };
    m[2] = { ...m[2]!, lag: 2_000_000 };
    let rs = evaluatePatroni(topo, observations(m));
    assert.deepEqual(notOk(rs), [
      'failed patroni.replica pem-backend-2',
      'failed patroni.replica pem-backend-3',
    ]);
    assert.match(
      line(rs, 'patroni.replica', 'pem-backend-2').measured,
      /timeline 2 differs from the leader's 3/,
    );
    assert.match(
      line(rs, 'patroni.replica', 'pem-backend-3').measured,
      /lag 2000000 over maximum_lag_on_failover 1048576/,
    );
    m[1] = { ...m[1]!, timeline: 3, state: 'starting', lag: 'unknown' };
    rs = evaluatePatroni(topo, observations(m));
    assert.match(line(rs, 'patroni.replica', 'pem-backend-2').measured, /^not streaming: replica starting/);
  });
  it('fails no leader and two leaders', () => {
    const m = clusterMembers();
    m[0] = { ...m[0]!, role: 'replica', state: 'running' };
    assert.equal(line(evaluatePatroni(topo, observations(m)), 'patroni.leader').status, 'failed');
    m[0] = { ...m[0]!, role: 'leader' };
    m[1] = { ...m[1]!, role: 'leader', state: 'running' };
    assert.match(line(evaluatePatroni(topo, observations(m)), 'patroni.leader').measured, /^2 leaders/);
  });
  it('fails maintenance mode, a wrong scope, and warns on an unplanned member', () => {
    const m = [
      ...clusterMembers(),
      {
        name: 'old-node',
        role: 'replica',
        state: 'streaming',
        host: '10.0.0.99',
        port: 5432,
        timeline: 3,
        lag: 0,
      },
    ];
    const obs = observations(m, true);
    obs[1]!.status!.patroni!.scope = 'other';
    assert.deepEqual(notOk(evaluatePatroni(topo, obs)), [
      'failed patroni.api pem-backend-2',
      'warning patroni.member old-node',
      'failed patroni.pause cluster',
    ]);
  });
  it('fails every Patroni check when no REST API answers', () => {
    const rs = evaluatePatroni(
      topo,
      topo.backends.map((b) => ({ name: b.name, address: b.address, error: 'timeout' })),
    );
    assert.ok(rs.length >= 7);
    assert.ok(rs.every((r) => r.status === 'failed'));
  });
  it("judges the lag from the positions GET /patroni read now, not /cluster's loop_wait-old view", () => {
    const m = clusterMembers();
    m[1] = { ...m[1]!, lag: 2_131_048 };
    m[2] = { ...m[2]!, lag: 2_131_048 };
    const obs = observations(m);
    obs[0]!.status!.xlog = { location: 50_000_000 };
    obs[1]!.status!.xlog = { received_location: 49_990_000, replayed_location: 49_980_000 };
    obs[2]!.status!.xlog = { received_location: 47_000_000, replayed_location: 46_000_000 };
    const rs = evaluatePatroni(topo, obs);
    assert.deepEqual(notOk(rs), ['failed patroni.replica pem-backend-3']);
    assert.match(
      line(rs, 'patroni.replica', 'pem-backend-2').measured,
      /lag 10000 bytes, read now from GET \/patroni; \/cluster said 2131048 \(max 1048576\)/,
    );
    assert.match(
      line(rs, 'patroni.replica', 'pem-backend-3').measured,
      /^lag 3000000 over maximum_lag_on_failover 1048576/,
    );
    assert.equal(liveLagBytes(obs, 'pem-backend-1', 'pem-backend-2'), 10_000);
    obs[1]!.status!.xlog = { replayed_location: 50_000_100 };
    assert.equal(liveLagBytes(obs, 'pem-backend-1', 'pem-backend-2'), 0);
    assert.equal(liveLagBytes(obs, undefined, 'pem-backend-2'), undefined);
    delete obs[0]!.status!.xlog;
    assert.equal(liveLagBytes(obs, 'pem-backend-1', 'pem-backend-2'), undefined);
  });
  it('reads lag as bytes only when it is a number', () => {
    const m = clusterMembers()[1]!;
    assert.equal(lagBytes({ ...m, lag: 5 }), 5);
    assert.equal(lagBytes({ ...m, lag: '17' }), 17);
    assert.equal(lagBytes({ ...m, lag: 'unknown' }), undefined);
  });
});
