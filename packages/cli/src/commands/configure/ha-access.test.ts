import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { ConfigureOptions } from '@pharos/backend/configure/options';
import { parse } from 'yaml';
import { toHaAccess } from './ha-access.js';
import { writeAgentConfig, writeLocalWebConfig } from './write.js';

describe('configure: access to a secured etcd and Patroni REST API', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-ha-access-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const ca = join(dir, 'root.crt');
  const cert = join(dir, 'etcd-client.crt');
  const key = join(dir, 'etcd-client.key');
  for (const f of [ca, cert, key]) writeFileSync(f, 'pem', { mode: 0o600 });

  it('checks the flags before connecting: files readable, URLs plain, certificate and key together', () => {
    assert.deepEqual(toHaAccess({}), {});
    assert.deepEqual(
      toHaAccess({
        patroniRestCa: ca,
        etcdEndpoints: 'https://10.0.0.1:2379, https://10.0.0.2:2379',
        etcdCert: cert,
        etcdKey: key,
      }),
      {
        patroniRestCaFile: ca,
        etcdEndpoints: ['https://10.0.0.1:2379', 'https://10.0.0.2:2379'],
        etcdCertFile: cert,
        etcdKeyFile: key,
      },
    );
    const refused = (f: Parameters<typeof toHaAccess>[0], message: RegExp) =>
      assert.throws(
        () => toHaAccess(f),
        (e: Error) => e.name === 'InputError' && message.test(e.message),
      );
    refused({ patroniRestCa: join(dir, 'none.crt') }, /^--patroni-rest-ca: cannot read .*none\.crt/);
    refused(
      { etcdEndpoints: 'https://user:pw@10.0.0.1:2379' },
      /^--etcd-endpoints: .* is not a URL of the form/,
    );
    refused({ etcdEndpoints: 'https://10.0.0.1:2379/v3/kv' }, /^--etcd-endpoints: /);
    refused({ etcdEndpoints: 'https://10.0.0.1:2379', etcdCert: cert }, /go together/);
    refused({ etcdCert: cert, etcdKey: key }, /give the etcd members with --etcd-endpoints/);
  });

  it("writes the agent's patroni_rest_ca_file, which the agent's own parser accepts", () => {
    const path = join(dir, 'agent.yml');
    writeAgentConfig(path, {
      agentId: 4,
      agentUser: 'agent4',
      backend:
        'host=10.0.0.4 port=5432 dbname=pem user=agent4 sslmode=verify-full target_session_attrs=read-write',
      patroniRestCaFile: ca,
    });
    assert.equal(parse(readFileSync(path, 'utf8')).patroni_rest_ca_file, ca);
  });

  it("writes the web's https Patroni URLs (127.0.0.1 as the host's address), CA, etcd endpoints and certificate", () => {
    const path = join(dir, 'web.yml');
    const o = {
      hosts: ['10.0.0.4', '127.0.0.1'],
      ports: [5432, 5432],
      sslmode: 'verify-full',
      sslrootcert: ca,
      hostAddress: '10.0.0.5',
    } as unknown as ConfigureOptions;
    writeLocalWebConfig(path, o, {
      serviceUser: 'pem_web_service',
      servicePassword: 'pw',
      port: 8443,
      certFile: cert,
      keyFile: key,
      ha: toHaAccess({
        patroniRestCa: ca,
        etcdEndpoints: 'https://10.0.0.1:2379',
        etcdCert: cert,
        etcdKey: key,
      }),
    });
    const web = parse(readFileSync(path, 'utf8'));
    assert.deepEqual(web.patroni_rest_urls, ['https://10.0.0.4:8008', 'https://10.0.0.5:8008']);
    assert.equal(web.rest_ca_file, ca);
    assert.deepEqual(web.etcd_endpoints, ['https://10.0.0.1:2379']);
    assert.equal(web.etcd_cert_file, cert);
    assert.equal(web.etcd_key_file, key);
  });
});
