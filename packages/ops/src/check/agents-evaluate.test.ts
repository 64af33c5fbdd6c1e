import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testTopology } from '../testing/check-fixtures.js';
import { type AgentRow, evaluateAgents } from './agents-evaluate.js';
import type { CheckResult } from './result.js';

const topo = testTopology();
const HOSTS = ['pem-backend-1', 'pem-backend-2', 'pem-backend-3', 'pem-web-1', 'pem-web-2', 'pem-web-3'];

function rows(): AgentRow[] {
  return HOSTS.map((h, i) => ({
    id: i + 1,
    user_name: `agent${i + 1}`,
    display_name: h,
    host_address: null,
    active: true,
    agent_version: '0.1.0',
    heartbeat_age_s: 2.5,
    cert_pem: null,
  }));
}

const notOk = (rs: CheckResult[]) =>
  rs.filter((r) => r.status !== 'ok').map((r) => `${r.status} ${r.check} ${r.subject}: ${r.measured}`);

describe('evaluateAgents', () => {
  it('passes six registered, active agents with fresh heartbeats', () => {
    const rs = evaluateAgents(topo, rows(), 60);
    assert.equal(rs.length, 12);
    assert.deepEqual(notOk(rs), []);
  });
  it('fails exactly the heartbeat of a stopped agent', () => {
    const r = rows();
    r[3]!.heartbeat_age_s = 75.2;
    assert.deepEqual(notOk(evaluateAgents(topo, r, 60)), [
      'failed agent.heartbeat pem-web-1: last heartbeat 75 s ago (max 60 s)',
    ]);
  });
  it('fails a missing, an inactive and a wrongly named agent; none heartbeat yet', () => {
    const r = rows();
    r[1]!.active = false;
    r[2]!.user_name = 'agent9';
    r[4]!.heartbeat_age_s = null;
    const rs = evaluateAgents(topo, r.slice(0, 5), 60);
    assert.deepEqual(
      notOk(rs).map((l) => l.split(':')[0]),
      [
        'failed agent.registration pem-backend-2',
        'failed agent.registration pem-backend-3',
        'failed agent.heartbeat pem-web-2',
        'failed agent.registration pem-web-3',
        'failed agent.heartbeat pem-web-3',
      ],
    );
  });
  it('warns about a registered agent the topology does not know, and about an id other than planned', () => {
    const r = rows();
    r[0]!.id = 7;
    r.push({ ...r[1]!, id: 8, display_name: 'old-host' });
    assert.deepEqual(
      notOk(evaluateAgents(topo, r, 60)).map((l) => l.split(':')[0]),
      ['warning agent.registration pem-backend-1', 'warning agent.registration old-host'],
    );
  });
  it("checks a monitored host's agent (enrolled, or monitoring the fleet's servers) like a planned one, not as a leftover", () => {
    const r = rows();
    r.push({
      ...r[1]!,
      id: 7,
      user_name: 'agent7',
      display_name: 'pg-host-1',
      enrolled: true,
      monitored_servers: 1,
    });
    r.push({
      ...r[1]!,
      id: 8,
      user_name: 'agent8',
      display_name: 'pg-host-2',
      monitored_servers: 2,
      heartbeat_age_s: 300,
    });
    r.push({ ...r[1]!, id: 9, user_name: 'agent9', display_name: 'old-host' });
    const rs = evaluateAgents(topo, r, 60);
    assert.deepEqual(notOk(rs), [
      'failed agent.heartbeat pg-host-2: last heartbeat 300 s ago (max 60 s)',
      'warning agent.registration old-host: agent 9 (old-host, user agent9) is registered but not in the topology and monitors no server',
    ]);
    const host1 = rs.filter((x) => x.subject === 'pg-host-1');
    assert.deepEqual(
      host1.map((x) => [x.check, x.status]),
      [
        ['agent.registration', 'ok'],
        ['agent.heartbeat', 'ok'],
      ],
    );
    assert.match(
      host1[0]!.measured,
      /monitored host's agent 7, user agent7, 1 server\(s\), enrolled with a token/,
    );
  });
});
