/**
 * patroni.yml of a monitored cluster's member (the lab's fleet): open, as
 * the reference's setup; secured, the REST API on TLS with its own password
 * and a ctl section, etcd over https with a client certificate and the
 * cluster's own etcd user (Patroni 4 "YAML Configuration Settings").
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type MonitoredClusterOptions, monitoredPatroniConfig } from './patroni.js';
import { labFleet } from './plan.js';
import { fleetEtcdUser } from './start.js';

const member = {
  name: 'db-host-2',
  address: '127.0.1.221',
  dir: '/lab/db-host-2',
  tls: { certFile: '/issued/server.crt', keyFile: '/issued/server.key' },
  patroniTls: { certFile: '/issued/db-host-2.crt', keyFile: '/issued/db-host-2.key' },
};
const options: MonitoredClusterOptions = {
  scope: 'orders',
  members: [member],
  etcdHosts: ['127.0.1.111:2379'],
  port: 5432,
  restPort: 8008,
  passwords: { superuser: 's', replication: 'r', rewind: 'w' },
  hbaRules: [],
  dcs: { ttl: 30, loop_wait: 10, retry_timeout: 10 },
};

describe('monitoredPatroniConfig', () => {
  it('open: REST API and etcd without TLS or credentials', () => {
    const c = monitoredPatroniConfig(options, member, '/usr/lib/postgresql/15/bin');
    assert.deepEqual(c.restapi, { listen: '127.0.1.221:8008', connect_address: '127.0.1.221:8008' });
    assert.deepEqual(c.etcd3, { hosts: ['127.0.1.111:2379'] });
    assert.equal('ctl' in c, false);
  });

  it('secured: REST API on TLS with its password, ctl, etcd over https with a certificate and its own user', () => {
    const security = {
      caFile: '/lab/pki/ca.crt',
      restAuth: { username: 'patroni', password: 'rest-pw' },
      etcdUser: { username: 'patroni-orders', password: 'etcd-pw' },
    };
    const c = monitoredPatroniConfig({ ...options, security }, member, '/usr/lib/postgresql/15/bin');
    assert.deepEqual(c.restapi, {
      listen: '127.0.1.221:8008',
      connect_address: '127.0.1.221:8008',
      certfile: '/lab/db-host-2/tls/patroni.crt',
      keyfile: '/lab/db-host-2/tls/patroni.key',
      cafile: '/lab/db-host-2/tls/ca.crt',
      ciphers: 'ECDHE+AESGCM:ECDHE+CHACHA20',
      authentication: { username: 'patroni', password: 'rest-pw' },
    });
    assert.deepEqual((c as { ctl?: unknown }).ctl, {
      cacert: '/lab/db-host-2/tls/ca.crt',
      authentication: { username: 'patroni', password: 'rest-pw' },
    });
    assert.deepEqual(c.etcd3, {
      hosts: ['127.0.1.111:2379'],
      protocol: 'https',
      cacert: '/lab/db-host-2/tls/ca.crt',
      cert: '/lab/db-host-2/tls/patroni.crt',
      key: '/lab/db-host-2/tls/patroni.key',
      username: 'patroni-orders',
      password: 'etcd-pw',
    });
  });
});

describe('fleetEtcdUser', () => {
  it("the fleet cluster's etcd user and role reach /service/<scope>/ only", () => {
    const scope = labFleet({ backends: [{ address: '127.0.1.200' }], webapps: [] } as never).cluster.scope;
    assert.deepEqual(fleetEtcdUser(scope, { fleet_etcd_patroni: 'pw' }), {
      name: 'patroni-orders',
      role: 'patroni-orders',
      prefix: '/service/orders/',
      password: 'pw',
    });
  });
});
