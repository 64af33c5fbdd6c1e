/**
 * An agent's client certificate and key as files (docs/reference/pem-facts.md §2, §7): read,
 * checked and described before anything is registered, so a wrong file stops
 * configure with a message naming it and the backend untouched.
 *
 * Checks: both files exist and are readable; the certificate is one PEM
 * X.509 certificate, valid now; the key is a PEM private key whose public half
 * is the certificate's (a certificate with someone else's key cannot log in);
 * the key's permissions pass libpq's rule (no group/world access when owned by
 * the caller, at most 0640 when owned by root; fe-secure-openssl.c
 * initialize_SSL), since the agent's connection would otherwise be refused
 * later; the certificate's CN is the database user it will log in as.
 */
import { createHash, createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { messageOf, pharosError } from '@pharos/core/errors';

/** What Pharos records about a client certificate (a row of pem.agent_certificate). */
export interface CertificateInfo {
  certPem: string;
  commonName: string | undefined;
  /** Lower-case hex SHA-256 of the DER certificate. */
  fingerprintSha256: string;
  serialNumber: string;
  issuer: string;
  notBefore: Date;
  notAfter: Date;
}

/** A certificate and key read from files, with the certificate described. */
export interface CertificateFiles extends CertificateInfo {
  certFile: string;
  keyFile: string;
}

/** Flag names used in messages (configure's or `agent register`'s). */
export interface CertificateFlags {
  cert: string;
  key: string;
}

const CONFIGURE_FLAGS: CertificateFlags = { cert: '--use-agent-sslcert', key: '--use-agent-sslkey' };

function errnoText(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return code ?? messageOf(err);
}

function readText(path: string, flag: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw pharosError(
      'PHAROS_CERT_FILE_UNREADABLE',
      { flag, what, path, reason: errnoText(err) },
      { cause: err },
    );
  }
}

/**
 * Describes a PEM certificate (the first one in `pem`). @throws InputError
 * naming `source` when it is not a certificate.
 */
export function describeCertificate(pem: string, source: string): CertificateInfo {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch (err) {
    throw pharosError('PHAROS_CERT_NOT_PEM', { source, reason: messageOf(err) }, { cause: err });
  }
  const block = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0] ?? pem;
  return {
    certPem: `${block.trim()}\n`,
    commonName: /(?:^|\n)CN=([^\n]+)/.exec(cert.subject)?.[1],
    fingerprintSha256: createHash('sha256').update(cert.raw).digest('hex'),
    serialNumber: cert.serialNumber.toLowerCase(),
    issuer: cert.issuer.replaceAll('\n', ', '),
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
  };
}

/** True when the private key (PEM) is the one of the certificate (PEM). */
export function keyMatchesCertificate(keyPem: string, certPem: string): boolean {
  const fromKey = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
  const fromCert = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return Buffer.compare(fromKey, fromCert) === 0;
}

/**
 * libpq's private key permission rule, from the point of view of this
 * process's user: owned by it, no group/world access (0600); owned by root,
 * at most u=rw,g=r (0640). Returns the problem, or undefined.
 */
export function keyPermissionProblem(path: string): string | undefined {
  const st = statSync(path);
  const mode = Number(st.mode) & 0o777;
  const uid = typeof process.geteuid === 'function' ? process.geteuid() : -1;
  const octal = mode.toString(8).padStart(4, '0');
  if (st.uid === uid && (mode & 0o077) !== 0) {
    return `mode ${octal} gives group or world access; the key must have permissions u=rw (0600) or less`;
  }
  if (st.uid === 0 && (mode & 0o037) !== 0) {
    return `mode ${octal}: a key owned by root must have permissions u=rw,g=r (0640) or less`;
  }
  return undefined;
}

/**
 * Reads and checks an agent certificate and key (see the module note).
 * `now` is for tests. @throws InputError naming the flag and the file.
 */
export function readCertificateFiles(
  certFile: string,
  keyFile: string,
  flags: CertificateFlags = CONFIGURE_FLAGS,
  now: Date = new Date(),
): CertificateFiles {
  const certPem = readText(certFile, flags.cert, 'certificate');
  const keyPem = readText(keyFile, flags.key, 'private key');
  const info = describeCertificate(certPem, `${flags.cert}: ${certFile}`);
  try {
    createPrivateKey(keyPem);
  } catch (err) {
    throw pharosError(
      'PHAROS_CERT_KEY_NOT_PEM',
      { flag: flags.key, path: keyFile, reason: messageOf(err) },
      { cause: err },
    );
  }
  if (!keyMatchesCertificate(keyPem, info.certPem)) {
    throw pharosError('PHAROS_CERT_KEY_MISMATCH', {
      flag: flags.key,
      keyFile,
      certFile,
      commonName: info.commonName ?? '(none)',
    });
  }
  const perm = keyPermissionProblem(keyFile);
  if (perm)
    throw pharosError('PHAROS_CERT_KEY_PERMISSIONS', { flag: flags.key, path: keyFile, problem: perm });
  if (info.notAfter.getTime() <= now.getTime()) {
    throw pharosError('PHAROS_CERT_EXPIRED', {
      flag: flags.cert,
      path: certFile,
      notAfter: info.notAfter.toISOString(),
    });
  }
  if (info.notBefore.getTime() > now.getTime() + 5 * 60_000) {
    throw pharosError('PHAROS_CERT_NOT_YET_VALID', {
      flag: flags.cert,
      path: certFile,
      notBefore: info.notBefore.toISOString(),
    });
  }
  return { ...info, certFile, keyFile };
}

/**
 * Requires the certificate's CN to be `expectedUser` (the reference's rule:
 * the CN is the agent's database user). @throws InputError naming the file,
 * the CN found and the CN expected.
 */
export function requireCommonName(
  cert: CertificateFiles,
  expectedUser: string,
  flags: CertificateFlags = CONFIGURE_FLAGS,
): void {
  if (cert.commonName !== expectedUser) {
    throw pharosError('PHAROS_CERT_WRONG_USER', {
      flag: flags.cert,
      path: cert.certFile,
      commonName: cert.commonName ?? '(none)',
      user: expectedUser,
    });
  }
}
