import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { etcdEnvironment, parseEtcdConf, renderEtcdConf } from './etcd.js';
import { referenceEtcd, seedTopology } from './reference.fixture.js';
import { securedEtcd } from './secured.fixture.js';

describe('etcd.conf, golden against the reference', () => {
  const topo = seedTopology();
  const members: [string, string][] = [
    ['etcd-node-1', '172.16.161.111'],
    ['etcd-node-2', '172.16.161.112'],
    ['etcd-node-3', '172.16.161.113'],
  ];

  for (const [name, ip] of members) {
    test(`${name}: the reference's values`, () => {
      assert.deepEqual(parseEtcdConf(renderEtcdConf(topo, name)), referenceEtcd(name, ip));
      assert.deepEqual(etcdEnvironment(topo, name), referenceEtcd(name, ip));
    });
  }

  test("the reference's layout: sections and quoted values in its order", () => {
    assert.equal(
      renderEtcdConf(topo, 'etcd-node-1'),
      [
        '#[Member]',
        'ETCD_LISTEN_PEER_URLS="http://172.16.161.111:2380"',
        'ETCD_LISTEN_CLIENT_URLS="http://localhost:2379,http://172.16.161.111:2379"',
        'ETCD_NAME="etcd-node-1"',
        '#[Clustering]',
        'ETCD_INITIAL_ADVERTISE_PEER_URLS="http://172.16.161.111:2380"',
        'ETCD_INITIAL_CLUSTER="etcd-node-1=http://172.16.161.111:2380,etcd-node-2=http://172.16.161.112:2380,etcd-node-3=http://172.16.161.113:2380"',
        'ETCD_ADVERTISE_CLIENT_URLS="http://172.16.161.111:2379"',
        'ETCD_INITIAL_CLUSTER_TOKEN="etcd-cluster-1"',
        'ETCD_INITIAL_CLUSTER_STATE="new"',
        '',
      ].join('\n'),
    );
  });

  test('in the lab: no localhost URL, a data dir under the host dir', () => {
    const env = etcdEnvironment(topo, 'etcd-node-2', {
      hostDir: (h) => `/lab/${h}`,
      binDir: '/bin',
      caFile: '/lab/pki/ca.crt',
    });
    assert.deepEqual(env, {
      ...referenceEtcd('etcd-node-2', '172.16.161.112'),
      ETCD_LISTEN_CLIENT_URLS: 'http://172.16.161.112:2379',
      ETCD_DATA_DIR: '/lab/etcd-node-2/etcd-data',
    });
  });

  test('secured (the default): https, client and peer certificates, the #[Security] section', () => {
    const secured = seedTopology('secured');
    for (const [name, ip] of members) {
      assert.deepEqual(etcdEnvironment(secured, name), securedEtcd(name, ip));
      assert.deepEqual(parseEtcdConf(renderEtcdConf(secured, name)), securedEtcd(name, ip));
    }
    const text = renderEtcdConf(secured, 'etcd-node-1');
    assert.deepEqual(
      text.split('\n').filter((l) => l.startsWith('#')),
      ['#[Member]', '#[Clustering]', '#[Security]'],
    );
    assert.ok(text.indexOf('#[Security]') < text.indexOf('ETCD_CERT_FILE'));
    const lab = etcdEnvironment(secured, 'etcd-node-2', {
      hostDir: (h) => `/lab/${h}`,
      binDir: '/bin',
      caFile: '/lab/pki/ca.crt',
    });
    assert.equal(lab.ETCD_LISTEN_CLIENT_URLS, 'https://172.16.161.112:2379');
    assert.equal(lab.ETCD_CERT_FILE, '/lab/etcd-node-2/pki/etcd.crt');
    assert.equal(lab.ETCD_TRUSTED_CA_FILE, '/lab/pki/ca.crt');
  });

  test('an unknown member is an InputError', () => {
    assert.throws(() => etcdEnvironment(topo, 'pem-backend-1'), { name: 'InputError' });
  });
});
