import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createSelfSignedWebCertificate, planWebCertificate, subjectName } from './web-cert.js';

describe('the web instance certificate', () => {
  it('parses the reference subject form', () => {
    assert.equal(
      subjectName('/C=US/ST=MA/O=Example, Inc/CN=pem.example'),
      'C=US, ST=MA, O=Example\\, Inc, CN=pem.example',
    );
    assert.throws(() => subjectName('/C=US/O=x'), /has no CN=/);
    assert.throws(() => subjectName('/C=US/oops'), /'oops' in '\/C=US\/oops' is not KEY=value/);
  });

  it('plans, then makes a self-signed certificate once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pharos-webcert-'));
    try {
      const webConfig = join(dir, 'web.yml');
      assert.throws(
        () => planWebCertificate({ webConfig, skipWebCertificate: true }),
        /-kwc\/--skip-web-certificate: no web certificate at/,
      );
      assert.throws(
        () => planWebCertificate({ webConfig, webCert: '/x', skipWebCertificate: false }),
        /go together/,
      );
      const plan = planWebCertificate({ webConfig, skipWebCertificate: false });
      assert.equal(plan.create, true);
      await createSelfSignedWebCertificate(plan, {
        hostName: 'web-1',
        hostAddress: '127.0.8.211',
        subject: '/O=Pharos/CN=web-1',
      });
      const cert = new X509Certificate(readFileSync(plan.certFile));
      assert.match(cert.subject, /CN=web-1/);
      assert.match(cert.subjectAltName ?? '', /IP Address:127\.0\.8\.211/);
      assert.equal(statSync(plan.keyFile).mode & 0o777, 0o600);
      assert.equal(planWebCertificate({ webConfig, skipWebCertificate: true }).create, false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
