import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testTopology } from '../testing/check-fixtures.js';
import { evaluateMultiHost } from './multi-host.js';

const topo = testTopology();
const backend2 = topo.backends[1]!;
const web1 = topo.webapps[0]!;
const tail = 'port=5432,5432,5432 dbname=pem user=agent2 target_session_attrs=read-write sslmode=verify-full';

describe('evaluateMultiHost', () => {
  it('passes every backend, with 127.0.0.1 standing for a backend host itself', () => {
    const r = evaluateMultiHost(
      topo,
      backend2,
      'agent backend',
      'agent.yml backend',
      `host=10.0.0.20,127.0.0.1,10.0.0.22 ${tail}`,
    );
    assert.equal(r.status, 'ok', r.measured);
    assert.equal(r.check, 'conninfo.agent.backend');
  });
  it('passes the lab form: 127.0.0.1 dialled at the host address through hostaddr', () => {
    const r = evaluateMultiHost(
      topo,
      backend2,
      'agent backend',
      'agent.yml backend',
      `host=10.0.0.20,127.0.0.1,10.0.0.22 hostaddr=,10.0.0.21, ${tail}`,
    );
    assert.equal(r.status, 'ok', r.measured);
    assert.match(r.measured, /host=10\.0\.0\.20,127\.0\.0\.1\(10\.0\.0\.21\),10\.0\.0\.22/);
  });
  it('fails a list that lacks a backend, or a web host that uses 127.0.0.1', () => {
    let r = evaluateMultiHost(
      topo,
      web1,
      'web backend',
      'web.yml backend',
      `host=10.0.0.20,10.0.0.21 port=5432 ${tail.slice(20)}`,
    );
    assert.equal(r.status, 'failed');
    assert.match(r.measured, /lacks pem-backend-3 \(10\.0\.0\.22\)/);
    r = evaluateMultiHost(
      topo,
      web1,
      'web backend',
      'web.yml backend',
      `host=10.0.0.20,127.0.0.1,10.0.0.22 ${tail}`,
    );
    assert.match(r.measured, /lacks pem-backend-2 .*; lists 127\.0\.0\.1, not a backend/);
  });
  it('fails a string that may write to a standby, a wrong port, and garbage', () => {
    let r = evaluateMultiHost(
      topo,
      web1,
      'web backend',
      'web.yml backend',
      'host=10.0.0.20,10.0.0.21,10.0.0.22 port=5433 dbname=pem',
    );
    assert.match(
      r.measured,
      /port 5433 for 10\.0\.0\.20, .*; target_session_attrs=any: it may write to a standby/,
    );
    r = evaluateMultiHost(
      topo,
      web1,
      'web login_backend',
      'web.yml login_backend',
      'host=10.0.0.20,10.0.0.21,10.0.0.22 dbname=pem',
    );
    assert.equal(r.status, 'ok', 'the login string may use any host');
    r = evaluateMultiHost(topo, web1, 'web backend', 'web.yml backend', 'nonsense=1');
    assert.match(r.measured, /not a valid connection string/);
    r = evaluateMultiHost(topo, web1, 'web backend', 'web.yml backend', undefined);
    assert.match(r.measured, /no connection string/);
  });
});
