import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createCa } from '@pharos/core/pki/ca';
import { createCsr } from '@pharos/core/pki/csr';
import { CA_SIGNER_DEFAULTS, SIGNER_ERROR_PREFIX, shellWord, signCommand } from './built-in-ca.js';
import { describeCertificate, keyMatchesCertificate } from './certificate-files.js';
import { SIGNER_INFO_PREFIX, signerOutput } from './sign-csr.js';

describe('built-in CA: signer command and signer', () => {
  let dir: string;
  let ca: { certPem: string; keyPem: string };
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pharos-signer-'));
    ca = await createCa({ commonName: 'built-in CA', days: 30 });
    writeFileSync(join(dir, 'ca_certificate.crt'), ca.certPem);
    writeFileSync(join(dir, 'ca_key.key'), ca.keyPem, { mode: 0o600 });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('quotes every word for /bin/sh, the CSR base64-encoded', async () => {
    assert.equal(shellWord("it's"), `'it'\\''s'`);
    const { csrPem } = await createCsr({ commonName: 'agent7' });
    const cmd = signCommand({ ...CA_SIGNER_DEFAULTS, program: ['/bin/echo', "a b'c"] }, 'agent7', csrPem);
    const out = execFileSync('/bin/sh', ['-c', cmd], { encoding: 'utf8' }).trim().split(' ');
    assert.deepEqual(out.slice(0, 11), [
      'a',
      "b'c",
      '--cn',
      'agent7',
      '--days',
      '365',
      '--ca-cert',
      'ca_certificate.crt',
      '--ca-key',
      'ca_key.key',
      '--csr',
    ]);
    assert.equal(Buffer.from(out[11]!, 'base64').toString('utf8'), csrPem);
    assert.throws(
      () => signCommand({ ...CA_SIGNER_DEFAULTS, program: ['x'] }, "x'; rm -rf /", csrPem),
      /cannot be a certificate CN/,
    );
  });

  it('signs a CSR for the CN asked for, in the data directory', async () => {
    const { csrPem, keyPem } = await createCsr({ commonName: 'agent7' });
    const out = await signerOutput({ ...CA_SIGNER_DEFAULTS, csrPem, commonName: 'agent7', days: 10 }, dir);
    const info = describeCertificate(out, 'output');
    assert.equal(info.commonName, 'agent7');
    assert.match(info.issuer, /CN=built-in CA/);
    assert.equal(keyMatchesCertificate(keyPem, out), true);
    // the info line the enrolment function records (base64 JSON, COPY-safe)
    const line = out.trimEnd().split('\n').at(-1)!;
    assert.ok(line.startsWith(SIGNER_INFO_PREFIX), line);
    const facts = JSON.parse(Buffer.from(line.slice(SIGNER_INFO_PREFIX.length), 'base64').toString('utf8'));
    assert.deepEqual(facts, {
      fingerprintSha256: info.fingerprintSha256,
      commonName: 'agent7',
      serialNumber: info.serialNumber,
      issuer: info.issuer,
      notBefore: info.notBefore.toISOString(),
      notAfter: info.notAfter.toISOString(),
    });
  });

  it('answers errors on one line (COPY passes them on): wrong CN, unreadable or exposed CA key', async () => {
    const { csrPem } = await createCsr({ commonName: 'agent8' });
    const wrongCn = await signerOutput(
      { ...CA_SIGNER_DEFAULTS, csrPem, commonName: 'agent7', days: 10 },
      dir,
    );
    assert.match(
      wrongCn,
      new RegExp(
        `^${SIGNER_ERROR_PREFIX}the certificate signing request is for CN 'agent8', expected 'agent7'\\n$`,
      ),
    );
    const noKey = await signerOutput(
      { ...CA_SIGNER_DEFAULTS, caKeyFile: 'nope.key', csrPem, commonName: 'agent8', days: 10 },
      dir,
    );
    assert.match(noKey, /^pharos-sign-error: cannot read the CA key .*nope\.key: ENOENT\n$/);
    writeFileSync(join(dir, 'open.key'), ca.keyPem, { mode: 0o644 });
    const open = await signerOutput(
      { ...CA_SIGNER_DEFAULTS, caKeyFile: 'open.key', csrPem, commonName: 'agent8', days: 10 },
      dir,
    );
    assert.match(
      open,
      /^pharos-sign-error: the CA key .*open\.key has mode 0644: it must not be readable by group or others/,
    );
  });
});
