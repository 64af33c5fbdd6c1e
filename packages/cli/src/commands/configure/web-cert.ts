/**
 * The web instance's TLS certificate with -t 1/-t 2 (docs/reference/pem-facts.md §1 -kwc,
 * -scs): the files given with --web-cert/--web-key, else `web.crt`/`web.key`
 * beside the web configuration; when those do not exist (and -kwc is not
 * given) a self-signed P-256 certificate is made, subject from -scs (the
 * reference's `/C=US/O=.../CN=...` form; default CN = the host name), SAN =
 * the host name and address. An existing pair is never replaced.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pharosError } from '@pharos/core/errors';
import { writeCertFile, writeKeyFile } from '@pharos/core/pki/files';
import {
  certToPem,
  daysAfter,
  generateKeyPair,
  notBeforeFor,
  privateKeyToPem,
  randomSerial,
  SIGNING_ALGORITHM,
} from '@pharos/core/pki/keys';
import { x509 } from '@pharos/core/pki/x509';

/** Where the web certificate is and whether configure must make it. */
export interface WebCertificatePlan {
  certFile: string;
  keyFile: string;
  create: boolean;
}

/**
 * Decides the web certificate files before anything is written.
 * @throws InputError for only one of --web-cert/--web-key, a given file that
 *   is missing, or -kwc with no certificate to use.
 */
export function planWebCertificate(opts: {
  webConfig: string;
  webCert?: string;
  webKey?: string;
  skipWebCertificate: boolean;
}): WebCertificatePlan {
  if (Boolean(opts.webCert) !== Boolean(opts.webKey)) {
    throw pharosError('PHAROS_CLI_FLAG_PAIR', { first: '--web-cert', second: '--web-key' });
  }
  if (opts.webCert && opts.webKey) {
    for (const [flag, f] of [
      ['--web-cert', opts.webCert],
      ['--web-key', opts.webKey],
    ] as const) {
      if (!existsSync(f)) throw pharosError('PHAROS_CLI_FILE_MISSING', { flag, path: f });
    }
    return { certFile: resolve(opts.webCert), keyFile: resolve(opts.webKey), create: false };
  }
  const dir = dirname(resolve(opts.webConfig));
  const certFile = join(dir, 'web.crt');
  const keyFile = join(dir, 'web.key');
  const present = existsSync(certFile) && existsSync(keyFile);
  if (!present && opts.skipWebCertificate) {
    throw pharosError('PHAROS_CONFIGURE_WEB_CERT_MISSING', { path: certFile });
  }
  return { certFile, keyFile, create: !present };
}

/** Parses the reference's subject form `/C=US/ST=MA/O=EDB/CN=pem` into x509 name text. @throws InputError. */
export function subjectName(subject: string): string {
  const parts = subject.split('/').filter((p) => p !== '');
  const out: string[] = [];
  for (const p of parts) {
    const m = /^([A-Za-z]+)=(.+)$/.exec(p);
    if (!m) throw pharosError('PHAROS_CONFIGURE_SUBJECT_INVALID', { part: p, subject });
    out.push(`${m[1]!.toUpperCase()}=${m[2]!.replace(/([,+"\\<>;])/g, '\\$1')}`);
  }
  if (!out.some((p) => p.startsWith('CN='))) {
    throw pharosError('PHAROS_CONFIGURE_SUBJECT_NO_CN', { subject });
  }
  return out.join(', ');
}

/** Makes the self-signed certificate of `plan` (key 0600), valid `days` days. */
export async function createSelfSignedWebCertificate(
  plan: WebCertificatePlan,
  opts: { hostName: string; hostAddress?: string; subject?: string; days?: number },
): Promise<void> {
  const keys = await generateKeyPair();
  const now = new Date();
  const names: x509.JsonGeneralName[] = [{ type: 'dns', value: opts.hostName }];
  if (opts.hostAddress) names.push({ type: 'ip', value: opts.hostAddress });
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: opts.subject ? subjectName(opts.subject) : `CN=${opts.hostName}`,
    notBefore: notBeforeFor(now),
    notAfter: daysAfter(now, opts.days ?? 825),
    keys,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names),
    ],
  });
  mkdirSync(dirname(plan.certFile), { recursive: true, mode: 0o750 });
  await writeKeyFile(plan.keyFile, await privateKeyToPem(keys.privateKey));
  await writeCertFile(plan.certFile, certToPem(cert));
}
