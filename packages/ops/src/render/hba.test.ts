import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { validateTopology } from '../topology/validate.js';
import { sslDynamicConfig } from './dynamic-config.js';
import { patroniHbaRules, pemHbaRules, WEB_AGENT_CERT_CORRECTION } from './hba.js';
import {
  REFERENCE_COMMON_AGENT_HBA,
  REFERENCE_PEM_HBA,
  REFERENCE_PRIMARY_PATRONI,
  seedTopology,
} from './reference.fixture.js';

const WEB_AGENT_ADDRESSES = ['172.16.161.211', '172.16.161.212', '172.16.161.213'];

/**
 * The reference's PEM rules with exactly the documented corrections applied:
 * (1) web-host agents use cert (docs/reference/pem-facts.md §8 item 5), with the correction
 * comment placed after the section comment; (2) the superuser lines in
 * topology order (backends, then web apps).
 */
function referenceWithCorrections(): string[] {
  const out: string[] = [];
  for (const rule of REFERENCE_PEM_HBA) {
    const web = WEB_AGENT_ADDRESSES.some((a) => rule === `hostssl pem +pem_agent ${a}/32 scram-sha-256`);
    out.push(web ? rule.replace(/scram-sha-256$/, 'cert') : rule);
    if (rule === '# Allow the PEM web app server agents to register and connect to send data to PEM server') {
      out.push(WEB_AGENT_CERT_CORRECTION);
    }
  }
  const first = out.findIndex((r) => r.startsWith('hostssl pem,postgres pemsuper'));
  const order = ['200', '201', '202', '211', '212', '213'];
  const su = order.map((o) => `hostssl pem,postgres pemsuper 172.16.161.${o}/32 scram-sha-256`);
  out.splice(first, su.length, ...su);
  return out;
}

describe('PEM HBA rules, golden against the reference', () => {
  const topo = seedTopology();

  test('equal to the reference list except the documented corrections', () => {
    assert.deepEqual(pemHbaRules(topo), referenceWithCorrections());
  });

  test('the superuser lines are the reference\u2019s lines, only reordered', () => {
    const su = (l: string[]) => l.filter((r) => r.includes(' pemsuper ')).sort();
    assert.deepEqual(su(pemHbaRules(topo)), su(REFERENCE_PEM_HBA));
  });

  test('every agent rule authenticates with cert', () => {
    for (const r of pemHbaRules(topo).filter((r) => r.includes('+pem_agent'))) assert.match(r, / cert$/);
  });

  test('the common agent user line when the topology uses one, last among the PEM rules', () => {
    const t = validateTopology({ ...structuredClone(topo), agent_certificates: 'common-user' }, 'x');
    const rules = pemHbaRules(t);
    assert.equal(rules.at(-1), REFERENCE_COMMON_AGENT_HBA);
    assert.match(rules.at(-2) ?? '', /^# /);
    assert.ok(!pemHbaRules(topo).includes(REFERENCE_COMMON_AGENT_HBA));
  });

  test('two lines per monitored network', () => {
    const t = validateTopology(
      { ...structuredClone(topo), monitored_networks: ['10.0.0.0/8', '192.168.0.0/16'] },
      'x',
    );
    assert.deepEqual(pemHbaRules(t).slice(-4), [
      'hostssl pem +pem_user 10.0.0.0/8 scram-sha-256',
      'hostssl pem +pem_agent 10.0.0.0/8 cert',
      'hostssl pem +pem_user 192.168.0.0/16 scram-sha-256',
      'hostssl pem +pem_agent 192.168.0.0/16 cert',
    ]);
  });
});

describe("Patroni's HBA rules", () => {
  test("equal to the reference patroni.yml's pg_hba", () => {
    assert.deepEqual(
      patroniHbaRules(seedTopology()),
      REFERENCE_PRIMARY_PATRONI.bootstrap.dcs.postgresql.pg_hba,
    );
  });
});

describe('SSL dynamic configuration', () => {
  const topo = seedTopology();

  test("the reference's SSL parameters, PEM rules first then Patroni's", () => {
    assert.deepEqual(sslDynamicConfig(topo), {
      postgresql: {
        parameters: {
          ssl: 'on',
          ssl_ca_file: 'root.crt',
          ssl_cert_file: 'server.crt',
          ssl_key_file: 'server.key',
        },
        pg_hba: [...referenceWithCorrections(), ...REFERENCE_PRIMARY_PATRONI.bootstrap.dcs.postgresql.pg_hba],
      },
    });
  });

  test('ssl_crl_file root.crl when the topology has a CRL', () => {
    const t = validateTopology({ ...structuredClone(topo), crl: true }, 'x');
    assert.equal(sslDynamicConfig(t).postgresql.parameters.ssl_crl_file, 'root.crl');
    assert.equal(sslDynamicConfig(topo).postgresql.parameters.ssl_crl_file, undefined);
  });

  test('a secured topology offers TLS 1.2+ with ECDHE and AEAD suites only (no CBC, SHA-1 MAC, CAMELLIA)', () => {
    const p = sslDynamicConfig(seedTopology('secured')).postgresql.parameters;
    assert.equal(p.ssl_min_protocol_version, 'TLSv1.2');
    assert.equal(p.ssl_ciphers, 'ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL:!eNULL');
    assert.equal(
      sslDynamicConfig(topo).postgresql.parameters.ssl_ciphers,
      undefined,
      'reference-open as the document',
    );
  });
});
