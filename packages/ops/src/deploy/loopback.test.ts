/**
 * Hosts on loopback addresses share one machine (sharesLoopback): the plan
 * renders what one machine needs (docs/topology.md "Hosts on one machine").
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildPlan } from '../plan/build.js';
import { etcdEnvironment } from '../render/etcd.js';
import { patroniConfig } from '../render/patroni.js';
import { REFERENCE_SECRETS, seedTopology } from '../render/reference.fixture.js';
import { isLoopbackAddress } from '../topology/address.js';
import { sharesLoopback } from '../topology/hosts.js';
import { validateTopology } from '../topology/validate.js';

function onLoopback() {
  const t = structuredClone(seedTopology()) as unknown as Record<string, { name: string; address: string }[]>;
  for (const role of ['etcd', 'backends', 'webapps']) {
    for (const h of t[role]!) h.address = h.address.replace('172.16.161.', '127.0.21.');
  }
  return validateTopology(t, 'loopback');
}

describe('hosts that share one machine loopback', () => {
  test('loopback addresses', () => {
    assert.equal(isLoopbackAddress('127.0.21.5'), true);
    assert.equal(isLoopbackAddress('::1'), true);
    assert.equal(isLoopbackAddress('172.16.161.200'), false);
    assert.equal(isLoopbackAddress('::2'), false);
    assert.equal(sharesLoopback(seedTopology()), false);
    assert.equal(sharesLoopback(onLoopback()), true);
  });

  test('etcd: no localhost client URL; PostgreSQL listens on its own address only', () => {
    const t = onLoopback();
    assert.equal(etcdEnvironment(t, 'etcd-node-2').ETCD_LISTEN_CLIENT_URLS, 'http://127.0.21.112:2379');
    assert.equal(
      etcdEnvironment(seedTopology(), 'etcd-node-2').ETCD_LISTEN_CLIENT_URLS,
      'http://localhost:2379,http://172.16.161.112:2379',
    );
    assert.equal(patroniConfig(t, 'pem-backend-3', REFERENCE_SECRETS).postgresql.listen, '127.0.21.202:5432');
    assert.equal(
      patroniConfig(seedTopology(), 'pem-backend-3', REFERENCE_SECRETS).postgresql.listen,
      '*:5432',
    );
  });

  test('configure.sh tells configure the host name and address', async () => {
    const plan = await buildPlan(onLoopback());
    const script = plan.files.find((f) => f.path === 'pem-web-2/configure.sh')!.content;
    assert.match(script, /^export PHAROS_HOST_NAME=pem-web-2 PHAROS_HOST_ADDRESS='127\.0\.21\.212'$/m);
    assert.match(script, /--web-cert '\/etc\/pharos\/certs\/web\.crt'/);
  });
});
