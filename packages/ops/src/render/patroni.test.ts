import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { validateTopology } from '../topology/validate.js';
import { patroniConfig, renderPatroniYml } from './patroni.js';
import {
  REFERENCE_PRIMARY_PATRONI,
  REFERENCE_SECRETS,
  referenceStandbyPatroni,
  SECURED_SECRETS,
  seedTopology,
} from './reference.fixture.js';
import { SECURED_PRIMARY_PATRONI } from './secured.fixture.js';
import type { LabSite } from './site.js';

const site: LabSite = {
  hostDir: (h) => `/var/tmp/pharos/lab/${h}`,
  binDir: '/usr/lib/postgresql/15/bin',
  caFile: '/var/tmp/pharos/lab/pki/ca.crt',
};

/** The file without Pharos's addition `postgresql.basebackup` (checked on its own below). */
function referencePart(parsed: { postgresql: Record<string, unknown> }) {
  const { basebackup: _b, ...postgresql } = parsed.postgresql;
  return { ...parsed, postgresql };
}

describe('patroni.yml, golden against the reference document', () => {
  const topo = seedTopology();

  test("Pharos's addition on every backend: basebackup with checkpoint fast", () => {
    for (const b of topo.backends) {
      assert.deepEqual(patroniConfig(topo, b.name, REFERENCE_SECRETS).postgresql.basebackup, [
        { checkpoint: 'fast' },
      ]);
    }
  });

  test('the first backend: the reference primary file, field by field', () => {
    const parsed = parse(renderPatroniYml(topo, 'pem-backend-1', REFERENCE_SECRETS), { version: '1.1' });
    assert.deepEqual(referencePart(parsed), REFERENCE_PRIMARY_PATRONI);
  });

  test('standby 1: no bootstrap section, its own name and addresses', () => {
    const parsed = parse(renderPatroniYml(topo, 'pem-backend-2', REFERENCE_SECRETS), { version: '1.1' });
    assert.deepEqual(referencePart(parsed), referenceStandbyPatroni('pem-backend-2', '172.16.161.201'));
  });

  test('standby 2: no bootstrap section, its own name and addresses', () => {
    const parsed = parse(renderPatroniYml(topo, 'pem-backend-3', REFERENCE_SECRETS), { version: '1.1' });
    assert.deepEqual(referencePart(parsed), referenceStandbyPatroni('pem-backend-3', '172.16.161.202'));
  });

  test('YAML 1.1 safe: the socket list and listen address stay strings', () => {
    const text = renderPatroniYml(topo, 'pem-backend-1', REFERENCE_SECRETS);
    assert.match(text, /listen: "\*:5432"/);
    assert.match(text, /^ {4}- data-checksums$/m);
  });

  test('passwords come from the secrets, quoted when needed', () => {
    const secrets = { superuser: "s'1: #x", replication: 'on', rewind: '0755' };
    const parsed = parse(renderPatroniYml(topo, 'pem-backend-2', secrets), { version: '1.1' });
    assert.deepEqual(parsed.postgresql.authentication, {
      replication: { username: 'patroni_rep', password: 'on' },
      superuser: { username: 'patroni_super', password: "s'1: #x" },
      rewind: { username: 'patroni_rew', password: '0755' },
    });
  });

  test('failsafe_mode and timings come from the topology', () => {
    const t = validateTopology(
      {
        ...structuredClone(topo),
        patroni: { ttl: 40, loop_wait: 10, retry_timeout: 15, failsafe_mode: true },
      },
      'x',
    );
    const c = patroniConfig(t, 'pem-backend-1', REFERENCE_SECRETS);
    assert.equal(c.bootstrap?.dcs.ttl, 40);
    assert.equal(c.bootstrap?.dcs.retry_timeout, 15);
    assert.equal(c.bootstrap?.dcs.failsafe_mode, true);
    assert.equal(
      patroniConfig(topo, 'pem-backend-1', REFERENCE_SECRETS).bootstrap?.dcs.failsafe_mode,
      undefined,
    );
  });

  test('an unknown backend is an InputError', () => {
    assert.throws(() => patroniConfig(topo, 'etcd-node-1', REFERENCE_SECRETS), {
      name: 'InputError',
      message:
        "'etcd-node-1' is not a backend of the topology (backends: pem-backend-1, pem-backend-2, pem-backend-3)",
    });
  });
});

