/**
 * Judges one X.509 certificate against what the deployment expects: signed
 * by the deployment's CA, inside its validity period and not about to
 * leave it, naming the expected addresses in its subjectAltName (server
 * certificates), and carrying the expected CN (agent client certificates:
 * PostgreSQL's `cert` method compares the CN with the database user,
 * PostgreSQL docs §21.12 "Certificate Authentication"). Pure: the caller
 * gives the time.
 */
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import type { CheckStatus } from './result.js';

/** Default: a certificate that leaves its validity period within this many days is a warning. */
export const DEFAULT_EXPIRY_WARNING_DAYS = 30;

/** What a certificate must satisfy. */
export interface CertificateExpectation {
  /** The deployment's CA; the certificate must be issued and signed by it. */
  ca: X509Certificate;
  /** IP addresses (or DNS names) the subjectAltName must cover; none for client certificates. */
  names?: string[];
  /** The subject CN it must carry (agent user). */
  commonName?: string;
  /** Days before notAfter from which the result is a warning. */
  warningDays: number;
  now: Date;
}

/** The verdict on one certificate: worst status, one sentence of facts, what to do. */
export interface CertificateVerdict {
  status: CheckStatus;
  measured: string;
  action?: string;
  /** Whole days from `now` to notAfter, truncated toward zero (negative when expired). */
  daysLeft: number;
}

const DAY_MS = 86_400_000;

/** The subject CN of `cert` (first CN attribute), or undefined. */
export function commonNameOf(cert: X509Certificate): string | undefined {
  for (const line of cert.subject.split('\n')) {
    if (line.startsWith('CN=')) return line.slice(3);
  }
  return undefined;
}

/** True when the certificate's SAN covers `name` (an IP address or a DNS name). */
export function certificateNames(cert: X509Certificate, name: string): boolean {
  return isIP(name) !== 0 ? cert.checkIP(name) !== undefined : cert.checkHost(name) !== undefined;
}

/** A certificate from PEM text or DER bytes. @throws Error when it does not parse. */
export function parseCertificate(data: string | Buffer): X509Certificate {
  return new X509Certificate(data);
}

/**
 * Evaluates `cert` against `expect`:
 * - failed: not issued or not signed by the CA; not yet valid; expired; a
 *   name of `expect.names` not in the subjectAltName; a CN other than
 *   `expect.commonName`;
 * - warning: notAfter within `expect.warningDays` days;
 * - ok otherwise.
 * `measured` states CN, issuer, notAfter with days left, and what failed.
 */
export function evaluateCertificate(
  cert: X509Certificate,
  expect: CertificateExpectation,
): CertificateVerdict {
  const notBefore = new Date(cert.validFrom);
  const notAfter = new Date(cert.validTo);
  const daysLeft = Math.trunc((notAfter.getTime() - expect.now.getTime()) / DAY_MS);
  const cn = commonNameOf(cert) ?? '(none)';
  const problems: string[] = [];
  const actions: string[] = [];
  let status: CheckStatus = 'ok';
  const fail = (problem: string, action: string) => {
    status = 'failed';
    problems.push(problem);
    actions.push(action);
  };
  const issuedByCa = cert.checkIssued(expect.ca) && cert.verify(expect.ca.publicKey);
  if (!issuedByCa) {
    fail(
      `not signed by the deployment CA (issuer ${cert.issuer.replaceAll('\n', ', ')}, CA ${expect.ca.subject.replaceAll('\n', ', ')})`,
      'issue it from the deployment CA (pharos plan) and install it',
    );
  }
  if (expect.now < notBefore) {
    fail(`not valid before ${notBefore.toISOString()}`, 'check the clocks, or issue a certificate valid now');
  }
  if (expect.now > notAfter) {
    fail(
      `expired on ${notAfter.toISOString()} (${-daysLeft} days ago)`,
      'issue a new certificate from the deployment CA, install it and reload the service',
    );
  }
  const missing = (expect.names ?? []).filter((n) => !certificateNames(cert, n));
  if (missing.length > 0) {
    fail(
      `subjectAltName (${cert.subjectAltName ?? 'none'}) lacks ${missing.join(', ')}`,
      'issue a certificate whose subjectAltName names every address clients dial',
    );
  }
  if (expect.commonName !== undefined && cn !== expect.commonName) {
    fail(
      `CN is '${cn}', expected '${expect.commonName}'`,
      `issue a client certificate with CN=${expect.commonName} (the cert method compares CN and user)`,
    );
  }
  if (status === 'ok' && daysLeft < expect.warningDays) {
    status = 'warning';
    problems.push(`expires in ${daysLeft} days (warning below ${expect.warningDays})`);
    actions.push('renew it before it expires');
  }
  const names = expect.names ?? [];
  const covers = names.length > 0 && missing.length === 0 ? `, names ${names.join(', ')}` : '';
  const left = daysLeft >= 0 ? ` (${daysLeft} days)` : '';
  const facts = `CN=${cn}${covers}, valid until ${notAfter.toISOString().slice(0, 10)}${left}`;
  const measured =
    problems.length > 0 ? `${problems.join('; ')}; ${facts}` : `${facts}, signed by the deployment CA`;
  return actions.length > 0
    ? { status, measured, action: [...new Set(actions)].join('; '), daysLeft }
    : { status, measured, daysLeft };
}
