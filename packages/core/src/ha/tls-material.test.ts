/* TLS files read and checked once, failing closed with the file named, without a server. */
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeTestPki } from '@pharos/testkit/pki/test-pki';
import { parseConninfo } from '../conninfo/resolve.js';
import { ConfigError } from '../errors/index.js';
import { loadTls } from './tls-material.js';

const NOENV = { HOME: '/nonexistent-home', USER: 'nobody' };

describe('TLS material', () => {
  let dir: string;
  let client: { cert: string; key: string };
  let ca: string;
  const f = (n: string) => join(dir, n);
  const cred = 'host=127.0.2.60 user=postgres password=postgres dbname=postgres';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'pharos-tls-files-'));
    const pki = makeTestPki(dir);
    ca = pki.caCert;
    client = pki.issue('client', ['127.0.2.60']);
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('missing, unreadable or unsafe files fail at construction, naming the file', () => {
    const make = (extra: string) => () => loadTls(parseConninfo(`${cred} ${extra}`, NOENV), NOENV.HOME);
    assert.doesNotThrow(
      make(`sslmode=verify-full sslrootcert=${ca} sslcert=${client.cert} sslkey=${client.key}`),
    );
    assert.throws(
      make(`sslmode=require sslrootcert=${f('nope.crt')}`),
      (e: unknown) => e instanceof ConfigError && e.message.includes(f('nope.crt')),
    );
    assert.throws(
      make(`sslcert=${client.cert} sslkey=${f('nope.key')}`),
      (e: unknown) => e instanceof ConfigError && e.message.includes(f('nope.key')),
    );
    assert.throws(
      make(`sslcrl=${f('nope.crl')}`),
      (e: unknown) => e instanceof ConfigError && e.message.includes('nope.crl'),
    );
    assert.throws(
      make('sslmode=verify-ca'),
      (e: unknown) =>
        e instanceof ConfigError && e.message.includes('/nonexistent-home/.postgresql/root.crt'),
    );
    writeFileSync(f('garbage.crt'), 'not a certificate');
    assert.throws(
      make(`sslmode=verify-ca sslrootcert=${f('garbage.crt')}`),
      (e: unknown) => e instanceof ConfigError && e.message.includes('garbage.crt'),
    );
    copyFileSync(client.key, f('open.key'));
    chmodSync(f('open.key'), 0o644);
    assert.throws(
      make(`sslcert=${client.cert} sslkey=${f('open.key')}`),
      (e: unknown) => e instanceof ConfigError && /open\.key.*group or world access/.test(e.message),
    );
    // sslmode=disable never reads them (as libpq).
    assert.equal(make(`sslmode=disable sslrootcert=${f('nope.crt')}`)(), undefined);
  });
});
