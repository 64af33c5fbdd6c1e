import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testTopology } from '../testing/check-fixtures.js';
import { evaluateWebInstance, evaluateWebVersions, type WebObservation } from './web-evaluate.js';

const topo = testTopology();
const [w1, w2, w3] = topo.webapps as [
  (typeof topo.webapps)[0],
  (typeof topo.webapps)[0],
  (typeof topo.webapps)[0],
];
const up = (host = w1, version = '0.1.0', backend: Record<string, unknown> = {}): WebObservation => ({
  host,
  url: `https://${host.address}:8443/`,
  status: 200,
  health: {
    version,
    backend: { reachable: true, host: '10.0.0.20', port: 5432, isPrimary: true, ...backend },
  },
});

describe('web instances', () => {
  it('passes an instance that answers and reaches the primary', () => {
    const rs = evaluateWebInstance(topo, up());
    assert.deepEqual(
      rs.map((r) => r.status),
      ['ok', 'ok'],
    );
    assert.equal(rs[1]!.measured, 'reaches the primary pem-backend-1 (10.0.0.20:5432)');
  });
  it('fails both lines of a stopped instance', () => {
    const rs = evaluateWebInstance(topo, {
      host: w2,
      url: 'https://10.0.0.32:8443/',
      error: 'connect ECONNREFUSED 10.0.0.32:8443',
    });
    assert.deepEqual(
      rs.map((r) => `${r.status} ${r.check} ${r.subject}`),
      ['failed web.health pem-web-2', 'failed web.backend pem-web-2'],
    );
  });
  it('fails an instance that cannot reach the backend, or reaches a standby', () => {
    assert.match(
      evaluateWebInstance(
        topo,
        up(w1, '0.1.0', { reachable: false, error: 'backend is failing over or unreachable' }),
      )[1]!.measured,
      /backend unreachable/,
    );
    assert.match(
      evaluateWebInstance(topo, up(w1, '0.1.0', { host: '10.0.0.21', isPrimary: false }))[1]!.measured,
      /pem-backend-2 .* not the primary/,
    );
  });
  it('passes one version, fails several, fails when none answered', () => {
    assert.equal(
      evaluateWebVersions([up(w1), up(w2), { host: w3, url: 'x', error: 'down' }]).measured,
      '0.1.0 on 2 instance(s)',
    );
    const r = evaluateWebVersions([up(w1), up(w2, '0.2.0'), up(w3)]);
    assert.equal(r.status, 'failed');
    assert.equal(r.measured, 'versions differ: 0.1.0 on pem-web-1, pem-web-3; 0.2.0 on pem-web-2');
    assert.equal(evaluateWebVersions([]).status, 'failed');
  });
});
