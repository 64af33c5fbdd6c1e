import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateServerData } from './server-data-evaluate.js';

describe('evaluateServerData', () => {
  it('passes fresh data, fails stale or missing data naming the newest probe failure', () => {
    const rs = evaluateServerData(
      [
        { display_name: 'a', sql_age_s: 3, last_error: null, last_error_probe: null },
        {
          display_name: 'b',
          sql_age_s: 300,
          last_error: 'connect ECONNREFUSED 127.0.0.1:5432',
          last_error_probe: 'server_info',
        },
        { display_name: 'c', sql_age_s: null, last_error: null, last_error_probe: null },
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
    assert.match(rs[2]!.measured, /no PostgreSQL probe data yet$/);
    assert.ok(rs[1]!.action);
  });
});
