import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sslDynamicConfig } from '../render/dynamic-config.js';
import { testTopology } from '../testing/check-fixtures.js';
import {
  evaluateDynamicConfig,
  evaluateHbaConfig,
  evaluateSslParameters,
  evaluateTimings,
  parameterText,
} from './dynamic-config-evaluate.js';

const topo = testTopology();

/** GET /config of a cluster configured exactly as planned. */
function plannedConfig(): Record<string, unknown> {
  const ssl = sslDynamicConfig(topo);
  return {
    ttl: 30,
    loop_wait: 10,
    retry_timeout: 10,
    maximum_lag_on_failover: 1048576,
    postgresql: {
      use_pg_rewind: true,
      parameters: { ...ssl.postgresql.parameters },
      pg_hba: [...ssl.postgresql.pg_hba],
    },
  };
}

describe('the dynamic configuration against the plan', () => {
  it('passes the planned configuration', () => {
    const rs = evaluateDynamicConfig(topo, plannedConfig());
    assert.deepEqual(
      rs.map((r) => `${r.status} ${r.check}`),
      ['ok patroni.config.timings', 'ok patroni.config.ssl', 'ok patroni.config.hba'],
    );
  });
  it('fails a changed timing, and takes Patroni defaults for unset ones', () => {
    const c = plannedConfig();
    c.loop_wait = 5;
    delete c.ttl;
    const r = evaluateTimings(topo, c);
    assert.equal(r.status, 'failed');
    assert.equal(r.measured, 'loop_wait 5, planned 10');
    assert.equal(
      evaluateTimings(testTopology({ patroni: { ttl: 40 } }), plannedConfig()).measured,
      'ttl 30, planned 40',
    );
  });
  it('reads YAML booleans as on/off and fails a parameter that differs', () => {
    assert.equal(parameterText(true), 'on');
    const c = plannedConfig();
    (c.postgresql as { parameters: Record<string, unknown> }).parameters.ssl = true;
    assert.equal(evaluateSslParameters(topo, c).status, 'ok');
    (c.postgresql as { parameters: Record<string, unknown> }).parameters.ssl_cert_file = 'other.crt';
    const r = evaluateSslParameters(topo, c);
    assert.equal(r.status, 'failed');
    assert.equal(r.measured, "ssl_cert_file is 'other.crt', planned 'server.crt'");
  });
  it('fails one altered HBA rule, naming its position, and ignores comments', () => {
    const c = plannedConfig();
    const hba = (c.postgresql as { pg_hba: string[] }).pg_hba;
    const i = hba.indexOf('host all all ::1/128 scram-sha-256');
    hba[i] = 'host all all ::1/128 reject';
    hba.splice(0, 1);
    const r = evaluateHbaConfig(topo, c);
    assert.equal(r.status, 'failed');
    assert.match(
      r.measured,
      /rule \d+ is 'host all all ::1\/128 reject', planned 'host all all ::1\/128 scram-sha-256'$/,
    );
  });
  it('fails all three when the configuration could not be read', () => {
    const rs = evaluateDynamicConfig(topo, undefined, 'connect ECONNREFUSED');
    assert.ok(rs.every((r) => r.status === 'failed' && r.measured.includes('ECONNREFUSED')));
  });
});
