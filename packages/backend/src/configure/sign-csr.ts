/**
 * The signer of the built-in CA (built-in-ca.ts), the part that runs on a
 * backend host, started by PostgreSQL (COPY ... FROM PROGRAM) as the
 * database's OS user in the data directory: reads the CA certificate and key
 * there, checks the CSR (its own signature; CN = the agent user asked for)
 * and returns the client certificate (EKU clientAuth, @pharos/core/pki/csr).
 *
 * Refuses a CA key that others can read (it must be 0600 like server.key).
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { messageOf, pharosError } from '@pharos/core/errors';
import { signCsr } from '@pharos/core/pki/csr';
import { SIGNER_ERROR_PREFIX } from './built-in-ca.js';
import { describeCertificate } from './certificate-files.js';

/** What the signer is asked to do. Paths are relative to `cwd` (the data directory) or absolute. */
export interface SignRequest {
  csrPem: string;
  commonName: string;
  days: number;
  caCertFile: string;
  caKeyFile: string;
}

function readCaFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw pharosError(
      'PHAROS_CA_FILE_UNREADABLE',
      { what, path, reason: code ?? messageOf(err) },
      { cause: err },
    );
  }
}

/**
 * Signs the request with the CA files; resolves to the certificate (PEM).
 * @throws InputError naming the CA file (unreadable, key readable by others)
 *   or the CSR problem (bad signature, CN not the one asked for).
 */
export async function signWithCaFiles(req: SignRequest, cwd: string = process.cwd()): Promise<string> {
  if (!Number.isInteger(req.days) || req.days < 1)
    throw pharosError('PHAROS_CLI_DAYS_INVALID', { flag: '--days', days: req.days });

  const certPath = resolve(cwd, req.caCertFile);
  const keyPath = resolve(cwd, req.caKeyFile);
  const certPem = readCaFile(certPath, 'certificate');
  const keyPem = readCaFile(keyPath, 'key');
  const mode = Number(statSync(keyPath).mode) & 0o777;
  if ((mode & 0o077) !== 0) {
    throw pharosError('PHAROS_CA_KEY_PERMISSIONS', {
      path: keyPath,
      mode: mode.toString(8).padStart(4, '0'),
    });
  }
  const { certPem: issued } = await signCsr({ certPem, keyPem }, req.csrPem, {
    expectedCommonName: req.commonName,
    days: req.days,
  });
  return issued;
}

/**
 * The line the signer prints after the certificate: what the backend
 * records about it (pem.agent_certificate), so that SQL (the enrolment
 * function, sql/functions/registration/) need not parse X.509.
 * `pharos-cert-info: ` + base64 of the JSON {@link SignedFacts} (base64:
 * COPY's text format passes it unchanged).
 */
export const SIGNER_INFO_PREFIX = 'pharos-cert-info: ';

/** The facts of the info line. */
export interface SignedFacts {
  fingerprintSha256: string;
  commonName: string | null;
  serialNumber: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
}

/**
 * Runs the signer and returns what it prints: the certificate and its info
 * line ({@link SIGNER_INFO_PREFIX}), or one line `pharos-sign-error:
 * <message>` (tabs and backslashes removed, so COPY's text format passes it
 * unchanged). Never throws.
 */
export async function signerOutput(req: SignRequest, cwd?: string): Promise<string> {
  try {
    const pem = await signWithCaFiles(req, cwd);
    const c = describeCertificate(pem, 'the issued certificate');
    const facts: SignedFacts = {
      fingerprintSha256: c.fingerprintSha256,
      commonName: c.commonName ?? null,
      serialNumber: c.serialNumber,
      issuer: c.issuer,
      notBefore: c.notBefore.toISOString(),
      notAfter: c.notAfter.toISOString(),
    };
    const info = Buffer.from(JSON.stringify(facts), 'utf8').toString('base64');
    return `${pem.endsWith('\n') ? pem : `${pem}\n`}${SIGNER_INFO_PREFIX}${info}\n`;
  } catch (err) {
    const message = messageOf(err).replace(/[\t\\\r\n]+/g, ' ');
    return `${SIGNER_ERROR_PREFIX}${message}\n`;
  }
}
