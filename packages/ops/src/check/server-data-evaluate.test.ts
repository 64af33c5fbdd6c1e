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

  it('checks each fleet server: reachable from its agent, its role observed; not yet right after its agent started', () => {
    const base = { agent_id: 7, agent_name: 'pg-host-1', is_pem_backend: false, up_interval_s: 10 };
    const rs = evaluateServerData(
      [
        row({
          ...base,
          display_name: 'ok',
          sql_age_s: 2,
          up: 1,
          up_error: null,
          up_age_s: 15,
          role: 'standby',
        }),
        row({
          ...base,
          display_name: 'down',
          sql_age_s: 90,
          up: 0,
          up_error: 'ECONNREFUSED',
          up_age_s: 2,
          role: 'primary',
          last_error: 'ECONNREFUSED',
          last_error_probe: 'server_info',
        }),
        row({
          ...base,
          display_name: 'new',
          agent_age_s: 5,
          up: null,
          up_error: null,
          up_age_s: null,
          role: null,
        }),
        row({ ...base, display_name: 'silent', up: null, up_error: null, up_age_s: null, role: null }),
      ],
      60,
    );
    assert.deepEqual(
      rs.map((r) => `${r.status} ${r.check} ${r.subject}: ${r.measured}`),
      [
        'ok agent.server-data ok: newest PostgreSQL probe sample 2.0 s old',
        'ok agent.server-reachable ok: reachable from agent 7 (pg-host-1)',
        'ok agent.server-role ok: standby',
        'failed agent.server-data down: newest PostgreSQL probe sample 90 s old (max 60 s); newest failure (server_info): ECONNREFUSED',
        'failed agent.server-reachable down: unreachable from agent 7 (pg-host-1): ECONNREFUSED',
        'ok agent.server-role down: primary',
        'warning agent.server-data new: no PostgreSQL probe data yet; agent 7 started 5 s ago (first data due within 60 s of its start)',
        'warning agent.server-reachable new: agent 7 (pg-host-1) has not probed it yet',
        'warning agent.server-role new: no role observed yet by agent 7 (pg-host-1)',
        'failed agent.server-data silent: no PostgreSQL probe data yet; agent 7 started 3600 s ago',
        'failed agent.server-reachable silent: agent 7 (pg-host-1) has not probed it yet',
        'failed agent.server-role silent: no role observed yet by agent 7 (pg-host-1)',
      ],
    );
  });
});
