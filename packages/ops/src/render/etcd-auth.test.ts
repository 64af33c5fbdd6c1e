import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { etcdAuthScript, etcdUsers, prefixRangeEnd } from './etcd-auth.js';
import { seedTopology } from './reference.fixture.js';

describe('etcd users and roles (RBAC) of a secured deployment', () => {
  const topo = seedTopology('secured');
  const secrets = { etcdRoot: "r00t'pw", etcdPatroni: 'patroni-pw' };

  test('root, then patroni limited to /service/<cluster>/', () => {
    assert.deepEqual(etcdUsers(topo, secrets), [
      { name: 'root', password: "r00t'pw", role: 'root' },
      { name: 'patroni', password: 'patroni-pw', role: 'patroni', prefix: '/service/pem/' },
    ]);
  });

  test("a prefix's range end is the prefix with its last byte + 1 (etcdctl --prefix)", () => {
    assert.equal(prefixRangeEnd('/service/pem/').toString(), '/service/pem0');
    assert.equal(prefixRangeEnd('abc').toString(), 'abd');
  });

  test('etcd-auth.sh: etcdctl on the member itself, passwords on stdin or in the environment, quoted, auth enabled last', () => {
    const script = etcdAuthScript(topo, 'etcd-node-1', secrets);
    const lines = script.trimEnd().split('\n');
    assert.equal(lines[0], '#!/bin/sh');
    assert.ok(lines.includes('set -eu'));
    assert.match(
      script,
      /etcdctl --endpoints=https:\/\/172\.16\.161\.111:2379 --cacert='\/etc\/etcd\/pki\/root\.crt' --cert='\/etc\/etcd\/pki\/etcd\.crt' --key='\/etc\/etcd\/pki\/etcd\.key' "\$@"/,
    );
    assert.ok(
      lines.includes(
        `etcdctl_member user get root >/dev/null 2>&1 || printf '%s\\n' 'r00t'\\''pw' | etcdctl_member user add root --interactive=false`,
      ),
    );
    assert.ok(
      lines.includes("etcdctl_member role grant-permission patroni --prefix=true readwrite '/service/pem/'"),
    );
    assert.deepEqual(lines.slice(-2), ['etcdctl_member auth enable', "echo 'etcd authentication enabled'"]);
    assert.ok(!/--new-user-password|--user|--password/.test(script), 'no password on a command line');
    assert.match(
      script,
      /^if ETCDCTL_USER='root:r00t'\\''pw' etcdctl_member auth status 2>\/dev\/null \| grep -q 'Authentication Status: true'; then$/m,
      'idempotent: with authentication on it only says so',
    );
  });

  test('only etcd members get the script', () => {
    assert.throws(() => etcdAuthScript(topo, 'pem-backend-1', secrets), { name: 'InputError' });
  });
});
