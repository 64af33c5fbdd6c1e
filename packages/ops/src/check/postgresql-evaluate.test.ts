import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sslDynamicConfig } from '../render/dynamic-config.js';
import { testTopology } from '../testing/check-fixtures.js';
import type { HbaFileRuleRow } from './hba-rule.js';
import { evaluateHbaRows, evaluateSsl } from './postgresql-evaluate.js';

const topo = testTopology();

/** pg_hba_file_rules as PostgreSQL shows the planned pg_hba.conf. */
function plannedRows(): HbaFileRuleRow[] {
  const rules = sslDynamicConfig(topo).postgresql.pg_hba.filter((r) => !r.startsWith('#'));
  return rules.map((rule, i) => {
    const w = rule.split(' ');
    const local = w[0] === 'local';
    const [address, bits] = local ? [null, null] : (w[3]!.split('/') as [string, string]);
    const v6 = address?.includes(':');
    const netmask =
      bits === null
        ? null
        : v6
          ? 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'
          : bits === '0'
            ? '0.0.0.0'
            : '255.255.255.255';
    const method = local ? w[3]! : w[4]!;
    return {
      line_number: i + 2,
      type: w[0]!,
      database: w[1]!.split(','),
      user_name: w[2]!.split(','),
      address,
      netmask,
      auth_method: method,
      options: method === 'cert' ? ['clientcert=verify-full'] : null,
      error: null,
    };
  });
}

describe('PostgreSQL settings', () => {
  it('passes ssl = on and fails anything else', () => {
    assert.equal(evaluateSsl('pem-backend-1', 'on').status, 'ok');
    const r = evaluateSsl('pem-backend-1', 'off');
    assert.equal(r.status, 'failed');
    assert.equal(r.measured, 'ssl = off');
  });
  it('passes the planned rules as pg_hba_file_rules shows them', () => {
    const r = evaluateHbaRows(topo, 'pem-backend-1', plannedRows());
    assert.equal(r.status, 'ok', r.measured);
    assert.match(r.measured, /^\d+ rules in force, as planned and in order$/);
  });
  it('fails a changed rule and a rule PostgreSQL cannot load', () => {
    const rows = plannedRows();
    rows[3] = { ...rows[3]!, auth_method: 'trust' };
    assert.match(
      evaluateHbaRows(topo, 'pem-backend-1', rows).measured,
      /rule 4 is '.* trust', planned '.* scram-sha-256'/,
    );
    rows[3] = { ...rows[3]!, error: 'invalid authentication method "sram"' };
    const r = evaluateHbaRows(topo, 'pem-backend-1', rows);
    assert.equal(r.status, 'failed');
    assert.match(r.measured, /1 rule\(s\) cannot be loaded: line 5: invalid authentication method "sram"/);
  });
});
