import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testTopology } from '../testing/check-fixtures.js';
import { type EtcdMemberObservation, evaluateEtcd, hexId, quorumOf } from './etcd-evaluate.js';
import type { CheckResult } from './result.js';

const topo = testTopology();
const IDS = ['1001', '1002', '1003'];
const members = topo.etcd.map((m, i) => ({
  id: IDS[i]!,
  name: m.name,
  clientUrls: [`https://${m.address}:2379`],
  isLearner: false,
}));

function healthy(): EtcdMemberObservation[] {
  return topo.etcd.map((m, i) => ({
    name: m.name,
    address: m.address,
    health: { healthy: true },
    status: { clusterId: '42', memberId: IDS[i]!, leader: '1001', version: '3.5.16', errors: [] },
    members,
  }));
}

const failed = (rs: CheckResult[]) =>
  rs.filter((r) => r.status !== 'ok').map((r) => `${r.status} ${r.check} ${r.subject}`);
const line = (rs: CheckResult[], check: string, subject = 'cluster') =>
  rs.find((r) => r.check === check && r.subject === subject)!;

describe('evaluateEtcd', () => {
  it('passes a healthy three-member cluster', () => {
    const rs = evaluateEtcd(topo, healthy());
    assert.deepEqual(failed(rs), []);
    assert.equal(rs.length, 8);
    assert.match(line(rs, 'etcd.leader').measured, /^etcd-node-1 \(3e9\), agreed by 3 members$/);
    assert.match(line(rs, 'etcd.member', 'etcd-node-1').measured, /leader$/);
  });
  it('fails an unreachable member and warns that quorum hangs on one more', () => {
    const obs = healthy();
    obs[2] = { name: 'etcd-node-3', address: '10.0.0.13', error: 'connect ECONNREFUSED 10.0.0.13:2379' };
    const rs = evaluateEtcd(topo, obs);
    assert.deepEqual(failed(rs), ['failed etcd.member etcd-node-3', 'warning etcd.quorum cluster']);
    assert.match(line(rs, 'etcd.member', 'etcd-node-3').measured, /unreachable: connect ECONNREFUSED/);
  });
  it('fails quorum with two members down', () => {
    const obs = healthy();
    obs[1] = { name: 'etcd-node-2', address: '10.0.0.12', error: 'timeout' };
    obs[2] = {
      name: 'etcd-node-3',
      address: '10.0.0.13',
      health: { healthy: false, reason: 'RAFT NO LEADER' },
    };
    const rs = evaluateEtcd(topo, obs);
    assert.equal(line(rs, 'etcd.quorum').status, 'failed');
    assert.match(line(rs, 'etcd.quorum').measured, /1 of 3 members healthy \(quorum 2\)/);
    assert.match(line(rs, 'etcd.member', 'etcd-node-3').measured, /RAFT NO LEADER/);
  });
  it('fails different cluster ids, a disagreement on the leader, and warns on mixed versions', () => {
    const obs = healthy();
    obs[2]!.status = { ...obs[2]!.status!, clusterId: '43', leader: '1003', version: '3.4.27' };
    const rs = evaluateEtcd(topo, obs);
    assert.deepEqual(failed(rs), [
      'failed etcd.cluster-id cluster',
      'failed etcd.leader cluster',
      'warning etcd.version cluster',
    ]);
    assert.match(line(rs, 'etcd.leader').measured, /members disagree/);
  });
  it('fails an alarm and an unplanned member', () => {
    const obs = healthy();
    obs[0]!.status!.errors = ['memberID:1001 alarm:NOSPACE'];
    for (const o of obs)
      o.members = [...members, { id: '9', name: 'stray', clientUrls: [], isLearner: false }];
    const rs = evaluateEtcd(topo, obs);
    assert.deepEqual(failed(rs), ['failed etcd.member etcd-node-1', 'failed etcd.membership cluster']);
    assert.match(line(rs, 'etcd.membership').measured, /unplanned member 'stray'/);
  });
  it('fails every cluster check when no member answers, never skipping one', () => {
    const rs = evaluateEtcd(
      topo,
      topo.etcd.map((m) => ({ name: m.name, address: m.address, error: 'timeout' })),
    );
    assert.equal(rs.filter((r) => r.status === 'failed').length, 8);
  });
  it('computes quorum and hex ids as etcdctl does', () => {
    assert.deepEqual([1, 3, 5, 7].map(quorumOf), [1, 2, 3, 4]);
    assert.equal(hexId('9838283138382920191'), '88889a638f0779ff');
  });
});
