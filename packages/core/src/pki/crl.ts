/**
 * Certificate revocation lists (`root.crl`, PostgreSQL `ssl_crl_file`).
 * A CRL that the CA did not issue breaks every client connection
 * (docs/reference/pem-facts.md §7), so the CRL is always signed by the deployment's CA and
 * names it through AuthorityKeyIdentifier.
 */

import { pharosError } from '../errors/index.js';
import { loadCa } from './ca.js';
import type { CaPem } from './issue.js';
import { daysAfter, SIGNING_ALGORITHM } from './keys.js';
import { x509 } from './x509.js';

/** DER of a CRLNumber extension value (a non-negative INTEGER). */
function crlNumberDer(n: number): Uint8Array<ArrayBuffer> {
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  if ((bytes[0] ?? 0) & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return new Uint8Array([0x02, bytes.length, ...bytes]);
}

/** Revocation reasons a Pharos CRL entry may carry (RFC 5280 §5.3.1). */
export type RevocationReason = 'keyCompromise' | 'affiliationChanged' | 'superseded' | 'cessationOfOperation';

/**
 * A CRL (PEM, `-----BEGIN X509 CRL-----`, the label OpenSSL and PostgreSQL
 * read) signed by the CA, listing `revokedSerials` (hex serial numbers, as
 * CertifiedKey.serialNumber) revoked now with reason `opts.reason` (default
 * cessationOfOperation: the agent host left; pass keyCompromise for a leaked
 * key; every entry carries a reason because an empty entry-extensions list
 * is invalid DER that OpenSSL rejects); thisUpdate now,
 * nextUpdate `opts.days` later (default 30), CRL number `opts.number`
 * (default: seconds since the epoch, so a newer CRL has a higher number),
 * AuthorityKeyIdentifier = the CA's key id.
 * @throws InputError for a serial that is not hex.
 */
export async function issueCrl(
  ca: CaPem,
  revokedSerials: string[],
  opts: { days?: number; number?: number; reason?: RevocationReason } = {},
): Promise<{ crlPem: string }> {
  for (const s of revokedSerials) {
    if (!/^[0-9a-fA-F]+$/.test(s)) throw pharosError('PHAROS_PKI_SERIAL_INVALID', { serial: s });
  }
  const loaded = await loadCa(ca);
  const reason = x509.X509CrlReason[opts.reason ?? 'cessationOfOperation'];
  const now = new Date();
  const crl = await x509.X509CrlGenerator.create({
    issuer: loaded.cert.subjectName,
    thisUpdate: now,
    nextUpdate: daysAfter(now, opts.days ?? 30),
    entries: revokedSerials.map((serialNumber) => ({ serialNumber, revocationDate: now, reason })),
    signingKey: loaded.signingKey,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.AuthorityKeyIdentifierExtension(loaded.keyId),
      new x509.Extension('2.5.29.20', false, crlNumberDer(opts.number ?? Math.floor(now.getTime() / 1000))),
    ],
  });
  return { crlPem: `${x509.PemConverter.encode(crl.rawData, 'X509 CRL')}\n` };
}
