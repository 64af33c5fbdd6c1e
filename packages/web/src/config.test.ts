import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError } from '@pharos/core/errors';
import { stringify } from 'yaml';
import { caFileOf, loadWebConfig, parseWebConfig, patroniRestUrlsOf } from './config.js';

const dir = mkdtempSync(join(tmpdir(), 'pharos-web-config-'));
const file = (name: string, mode = 0o600) => {
  const p = join(dir, name);
  writeFileSync(p, `${name}\n`, { mode });
  return p;
};
const cert = file('web.crt', 0o644);
const key = file('web.key');
const ca = file('ca.crt', 0o644);
const pw = file('svc.password');
const hosts = 'host=10.0.0.4,10.0.0.5,10.0.0.6 port=5432';
const valid = {
  listen_address: '10.0.0.7',
  tls_cert_file: cert,
  tls_key_file: key,
  backend: `${hosts} dbname=pem user=pemweb1 sslmode=verify-full sslrootcert=${ca} target_session_attrs=read-write`,
  password_file: pw,
  source_address: '10.0.0.7',
  login_backend: `${hosts} dbname=pem sslmode=verify-full sslrootcert=${ca}`,
};
const refused = (doc: Record<string, unknown>, pattern: RegExp) =>
  assert.throws(
    () => parseWebConfig(doc, 'web.yml'),
    (err: unknown) =>
      err instanceof ConfigError &&
      err.code === 'PHAROS_SETTINGS_INVALID' &&
      /^web\.yml: invalid web configuration \(\d+ problems?\):\n/.test(err.message) &&
      pattern.test(err.message),
  );

