import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createCa } from '@pharos/core/pki/ca';
import { writeCertFile, writeKeyFile } from '@pharos/core/pki/files';
import { issueClientCertificate } from '@pharos/core/pki/issue';
import { keyMatchesCertificate, readCertificateFiles, requireCommonName } from './certificate-files.js';

describe('agent certificate files', () => {
  let dir: string;
  const f = (name: string) => join(dir, name);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pharos-certfiles-'));
    const ca = await createCa({ commonName: 'test CA', days: 10 });
    for (const user of ['agent1', 'agent2']) {
      const c = await issueClientCertificate(ca, { commonName: user, days: 10 });
      await writeCertFile(f(`${user}.crt`), c.certPem);
      await writeKeyFile(f(`${user}.key`), c.keyPem);
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads and describes a good pair', () => {
    const c = readCertificateFiles(f('agent1.crt'), f('agent1.key'));
    assert.equal(c.commonName, 'agent1');
    assert.match(c.fingerprintSha256, /^[0-9a-f]{64}$/);
    assert.match(c.issuer, /CN=test CA/);
    assert.ok(c.notAfter > new Date());
    requireCommonName(c, 'agent1');
  });

  it('refuses a CN that is not the agent user, naming the CN expected', () => {
    const c = readCertificateFiles(f('agent1.crt'), f('agent1.key'));
    assert.throws(
      () => requireCommonName(c, 'agent3'),
      /--use-agent-sslcert: .*agent1\.crt has CN 'agent1' but the agent's database user is 'agent3'; expected a certificate with CN=agent3/,
    );
  });

  it('names a missing, unreadable or unusable file', () => {
    assert.throws(
      () => readCertificateFiles(f('none.crt'), f('agent1.key')),
      /--use-agent-sslcert: cannot read the certificate file .*none\.crt: no such file/,
    );
    assert.throws(
      () => readCertificateFiles(f('agent1.crt'), f('none.key')),
      /--use-agent-sslkey: cannot read the private key file .*none\.key: no such file/,
    );
    assert.throws(
      () => readCertificateFiles(f('agent1.crt'), dir),
      /cannot read the private key file .*: it is a directory/,
    );
    writeFileSync(f('junk.crt'), 'junk');
    assert.throws(
      () => readCertificateFiles(f('junk.crt'), f('agent1.key')),
      /junk\.crt is not a PEM certificate/,
    );
    assert.throws(
      () => readCertificateFiles(f('agent1.crt'), f('agent2.key'), { cert: '--sslcert', key: '--sslkey' }),
      /--sslkey: .*agent2\.key is not the private key of .*agent1\.crt/,
    );
  });

  it('refuses a key others can read, and an expired certificate', () => {
    chmodSync(f('agent2.key'), 0o644);
    assert.throws(
      () => readCertificateFiles(f('agent2.crt'), f('agent2.key')),
      /agent2\.key: mode 0644 gives group or world access/,
    );
    chmodSync(f('agent2.key'), 0o600);
    const later = new Date(Date.now() + 20 * 86_400_000);
    assert.throws(
      () => readCertificateFiles(f('agent2.crt'), f('agent2.key'), undefined, later),
      /agent2\.crt expired on /,
    );
  });

  it('keyMatchesCertificate', async () => {
    const { readFileSync } = await import('node:fs');
    const cert = readFileSync(f('agent1.crt'), 'utf8');
    assert.equal(keyMatchesCertificate(readFileSync(f('agent1.key'), 'utf8'), cert), true);
    assert.equal(keyMatchesCertificate(readFileSync(f('agent2.key'), 'utf8'), cert), false);
  });
});
