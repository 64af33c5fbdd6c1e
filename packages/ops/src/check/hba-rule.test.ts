import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalHbaEntry, canonicalHbaRow, type HbaFileRuleRow, prefixLength } from './hba-rule.js';

const row = (r: Partial<HbaFileRuleRow>): HbaFileRuleRow => ({
  line_number: 1,
  type: 'hostssl',
  database: ['pem'],
  user_name: ['+pem_user'],
  address: '10.0.0.31',
  netmask: '255.255.255.255',
  auth_method: 'scram-sha-256',
  options: null,
  error: null,
  ...r,
});

describe('prefixLength', () => {
  it('counts the bits of IPv4 and IPv6 netmasks', () => {
    assert.equal(prefixLength('255.255.255.255'), 32);
    assert.equal(prefixLength('255.255.0.0'), 16);
    assert.equal(prefixLength('0.0.0.0'), 0);
    assert.equal(prefixLength('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'), 128);
    assert.equal(prefixLength('ffff:ffff::'), 32);
  });
  it('refuses a non-contiguous mask', () => {
    assert.equal(prefixLength('255.0.255.0'), undefined);
  });
});

describe('canonicalHbaEntry', () => {
  it('skips comments and blank entries', () => {
    assert.equal(canonicalHbaEntry('# Allow our superuser'), undefined);
    assert.equal(canonicalHbaEntry('   '), undefined);
  });
  it('collapses whitespace and keeps the order of the fields', () => {
    assert.equal(
      canonicalHbaEntry('hostssl  pem,postgres\tpemsuper 10.0.0.20/32   scram-sha-256'),
      'hostssl pem,postgres pemsuper 10.0.0.20/32 scram-sha-256',
    );
    assert.equal(canonicalHbaEntry('local all all peer'), 'local all all peer');
  });
  it('writes address + netmask as a CIDR and compresses IPv6', () => {
    assert.equal(canonicalHbaEntry('host all all 10.0.0.0 255.255.0.0 md5'), 'host all all 10.0.0.0/16 md5');
    assert.equal(canonicalHbaEntry('host all all 0:0:0:0:0:0:0:1/128 md5'), 'host all all ::1/128 md5');
  });
  it('drops the clientcert=verify-full that cert implies', () => {
    assert.equal(
      canonicalHbaEntry('hostssl pem +pem_agent 10.0.0.20/32 cert clientcert=verify-full'),
      'hostssl pem +pem_agent 10.0.0.20/32 cert',
    );
  });
});

describe('canonicalHbaRow', () => {
  it('gives a pg_hba_file_rules row the form of the planned rule', () => {
    assert.equal(
      canonicalHbaRow(row({})),
      canonicalHbaEntry('hostssl pem +pem_user 10.0.0.31/32 scram-sha-256'),
    );
    assert.equal(
      canonicalHbaRow(row({ database: ['pem', 'postgres'], user_name: ['pemsuper'] })),
      'hostssl pem,postgres pemsuper 10.0.0.31/32 scram-sha-256',
    );
  });
  it('matches a cert rule although the view lists clientcert=verify-full', () => {
    assert.equal(
      canonicalHbaRow(
        row({ user_name: ['+pem_agent'], auth_method: 'cert', options: ['clientcert=verify-full'] }),
      ),
      canonicalHbaEntry('hostssl pem +pem_agent 10.0.0.31/32 cert'),
    );
  });
  it('handles local rules, IPv6 and any-address rules', () => {
    assert.equal(
      canonicalHbaRow(
        row({
          type: 'local',
          database: ['all'],
          user_name: ['all'],
          address: null,
          netmask: null,
          auth_method: 'peer',
        }),
      ),
      'local all all peer',
    );
    assert.equal(
      canonicalHbaRow(
        row({
          type: 'host',
          database: ['all'],
          user_name: ['all'],
          address: '::1',
          netmask: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
        }),
      ),
      'host all all ::1/128 scram-sha-256',
    );
    assert.equal(
      canonicalHbaRow(row({ address: '0.0.0.0', netmask: '0.0.0.0' })),
      'hostssl pem +pem_user 0.0.0.0/0 scram-sha-256',
    );
    assert.equal(
      canonicalHbaRow(row({ address: 'samehost', netmask: null })),
      'hostssl pem +pem_user samehost scram-sha-256',
    );
  });
  it('shows a rule that cannot be loaded as its error', () => {
    assert.equal(
      canonicalHbaRow(row({ error: 'invalid authentication method "sram"' })),
      'error: invalid authentication method "sram"',
    );
  });
});