describe('web configuration', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts a complete file and applies defaults', () => {
    const c = parseWebConfig(valid, 'web.yml');
    assert.equal(c.port, 8443);
    assert.equal(c.session_ttl_s, 3600);
    assert.equal(c.login_rate_limit_per_minute, 10);
    assert.equal(c.backend_connections, 4);
    assert.equal(c.source_address, '10.0.0.7');
    assert.equal(c.password_file, pw);
    assert.equal(c.log_file, undefined);
    assert.deepEqual(c.etcd_endpoints, []);
    assert.deepEqual(patroniRestUrlsOf(c), [
      'http://10.0.0.4:8008',
      'http://10.0.0.5:8008',
      'http://10.0.0.6:8008',
    ]);
    assert.equal(caFileOf(c), ca);
  });

  it('reads YAML from a file; names the file when it is missing or malformed', () => {
    const path = join(dir, 'web.yml');
    writeFileSync(path, stringify({ ...valid, port: 9443, session_ttl_s: 120 }));
    const c = loadWebConfig(path);
    assert.equal(c.port, 9443);
    assert.equal(c.session_ttl_s, 120);
    assert.throws(() => loadWebConfig(join(dir, 'nope.yml')), {
      code: 'PHAROS_SETTINGS_UNREADABLE',
      message: /nope\.yml: cannot read the web configuration file/,
    });
    writeFileSync(path, 'listen_address: [unclosed');
    assert.throws(() => loadWebConfig(path), {
      code: 'PHAROS_SETTINGS_NOT_YAML',
      message: /web\.yml: not valid YAML/,
    });
  });

  it('names the field of every error', () => {
    refused({ ...valid, colour: 'blue' }, /\n {2}- colour: unknown field 'colour'/);
    refused(
      { ...valid, listen_address: 'web-1' },
      /- listen_address: 'web-1' is not an IPv4 or IPv6 address/,
    );
    refused({ ...valid, port: 70000 }, /- port: 70000 is too big/);
    refused({ ...valid, session_ttl_s: 'long' }, /- session_ttl_s: expected a number, got string 'long'/);
    const { backend: _b, ...noBackend } = valid;
    refused(noBackend, /- backend: required field is missing/);
  });

  it('lists every problem at once', () => {
    assert.throws(
      () => parseWebConfig({ ...valid, port: 0, colour: 'blue', listen_address: 'x' }, 'web.yml'),
      (err: Error) => /\(3 problems\)/.test(err.message),
    );
    assert.throws(
      () =>
        parseWebConfig(
          {
            ...valid,
            tls_key_file: file('open2.key', 0o644),
            backend: valid.backend.replace('dbname=pem', 'dbname=postgres'),
          },
          'web.yml',
        ),
      (err: Error) => /\(2 problems\)/.test(err.message) && /tls_key_file: /.test(err.message),
    );
  });

  it('secured HA stack: https REST URLs, their CA, and an etcd client certificate with a private key', () => {
    const restCa = file('rest-ca.crt', 0o644);
    const etcdCert = file('etcd-client.crt', 0o644);
    const etcdKey = file('etcd-client.key');
    const c = parseWebConfig(
      {
        ...valid,
        patroni_rest_urls: ['https://10.0.0.4:8008'],
        etcd_endpoints: ['https://10.0.0.1:2379'],
        rest_ca_file: restCa,
        etcd_cert_file: etcdCert,
        etcd_key_file: etcdKey,
      },
      'web.yml',
    );
    assert.deepEqual(
      [patroniRestUrlsOf(c), c.etcd_endpoints, caFileOf(c), c.etcd_cert_file, c.etcd_key_file],
      [['https://10.0.0.4:8008'], ['https://10.0.0.1:2379'], restCa, etcdCert, etcdKey],
    );
    assert.equal(
      caFileOf(parseWebConfig(valid, 'web.yml')),
      ca,
      "without rest_ca_file: the backend's sslrootcert",
    );
    refused(
      { ...valid, etcd_cert_file: etcdCert },
      /\n {2}- etcd_key_file: etcd_cert_file and etcd_key_file go together/,
    );
    refused(
      { ...valid, etcd_cert_file: etcdCert, etcd_key_file: file('etcd-open.key', 0o644) },
      /etcd_key_file: .*etcd-open\.key has mode 0644/,
    );
    refused({ ...valid, rest_ca_file: join(dir, 'none.crt') }, /rest_ca_file: cannot read/);
  });

  it('requires a private key and password file without group or other access', () => {
    refused({ ...valid, tls_key_file: file('open.key', 0o644) }, /tls_key_file: .*open\.key has mode 0644/);
    refused({ ...valid, password_file: file('open.password', 0o640) }, /password_file: .*mode 0640/);
    refused(
      { ...valid, tls_cert_file: join(dir, 'missing.crt') },
      /tls_cert_file: cannot read .*missing\.crt/,
    );
  });

  it('requires verify-full with a readable CA, dbname pem, the primary, and no password in the strings', () => {
    refused(
      { ...valid, backend: valid.backend.replace('verify-full', 'require') },
      /backend: sslmode must be verify-full/,
    );
    refused(
      { ...valid, backend: valid.backend.replace(`sslrootcert=${ca}`, `sslrootcert=${dir}/none.crt`) },
      /backend sslrootcert: cannot read/,
    );
    refused(
      { ...valid, backend: valid.backend.replace('dbname=pem', 'dbname=postgres') },
      /backend: dbname must be pem/,
    );
    refused(
      { ...valid, backend: valid.backend.replace('read-write', 'any') },
      /backend: target_session_attrs must be read-write or primary/,
    );
    refused(
      { ...valid, backend: `${valid.backend} password=secret` },
      /backend: must not contain a password/,
    );
    refused(
      { ...valid, login_backend: `${valid.login_backend} password=secret` },
      /login_backend: must not contain a password/,
    );
    refused({ ...valid, backend: `${valid.backend} bogus=1` }, /backend: invalid connection option "bogus"/);
  });

  it('wants the login string on the same hosts as the service string', () => {
    refused(
      { ...valid, login_backend: valid.login_backend.replace('10.0.0.6', '10.0.0.9') },
      /login_backend: must list the same hosts as backend/,
    );
  });

  it('wants a password source for the service user', () => {
    const { password_file: _p, ...noPassword } = valid;
    refused(
      { ...noPassword, backend: `${valid.backend} passfile=${dir}/no-pgpass` },
      /password_file: not given, and the backend's passfile .*no-pgpass does not exist/,
    );
    const passfile = file('pgpass');
    const c = parseWebConfig({ ...noPassword, backend: `${valid.backend} passfile=${passfile}` }, 'web.yml');
    assert.equal(c.password_file, undefined);
  });
});
