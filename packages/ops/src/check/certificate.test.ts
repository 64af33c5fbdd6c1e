import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { issueClientCertificate, issueServerCertificate } from '@pharos/core/pki/issue';
import { certificateBetween, daysBefore, testCa } from '../testing/check-fixtures.js';
import { commonNameOf, evaluateCertificate, parseCertificate } from './certificate.js';

describe('evaluateCertificate', () => {
  const now = new Date();
  let ca: { certPem: string; keyPem: string };
  let otherCa: { certPem: string; keyPem: string };
  before(async () => {
    ca = await testCa();
    otherCa = await testCa();
  });
  const expect = (names?: string[], commonName?: string) => ({
    ca: parseCertificate(ca.certPem),
    names,
    commonName,
    warningDays: 30,
    // judged after the certificate was issued: X.509 times have whole seconds, so a
    // validity of N days then always leaves N-1 whole days (the clock only moves on)
    now: new Date(),
  });

  it('passes a server certificate from the CA that names every backend', async () => {
    const c = await issueServerCertificate(ca, {
      commonName: '10.0.0.20',
      dnsNames: ['localhost'],
      ipAddresses: ['10.0.0.20', '10.0.0.21', '10.0.0.22', '127.0.0.1'],
      days: 825,
    });
    const v = evaluateCertificate(
      parseCertificate(c.certPem),
      expect(['10.0.0.20', '10.0.0.21', '10.0.0.22']),
    );
    assert.equal(v.status, 'ok', v.measured);
    assert.equal(v.daysLeft, 824);
    assert.match(v.measured, /names 10\.0\.0\.20, 10\.0\.0\.21, 10\.0\.0\.22/);
    assert.equal(v.action, undefined);
  });

  it('fails an expired agent certificate, saying when it expired', async () => {
    const c = await certificateBetween(ca, {
      commonName: 'agent4',
      usage: 'client',
      notBefore: daysBefore(now, 400),
      notAfter: daysBefore(now, 3),
    });
    const v = evaluateCertificate(parseCertificate(c.certPem), expect(undefined, 'agent4'));
    assert.equal(v.status, 'failed');
    assert.match(v.measured, /^expired on \S+ \(3 days ago\)/);
    assert.match(v.action ?? '', /issue a new certificate/);
  });

  it('fails an expired web certificate and nothing else about it', async () => {
    const c = await certificateBetween(ca, {
      commonName: '10.0.0.31',
      usage: 'server',
      ipAddresses: ['10.0.0.31'],
      notBefore: daysBefore(now, 10),
      notAfter: daysBefore(now, 1),
    });
    const v = evaluateCertificate(parseCertificate(c.certPem), expect(['10.0.0.31']));
    assert.equal(v.status, 'failed');
    assert.deepEqual(v.measured.split('; ').slice(0, -1).length, 1, v.measured);
  });

  it('warns when the certificate leaves its validity period within the warning days', async () => {
    const c = await issueClientCertificate(ca, { commonName: 'agent1', days: 10 });
    const v = evaluateCertificate(parseCertificate(c.certPem), expect(undefined, 'agent1'));
    assert.equal(v.status, 'warning');
    assert.match(v.measured, /expires in 9 days \(warning below 30\)/);
  });

  it('fails a certificate that is not valid yet', async () => {
    const c = await certificateBetween(ca, {
      commonName: 'agent1',
      usage: 'client',
      notBefore: daysBefore(now, -2),
      notAfter: daysBefore(now, -400),
    });
    const v = evaluateCertificate(parseCertificate(c.certPem), expect(undefined, 'agent1'));
    assert.equal(v.status, 'failed');
    assert.match(v.measured, /not valid before/);
  });

  it('fails a certificate of another CA', async () => {
    const c = await issueClientCertificate(otherCa, { commonName: 'agent1', days: 825 });
    const v = evaluateCertificate(parseCertificate(c.certPem), expect(undefined, 'agent1'));
    assert.equal(v.status, 'failed');
    assert.match(v.measured, /not signed by the deployment CA/);
  });

  it('fails a server certificate that lacks a backend address, naming it', async () => {
    const c = await issueServerCertificate(ca, {
      commonName: '10.0.0.20',
      dnsNames: [],
      ipAddresses: ['10.0.0.20', '10.0.0.21'],
      days: 825,
    });
    const v = evaluateCertificate(
      parseCertificate(c.certPem),
      expect(['10.0.0.20', '10.0.0.21', '10.0.0.22']),
    );
    assert.equal(v.status, 'failed');
    assert.match(v.measured, /lacks 10\.0\.0\.22/);
  });

  it('fails an agent certificate whose CN is not the agent user', async () => {
    const c = await issueClientCertificate(ca, { commonName: 'agent2', days: 825 });
    const cert = parseCertificate(c.certPem);
    assert.equal(commonNameOf(cert), 'agent2');
    const v = evaluateCertificate(cert, expect(undefined, 'agent3'));
    assert.equal(v.status, 'failed');
    assert.match(v.measured, /CN is 'agent2', expected 'agent3'/);
  });
});
