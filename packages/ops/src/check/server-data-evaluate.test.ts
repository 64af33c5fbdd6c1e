import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateServerData, type ServerDataRow } from './server-data-evaluate.js';

const row = (r: Partial<ServerDataRow> & { display_name: string }): ServerDataRow => ({
  agent_id: 1,
  sql_age_s: null,
  last_error: null,
  last_error_probe: null,
  agent_age_s: 3600,
  agent_reported: true,
  ...r,
});

describe('evaluateServerData', () => {
  it('passes fresh data, fails stale or missing data naming the newest probe failure', () => {
    const rs = evaluateServerData(
      [
        row({ display_name: 'a', sql_age_s: 3 }),
        row({
          display_name: 'b',
          sql_age_s: 300,
          last_error: 'connect ECONNREFUSED 127.0.0.1:5432',
          last_error_probe: 'server_info',
        }),
        row({ display_name: 'c' }),
      ],
      60,
    );
    assert.deepEqual(
      rs.map((r) => [r.subject, r.status]),
      [
        ['a', 'ok'],
        ['b', 'failed'],
        ['c', 'failed'],
      ],
    );
    assert.match(
      rs[1]!.measured,
      /300 s old \(max 60 s\); newest failure \(server_info\): connect ECONNREFUSED/,
    );
    assert.equal(rs[2]!.measured, 'no PostgreSQL probe data yet; agent 1 started 3600 s ago');
    assert.ok(rs[1]!.action);
  });

  it('warns "not yet" while the agent started less than the maximum age ago and no probe failed', () => {
    const [fresh, registered, failing] = evaluateServerData(
      [
        row({ display_name: 'a', agent_age_s: 12.4 }),
        row({ display_name: 'b', agent_age_s: 5, agent_reported: false }),
        row({
          display_name: 'c',
          agent_age_s: 12,
          last_error: 'password authentication failed for user "pem_monitor"',
          last_error_probe: 'server_info',
        }),
      ],
      60,
    );
    assert.equal(fresh!.status, 'warning');
    assert.equal(
      fresh!.measured,
      'no PostgreSQL probe data yet; agent 1 started 12 s ago (first data due within 60 s of its start)',
    );
    assert.equal(registered!.status, 'warning');
    assert.match(registered!.measured, /agent 1 registered 5 s ago and has shipped no agent_status yet/);
    assert.equal(failing!.status, 'failed');
    assert.match(failing!.measured, /newest failure \(server_info\): password authentication failed/);
  });

  it('fails a server that no agent monitors', () => {
    const [r] = evaluateServerData([row({ display_name: 'x', agent_id: null, agent_age_s: null })], 60);
    assert.equal(r!.status, 'failed');
    assert.equal(r!.measured, 'no PostgreSQL probe data yet; no agent is bound to it');
  });
});
