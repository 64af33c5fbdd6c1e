import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { InputError } from '@pharos/core/errors';
import { testCa } from '../testing/check-fixtures.js';
import { buildCheckContext } from './context.js';

const TOPOLOGY = `architecture: SM
cluster: pem
postgres: { version: 15 }
etcd:
  - { name: etcd-node-1, address: 10.0.0.11 }
  - { name: etcd-node-2, address: 10.0.0.12 }
  - { name: etcd-node-3, address: 10.0.0.13 }
backends:
  - { name: pem-backend-1, address: 10.0.0.20 }
  - { name: pem-backend-2, address: 10.0.0.21 }
webapps:
  - { name: pem-web-1, address: 10.0.0.31 }
`;

describe('buildCheckContext', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-check-'));
  const topologyFile = join(dir, 'topology.yml');
  const caFile = join(dir, 'root.crt');
  const etcd = { etcdCertFile: join(dir, 'etcd-client.crt'), etcdKeyFile: join(dir, 'etcd-client.key') };
  before(async () => {
    writeFileSync(topologyFile, TOPOLOGY);
    writeFileSync(caFile, (await testCa()).certPem);
    writeFileSync(etcd.etcdCertFile, 'client certificate');
    writeFileSync(etcd.etcdKeyFile, 'client key');
  });

  it('needs a topology and the CA', () => {
    assert.throws(
      () => buildCheckContext({ env: {} }),
      (e) => e instanceof InputError && /--topology FILE is required/.test(e.message),
    );
    assert.throws(
      () => buildCheckContext({ topologyFile, env: {} }),
      /needs the deployment's CA certificate/,
    );
    assert.throws(
      () => buildCheckContext({ topologyFile, caFile: join(dir, 'none.crt'), env: {} }),
      /cannot read the deployment's CA/,
    );
    assert.throws(() => buildCheckContext({ topologyFile, caFile, timeoutMs: 0, env: {} }), /--timeout: 0/);
  });

  it('logs in as the topology superuser with PHAROS_SUPERPASSWORD, verify-full with PGSSLROOTCERT', () => {
    const ctx = buildCheckContext({
      topologyFile,
      ...etcd,
      env: { PGSSLROOTCERT: caFile, PHAROS_SUPERPASSWORD: 's3cret' },
    });
    assert.equal(ctx.sql.user, 'pemsuper');
    assert.equal(ctx.sql.env.PGPASSWORD, 's3cret');
    assert.equal(ctx.sql.sslmode, 'verify-full');
    assert.equal(ctx.sql.sslrootcert, caFile);
    assert.match(ctx.sql.origin, /PHAROS_SUPERPASSWORD/);
    assert.equal(ctx.timeoutMs, 5000);
    const other = buildCheckContext({
      topologyFile,
      caFile,
      ...etcd,
      user: 'admin',
      env: { PGSSLMODE: 'require' },
    });
    assert.equal(other.sql.user, 'admin');
    assert.equal(other.sql.sslmode, 'require');
    assert.match(other.sql.origin, /the password file/);
  });

  it('takes topology, CA, credentials and configuration files from a lab directory', () => {
    const lab = join(dir, 'lab');
    mkdirSync(join(lab, 'pki'), { recursive: true });
    mkdirSync(join(lab, 'pem-web-1', 'pharos'), { recursive: true });
    writeFileSync(join(lab, 'lab.json'), JSON.stringify({ topologyFile }));
    writeFileSync(join(lab, 'secrets.json'), JSON.stringify({ patroni_super: 'pw' }));
    writeFileSync(
      join(lab, 'pki', 'ca.crt'),
      '-----BEGIN CERTIFICATE-----\nbad\n-----END CERTIFICATE-----\n',
    );
    assert.throws(() => buildCheckContext({ labDir: lab, env: {} }), /is not a PEM certificate/);
    writeFileSync(
      join(lab, 'pki', 'ca.crt'),
      buildCheckContext({ topologyFile, caFile, ...etcd, env: {} }).caPem,
    );
    writeFileSync(join(lab, 'pki', 'etcd-client.crt'), 'lab client certificate');
    writeFileSync(join(lab, 'pki', 'etcd-client.key'), 'lab client key');
    writeFileSync(join(lab, 'pem-web-1', 'pharos', 'web.yml'), 'backend: host=10.0.0.20\n');
    const ctx = buildCheckContext({ labDir: lab, env: {} });
    assert.equal(ctx.topo.backends.length, 2);
    assert.equal(ctx.etcd.cert, 'lab client certificate');
    assert.equal(ctx.sql.user, 'patroni_super');
    assert.equal(ctx.sql.env.PGPASSWORD, 'pw');
    const web1 = ctx.topo.webapps[0]!;
    assert.deepEqual(ctx.configs.read(web1, 'web.yml'), {
      ok: true,
      path: join(lab, 'pem-web-1', 'pharos', 'web.yml'),
      doc: { backend: 'host=10.0.0.20' },
    });
    const missing = ctx.configs.read(web1, 'agent.yml');
    assert.equal(missing.ok, false);
  });

  it('reads collected files from --config-dir, certificates beside them', () => {
    const ctx = buildCheckContext({ topologyFile, caFile, ...etcd, configDir: '/collected', env: {} });
    const b1 = ctx.topo.backends[0]!;
    assert.equal(
      ctx.configs.localPath(b1, '/etc/pharos/certs/agent1.crt'),
      '/collected/pem-backend-1/agent1.crt',
    );
    const r = ctx.configs.read(b1, 'agent.yml');
    assert.ok(!r.ok && /cannot read \/collected\/pem-backend-1\/agent\.yml/.test(r.reason));
  });

  it("without a source, reads only this machine's own files and says why not the others", () => {
    const ctx = buildCheckContext({ topologyFile, caFile, ...etcd, env: {} });
    const r = ctx.configs.read(ctx.topo.backends[0]!, 'agent.yml');
    assert.ok(!r.ok && /give --config-dir DIR/.test(r.reason));
  });

  it('a secured topology: https with the CA, and an etcd client certificate is required', () => {
    assert.throws(
      () => buildCheckContext({ topologyFile, caFile, env: {} }),
      (e) => e instanceof InputError && /give --etcd-cert FILE and --etcd-key FILE/.test(e.message),
    );
    assert.throws(
      () => buildCheckContext({ topologyFile, caFile, ...etcd, etcdKeyFile: join(dir, 'none.key'), env: {} }),
      /--etcd-key: cannot read/,
    );
    const ctx = buildCheckContext({ topologyFile, caFile, ...etcd, env: {} });
    assert.deepEqual(ctx.patroni, { port: 8008, ca: ctx.caPem });
    assert.deepEqual(ctx.etcd, { ca: ctx.caPem, cert: 'client certificate', key: 'client key' });
  });

  it('the reference-open topology: plain HTTP, no certificate needed', () => {
    const open = join(dir, 'open.yml');
    writeFileSync(open, `${TOPOLOGY}infrastructure_security: reference-open\n`);
    const ctx = buildCheckContext({ topologyFile: open, caFile, env: {} });
    assert.deepEqual(ctx.patroni, { port: 8008 });
    assert.deepEqual(ctx.etcd, {});
  });
});