describe('patroni.yml secured (the default), golden', () => {
  const topo = seedTopology('secured');

  test('the first backend: the reference file plus TLS, REST authentication, ctl and etcd over https', () => {
    const parsed = parse(renderPatroniYml(topo, 'pem-backend-1', SECURED_SECRETS), { version: '1.1' });
    assert.deepEqual(parsed, SECURED_PRIMARY_PATRONI);
    assert.deepEqual(Object.keys(parsed), [
      'scope',
      'name',
      'restapi',
      'ctl',
      'etcd3',
      'bootstrap',
      'postgresql',
    ]);
  });

  test('a standby: its own addresses, the same secured sections', () => {
    const c = patroniConfig(topo, 'pem-backend-3', SECURED_SECRETS);
    assert.equal(c.restapi.listen, '172.16.161.202:8008');
    assert.deepEqual(
      { ...c.restapi, listen: undefined, connect_address: undefined },
      { ...SECURED_PRIMARY_PATRONI.restapi, listen: undefined, connect_address: undefined },
    );
    assert.deepEqual(c.ctl, SECURED_PRIMARY_PATRONI.ctl);
    assert.deepEqual(c.etcd3, SECURED_PRIMARY_PATRONI.etcd3);
    assert.equal(c.bootstrap, undefined);
  });

  test('without the REST API and etcd passwords it refuses to render', () => {
    assert.throws(
      () => patroniConfig(topo, 'pem-backend-1', REFERENCE_SECRETS),
      /needs the REST API and etcd passwords/,
    );
  });

  test('in the lab: the lab CA and the host directory certificate', () => {
    const c = patroniConfig(topo, 'pem-backend-2', SECURED_SECRETS, site);
    const dir = '/var/tmp/pharos/lab/pem-backend-2';
    assert.equal(c.restapi.certfile, `${dir}/pki/patroni.crt`);
    assert.equal(c.restapi.keyfile, `${dir}/pki/patroni.key`);
    assert.equal(c.restapi.cafile, site.caFile);
    assert.equal(c.etcd3.cacert, site.caFile);
    assert.equal(c.ctl?.cacert, site.caFile);
  });
});

describe('patroni.yml in the lab (a site)', () => {
  const topo = seedTopology();
  const lab = patroniConfig(topo, 'pem-backend-2', REFERENCE_SECRETS, site);
  const dir = '/var/tmp/pharos/lab/pem-backend-2';

  test('listens on its one address, with its own socket dir, pgpass, data dir and bin dir', () => {
    assert.equal(lab.postgresql.listen, '172.16.161.201:5432');
    assert.equal(lab.postgresql.connect_address, '172.16.161.201:5432');
    assert.equal(lab.postgresql.data_dir, `${dir}/var/lib/pgsql/17/data`);
    assert.equal(lab.postgresql.bin_dir, '/usr/lib/postgresql/15/bin');
    assert.equal(lab.postgresql.pgpass, `${dir}/pgpass`);
    assert.deepEqual(lab.postgresql.parameters, {
      unix_socket_directories: `${dir}/run`,
      wal_retrieve_retry_interval: '250ms',
    });
    assert.deepEqual(lab.log, { dir: `${dir}/log` });
  });

  test('replicas are built with a fast checkpoint', () => {
    assert.deepEqual(lab.postgresql.basebackup, [{ checkpoint: 'fast' }]);
  });

  test('every lab backend carries the same bootstrap section as the first', () => {
    const first = patroniConfig(topo, 'pem-backend-1', REFERENCE_SECRETS);
    assert.deepEqual(lab.bootstrap, first.bootstrap);
  });

  test('otherwise equal to the real deployment file', () => {
    const real = patroniConfig(topo, 'pem-backend-2', REFERENCE_SECRETS);
    const { log: _l, bootstrap: _b, ...labRest } = lab;
    const {
      listen: _a,
      data_dir: _d,
      bin_dir: _c,
      pgpass: _p,
      parameters: _q,
      basebackup: _x,
      ...labPg
    } = lab.postgresql;
    const {
      listen: _a2,
      data_dir: _d2,
      bin_dir: _c2,
      parameters: _q2,
      basebackup: _x2,
      ...realPg
    } = real.postgresql;
    assert.deepEqual({ ...labRest, postgresql: labPg }, { ...real, postgresql: realPg });
  });
});
