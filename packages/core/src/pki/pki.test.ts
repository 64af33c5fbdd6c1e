import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import tls from 'node:tls';
import { type CertifiedKey, createCa } from './ca.js';
import { issueCrl } from './crl.js';
import { createCsr, ENROLMENT_CSR_CN, signCsr } from './csr.js';
import { writeCertFile, writeKeyFile } from './files.js';
import { issueClientCertificate, issuePeerCertificate, issueServerCertificate } from './issue.js';

const HOST = '127.0.5.1';

function openssl(...args: string[]): { status: number | null; out: string } {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('PKI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pharos-pki-'));
  const path = (name: string) => join(dir, name);
  let ca: CertifiedKey;
  let server: CertifiedKey;
  let agent1: CertifiedKey;

  before(async () => {
    ca = await createCa({ commonName: 'Pharos test CA', days: 30 });
    server = await issueServerCertificate(ca, {
      commonName: 'pem',
      dnsNames: ['localhost'],
      ipAddresses: ['172.16.161.200', '172.16.161.201', '172.16.161.202', '127.0.0.1', HOST],
      days: 10,
    });
    agent1 = await issueClientCertificate(ca, { commonName: 'agent1', days: 10 });
    await writeCertFile(path('root.crt'), ca.certPem);
    await writeKeyFile(path('root.key'), ca.keyPem);
    await writeCertFile(path('server.crt'), server.certPem);
    await writeKeyFile(path('server.key'), server.keyPem);
    await writeCertFile(path('agent1.crt'), agent1.certPem);
    await writeKeyFile(path('agent1.key'), agent1.keyPem);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('every certificate verifies against the CA (openssl verify)', () => {
    for (const name of ['root.crt', 'server.crt', 'agent1.crt']) {
      const r = openssl('verify', '-CAfile', path('root.crt'), path(name));
      assert.equal(r.status, 0, r.out);
      assert.match(r.out, /: OK/);
    }
  });

  test('common names: the client certificate CN is the database user', () => {
    assert.match(
      openssl('x509', '-in', path('agent1.crt'), '-noout', '-subject').out,
      /subject=CN\s*=\s*agent1\n/,
    );
    assert.match(
      openssl('x509', '-in', path('server.crt'), '-noout', '-subject').out,
      /subject=CN\s*=\s*pem\n/,
    );
  });

  test('the server certificate SAN lists every address and localhost', () => {
    const out = openssl('x509', '-in', path('server.crt'), '-noout', '-ext', 'subjectAltName').out;
    for (const ip of ['172.16.161.200', '172.16.161.201', '172.16.161.202', '127.0.0.1', HOST]) {
      assert.ok(out.includes(`IP Address:${ip}`), out);
    }
    assert.ok(out.includes('DNS:localhost'), out);
  });

  test('purposes: server EKU serverAuth, client EKU clientAuth, CA is a CA', () => {
    assert.equal(
      openssl('verify', '-purpose', 'sslserver', '-CAfile', path('root.crt'), path('server.crt')).status,
      0,
    );
    assert.equal(
      openssl('verify', '-purpose', 'sslclient', '-CAfile', path('root.crt'), path('agent1.crt')).status,
      0,
    );
    assert.notEqual(
      openssl('verify', '-purpose', 'sslserver', '-CAfile', path('root.crt'), path('agent1.crt')).status,
      0,
    );
    assert.match(
      openssl('x509', '-in', path('root.crt'), '-noout', '-ext', 'basicConstraints').out,
      /CA:TRUE/,
    );
  });

  test('a peer certificate serves and dials (both EKUs); an empty CN gives O=Pharos, OU=<unit>', async () => {
    const peer = await issuePeerCertificate(ca, {
      commonName: '',
      unit: 'patroni pem-backend-1',
      dnsNames: ['pem-backend-1'],
      ipAddresses: ['172.16.161.200'],
      days: 10,
    });
    await writeCertFile(path('peer.crt'), peer.certPem);
    for (const purpose of ['sslserver', 'sslclient']) {
      const r = openssl('verify', '-purpose', purpose, '-CAfile', path('root.crt'), path('peer.crt'));
      assert.equal(r.status, 0, r.out);
    }
    const subject = openssl('x509', '-in', path('peer.crt'), '-noout', '-subject').out;
    assert.match(subject, /^subject=O\s*=\s*Pharos, OU\s*=\s*patroni pem-backend-1\n$/);
    const client = await issueClientCertificate(ca, { commonName: '', unit: 'pharos-web', days: 10 });
    await writeCertFile(path('cnless.crt'), client.certPem);
    assert.doesNotMatch(openssl('x509', '-in', path('cnless.crt'), '-noout', '-subject').out, /CN/);
  });

  test('private keys are PKCS#8 PEM that OpenSSL reads, files mode 0600', () => {
    for (const name of ['root.key', 'server.key', 'agent1.key']) {
      assert.match(readFileSync(path(name), 'utf8'), /^-----BEGIN PRIVATE KEY-----\n/);
      assert.equal(openssl('pkey', '-in', path(name), '-noout').status, 0);
      assert.equal(statSync(path(name)).mode & 0o777, 0o600);
    }
    assert.equal(statSync(path('server.crt')).mode & 0o777, 0o644);
  });

  test('writeKeyFile replaces a wider file with a 0600 one and leaves no temporary file', async () => {
    const p = path('replace.key');
    writeFileSync(p, 'old', { mode: 0o644 });
    const old = process.umask(0);
    try {
      await writeKeyFile(p, server.keyPem);
    } finally {
      process.umask(old);
    }
    assert.equal(statSync(p).mode & 0o777, 0o600);
    assert.equal(readFileSync(p, 'utf8'), server.keyPem);
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.endsWith('.tmp')),
      [],
    );
  });

  test('mutual TLS with node: server certificate + agent1 client certificate', async () => {
    const srv = tls.createServer({
      key: server.keyPem,
      cert: server.certPem,
      ca: ca.certPem,
      requestCert: true,
      rejectUnauthorized: true,
    });
    const peers: string[] = [];
    srv.on('secureConnection', (s) => {
      peers.push(String(s.getPeerCertificate().subject.CN));
      s.end('hello');
    });
    await new Promise<void>((resolve) => srv.listen(0, HOST, resolve));
    const { port } = srv.address() as AddressInfo;
    try {
      const data = await new Promise<string>((resolve, reject) => {
        const c = tls.connect(
          { host: HOST, port, ca: ca.certPem, key: agent1.keyPem, cert: agent1.certPem },
          () => {
            assert.ok(c.authorized, String(c.authorizationError));
          },
        );
        let got = '';
        c.on('data', (d) => {
          got += d;
        });
        c.on('end', () => resolve(got));
        c.on('error', reject);
      });
      assert.equal(data, 'hello');
      assert.deepEqual(peers, ['agent1']);

      // A client certificate from another CA is refused by the server.
      const other = await createCa({ commonName: 'other CA', days: 1 });
      const stranger = await issueClientCertificate(other, { commonName: 'agent1', days: 1 });
      await assert.rejects(
        new Promise((resolve, reject) => {
          const c = tls.connect({
            host: HOST,
            port,
            ca: ca.certPem,
            key: stranger.keyPem,
            cert: stranger.certPem,
          });
          c.on('data', resolve);
          c.on('end', () => reject(new Error('closed without data')));
          c.on('error', reject);
        }),
      );
    } finally {
      await new Promise((resolve) => srv.close(resolve));
    }
  });

  test('a CSR signed for the expected user; a wrong CN is refused', async () => {
    const csr = await createCsr({ commonName: 'agent2' });
    const signed = await signCsr(ca, csr.csrPem, { expectedCommonName: 'agent2', days: 5 });
    writeFileSync(path('agent2.crt'), signed.certPem);
    assert.equal(
      openssl('verify', '-purpose', 'sslclient', '-CAfile', path('root.crt'), path('agent2.crt')).status,
      0,
    );
    assert.match(openssl('x509', '-in', path('agent2.crt'), '-noout', '-subject').out, /CN\s*=\s*agent2/);
    await assert.rejects(signCsr(ca, csr.csrPem, { expectedCommonName: 'agent3', days: 5 }), {
      name: 'InputError',
      message: "the certificate signing request is for CN 'agent2', expected 'agent3'",
    });
    await assert.rejects(signCsr(ca, 'not a csr', { expectedCommonName: 'agent2', days: 5 }), {
      name: 'InputError',
    });
  });

  test("an enrolment's CSR (placeholder CN) gets the CN the CA assigns, for the requester's key", async () => {
    const csr = await createCsr({ commonName: ENROLMENT_CSR_CN });
    const signed = await signCsr(ca, csr.csrPem, { expectedCommonName: 'agent9', days: 5 });
    writeFileSync(path('agent9.crt'), signed.certPem);
    assert.match(openssl('x509', '-in', path('agent9.crt'), '-noout', '-subject').out, /CN\s*=\s*agent9/);
    assert.equal(keyMatches(csr.keyPem, signed.certPem), true);
  });

  test('a CRL revokes exactly the listed certificates (openssl verify -crl_check)', async () => {
    const { crlPem } = await issueCrl(ca, [agent1.serialNumber]);
    assert.match(crlPem, /^-----BEGIN X509 CRL-----\n/);
    await writeCertFile(path('root.crl'), crlPem);
    const check = (name: string) =>
      openssl('verify', '-crl_check', '-CAfile', path('root.crt'), '-CRLfile', path('root.crl'), path(name));
    assert.notEqual(check('agent1.crt').status, 0);
    assert.match(check('agent1.crt').out, /revoked/);
    assert.equal(check('server.crt').status, 0);
    const { crlPem: empty } = await issueCrl(ca, []);
    await writeCertFile(path('root.crl'), empty);
    assert.equal(check('agent1.crt').status, 0);
  });
});

function keyMatches(keyPem: string, certPem: string): boolean {
  const a = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
  const b = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return a.equals(b);
}
